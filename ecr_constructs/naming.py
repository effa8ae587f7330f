"""The text rules ECR and CloudFormation apply to names and values (repository names,
regions, account IDs, tags, KMS key ARNs, stack names), image URIs (IPv4 and dual-stack),
ARNs and partitions. Each rule is written here once; constructs, the registry file and its
JSON Schema use it. Pure Python."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import EcrConstructsError, Path, Problem
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

    def problems(self, value: object, where: str | Path = "") -> list[Problem]:
        """What is wrong with ``value`` (nothing for a token), at ``where``: a field path or
        a text location."""
        if is_token(value) or value in self.also:
            return []
        alternatives = "".join(f", or {choice}" for choice in self.also)
        if self.lengths is not None:
            low, high = self.lengths
            if not isinstance(value, str) or not low <= len(value) <= high:
                return [
                    Problem.of(
                        where,
                        f"{self.kind} must be {low} to {high} characters long{alternatives}",
                        given=value,
                        allowed=f"{low}..{high} characters{alternatives}",
                    )
                ]
        if not isinstance(value, str) or not self.pattern.fullmatch(value):
            return [
                Problem.of(
                    where,
                    self.invalid or f"{self.kind} is not valid",
                    given=value,
                    allowed=self.syntax + alternatives,
                )
            ]
        return []

    def check(
        self,
        value: str,
        where: str | Path,
        error: type[EcrConstructsError] = EcrConstructsError,
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

#: A tag mutability exclusion filter (``RepositorySettings`` applies it with the count and
#: mode rules).
EXCLUSION_FILTER = TextRule(
    "tag mutability exclusion filter",
    re.compile(r"[0-9a-zA-Z._*-]{1,128}"),
    "1..128 of letters, digits, . _ - and the * wildcard",
    invalid="not a valid tag mutability exclusion filter",
)
MAX_EXCLUSION_FILTERS = 5


#: Resource tags, as CloudFormation's AWS::ECR::Repository and PublicRepository schemas
#: allow them (creation templates allow one more character; the stricter rule serves all).
MAX_TAGS = 50
TAG_KEY = TextRule(
    "tag key",
    re.compile(r"(?![Aa][Ww][Ss]:)[\w .:/=+\-@]+"),
    "1..127 letters, digits, spaces and _ . : / = + - @, not starting with aws:",
    (1, 127),
    invalid="not a valid tag key",
)
TAG_VALUE = TextRule(
    "tag value",
    re.compile(r"[^\ud800-\udfff]+"),
    "1..255 characters of valid Unicode text",
    (1, 255),
    invalid="not a valid tag value",
)


def tag_problems(tags: object, where: Path) -> list[Problem]:
    """What is wrong with a mapping of resource tags (keys and values that are tokens pass).

    Problems are at ``where`` (too many, not a mapping) or ``(*where, key)``.
    """
    if not isinstance(tags, Mapping):
        return [
            Problem.at(
                where, "tags are a mapping of key to value", given=tags, allowed="{key: value}"
            )
        ]
    problems: list[Problem] = []
    if len(tags) > MAX_TAGS:
        problems.append(
            Problem.at(
                where, "too many tags", given=f"{len(tags)} tags", allowed=f"at most {MAX_TAGS}"
            )
        )
    for key, value in tags.items():
        at = (*where, key if isinstance(key, str) else repr(key))
        problems += TAG_KEY.problems(key, at)
        problems += TAG_VALUE.problems(value, at)
    return problems


#: A key ID is at most 128 characters here (KMS's are 36) and an alias name at most 256 with
#: its ``alias/``, as KMS allows: the ARN stays within CloudFormation's 2,048.
KMS_KEY_ARN = TextRule(
    "KMS key ARN",
    re.compile(
        r"arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:"
        r"(?:key/[A-Za-z0-9/_+=.@-]{1,128}|alias/[A-Za-z0-9/_+=.@-]{1,250})"
    ),
    "arn:aws:kms:REGION:ACCOUNT:key/ID or arn:aws:kms:REGION:ACCOUNT:alias/NAME (ID at most "
    "128 characters, alias/NAME at most 256)",
    invalid="not a KMS key ARN",
)
_ROLE_NAME = r"[A-Za-z0-9+=,.@_-]{1,64}"
#: A role's path (``/`` at both ends) is at most 512 characters and its name at most 64, as
#: IAM allows: the ARN stays within CloudFormation's 2,048.
IAM_ROLE_ARN = TextRule(
    "IAM role ARN",
    re.compile(
        rf"arn:aws[-a-z0-9]*:iam::\d{{12}}:role/(?=.{{1,575}}$)(?:[A-Za-z0-9+=,.@_-]+/)*{_ROLE_NAME}"
    ),
    "arn:aws:iam::ACCOUNT:role/NAME or arn:aws:iam::ACCOUNT:role/PATH/NAME (NAME at most 64 "
    "characters, /PATH/ at most 512)",
    invalid="not an IAM role ARN",
)
#: The role of a creation template: ECR takes no path there.
IAM_ROLE_ARN_WITHOUT_PATH = TextRule(
    "IAM role ARN",
    re.compile(rf"arn:aws[-a-z0-9]*:iam::\d{{12}}:role/{_ROLE_NAME}"),
    "arn:aws:iam::ACCOUNT:role/NAME (NAME at most 64 characters; ECR takes no path here)",
    invalid="not an IAM role ARN without a path",
)
#: The longest partition name: policies are measured with it when the region is unknown.
LONGEST_PARTITION = "aws-us-gov"
#: The longest region name (15 characters): policies that name an unknown region are
#: measured with it.
LONGEST_REGION = "us-isof-south-1"
#: Policies that name an unknown account are measured with an account ID's 12 digits.
ACCOUNT_ID_LENGTH = 12


def partition_of(region: object) -> str | None:
    """The partition of a known region (``aws``, ``aws-cn``, ``aws-us-gov``, ``aws-iso``...);
    None for a token or an unknown value."""
    if not isinstance(region, str) or is_token(region) or not REGION_PATTERN.fullmatch(region):
        return None
    for prefix, partition in _PARTITION_PREFIXES:
        if region.startswith(prefix):
            return partition
    return "aws"


_PARTITION_PREFIXES = (
    ("cn-", "aws-cn"),
    ("us-gov-", "aws-us-gov"),
    ("us-isob-", "aws-iso-b"),
    ("us-isof-", "aws-iso-f"),
    ("eu-isoe-", "aws-iso-e"),
    ("us-iso-", "aws-iso"),
    ("eusc-", "aws-eusc"),
)


def check_repository_name(name: str, where: str) -> str:
    """Return ``name`` when ECR accepts it as a private repository name; raise otherwise."""
    return REPOSITORY_NAME.check(name, where)


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
