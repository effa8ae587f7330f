"""A public repository's gallery logo, read as image data.

ECR Public's API gives a logo only as a URL (``GetRepositoryCatalogData``'s ``logoUrl``;
``logoImageBlob`` is write-only), so the image is read from that URL: one HTTPS GET, unsigned
(the gallery's logos are public), the one request of a read that is not an AWS API call.
What comes back is held to the registry file's rule for a logo: PNG or JPEG, at most
512,000 bytes. No boto3 here.
"""

from __future__ import annotations

import hashlib
from http.client import HTTPException
from urllib.parse import urlsplit
from urllib.request import Request, urlopen

from ..registry_rules import LOGO_SIGNATURES, MAX_LOGO_BYTES
from .failures import CallFailed

CALL = "GET logoUrl"
"""How reports name the request (there is no API call to name)."""
TIMEOUT_SECONDS = 30
"""How long the GET may wait for the server."""
_SUFFIXES = {"PNG": ".png", "JPEG": ".jpg"}


def read_logo(url: str) -> bytes:
    """The image at ``url``; ``CallFailed`` (one line) when it can't be read or is not a logo
    the registry file can hold."""
    if urlsplit(url).scheme != "https":
        raise CallFailed(f"{CALL} {url}: not an https URL")
    try:
        with urlopen(Request(url), timeout=TIMEOUT_SECONDS) as response:
            data: bytes = response.read(MAX_LOGO_BYTES + 1)
    except (OSError, ValueError, HTTPException) as error:  # URLError, HTTPError: OSErrors
        raise CallFailed(f"{CALL} {url} failed: {error}") from None
    if len(data) > MAX_LOGO_BYTES:
        raise CallFailed(f"{CALL} {url}: larger than {MAX_LOGO_BYTES:,} bytes")
    if logo_suffix(data) is None:
        raise CallFailed(f"{CALL} {url}: not a PNG or JPEG image (it starts with {data[:8]!r})")
    return data


def logo_suffix(data: bytes) -> str | None:
    """``.png`` or ``.jpg`` by the image's first bytes; None for anything else."""
    kinds = [kind for kind, signature in LOGO_SIGNATURES.items() if data.startswith(signature)]
    return _SUFFIXES[kinds[0]] if kinds else None


def logo_digest(data: bytes | None) -> str | None:
    """How audit compares logos: ``sha256:HEX`` of the image (None: no logo)."""
    return None if data is None else f"sha256:{hashlib.sha256(data).hexdigest()}"
