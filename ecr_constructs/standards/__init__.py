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
    from .fleet.fleet import FleetRepository, FleetStack, RepositoryFleet
    from .registry_file.loading import load_registry_config, parse_registry_config
    from .registry_file.models import RegistryConfig
    from .registry_file.resolution import (
        ResolvedCreationTemplate,
        ResolvedRepository,
        ResolvedSettings,
    )

__getattr__ = lazy_exports(
    __name__,
    globals(),
    {
        ".compliance": compliance.__all__,
        ".registry_file.models": ["RegistryConfig"],
        ".registry_file.loading": ["load_registry_config", "parse_registry_config"],
        ".registry_file.resolution": [
            "ResolvedCreationTemplate",
            "ResolvedRepository",
            "ResolvedSettings",
        ],
        ".fleet.fleet": ["FleetRepository", "FleetStack", "RepositoryFleet"],
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
