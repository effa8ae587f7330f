"""Registry-wide constructs: replication, pull-through cache, creation templates, registry
policy, scanning."""

from .creation_templates import AppliedFor, RepositoryCreationTemplate
from .pull_through_cache import (
    CacheRepositoryTemplate,
    PullThroughCache,
    PullThroughCacheCredentials,
    Upstream,
)
from .registry_policy import RegistryPolicy
from .replication import RegistryReplication, ReplicationDestination, ReplicationRule
from .scanning import (
    RegistryScanning,
    ScanFindingsNotifications,
    ScanFrequency,
    ScanningRule,
    ScanType,
)

__all__ = [
    "AppliedFor",
    "CacheRepositoryTemplate",
    "PullThroughCache",
    "PullThroughCacheCredentials",
    "RegistryPolicy",
    "RegistryReplication",
    "RegistryScanning",
    "ReplicationDestination",
    "ReplicationRule",
    "RepositoryCreationTemplate",
    "ScanFindingsNotifications",
    "ScanFrequency",
    "ScanType",
    "ScanningRule",
    "Upstream",
]
