"""Registry-wide constructs: replication, pull-through cache, creation templates, registry
policy, scanning, managed signing, pull-time update exclusions.

The constructs import aws-cdk-lib on first use; ``registry_rules`` (the registry's limits and
syntax, shared with the registry file loader) is pure Python.
"""

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from ..registry_rules import AppliedFor, RegistryPolicyScope, ScanFrequency, ScanType
    from .creation_templates import RepositoryCreationTemplate
    from .pull_through_cache import (
        CacheRepositoryTemplate,
        PullThroughCache,
        PullThroughCacheCredentials,
        Upstream,
    )
    from .pull_time_exclusions import PullTimeUpdateExclusion, PullTimeUpdateExclusions
    from .registry_policy import RegistryPolicy
    from .replication import RegistryReplication, ReplicationDestination, ReplicationRule
    from .scanning import (
        RegistryScanning,
        ScanFindingsNotifications,
        ScanningRule,
    )
    from .signing import SigningConfiguration, SigningRule

__getattr__ = lazy_exports(
    __name__,
    globals(),
    {
        ".creation_templates": ["RepositoryCreationTemplate"],
        ".pull_through_cache": [
            "CacheRepositoryTemplate",
            "PullThroughCache",
            "PullThroughCacheCredentials",
            "Upstream",
        ],
        ".pull_time_exclusions": ["PullTimeUpdateExclusion", "PullTimeUpdateExclusions"],
        ".registry_policy": ["RegistryPolicy"],
        "..registry_rules": ["AppliedFor", "RegistryPolicyScope", "ScanFrequency", "ScanType"],
        ".replication": ["RegistryReplication", "ReplicationDestination", "ReplicationRule"],
        ".scanning": [
            "RegistryScanning",
            "ScanFindingsNotifications",
            "ScanningRule",
        ],
        ".signing": ["SigningConfiguration", "SigningRule"],
    },
)

__all__ = [
    "AppliedFor",
    "CacheRepositoryTemplate",
    "PullThroughCache",
    "PullThroughCacheCredentials",
    "PullTimeUpdateExclusion",
    "PullTimeUpdateExclusions",
    "RegistryPolicy",
    "RegistryPolicyScope",
    "RegistryReplication",
    "RegistryScanning",
    "ReplicationDestination",
    "ReplicationRule",
    "RepositoryCreationTemplate",
    "ScanFindingsNotifications",
    "ScanFrequency",
    "ScanType",
    "ScanningRule",
    "SigningConfiguration",
    "SigningRule",
    "Upstream",
]
