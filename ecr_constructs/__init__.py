"""AWS CDK constructs for Amazon ECR.

The documents (lifecycle and policy), the simulator and the errors load with the package;
everything else (constructs, registry file models, fleet, compliance check) loads on first
use, so the CLI and scripts that only validate or simulate start fast.
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
from .settings import RepositorySettings

if TYPE_CHECKING:
    from .ci import (
        GitHubActionsPushRole,
    )
    from .events import (
        ActionResult,
        FindingSeverity,
        NotificationTopic,
        enhanced_findings_rule,
        image_archived_rule,
        image_deleted_rule,
        image_push_rule,
        image_restored_rule,
        pull_through_cache_rule,
        referrer_action_rule,
        replication_rule,
        scan_completed_rule,
        scan_resource_change_rule,
    )
    from .public import (
        PublicRepository,
    )
    from .registry import (
        CacheRepositoryTemplate,
        PullThroughCache,
        PullThroughCacheCredentials,
        PullTimeUpdateExclusion,
        PullTimeUpdateExclusions,
        RegistryPolicy,
        RegistryReplication,
        RegistryScanning,
        ReplicationDestination,
        ReplicationRule,
        RepositoryCreationTemplate,
        ScanFindingsNotifications,
        ScanningRule,
        SigningConfiguration,
        SigningRule,
        Upstream,
    )
    from .registry_rules import (
        AppliedFor,
        Architecture,
        OperatingSystem,
        RegistryPolicyScope,
        ScanFrequency,
        ScanType,
    )
    from .repository import (
        Repository,
        TagMutabilityExclusions,
    )
    from .standards.compliance.assembly import (
        check_assembly,
    )
    from .standards.compliance.plugin import (
        EcrCompliance,
        EcrCompliancePlugin,
        check_app,
        check_stack,
    )
    from .standards.compliance.rules import (
        AcceptedTagMutability,
        EcrRule,
        EcrStandardChecks,
        Finding,
        check_template,
    )
    from .standards.fleet.fleet import (
        FleetStack,
        RepositoryFleet,
    )
    from .standards.fleet.placement import (
        ShardMap,
    )
    from .standards.registry_file.loading import (
        LoadedRegistry,
        load_registry,
        load_registry_config,
        parse_registry,
        parse_registry_config,
        resolve_registry,
    )
    from .standards.registry_file.models import (
        RegistryConfig,
    )
    from .standards.registry_file.resolution import (
        ResolvedRepository,
    )

__getattr__ = lazy_exports(
    __name__,
    globals(),
    {
        ".ci": [
            "GitHubActionsPushRole",
        ],
        ".events": [
            "ActionResult",
            "FindingSeverity",
            "NotificationTopic",
            "enhanced_findings_rule",
            "image_archived_rule",
            "image_deleted_rule",
            "image_push_rule",
            "image_restored_rule",
            "pull_through_cache_rule",
            "referrer_action_rule",
            "replication_rule",
            "scan_completed_rule",
            "scan_resource_change_rule",
        ],
        ".public": [
            "PublicRepository",
        ],
        ".registry": [
            "CacheRepositoryTemplate",
            "PullThroughCache",
            "PullThroughCacheCredentials",
            "PullTimeUpdateExclusion",
            "PullTimeUpdateExclusions",
            "RegistryPolicy",
            "RegistryReplication",
            "RegistryScanning",
            "ReplicationDestination",
            "ReplicationRule",
            "RepositoryCreationTemplate",
            "ScanFindingsNotifications",
            "ScanningRule",
            "SigningConfiguration",
            "SigningRule",
            "Upstream",
        ],
        ".registry_rules": [
            "AppliedFor",
            "Architecture",
            "OperatingSystem",
            "RegistryPolicyScope",
            "ScanFrequency",
            "ScanType",
        ],
        ".repository": [
            "Repository",
            "TagMutabilityExclusions",
        ],
        ".standards.compliance.assembly": [
            "check_assembly",
        ],
        ".standards.compliance.plugin": [
            "EcrCompliance",
            "EcrCompliancePlugin",
            "check_app",
            "check_stack",
        ],
        ".standards.compliance.rules": [
            "AcceptedTagMutability",
            "EcrRule",
            "EcrStandardChecks",
            "Finding",
            "check_template",
        ],
        ".standards.registry_file.models": [
            "RegistryConfig",
        ],
        ".standards.fleet.fleet": [
            "FleetStack",
            "RepositoryFleet",
        ],
        ".standards.registry_file.loading": [
            "LoadedRegistry",
            "load_registry",
            "load_registry_config",
            "parse_registry",
            "parse_registry_config",
            "resolve_registry",
        ],
        ".standards.registry_file.resolution": [
            "ResolvedRepository",
        ],
        ".standards.fleet.placement": [
            "ShardMap",
        ],
    },
)

__all__ = [
    "AcceptedTagMutability",
    "AccessGrant",
    "ActionResult",
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
    "FleetStack",
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
    "LoadedRegistry",
    "NotificationTopic",
    "OperatingSystem",
    "PolicyDocumentError",
    "Problem",
    "PublicRepository",
    "PublicRepositoryAccess",
    "PublicRepositoryPolicyDocument",
    "PullThroughCache",
    "PullThroughCacheCredentials",
    "PullTimeUpdateExclusion",
    "PullTimeUpdateExclusions",
    "RegistryAccess",
    "RegistryConfig",
    "RegistryError",
    "RegistryPolicy",
    "RegistryPolicyDocument",
    "RegistryPolicyScope",
    "RegistryReplication",
    "RegistryScanning",
    "ReplicationDestination",
    "ReplicationRule",
    "Repository",
    "RepositoryAccess",
    "RepositoryCreationTemplate",
    "RepositoryFleet",
    "RepositoryPolicyDocument",
    "RepositoryPropsError",
    "RepositorySettings",
    "ResolvedRepository",
    "ScanFindingsNotifications",
    "ScanFrequency",
    "ScanType",
    "ScanningRule",
    "ShardMap",
    "SigningConfiguration",
    "SigningRule",
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
    "image_archived_rule",
    "image_deleted_rule",
    "image_push_rule",
    "image_restored_rule",
    "load_registry",
    "load_registry_config",
    "parse_images",
    "parse_registry",
    "parse_registry_config",
    "pull_through_cache_rule",
    "referrer_action_rule",
    "replication_rule",
    "resolve_registry",
    "scan_completed_rule",
    "scan_resource_change_rule",
    "simulate",
]
