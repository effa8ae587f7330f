"""Organisation standards: the registry file (models, loading, resolved repositories), the
fleet that builds it, and the compliance check, whose names (``compliance.__all__``) are
exported here too.

Names load on first use: the registry file's models (pydantic) and the fleet (aws-cdk-lib)
cost nothing to code that uses neither.
"""

import importlib
from typing import TYPE_CHECKING, Any

from . import compliance
from .sharding import ShardMap, shard_map_path

if TYPE_CHECKING:
    from .config import RegistryConfig
    from .fleet import FleetRepository, FleetStack, RepositoryFleet
    from .loading import load_registry_config, parse_registry_config
    from .resolution import ResolvedCreationTemplate, ResolvedRepository, ResolvedSettings

_MODULES = {
    "RegistryConfig": ".config",
    "load_registry_config": ".loading",
    "parse_registry_config": ".loading",
    "ResolvedCreationTemplate": ".resolution",
    "ResolvedRepository": ".resolution",
    "ResolvedSettings": ".resolution",
    "FleetRepository": ".fleet",
    "FleetStack": ".fleet",
    "RepositoryFleet": ".fleet",
}


def __getattr__(name: str) -> Any:
    """A name of the registry file, the fleet or the compliance check, loaded on first use."""
    if name in compliance.__all__:
        return getattr(compliance, name)
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


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
