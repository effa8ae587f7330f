"""naming: the text rules (names, regions, accounts, tags, ARNs), partitions and URIs."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecr_constructs.errors import EcrConstructsError
from ecr_constructs.naming import (
    ACCOUNT_ID,
    EXCLUSION_FILTER,
    IAM_ROLE_ARN,
    IAM_ROLE_ARN_WITHOUT_PATH,
    KMS_KEY_ARN,
    MAX_TAGS,
    PUBLIC_REPOSITORY_NAME,
    REGION,
    REPOSITORY_NAME,
    TAG_KEY,
    TAG_VALUE,
    TextRule,
    image_uri,
    partition_of,
    registry_domain,
    repository_arn,
    tag_problems,
    url_suffix,
)
from ecr_constructs.registry_rules import CACHE_PREFIX

_KMS = "arn:aws:kms:eu-west-1:123456789012:"
_ROLE = "arn:aws:iam::123456789012:role/"

RULES = [REPOSITORY_NAME, PUBLIC_REPOSITORY_NAME, REGION, ACCOUNT_ID, EXCLUSION_FILTER, TAG_KEY]


@pytest.mark.parametrize(
    ("rule", "good", "bad"),
    [
        (
            REPOSITORY_NAME,
            ["ab", "team-a/service.x", "a" * 256],
            ["a", "A1", "a//b", "a-", "a" * 257],
        ),
        (PUBLIC_REPOSITORY_NAME, ["ab", "a" * 205], ["a" * 206]),
        (REGION, ["eu-west-1", "us-gov-west-1", "us-isob-east-1"], ["eu-west", "EU-WEST-1"]),
        (ACCOUNT_ID, ["123456789012"], ["12345678901", "1234567890123", "abcdefghijkl"]),
        (EXCLUSION_FILTER, ["latest", "release-*", "*"], ["prod/x", "", "a" * 129]),
        (
            TAG_KEY,
            ["team", "cost center", "a:b/c=d+e-f@g", "k" * 127],
            ["aws:x", "AWS:x", "k" * 128, "", "a!"],
        ),
        (TAG_VALUE, ["x", "é", "v" * 255], ["", "v" * 256, "\udc00"]),
        (
            KMS_KEY_ARN,
            ["arn:aws:kms:eu-west-1:123456789012:key/abc", f"{_KMS}alias/{'a' * 250}"],
            [
                "alias/x",
                "arn:aws:kms:::key/x",
                f"{_KMS}alias/{'a' * 251}",
                f"{_KMS}key/{'k' * 129}",
            ],
        ),
        (
            IAM_ROLE_ARN,
            [f"{_ROLE}ci", f"{_ROLE}team/ci", f"{_ROLE}{'r' * 64}", f"{_ROLE}{'p' * 510}/ci"],
            [f"{_ROLE}{'r' * 65}", f"{_ROLE}{'p' * 511}/{'r' * 64}", f"{_ROLE}ci/", _ROLE],
        ),
        (IAM_ROLE_ARN_WITHOUT_PATH, [f"{_ROLE}ci"], [f"{_ROLE}team/ci", f"{_ROLE}{'r' * 65}"]),
    ],
)
def test_rules_accept_and_refuse(rule: TextRule, good: list[str], bad: list[str]) -> None:
    assert [value for value in good if rule.problems(value)] == []
    assert [value for value in bad if not rule.problems(value)] == []


def test_a_problem_is_at_a_field_path_or_a_text_location() -> None:
    (at_path,) = REPOSITORY_NAME.problems("A", ("repositories", 3, "name"))
    assert at_path.path == ("repositories", 3, "name")
    assert at_path.where == "repositories[3].name"
    (at_text,) = REPOSITORY_NAME.problems("A", "Stack/Repo repository_name")
    assert (at_text.path, at_text.where) == (None, "Stack/Repo repository_name")


def test_tokens_and_alternatives_pass_unchecked() -> None:
    assert REPOSITORY_NAME.problems("${Token[TOKEN.12]}") == []
    assert CACHE_PREFIX.problems("ROOT") == []


def test_check_raises_the_error_class_given_with_every_problem() -> None:
    with pytest.raises(EcrConstructsError, match=r"^name: repository name is not valid"):
        REPOSITORY_NAME.check("Bad", "name")


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.kind)
@given(value=st.text(alphabet="abAB09-_./:*@ ", max_size=12))
def test_the_json_schema_pattern_agrees_with_the_rule(rule: TextRule, value: str) -> None:
    schema = rule.json_schema()
    matches = re.fullmatch(schema["pattern"], value) is not None
    low, high = schema.get("minLength", 0), schema.get("maxLength", 10**6)
    assert (matches and low <= len(value) <= high) == (rule.problems(value) == [])


def test_tag_problems_count_every_key_and_value() -> None:
    assert tag_problems({"team": "a"}, ("tags",)) == []
    problems = tag_problems({f"k{n}": "v" for n in range(MAX_TAGS + 1)}, ("tags",))
    assert [(p.path, p.message) for p in problems] == [(("tags",), "too many tags")]
    (problem,) = tag_problems({"aws:x": "v"}, ("repositories", 0, "tags"))
    assert problem.path == ("repositories", 0, "tags", "aws:x")
    assert tag_problems(["team"], ("tags",))[0].message == "tags are a mapping of key to value"


@pytest.mark.parametrize(
    ("region", "partition"),
    [
        ("eu-west-1", "aws"),
        ("cn-north-1", "aws-cn"),
        ("us-gov-west-1", "aws-us-gov"),
        ("us-iso-east-1", "aws-iso"),
        ("us-isob-east-1", "aws-iso-b"),
        ("${Token[AWS.Region.4]}", None),
        ("not a region", None),
    ],
)
def test_the_partition_of_a_region(region: str, partition: str | None) -> None:
    assert partition_of(region) == partition


def test_image_addresses() -> None:
    assert (
        registry_domain("123456789012", "eu-west-1")
        == "123456789012.dkr.ecr.eu-west-1.amazonaws.com"
    )
    assert registry_domain("123456789012", "eu-west-1", dual_stack=True) == (
        "123456789012.dkr-ecr.eu-west-1.on.aws"
    )
    assert url_suffix("cn-north-1") == "amazonaws.com.cn"
    base = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app"
    assert image_uri("123456789012", "eu-west-1", "app", tag="v1") == f"{base}:v1"
    digest = "sha256:" + "a" * 64
    assert image_uri("123456789012", "eu-west-1", "app", digest=digest) == f"{base}@{digest}"
    with pytest.raises(EcrConstructsError, match="not both"):
        image_uri("123456789012", "eu-west-1", "app", tag="v1", digest=digest)
    with pytest.raises(EcrConstructsError, match="not a valid image tag"):
        image_uri("123456789012", "eu-west-1", "app", tag="-v1")
    assert repository_arn("123456789012", "eu-west-1", "app") == (
        "arn:aws:ecr:eu-west-1:123456789012:repository/app"
    )
