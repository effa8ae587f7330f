"""AWS CDK constructs for Amazon ECR.

The document layer (lifecycle and policy documents, errors) is pure Python; the constructs
import aws-cdk-lib only when first used, so the CLI and the simulator start fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lazy import lazy_exports
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
from .standards.compliance.assembly import check_assembly
from .standards.compliance.rules import EcrRule, EcrStandardChecks, Finding, check_template
from .standards.config import RegistryConfig
from .standards.loading import load_registry_config, parse_registry_config
from .standards.resolution import ResolvedRepository

if TYPE_CHECKING:
    from .repository import Repository, TagMutabilityExclusions
    from .standards.compliance.plugin import (
        EcrCompliance,
        EcrCompliancePlugin,
        check_app,
        check_stack,
    )

__getattr__ = lazy_exports(
    __name__,
    globals(),
    {
        ".repository": ["Repository", "TagMutabilityExclusions"],
        ".standards.compliance.plugin": [
            "EcrCompliance",
            "EcrCompliancePlugin",
            "check_app",
            "check_stack",
        ],
    },
)

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
    "RegistryConfig",
    "RegistryError",
    "RegistryPolicyDocument",
    "Repository",
    "RepositoryAccess",
    "RepositoryPolicyDocument",
    "RepositoryPropsError",
    "ResolvedRepository",
    "StorageClass",
    "TagMutabilityExclusions",
    "TagStatus",
    "TagStrategy",
    "check_app",
    "check_assembly",
    "check_stack",
    "check_template",
    "load_registry_config",
    "parse_registry_config",
]
