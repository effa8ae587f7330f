"""The lifecycle simulator: the ECR guide's examples, each evaluation rule, and invariants."""

from __future__ import annotations

import fnmatch
import json
import random
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecr_constructs.errors import EcrConstructsError, LifecyclePolicyError
from ecr_constructs.lifecycle import (
    Image,
    ImageAction,
    ImageStatus,
    Lifecycle,
    LifecyclePolicy,
    SimulationResult,
    simulate,
)

NOW = datetime(2026, 1, 31, tzinfo=UTC)


def ago(days: float = 0, hours: float = 0) -> datetime:
    return NOW - timedelta(days=days, hours=hours)


def image(name: str, tags: Sequence[str] = (), days: float = 0, **fields: Any) -> Image:
    """An image named by its digest (``A``, ``B``...), pushed ``days`` ago."""
    return Image(digest=name, tags=tuple(tags), pushed_at=ago(days), **fields)


def rule(
    priority: int,
    status: str,
    count_type: str,
    number: int,
    *,
    action: str = "expire",
    **selection: Any,
) -> dict[str, Any]:
    chosen: dict[str, Any] = {"tagStatus": status, "countType": count_type, "countNumber": number}
    if count_type != "imageCountMoreThan":
        chosen["countUnit"] = "days"
    chosen.update(selection)
    act: dict[str, Any] = {"type": action}
    if action == "transition":
        act["targetStorageClass"] = "archive"
    return {
        "rulePriority": priority,
        "description": f"Rule {priority}",
        "selection": chosen,
        "action": act,
    }


def policy(*rules: dict[str, Any]) -> dict[str, Any]:
    return {"rules": list(rules)}


def run(rules: dict[str, Any], images: Sequence[Image]) -> SimulationResult:
    return simulate(rules, images, now=NOW)


# --- The guide's examples with images and outcomes ("Examples of lifecycle policies in Amazon
# ECR"). The current page writes tagPatternList ["prod*"]; its earlier edition wrote
# tagPrefixList ["prod"] for the same repositories and outcomes: both are tested.

TAG_SELECTIONS = {
    "pattern": lambda *entries: {"tagPatternList": [f"{entry}*" for entry in entries]},
    "prefix": lambda *entries: {"tagPrefixList": list(entries)},
}
MULTIPLE_RULES_REPOSITORY = [
    image("A", ["beta-1", "prod-1"], 10),
    image("B", ["beta-2", "prod-2"], 9),
    image("C", ["beta-3"], 8),
]


@pytest.mark.parametrize("kind", TAG_SELECTIONS)
def test_guide_multiple_rules_example_a(kind: str) -> None:
    tags = TAG_SELECTIONS[kind]
    result = run(
        policy(
            rule(1, "tagged", "imageCountMoreThan", 1, **tags("prod")),
            rule(2, "tagged", "imageCountMoreThan", 1, **tags("beta")),
        ),
        MULTIPLE_RULES_REPOSITORY,
    )
    # Rule 2 would mark A and B, but rule 1 saw both: only rule 1's A is expired.
    assert result.expired == ["A"]
    assert result.decision("A").rule_priority == 1
    assert result.kept == ["B", "C"]


@pytest.mark.parametrize("kind", TAG_SELECTIONS)
def test_guide_multiple_rules_example_b(kind: str) -> None:
    tags = TAG_SELECTIONS[kind]
    result = run(
        policy(
            rule(1, "tagged", "imageCountMoreThan", 1, **tags("beta")),
            rule(2, "tagged", "imageCountMoreThan", 1, **tags("prod")),
        ),
        MULTIPLE_RULES_REPOSITORY,
    )
    assert result.expired == ["A", "B"]
    assert {result.decision(d).rule_priority for d in result.expired} == {1}


@pytest.mark.parametrize("kind", TAG_SELECTIONS)
def test_guide_multiple_tags_in_one_rule_example_a(kind: str) -> None:
    images = [
        image("A", ["alpha-1"], 12),
        image("B", ["beta-1"], 11),
        image("C", ["alpha-2", "beta-2"], 10),
        image("D", ["alpha-3"], 4),
        image("E", ["beta-3"], 3),
        image("F", ["alpha-4", "beta-4"], 2),
    ]
    tags = TAG_SELECTIONS[kind]("alpha", "beta")
    with pytest.warns(UserWarning, match="ALL of them"):
        result = run(policy(rule(1, "tagged", "sinceImagePushed", 5, **tags)), images)
    assert result.expired == ["C"]


@pytest.mark.parametrize("kind", TAG_SELECTIONS)
def test_guide_multiple_tags_in_one_rule_example_b(kind: str) -> None:
    images = [
        image("A", ["alpha-1", "beta-1", "gamma-1"], 10),
        image("B", ["alpha-2", "beta-2"], 9),
        image("C", ["alpha-3", "beta-3", "gamma-2"], 8),
    ]
    tags = TAG_SELECTIONS[kind]("alpha", "beta")
    with pytest.warns(UserWarning, match="ALL of them"):
        result = run(policy(rule(1, "tagged", "imageCountMoreThan", 1, **tags)), images)
    assert result.expired == ["A", "B"]


def test_guide_all_images_example_a() -> None:
    images = [
        image("A", ["alpha-1"], 4),
        image("B", ["beta-1"], 3),
        image("C", [], 2),
        image("D", ["alpha-2"], 1),
    ]
    result = run(policy(rule(1, "any", "imageCountMoreThan", 1)), images)
    assert result.expired == ["A", "B", "C"]
    assert result.kept == ["D"]


def test_guide_all_images_example_b() -> None:
    # D and E are both "pushed 1 day ago"; the guide's outcome needs E to be the newer one
    # and, in elapsed time, less than 24 hours old (rule 2 keeps it).
    images = [
        image("A", ["alpha-1", "beta-1"], 4),
        image("B", [], 3),
        image("C", ["alpha-2"], 2),
        Image(digest="D", tags=("git hash",), pushed_at=ago(1)),
        Image(digest="E", pushed_at=ago(hours=23)),
    ]
    result = run(
        policy(
            rule(1, "tagged", "imageCountMoreThan", 1, tagPatternList=["alpha*"]),
            rule(2, "untagged", "sinceImagePushed", 1),
            rule(3, "any", "imageCountMoreThan", 1),
        ),
        images,
    )
    assert result.expired == ["A", "B", "D"]
    assert [result.decision(d).rule_priority for d in "ABD"] == [1, 2, 3]
    assert result.kept == ["C", "E"]  # C and E were selected by rules 1 and 2


# --- The guide's syntax-only examples (no images given there): images chosen here.


def test_guide_filtering_on_image_age() -> None:
    images = [image("old", ["prod-1"], 20), image("new", ["prod-2"], 3), image("dev", ["dev"], 30)]
    result = run(
        policy(rule(1, "tagged", "sinceImagePushed", 14, tagPatternList=["prod*"])), images
    )
    assert result.expired == ["old"]


def test_guide_keep_one_untagged_image() -> None:
    images = [image("u1", [], 3), image("u2", [], 2), image("u3", [], 1), image("t", ["x"], 9)]
    result = run(policy(rule(1, "untagged", "imageCountMoreThan", 1)), images)
    assert result.expired == ["u1", "u2"]


def test_guide_archive_not_pulled_for_90_days() -> None:
    images = [
        image("stale", ["a"], 400, last_pulled_at=ago(91)),
        image("used", ["b"], 400, last_pulled_at=ago(10)),
        image("never-pulled", ["c"], 95),
        image("young", ["d"], 30),
    ]
    result = run(policy(rule(1, "any", "sinceImagePulled", 90, action="transition")), images)
    assert result.archived == ["stale", "never-pulled"]
    assert result.expired == []


def test_guide_archive_then_expire_after_365_days() -> None:
    images = [
        image("fresh", [], 10),
        image("old", [], 31),
        image("archived-long", [], 900, status="ARCHIVED", archived_at=ago(400)),
        image("archived-recent", [], 900, status="ARCHIVED", archived_at=ago(100)),
    ]
    result = run(
        policy(
            rule(1, "any", "sinceImagePushed", 30, action="transition"),
            rule(2, "any", "sinceImageTransitioned", 365, storageClass="archive"),
        ),
        images,
    )
    assert result.archived == ["old"]
    assert result.expired == ["archived-long"]
    assert result.decision("archived-long").rule_priority == 2


# --- Evaluation rules one by one.


def test_ages_are_elapsed_time_and_the_exact_instant_counts_as_past() -> None:
    images = [
        Image(digest="13-and-23h", pushed_at=ago(13, hours=23)),
        Image(digest="just-under-14", pushed_at=ago(14) + timedelta(microseconds=1)),
        image("exactly-14", [], 14),
        Image(digest="14-and-1h", pushed_at=ago(14, hours=1)),
    ]
    result = run(policy(rule(1, "untagged", "sinceImagePushed", 14)), images)
    assert result.expired == ["exactly-14", "14-and-1h"]
    an_hour_later = simulate(
        policy(rule(1, "untagged", "sinceImagePushed", 14)),
        images,
        now=NOW + timedelta(hours=1),
    )
    assert an_hour_later.expired == ["13-and-23h", "just-under-14", "exactly-14", "14-and-1h"]


def test_pull_age_falls_back_to_restore_then_push_time() -> None:
    images = [
        image("pulled-recently", [], 200, last_pulled_at=ago(5)),
        image("restored-recently", [], 200, last_pulled_at=ago(150), activated_at=ago(5)),
        image("restored-long-ago", [], 200, activated_at=ago(120)),
        image("never-pulled-young", [], 20),
    ]
    result = run(policy(rule(1, "any", "sinceImagePulled", 90, action="transition")), images)
    assert result.archived == ["restored-long-ago"]


def test_restored_image_counts_from_its_restore_time() -> None:
    images = [
        image("old-restored", ["a"], 300, activated_at=ago(1)),
        image("newer", ["b"], 10),
    ]
    count = run(policy(rule(1, "any", "imageCountMoreThan", 1)), images)
    assert count.expired == ["newer"]  # the restored image is the newest
    age = run(policy(rule(1, "any", "sinceImagePushed", 30)), images)
    assert age.expired == []


def test_rules_select_only_their_storage_class() -> None:
    images = [
        image("active", [], 500),
        image("archived", [], 500, status="ARCHIVED", archived_at=ago(200)),
        image("restoring", [], 500, status="ACTIVATING", archived_at=ago(200)),
    ]
    standard = run(policy(rule(1, "any", "sinceImagePushed", 30)), images)
    assert standard.expired == ["active"]
    archive = run(
        policy(rule(1, "any", "sinceImageTransitioned", 90, storageClass="archive")), images
    )
    assert archive.expired == ["archived"]
    assert archive.decision("restoring").reason == "being restored (ACTIVATING)"


def test_count_rules_count_their_storage_class_only() -> None:
    images = [image(f"s{i}", [], i) for i in range(3)] + [
        image(f"a{i}", [], i, status="ARCHIVED", archived_at=ago(100)) for i in range(3)
    ]
    result = run(policy(rule(1, "any", "imageCountMoreThan", 2)), images)
    assert result.expired == ["s2"]


def test_protecting_rule_keeps_tags_from_every_lower_rule() -> None:
    policy_ = Lifecycle.compose(
        [
            Lifecycle.protect_tags(prefixes=["prod"]),
            Lifecycle.archive_old(30, untagged=True),
            Lifecycle.keep_last(1),
        ]
    )
    images = [
        image("prod", ["prod-1"], 400),
        image("old", [], 400),
        image("mid", ["z"], 100),
        image("new", ["y"], 1),
    ]
    result = simulate(policy_, images, now=NOW)
    assert result.kept == ["prod", "new"]
    assert result.archived == ["old"]
    assert result.expired == ["mid"]
    assert result.decision("mid").rule_priority == 3


def test_archive_minimum_90_days_the_strictest_policy_keeps_younger_archives() -> None:
    with pytest.raises(LifecyclePolicyError, match="90-day minimum"):
        simulate(
            policy(rule(1, "any", "sinceImageTransitioned", 89, storageClass="archive")),
            [],
            now=NOW,
        )
    under_90 = ago(90) + timedelta(microseconds=1)
    images = [
        image("89", [], 900, status="ARCHIVED", archived_at=ago(89)),
        image("just-under-90", [], 900, status="ARCHIVED", archived_at=under_90),
        image("90", [], 900, status="ARCHIVED", archived_at=ago(90)),
        image("91", [], 900, status="ARCHIVED", archived_at=ago(91)),
    ]
    result = run(
        policy(rule(1, "any", "sinceImageTransitioned", 90, storageClass="archive")), images
    )
    assert result.expired == ["90", "91"]


def test_pattern_matches_whole_tags_with_wildcards() -> None:
    images = [
        image(tag, [tag], 100)
        for tag in ("prod", "prod1", "production-team1", "repo-production", "preprod")
    ]
    starts = run(policy(rule(1, "tagged", "sinceImagePushed", 1, tagPatternList=["prod*"])), images)
    assert starts.expired == ["prod", "prod1", "production-team1"]
    contains = run(
        policy(rule(1, "tagged", "sinceImagePushed", 1, tagPatternList=["*prod*"])), images
    )
    assert contains.expired == [i.digest for i in images]
    exact = run(policy(rule(1, "tagged", "sinceImagePushed", 1, tagPatternList=["prod"])), images)
    assert exact.expired == ["prod"]
    inner = run(
        policy(rule(1, "tagged", "sinceImagePushed", 1, tagPatternList=["p*d*n*1"])), images
    )
    assert inner.expired == ["production-team1"]


def test_prefix_is_a_literal_start_of_a_tag() -> None:
    images = [image("a", ["v1.2"], 100), image("b", ["v1x"], 100), image("c", ["xv1."], 100)]
    result = run(policy(rule(1, "tagged", "sinceImagePushed", 1, tagPrefixList=["v1."])), images)
    assert result.expired == ["a"]


def test_equal_push_times_are_ordered_by_digest_whatever_the_input_order() -> None:
    same = [image(d, [], 5) for d in ("c", "a", "b")]
    for images in (same, same[::-1]):
        result = run(policy(rule(1, "any", "imageCountMoreThan", 1)), images)
        assert result.kept == ["a"]


def test_manifest_list_holds_the_images_it_references() -> None:
    children = [image("amd64", [], 30), image("arm64", [], 30)]
    kept_list = image("index", ["v1"], 30, manifest_digests=("amd64", "arm64"))
    result = run(policy(rule(1, "untagged", "sinceImagePushed", 7)), [*children, kept_list])
    assert result.expired == []
    assert result.decision("amd64").reason == "referenced by manifest list index, which is kept"

    expired_list = image("index", ["v1"], 30, manifest_digests=("amd64", "arm64"))
    both = run(
        policy(
            rule(1, "untagged", "sinceImagePushed", 7),
            rule(2, "tagged", "sinceImagePushed", 7, tagPrefixList=["v"]),
        ),
        [*children, expired_list],
    )
    assert both.expired == ["amd64", "arm64", "index"]


def test_an_archived_manifest_list_no_longer_holds_its_images() -> None:
    children = [image("amd64", [], 30), image("arm64", [], 30)]
    archived_list = image(
        "index",
        ["v1"],
        30,
        manifest_digests=("amd64", "arm64"),
        status="ARCHIVED",
        archived_at=ago(10),
    )
    result = run(policy(rule(1, "untagged", "sinceImagePushed", 7)), [*children, archived_list])
    assert result.expired == ["amd64", "arm64"]
    assert result.decision("amd64").reason is None
    assert result.decision("index").action is ImageAction.KEEP
    archiving = run(
        policy(rule(1, "untagged", "sinceImagePushed", 7, action="transition")),
        [*children, archived_list],
    )
    assert archiving.archived == ["amd64", "arm64"]


def test_a_manifest_list_being_restored_does_not_hold_its_images() -> None:
    # A documented choice: ECR does not say whether a list still restoring protects; the
    # preview errs toward reporting the deletion.
    children = [image("amd64", [], 30)]
    restoring = image("index", ["v1"], 30, manifest_digests=("amd64",), status="ACTIVATING")
    result = run(policy(rule(1, "untagged", "sinceImagePushed", 7)), [*children, restoring])
    assert result.expired == ["amd64"]


def test_a_list_that_is_also_the_artifact_of_an_image_it_references_does_not_hold_it() -> None:
    # A documented choice: the list would follow the image and the image wait for the list;
    # ECR does not say which gives way, so the preview reports the action.
    child = image("child", [], 30)
    index = image("index", ["v1"], 5, manifest_digests=("child",), subject_digest="child")
    for images in ([child, index], [index, child]):
        result = run(policy(rule(1, "untagged", "sinceImagePushed", 7)), images)
        assert result.expired == [i.digest for i in images]
        assert result.decision("index").reason == "follows its subject child"


def test_the_list_named_as_holding_an_image_does_not_depend_on_the_input_order() -> None:
    child = image("child", [], 30)
    lists = [image(name, [name], 5, manifest_digests=("child",)) for name in ("b-list", "a-list")]
    for images in ([child, *lists], [*lists[::-1], child]):
        result = run(policy(rule(1, "untagged", "sinceImagePushed", 7)), images)
        assert (
            result.decision("child").reason == "referenced by manifest list a-list, which is kept"
        )


def test_artifact_follows_its_subject() -> None:
    images = [
        image("subject", ["dev-1"], 30),
        image("signature", [], 30, subject_digest="subject", artifact_media_type="sig"),
        image("sbom", [], 30, subject_digest="kept", artifact_media_type="sbom"),
        image("kept", ["prod"], 30),
    ]
    result = run(policy(rule(1, "tagged", "sinceImagePushed", 7, tagPrefixList=["dev"])), images)
    assert result.expired == ["subject", "signature"]
    assert result.decision("signature").rule_priority == 1
    assert result.decision("signature").reason == "follows its subject subject"
    archived = run(
        policy(
            rule(1, "tagged", "sinceImagePushed", 7, tagPrefixList=["dev"], action="transition")
        ),
        images,
    )
    assert archived.archived == ["subject", "signature"]


def test_result_dict_has_exactly_the_documented_shape() -> None:
    images = [
        image("A", ["v1"], 10, size_bytes=1_000),
        image("B", [], 10, size_bytes=500),
        image("C", ["v2"], 1),
    ]
    result = run(
        policy(
            rule(1, "untagged", "sinceImagePushed", 5, action="transition"),
            rule(2, "any", "sinceImagePushed", 5),
        ),
        images,
    )
    assert result.to_dict() == {
        "expired": ["A"],
        "archived": ["B"],
        "kept": ["C"],
        "decisions": [
            {"imageDigest": "A", "imageTags": ["v1"], "action": "expire", "rulePriority": 2},
            {"imageDigest": "B", "imageTags": [], "action": "transition", "rulePriority": 1},
            {"imageDigest": "C", "imageTags": ["v2"], "action": "keep", "rulePriority": None},
        ],
    }
    assert json.loads(json.dumps(result.to_dict())) == result.to_dict()
    assert (result.bytes_freed, result.bytes_archived) == (1_000, 500)
    assert [d.action for d in result.decisions] == [
        ImageAction.EXPIRE,
        ImageAction.TRANSITION,
        ImageAction.KEEP,
    ]
    with pytest.raises(KeyError):
        result.decision("missing")


def test_policy_in_every_accepted_form_gives_the_same_result() -> None:
    document = policy(rule(1, "any", "imageCountMoreThan", 1))
    text = json.dumps(document)
    images = [image("A", [], 2), image("B", [], 1)]
    forms = [
        document,
        text,
        text.encode(),
        LifecyclePolicy.from_dict(document),
        {"registryId": "123456789012", "repositoryName": "r", "lifecyclePolicyText": text},
    ]
    assert {tuple(simulate(form, images, now=NOW).expired) for form in forms} == {("A",)}


@pytest.mark.parametrize(
    ("given", "fragment"),
    [
        (42, "policy: is not a lifecycle policy (given 'int'"),
        ("{not json", "policy:1:2: is not valid JSON"),
        ("[" * 100_000, "policy:1:101: nests arrays and objects more than 100 deep"),
        (b'{"rules": "\x80"}', "policy:1:12: is not UTF-8 text"),
        (
            {"rules": [rule(1, "any", "imageCountMoreThan", 0)]},
            "rules[0].selection.countNumber: must be at least 1",
        ),
    ],
)
def test_invalid_policy_is_refused_with_its_location(given: Any, fragment: str) -> None:
    with pytest.raises(LifecyclePolicyError) as caught:
        simulate(given, [], now=NOW)
    assert fragment in str(caught.value)


def test_now_defaults_to_the_current_time_and_naive_means_utc() -> None:
    images = [Image(digest="A", pushed_at=datetime.now(UTC) - timedelta(days=3))]
    document = policy(rule(1, "any", "sinceImagePushed", 2))
    assert simulate(document, images).expired == ["A"]
    naive = simulate(document, images, now=datetime(2000, 1, 1))
    assert naive.now.tzinfo is UTC and naive.expired == []


@pytest.mark.parametrize(
    "now",
    ["2026-01-31", "2026-01-31T00:00:00Z", "2026-01-31T01:00:00+01:00", NOW.timestamp(), NOW],
)
def test_now_takes_every_timestamp_form_the_images_file_takes(now: Any) -> None:
    images = [image("A", [], 3), image("B", [], 1)]
    result = simulate(policy(rule(1, "any", "sinceImagePushed", 2)), images, now=now)
    assert result.now == NOW
    assert result.expired == ["A"]


@pytest.mark.parametrize(
    ("now", "message"),
    [
        ("tomorrow", "now: is not an ISO 8601 timestamp (given 'tomorrow'; allowed: a datetime"),
        (date(2026, 1, 31), "now: is not a timestamp (given datetime.date(2026, 1, 31)"),
        (float("nan"), "now: is out of range for a timestamp (given nan"),
    ],
)
def test_now_in_another_form_is_refused_clearly(now: Any, message: str) -> None:
    with pytest.raises(EcrConstructsError) as caught:
        simulate(policy(rule(1, "any", "sinceImagePushed", 2)), [], now=now)
    (problem,) = caught.value.problems
    assert str(problem).startswith(message)
    assert problem.path == ("now",)


def test_36_hours_is_more_than_one_day_for_every_age() -> None:
    pushed = image("pushed", [], 1.5)
    pulled = image("pulled", ["t"], 400, last_pulled_at=ago(1.5))
    archived = image("archived", [], 900, status="ARCHIVED", archived_at=ago(90.5))
    young = image("young", [], 0.5)
    result = run(
        policy(
            rule(1, "untagged", "sinceImagePushed", 1),
            rule(2, "tagged", "sinceImagePulled", 1, action="transition", tagPrefixList=["t"]),
            rule(3, "any", "sinceImageTransitioned", 90, storageClass="archive"),
        ),
        [pushed, pulled, archived, young],
    )
    assert result.expired == ["pushed", "archived"]
    assert result.archived == ["pulled"]
    assert result.kept == ["young"]


def test_a_restore_earlier_than_the_push_counts_from_the_push() -> None:
    # ECR leaves it open (a re-push after a restore): the later of the two times counts.
    images = [image("A", [], 10, activated_at=ago(20)), image("B", [], 15)]
    result = run(policy(rule(1, "any", "imageCountMoreThan", 1)), images)
    assert result.expired == ["B"]
    aged = run(policy(rule(1, "any", "sinceImagePushed", 12)), images)
    assert aged.expired == ["B"]


def test_patterns_with_many_wildcards_match_long_tags_correctly() -> None:
    # 200 tags of 128 characters that a backtracking matcher needs seconds to refuse.
    near_misses = [f"{'a' * 118}{n:09d}b" for n in range(200)]
    three_a = [f"{n:09d}{'b' * 116}aaa" for n in range(200)]  # ends like a match, one a short
    matches = [f"{n:09d}{'a' * 119}" for n in range(200)]
    images = [image(f"miss-{n}", [tag], 5) for n, tag in enumerate(near_misses + three_a)]
    images += [image(f"hit-{n}", [tag], 5) for n, tag in enumerate(matches)]
    document = policy(rule(1, "tagged", "sinceImagePushed", 1, tagPatternList=["*a*a*a*a"]))
    result = run(document, images)
    assert result.expired == [f"hit-{n}" for n in range(200)]


@settings(max_examples=300, deadline=None)
@given(
    st.text("ab*", min_size=1, max_size=8).filter(lambda p: 0 < p.count("*") <= 4),
    st.lists(st.text("ab", min_size=1, max_size=10), min_size=1, max_size=8, unique=True),
)
def test_pattern_matching_agrees_with_fnmatch(pattern: str, tags: list[str]) -> None:
    images = [image(f"i{n}", [tag], 5) for n, tag in enumerate(tags)]
    document = policy(rule(1, "tagged", "sinceImagePushed", 1, tagPatternList=[pattern]))
    expected = [f"i{n}" for n, tag in enumerate(tags) if fnmatch.fnmatchcase(tag, pattern)]
    assert run(document, images).expired == expected


def test_huge_day_counts_select_nothing() -> None:
    images = [image("A", [], 10_000)]
    result = run(policy(rule(1, "any", "sinceImagePushed", 10**9)), images)
    assert result.expired == []


def test_empty_repository() -> None:
    result = run(policy(rule(1, "any", "imageCountMoreThan", 1)), [])
    assert result.to_dict() == {"expired": [], "archived": [], "kept": [], "decisions": []}


# --- Invariants, on generated repositories and valid policies, and agreement with a
# straightforward reference evaluator.

TAG_WORDS = ("prod", "beta", "dev", "rel")
tag_strategy = st.builds(
    lambda word, n: f"{word}-{n}", st.sampled_from(TAG_WORDS), st.integers(0, 3)
)
PATTERN_FORMS = ("{}*", "*{}*", "{}-*", "*{}-1", "{}-2")
STATUSES = [ImageStatus.ACTIVE] * 4 + [ImageStatus.ARCHIVED, ImageStatus.ACTIVATING]


@st.composite
def images_strategy(draw: st.DrawFn) -> list[Image]:
    """Up to 25 images; times in whole days, so equal push times are common."""
    count = draw(st.integers(0, 25))
    days = st.integers(0, 400)
    images = []
    for index in range(count):
        status = draw(st.sampled_from(STATUSES))
        images.append(
            Image(
                digest=f"sha256:{draw(st.integers(0, 9999)):04d}-{index}",
                tags=tuple(draw(st.lists(tag_strategy, max_size=3, unique=True))),
                pushed_at=ago(draw(days)),
                last_pulled_at=draw(st.none() | st.builds(ago, days)),
                status=status,
                archived_at=ago(draw(days)) if status is not ImageStatus.ACTIVE else None,
                activated_at=draw(st.none() | st.builds(ago, days)),
            )
        )
    return images


@st.composite
def policy_strategy(draw: st.DrawFn) -> LifecyclePolicy:
    """Valid policies: tagged rules on distinct words (as a prefix or a pattern), at most one
    untagged rule, an optional catch-all last in the standard class, archive expiry."""
    rules: list[dict[str, Any]] = []
    entries = draw(st.lists(st.sampled_from(TAG_WORDS), unique=True, max_size=4))
    kinds = ["untagged"] if draw(st.booleans()) else []
    for entry in entries + kinds:
        count_type = draw(
            st.sampled_from(["imageCountMoreThan", "sinceImagePushed", "sinceImagePulled"])
        )
        number = draw(
            st.integers(1, 5) if count_type == "imageCountMoreThan" else st.integers(1, 300)
        )
        action = (
            "transition"
            if count_type == "sinceImagePulled"
            else draw(st.sampled_from(["expire", "transition"]))
        )
        selection: dict[str, Any] = {}
        if entry != "untagged":
            if draw(st.booleans()):
                selection["tagPrefixList"] = [entry]
            else:
                selection["tagPatternList"] = [draw(st.sampled_from(PATTERN_FORMS)).format(entry)]
        status = "tagged" if entry != "untagged" else "untagged"
        rules.append(rule(0, status, count_type, number, action=action, **selection))
    draw(st.randoms()).shuffle(rules)
    if draw(st.booleans()):
        rules.append(rule(0, "any", "imageCountMoreThan", draw(st.integers(1, 10))))
    if draw(st.booleans()):
        days = draw(st.integers(90, 300))
        rules.append(rule(0, "any", "sinceImageTransitioned", days, storageClass="archive"))
    if not rules:
        rules.append(rule(0, "any", "imageCountMoreThan", 3))
    for priority, item in enumerate(rules, start=1):
        item["rulePriority"] = priority * 10
    return LifecyclePolicy.from_dict({"rules": rules})


def reference_matches(rule_: Any, tags: tuple[str, ...]) -> bool:
    if rule_.tag_status.value == "any":
        return True
    if rule_.tag_status.value == "untagged":
        return not tags
    if rule_.tag_prefix_list is not None:
        tests = [lambda tag, p=p: tag.startswith(p) for p in rule_.tag_prefix_list]
    else:
        tests = [re.compile(p.replace("*", ".*")).fullmatch for p in rule_.tag_pattern_list]
    return bool(tags) and all(any(test(tag) for tag in tags) for test in tests)


def reference_selection(rule_: Any, images: Sequence[Image]) -> list[Image]:
    """A rule's selection, written the obvious way."""
    archive = rule_.effective_storage_class.value == "archive"
    status = ImageStatus.ARCHIVED if archive else ImageStatus.ACTIVE
    return [i for i in images if i.status is status and reference_matches(rule_, i.tags)]


def pushed(item: Image) -> datetime:
    return max(item.pushed_at, item.activated_at or item.pushed_at)


def reference(policy_: LifecyclePolicy, images: Sequence[Image]) -> dict[str, tuple[str, int]]:
    """Rule marks, evaluated rule by rule over every image: {digest: (action, priority)}."""
    marks: dict[str, tuple[str, int]] = {}
    selected_above: set[str] = set()
    events = {
        "sinceImagePushed": pushed,
        "sinceImagePulled": lambda i: max(pushed(i), i.last_pulled_at or pushed(i)),
        "sinceImageTransitioned": lambda i: i.archived_at,
    }
    for rule_ in policy_.rules:
        chosen = reference_selection(rule_, images)
        number = rule_.count_number
        if rule_.count_type.value == "imageCountMoreThan":
            newest = sorted(sorted(chosen, key=lambda i: i.digest), key=pushed, reverse=True)
            candidates = newest[number:]
        else:
            event = events[rule_.count_type.value]
            candidates = [i for i in chosen if NOW - event(i) >= timedelta(days=number)]
        for item in candidates:
            if item.digest not in selected_above:
                marks.setdefault(item.digest, (rule_.action_type.value, rule_.rule_priority))
        selected_above.update(i.digest for i in chosen)
    return marks


@settings(max_examples=100, deadline=None)
@given(policy_strategy(), images_strategy())
def test_simulate_agrees_with_a_rule_by_rule_reference(
    policy_: LifecyclePolicy, images: list[Image]
) -> None:
    result = simulate(policy_, images, now=NOW)
    expected = reference(policy_, images)
    for decision in result.decisions:
        action, priority = expected.get(decision.image.digest, ("keep", None))
        assert (decision.action.value, decision.rule_priority) == (action, priority)


@settings(max_examples=100, deadline=None)
@given(policy_strategy(), images_strategy())
def test_one_action_per_image_and_the_lists_partition_the_images(
    policy_: LifecyclePolicy, images: list[Image]
) -> None:
    result = simulate(policy_, images, now=NOW)
    assert [d.image for d in result.decisions] == images
    lists = result.expired + result.archived + result.kept
    assert sorted(lists) == sorted(i.digest for i in images)
    for decision in result.decisions:
        assert (decision.rule_priority is None) == (decision.action is ImageAction.KEEP)


@settings(max_examples=100, deadline=None)
@given(policy_strategy(), images_strategy())
def test_an_image_selected_by_a_rule_is_never_acted_on_by_a_lower_one(
    policy_: LifecyclePolicy, images: list[Image]
) -> None:
    result = simulate(policy_, images, now=NOW)
    first_selector: dict[str, int] = {}
    for rule_ in policy_.rules:
        for item in reference_selection(rule_, images):
            first_selector.setdefault(item.digest, rule_.rule_priority)
    for decision in result.decisions:
        if decision.rule_priority is not None:
            assert decision.rule_priority == first_selector[decision.image.digest]


@settings(max_examples=100, deadline=None)
@given(policy_strategy(), images_strategy(), st.integers(1, 6), st.sampled_from(TAG_WORDS))
def test_a_count_rule_never_acts_on_the_newest_n_of_its_selection(
    policy_: LifecyclePolicy, images: list[Image], keep: int, word: str
) -> None:
    document = policy_.to_dict()
    document["rules"] = [
        r for r in document["rules"] if r["selection"].get("tagPrefixList") != [word]
    ]
    added = rule(1, "tagged", "imageCountMoreThan", keep, tagPrefixList=[word])
    document["rules"].insert(0, added)
    for position, item in enumerate(document["rules"], start=1):
        item["rulePriority"] = position
    extended = LifecyclePolicy.from_dict(document)
    result = simulate(extended, images, now=NOW)
    selection = reference_selection(extended.rules[0], images)
    newest = sorted(selection, key=lambda i: (-pushed(i).timestamp(), i.digest))[:keep]
    for item in newest:
        assert result.decision(item.digest).action is ImageAction.KEEP


@settings(max_examples=100, deadline=None)
@given(policy_strategy(), images_strategy(), st.randoms())
def test_decisions_are_deterministic_and_independent_of_input_order(
    policy_: LifecyclePolicy, images: list[Image], rng: random.Random
) -> None:
    first = simulate(policy_, images, now=NOW)
    assert simulate(policy_, images, now=NOW) == first
    shuffled = list(images)
    rng.shuffle(shuffled)
    again = simulate(policy_, shuffled, now=NOW)
    assert {d.image.digest: d for d in again.decisions} == {
        d.image.digest: d for d in first.decisions
    }


@settings(max_examples=100, deadline=None)
@given(images_strategy(), st.data())
def test_no_image_is_acted_on_while_a_manifest_list_referencing_it_is_kept(
    images: list[Image], data: st.DataObject
) -> None:
    if len(images) < 2:
        return
    holder = data.draw(st.sampled_from(images))
    children = data.draw(
        st.lists(st.sampled_from([i.digest for i in images if i is not holder]), unique=True)
    )
    linked = [
        Image(**{**_fields(i), "manifest_digests": tuple(children)}) if i is holder else i
        for i in images
    ]
    result = simulate(policy(rule(1, "any", "imageCountMoreThan", 1)), linked, now=NOW)
    held = holder.status is ImageStatus.ACTIVE
    if held and result.decision(holder.digest).action is ImageAction.KEEP:
        for child in children:
            assert result.decision(child).action is ImageAction.KEEP


def _fields(item: Image) -> dict[str, Any]:
    return {name: getattr(item, name) for name in Image.__dataclass_fields__}


def test_a_repository_s_deployed_policy_can_be_simulated() -> None:
    from ecr_constructs.repository import Repository
    from tests.gates import new_stack

    repository = Repository(
        new_stack(),
        "App",
        repository_name="app",
        lifecycle=[
            Lifecycle.protect_tags(prefixes=["prod"]),
            Lifecycle.expire_untagged(after_days=1),
            Lifecycle.keep_last(2),
        ],
    )
    images = [
        image("prod-old", ["prod-1"], 90),
        image("untagged", [], 3),
        image("a", ["a"], 5),
        image("b", ["b"], 4),
        image("c", ["c"], 2),
    ]
    result = simulate(repository.lifecycle_policy, images, now=NOW)
    # keep_last(2) still counts the untagged image the rule above expires: c and it are
    # the newest two, so b goes as well.
    assert result.expired == ["untagged", "a", "b"]
    assert [result.decision(d).rule_priority for d in result.expired] == [2, 3, 3]
    assert result.kept == ["prod-old", "c"]
