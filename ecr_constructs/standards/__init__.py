"""Organisation standards: the registry file (models, loading, resolved repositories), the
fleet that builds it, and the compliance check, whose names (``compliance.__all__``) are
exported here too.

Names load on first use: the registry file's models (pydantic) and the fleet (aws-cdk-lib)
cost nothing to code that uses neither.
"""

from typing import TYPE_CHECKING

from .._lazy import lazy_exports
from . import compliance
from .sharding import ShardMap, shard_map_path

if TYPE_CHECKING:
    from .compliance import *  # noqa: F403
    from .config import RegistryConfig
    from .fleet import FleetRepository, FleetStack, RepositoryFleet
    from .loading import load_registry_config, parse_registry_config
    from .resolution import ResolvedCreationTemplate, ResolvedRepository, ResolvedSettings

__getattr__ = lazy_exports(
    __name__,
    globals(),
    {
        ".compliance": compliance.__all__,
        ".config": ["RegistryConfig"],
        ".loading": ["load_registry_config", "parse_registry_config"],
        ".resolution": ["ResolvedCreationTemplate", "ResolvedRepository", "ResolvedSettings"],
        ".fleet": ["FleetRepository", "FleetStack", "RepositoryFleet"],
    },
)

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
