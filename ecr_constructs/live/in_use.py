"""Which images of the repositories read the workloads use, by digest: a reference by tag
resolved to the image the tag names now, a reference by digest to that image, an ECS task's
running digest as well. Pure Python."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .fleet_images import RepositoryImages
from .image_references import ImageReference
from .workloads import Workloads


@dataclass(frozen=True)
class InUseImage:
    """An image of a repository that workloads use, by digest."""

    digest: str
    tags: tuple[str, ...]
    used_by: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"digest": self.digest, "tags": list(self.tags), "used_by": list(self.used_by)}


def images_in_use(
    workloads: Workloads | None, account: str, region: str, found: Sequence[RepositoryImages]
) -> tuple[dict[str, tuple[InUseImage, ...]], tuple[str, ...]]:
    """The images of each repository that workloads use, by digest (a tag resolved to the
    image it names now; an ECS task's running digest as well), and the references that name
    no image of their repository."""
    if workloads is None:
        return {}, ()
    images = {repository.name: repository.images for repository in found}
    tag_index: dict[str, dict[str, str]] = {}
    users: dict[str, dict[str, list[str]]] = {}
    missing: list[str] = []
    for workload in workloads.images:
        reference = ImageReference.parse(workload.uri)
        if reference is None or (reference.account, reference.region) != (account, region):
            continue
        name = reference.repository
        if name not in images:
            continue
        if name not in tag_index:
            tag_index[name] = {tag: image.digest for image in images[name] for tag in image.tags}
            users[name] = {image.digest: [] for image in images[name]}
        digests = {d for d in (reference.digest, workload.running_digest) if d}
        if reference.digest is None and reference.tag is not None:
            current = tag_index[name].get(reference.tag)
            if current is None:
                missing.append(f"{name}:{reference.tag} (used by {workload.used_by}): no such tag")
            else:
                digests.add(current)
        for digest in sorted(digests):
            if digest in users[name]:
                users[name][digest].append(workload.used_by)
            else:
                missing.append(f"{name}@{digest} (used by {workload.used_by}): no such image")
    used = {}
    for name, by_digest in users.items():
        tags = {image.digest: image.tags for image in images[name]}
        used[name] = tuple(
            InUseImage(digest, tags[digest], tuple(sorted(set(by_digest[digest]))))
            for digest in sorted(by_digest)
            if by_digest[digest]
        )
    return used, tuple(missing)
