"""A live repository's settings said in the file's vocabulary exactly, and grouped into
standards as a person writes them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from ecr_constructs.errors import EcrConstructsError
from ecr_constructs.lifecycle import Lifecycle, LifecyclePolicy, LifecyclePreset
from ecr_constructs.live.adoption import access_keys, adopt, lifecycle_items
from ecr_constructs.live.grouping import MAX_OVERRIDES, group
from ecr_constructs.live.repositories import LiveRepository
from ecr_constructs.policy import RepositoryAccess
from ecr_constructs.settings import RepositorySettings
from ecr_constructs.standards.registry_file.models import ACCESS_KEYS
from ecr_constructs.standards.registry_file.presets import build_preset

prefixes = st.lists(
    st.sampled_from(["prod", "release", "dev"]), min_size=1, max_size=2, unique=True
)
patterns = st.lists(st.sampled_from(["v*", "sha-*", "*-rc*"]), min_size=1, max_size=2, unique=True)
days = st.integers(1, 400)


@st.composite
def presets(draw: st.DrawFn) -> list[LifecyclePreset]:
    """A list of presets, in an order people use them."""
    chosen: list[LifecyclePreset] = []
    if draw(st.booleans()):
        chosen.append(Lifecycle.protect_tags(prefixes=draw(prefixes)))
    if draw(st.booleans()):
        if draw(st.booleans()):
            chosen.append(Lifecycle.expire_untagged(after_days=draw(days)))
        else:
            chosen.append(Lifecycle.expire_untagged(keep_last=draw(days)))
    if draw(st.booleans()):
        chosen.append(Lifecycle.expire_tagged(prefixes=draw(prefixes), after_days=draw(days)))
    if draw(st.booleans()):
        chosen.append(Lifecycle.keep_last(draw(days), patterns=draw(patterns)))
    if draw(st.booleans()):
        archive = draw(st.sampled_from([Lifecycle.archive_unpulled, Lifecycle.archive_old]))
        chosen.append(archive(draw(days), untagged=draw(st.booleans())))
    if draw(st.booleans()):
        chosen.append(Lifecycle.expire_archived(draw(st.integers(90, 800))))
    if draw(st.booleans()):
        chosen.append(Lifecycle.keep_last(draw(days)))
    return chosen


def composed(items: list[dict[str, Any]]) -> LifecyclePolicy:
    built = [build_preset(name, args, ())[0] for item in items for name, args in item.items()]
    return LifecyclePolicy.from_presets([preset for preset in built if preset is not None])


@given(presets())
def test_a_policy_the_presets_render_comes_back_as_those_presets(
    chosen: list[LifecyclePreset],
) -> None:
    try:
        policy = LifecyclePolicy.from_presets(chosen)
    except EcrConstructsError:
        assume(False)
        raise
    items = lifecycle_items(policy.to_json())
    assert all("raw" not in item for item in items)
    assert composed(items) == policy
    assert len(items) <= len(policy.rules)


def test_presets_are_written_as_a_person_writes_them() -> None:
    policy = LifecyclePolicy.from_presets(
        [
            Lifecycle.protect_tags(prefixes=["prod", "release"]),
            Lifecycle.archive_unpulled(90, prefixes=["dev", "feature"], untagged=True),
            Lifecycle.keep_last(10),
        ]
    )
    assert lifecycle_items(policy.to_json()) == [
        {"protect_tags": {"prefixes": ["prod", "release"]}},
        {"archive_unpulled": {"after_days": 90, "prefixes": ["dev", "feature"], "untagged": True}},
        {"keep_last": {"count": 10}},
    ]


def test_a_hand_written_policy_becomes_raw_rules_in_order() -> None:
    keep_three = {
        "description": "keep 3",
        "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 3},
        "action": {"type": "expire"},
    }
    both_tags = {  # several prefixes select only images with all of them: no preset does that
        "selection": {
            "tagStatus": "tagged",
            "tagPrefixList": ["a", "b"],
            "countType": "imageCountMoreThan",
            "countNumber": 1,
        },
        "action": {"type": "expire"},
    }
    text = json.dumps(
        {"rules": [{"rulePriority": 5, **keep_three}, {"rulePriority": 1, **both_tags}]}
    )
    assert lifecycle_items(text) == [{"raw": both_tags}, {"raw": keep_three}]


accounts = st.lists(
    st.sampled_from(["111111111111", "222222222222", "333333333333"]), unique=True, max_size=2
)
principals = st.lists(
    st.sampled_from(["arn:aws:iam::444444444444:role/ci", "arn:aws:iam::555555555555:user/me"]),
    unique=True,
    max_size=2,
)


@given(
    st.fixed_dictionaries(
        {
            "pull_accounts": accounts,
            "push_accounts": accounts,
            "pull_principals": principals,
            "push_principals": principals,
            "pull_organizations": st.lists(
                st.sampled_from(["o-a1b2c3d4e5", "o-f6g7h8i9j0"]), unique=True, max_size=2
            ),
            "push_organizations": st.lists(
                st.sampled_from(["o-a1b2c3d4e5", "o-k1l2m3n4o5"]), unique=True, max_size=2
            ),
            "lambda_pull_accounts": accounts,
        }
    )
)
def test_a_policy_the_access_lists_render_comes_back_as_those_lists(
    lists: dict[str, list[str]],
) -> None:
    assume(any(lists.values()))
    settings = RepositorySettings(access=RepositoryAccess.from_settings(**lists))
    text = json.dumps(settings.policy_document("aws"))
    found, unchecked = access_keys(text, "aws")
    assert not unchecked
    assert found["statements"] == []
    assert {k: sorted(v) for k, v in found.items() if k != "statements"} == {
        k: sorted(v) for k, v in lists.items()
    }


def test_statements_no_preset_renders_are_kept_verbatim_and_exempted_when_needed() -> None:
    renamed = {
        "Sid": "AllowPull",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
        "Action": [
            "ecr:BatchCheckLayerAvailability",
            "ecr:BatchGetImage",
            "ecr:GetDownloadUrlForLayer",
        ],
    }
    anyone = {"Effect": "Allow", "Principal": "*", "Action": "ecr:BatchGetImage"}
    found, unchecked = access_keys(
        json.dumps({"Version": "2012-10-17", "Statement": [renamed]}), "aws"
    )
    assert (found["statements"], unchecked) == ([renamed], False)
    found, unchecked = access_keys(
        json.dumps({"Version": "2012-10-17", "Statement": anyone}), "aws"
    )
    assert (found["statements"], unchecked) == ([anyone], True)


def live(name: str = "app", **settings: Any) -> LiveRepository:
    values: dict[str, Any] = {
        "arn": f"arn:aws:ecr:eu-west-1:123456789012:repository/{name}",
        "tag_mutability": "IMMUTABLE",
        "tag_mutability_exclusions": (),
        "scan_on_push": True,
        "encryption": "KMS",
        "kms_key": None,
        "lifecycle_text": LifecyclePolicy.from_presets(Lifecycle.DEFAULT).to_json(),
        **settings,
    }
    return LiveRepository(name=name, **values)


def test_the_aws_managed_key_is_no_key_and_aws_tags_are_notes() -> None:
    managed = "arn:aws:kms:eu-west-1:123456789012:key/managed"
    adopted = adopt(
        live(kms_key=managed, tags={"aws:cloudformation:stack-name": "s", "team": "a"}),
        partition="aws",
        managed_key=managed,
    )
    assert adopted.refused is None
    assert adopted.keys["kms_key_arn"] is None
    assert adopted.keys["tags"] == {"team": "a"}
    assert adopted.notes == (
        "tag 'aws:cloudformation:stack-name' is set by AWS: not carried, not compared",
    )


@pytest.mark.parametrize(
    ("settings", "reason"),
    [
        ({"tags": {"empty": ""}}, "tags.empty: tag value must be 1 to 255 characters long"),
        ({"lifecycle_text": '{"rules": []}'}, "a lifecycle policy has 1 to 50 rules"),
    ],
)
def test_what_the_file_cannot_say_exactly_is_refused(settings: dict[str, Any], reason: str) -> None:
    adopted = adopt(live(**settings), partition="aws", managed_key=None)
    assert adopted.refused is not None and reason in adopted.refused, adopted.refused


def keys(**changed: Any) -> dict[str, Any]:
    return {
        "tag_mutability": "IMMUTABLE",
        "tag_mutability_exclusions": [],
        "scan_on_push": True,
        "encryption": "KMS",
        "kms_key_arn": None,
        "lifecycle": [{"keep_last": {"count": 10}}],
        "access": {key: [] for key in ACCESS_KEYS},
        "tags": {},
        "exemptions": [],
        **changed,
    }


def test_alike_repositories_form_a_standard_named_for_their_namespace() -> None:
    grouping = group(
        {
            "team-a/api": keys(tags={"team": "a", "owner": "x"}),
            "team-a/web": keys(tags={"team": "a"}),
            "scratch": keys(tag_mutability="MUTABLE", tags={"team": "a"}),
            "odd": keys(
                tag_mutability="MUTABLE",
                scan_on_push=False,
                encryption="AES256",
                lifecycle=[],
                exemptions=["no_lifecycle_policy"],
            ),
        }
    )
    standards = {s.name: s for s in grouping.standards}
    assert grouping.default == "team-a"
    assert standards["team-a"].keys["tags"] == {"team": "a"}
    assert sorted(standards["team-a"].members) == ["scratch", "team-a/api", "team-a/web"]
    assert standards["mutable-aes256-no-scan-no-lifecycle"].members == ["odd"]
    entries = {e["name"]: e for e in grouping.repositories}
    assert entries["team-a/web"] == {"name": "team-a/web"}
    assert entries["team-a/api"] == {"name": "team-a/api", "tags": {"owner": "x"}}
    assert entries["scratch"] == {"name": "scratch", "tag_mutability": "MUTABLE"}
    assert entries["odd"]["standard"] == "mutable-aes256-no-scan-no-lifecycle"


def test_a_repository_does_not_join_a_standard_whose_tags_it_lacks() -> None:
    grouping = group(
        {
            "a1": keys(tags={"team": "a"}),
            "a2": keys(tags={"team": "a"}),
            "mutable-untagged": keys(tag_mutability="MUTABLE"),
            "unscanned-tagged": keys(scan_on_push=False, tags={"team": "a", "x": "y"}),
        }
    )
    assert [s.members for s in grouping.standards] == [
        ["a1", "a2", "unscanned-tagged"],
        ["mutable-untagged"],
    ]


def test_a_repository_far_from_every_standard_gets_its_own() -> None:
    far = keys(
        tag_mutability="MUTABLE",
        scan_on_push=False,
        encryption="AES256",
        lifecycle=[{"keep_last": {"count": 1}}],
    )
    grouping = group({"a1": keys(), "a2": keys(), "far": far})
    assert [s.members for s in grouping.standards] == [["a1", "a2"], ["far"]]
    assert sum(far[k] != keys()[k] for k in far) == MAX_OVERRIDES + 1


def test_no_two_alike_share_one_standard_of_the_most_common_values() -> None:
    grouping = group(
        {
            "one": keys(scan_on_push=False),
            "two": keys(encryption="AES256"),
            "three": keys(),
        }
    )
    (standard,) = grouping.standards
    assert standard.keys == keys()
    assert standard.name == "immutable-kms"
    assert [e for e in grouping.repositories if len(e) > 1] == [
        {"name": "one", "scan_on_push": False},
        {"name": "two", "encryption": "AES256"},
    ]
