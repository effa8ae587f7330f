"""The lifecycle policy document model: every ECR rule, both directions."""

from __future__ import annotations

import copy
import json
import warnings
from typing import Any

import pytest

from ecr_constructs.errors import LifecyclePolicyError
from ecr_constructs.lifecycle import (
    CountType,
    CountUnit,
    LifecycleAction,
    LifecyclePolicy,
    LifecyclePolicyWarning,
    LifecyclePreset,
    LifecycleRule,
    StorageClass,
    TagStatus,
)


def rule(priority: int = 1, **changes: Any) -> dict[str, Any]:
    """A valid tagged rule; ``changes`` patch it (``selection.x`` keys, None deletes)."""
    data: dict[str, Any] = {
        "rulePriority": priority,
        "description": f"Rule {priority}",
        "selection": {
            "tagStatus": "tagged",
            "tagPrefixList": [f"p{priority}"],
            "countType": "imageCountMoreThan",
            "countNumber": 5,
        },
        "action": {"type": "expire"},
    }
    for key, value in changes.items():
        target = data
        parts = key.split(".")
        for part in parts[:-1]:
            target = target[part]
        if value is None:
            target.pop(parts[-1], None)
        else:
            target[parts[-1]] = value
    return data


def untagged(priority: int, **changes: Any) -> dict[str, Any]:
    return rule(
        priority, **{"selection.tagStatus": "untagged", "selection.tagPrefixList": None}, **changes
    )


def any_rule(priority: int, **changes: Any) -> dict[str, Any]:
    return rule(
        priority, **{"selection.tagStatus": "any", "selection.tagPrefixList": None}, **changes
    )


def policy(*rules: dict[str, Any]) -> dict[str, Any]:
    return {"rules": list(rules)}


DAYS = {"selection.countType": "sinceImagePushed", "selection.countUnit": "days"}
ARCHIVE_EXPIRE = {
    "selection.storageClass": "archive",
    "selection.countType": "sinceImageTransitioned",
    "selection.countUnit": "days",
    "selection.countNumber": 90,
}
PULLED = {
    "selection.countType": "sinceImagePulled",
    "selection.countUnit": "days",
    "action.type": "transition",
    "action.targetStorageClass": "archive",
}

BAD_POLICIES: list[tuple[str, Any, str, str]] = [
    # (id, policy dict or JSON text, message fragment, where)
    ("not-json", "{rules: []", "is not valid JSON", "policy"),
    ("not-object", [], "must be a JSON object", "policy"),
    ("unknown-top-key", {"rules": [rule()], "version": 1}, "unknown key 'version'", "version"),
    ("rules-not-list", {"rules": {}}, "must be a list of rules", "rules"),
    ("no-rules", {"rules": []}, "1 to 50 rules", "policy"),
    ("too-short", {"rules": []}, "ECR accepts 100 to 30,720", "policy"),
    ("too-many", policy(*[rule(i) for i in range(1, 52)]), "1 to 50 rules", "policy"),
    (
        "too-long",
        policy(*[rule(i, description="x" * 700) for i in range(1, 46)]),
        "ECR accepts 100 to 30,720",
        "policy",
    ),
    ("rule-not-object", policy("rule"), "must be a JSON object", "rules[0]"),
    ("unknown-rule-key", policy(rule(ttl=3)), "unknown key 'ttl'", "rules[0].ttl"),
    (
        "unknown-selection-key",
        policy(rule(**{"selection.tagPrefix": ["a"]})),
        "unknown key 'tagPrefix'",
        "rules[0].selection.tagPrefix",
    ),
    (
        "unknown-action-key",
        policy(rule(**{"action.storageClass": "archive"})),
        "unknown key 'storageClass'",
        "rules[0].action.storageClass",
    ),
    (
        "missing-selection",
        policy(rule(selection=None)),
        "selection is required",
        "rules[0].selection",
    ),
    (
        "action-not-object",
        policy(rule(action="expire")),
        "must be a JSON object",
        "rules[0].action",
    ),
    ("priority-missing", policy(rule(rulePriority=None)), "is required", "rules[0].rulePriority"),
    ("priority-zero", policy(rule(0)), "must be at least 1", "rules[0].rulePriority"),
    ("priority-string", policy(rule("1")), "must be an integer", "rules[0].rulePriority"),
    ("priority-bool", policy(rule(True)), "must be an integer", "rules[0].rulePriority"),
    ("priority-float", policy(rule(1.5)), "must be an integer", "rules[0].rulePriority"),
    (
        "priority-duplicate",
        policy(rule(1), rule(2), rule(2, **{"selection.tagPrefixList": ["other"]})),
        "already used by rules[1]",
        "rules[2].rulePriority",
    ),
    ("description-type", policy(rule(description=7)), "must be a string", "rules[0].description"),
    (
        "tag-status-bad",
        policy(rule(**{"selection.tagStatus": "TAGGED"})),
        "is not a valid value",
        "rules[0].selection.tagStatus",
    ),
    (
        "tagged-without-list",
        policy(rule(**{"selection.tagPrefixList": None})),
        "needs tagPrefixList or tagPatternList",
        "rules[0].selection",
    ),
    (
        "tagged-with-both",
        policy(rule(**{"selection.tagPatternList": ["a*"]})),
        "not both",
        "rules[0].selection.tagPatternList",
    ),
    (
        "empty-prefix-list",
        policy(rule(**{"selection.tagPrefixList": []})),
        "must not be empty",
        "rules[0].selection.tagPrefixList",
    ),
    (
        "prefix-list-string",
        policy(rule(**{"selection.tagPrefixList": "prod"})),
        "must be a list of strings",
        "rules[0].selection.tagPrefixList",
    ),
    (
        "prefix-entry-number",
        policy(rule(**{"selection.tagPrefixList": [1]})),
        "must be a string",
        "rules[0].selection.tagPrefixList[0]",
    ),
    (
        "prefix-with-star",
        policy(rule(**{"selection.tagPrefixList": ["prod*"]})),
        "only in tagPatternList",
        "rules[0].selection.tagPrefixList[0]",
    ),
    (
        "pattern-bad-chars",
        policy(rule(**{"selection.tagPrefixList": None, "selection.tagPatternList": ["v1/*"]})),
        "cannot match any Docker tag",
        "rules[0].selection.tagPatternList[0]",
    ),
    (
        "pattern-five-wildcards",
        policy(
            rule(**{"selection.tagPrefixList": None, "selection.tagPatternList": ["*a*b*c*d*"]})
        ),
        "ECR allows at most 4",
        "rules[0].selection.tagPatternList[0]",
    ),
    (
        "untagged-with-list",
        policy(rule(**{"selection.tagStatus": "untagged"})),
        "tagStatus untagged takes no tagPrefixList",
        "rules[0].selection.tagPrefixList",
    ),
    (
        "any-with-patterns",
        policy(any_rule(1, **{"selection.tagPatternList": ["a*"]})),
        "tagStatus any takes no tagPatternList",
        "rules[0].selection.tagPatternList",
    ),
    (
        "count-type-missing",
        policy(rule(**{"selection.countType": None})),
        "is required",
        "rules[0].selection.countType",
    ),
    (
        "count-type-bad",
        policy(rule(**{"selection.countType": "sinceImageCreated"})),
        "is not a valid value",
        "rules[0].selection.countType",
    ),
    (
        "count-unit-missing",
        policy(rule(**{"selection.countType": "sinceImagePushed"})),
        "needs countUnit",
        "rules[0].selection.countUnit",
    ),
    (
        "count-unit-hours",
        policy(rule(**{**DAYS, "selection.countUnit": "hours"})),
        "is not a valid value",
        "rules[0].selection.countUnit",
    ),
    (
        "count-unit-with-count",
        policy(rule(**{"selection.countUnit": "days"})),
        "not imageCountMoreThan",
        "rules[0].selection.countUnit",
    ),
    (
        "count-number-zero",
        policy(rule(**{"selection.countNumber": 0})),
        "must be at least 1",
        "rules[0].selection.countNumber",
    ),
    (
        "count-number-string",
        policy(rule(**{"selection.countNumber": "5"})),
        "must be an integer",
        "rules[0].selection.countNumber",
    ),
    (
        "count-number-missing",
        policy(rule(**{"selection.countNumber": None})),
        "is required",
        "rules[0].selection.countNumber",
    ),
    (
        "action-type-bad",
        policy(rule(**{"action.type": "delete"})),
        "is not a valid value",
        "rules[0].action.type",
    ),
    (
        "pulled-expire",
        policy(rule(**{**PULLED, "action.type": "expire", "action.targetStorageClass": None})),
        "sinceImagePulled can only transition",
        "rules[0].action.type",
    ),
    (
        "transition-without-target",
        policy(rule(**{**PULLED, "action.targetStorageClass": None})),
        "transition needs targetStorageClass",
        "rules[0].action.targetStorageClass",
    ),
    (
        "transition-to-standard",
        policy(rule(**{**PULLED, "action.targetStorageClass": "standard"})),
        "only transition images to archive",
        "rules[0].action.targetStorageClass",
    ),
    (
        "expire-with-target",
        policy(rule(**{"action.targetStorageClass": "archive"})),
        "only for transition actions",
        "rules[0].action.targetStorageClass",
    ),
    (
        "transitioned-without-archive",
        policy(rule(**{**ARCHIVE_EXPIRE, "selection.storageClass": None})),
        "storageClass archive is required",
        "rules[0].selection.storageClass",
    ),
    (
        "transitioned-under-90",
        policy(rule(**{**ARCHIVE_EXPIRE, "selection.countNumber": 30})),
        "90-day minimum",
        "rules[0].selection.countNumber",
    ),
    (
        "transitioned-transition",
        policy(
            rule(
                **{
                    **ARCHIVE_EXPIRE,
                    "action.type": "transition",
                    "action.targetStorageClass": "archive",
                },
            )
        ),
        "can only expire archived images",
        "rules[0].action.type",
    ),
    (
        "archive-with-count",
        policy(rule(**{"selection.storageClass": "archive"})),
        "selects from the standard storage class only",
        "rules[0].selection.storageClass",
    ),
    (
        "storage-class-bad",
        policy(rule(**{"selection.storageClass": "glacier"})),
        "is not a valid value",
        "rules[0].selection.storageClass",
    ),
    (
        "any-not-last",
        policy(any_rule(1), rule(2)),
        "must be applied last in the standard storage class",
        "rules[0].rulePriority",
    ),
    (
        "two-any",
        policy(any_rule(1), any_rule(2)),
        "only one rule with tagStatus any",
        "rules[1].selection.tagStatus",
    ),
    (
        "two-untagged",
        policy(untagged(1), untagged(2, **DAYS)),
        "only one rule per storage class (standard) may select untagged",
        "rules[1].selection.tagStatus",
    ),
    (
        "same-prefix-set",
        policy(
            rule(1, **{"selection.tagPrefixList": ["a", "b"]}),
            rule(2, **{"selection.tagPrefixList": ["b", "a"]}),
        ),
        "same tagPrefixList is already used by rules[0]",
        "rules[1].selection.tagPrefixList",
    ),
    (
        "same-pattern-set",
        policy(
            rule(1, **{"selection.tagPrefixList": None, "selection.tagPatternList": ["v*"]}),
            rule(
                2, **{**DAYS, "selection.tagPrefixList": None, "selection.tagPatternList": ["v*"]}
            ),
        ),
        "same tagPatternList is already used by rules[0]",
        "rules[1].selection.tagPatternList",
    ),
]


@pytest.mark.parametrize(
    ("data", "fragment", "where"),
    [pytest.param(d, f, w, id=i) for i, d, f, w in BAD_POLICIES],
)
def test_bad_policies_are_rejected_with_where_given_allowed(
    data: Any, fragment: str, where: str
) -> None:
    with pytest.raises(LifecyclePolicyError) as caught:
        if isinstance(data, str):
            LifecyclePolicy.from_json(data)
        else:
            LifecyclePolicy.from_json(json.dumps(data))
    matching = [p for p in caught.value.problems if fragment in p.message]
    assert matching, str(caught.value)
    problem = matching[0]
    assert problem.where == where
    text = str(problem)
    assert text.startswith(f"{where}: ")
    assert "given " in text
    assert "allowed: " in text
    assert problem.allowed


def test_all_problems_are_reported_at_once() -> None:
    data = policy(
        rule(0, **{"selection.countNumber": 0, "selection.extra": 1}),
        any_rule(2),
        rule(3, **{"action.type": "remove"}),
    )
    with pytest.raises(LifecyclePolicyError) as caught:
        LifecyclePolicy.from_dict(data)
    wheres = {p.where for p in caught.value.problems}
    assert {
        "rules[0].rulePriority",
        "rules[0].selection.countNumber",
        "rules[0].selection.extra",
        "rules[2].action.type",
    } <= wheres
    assert str(caught.value).count("\n") == len(caught.value.problems) - 1


def test_where_prefix_names_the_policy_location() -> None:
    with pytest.raises(LifecyclePolicyError) as caught:
        LifecyclePolicy.from_dict(policy(rule(0)), where="repositories[3].lifecycle_policy")
    assert (
        caught.value.problems[0].where == "repositories[3].lifecycle_policy.rules[0].rulePriority"
    )


VALID_POLICIES = [
    policy(rule(1), untagged(5, **DAYS), any_rule(9)),
    policy(
        rule(1, **PULLED),
        untagged(2, **PULLED),
        any_rule(4, **{**ARCHIVE_EXPIRE, "selection.countNumber": 365}),
        rule(3, **{**ARCHIVE_EXPIRE, "selection.tagPrefixList": ["p1"]}),
        any_rule(10),
    ),
    policy(
        rule(20, **{"selection.tagPrefixList": None, "selection.tagPatternList": ["*a*b*c*d"]}),
        rule(7, **{**DAYS, "selection.storageClass": "standard"}),
    ),
]


@pytest.mark.parametrize("data", VALID_POLICIES)
def test_round_trip(data: dict[str, Any]) -> None:
    parsed = LifecyclePolicy.from_json(json.dumps(data, indent=2))
    assert LifecyclePolicy.from_json(parsed.to_json()) == parsed
    expected = sorted(data["rules"], key=lambda r: r["rulePriority"])
    assert parsed.to_dict() == {"rules": expected}
    assert [r.rule_priority for r in parsed.rules] == sorted(
        r["rulePriority"] for r in data["rules"]
    )
    assert parsed.warnings == ()


def test_to_json_is_compact_and_in_fixed_key_order() -> None:
    built = LifecyclePolicy(
        [
            LifecycleRule(
                rule_priority=2,
                tag_status=TagStatus.UNTAGGED,
                count_type=CountType.SINCE_IMAGE_PULLED,
                count_unit=CountUnit.DAYS,
                count_number=90,
                action_type=LifecycleAction.TRANSITION,
                target_storage_class=StorageClass.ARCHIVE,
                description="Archive untagged images not pulled for 90 days",
            ),
        ]
    )
    assert built.to_json() == (
        '{"rules":[{"rulePriority":2,"description":"Archive untagged images not pulled for 90 '
        'days","selection":{"tagStatus":"untagged","countType":"sinceImagePulled",'
        '"countUnit":"days","countNumber":90},"action":{"type":"transition",'
        '"targetStorageClass":"archive"}}]}'
    )


def test_constructor_accepts_strings_and_validates() -> None:
    made = LifecycleRule(
        rule_priority=1,
        tag_status="tagged",  # type: ignore[arg-type]
        tag_pattern_list=["v*"],  # type: ignore[arg-type]
        count_type="imageCountMoreThan",  # type: ignore[arg-type]
        count_number=3,
    )
    assert made.tag_status is TagStatus.TAGGED
    assert made.tag_pattern_list == ("v*",)
    assert made == LifecycleRule.from_dict(made.to_dict())
    with pytest.raises(LifecyclePolicyError) as caught:
        LifecycleRule(
            rule_priority=1,
            tag_status=TagStatus.ANY,
            count_type=CountType.SINCE_IMAGE_PUSHED,
            count_number=0,
            where="my_rule",
        )
    assert {p.where for p in caught.value.problems} == {
        "my_rule.selection.countUnit",
        "my_rule.selection.countNumber",
    }


def test_policy_constructor_checks_combination() -> None:
    one = LifecycleRule.from_dict(rule(1))
    with pytest.raises(LifecyclePolicyError, match=r"rules\[1\].rulePriority: rulePriority 1"):
        LifecyclePolicy([one, one])
    with pytest.raises(LifecyclePolicyError, match="is not a LifecycleRule"):
        LifecyclePolicy([rule(1)])  # type: ignore[list-item]


def test_any_rule_limit_is_per_storage_class() -> None:
    # ECR's own "combining archive and expire rules" example: an any rule in each class.
    data = policy(
        any_rule(
            1,
            **{
                **DAYS,
                "selection.countNumber": 30,
                "action.type": "transition",
                "action.targetStorageClass": "archive",
            },
        ),
        any_rule(2, **{**ARCHIVE_EXPIRE, "selection.countNumber": 365}),
    )
    assert len(LifecyclePolicy.from_dict(data).rules) == 2


def test_and_trap_warning_for_parsed_rule() -> None:
    data = policy(rule(1, **{"selection.tagPrefixList": ["alpha", "beta"]}))
    with pytest.warns(LifecyclePolicyWarning, match="ALL of them") as recorded:
        parsed = LifecyclePolicy.from_dict(data)
    assert len(recorded) == 1
    (message,) = parsed.warnings
    assert message.startswith("rules[0].selection.tagPrefixList has 2 entries")
    assert "'alpha' AND 'beta'" in message
    assert "one rule per entry" in message
    assert parsed.rules[0].warnings


def test_single_entry_rules_do_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        parsed = LifecyclePolicy.from_dict(policy(rule(1)))
    assert parsed.warnings == ()


def test_from_presets_assigns_priorities_in_order_and_names_presets() -> None:
    keep = LifecyclePreset(
        "keep_last(10)",
        "keep the newest 10 images",
        (LifecycleRule.from_dict(any_rule(1)),),
    )
    protect = LifecyclePreset(
        "protect(a, b)",
        "protect",
        (
            LifecycleRule.from_dict(rule(1, **{"selection.tagPrefixList": ["a"]})),
            LifecycleRule.from_dict(rule(1, **{"selection.tagPrefixList": ["b"]})),
        ),
    )
    composed = LifecyclePolicy.from_presets([protect, keep])
    assert [r.rule_priority for r in composed.rules] == [1, 2, 3]
    assert composed.rules[2].tag_status is TagStatus.ANY
    with pytest.raises(LifecyclePolicyError) as caught:
        LifecyclePolicy.from_presets([keep, protect], where="standards.prod.lifecycle")
    problem = caught.value.problems[0]
    assert problem.where == "standards.prod.lifecycle[0] keep_last(10)"
    assert "standards.prod.lifecycle[1] protect(a, b) comes after it" in problem.message
    with pytest.raises(LifecyclePolicyError, match=r"lifecycle\[1\]: is not a lifecycle preset"):
        LifecyclePolicy.from_presets([keep, "keep_last"])  # type: ignore[list-item]


def test_parsing_does_not_mutate_input() -> None:
    data = policy(rule(1, **{"selection.tagPrefixList": ["a"]}))
    before = copy.deepcopy(data)
    LifecyclePolicy.from_dict(data)
    assert data == before
