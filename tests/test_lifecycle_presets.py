"""Lifecycle presets: the catalogue, composition, the ECR guide's examples, tag strategies."""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecr_constructs.errors import LifecyclePolicyError
from ecr_constructs.lifecycle import (
    Lifecycle,
    LifecycleAction,
    LifecyclePolicy,
    LifecyclePolicyWarning,
    LifecyclePreset,
    TagStatus,
    TagStrategy,
)

from .gates import cfn_lint_matches


def rendered(presets: list[LifecyclePreset]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(selection, action) of each rule in priority order; also checks priorities are 1..n."""
    rules = Lifecycle.compose(presets).to_dict()["rules"]
    assert [r["rulePriority"] for r in rules] == list(range(1, len(rules) + 1))
    assert all(r["description"] for r in rules)
    return [(r["selection"], r["action"]) for r in rules]


EXPIRE = {"type": "expire"}
ARCHIVE = {"type": "transition", "targetStorageClass": "archive"}


def count(n: int, status: str = "any", **tags: list[str]) -> dict[str, Any]:
    return {"tagStatus": status, **tags, "countType": "imageCountMoreThan", "countNumber": n}


def age(kind: str, days: int, status: str = "any", **tags: Any) -> dict[str, Any]:
    return {
        "tagStatus": status,
        **tags,
        "countType": kind,
        "countUnit": "days",
        "countNumber": days,
    }


# -- The ECR User Guide's "Examples of lifecycle policies", one test each --------------


def test_guide_filtering_on_image_age() -> None:
    assert rendered([Lifecycle.expire_tagged(patterns=["prod*"], after_days=14)]) == [
        (age("sinceImagePushed", 14, "tagged", tagPatternList=["prod*"]), EXPIRE)
    ]


def test_guide_filtering_on_last_pulled_time() -> None:
    assert rendered([Lifecycle.archive_unpulled(90)]) == [(age("sinceImagePulled", 90), ARCHIVE)]


def test_guide_filtering_on_archive_transition_time() -> None:
    assert rendered([Lifecycle.expire_archived(365)]) == [
        ({**age("sinceImageTransitioned", 365), "storageClass": "archive"}, EXPIRE)
    ]


def test_guide_filtering_on_image_count_keeps_one_untagged() -> None:
    assert rendered([Lifecycle.expire_untagged(keep_last=1)]) == [(count(1, "untagged"), EXPIRE)]


def test_guide_multiple_rules_example_a_prod_then_beta() -> None:
    # Rule 1 prod* keep 1, rule 2 beta* keep 1: a patterns list renders them in order.
    assert rendered([Lifecycle.keep_last(1, patterns=["prod*", "beta*"])]) == [
        (count(1, "tagged", tagPatternList=["prod*"]), EXPIRE),
        (count(1, "tagged", tagPatternList=["beta*"]), EXPIRE),
    ]


def test_guide_multiple_rules_example_b_beta_then_prod() -> None:
    assert rendered(
        [Lifecycle.keep_last(1, patterns=["beta*"]), Lifecycle.keep_last(1, patterns=["prod*"])]
    ) == [
        (count(1, "tagged", tagPatternList=["beta*"]), EXPIRE),
        (count(1, "tagged", tagPatternList=["prod*"]), EXPIRE),
    ]


def test_guide_multiple_tags_in_one_rule_needs_raw_and_warns() -> None:
    # ECR's AND example (alpha* AND beta*) is only expressible verbatim; it warns.
    rule = {
        "selection": age("sinceImagePushed", 5, "tagged", tagPatternList=["alpha*", "beta*"]),
        "action": EXPIRE,
    }
    with pytest.warns(LifecyclePolicyWarning, match="ALL of them"):
        assert rendered([Lifecycle.raw(rule)]) == [(rule["selection"], EXPIRE)]


def test_guide_all_images_example_a_keep_one() -> None:
    assert rendered([Lifecycle.keep_last(1)]) == [(count(1), EXPIRE)]


def test_guide_all_images_example_b_combines_rule_types() -> None:
    assert rendered(
        [
            Lifecycle.keep_last(1, patterns=["alpha*"]),
            Lifecycle.expire_untagged(after_days=1),
            Lifecycle.keep_last(1),
        ]
    ) == [
        (count(1, "tagged", tagPatternList=["alpha*"]), EXPIRE),
        (age("sinceImagePushed", 1, "untagged"), EXPIRE),
        (count(1), EXPIRE),
    ]


def test_guide_archive_production_images_older_than_30_days() -> None:
    assert rendered([Lifecycle.archive_old(30, patterns=["prod*"])]) == [
        (age("sinceImagePushed", 30, "tagged", tagPatternList=["prod*"]), ARCHIVE)
    ]


def test_guide_combining_archive_and_expire() -> None:
    assert rendered([Lifecycle.archive_old(30), Lifecycle.expire_archived(365)]) == [
        (age("sinceImagePushed", 30), ARCHIVE),
        ({**age("sinceImageTransitioned", 365), "storageClass": "archive"}, EXPIRE),
    ]


def test_architecture_example_protect_prod_release_expire_dev_feature() -> None:
    assert rendered(
        [
            Lifecycle.protect_tags(prefixes=["prod", "release"]),
            Lifecycle.expire_untagged(after_days=1),
            Lifecycle.expire_tagged(prefixes=["dev", "feature"], after_days=7),
            Lifecycle.keep_last(10),
        ]
    ) == [
        (age("sinceImagePushed", 36_500, "tagged", tagPrefixList=["prod"]), EXPIRE),
        (age("sinceImagePushed", 36_500, "tagged", tagPrefixList=["release"]), EXPIRE),
        (age("sinceImagePushed", 1, "untagged"), EXPIRE),
        (age("sinceImagePushed", 7, "tagged", tagPrefixList=["dev"]), EXPIRE),
        (age("sinceImagePushed", 7, "tagged", tagPrefixList=["feature"]), EXPIRE),
        (count(10), EXPIRE),
    ]


# -- OR rendering, AND trap, names ------------------------------------------------------


def test_lists_render_one_rule_per_entry_never_an_and() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        policy = Lifecycle.compose([Lifecycle.protect_tags(prefixes=["prod", "release"])])
    lists = [r.tag_prefix_list for r in policy.rules]
    assert lists == [("prod",), ("release",)]
    assert policy.warnings == ()


def test_raw_with_several_prefixes_warns_and_names_the_preset() -> None:
    raw = Lifecycle.raw(
        rulePriority=7,
        description="AND on purpose",
        selection=count(3, "tagged", tagPrefixList=["team-a", "release"]),
        action=EXPIRE,
    )
    assert raw.name == "raw('AND on purpose')"
    with pytest.warns(LifecyclePolicyWarning) as recorded:
        policy = LifecyclePolicy.from_presets([Lifecycle.keep_last(2, prefixes=["x"]), raw])
    (warning,) = policy.warnings
    assert str(warning).startswith("lifecycle[1] raw('AND on purpose').selection.tagPrefixList ")
    assert "'team-a' AND 'release'" in str(recorded[0].message)
    assert recorded[0].message.problem == warning.problem  # type: ignore[union-attr]
    assert warning.problem is not None
    assert warning.problem.path == ("lifecycle", 1, "raw", "selection", "tagPrefixList")
    assert warning.problem.where == "lifecycle[1] raw('AND on purpose').selection.tagPrefixList"
    assert warning.problem.message.startswith("has 2 entries: ECR selects")
    assert policy.rules[1].rule_priority == 2  # list order replaced rulePriority 7


def test_names_and_descriptions_are_readable() -> None:
    preset = Lifecycle.expire_tagged(prefixes=["dev", "feature"], after_days=7)
    assert preset.name == "expire_tagged(prefixes=['dev', 'feature'], after_days=7)"
    assert preset.describe() == (
        "expire_tagged(prefixes=['dev', 'feature'], after_days=7): expires images tagged dev* "
        "or images tagged feature* 7 days after push"
    )
    assert [r.description for r in preset.rules] == [
        "Expire images tagged dev* pushed more than 7 days ago",
        "Expire images tagged feature* pushed more than 7 days ago",
    ]
    assert Lifecycle.keep_last(10).name == "keep_last(10)"
    assert Lifecycle.archive_unpulled(30, untagged=True).name == (
        "archive_unpulled(30, untagged=True)"
    )


# -- Protect, default -------------------------------------------------------------------


def test_protect_tags_cannot_delete_in_practice() -> None:
    (rule,) = Lifecycle.protect_tags(patterns=["v*"]).rules
    assert rule.tag_status is TagStatus.TAGGED
    assert rule.count_type.value == "sinceImagePushed"
    assert rule.count_number >= 36_500  # 100 years; ECR launched in 2015


def test_default_archives_untagged_and_never_deletes() -> None:
    policy = Lifecycle.compose(Lifecycle.DEFAULT)
    assert all(r.action_type is LifecycleAction.TRANSITION for r in policy.rules)
    assert policy.to_dict()["rules"] == [
        {
            "rulePriority": 1,
            "description": "Archive untagged images not pulled for 90 days",
            "selection": age("sinceImagePulled", 90, "untagged"),
            "action": ARCHIVE,
        }
    ]
    assert len(policy.to_json()) >= 100


# -- Composition errors name the presets ------------------------------------------------

COMBINATIONS: list[tuple[str, list[LifecyclePreset], str, str]] = [
    (
        "keep-last-first",
        [Lifecycle.keep_last(10), Lifecycle.protect_tags(prefixes=["prod"])],
        "lifecycle[0] keep_last(10)",
        "must be applied last in the standard storage class",
    ),
    (
        "two-untagged",
        [Lifecycle.expire_untagged(1), Lifecycle.archive_unpulled(30, untagged=True)],
        "lifecycle[1] archive_unpulled(30, untagged=True)",
        "lifecycle[0] expire_untagged(1) already does",
    ),
    (
        "same-prefix",
        [Lifecycle.protect_tags(prefixes=["prod"]), Lifecycle.keep_last(3, prefixes=["prod"])],
        "lifecycle[1] keep_last(3, prefixes=['prod'])",
        "already used by lifecycle[0] protect_tags(prefixes=['prod'])",
    ),
    (
        "same-pattern",
        [
            Lifecycle.keep_last(3, patterns=TagStrategy.SEMVER),
            Lifecycle.archive_old(9, patterns=["*.*.*"]),
        ],
        "lifecycle[1] archive_old(9, patterns=['*.*.*'])",
        "same tagPatternList",
    ),
    (
        "two-any",
        [Lifecycle.archive_unpulled(30), Lifecycle.keep_last(5)],
        "lifecycle[1] keep_last(5)",
        "only one rule with tagStatus any",
    ),
    (
        "too-many-rules",
        [Lifecycle.protect_tags(prefixes=[f"t{i}" for i in range(51)])],
        "lifecycle",
        "1 to 50 rules",
    ),
    (
        "empty",
        [],
        "lifecycle",
        "1 to 50 rules",
    ),
]


@pytest.mark.parametrize(
    ("presets", "where", "fragment"),
    [pytest.param(p, w, f, id=i) for i, p, w, f in COMBINATIONS],
)
def test_bad_combinations_name_the_presets(
    presets: list[LifecyclePreset], where: str, fragment: str
) -> None:
    with pytest.raises(LifecyclePolicyError) as caught:
        Lifecycle.compose(presets)
    matching = [p for p in caught.value.problems if fragment in p.message]
    assert matching, str(caught.value)
    assert matching[0].where == where
    assert "given " in str(matching[0]) and "allowed: " in str(matching[0])


# -- Bad preset arguments ---------------------------------------------------------------

BAD_ARGS: list[tuple[str, Callable[[], object], str, str]] = [
    ("keep-last-zero", lambda: Lifecycle.keep_last(0), "keep_last.count", "must be at least 1"),
    ("keep-last-str", lambda: Lifecycle.keep_last("10"), "keep_last.count", "must be an integer"),  # type: ignore[arg-type]
    (
        "prefixes-str",
        lambda: Lifecycle.keep_last(3, prefixes="prod"),
        "keep_last.prefixes",
        "must be a list of strings",
    ),
    (
        "prefixes-and-patterns",
        lambda: Lifecycle.keep_last(3, prefixes=["a"], patterns=["b*"]),
        "keep_last.patterns",
        "not both",
    ),
    (
        "prefix-twice",
        lambda: Lifecycle.protect_tags(prefixes=["prod", "prod"]),
        "protect_tags.prefixes[1]",
        "is listed twice",
    ),
    (
        "protect-nothing",
        lambda: Lifecycle.protect_tags(),
        "protect_tags",
        "needs prefixes or patterns",
    ),
    (
        "protect-empty",
        lambda: Lifecycle.protect_tags(patterns=[]),
        "protect_tags.patterns",
        "must not be empty",
    ),
    (
        "pattern-wildcards",
        lambda: Lifecycle.protect_tags(patterns=["*-*-*-*-*"]),
        "protect_tags.patterns[0]",
        "at most 4",
    ),
    (
        "prefix-star",
        lambda: Lifecycle.expire_tagged(prefixes=["dev*"], after_days=3),
        "expire_tagged.prefixes[0]",
        "only in tagPatternList",
    ),
    (
        "expire-tagged-both-counts",
        lambda: Lifecycle.expire_tagged(prefixes=["dev"], after_days=3, keep_last=2),
        "expire_tagged",
        "exactly one of after_days or keep_last",
    ),
    (
        "expire-tagged-untargeted",
        lambda: Lifecycle.expire_tagged(after_days=3),
        "expire_tagged",
        "needs prefixes or patterns",
    ),
    (
        "expire-untagged-none",
        lambda: Lifecycle.expire_untagged(),
        "expire_untagged",
        "exactly one of after_days or keep_last",
    ),
    (
        "expire-untagged-negative",
        lambda: Lifecycle.expire_untagged(-1),
        "expire_untagged.after_days",
        "must be at least 1",
    ),
    (
        "expire-archived-short",
        lambda: Lifecycle.expire_archived(30),
        "expire_archived.after_days",
        "must be at least 90",
    ),
    (
        "archive-untagged-not-bool",
        lambda: Lifecycle.archive_unpulled(30, untagged="yes"),  # type: ignore[arg-type]
        "archive_unpulled.untagged",
        "must be true or false",
    ),
    (
        "archive-zero-days",
        lambda: Lifecycle.archive_old(0),
        "archive_old.after_days",
        "must be at least 1",
    ),
    (
        "raw-missing-action",
        lambda: Lifecycle.raw({"selection": count(1)}),
        "raw.action",
        "action is required",
    ),
    (
        "raw-pulled-expire",
        lambda: Lifecycle.raw(selection=age("sinceImagePulled", 3), action=EXPIRE),
        "raw.action.type",
        "sinceImagePulled can only transition",
    ),
    (
        "raw-unknown-key",
        lambda: Lifecycle.raw(selection=count(1), action=EXPIRE, ttl=3),
        "raw.ttl",
        "unknown key 'ttl'",
    ),
    (
        "raw-dict-and-keywords",
        lambda: Lifecycle.raw({"selection": count(1)}, action=EXPIRE),
        "raw",
        "not both",
    ),
]


@pytest.mark.parametrize(
    ("make", "where", "fragment"),
    [pytest.param(m, w, f, id=i) for i, m, w, f in BAD_ARGS],
)
def test_bad_preset_arguments(make: Callable[[], object], where: str, fragment: str) -> None:
    with pytest.raises(LifecyclePolicyError) as caught:
        make()
    matching = [p for p in caught.value.problems if fragment in p.message]
    assert matching, str(caught.value)
    assert matching[0].where == where
    assert "given " in str(matching[0]) and "allowed: " in str(matching[0])


# -- Tag strategies ---------------------------------------------------------------------

STRATEGIES = {
    "SEMVER": (TagStrategy.SEMVER, ["1.2.3", "v1.2.3", "1.2.3-rc.1"], ["latest", "1.2"]),
    "GIT_SHA": (TagStrategy.GIT_SHA, ["sha-1a2b3c4"], ["1a2b3c4", "build-1"]),
    "BUILD_NUMBER": (TagStrategy.BUILD_NUMBER, ["build-123"], ["123", "sha-1"]),
    "DATE": (TagStrategy.DATE, ["2024-01-15"], ["20240115", "v1.2.3"]),
    "ENVIRONMENT": (TagStrategy.ENVIRONMENT, ["prod", "latest"], ["prod-1", "production"]),
}


def _matches(pattern: str, tag: str) -> bool:
    return re.fullmatch(".*".join(map(re.escape, pattern.split("*"))), tag) is not None


@pytest.mark.parametrize("name", STRATEGIES)
def test_tag_strategies_match_their_examples_and_render(name: str) -> None:
    patterns, yes, no = STRATEGIES[name]
    assert all(any(_matches(p, tag) for p in patterns) for tag in yes)
    assert not any(_matches(p, tag) for p in patterns for tag in no)
    preset = Lifecycle.keep_last(20, patterns=patterns)
    assert [r.tag_pattern_list for r in preset.rules] == [(p,) for p in patterns]


def test_environment_tags_fit_tag_mutability_exclusion_filters() -> None:
    assert 1 <= len(TagStrategy.ENVIRONMENT) <= 5
    assert all(re.fullmatch(r"[0-9a-zA-Z._*-]{1,128}", tag) for tag in TagStrategy.ENVIRONMENT)


# -- Property: compose either refuses or renders what the parser and cfn-lint accept ----

tags = st.lists(
    st.sampled_from(["prod", "dev", "release", "v", "feature"]), min_size=1, max_size=2, unique=True
)
days = st.integers(min_value=1, max_value=400)
preset_strategy = st.one_of(
    st.builds(Lifecycle.keep_last, days),
    st.builds(lambda n, p: Lifecycle.keep_last(n, prefixes=p), days, tags),
    st.builds(Lifecycle.expire_untagged, days),
    st.builds(lambda n: Lifecycle.expire_untagged(keep_last=n), days),
    st.builds(lambda p: Lifecycle.protect_tags(prefixes=p), tags),
    st.builds(lambda p: Lifecycle.protect_tags(patterns=[t + "*" for t in p]), tags),
    st.builds(lambda p, n: Lifecycle.expire_tagged(prefixes=p, after_days=n), tags, days),
    st.builds(lambda p, n: Lifecycle.expire_tagged(patterns=p, keep_last=n), tags, days),
    st.builds(lambda n, u: Lifecycle.archive_unpulled(n, untagged=u), days, st.booleans()),
    st.builds(lambda n, p: Lifecycle.archive_old(n, prefixes=p), days, tags),
    st.builds(Lifecycle.expire_archived, st.integers(min_value=90, max_value=1000)),
)


@settings(max_examples=100, deadline=None)
@given(st.lists(preset_strategy, max_size=8))
def test_random_preset_lists_refuse_or_render_valid_policies(
    presets: list[LifecyclePreset],
) -> None:
    try:
        policy = Lifecycle.compose(presets)
    except LifecyclePolicyError as error:
        assert error.problems
        assert all(p.where.startswith("lifecycle") for p in error.problems)
        return
    text = policy.to_json()
    assert LifecyclePolicy.from_json(text) == policy
    assert [r.rule_priority for r in policy.rules] == list(range(1, len(policy.rules) + 1))


@pytest.mark.slow
@settings(max_examples=25, deadline=None)
@given(st.lists(preset_strategy, min_size=1, max_size=8))
def test_random_rendered_policies_pass_cfn_lint(presets: list[LifecyclePreset]) -> None:
    try:
        text = Lifecycle.compose(presets).to_json()
    except LifecyclePolicyError:
        return
    template = {
        "Resources": {
            "Repository": {
                "Type": "AWS::ECR::Repository",
                "Properties": {"LifecyclePolicy": {"LifecyclePolicyText": text}},
            }
        }
    }
    assert cfn_lint_matches(template) == []
