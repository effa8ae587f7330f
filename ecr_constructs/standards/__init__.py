"""Organisation standards: the compliance check."""

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

__all__ = [
    "DEFAULT_RULE_IDS",
    "PLUGIN_NAME",
    "RULES",
    "EcrCompliance",
    "EcrCompliancePlugin",
    "EcrRule",
    "EcrStandardChecks",
    "Finding",
    "check_app",
    "check_assembly",
    "check_stack",
    "check_template",
]
