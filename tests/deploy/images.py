"""Fake images, pushed through ``PutImage`` (a manifest is all the API needs)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

MANIFEST_TYPE = "application/vnd.docker.distribution.manifest.v2+json"


def push_images(ecr: Any, repository: str, count: int) -> list[str]:
    """Push ``count`` distinct images tagged ``v1``, ``v2``...; returns their digests."""
    digests = []
    for number in range(1, count + 1):
        config = hashlib.sha256(f"{repository}:{number}".encode()).hexdigest()
        manifest = {
            "schemaVersion": 2,
            "mediaType": MANIFEST_TYPE,
            "config": {
                "mediaType": "application/vnd.docker.container.image.v1+json",
                "size": 1,
                "digest": f"sha256:{config}",
            },
            "layers": [],
        }
        image = ecr.put_image(
            repositoryName=repository,
            imageManifest=json.dumps(manifest),
            imageManifestMediaType=MANIFEST_TYPE,
            imageTag=f"v{number}",
        )["image"]
        digests.append(image["imageId"]["imageDigest"])
    return digests
