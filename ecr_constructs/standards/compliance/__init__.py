"""The compliance check: flag every ECR repository of a CDK app that breaks the standard."""

from .assembly import check_assembly
from .plugin import EcrCompliance, EcrCompliancePlugin, check_app, check_stack
from .rules import (
    DEFAULT_RULE_IDS,
    PLUGIN_NAME,
    RULES,
    EcrRule,
    EcrStandardChecks,
    Finding,
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
