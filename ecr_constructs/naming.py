"""Repository names, regions, account IDs, image URIs (IPv4 and dual-stack) and ARNs.
Pure Python."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .errors import EcrConstructsError, Problem
from .tokens import is_unresolved

REPOSITORY_NAME_PATTERN = re.compile(
    r"(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*"
)
PRIVATE_NAME_LENGTH = (2, 256)
PUBLIC_NAME_LENGTH = (2, 205)
REGION_PATTERN = re.compile(r"[a-z]{2,4}(?:-[a-z]+)+-\d{1,2}")
"""Region names such as ``eu-west-1``, ``us-gov-west-1``, ``us-isob-east-1``."""
REPOSITORY_NAMESPACE_PATTERN = re.compile(
    r"[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*/?"
)
"""A repository namespace prefix (pull-through cache rules, creation templates)."""
ACCOUNT_ID_PATTERN = re.compile(r"\d{12}")
DIGEST_PATTERN = re.compile(r"sha256:[0-9a-f]{64}")
TAG_PATTERN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")


def is_token(value: object) -> bool:
    """True for an unresolved CDK value, which is never validated."""
    return is_unresolved(value)


@dataclass(frozen=True)
class TextRule:
    """A string ECR accepts: ``lengths`` characters matching ``pattern``, or one of ``also``
    as it is. One rule serves the constructs (``check``), the registry file (``problems``)
    and its JSON Schema (``json_schema``)."""

    kind: str
    """What the string is, in errors: ``repository name``."""
    pattern: re.Pattern[str]
    syntax: str
    """What ``pattern`` allows, in words."""
    lengths: tuple[int, int] | None = None
    invalid: str | None = None
    """The message when ``pattern`` does not match. Default: ``<kind> is not valid``."""
    also: tuple[str, ...] = ()

    def problems(self, value: object, where: str = "") -> list[Problem]:
        """What is wrong with ``value`` (nothing for a token)."""
        if is_token(value) or value in self.also:
            return []
        alternatives = "".join(f", or {choice}" for choice in self.also)
        if self.lengths is not None:
            low, high = self.lengths
            if not isinstance(value, str) or not low <= len(value) <= high:
                return [
                    Problem(
                        where,
                        f"{self.kind} must be {low} to {high} characters long{alternatives}",
                        given=value,
                        allowed=f"{low}..{high} characters{alternatives}",
                    )
                ]
        if not isinstance(value, str) or not self.pattern.fullmatch(value):
            return [
                Problem(
                    where,
                    self.invalid or f"{self.kind} is not valid",
                    given=value,
                    allowed=self.syntax + alternatives,
                )
            ]
        return []

    def check(
        self, value: str, where: str, error: type[EcrConstructsError] = EcrConstructsError
    ) -> str:
        """Return ``value`` when the rule accepts it; raise ``error`` otherwise."""
        problems = self.problems(value, where)
        if problems:
            raise error.from_problems(problems)
        return value

    def json_schema(self) -> dict[str, Any]:
        """The rule as JSON Schema string keywords."""
        if not self.also:
            schema: dict[str, Any] = {"pattern": f"^(?:{self.pattern.pattern})$"}
            if self.lengths is not None:
                schema["minLength"], schema["maxLength"] = self.lengths
            return {**schema, "description": self.syntax}
        length = ""
        if self.lengths is not None:
            low, high = self.lengths
            length = f"(?=.{{{low},{high}}}$)"
        choices = "|".join(re.escape(choice) for choice in self.also)
        alternatives = "".join(f", or {choice}" for choice in self.also)
        return {
            "pattern": f"^(?:{choices}|{length}(?:{self.pattern.pattern}))$",
            "description": self.syntax + alternatives,
        }


_NAME_SYNTAX = "lowercase letters and digits, . _ - between them, segments separated by /"
REPOSITORY_NAME = TextRule(
    "repository name", REPOSITORY_NAME_PATTERN, _NAME_SYNTAX, PRIVATE_NAME_LENGTH
)
PUBLIC_REPOSITORY_NAME = TextRule(
    "public repository name", REPOSITORY_NAME_PATTERN, _NAME_SYNTAX, PUBLIC_NAME_LENGTH
)
REGION = TextRule(
    "region",
    REGION_PATTERN,
    "a region such as eu-west-1 or us-gov-west-1",
    invalid="not an AWS region",
)


IMAGE_TAG = TextRule(
    "image tag",
    TAG_PATTERN,
    "1..128 of letters, digits, _ . - (not starting with . or -)",
    invalid="not a valid image tag",
)
ACCOUNT_ID = TextRule(
    "AWS account ID", ACCOUNT_ID_PATTERN, "12 digits", invalid="an AWS account ID must be 12 digits"
)

#: Tag mutability exclusions: 1..MAX_EXCLUSION_FILTERS filters of EXCLUSION_FILTER, with and
#: only with the WITH_EXCLUSION_MODES (repositories, creation templates, the registry file).
EXCLUSION_FILTER = TextRule(
    "tag mutability exclusion filter",
    re.compile(r"[0-9a-zA-Z._*-]{1,128}"),
    "1..128 of letters, digits, . _ - and the * wildcard",
    invalid="not a valid tag mutability exclusion filter",
)
MAX_EXCLUSION_FILTERS = 5
WITH_EXCLUSION_MODES: frozenset[str] = frozenset(
    {"IMMUTABLE_WITH_EXCLUSION", "MUTABLE_WITH_EXCLUSION"}
)


def check_repository_name(name: str, where: str, *, public: bool = False) -> str:
    """Return ``name`` when ECR accepts it as a repository name; raise otherwise."""
    return (PUBLIC_REPOSITORY_NAME if public else REPOSITORY_NAME).check(name, where)


def check_account_id(account: str, where: str) -> str:
    """Return ``account`` when it is a 12-digit AWS account ID (or a token); raise otherwise."""
    return ACCOUNT_ID.check(account, where)


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
        return f"{base}:{IMAGE_TAG.check(tag, 'image_uri')}"
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
