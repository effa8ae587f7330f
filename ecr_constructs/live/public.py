"""ECR Public repositories (us-east-1 only): ``DescribeRepositories`` at its largest page,
then ``GetRepositoryCatalogData``, ``ListTagsForResource`` and ``GetRepositoryPolicy`` for
each, and for a repository with a gallery logo the image from its ``logoUrl`` (``logos``).
A call refused for one repository is recorded with it, and the others go on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .failures import CallFailed, Reads, Unreadable, aws_call
from .logos import CALL as LOGO_CALL
from .logos import read_logo
from .session import Connection

REGION = "us-east-1"
"""The only region of ECR Public."""
CALLS = (
    "DescribeRepositories",
    "GetRepositoryCatalogData",
    "ListTagsForResource",
    "GetRepositoryPolicy",
)
_CATALOG_KEYS = {
    "description": "description",
    "aboutText": "about",
    "usageText": "usage",
    "operatingSystems": "operating_systems",
    "architectures": "architectures",
}


@dataclass(frozen=True)
class LivePublicRepository:
    """A public repository: its catalog data in the registry file's vocabulary."""

    name: str
    catalog: Mapping[str, Any] = field(default_factory=dict)
    """``description``, ``about``, ``usage``, ``operating_systems``, ``architectures``, as set."""
    logo: bytes | None = None
    """The gallery logo's image; None: no logo (or it could not be read: ``unreadable``)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    policy_text: str | None = None
    unreadable: tuple[Unreadable, ...] = ()


def read_public_repositories(connection: Connection) -> tuple[LivePublicRepository, ...]:
    """Every public repository of the account, in name order."""
    client = connection.client("ecr-public", REGION)
    found: list[dict[str, Any]] = []
    with aws_call("DescribeRepositories", "ECR Public", REGION, action_prefix="ecr-public"):
        pages = client.get_paginator("describe_repositories").paginate(
            PaginationConfig={"PageSize": 1000}
        )
        for page in pages:
            found.extend(page.get("repositories", []))
    return tuple(_read(client, item) for item in sorted(found, key=lambda r: r["repositoryName"]))


def _read(client: Any, item: Mapping[str, Any]) -> LivePublicRepository:
    name = str(item["repositoryName"])
    reads = Reads(name, f"public repository {name!r}", REGION, action_prefix="ecr-public")
    data = reads.call(
        "GetRepositoryCatalogData", lambda: client.get_repository_catalog_data(repositoryName=name)
    )
    catalog = (data or {}).get("catalogData", {})
    listed = reads.call(
        "ListTagsForResource",
        lambda: client.list_tags_for_resource(resourceArn=item["repositoryArn"]),
    )
    policy = reads.call(
        "GetRepositoryPolicy",
        lambda: client.get_repository_policy(repositoryName=name),
        missing="RepositoryPolicyNotFoundException",
    )
    logo = None
    if catalog.get("logoUrl"):
        try:
            logo = read_logo(str(catalog["logoUrl"]))
        except CallFailed as failure:
            reads.unreadable.append(Unreadable(LOGO_CALL, name, f"{reads.label}: {failure}"))
    return LivePublicRepository(
        name=name,
        catalog={
            ours: catalog[theirs] for theirs, ours in _CATALOG_KEYS.items() if catalog.get(theirs)
        },
        logo=logo,
        tags={str(t["Key"]): str(t["Value"]) for t in (listed or {}).get("tags", [])},
        policy_text=(policy or {}).get("policyText"),
        unreadable=tuple(reads.unreadable),
    )
