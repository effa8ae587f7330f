"""The compliance check in a CDK app: a policy-validation plugin, acknowledgements, checks."""

from __future__ import annotations

import importlib.metadata
from collections.abc import Iterable, Iterator
from pathlib import Path

import aws_cdk as cdk
import jsii
from constructs import IConstruct

from ...errors import ComplianceError
from .assembly import (
    ACKNOWLEDGED_RULES,
    Acknowledgements,
    assembly_findings,
    stack_findings,
    stack_of_template,
)
from .rules import PLUGIN_NAME, RULES, EcrStandardChecks, Finding, acknowledgement_id


def _package_version() -> str | None:
    try:
        return importlib.metadata.version("ecr-constructs")
    except importlib.metadata.PackageNotFoundError:
        return None


@jsii.implements(cdk.IPolicyValidationPlugin)
class EcrCompliancePlugin:
    """Flags every ``AWS::ECR::Repository`` of the app that breaks the pack's rules.

    Add it with ``Validations.of(app).add_plugins(EcrCompliancePlugin())``: synthesis then
    fails on any finding, prints each violating construct path with its rule, and writes
    ``<outdir>/validation-report.json``. Acknowledge a finding on a construct (or any of
    its scopes) with ``EcrCompliance.acknowledge(construct, rule_id, reason)``.

    :param checks: the rules to run. Default: ``EcrStandardChecks()``.
    """

    def __init__(self, *, checks: EcrStandardChecks | None = None) -> None:
        self._checks = checks or EcrStandardChecks()

    @property
    def name(self) -> str:
        """``EcrCompliance``: acknowledgement IDs are ``EcrCompliance::<rule ID>``."""
        return PLUGIN_NAME

    @property
    def version(self) -> str | None:
        """The installed ecr-constructs version (unknown when run from a source tree)."""
        return _package_version()

    @property
    def rule_ids(self) -> list[str]:
        """The IDs of the rules the pack runs."""
        return self._checks.rule_ids

    def validate(self, context: cdk.IPolicyValidationContext) -> cdk.PolicyValidationPluginReport:
        """Check every template CDK hands over, and the templates of their nested stacks."""
        grouped: dict[tuple[str, str], list[cdk.PolicyViolatingResource]] = {}
        for stack_template in context.template_paths:
            stack = stack_of_template(Path(stack_template))
            for path, finding in stack_findings(stack, self._checks):
                grouped.setdefault((finding.rule_id, finding.message), []).append(
                    cdk.PolicyViolatingResource(
                        resource_logical_id=finding.logical_id,
                        template_path=str(path),
                        locations=[RULES[finding.rule_id].location],
                    )
                )
        violations = [
            cdk.PolicyViolation(
                rule_name=rule_id,
                description=f"[{rule_id}] {message}",
                fix=RULES[rule_id].fix,
                severity="error",
                rule_metadata=_rule_metadata(rule_id),
                violating_resources=resources,
            )
            for (rule_id, message), resources in grouped.items()
        ]
        return cdk.PolicyValidationPluginReport(success=not violations, violations=violations)


def _rule_metadata(rule_id: str) -> dict[str, str]:
    rule = RULES[rule_id]
    metadata = {}
    if rule.security_hub:
        metadata["securityHubControl"] = rule.security_hub
    if rule.checkov:
        metadata["checkov"] = rule.checkov
    return metadata


class EcrCompliance:
    """Acknowledgements of the compliance check."""

    @staticmethod
    def acknowledge(construct: IConstruct, rule_id: str, reason: str) -> None:
        """Accept that ``construct`` and everything under it break ``rule_id``, and say why.

        Recorded as a CDK acknowledgement (``EcrCompliance::<rule ID>``), which the plugin's
        report lists as suppressed with the reason, and which ``check_app``,
        ``check_stack`` and ``check_assembly`` honour.
        """
        where = construct.node.path or "App"
        if rule_id not in RULES:
            raise ComplianceError(
                where,
                "unknown compliance rule to acknowledge",
                given=rule_id,
                allowed=", ".join(RULES),
            )
        if not isinstance(reason, str) or not reason.strip():
            raise ComplianceError(
                where,
                f"acknowledging {rule_id} needs a reason",
                given=reason,
                allowed="a non-empty explanation of why the repository may break the rule",
            )
        cdk.Validations.of(construct).acknowledge(
            cdk.Acknowledgment(id=acknowledgement_id(rule_id), reason=reason)
        )


def _stages(stage: cdk.Stage) -> Iterator[cdk.Stage]:
    yield stage
    for child in stage.node.children:
        if isinstance(child, cdk.Stage):
            yield from _stages(child)


def _acknowledgements_on(scopes: Iterable[IConstruct]) -> Acknowledgements:
    found: Acknowledgements = {}
    for scope in scopes:
        for entry in scope.node.metadata:
            if entry.type == ACKNOWLEDGED_RULES and isinstance(entry.data, dict):
                found.setdefault(scope.node.path, {}).update(entry.data)
    return found


def check_app(app: cdk.Stage, *, checks: EcrStandardChecks | None = None) -> list[Finding]:
    """Check every stack of an App (or Stage), nested Stages and nested stacks included.

    The app is synthesized the way ``Template.from_stack`` does it (once: later calls reuse
    the assembly), into its outdir, a temporary directory outside the CDK CLI. Nothing is
    raised for findings and no report is written. Don't add ``EcrCompliancePlugin`` to the
    same app: its findings would make that synthesis fail.

    :param checks: the rules to run. Default: ``EcrStandardChecks()``.
    :returns: the unacknowledged findings, [] when every repository complies.
    """
    assembly = app.synth()
    return assembly_findings(
        Path(assembly.directory),
        checks or EcrStandardChecks(),
        outer_acknowledgements=_acknowledgements_on(_stages(app)),
    )


def check_stack(stack: cdk.Stack, *, checks: EcrStandardChecks | None = None) -> list[Finding]:
    """Check one stack (or nested stack), with the stacks nested in it, like ``check_app``.

    Synthesizes the stack's Stage the way ``Template.from_stack`` does it.

    :param checks: the rules to run. Default: ``EcrStandardChecks()``.
    """
    stage = cdk.Stage.of(stack)
    assert stage is not None, "CDK puts every stack in a Stage or App"
    outer = [scope for scope in stack.node.scopes if isinstance(scope, cdk.Stage)]
    return assembly_findings(
        Path(stage.synth().directory),
        checks or EcrStandardChecks(),
        outer_acknowledgements=_acknowledgements_on(outer),
        recursive=False,
        within=stack.node.path,
    )
