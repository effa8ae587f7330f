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

if TYPE_CHECKING:
    from .compliance.plugin import EcrCompliance, EcrCompliancePlugin, check_app, check_stack

__getattr__ = lazy_exports(
    __name__,
    globals(),
    {".compliance.plugin": ["EcrCompliance", "EcrCompliancePlugin", "check_app", "check_stack"]},
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
    "RegistryConfig",
    "ResolvedCreationTemplate",
    "ResolvedRepository",
    "ResolvedSettings",
    "check_app",
    "check_assembly",
    "check_stack",
    "check_template",
    "load_registry_config",
    "parse_registry_config",
]
