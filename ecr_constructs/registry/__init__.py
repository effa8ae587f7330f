"""Registry-wide constructs: replication, pull-through cache, creation templates, registry policy."""

from .replication import RegistryReplication, ReplicationDestination, ReplicationRule

__all__ = ["RegistryReplication", "ReplicationDestination", "ReplicationRule"]
