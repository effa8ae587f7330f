"""AWS CDK constructs for Amazon ECR.

The document layer (lifecycle and policy documents, errors) is pure Python; the constructs
import aws-cdk-lib only when first used, so the CLI and the simulator start fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import (
    ComplianceError,
    ConfigError,
    EcrConstructsError,
    LifecyclePolicyError,
    PolicyDocumentError,
    Problem,
    RegistryError,
    RepositoryPropsError,
)
from .lifecycle import (
    CountType,
    Lifecycle,
    LifecycleAction,
    LifecyclePolicy,
    LifecyclePolicyWarning,
    LifecyclePreset,
    LifecycleRule,
    StorageClass,
    TagStatus,
    TagStrategy,
)
from .policy import (
    AccessGrant,
    PublicRepositoryAccess,
    PublicRepositoryPolicyDocument,
    RegistryAccess,
    RegistryPolicyDocument,
    RepositoryAccess,
    RepositoryPolicyDocument,
)

if TYPE_CHECKING:
    from .repository import Repository, TagMutabilityExclusions
    from .standards.compliance import (
        EcrCompliance,
        EcrCompliancePlugin,
        EcrRule,
        EcrStandardChecks,
        Finding,
        check_app,
        check_assembly,
        check_stack,
        check_template,
    )

# Public names whose modules import aws-cdk-lib, loaded on first access.
_CONSTRUCTS = {
    "Repository": ".repository",
    "TagMutabilityExclusions": ".repository",
    **dict.fromkeys(
        [
            "EcrCompliance",
            "EcrCompliancePlugin",
            "EcrRule",
            "EcrStandardChecks",
            "Finding",
            "check_app",
            "check_assembly",
            "check_stack",
            "check_template",
        ],
        ".standards.compliance",
    ),
}


def __getattr__(name: str) -> Any:
    module = _CONSTRUCTS.get(name)
    if module is None:
        raise AttributeError(f"module 'ecr_constructs' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "AccessGrant",
    "ComplianceError",
    "ConfigError",
    "CountType",
    "EcrCompliance",
    "EcrCompliancePlugin",
    "EcrConstructsError",
    "EcrRule",
    "EcrStandardChecks",
    "Finding",
    "Lifecycle",
    "LifecycleAction",
    "LifecyclePolicy",
    "LifecyclePolicyError",
    "LifecyclePolicyWarning",
    "LifecyclePreset",
    "LifecycleRule",
    "PolicyDocumentError",
    "Problem",
    "PublicRepositoryAccess",
    "PublicRepositoryPolicyDocument",
    "RegistryAccess",
    "RegistryError",
    "RegistryPolicyDocument",
    "Repository",
    "RepositoryAccess",
    "RepositoryPolicyDocument",
    "RepositoryPropsError",
    "StorageClass",
    "TagMutabilityExclusions",
    "TagStatus",
    "TagStrategy",
    "check_app",
    "check_assembly",
    "check_stack",
    "check_template",
]
