"""Private repositories read with ECR's read-only calls: ``DescribeRepositories`` at its
largest page (1,000 repositories a call), then ``GetLifecyclePolicy``,
``GetRepositoryPolicy`` and ``ListTagsForResource`` for each repository, by a bounded pool
of threads. A call refused for one repository is recorded with it, and the others go on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .failures import Reads, Unreadable, aws_call
from .pool import Progress, read_each
from .session import Connection

PAGE_SIZE = 1000
"""Repositories per ``DescribeRepositories`` call: the most ECR returns."""
CALLS = ("DescribeRepositories", "GetLifecyclePolicy", "GetRepositoryPolicy", "ListTagsForResource")
"""The ECR operations this module calls."""


@dataclass(frozen=True)
class LiveRepository:
    """A private repository as ECR reports it (its API's vocabulary, texts as stored)."""

    name: str
    arn: str
    tag_mutability: str
    tag_mutability_exclusions: tuple[str, ...]
    scan_on_push: bool
    encryption: str
    kms_key: str | None
    lifecycle_text: str | None = None
    """The lifecycle policy as stored; None: the repository has none."""
    policy_text: str | None = None
    """The repository policy as stored; None: the repository has none."""
    tags: Mapping[str, str] = field(default_factory=dict)
    unreadable: tuple[Unreadable, ...] = ()
    """Calls refused for this repository: what they read is unknown (and left empty here)."""


def read_repositories(
    connection: Connection, *, prefixes: Sequence[str] = (), progress: Progress | None = None
) -> tuple[LiveRepository, ...]:
    """Every private repository of the account (those whose name starts with one of
    ``prefixes``, when given), in name order, read by ``connection.workers`` threads."""
    client = connection.client("ecr")
    region = connection.region
    found: list[dict[str, Any]] = []
    with aws_call("DescribeRepositories", "the registry", region):
        pages = client.get_paginator("describe_repositories").paginate(
            PaginationConfig={"PageSize": PAGE_SIZE}
        )
        for page in pages:
            found.extend(page.get("repositories", []))
    chosen = sorted(
        (r for r in found if not prefixes or r["repositoryName"].startswith(tuple(prefixes))),
        key=lambda r: str(r["repositoryName"]),
    )
    return tuple(
        read_each(
            connection.workers,
            lambda summary: _read(client, region, summary),
            chosen,
            progress=progress,
        )
    )


def _read(client: Any, region: str, summary: Mapping[str, Any]) -> LiveRepository:
    name = str(summary["repositoryName"])
    reads = Reads(name, f"repository {name!r}", region)
    lifecycle = reads.call(
        "GetLifecyclePolicy",
        lambda: client.get_lifecycle_policy(repositoryName=name),
        missing="LifecyclePolicyNotFoundException",
    )
    policy = reads.call(
        "GetRepositoryPolicy",
        lambda: client.get_repository_policy(repositoryName=name),
        missing="RepositoryPolicyNotFoundException",
    )
    listed = reads.call(
        "ListTagsForResource",
        lambda: client.list_tags_for_resource(resourceArn=summary["repositoryArn"]),
    )
    encryption = summary.get("encryptionConfiguration", {})
    return LiveRepository(
        name=name,
        arn=str(summary["repositoryArn"]),
        tag_mutability=str(summary.get("imageTagMutability", "MUTABLE")),
        tag_mutability_exclusions=tuple(
            str(item["filter"]) for item in summary.get("imageTagMutabilityExclusionFilters", [])
        ),
        scan_on_push=bool(summary.get("imageScanningConfiguration", {}).get("scanOnPush", False)),
        encryption=str(encryption.get("encryptionType", "AES256")),
        kms_key=encryption.get("kmsKey"),
        lifecycle_text=None if lifecycle is None else str(lifecycle["lifecyclePolicyText"]),
        policy_text=None if policy is None else str(policy["policyText"]),
        tags={str(t["Key"]): str(t["Value"]) for t in (listed or {}).get("tags", [])},
        unreadable=tuple(reads.unreadable),
    )
