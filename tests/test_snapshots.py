"""One reviewed snapshot per preset combination shown in the README; each passes cfn-lint.

Logical IDs are part of the snapshot: a change that would replace a deployed repository
shows up here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from aws_cdk import aws_ecr as ecr
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

from ecr_constructs import (
    Lifecycle,
    Repository,
    RepositoryAccess,
    TagMutabilityExclusions,
    TagStrategy,
)

from .gates import assert_cfn_lint_clean, new_stack, template_of

COMBINATIONS: dict[str, Callable[[Any], Repository]] = {
    "secure-defaults": lambda stack: Repository(stack, "App", repository_name="app"),
    "guide-lifecycle": lambda stack: Repository(
        stack,
        "App",
        repository_name="app",
        lifecycle=[
            Lifecycle.protect_tags(prefixes=["prod", "release"]),
            Lifecycle.expire_untagged(after_days=1),
            Lifecycle.expire_tagged(prefixes=["dev", "feature"], after_days=7),
            Lifecycle.keep_last(10),
        ],
    ),
    "releases-and-builds": lambda stack: Repository(
        stack,
        "App",
        repository_name="app",
        lifecycle=[
            Lifecycle.keep_last(20, patterns=TagStrategy.SEMVER),
            Lifecycle.expire_tagged(patterns=TagStrategy.BUILD_NUMBER, after_days=14),
            Lifecycle.expire_untagged(after_days=1),
        ],
    ),
    "archive-tiering": lambda stack: Repository(
        stack,
        "App",
        repository_name="app",
        lifecycle=[
            Lifecycle.protect_tags(patterns=TagStrategy.ENVIRONMENT),
            Lifecycle.archive_unpulled(180),
            Lifecycle.expire_archived(365),
        ],
    ),
    "moving-environment-tags": lambda stack: Repository(
        stack,
        "App",
        repository_name="app",
        image_tag_mutability_exclusions=TagMutabilityExclusions.ENVIRONMENT,
    ),
    "shared-across-accounts": lambda stack: Repository(
        stack,
        "App",
        repository_name="app",
        access=[
            RepositoryAccess.pull(accounts=["987654321098", "111111111111"]),
            RepositoryAccess.push(principals=["arn:aws:iam::123456789012:role/ci"]),
            RepositoryAccess.organization_pull(["o-a1b2c3d4e5"]),
            RepositoryAccess.lambda_pull(["123456789012"]),
        ],
    ),
    "mutable-scratch": lambda stack: Repository(
        stack,
        "App",
        repository_name="scratch",
        image_tag_mutability=ecr.TagMutability.MUTABLE,
        lifecycle=[Lifecycle.expire_untagged(after_days=1), Lifecycle.keep_last(5)],
    ),
}


@pytest.fixture
def snapshot_json(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    return snapshot.use_extension(JSONSnapshotExtension)


@pytest.mark.parametrize("name", sorted(COMBINATIONS))
def test_combination_snapshot(name: str, snapshot_json: SnapshotAssertion) -> None:
    stack = new_stack()
    COMBINATIONS[name](stack)
    template = template_of(stack)
    assert_cfn_lint_clean(template)
    assert template["Resources"] == snapshot_json
