"""Organisation standards: the registry file (models, loading, resolved repositories), the
fleet that builds it, and the compliance check, whose names (``compliance.__all__``) are
exported here too."""

from typing import TYPE_CHECKING, Any

from . import compliance
from .config import RegistryConfig
from .loading import load_registry_config, parse_registry_config
from .resolution import ResolvedCreationTemplate, ResolvedRepository, ResolvedSettings
from .sharding import ShardMap, shard_map_path

if TYPE_CHECKING:
    from .fleet import FleetRepository, FleetStack, RepositoryFleet

_FLEET = ("FleetRepository", "FleetStack", "RepositoryFleet")


def __getattr__(name: str) -> Any:
    """A name of the compliance check or the fleet (those that import aws-cdk-lib load on
    first use)."""
    if name in compliance.__all__:
        return getattr(compliance, name)
    if name in _FLEET:
        from . import fleet

        return getattr(fleet, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "FleetRepository",
    "FleetStack",
    "RegistryConfig",
    "RepositoryFleet",
    "ResolvedCreationTemplate",
    "ResolvedRepository",
    "ResolvedSettings",
    "ShardMap",
    "load_registry_config",
    "parse_registry_config",
    "shard_map_path",
    *compliance.__all__,
]
