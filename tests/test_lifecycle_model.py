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
    Lifecycle,
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
    ("not-json", "{rules: []", "is not valid JSON", "policy:1:2"),
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
    (warning,) = parsed.warnings
    message = str(warning)
    assert message == str(recorded[0].message)
    assert message.startswith("rules[0].selection.tagPrefixList has 2 entries")
    assert "'alpha' AND 'beta'" in message
    assert "one rule per entry" in message
    assert warning.problem is not None
    assert warning.problem.path == ("rules", 0, "selection", "tagPrefixList")
    assert warning.problem.where == "rules[0].selection.tagPrefixList"
    (own,) = parsed.rules[0].warnings
    assert own.problem is not None
    assert own.problem.path == ("rule", "selection", "tagPrefixList")
    assert str(own).startswith("rule.selection.tagPrefixList has 2 entries")


def test_a_warning_made_from_text_has_no_problem() -> None:
    warning = LifecyclePolicyWarning("a note")
    assert (str(warning), warning.problem) == ("a note", None)


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


# --- Exactly what ECR accepts: nulls, the text as given, 32-bit integers, long patterns.

NULLABLE_FIELDS = [
    ("rulePriority",),
    ("description",),
    ("selection",),
    ("action",),
    ("selection", "tagStatus"),
    ("selection", "tagPrefixList"),
    ("selection", "tagPatternList"),
    ("selection", "storageClass"),
    ("selection", "countType"),
    ("selection", "countUnit"),
    ("selection", "countNumber"),
    ("action", "type"),
    ("action", "targetStorageClass"),
]


def test_a_null_count_unit_is_refused_as_put_lifecycle_policy_does() -> None:
    text = (
        '{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":'
        '"imageCountMoreThan","countNumber":30,"countUnit":null},"action":{"type":"expire"}}]}'
    )
    with pytest.raises(LifecyclePolicyError) as caught:
        LifecyclePolicy.from_json(text)
    (problem,) = caught.value.problems
    assert str(problem) == (
        "rules[0].selection.countUnit: is null: ECR refuses null fields (leave the key out "
        "instead) (given None; allowed: a value, or no key)"
    )
    assert problem.path == ("rules", 0, "selection", "countUnit")


@pytest.mark.parametrize("field", NULLABLE_FIELDS, ids=".".join)
def test_every_null_field_is_refused_naming_its_rule_and_field(field: tuple[str, ...]) -> None:
    data = policy(any_rule(1), rule(2, **{"selection.tagPrefixList": ["x"]}))
    target = data["rules"][1]
    for part in field[:-1]:
        target = target[part]
    target[field[-1]] = None
    with pytest.raises(LifecyclePolicyError) as caught:
        LifecyclePolicy.from_json(json.dumps(data))
    nulls = [p for p in caught.value.problems if "is null" in p.message]
    assert [p.path for p in nulls] == [("rules", 1, *field)]
    assert nulls[0].where == "rules[1]." + ".".join(field)
    # The null is reported once, not again as a missing or invalid value.
    assert not [
        p for p in caught.value.problems if p.path == ("rules", 1, *field) and p not in nulls
    ]


def test_null_rules_and_null_raw_preset_fields_are_refused() -> None:
    with pytest.raises(LifecyclePolicyError, match=r"^rules: is null"):
        LifecyclePolicy.from_dict({"rules": None})
    with pytest.raises(LifecyclePolicyError) as caught:
        Lifecycle.raw(
            selection={"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 3},
            action={"type": "expire", "targetStorageClass": None},
        )
    assert [p.path for p in caught.value.problems] == [("raw", "action", "targetStorageClass")]


def pretty(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=8)


def test_the_length_limit_counts_the_text_exactly_as_given() -> None:
    rules = [rule(n, **{"description": "x" * 300}) for n in range(1, 51)]
    compact = json.dumps(policy(*rules), separators=(",", ":"))
    assert len(compact) < 30_720 < len(pretty(policy(*rules)))
    assert len(LifecyclePolicy.from_json(compact).rules) == 50
    with pytest.raises(LifecyclePolicyError) as caught:
        LifecyclePolicy.from_json(pretty(policy(*rules)))
    (problem,) = caught.value.problems
    assert problem.message.startswith(
        f"the policy text as given is {len(pretty(policy(*rules))):,} characters; "
        "ECR accepts 100 to 30,720 (indentation and escapes count)"
    )
    assert problem.path == ()


def test_escaped_characters_count_as_written() -> None:
    escaped = json.dumps(policy(rule(1, description="é" * 6_000)))  # ensure_ascii: \u00e9
    assert len(escaped) > 30_720
    assert len(LifecyclePolicy.from_dict(json.loads(escaped)).to_json()) < 30_720
    with pytest.raises(LifecyclePolicyError, match="the policy text as given is"):
        LifecyclePolicy.from_json(escaped)
    with pytest.raises(LifecyclePolicyError, match="the policy text as given is"):
        LifecyclePolicy.from_json(escaped.encode())


def test_the_rendered_text_is_still_checked() -> None:
    rules = [LifecycleRule.from_dict(rule(n, description="y" * 700)) for n in range(1, 50)]
    with pytest.raises(LifecyclePolicyError) as caught:
        LifecyclePolicy(rules, where="big")
    (problem,) = caught.value.problems
    assert problem.message.startswith("the policy text is ")
    assert (problem.where, problem.path) == ("big", ("big",))


@pytest.mark.parametrize("key", ["rulePriority", "selection.countNumber"])
def test_integers_are_32_bit(key: str) -> None:
    largest = 2**31 - 1
    first = rule(1, **{key: largest})
    assert LifecyclePolicy.from_dict(policy(first)).rules[0].to_dict() == first
    with pytest.raises(LifecyclePolicyError) as caught:
        LifecyclePolicy.from_dict(policy(rule(1, **{key: largest + 1})))
    (problem,) = caught.value.problems
    assert str(problem) == (
        f"rules[0].{key}: must be at most 2,147,483,647 (ECR's 32-bit limit) "
        f"(given {largest + 1}; allowed: an integer from 1 to 2,147,483,647)"
    )


def test_a_5000_digit_number_is_the_library_s_error() -> None:
    text = json.dumps(policy(rule(1))).replace('"countNumber": 5', '"countNumber": ' + "9" * 5000)
    with pytest.raises(LifecyclePolicyError) as caught:
        LifecyclePolicy.from_json(text)
    assert "has an integer of 5,000 digits" in str(caught.value)
    with pytest.raises(LifecyclePolicyError) as caught:
        LifecyclePolicy.from_dict(policy(rule(1, **{"selection.countNumber": 10**5000})))
    (problem,) = caught.value.problems
    assert str(problem) == (
        "rules[0].selection.countNumber: must be at most 2,147,483,647 (ECR's 32-bit limit); "
        "given an integer of 16,610 bits (allowed: an integer from 1 to 2,147,483,647)"
    )


@pytest.mark.parametrize("value", [1.0, True, "5", -1, 0])
def test_count_number_takes_only_integers_from_one(value: Any) -> None:
    with pytest.raises(LifecyclePolicyError, match=r"rules\[0\]\.selection\.countNumber: must"):
        LifecyclePolicy.from_dict(policy(rule(1, **{"selection.countNumber": value})))


def test_a_pattern_is_valid_when_a_128_character_tag_can_match_it() -> None:
    longest = "a" * 128 + "*"
    parsed = LifecyclePolicy.from_dict(policy(rule(1, **pattern_list(longest))))
    assert parsed.rules[0].tag_pattern_list == (longest,)
    for entry in ("*a*b*c*" + "d" * 125, "*" + "a" * 128 + "*"):
        LifecyclePolicy.from_dict(policy(rule(1, **pattern_list(entry))))
    for entry in ("a" * 129 + "*", "a" * 129):
        with pytest.raises(LifecyclePolicyError, match="cannot match any Docker tag"):
            LifecyclePolicy.from_dict(policy(rule(1, **pattern_list(entry))))
    LifecyclePolicy.from_dict(policy(rule(1, **{"selection.tagPrefixList": ["a" * 128]})))
    with pytest.raises(LifecyclePolicyError, match="cannot match any Docker tag"):
        LifecyclePolicy.from_dict(policy(rule(1, **{"selection.tagPrefixList": ["a" * 129]})))


def pattern_list(entry: str) -> dict[str, Any]:
    return {"selection.tagPrefixList": None, "selection.tagPatternList": [entry]}


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[" * 100_000, "policy:1:101: nests arrays and objects more than 100 deep"),
        (b'{"rules": [\x80]}', "policy:1:12: is not UTF-8 text (byte 0x80 at offset 11)"),
        ('{"rules": NaN}', "policy:1:11: is not valid JSON: NaN is not a JSON number"),
    ],
)
def test_hostile_text_is_a_lifecycle_policy_error(text: str | bytes, fragment: str) -> None:
    with pytest.raises(LifecyclePolicyError) as caught:
        LifecyclePolicy.from_json(text)
    (problem,) = caught.value.problems
    assert str(problem).startswith(fragment)
    assert problem.path == ()


# --- Every problem carries its field path; `where` shows it as before.


def test_rule_problems_carry_their_path_under_the_caller_s_location() -> None:
    with pytest.raises(LifecyclePolicyError) as caught:
        LifecyclePolicy.from_dict(
            policy(rule(1, **{"selection.countNumber": 0})),
            where=("repositories", 3, "lifecycle_policy"),
        )
    (problem,) = caught.value.problems
    assert problem.path == (
        "repositories",
        3,
        "lifecycle_policy",
        "rules",
        0,
        "selection",
        "countNumber",
    )
    assert problem.where == "repositories[3].lifecycle_policy.rules[0].selection.countNumber"


def test_composed_policy_problems_are_at_the_preset_s_position_with_its_name() -> None:
    with pytest.raises(LifecyclePolicyError) as caught:
        Lifecycle.compose([Lifecycle.keep_last(5), Lifecycle.expire_untagged(after_days=1)])
    (problem,) = caught.value.problems
    assert (problem.path, problem.where) == (("lifecycle", 0), "lifecycle[0] keep_last(5)")
    with pytest.raises(LifecyclePolicyError) as caught:
        Lifecycle.compose([])
    (problem,) = caught.value.problems
    assert (problem.path, problem.where) == (("lifecycle",), "lifecycle")


def test_preset_argument_problems_are_at_the_preset_s_key_and_argument() -> None:
    with pytest.raises(LifecyclePolicyError) as caught:
        Lifecycle.keep_last(0, prefixes=["ok", "a b"])
    assert [(p.path, p.where) for p in caught.value.problems] == [
        (("keep_last", "count"), "keep_last.count"),
        (("keep_last", "prefixes", 1), "keep_last.prefixes[1]"),
    ]
    with pytest.raises(LifecyclePolicyError) as caught:
        Lifecycle.raw(selection={"tagStatus": "any"}, action={"type": "expire"})
    assert {p.path for p in caught.value.problems} == {
        ("raw", "selection", "countType"),
        ("raw", "selection", "countNumber"),
    }
