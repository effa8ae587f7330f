"""Registry-wide constructs: replication, pull-through cache, templates, registry policy."""

from .pull_through_cache import PullThroughCache, PullThroughCacheCredentials, Upstream
from .replication import RegistryReplication, ReplicationDestination, ReplicationRule

__all__ = [
    "PullThroughCache",
    "PullThroughCacheCredentials",
    "RegistryReplication",
    "ReplicationDestination",
    "ReplicationRule",
    "Upstream",
]
