"""Registry-wide image scanning (``AWS::ECR::RegistryScanningConfiguration``) and notifications.

ECR facts encoded here (ECR API Reference: PutRegistryScanningConfiguration,
RegistryScanningRule, ScanningRepositoryFilter; CloudFormation resource schema):

- one scanning configuration per account and region; scan type BASIC or ENHANCED
  (ENHANCED is Amazon Inspector, billed by Inspector);
- at most 2 rules, each with at most 100 WILDCARD filters of 1..255 characters matching
  ``[a-z0-9*](?:[._\\-/a-z0-9*]?[a-z0-9*]+)*``;
- ENHANCED supports SCAN_ON_PUSH and CONTINUOUS_SCAN; BASIC supports SCAN_ON_PUSH, and every
  repository no SCAN_ON_PUSH rule matches is scanned MANUALly. CloudFormation accepts only
  SCAN_ON_PUSH and CONTINUOUS_SCAN, so a MANUAL rule is recorded here but not rendered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_cdk import aws_sns as sns
from constructs import Construct, IConstruct

from ..errors import Problem, RegistryError, located_at
from ..events import (
    FindingSeverity,
    NotificationTopic,
    check_severity,
    enhanced_findings_rule,
    rule_targets,
    scan_completed_rule,
)
from ..registry_rules import (
    SCAN_FILTER,
    SCAN_FILTERS,
    SCANNING_RULES,
    ScanFrequency,
    ScanType,
    frequency_problems,
    manual_overlap_problems,
    raise_problems,
    scanning_rules_problems,
    under,
)
from ._registry import RegistrySingleton

RESOURCE_TYPE = "AWS::ECR::RegistryScanningConfiguration"


DEFAULT_FREQUENCY: dict[ScanType, ScanFrequency] = {
    ScanType.BASIC: ScanFrequency.SCAN_ON_PUSH,
    ScanType.ENHANCED: ScanFrequency.CONTINUOUS_SCAN,
}


@dataclass(frozen=True)
class ScanningRule:
    """Scan the repositories matching any of ``filters`` at ``frequency``.

    ``filters`` are WILDCARD repository filters (``*`` matches any run of characters).
    Default: ``("*",)``, every repository.
    """

    frequency: ScanFrequency
    filters: Sequence[str] = field(default=("*",))

    def __post_init__(self) -> None:
        if not isinstance(self.filters, str):
            object.__setattr__(self, "filters", tuple(self.filters))


class RegistryScanning(RegistrySingleton):
    """The registry's scanning configuration: one per account and region.

    A second ``RegistryScanning`` in the same stack, or in another stack of the same app
    with the same concrete account and region, is refused. Use :meth:`of` to get the
    registry's configuration (creating it on first use) and :meth:`add_rule` to extend it.

    What is created: one ``AWS::ECR::RegistryScanningConfiguration``. Deleting it reverts the
    registry to BASIC scanning without rules.

    :param scan_type: BASIC (ECR's scanner) or ENHANCED (Amazon Inspector). Default: BASIC.
    :param rules: at most 2 rules, one per frequency; ``[]`` scans no repository
        automatically (manual scans only). Default: one rule scanning every repository
        (``*``): SCAN_ON_PUSH with BASIC, CONTINUOUS_SCAN with ENHANCED. The default rule is
        dropped when a rule is added with :meth:`add_rule`.
    """

    KIND = "RegistryScanning"

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        scan_type: ScanType = ScanType.BASIC,
        rules: Sequence[ScanningRule] | None = None,
    ) -> None:
        self._scan_type = scan_type
        self._default_rule = rules is None
        with located_at(scope, construct_id):
            if not isinstance(scan_type, ScanType):
                raise RegistryError(
                    "scan_type",
                    "scan_type must be a ScanType",
                    given=scan_type,
                    allowed="ScanType.BASIC, ScanType.ENHANCED",
                )
            self._rules = (
                {DEFAULT_FREQUENCY[scan_type]: ["*"]}
                if rules is None
                else _checked_rules(scan_type, rules)
            )
        super().__init__(scope, construct_id)
        self.resource = cdk.CfnResource(
            self,
            "Resource",
            type=RESOURCE_TYPE,
            properties={"ScanType": scan_type.value, "Rules": self._render()},
        )

    @classmethod
    def of(
        cls,
        scope: IConstruct,
        *,
        scan_type: ScanType | None = None,
        rules: Sequence[ScanningRule] = (),
    ) -> RegistryScanning:
        """The scanning configuration of ``scope``'s registry, created on first use.

        ``scan_type`` must agree with an existing configuration's; ``rules`` are merged into
        it as by :meth:`add_rule`. A new one is created with the construct ID
        ``RegistryScanning`` directly under the stack.
        """
        existing = cls._existing(scope)
        if existing is None:
            stack = cdk.Stack.of(scope)
            existing = cls(stack, cls.KIND, scan_type=scan_type or ScanType.BASIC)
        elif scan_type is not None and scan_type is not existing.scan_type:
            raise RegistryError(
                existing.node.path,
                "this registry's scanning configuration already has another scan type",
                given=str(scan_type),
                allowed=f"{existing.scan_type} (a registry has one scan type)",
            )
        for rule in rules:
            existing.add_rule(rule.frequency, rule.filters)
        return existing

    @property
    def scan_type(self) -> ScanType:
        return self._scan_type

    @property
    def rules(self) -> tuple[ScanningRule, ...]:
        """The rules as configured, MANUAL included."""
        return tuple(ScanningRule(f, tuple(filters)) for f, filters in self._rules.items())

    def add_rule(self, frequency: ScanFrequency, filters: Sequence[str] = ("*",)) -> None:
        """Scan the repositories matching ``filters`` at ``frequency``.

        Filters are merged into the rule with the same frequency, if there is one.
        Adding a rule drops the default rule.
        """
        rules = dict(self._rules) if not self._default_rule else {}
        rule = ScanningRule(frequency, filters)
        with located_at(self):
            problems = _rule_problems(rule)
            if not problems:
                merged = list(dict.fromkeys([*rules.get(rule.frequency, []), *rule.filters]))
                rules[rule.frequency] = merged
                problems = (
                    under("frequency", frequency_problems(self._scan_type.value, frequency.value))
                    + SCAN_FILTERS.problems(len(merged), "filters")
                    + manual_overlap_problems({f.value: v for f, v in rules.items()})
                )
            raise_problems(under("add_rule", problems), "")
        self._rules = rules
        self._default_rule = False
        self.resource.add_property_override("Rules", self._render())

    def _render(self) -> list[dict[str, object]]:
        return [
            {
                "ScanFrequency": frequency.value,
                "RepositoryFilters": [{"Filter": f, "FilterType": "WILDCARD"} for f in filters],
            }
            for frequency, filters in self._rules.items()
            if frequency is not ScanFrequency.MANUAL
        ]


class ScanFindingsNotifications(Construct):
    """Notify of scan findings at or above a severity, registry-wide.

    What is created: for BASIC scanning, a rule on completed ``ECR Image Scan`` events with
    a finding at or above ``severity``; for ENHANCED scanning, a rule on active Amazon
    Inspector findings on ECR images at or above ``severity``. Both trigger ``target``, or
    notify ``topic``: given, or a new :class:`~ecr_constructs.events.NotificationTopic`
    (KMS-encrypted, TLS-only) that EventBridge may publish to from this account's rules only.

    :param severity: the lowest severity to notify. Default: HIGH (HIGH and CRITICAL).
    :param target: what the rules trigger (any ``aws_events.IRuleTarget``), instead of a
        topic. Default: none.
    :param topic: the topic to notify. Default: a new encrypted topic, ``.topic``, unless
        ``target`` is given.
    :param scan_types: which scanners' results to notify. Default: both, so the
        notifications keep working when the registry switches between BASIC and ENHANCED.
    :param repository_names: only these repositories. Default: every repository.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        severity: FindingSeverity = FindingSeverity.HIGH,
        target: events.IRuleTarget | None = None,
        topic: sns.ITopic | None = None,
        scan_types: Sequence[ScanType] = (ScanType.BASIC, ScanType.ENHANCED),
        repository_names: Sequence[str] | None = None,
    ) -> None:
        chosen = list(scan_types) if not isinstance(scan_types, ScanType) else [scan_types]
        with located_at(scope, construct_id):
            check_severity(severity)
            rule_targets(target, topic)
            if not chosen or any(not isinstance(t, ScanType) for t in chosen):
                raise RegistryError(
                    "scan_types",
                    "scan_types must be a non-empty list of ScanType",
                    given=scan_types,
                    allowed="[ScanType.BASIC], [ScanType.ENHANCED] or both",
                )
        super().__init__(scope, construct_id)
        self.topic: sns.ITopic | None = topic
        """The topic notified; None when ``target`` is given."""
        if target is None and topic is None:
            self.topic = NotificationTopic(self, "Topic").topic
        self.basic_rule: events.Rule | None = None
        self.enhanced_rule: events.Rule | None = None
        if ScanType.BASIC in chosen:
            self.basic_rule = scan_completed_rule(
                self,
                "BasicScanFindings",
                repository_names=repository_names,
                severity=severity,
                target=target,
                topic=self.topic,
            )
        if ScanType.ENHANCED in chosen:
            self.enhanced_rule = enhanced_findings_rule(
                self,
                "EnhancedScanFindings",
                repository_names=repository_names,
                severity=severity,
                target=target,
                topic=self.topic,
            )


def _checked_rules(
    scan_type: ScanType, rules: Sequence[ScanningRule]
) -> dict[ScanFrequency, list[str]]:
    """The filters of each rule's frequency; ``RegistryError`` with every problem."""
    if isinstance(rules, ScanningRule | str) or not isinstance(rules, Sequence):
        raise RegistryError(
            "rules",
            "rules is a list of ScanningRule",
            given=rules,
            allowed=f"a list of at most {SCANNING_RULES.high} ScanningRule, one per frequency "
            "(leave rules out for the default)",
        )
    problems = under("rules", SCANNING_RULES.problems(len(rules)))
    for index, rule in enumerate(rules):
        found = _rule_problems(rule)
        if not found:
            found = SCAN_FILTERS.problems(len(set(rule.filters)), "filters")
        problems += under(f"rules[{index}]", found)
    if not problems:
        frequencies = [(rule.frequency.value, rule.filters) for rule in rules]
        problems = under("rules", scanning_rules_problems(scan_type.value, frequencies))
    raise_problems(problems, "")
    return {rule.frequency: list(dict.fromkeys(rule.filters)) for rule in rules}


def _rule_problems(rule: object) -> list[Problem]:
    """What is wrong with one rule on its own (its filters not counted)."""
    if not isinstance(rule, ScanningRule):
        return [
            Problem("", "a rule must be a ScanningRule", given=rule, allowed="ScanningRule(...)")
        ]
    problems = []
    if not isinstance(rule.frequency, ScanFrequency):
        problems.append(
            Problem(
                "frequency",
                "frequency must be a ScanFrequency",
                given=rule.frequency,
                allowed=", ".join(f"ScanFrequency.{f.name}" for f in ScanFrequency),
            )
        )
    filters = rule.filters
    if isinstance(filters, str) or not isinstance(filters, Sequence):
        problems.append(
            Problem(
                "filters",
                "a scanning rule needs a list of repository filters",
                given=filters,
                allowed='a list such as ["*"] (every repository) or ["prod-*", "team-a/*"]',
            )
        )
    else:
        for index, value in enumerate(filters):
            problems += SCAN_FILTER.problems(value, f"filters[{index}]")
    return problems
