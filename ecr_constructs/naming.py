"""Repository names, account IDs, image URIs (IPv4 and dual-stack) and ARNs. Pure Python."""

from __future__ import annotations

import re

from .errors import EcrConstructsError
from .tokens import is_unresolved

REPOSITORY_NAME_PATTERN = re.compile(
    r"(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*"
)
PRIVATE_NAME_LENGTH = (2, 256)
PUBLIC_NAME_LENGTH = (2, 205)
ACCOUNT_ID_PATTERN = re.compile(r"\d{12}")
DIGEST_PATTERN = re.compile(r"sha256:[0-9a-f]{64}")
TAG_PATTERN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")


def is_token(value: object) -> bool:
    """True for an unresolved CDK value, which is never validated."""
    return is_unresolved(value)


def check_repository_name(name: str, where: str, *, public: bool = False) -> str:
    """Return ``name`` when ECR accepts it as a repository name; raise otherwise."""
    if is_token(name):
        return name
    low, high = PUBLIC_NAME_LENGTH if public else PRIVATE_NAME_LENGTH
    kind = "public repository name" if public else "repository name"
    if not isinstance(name, str) or not low <= len(name) <= high:
        raise EcrConstructsError(
            where,
            f"{kind} must be {low} to {high} characters long",
            given=name,
            allowed=f"{low}..{high} characters",
        )
    if not REPOSITORY_NAME_PATTERN.fullmatch(name):
        raise EcrConstructsError(
            where,
            f"{kind} is not valid",
            given=name,
            allowed="lowercase letters and digits, . _ - between them, segments separated by /",
        )
    return name


def check_account_id(account: str, where: str) -> str:
    """Return ``account`` when it is a 12-digit AWS account ID (or a token); raise otherwise."""
    if is_token(account):
        return account
    if not isinstance(account, str) or not ACCOUNT_ID_PATTERN.fullmatch(account):
        raise EcrConstructsError(
            where, "an AWS account ID must be 12 digits", given=account, allowed="12 digits"
        )
    return account


def url_suffix(region: str) -> str | None:
    """The AWS domain of a known region (``amazonaws.com.cn`` in China); None for a token."""
    if is_token(region):
        return None
    return "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"


def registry_domain(
    account: str, region: str, *, dual_stack: bool = False, url_suffix: str = "amazonaws.com"
) -> str:
    """The registry's host: ``ACCOUNT.dkr.ecr.REGION.URL_SUFFIX`` or its IPv6 twin
    ``ACCOUNT.dkr-ecr.REGION.on.aws``."""
    if dual_stack:
        return f"{account}.dkr-ecr.{region}.on.aws"
    return f"{account}.dkr.ecr.{region}.{url_suffix}"


def image_uri(
    account: str,
    region: str,
    repository_name: str,
    *,
    tag: str | None = None,
    digest: str | None = None,
    dual_stack: bool = False,
    url_suffix: str = "amazonaws.com",
) -> str:
    """An image address; give at most one of ``tag`` and ``digest`` (neither: the repository)."""
    if tag is not None and digest is not None:
        raise EcrConstructsError(
            "image_uri", "give a tag or a digest, not both", given={"tag": tag, "digest": digest}
        )
    domain = registry_domain(account, region, dual_stack=dual_stack, url_suffix=url_suffix)
    base = f"{domain}/{repository_name}"
    if tag is not None:
        if not is_token(tag) and not TAG_PATTERN.fullmatch(tag):
            raise EcrConstructsError(
                "image_uri",
                "not a valid image tag",
                given=tag,
                allowed="1..128 of letters, digits, _ . - (not starting with . or -)",
            )
        return f"{base}:{tag}"
    if digest is not None:
        if not is_token(digest) and not DIGEST_PATTERN.fullmatch(digest):
            raise EcrConstructsError(
                "image_uri", "not a valid image digest", given=digest, allowed="sha256:<64 hex>"
            )
        return f"{base}@{digest}"
    return base


def repository_arn(account: str, region: str, repository_name: str, partition: str = "aws") -> str:
    """``arn:PARTITION:ecr:REGION:ACCOUNT:repository/NAME``."""
    return f"arn:{partition}:ecr:{region}:{account}:repository/{repository_name}"
