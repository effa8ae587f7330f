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
    Decision,
    Image,
    ImageAction,
    ImageDataError,
    ImageStatus,
    Lifecycle,
    LifecycleAction,
    LifecyclePolicy,
    LifecyclePolicyWarning,
    LifecyclePreset,
    LifecycleRule,
    SimulationResult,
    StorageClass,
    TagStatus,
    TagStrategy,
    parse_images,
    simulate,
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
    from .ci import (
        GitHubActionsPushRole,
    )
    from .events import (
        FindingSeverity,
        NotificationTopic,
        enhanced_findings_rule,
        image_push_rule,
        scan_completed_rule,
    )
    from .public import (
        Architecture,
        OperatingSystem,
        PublicRepository,
    )
    from .registry import (
        AppliedFor,
        CacheRepositoryTemplate,
        PullThroughCache,
        PullThroughCacheCredentials,
        RegistryPolicy,
        RegistryReplication,
        RegistryScanning,
        ReplicationDestination,
        ReplicationRule,
        RepositoryCreationTemplate,
        ScanFindingsNotifications,
        ScanFrequency,
        ScanningRule,
        ScanType,
        Upstream,
    )
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
        ".events": [
            "FindingSeverity",
            "NotificationTopic",
            "image_push_rule",
            "scan_completed_rule",
            "enhanced_findings_rule",
        ],
        ".public": [
            "PublicRepository",
            "Architecture",
            "OperatingSystem",
        ],
        ".ci": [
            "GitHubActionsPushRole",
        ],
        ".registry": [
            "RegistryScanning",
            "ScanFindingsNotifications",
            "ScanFrequency",
            "ScanningRule",
            "ScanType",
            "AppliedFor",
            "CacheRepositoryTemplate",
            "PullThroughCache",
            "PullThroughCacheCredentials",
            "RegistryPolicy",
            "RegistryReplication",
            "ReplicationDestination",
            "ReplicationRule",
            "RepositoryCreationTemplate",
            "Upstream",
        ],
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
    "AppliedFor",
    "Architecture",
    "CacheRepositoryTemplate",
    "ComplianceError",
    "ConfigError",
    "CountType",
    "Decision",
    "EcrCompliance",
    "EcrCompliancePlugin",
    "EcrConstructsError",
    "EcrRule",
    "EcrStandardChecks",
    "Finding",
    "FindingSeverity",
    "GitHubActionsPushRole",
    "Image",
    "ImageAction",
    "ImageDataError",
    "ImageStatus",
    "Lifecycle",
    "LifecycleAction",
    "LifecyclePolicy",
    "LifecyclePolicyError",
    "LifecyclePolicyWarning",
    "LifecyclePreset",
    "LifecycleRule",
    "NotificationTopic",
    "OperatingSystem",
    "PolicyDocumentError",
    "Problem",
    "PublicRepository",
    "PublicRepositoryAccess",
    "PublicRepositoryPolicyDocument",
    "PullThroughCache",
    "PullThroughCacheCredentials",
    "RegistryAccess",
    "RegistryConfig",
    "RegistryError",
    "RegistryPolicy",
    "RegistryPolicyDocument",
    "RegistryReplication",
    "RegistryScanning",
    "ReplicationDestination",
    "ReplicationRule",
    "Repository",
    "RepositoryAccess",
    "RepositoryCreationTemplate",
    "RepositoryPolicyDocument",
    "RepositoryPropsError",
    "ResolvedRepository",
    "ScanFindingsNotifications",
    "ScanFrequency",
    "ScanType",
    "ScanningRule",
    "SimulationResult",
    "StorageClass",
    "TagMutabilityExclusions",
    "TagStatus",
    "TagStrategy",
    "Upstream",
    "check_app",
    "check_assembly",
    "check_stack",
    "check_template",
    "enhanced_findings_rule",
    "image_push_rule",
    "load_registry_config",
    "parse_images",
    "parse_registry_config",
    "scan_completed_rule",
    "simulate",
]
