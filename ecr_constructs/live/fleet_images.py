"""The images and current lifecycle policy of named repositories, read by the connection's
pool of threads with ECR's read-only calls.

Calls per repository: ``DescribeImages`` (every storage class, a page per 1,000 images),
then, when the repository exists, ``GetLifecyclePolicy``: 2 for a repository of up to 1,000
images. A repository that doesn't exist costs its one ``DescribeImages`` call. A call refused
for one repository is recorded with it, and the others are read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..lifecycle.images import Image, ImageDataError, parse_images
from .failures import Reads, Unreadable
from .limits import IMAGES_PAGE_SIZE
from .pool import Progress, read_each
from .session import Connection

CALLS = ("DescribeImages", "GetLifecyclePolicy")
"""The ECR operations this module calls: reads, and not pulls (no ``BatchGetImage``)."""


@dataclass(frozen=True)
class RepositoryImages:
    """A repository's images and lifecycle policy text as ECR returns them."""

    name: str
    exists: bool
    images: tuple[Image, ...] = ()
    lifecycle_text: str | None = None
    """The current lifecycle policy as stored; None: none (or it could not be read)."""
    unreadable: tuple[Unreadable, ...] = ()
    """Calls refused for this repository: what they read is unknown."""


def read_repository_images(
    connection: Connection, names: Sequence[str], *, progress: Progress | None = None
) -> tuple[RepositoryImages, ...]:
    """The repositories named, in that order, each read by one of ``connection.workers``
    threads. ``progress`` (default: silent) is called as each repository is read."""
    client = connection.client("ecr")
    return tuple(
        read_each(
            connection.workers,
            lambda name: _read(client, connection.region, name),
            names,
            progress=progress,
        )
    )


def _read(client: Any, region: str, name: str) -> RepositoryImages:
    reads = Reads(name, f"repository {name!r}", region)

    def describe() -> list[dict[str, Any]]:
        pages = client.get_paginator("describe_images").paginate(
            repositoryName=name,
            filter={"tagStatus": "ANY", "imageStatus": "ANY"},
            PaginationConfig={"PageSize": IMAGES_PAGE_SIZE},
        )
        return [detail for page in pages for detail in page.get("imageDetails", [])]

    details = reads.call("DescribeImages", describe, missing="RepositoryNotFoundException")
    if details is None:
        return RepositoryImages(name, exists=False, unreadable=tuple(reads.unreadable))
    policy = reads.call(
        "GetLifecyclePolicy",
        lambda: client.get_lifecycle_policy(repositoryName=name),
        missing="LifecyclePolicyNotFoundException",
    )
    try:
        images = parse_images(details, where=f"{name} images")
    except ImageDataError as error:
        problems = "; ".join(str(problem) for problem in error.problems)
        reads.unreadable.append(Unreadable("DescribeImages", name, problems))
        images = ()
    return RepositoryImages(
        name,
        exists=True,
        images=images,
        lifecycle_text=None if policy is None else str(policy["lifecyclePolicyText"]),
        unreadable=tuple(reads.unreadable),
    )
