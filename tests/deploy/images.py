"""Fake images, pushed through ``PutImage`` (a manifest is all the API needs)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

MANIFEST_TYPE = "application/vnd.docker.distribution.manifest.v2+json"
LAYER_TYPE = "application/vnd.docker.image.rootfs.diff.tar.gzip"


def push_image(ecr: Any, repository: str, tag: str, content: str) -> str:
    """Push an image tagged ``tag`` whose config and layer are hashes of ``content``; its
    digest."""
    digest = f"sha256:{hashlib.sha256(content.encode()).hexdigest()}"
    manifest = {
        "schemaVersion": 2,
        "mediaType": MANIFEST_TYPE,
        "config": {
            "mediaType": "application/vnd.docker.container.image.v1+json",
            "size": 1,
            "digest": digest,
        },
        "layers": [{"mediaType": LAYER_TYPE, "size": 1, "digest": digest}],
    }
    image = ecr.put_image(
        repositoryName=repository,
        imageManifest=json.dumps(manifest),
        imageManifestMediaType=MANIFEST_TYPE,
        imageTag=tag,
    )["image"]
    pushed: str = image["imageId"]["imageDigest"]
    return pushed


def push_images(ecr: Any, repository: str, count: int) -> list[str]:
    """Push ``count`` distinct images tagged ``v1``, ``v2``...; their digests."""
    return [
        push_image(ecr, repository, f"v{number}", f"{repository}:{number}")
        for number in range(1, count + 1)
    ]
