"""Organisation standards: the registry file (models, loading, resolved repositories), the
fleet that builds it, and the compliance check, whose names (``compliance.__all__``) are
exported here too.

Names load on first use: the registry file's models (pydantic) and the fleet (aws-cdk-lib)
cost nothing to code that uses neither.
"""

from typing import TYPE_CHECKING

from .._lazy import lazy_exports
from . import compliance
from .fleet.placement import ShardMap, shard_map_path

if TYPE_CHECKING:
    from .compliance import *  # noqa: F403
    from .fleet.fleet import FleetStack, RepositoryFleet
    from .fleet.rollout import RegistryRollout, RolloutPlan, RolloutStackSet, RolloutTarget
    from .fleet.shard_map_file import ShardMapBusyError, ShardMapFile
    from .registry_file.loading import (
        LoadedRegistry,
        load_registry,
        load_registry_config,
        parse_registry,
        parse_registry_config,
        resolve_registry,
    )
    from .registry_file.models import RegistryConfig
    from .registry_file.resolution import (
        ResolvedCreationTemplate,
        ResolvedRepository,
    )

__getattr__ = lazy_exports(
    __name__,
    globals(),
    {
        ".compliance": compliance.__all__,
        ".registry_file.models": ["RegistryConfig"],
        ".registry_file.loading": [
            "LoadedRegistry",
            "load_registry",
            "LoadedRegistry",
            "load_registry",
            "load_registry_config",
            "parse_registry",
            "resolve_registry",
            "parse_registry",
            "parse_registry_config",
            "resolve_registry",
        ],
        ".registry_file.resolution": [
            "ResolvedCreationTemplate",
            "ResolvedRepository",
        ],
        ".fleet.fleet": ["FleetStack", "RepositoryFleet"],
        ".fleet.rollout": ["RegistryRollout", "RolloutPlan", "RolloutStackSet", "RolloutTarget"],
        ".fleet.shard_map_file": ["ShardMapBusyError", "ShardMapFile"],
    },
)

__all__ = [
    "FleetStack",
    "LoadedRegistry",
    "RegistryConfig",
    "RegistryRollout",
    "RepositoryFleet",
    "ResolvedCreationTemplate",
    "ResolvedRepository",
    "RolloutPlan",
    "RolloutStackSet",
    "RolloutTarget",
    "ShardMap",
    "ShardMapBusyError",
    "ShardMapFile",
    "load_registry",
    "load_registry_config",
    "parse_registry",
    "parse_registry_config",
    "resolve_registry",
    "shard_map_path",
    *compliance.__all__,
]
