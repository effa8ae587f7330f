"""RegistryScanning and ScanFindingsNotifications: defaults, rules, singleton, notifications."""

from __future__ import annotations

import fnmatch
import itertools
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Template
from hypothesis import given, settings
from hypothesis import strategies as st

from ecr_constructs.errors import EcrConstructsError, RegistryError
from ecr_constructs.events import FindingSeverity
from ecr_constructs.registry import (
    RegistryScanning,
    ScanFindingsNotifications,
    ScanFrequency,
    ScanningRule,
    ScanType,
)
from ecr_constructs.registry_rules import APPLIED_FOR, SCAN_FREQUENCIES
from ecr_constructs.standards.registry_file.schema import registry_json_schema

from .gates import (
    ACCOUNT,
    assert_cfn_lint_clean,
    assert_construct_refused,
    cdk_nag_violations,
    new_stack,
    template_of,
)

SCANNING = "AWS::ECR::RegistryScanningConfiguration"


def _rule(frequency: str, *filters: str) -> dict[str, Any]:
    return {
        "ScanFrequency": frequency,
        "RepositoryFilters": [{"Filter": f, "FilterType": "WILDCARD"} for f in filters],
    }


def _scanning(stack: cdk.Stack) -> dict[str, Any]:
    (properties,) = [
        r["Properties"] for r in template_of(stack)["Resources"].values() if r["Type"] == SCANNING
    ]
    return properties


@pytest.fixture(scope="module")
def basic_default() -> cdk.Stack:
    stack = new_stack()
    RegistryScanning(stack, "Scanning")
    return stack


def test_default_is_basic_scan_on_push_for_every_repository(basic_default: cdk.Stack) -> None:
    assert _scanning(basic_default) == {"ScanType": "BASIC", "Rules": [_rule("SCAN_ON_PUSH", "*")]}
    assert_cfn_lint_clean(template_of(basic_default))
    assert cdk_nag_violations(basic_default) == []


def test_enhanced_default_is_continuous_for_every_repository() -> None:
    stack = new_stack()
    scanning = RegistryScanning(stack, "Scanning", scan_type=ScanType.ENHANCED)
    assert _scanning(stack) == {"ScanType": "ENHANCED", "Rules": [_rule("CONTINUOUS_SCAN", "*")]}
    assert scanning.scan_type is ScanType.ENHANCED
    assert scanning.rules == (ScanningRule(ScanFrequency.CONTINUOUS_SCAN, ("*",)),)


def test_explicit_rules_in_order() -> None:
    stack = new_stack()
    RegistryScanning(
        stack,
        "Scanning",
        scan_type=ScanType.ENHANCED,
        rules=[
            ScanningRule(ScanFrequency.CONTINUOUS_SCAN, ["prod-*", "team-a/*", "prod-*"]),
            ScanningRule(ScanFrequency.SCAN_ON_PUSH),
        ],
    )
    assert _scanning(stack)["Rules"] == [
        _rule("CONTINUOUS_SCAN", "prod-*", "team-a/*"),
        _rule("SCAN_ON_PUSH", "*"),
    ]
    assert_cfn_lint_clean(template_of(stack))


def test_manual_rule_is_recorded_not_rendered() -> None:
    stack = new_stack()
    scanning = RegistryScanning(
        stack,
        "Scanning",
        rules=[
            ScanningRule(ScanFrequency.SCAN_ON_PUSH, ["prod-*"]),
            ScanningRule(ScanFrequency.MANUAL, ["legacy/*"]),
        ],
    )
    assert _scanning(stack)["Rules"] == [_rule("SCAN_ON_PUSH", "prod-*")]
    assert scanning.rules[1] == ScanningRule(ScanFrequency.MANUAL, ("legacy/*",))
    assert_cfn_lint_clean(template_of(stack))


def test_no_rules_scans_nothing_automatically() -> None:
    stack = new_stack()
    scanning = RegistryScanning(stack, "Scanning", rules=[])
    assert _scanning(stack) == {"ScanType": "BASIC", "Rules": []}
    assert scanning.rules == ()
    assert_cfn_lint_clean(template_of(stack))


def test_add_rule_drops_the_default_then_merges() -> None:
    stack = new_stack()
    scanning = RegistryScanning(stack, "Scanning", scan_type=ScanType.ENHANCED)
    scanning.add_rule(ScanFrequency.SCAN_ON_PUSH, ["dev-*"])
    scanning.add_rule(ScanFrequency.SCAN_ON_PUSH, ["qa-*", "dev-*"])
    scanning.add_rule(ScanFrequency.CONTINUOUS_SCAN, ["prod-*"])
    assert _scanning(stack)["Rules"] == [
        _rule("SCAN_ON_PUSH", "dev-*", "qa-*"),
        _rule("CONTINUOUS_SCAN", "prod-*"),
    ]


def test_add_rule_keeps_explicit_rules() -> None:
    stack = new_stack()
    scanning = RegistryScanning(
        stack, "Scanning", rules=[ScanningRule(ScanFrequency.SCAN_ON_PUSH, ["a*"])]
    )
    scanning.add_rule(ScanFrequency.SCAN_ON_PUSH, ["b*"])
    assert _scanning(stack)["Rules"] == [_rule("SCAN_ON_PUSH", "a*", "b*")]


def test_of_gets_or_creates_the_stack_singleton() -> None:
    stack = new_stack()
    first = RegistryScanning.of(stack, scan_type=ScanType.ENHANCED)
    assert first.node.path == "Test/RegistryScanning"
    again = RegistryScanning.of(first, rules=[ScanningRule(ScanFrequency.SCAN_ON_PUSH, ["web-*"])])
    assert again is first
    assert _scanning(stack)["Rules"] == [_rule("SCAN_ON_PUSH", "web-*")]
    assert len(Template.from_stack(stack).find_resources(SCANNING)) == 1


def test_of_finds_a_configuration_made_with_the_constructor() -> None:
    stack = new_stack()
    made = RegistryScanning(stack, "Mine")
    assert RegistryScanning.of(stack, scan_type=ScanType.BASIC) is made


def test_one_per_stack() -> None:
    stack = new_stack()
    RegistryScanning(stack, "First")
    with pytest.raises(RegistryError) as raised:
        RegistryScanning(stack, "Second")
    assert str(raised.value).startswith(
        "Test/Second: a registry has one RegistryScanning; Test/First already configures"
    )
    assert "RegistryScanning.of(stack)" in str(raised.value)
    with pytest.raises(
        RegistryError, match=r"Test/First: .*another scan type.*given 'ENHANCED'; allowed: BASIC"
    ):
        RegistryScanning.of(stack, scan_type=ScanType.ENHANCED)


def test_one_per_account_and_region_across_stacks() -> None:
    app = cdk.App()
    env = cdk.Environment(account=ACCOUNT, region="eu-west-1")
    first = RegistryScanning(cdk.Stack(app, "One", env=env), "Scanning")
    assert RegistryScanning.of(first) is first
    # Another stack of the same registry would deploy a second configuration: refused.
    with pytest.raises(
        RegistryError, match=r"Twin/RegistryScanning: .* One/Scanning already configures"
    ):
        RegistryScanning.of(cdk.Stack(app, "Twin", env=env))
    with pytest.raises(RegistryError, match=r"Two/Scanning: .* One/Scanning already configures"):
        RegistryScanning(cdk.Stack(app, "Two", env=env), "Scanning")
    # Another region, or a stack without a concrete environment, is a different registry.
    RegistryScanning(
        cdk.Stack(app, "Three", env=cdk.Environment(account=ACCOUNT, region="us-east-1")), "S"
    )
    RegistryScanning(cdk.Stack(app, "Agnostic"), "Scanning")
    # The same environment in another app is unrelated.
    RegistryScanning(cdk.Stack(cdk.App(), "One", env=env), "Scanning")


# --- MANUAL rules must be able to take effect ---------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    manual=st.text(alphabet="ab*", min_size=1, max_size=4),
    on_push=st.text(alphabet="ab*", min_size=1, max_size=4),
)
def test_manual_filter_refused_exactly_when_a_scan_on_push_filter_overlaps_it(
    manual: str, on_push: str
) -> None:
    longest = len(manual) + len(on_push)
    names = ("".join(p) for n in range(longest + 1) for p in itertools.product("abc", repeat=n))
    overlap = any(
        fnmatch.fnmatchcase(name, manual) and fnmatch.fnmatchcase(name, on_push) for name in names
    )
    rules = [
        ScanningRule(ScanFrequency.SCAN_ON_PUSH, [on_push]),
        ScanningRule(ScanFrequency.MANUAL, [manual]),
    ]
    if overlap:
        with pytest.raises(RegistryError, match="MANUAL filter overlaps a SCAN_ON_PUSH filter"):
            RegistryScanning(new_stack(), "Scanning", rules=rules)
    else:
        RegistryScanning(new_stack(), "Scanning", rules=rules)


# --- notifications ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def notifications() -> dict[str, Any]:
    stack = new_stack()
    RegistryScanning.of(stack, scan_type=ScanType.ENHANCED)
    default = ScanFindingsNotifications(stack, "Findings")
    topic = sns.Topic(stack, "Mine", enforce_ssl=True)
    only_enhanced = ScanFindingsNotifications(
        stack,
        "Critical",
        severity=FindingSeverity.CRITICAL,
        topic=topic,
        scan_types=[ScanType.ENHANCED],
        repository_names=["payments"],
    )
    return {
        "stack": stack,
        "default": default,
        "only_enhanced": only_enhanced,
        "topic": topic,
        "template": template_of(stack),
    }


def test_notifications_default_both_scanners_at_high_to_a_new_topic(
    notifications: dict[str, Any],
) -> None:
    default: ScanFindingsNotifications = notifications["default"]
    stack: cdk.Stack = notifications["stack"]
    resources = notifications["template"]["Resources"]
    assert default.basic_rule is not None and default.enhanced_rule is not None
    basic = resources[stack.get_logical_id(default.basic_rule.node.default_child)]["Properties"]
    enhanced = resources[stack.get_logical_id(default.enhanced_rule.node.default_child)][
        "Properties"
    ]
    topic_id = stack.get_logical_id(default.topic.node.default_child)
    assert resources[topic_id]["Type"] == "AWS::SNS::Topic"
    assert "KmsMasterKeyId" in resources[topic_id]["Properties"]
    assert basic["EventPattern"]["detail-type"] == ["ECR Image Scan"]
    assert [
        next(iter(c["finding-severity-counts"])) for c in basic["EventPattern"]["detail"]["$or"]
    ] == ["CRITICAL", "HIGH"]
    assert enhanced["EventPattern"]["detail"]["severity"] == ["CRITICAL", "HIGH"]
    for rule in (basic, enhanced):
        assert rule["Targets"] == [{"Arn": {"Ref": topic_id}, "Id": "Target0"}]


def test_notifications_given_topic_one_scanner_severity_and_repositories(
    notifications: dict[str, Any],
) -> None:
    only: ScanFindingsNotifications = notifications["only_enhanced"]
    stack: cdk.Stack = notifications["stack"]
    assert only.basic_rule is None and only.topic is notifications["topic"]
    assert only.node.try_find_child("Topic") is None
    assert only.enhanced_rule is not None
    props = notifications["template"]["Resources"][
        stack.get_logical_id(only.enhanced_rule.node.default_child)
    ]["Properties"]
    assert props["EventPattern"]["detail"] == {
        "severity": ["CRITICAL"],
        "status": ["ACTIVE"],
        "resources": {
            "type": ["AWS_ECR_CONTAINER_IMAGE"],
            "details": {"awsEcrContainerImage": {"repositoryName": ["payments"]}},
        },
    }
    assert props["Targets"] == [
        {
            "Arn": {"Ref": stack.get_logical_id(notifications["topic"].node.default_child)},
            "Id": "Target0",
        }
    ]


def test_notifications_gates(notifications: dict[str, Any]) -> None:
    assert_cfn_lint_clean(notifications["template"])
    assert cdk_nag_violations(notifications["stack"]) == []


# --- bad input ----------------------------------------------------------------------------------

PUSH = ScanFrequency.SCAN_ON_PUSH
BAD_INPUT: list[tuple[str, dict[str, Any], str]] = [
    (
        "scan-type-string",
        {"scan_type": "ENHANCED"},
        "Test/Scanning scan_type: scan_type must be a ScanType",
    ),
    (
        "three-rules",
        {"rules": [ScanningRule(PUSH, ["a*"]), ScanningRule(PUSH, ["b*"]), ScanningRule(PUSH)]},
        "at most 2 rules (given 3; allowed: 0..2 rules)",
    ),
    ("rule-not-list", {"rules": ScanningRule(PUSH)}, "Test/Scanning rules"),
    ("rule-not-a-rule", {"rules": [{"frequency": "SCAN_ON_PUSH"}]}, "rules[0]: a rule must be"),
    (
        "frequency-string",
        {"rules": [ScanningRule("SCAN_ON_PUSH")]},  # type: ignore[arg-type]
        "rules[0].frequency: frequency must be a ScanFrequency (given 'SCAN_ON_PUSH'",
    ),
    (
        "same-frequency-twice",
        {"rules": [ScanningRule(PUSH, ["a*"]), ScanningRule(PUSH, ["b*"])]},
        "rules[1].frequency: two rules with the same frequency",
    ),
    (
        "continuous-with-basic",
        {"rules": [ScanningRule(ScanFrequency.CONTINUOUS_SCAN)]},
        "CONTINUOUS_SCAN is not available with BASIC scanning (given 'CONTINUOUS_SCAN'",
    ),
    (
        "manual-with-enhanced",
        {"scan_type": ScanType.ENHANCED, "rules": [ScanningRule(ScanFrequency.MANUAL)]},
        "allowed: SCAN_ON_PUSH or CONTINUOUS_SCAN",
    ),
    (
        "filters-empty",
        {"rules": [ScanningRule(PUSH, [])]},
        "rules[0].filters: a scanning rule needs",
    ),
    ("filters-string", {"rules": [ScanningRule(PUSH, "prod*")]}, "given 'prod*'"),
    (
        "filter-uppercase",
        {"rules": [ScanningRule(PUSH, ["Prod*"])]},
        "rules[0].filters[0]: not a valid WILDCARD",
    ),
    ("filter-leading-dash", {"rules": [ScanningRule(PUSH, ["-x"])]}, "filters[0]"),
    ("filter-too-long", {"rules": [ScanningRule(PUSH, ["a" * 256])]}, "1..255"),
    (
        "too-many-filters",
        {"rules": [ScanningRule(PUSH, [f"r{i}" for i in range(101)])]},
        "at most 100 repository filters (given 101; allowed: 1..100",
    ),
    (
        "manual-overlaps",
        {"rules": [ScanningRule(PUSH, ["*"]), ScanningRule(ScanFrequency.MANUAL, ["legacy*"])]},
        "Test/Scanning rules: a MANUAL filter overlaps",
    ),
]


@pytest.mark.parametrize(
    ("props", "fragment"), [pytest.param(p, m, id=name) for name, p, m in BAD_INPUT]
)
def test_bad_input(props: dict[str, Any], fragment: str) -> None:
    stack = new_stack()
    assert_construct_refused(
        RegistryScanning, props, fragment, construct_id="Scanning", stack=stack
    )
    RegistryScanning(stack, "Valid")  # nothing was registered by the failed attempt


def test_add_rule_errors_leave_the_configuration_unchanged() -> None:
    stack = new_stack()
    scanning = RegistryScanning(stack, "Scanning")
    with pytest.raises(
        RegistryError,
        match=r"Test/Scanning add_rule.frequency: CONTINUOUS_SCAN is not available with BASIC",
    ):
        scanning.add_rule(ScanFrequency.CONTINUOUS_SCAN)
    scanning.add_rule(PUSH, [f"r{i}" for i in range(100)])
    with pytest.raises(RegistryError, match=r"add_rule.filters: .*given 101"):
        scanning.add_rule(PUSH, ["one-more"])
    with pytest.raises(RegistryError, match=r"add_rule: a MANUAL filter overlaps"):
        scanning.add_rule(ScanFrequency.MANUAL, ["r1"])
    assert len(_scanning(stack)["Rules"][0]["RepositoryFilters"]) == 100
    assert [r.frequency for r in scanning.rules] == [PUSH]


def test_bad_notification_scan_types() -> None:
    stack = new_stack()
    with pytest.raises(RegistryError, match=r"Test/Findings scan_types: .*given \[\]"):
        ScanFindingsNotifications(stack, "Findings", scan_types=[])
    with pytest.raises(EcrConstructsError, match=r"Test/Findings severity: severity must be"):
        ScanFindingsNotifications(stack, "Findings", severity="HIGH")  # type: ignore[arg-type]
    with pytest.raises(EcrConstructsError, match=r"Test/Findings target: give target or topic"):
        ScanFindingsNotifications(
            stack,
            "Findings",
            target=targets.SnsTopic(sns.Topic(stack, "A")),
            topic=sns.Topic(stack, "B"),
        )
    assert stack.node.try_find_child("Findings") is None


def test_notifications_to_any_target_create_no_topic() -> None:
    stack = new_stack()
    queue = sqs.Queue(stack, "Queue", enforce_ssl=True)
    findings = ScanFindingsNotifications(stack, "Findings", target=targets.SqsQueue(queue))
    assert findings.topic is None
    template = template_of(stack)
    types = [r["Type"] for r in template["Resources"].values()]
    assert "AWS::SNS::Topic" not in types and "AWS::KMS::Key" not in types
    queue_arn = {"Fn::GetAtt": [stack.get_logical_id(queue.node.default_child), "Arn"]}
    rules = [
        r["Properties"] for r in template["Resources"].values() if r["Type"] == "AWS::Events::Rule"
    ]
    assert [r["Targets"] for r in rules] == [[{"Arn": queue_arn, "Id": "Target0"}]] * 2
    assert_cfn_lint_clean(template)


def test_the_registry_file_schema_names_the_values_the_constructs_use() -> None:
    defs = registry_json_schema()["$defs"]
    assert defs["ScanType"]["enum"] == [t.value for t in ScanType] == list(SCAN_FREQUENCIES)
    assert defs["ScanFrequency"]["enum"] == [f.value for f in ScanFrequency]
    assert defs["AppliedFor"]["enum"] == list(APPLIED_FOR)
