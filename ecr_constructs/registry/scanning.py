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

import enum
import re
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_cdk import aws_sns as sns
from constructs import Construct

from ..errors import RegistryError, located_at
from ..events import (
    FindingSeverity,
    NotificationTopic,
    check_severity,
    enhanced_findings_rule,
    scan_completed_rule,
)
from ..naming import is_token

FILTER_PATTERN = re.compile(r"[a-z0-9*](?:[._\-/a-z0-9*]?[a-z0-9*]+)*")
FILTER_LENGTH = (1, 255)
MAX_FILTERS_PER_RULE = 100
MAX_RULES = 2
RESOURCE_TYPE = "AWS::ECR::RegistryScanningConfiguration"


class ScanType(enum.Enum):
    """How the registry scans images."""

    BASIC = "BASIC"
    """ECR's own scanner (free): scan on push or on demand."""
    ENHANCED = "ENHANCED"
    """Amazon Inspector: scan on push or continuously, OS and language packages."""


class ScanFrequency(enum.Enum):
    """When a scanning rule scans the repositories it matches."""

    SCAN_ON_PUSH = "SCAN_ON_PUSH"
    CONTINUOUS_SCAN = "CONTINUOUS_SCAN"
    """ENHANCED only: rescan whenever Inspector learns of a new vulnerability."""
    MANUAL = "MANUAL"
    """BASIC only: scanned on request. Recorded, never rendered: BASIC scans every
    repository that no SCAN_ON_PUSH rule matches manually."""


ALLOWED_FREQUENCIES: dict[ScanType, tuple[ScanFrequency, ...]] = {
    ScanType.BASIC: (ScanFrequency.SCAN_ON_PUSH, ScanFrequency.MANUAL),
    ScanType.ENHANCED: (ScanFrequency.SCAN_ON_PUSH, ScanFrequency.CONTINUOUS_SCAN),
}
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


_BY_STACK: weakref.WeakKeyDictionary[cdk.Stack, RegistryScanning] = weakref.WeakKeyDictionary()


class RegistryScanning(Construct):
    """The registry's scanning configuration: one per account and region.

    A second ``RegistryScanning`` in the same stack, or in another stack of the same app
    with the same concrete account and region, is refused. Use :meth:`of` to get the
    stack's configuration (creating it on first use) and :meth:`add_rule` to extend it.

    What is created: one ``AWS::ECR::RegistryScanningConfiguration``. Deleting it reverts the
    registry to BASIC scanning without rules.

    :param scan_type: BASIC (ECR's scanner) or ENHANCED (Amazon Inspector). Default: BASIC.
    :param rules: at most 2 rules, one per frequency; ``[]`` scans no repository
        automatically (manual scans only). Default: one rule scanning every repository
        (``*``): SCAN_ON_PUSH with BASIC, CONTINUOUS_SCAN with ENHANCED. The default rule is
        dropped when a rule is added with :meth:`add_rule`.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        scan_type: ScanType = ScanType.BASIC,
        rules: Sequence[ScanningRule] | None = None,
    ) -> None:
        stack = cdk.Stack.of(scope)
        _refuse_second(stack, scope, construct_id)
        self._scan_type = scan_type
        self._rules: dict[ScanFrequency, list[str]] = {}
        self._default_rule = rules is None
        with located_at(scope, construct_id):
            if not isinstance(scan_type, ScanType):
                raise RegistryError(
                    "scan_type",
                    "scan_type must be a ScanType",
                    given=scan_type,
                    allowed="ScanType.BASIC, ScanType.ENHANCED",
                )
            if rules is None:
                self._rules[DEFAULT_FREQUENCY[scan_type]] = ["*"]
            elif isinstance(rules, ScanningRule) or len(rules) > MAX_RULES:
                raise RegistryError(
                    "rules",
                    f"a registry scanning configuration has at most {MAX_RULES} rules",
                    given=rules if isinstance(rules, ScanningRule) else f"{len(rules)} rules",
                    allowed=f"a list of at most {MAX_RULES} ScanningRule, one per frequency "
                    "(leave rules out for the default)",
                )
            else:
                for index, rule in enumerate(rules):
                    self._add(rule, f"rules[{index}]", merge=False)
            self._check_manual_rules("rules")
        super().__init__(scope, construct_id)
        self.resource = cdk.CfnResource(
            self,
            "Resource",
            type=RESOURCE_TYPE,
            properties={"ScanType": scan_type.value, "Rules": self._render()},
        )
        _BY_STACK[stack] = self

    @classmethod
    def of(
        cls,
        scope: Construct,
        *,
        scan_type: ScanType | None = None,
        rules: Sequence[ScanningRule] = (),
    ) -> RegistryScanning:
        """The scanning configuration of ``scope``'s stack, created on first use.

        ``scan_type`` must agree with an existing configuration's; ``rules`` are merged into
        it as by :meth:`add_rule`. A new one is created with the construct ID
        ``RegistryScanning`` directly under the stack.
        """
        stack = cdk.Stack.of(scope)
        existing = _BY_STACK.get(stack)
        if existing is None:
            existing = cls(stack, "RegistryScanning", scan_type=scan_type or ScanType.BASIC)
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
        with located_at(self):
            self._add(ScanningRule(frequency, filters), "add_rule", merge=True, into=rules)
            self._check_manual_rules("add_rule", rules)
        self._rules = rules
        self._default_rule = False
        self.resource.add_property_override("Rules", self._render())

    def _add(
        self,
        rule: ScanningRule,
        where: str,
        *,
        merge: bool,
        into: dict[ScanFrequency, list[str]] | None = None,
    ) -> None:
        """Validate ``rule`` and add it to ``into`` (default: this configuration's rules)."""
        rules = self._rules if into is None else into
        if not isinstance(rule, ScanningRule):
            raise RegistryError(
                where, "a rule must be a ScanningRule", given=rule, allowed="ScanningRule(...)"
            )
        allowed = ALLOWED_FREQUENCIES[self._scan_type]
        if rule.frequency not in allowed:
            raise RegistryError(
                f"{where}.frequency",
                f"{self._scan_type.value} scanning does not support this frequency",
                given=str(rule.frequency),
                allowed=", ".join(f"ScanFrequency.{f.name}" for f in allowed),
            )
        if rule.frequency in rules and not merge:
            raise RegistryError(
                f"{where}.frequency",
                "two rules with the same frequency: give one rule per frequency",
                given=str(rule.frequency),
                allowed="one rule per frequency (put all its filters in that rule)",
            )
        filters = _check_filters(rule.filters, f"{where}.filters")
        merged = list(dict.fromkeys([*rules.get(rule.frequency, []), *filters]))
        if len(merged) > MAX_FILTERS_PER_RULE:
            raise RegistryError(
                f"{where}.filters",
                "a scanning rule has too many repository filters",
                given=f"{len(merged)} filters",
                allowed=f"at most {MAX_FILTERS_PER_RULE} filters per rule",
            )
        rules[rule.frequency] = merged

    def _check_manual_rules(
        self, where: str, rules: dict[ScanFrequency, list[str]] | None = None
    ) -> None:
        rules = self._rules if rules is None else rules
        for manual in rules.get(ScanFrequency.MANUAL, []):
            for on_push in rules.get(ScanFrequency.SCAN_ON_PUSH, []):
                if _wildcards_overlap(manual, on_push):
                    raise RegistryError(
                        where,
                        "a MANUAL filter overlaps a SCAN_ON_PUSH filter; BASIC scans a "
                        "repository on push whenever a SCAN_ON_PUSH filter matches it, so "
                        "the MANUAL rule could not take effect",
                        given={"MANUAL": manual, "SCAN_ON_PUSH": on_push},
                        allowed="SCAN_ON_PUSH filters that match none of the MANUAL repositories",
                    )

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
    """Notify an SNS topic of scan findings at or above a severity, registry-wide.

    What is created: for BASIC scanning, a rule on completed ``ECR Image Scan`` events with
    a finding at or above ``severity``; for ENHANCED scanning, a rule on active Amazon
    Inspector findings on ECR images at or above ``severity``; both target ``topic``
    (given, or a new :class:`~ecr_constructs.events.NotificationTopic`: KMS-encrypted,
    TLS-only), with permission for EventBridge to publish.

    :param severity: the lowest severity to notify. Default: HIGH (HIGH and CRITICAL).
    :param topic: the topic to notify. Default: a new encrypted topic, ``.topic``.
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
        topic: sns.ITopic | None = None,
        scan_types: Sequence[ScanType] = (ScanType.BASIC, ScanType.ENHANCED),
        repository_names: Sequence[str] | None = None,
    ) -> None:
        chosen = list(scan_types) if not isinstance(scan_types, ScanType) else [scan_types]
        with located_at(scope, construct_id):
            check_severity(severity, optional=False)
            if not chosen or any(not isinstance(t, ScanType) for t in chosen):
                raise RegistryError(
                    "scan_types",
                    "scan_types must be a non-empty list of ScanType",
                    given=scan_types,
                    allowed="[ScanType.BASIC], [ScanType.ENHANCED] or both",
                )
        super().__init__(scope, construct_id)
        self.topic: sns.ITopic = topic or NotificationTopic(self, "Topic").topic
        self.basic_rule: events.Rule | None = None
        self.enhanced_rule: events.Rule | None = None
        if ScanType.BASIC in chosen:
            self.basic_rule = scan_completed_rule(
                self,
                "BasicScanFindings",
                repository_names=repository_names,
                severity=severity,
                topic=self.topic,
            )
        if ScanType.ENHANCED in chosen:
            self.enhanced_rule = enhanced_findings_rule(
                self,
                "EnhancedScanFindings",
                repository_names=repository_names,
                severity=severity,
                topic=self.topic,
            )


def _refuse_second(stack: cdk.Stack, scope: Construct, construct_id: str) -> None:
    existing = _BY_STACK.get(stack)
    if existing is not None:
        raise RegistryError(
            f"{scope.node.path}/{construct_id}",
            "this stack already has the registry's scanning configuration (one per account "
            "and region)",
            given=f"a second RegistryScanning next to {existing.node.path}",
            allowed="one RegistryScanning: get it with RegistryScanning.of(stack) and extend "
            "it with add_rule()",
        )
    if is_token(stack.account) or is_token(stack.region):
        return
    for other_stack, other in _BY_STACK.items():
        if (
            other_stack.node.root is stack.node.root
            and other_stack.account == stack.account
            and other_stack.region == stack.region
        ):
            raise RegistryError(
                f"{scope.node.path}/{construct_id}",
                "another stack already configures scanning for this account and region; "
                "the two would overwrite each other at deploy",
                given=f"{stack.account}/{stack.region}, already configured by {other.node.path}",
                allowed="one RegistryScanning per account and region",
            )


def _check_filters(filters: object, where: str) -> list[str]:
    if isinstance(filters, str) or not isinstance(filters, Sequence) or not filters:
        raise RegistryError(
            where,
            "a scanning rule needs a non-empty list of repository filters",
            given=filters,
            allowed='a list such as ["*"] (every repository) or ["prod-*", "team-a/*"]',
        )
    low, high = FILTER_LENGTH
    for index, value in enumerate(filters):
        if is_token(value):
            continue
        if (
            not isinstance(value, str)
            or not low <= len(value) <= high
            or not FILTER_PATTERN.fullmatch(value)
        ):
            raise RegistryError(
                f"{where}[{index}]",
                "not a valid WILDCARD repository filter",
                given=value,
                allowed=f"{low}..{high} of lowercase letters, digits, * and . _ - / between "
                "them (for example prod-*, team-a/*, *)",
            )
    return list(filters)


def _wildcards_overlap(first: str, second: str) -> bool:
    """Whether some repository name matches both wildcard filters (``*``: any characters)."""
    todo = [(0, 0)]
    seen: set[tuple[int, int]] = set()
    while todo:
        i, j = todo.pop()
        if (i, j) in seen:
            continue
        seen.add((i, j))
        if i == len(first) and j == len(second):
            return True
        if i < len(first) and first[i] == "*":
            todo.append((i + 1, j))
            if j < len(second):
                todo.append((i, j + 1))
        if j < len(second) and second[j] == "*":
            todo.append((i, j + 1))
            if i < len(first):
                todo.append((i + 1, j))
        if i < len(first) and j < len(second) and first[i] == second[j] != "*":
            todo.append((i + 1, j + 1))
    return False
