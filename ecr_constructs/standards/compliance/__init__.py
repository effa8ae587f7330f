"""The compliance check: flag every ECR repository of a CDK app that breaks the standard."""

from typing import TYPE_CHECKING

from ..._lazy import lazy_exports
from .assembly import check_assembly
from .rules import (
    DEFAULT_RULE_IDS,
    PLUGIN_NAME,
    RULES,
    AcceptedTagMutability,
    EcrRule,
    EcrStandardChecks,
    Finding,
    check_template,
)

if TYPE_CHECKING:
    from .plugin import EcrCompliance, EcrCompliancePlugin, check_app, check_stack

__getattr__ = lazy_exports(
    __name__,
    globals(),
    {".plugin": ["EcrCompliance", "EcrCompliancePlugin", "check_app", "check_stack"]},
)

__all__ = [
    "DEFAULT_RULE_IDS",
    "PLUGIN_NAME",
    "RULES",
    "AcceptedTagMutability",
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
