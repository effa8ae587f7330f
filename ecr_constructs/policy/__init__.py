"""Repository, registry and public repository policies as checked documents (pure Python).

Presets (`RepositoryAccess`, `RegistryAccess`, `PublicRepositoryAccess`) return immutable
`AccessGrant` objects; a document (`RepositoryPolicyDocument`, `RegistryPolicyDocument`,
`PublicRepositoryPolicyDocument`) composes them and checks every statement.
"""

from ._check import MAX_POLICY_CHARACTERS, DocumentRules, check_statement
from ._grant import AccessGrant
from .documents import (
    PolicyDocument,
    PublicRepositoryPolicyDocument,
    RegistryPolicyDocument,
    RepositoryPolicyDocument,
)
from .presets import (
    LAMBDA_PULL_ACTIONS,
    PUBLIC_PUSH_ACTIONS,
    PULL_ACTIONS,
    PULL_THROUGH_CACHE_ACTIONS,
    PUSH_ACTIONS,
    REPLICATION_ACTIONS,
    PublicRepositoryAccess,
    RegistryAccess,
    RepositoryAccess,
)

__all__ = [
    "LAMBDA_PULL_ACTIONS",
    "MAX_POLICY_CHARACTERS",
    "PUBLIC_PUSH_ACTIONS",
    "PULL_ACTIONS",
    "PULL_THROUGH_CACHE_ACTIONS",
    "PUSH_ACTIONS",
    "REPLICATION_ACTIONS",
    "AccessGrant",
    "DocumentRules",
    "PolicyDocument",
    "PublicRepositoryAccess",
    "PublicRepositoryPolicyDocument",
    "RegistryAccess",
    "RegistryPolicyDocument",
    "RepositoryAccess",
    "RepositoryPolicyDocument",
    "check_statement",
]
