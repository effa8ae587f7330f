"""Canonical policies and lifecycle policies: what means the same compares equal, whatever
the spelling; what means something else doesn't."""

from __future__ import annotations

import json
import random
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from ecr_constructs.live.semantic import canonical_lifecycle, canonical_policy

ACCOUNTS = ["111111111111", "222222222222", "333333333333"]
ACTIONS = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:PutImage", "ecr:ListImages"]

statements = st.lists(
    st.fixed_dictionaries(
        {
            "Effect": st.sampled_from(["Allow", "Deny"]),
            "Principal": st.fixed_dictionaries(
                {"AWS": st.lists(st.sampled_from(ACCOUNTS), min_size=1, max_size=3, unique=True)}
            ),
            "Action": st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=4, unique=True),
        },
        optional={
            "Condition": st.fixed_dictionaries(
                {
                    "StringEquals": st.fixed_dictionaries(
                        {"aws:PrincipalOrgID": st.sampled_from(["o-a1b2c3d4e5", "o-zzzzzzzzzz"])}
                    )
                }
            )
        },
    ),
    min_size=1,
    max_size=4,
)


def respelled(document: dict[str, Any], seed: int) -> str:
    """The same policy written differently: statement and key order, one-item lists as
    strings, actions in other cases, account IDs as root ARNs, Sids, 2008-10-17."""
    rng = random.Random(seed)
    rewritten = []
    for number, statement in enumerate(document["Statement"]):
        items = dict(statement)
        principals = [
            f"arn:aws:iam::{p}:root" if rng.random() < 0.5 else p for p in items["Principal"]["AWS"]
        ]
        rng.shuffle(principals)
        items["Principal"] = {"AWS": principals[0] if len(principals) == 1 else principals}
        actions = [a.upper() if rng.random() < 0.3 else a for a in items["Action"]]
        rng.shuffle(actions)
        items["Action"] = actions[0] if len(actions) == 1 and rng.random() < 0.5 else actions
        if rng.random() < 0.5:
            items["Sid"] = f"Statement{number}"
        keys = list(items)
        rng.shuffle(keys)
        rewritten.append({key: items[key] for key in keys})
    rng.shuffle(rewritten)
    version = rng.choice(["2012-10-17", "2008-10-17"])
    body = rewritten[0] if len(rewritten) == 1 and rng.random() < 0.5 else rewritten
    return json.dumps({"Statement": body, "Version": version}, indent=rng.choice([None, 2, 4]))


@given(statements, st.integers(0, 2**32))
def test_a_policy_spelled_differently_is_the_same_policy(
    statement_list: list[dict[str, Any]], seed: int
) -> None:
    document = {"Version": "2012-10-17", "Statement": statement_list}
    assert canonical_policy(respelled(document, seed), "aws") == canonical_policy(document, "aws")


@given(statements, st.sampled_from(["Effect", "Principal", "Action", "Condition"]))
def test_a_policy_that_grants_something_else_is_another_policy(
    statement_list: list[dict[str, Any]], element: str
) -> None:
    changed = json.loads(json.dumps(statement_list))
    first = changed[0]
    if element == "Effect":
        first["Effect"] = "Deny" if first["Effect"] == "Allow" else "Allow"
    elif element == "Principal":
        first["Principal"]["AWS"].append("arn:aws:iam::444444444444:role/new")
    elif element == "Action":
        first["Action"].append("ecr:DeleteRepository")
    else:
        first["Condition"] = {"Bool": {"aws:SecureTransport": "true"}}
    before = canonical_policy({"Version": "2012-10-17", "Statement": statement_list}, "aws")
    after = canonical_policy({"Version": "2012-10-17", "Statement": changed}, "aws")
    assert before != after


def test_policy_variables_keep_the_two_versions_apart() -> None:
    statement = {
        "Effect": "Allow",
        "Principal": {"AWS": "111111111111"},
        "Action": "ecr:BatchGetImage",
        "Condition": {"StringEquals": {"aws:PrincipalTag/team": "${aws:username}"}},
    }
    old = canonical_policy({"Version": "2008-10-17", "Statement": [statement]}, "aws")
    new = canonical_policy({"Version": "2012-10-17", "Statement": [statement]}, "aws")
    assert old != new


def test_principal_star_and_aws_star_are_the_same() -> None:
    base = {"Effect": "Allow", "Action": "ecr:BatchGetImage"}
    star = {"Statement": [{**base, "Principal": "*"}]}
    aws_star = {"Statement": [{**base, "Principal": {"AWS": ["*"]}}]}
    assert canonical_policy(star, "aws") == canonical_policy(aws_star, "aws")


RULES = [
    {
        "rulePriority": 1,
        "description": "untagged",
        "selection": {
            "tagStatus": "untagged",
            "countType": "sinceImagePushed",
            "countUnit": "days",
            "countNumber": 1,
        },
        "action": {"type": "expire"},
    },
    {
        "rulePriority": 2,
        "selection": {
            "tagStatus": "tagged",
            "tagPrefixList": ["a", "b"],
            "storageClass": "standard",
            "countType": "imageCountMoreThan",
            "countNumber": 5,
        },
        "action": {"type": "expire"},
    },
]


def test_lifecycle_priorities_descriptions_and_tag_order_are_not_compared() -> None:
    rewritten = json.loads(json.dumps(RULES))
    rewritten[0].update(rulePriority=10, description="something else")
    rewritten[1]["rulePriority"] = 20
    rewritten[1]["selection"]["tagPrefixList"] = ["b", "a"]
    del rewritten[1]["selection"]["storageClass"]
    assert canonical_lifecycle(json.dumps({"rules": rewritten[::-1]}, indent=2)) == (
        canonical_lifecycle({"rules": RULES})
    )


def test_lifecycle_order_and_counts_are_compared() -> None:
    swapped = json.loads(json.dumps(RULES))
    swapped[0]["rulePriority"], swapped[1]["rulePriority"] = 2, 1
    counted = json.loads(json.dumps(RULES))
    counted[1]["selection"]["countNumber"] = 6
    original = canonical_lifecycle({"rules": RULES})
    assert canonical_lifecycle({"rules": swapped}) != original
    assert canonical_lifecycle({"rules": counted}) != original
    assert canonical_lifecycle(None) is None
