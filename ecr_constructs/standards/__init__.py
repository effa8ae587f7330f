"""Organisation standards: the registry file (models, loading, resolved repositories) and
the compliance check."""

from .compliance import (
    DEFAULT_RULE_IDS,
    PLUGIN_NAME,
    RULES,
    EcrCompliance,
    EcrCompliancePlugin,
    EcrRule,
    EcrStandardChecks,
    Finding,
    check_app,
    check_assembly,
    check_stack,
    check_template,
)
from .config import RegistryConfig
from .loading import load_registry_config, parse_registry_config
from .resolution import ResolvedCreationTemplate, ResolvedRepository, ResolvedSettings

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
