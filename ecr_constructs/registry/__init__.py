"""Registry-wide constructs: replication, pull-through cache, templates, registry policy."""

from .creation_templates import AppliedFor, RepositoryCreationTemplate
from .pull_through_cache import (
    CacheRepositoryTemplate,
    PullThroughCache,
    PullThroughCacheCredentials,
    Upstream,
)
from .registry_policy import RegistryPolicy
from .replication import RegistryReplication, ReplicationDestination, ReplicationRule

__all__ = [
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
]
