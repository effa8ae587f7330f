"""Organisation standards: the registry file (models, loading, resolved repositories) and
the compliance check."""

from typing import TYPE_CHECKING

from .._lazy import lazy_exports
from .compliance.assembly import check_assembly
from .compliance.rules import (
    DEFAULT_RULE_IDS,
    PLUGIN_NAME,
    RULES,
    EcrRule,
    EcrStandardChecks,
    Finding,
    check_template,
)
from .config import RegistryConfig
from .loading import load_registry_config, parse_registry_config
from .resolution import ResolvedCreationTemplate, ResolvedRepository, ResolvedSettings
from .sharding import ShardMap, shard_map_path

if TYPE_CHECKING:
    from .compliance.plugin import EcrCompliance, EcrCompliancePlugin, check_app, check_stack
    from .fleet import FleetRepository, FleetStack, RepositoryFleet

__getattr__ = lazy_exports(
    __name__,
    globals(),
    {
        ".compliance.plugin": ["EcrCompliance", "EcrCompliancePlugin", "check_app", "check_stack"],
        ".fleet": ["FleetRepository", "FleetStack", "RepositoryFleet"],
    },
)

__all__ = [
    "DEFAULT_RULE_IDS",
    "PLUGIN_NAME",
    "RULES",
    "EcrCompliance",
    "EcrCompliancePlugin",
    "EcrRule",
    "EcrStandardChecks",
    "Finding",
    "FleetRepository",
    "FleetStack",
    "RegistryConfig",
    "RepositoryFleet",
    "ResolvedCreationTemplate",
    "ResolvedRepository",
    "ResolvedSettings",
    "ShardMap",
    "check_app",
    "check_assembly",
    "check_stack",
    "check_template",
    "load_registry_config",
    "parse_registry_config",
    "shard_map_path",
]
