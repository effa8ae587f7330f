"""Image URIs as workloads give them (``ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME:TAG``,
``...@sha256:...``, dual-stack and FIPS hosts), read into the registry, repository, tag and
digest they name. Pure Python."""

from __future__ import annotations

import re
from dataclasses import dataclass

_URI = re.compile(
    r"(?P<account>\d{12})\.dkr[.-]ecr(?:-fips)?\.(?P<region>[a-z0-9-]+)"
    r"\.(?:amazonaws\.com(?:\.cn)?|on\.aws)"
    r"/(?P<name>[a-z0-9._/-]+?)"
    r"(?::(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?"
    r"(?:@(?P<digest>sha256:[0-9a-f]{64}))?"
)
DEFAULT_TAG = "latest"
"""The tag a URI without tag or digest pulls."""


@dataclass(frozen=True)
class ImageReference:
    """One image of a private ECR registry, as a URI names it: by digest, by tag, or both
    (then the digest is what is pulled)."""

    account: str
    region: str
    repository: str
    tag: str | None
    digest: str | None

    @staticmethod
    def parse(uri: str) -> ImageReference | None:
        """The reference a URI makes; None for an image of any other registry (Docker Hub,
        ECR Public, another host). A URI with neither tag nor digest names ``latest``."""
        found = _URI.fullmatch(uri.strip())
        if found is None:
            return None
        tag, digest = found["tag"], found["digest"]
        return ImageReference(
            account=found["account"],
            region=found["region"],
            repository=found["name"],
            tag=DEFAULT_TAG if tag is None and digest is None else tag,
            digest=digest,
        )
