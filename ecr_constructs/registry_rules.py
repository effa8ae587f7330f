"""The registry's rules, once: limits, syntax, upstreams, scanning frequencies. Pure Python.

The registry-wide constructs raise ``RegistryError`` with these problems at construct time;
the registry file loader reports them with file, line and field path. Each function returns
the problems it finds (never raises), each at a field path (``Problem.path``) relative to
what it was given (``()``: the value itself), so callers can place them and report every
one at once.
"""

from __future__ import annotations

import enum
import os
import pathlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from .errors import Path, Problem, RegistryError
from .naming import REPOSITORY_NAMESPACE_PATTERN, TextRule, is_token, partition_of

ROOT = "ROOT"
"""The catch-all prefix of pull-through cache rules and creation templates."""


def _namespace(kind: str, lengths: tuple[int, int]) -> TextRule:
    """A repository namespace prefix of ``lengths`` characters, or ROOT."""
    return TextRule(
        kind,
        REPOSITORY_NAMESPACE_PATTERN,
        "lowercase letters and digits, separated by . _ __ - or /",
        lengths,
        invalid=f"{kind} is not a valid repository namespace",
        also=(ROOT,),
    )


CACHE_PREFIX = _namespace("a pull-through cache prefix", (2, 30))
UPSTREAM_PREFIX = _namespace("an upstream repository prefix", (2, 30))
"""The upstream namespace an ECR upstream's cache prefix maps to."""
TEMPLATE_PREFIX = _namespace("a creation template prefix", (1, 256))
REPLICATION_PREFIX = TextRule(
    "a replication prefix",
    re.compile(r"(?:[a-z0-9]+(?:[._-][a-z0-9]*)*/)*[a-z0-9]*(?:[._-][a-z0-9]*)*"),
    "the start of a repository name: lowercase letters, digits, . _ - /",
    lengths=(2, 256),
    invalid="not a repository name prefix",
)
SCAN_FILTER = TextRule(
    "a scanning filter",
    re.compile(r"[a-z0-9*](?:[._\-/a-z0-9*]?[a-z0-9*]+)*"),
    "lowercase letters, digits, * and . _ - / between them (for example prod-*, team-a/*, *)",
    lengths=(1, 255),
    invalid="not a valid WILDCARD repository filter",
)


def prefix_key(prefix: str) -> str:
    """The prefix as ECR compares prefixes: ``team`` and ``team/`` are the same namespace."""
    return prefix.rstrip("/")


@dataclass(frozen=True)
class CountRule:
    """How many ``items`` a ``whole`` holds: ``low`` to ``high``."""

    whole: str
    items: str
    low: int
    high: int

    def problems(self, count: int, where: str | Path = ()) -> list[Problem]:
        allowed = f"{self.low}..{self.high} {self.items}"
        if count > self.high:
            message = f"{self.whole} has at most {self.high} {self.items}"
        elif count < self.low:
            at_least = "" if self.low == 1 else f"at least {self.low} "
            message = f"{self.whole} needs {at_least}{self.items}"
        else:
            return []
        return [Problem.of(where, message, given=count, allowed=allowed)]

    def json_schema(self) -> dict[str, int]:
        """The rule as JSON Schema array keywords."""
        return {"minItems": self.low, "maxItems": self.high}


REPLICATION_RULES = CountRule("a replication configuration", "rules", 1, 10)
REPLICATION_DESTINATIONS = CountRule("a replication configuration", "unique destinations", 1, 25)
REPLICATION_FILTERS = CountRule("a replication rule", "prefix filters", 0, 100)
SCANNING_RULES = CountRule("a registry scanning configuration", "rules", 0, 2)
SCAN_FILTERS = CountRule("a scanning rule", "repository filters", 1, 100)
CACHE_RULES = CountRule("a registry", "pull-through cache rules", 0, 50)


def raise_problems(problems: Sequence[Problem], where: str) -> None:
    """Raise ``RegistryError`` with every problem, placed at the construct path ``where``."""
    if problems:
        raise RegistryError.from_problems(
            replace(problem, where=" ".join(part for part in (where, problem.where) if part))
            for problem in problems
        )


def under(where: str | Path, problems: Iterable[Problem]) -> list[Problem]:
    """Problems at field paths relative to the field path ``where`` (a path, or its text)."""
    if isinstance(where, tuple):
        return [problem.moved((*where, *(problem.path or ()))) for problem in problems]
    placed = []
    for problem in problems:
        inner = problem.where
        if not where or not inner:
            at = where or inner
        else:
            at = where + inner if inner.startswith("[") else f"{where}.{inner}"
        placed.append(replace(problem, where=at))
    return placed


# --- replication ------------------------------------------------------------------------------


def unique_destination_problems(
    destinations: Iterable[tuple[str | None, str]], own_account: str | None
) -> list[Problem]:
    """At most 25 unique (account, region) destinations over every rule; an account of None
    is the registry's own."""
    unique = {(account or own_account, region) for account, region in destinations}
    return REPLICATION_DESTINATIONS.problems(len(unique))


def self_replication_problems(
    account: str | None,
    region: str,
    *,
    source_account: str | None,
    source_region: str | None,
) -> list[Problem]:
    """A registry can't replicate to itself (an account of None is the source's own; an
    unknown source region can't be compared)."""
    if source_region is None or region != source_region:
        return []
    if account is not None and account != source_account:
        return []
    return [
        Problem.at(
            (),
            "a registry can't replicate to itself",
            given=f"account {account or source_account or '(this account)'}, region {region}",
            allowed="another region, or another account",
        )
    ]


# --- scanning ---------------------------------------------------------------------------------

SCAN_FREQUENCIES: Mapping[str, tuple[str, ...]] = {
    "BASIC": ("SCAN_ON_PUSH", "MANUAL"),
    "ENHANCED": ("SCAN_ON_PUSH", "CONTINUOUS_SCAN"),
}
"""The frequencies each scan type supports. BASIC scans MANUALly every repository that no
SCAN_ON_PUSH rule matches."""


def frequency_problems(scan_type: str, frequency: str) -> list[Problem]:
    allowed = SCAN_FREQUENCIES[scan_type]
    if frequency in allowed:
        return []
    return [
        Problem.at(
            (),
            f"{frequency} is not available with {scan_type} scanning",
            given=frequency,
            allowed=" or ".join(allowed),
        )
    ]


def scanning_rules_problems(
    scan_type: str, rules: Sequence[tuple[str, Sequence[str]]]
) -> list[Problem]:
    """The rules (frequency, filters) of one configuration together: frequencies the scan
    type supports, one rule per frequency, no MANUAL filter that a SCAN_ON_PUSH filter
    overrides. Paths are relative to the list of rules."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, (frequency, _) in enumerate(rules):
        problems += under((index, "frequency"), frequency_problems(scan_type, frequency))
        if frequency in seen:
            problems.append(
                Problem.at(
                    (index, "frequency"),
                    "two rules with the same frequency: give one rule per frequency",
                    given=frequency,
                    allowed="one rule per frequency (put all its filters in that rule)",
                )
            )
        seen.add(frequency)
    by_frequency: dict[str, list[str]] = {}
    for frequency, filters in rules:
        by_frequency.setdefault(frequency, []).extend(filters)
    return problems + manual_overlap_problems(by_frequency)


def manual_overlap_problems(filters: Mapping[str, Sequence[str]]) -> list[Problem]:
    """BASIC scans a repository on push whenever a SCAN_ON_PUSH filter matches it, so a
    MANUAL filter that overlaps one could not take effect."""
    for manual in filters.get("MANUAL", ()):
        for on_push in filters.get("SCAN_ON_PUSH", ()):
            if _wildcards_overlap(manual, on_push):
                return [
                    Problem.at(
                        (),
                        "a MANUAL filter overlaps a SCAN_ON_PUSH filter; BASIC scans a "
                        "repository on push whenever a SCAN_ON_PUSH filter matches it, so "
                        "the MANUAL rule could not take effect",
                        given={"MANUAL": manual, "SCAN_ON_PUSH": on_push},
                        allowed="SCAN_ON_PUSH filters that match none of the MANUAL repositories",
                    )
                ]
    return []


def _wildcards_overlap(first: str, second: str) -> bool:
    """Whether some repository name matches both wildcard filters (``*``: any characters)."""
    todo = [(0, 0)]
    seen: set[tuple[int, int]] = set()
    while todo:
        i, j = todo.pop()
        if (i, j) in seen:
            continue
        seen.add((i, j))
        if i == len(first) and j == len(second):
            return True
        if i < len(first) and first[i] == "*":
            todo.append((i + 1, j))
            if j < len(second):
                todo.append((i, j + 1))
        if j < len(second) and second[j] == "*":
            todo.append((i, j + 1))
            if i < len(first):
                todo.append((i + 1, j))
        if i < len(first) and j < len(second) and first[i] == second[j] != "*":
            todo.append((i + 1, j + 1))
    return False


# --- pull-through cache -----------------------------------------------------------------------

AZURE_REGISTRY_NAME = re.compile(r"[a-z0-9]{5,50}")
"""The NAME of an Azure Container Registry, NAME.azurecr.io."""


@dataclass(frozen=True)
class UpstreamKind:
    """A registry that pull-through cache rules can fetch from."""

    name: str
    """The ``UpstreamRegistry`` value, e.g. ``docker-hub``."""
    url: str | None
    """The fixed ``UpstreamRegistryUrl``; None when each rule gives its own (``url_rule``)."""
    needs_credentials: bool
    """ECR signs in with a Secrets Manager secret."""
    url_rule: TextRule | None = None
    needs_role: bool = False
    """ECR assumes a role (``CustomRoleArn``) to pull."""
    takes_repository_prefix: bool = False
    """The cache prefix may map to an upstream namespace (``UpstreamRepositoryPrefix``)."""


UPSTREAMS: Mapping[str, UpstreamKind] = {
    kind.name: kind
    for kind in (
        UpstreamKind("ecr-public", "public.ecr.aws", False),
        UpstreamKind("k8s", "registry.k8s.io", False),
        UpstreamKind("quay", "quay.io", False),
        UpstreamKind("docker-hub", "registry-1.docker.io", True),
        UpstreamKind("github-container-registry", "ghcr.io", True),
        UpstreamKind("gitlab-container-registry", "registry.gitlab.com", True),
        UpstreamKind(
            "azure-container-registry",
            None,
            True,
            TextRule(
                "an azure-container-registry URL",
                re.compile(rf"{AZURE_REGISTRY_NAME.pattern}\.azurecr\.io"),
                "NAME.azurecr.io (NAME: 5..50 lowercase letters and digits)",
                invalid="not a valid azure-container-registry URL",
            ),
        ),
        UpstreamKind("chainguard", "cgr.dev", True),
        UpstreamKind(
            "ecr",
            None,
            False,
            TextRule(
                "an ecr URL",
                re.compile(r"\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?"),
                "ACCOUNT.dkr.ecr.REGION.amazonaws.com",
                invalid="not a valid ecr URL",
            ),
            needs_role=True,
            takes_repository_prefix=True,
        ),
    )
}
"""Every upstream ECR supports, by ``UpstreamRegistry`` name."""


def ecr_upstream_registry(url: str) -> tuple[str, str]:
    """The account and region of an ecr upstream's URL, ``ACCOUNT.dkr.ecr.REGION.amazonaws.com``
    (checked by the ecr upstream's ``url_rule``)."""
    account, _dkr, _ecr, region = url.split(".")[:4]
    return account, region


def self_cache_problems(
    account: str | None,
    region: str | None,
    *,
    registry_account: str | None,
    registry_region: str | None,
) -> list[Problem]:
    """An ECR upstream is another registry than the cache's own (an unknown account or
    region of the cache's registry, None, can't be compared)."""
    if registry_account is None or registry_region is None:
        return []
    if (account, region) != (registry_account, registry_region):
        return []
    return [
        Problem.at(
            (),
            "a registry can't cache from itself",
            given=f"account {account}, region {region}",
            allowed="another region, or another account",
        )
    ]


def upstream_prefix_problems(cache_prefix: str, upstream_prefix: str | None) -> list[Problem]:
    """An ECR upstream's repository prefix maps the cache prefix onto an upstream namespace,
    so the cache prefix can't be ROOT (path ``()``: the upstream prefix)."""
    if upstream_prefix in (None, ROOT) or cache_prefix != ROOT:
        return []
    return [
        Problem.at(
            (),
            "an upstream repository prefix needs a cache prefix other than ROOT",
            given=upstream_prefix,
            allowed="a cache prefix such as 'team-a', or no upstream repository prefix",
        )
    ]


def unique_problems(values: Sequence[object]) -> list[Problem]:
    """Each value at most once: a problem at the index of each repeat."""
    problems = []
    for index, value in enumerate(values):
        if value in values[:index]:
            problems.append(
                Problem.at((index,), "listed twice", given=value, allowed="each value once")
            )
    return problems


def credentials_problems(upstream: str, given: object, how: str) -> list[Problem]:
    """Credentials exactly for the upstreams that need them (``given``: the credentials, or
    None); ``how`` says how to give them."""
    kind = UPSTREAMS[upstream]
    if kind.needs_credentials and given is None:
        return [Problem.at((), f"upstream {upstream} needs credentials", allowed=how)]
    if given is not None and not kind.needs_credentials:
        role = " (ECR upstreams use an IAM role)" if kind.needs_role else ""
        return [
            Problem.at(
                (),
                f"upstream {upstream} takes no credentials{role}",
                given=given,
                allowed="no credentials; only "
                + ", ".join(name for name, other in UPSTREAMS.items() if other.needs_credentials)
                + " take them",
            )
        ]
    return []


UPSTREAM_ROLE_ACTIONS = (
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
    "ecr:BatchImportUpstreamImage",
    "ecr:GetImageCopyStatus",
    "ecr:InitiateLayerUpload",
    "ecr:UploadLayerPart",
    "ecr:CompleteLayerUpload",
    "ecr:PutImage",
)
"""What the role ECR assumes for a pull-through cache of an ecr upstream may do, on the
upstream's repositories and on the cache's (besides signing in)."""

SECRET_NAME_PREFIX = "ecr-pullthroughcache/"
SECRET_NAME = TextRule(
    "a pull-through cache secret name",
    re.compile(rf"{SECRET_NAME_PREFIX}[a-zA-Z0-9/_+=.@-]+"),
    f"{SECRET_NAME_PREFIX}<name> (letters, digits and / _ + = . @ -)",
    invalid="not a pull-through cache secret: ECR only reads secrets whose name starts with "
    f"{SECRET_NAME_PREFIX!r}",
)
_SECRET_ARN_PREFIX = r"arn:aws[a-zA-Z-]*:secretsmanager:([a-z0-9-]+):(\d{12}):secret:"
SECRET_ARN = re.compile(_SECRET_ARN_PREFIX + "(.+)")
"""A secret ARN: groups 1 region, 2 account, 3 name (with the random suffix, if any)."""
SECRET_REFERENCE_SCHEMA = {
    "pattern": f"^(?:{_SECRET_ARN_PREFIX})?{SECRET_NAME.pattern.pattern}$",
    "description": f"a Secrets Manager secret name or ARN starting with {SECRET_NAME_PREFIX}",
}


def secret_arn_problems(arn: str) -> list[Problem]:
    """A pull-through cache secret by ARN: a secret ARN whose name ECR reads."""
    if is_token(arn):
        return []
    match = SECRET_ARN.fullmatch(arn) if isinstance(arn, str) else None
    if match is None:
        return [
            Problem.at(
                (),
                "not a Secrets Manager secret ARN",
                given=arn,
                allowed="arn:PARTITION:secretsmanager:REGION:ACCOUNT:secret:NAME",
            )
        ]
    return SECRET_NAME.problems(match[3], ())


def secret_reference_problems(reference: str) -> list[Problem]:
    """A pull-through cache secret by name, or by ARN (``arn:...``)."""
    if isinstance(reference, str) and reference.startswith("arn:"):
        return secret_arn_problems(reference)
    return SECRET_NAME.problems(reference, ())


def secret_location_problems(
    reference: str, *, region: str | None, account: str | None
) -> list[Problem]:
    """A secret given by ARN is in the cache's region and account (None: unknown)."""
    match = SECRET_ARN.fullmatch(reference) if not is_token(reference) else None
    if match is None:
        return []
    return [
        Problem.at(
            (),
            f"the secret must be in the registry's {key}",
            given=found,
            allowed=f"a secret in {key} {expected}",
        )
        for key, found, expected in (
            ("region", match[1], region),
            ("account", match[2], account),
        )
        if expected is not None and not is_token(expected) and found != expected
    ]


# --- creation templates -----------------------------------------------------------------------


class AppliedFor(enum.StrEnum):
    """When ECR applies a creation template."""

    PULL_THROUGH_CACHE = "PULL_THROUGH_CACHE"
    """Repositories created by a pull-through cache rule on first pull."""
    REPLICATION = "REPLICATION"
    """Repositories created in this registry by replication from another registry."""
    CREATE_ON_PUSH = "CREATE_ON_PUSH"
    """Repositories created by a push to a name that doesn't exist yet."""


APPLIED_FOR = tuple(value.value for value in AppliedFor)


def applied_for_problems(values: object) -> list[Problem]:
    """A non-empty list of ``APPLIED_FOR`` values, each at most once."""
    choices = ", ".join(APPLIED_FOR)
    if isinstance(values, str) or not isinstance(values, Sequence) or not values:
        return [
            Problem.at(
                (),
                "a creation template needs a list of AppliedFor values",
                given=values,
                allowed=f"a non-empty list of {choices}",
            )
        ]
    problems = [
        Problem.at((index,), "not an AppliedFor value", given=value, allowed=choices)
        for index, value in enumerate(values)
        if value not in APPLIED_FOR
    ]
    if not problems and len(set(values)) != len(values):
        problems.append(
            Problem.at(
                (),
                "applied_for lists a value twice",
                given=[str(value) for value in values],
                allowed=f"each of {choices} at most once",
            )
        )
    return problems


# --- scanning ----------------------------------------------------------------------------------


class ScanType(enum.StrEnum):
    """How the registry scans images."""

    BASIC = "BASIC"
    """ECR's own scanner (free): scan on push or on demand."""
    ENHANCED = "ENHANCED"
    """Amazon Inspector: scan on push or continuously, OS and language packages."""


class ScanFrequency(enum.StrEnum):
    """When a scanning rule scans the repositories it matches."""

    SCAN_ON_PUSH = "SCAN_ON_PUSH"
    CONTINUOUS_SCAN = "CONTINUOUS_SCAN"
    """ENHANCED only: rescan whenever Inspector learns of a new vulnerability."""
    MANUAL = "MANUAL"
    """BASIC only: scanned on request. Recorded, never rendered: BASIC scans every
    repository that no SCAN_ON_PUSH rule matches manually."""


# --- public repositories -------------------------------------------------------------------------


class Architecture(enum.StrEnum):
    """Architectures the ECR Public Gallery shows as badges and search filters."""

    ARM = "ARM"
    ARM_64 = "ARM 64"
    X86 = "x86"
    X86_64 = "x86-64"


class OperatingSystem(enum.StrEnum):
    """Operating systems the ECR Public Gallery shows as badges and search filters."""

    LINUX = "Linux"
    WINDOWS = "Windows"


MAX_LOGO_BYTES = 512_000
"""The largest logo the ECR Public catalog takes (the API's ``logoImageBlob``)."""
LOGO_SIGNATURES = {"PNG": b"\x89PNG\r\n\x1a\n", "JPEG": b"\xff\xd8\xff"}
"""File signatures ("magic bytes") of the logo formats the ECR Public Gallery shows."""
LOGO_ALLOWED = f"a path to a PNG or JPEG file of at most {MAX_LOGO_BYTES:,} bytes"


def logo_problems(logo_image: object) -> list[Problem]:
    """A public repository's logo: an existing regular file, PNG or JPEG, of at most
    ``MAX_LOGO_BYTES`` (path ``()``: the value itself)."""
    if not isinstance(logo_image, str | os.PathLike):
        return [Problem.at((), "must be a file path", given=logo_image, allowed=LOGO_ALLOWED)]
    path = pathlib.Path(logo_image)
    if not path.is_file():
        problem = "no such file" if not path.exists() else "not a file"
        return [Problem.at((), problem, given=str(path), allowed=LOGO_ALLOWED)]
    size = path.stat().st_size
    if size > MAX_LOGO_BYTES:
        return [
            Problem.at(
                (),
                f"the image is too large for the ECR Public catalog ({size:,} bytes)",
                given=str(path),
                allowed=LOGO_ALLOWED,
            )
        ]
    with path.open("rb") as file:
        head = file.read(8)
    if not head.startswith(tuple(LOGO_SIGNATURES.values())):
        return [
            Problem.at(
                (),
                f"not a PNG or JPEG image (the file starts with {head!r})",
                given=str(path),
                allowed=LOGO_ALLOWED,
            )
        ]
    return []


# --- registry policy scope -----------------------------------------------------------------------


class RegistryPolicyScope(enum.StrEnum):
    """What the registry policy governs: the account setting ``REGISTRY_POLICY_SCOPE``.

    CloudFormation can't set it (ECR API ``PutAccountSetting``); the policy is checked
    against the scope given here, which must match the account's.
    """

    V2 = "V2"
    """ECR's default: the policy may allow any ECR action and applies to every ECR request
    in the registry (one statement can let an organisation pull every repository)."""
    V1 = "V1"
    """The policy may allow only ``ecr:ReplicateImage``, ``ecr:BatchImportUpstreamImage`` and
    ``ecr:CreateRepository``; ECR rejects a policy with any other action."""


ORGANIZATION_ID = TextRule(
    "an AWS Organizations ID",
    re.compile(r"o-[a-z0-9]{10,32}"),
    "an AWS Organizations ID matching ^o-[a-z0-9]{10,32}$",
    invalid="not an AWS Organizations ID",
)
"""An organisation that ``organization_pull`` (registry or repository policy) lets pull."""


# --- signing ----------------------------------------------------------------------------------

SIGNING_RULES = CountRule("a signing configuration", "rules", 0, 10)
"""PutSigningConfiguration takes at most 10 rules (CloudFormation's schema says 50, but the
API, and so the deploy, refuses more than 10)."""
SIGNING_FILTERS = CountRule("a signing rule", "repository filters", 1, 100)
"""A rule without filters signs every repository; a rule with filters has 1..100."""
SIGNING_FILTER = TextRule(
    "a signing repository filter",
    re.compile(r"(?:[a-z0-9*]+(?:[._-][a-z0-9*]+)*/)*[a-z0-9*]+(?:[._-][a-z0-9*]+)*"),
    "a repository name in which * matches any characters (for example prod*, team-a/*)",
    lengths=(1, 256),
    invalid="not a valid WILDCARD_MATCH repository filter",
)
SIGNING_PROFILE_ARN = TextRule(
    "a signing profile ARN",
    re.compile(
        r"arn:aws(?:-[a-z]+)*:signer:[a-z0-9-]+:[0-9]{12}:/signing-profiles/[a-zA-Z0-9_]{2,}"
    ),
    "an AWS Signer profile ARN, arn:PARTITION:signer:REGION:ACCOUNT:/signing-profiles/NAME "
    "(NAME: 2 or more letters, digits and _; no version)",
    lengths=(1, 200),
    invalid="not an AWS Signer signing profile ARN",
)
SIGNING_PLATFORM = "Notation-OCI-SHA384-ECDSA"
"""The AWS Signer platform for container images
(``aws_signer.Platform.NOTATION_OCI_SHA384_ECDSA``)."""


SIGNING_UNAVAILABLE_IN = "aws-cn"
"""The partition without ECR managed signing: the China Regions have neither AWS Signer nor
``AWS::ECR::SigningConfiguration``."""


def signing_region_problems(region: object) -> list[Problem]:
    """ECR managed signing in ``region`` (path ``()``); an unknown region or a token passes."""
    if partition_of(region) != SIGNING_UNAVAILABLE_IN:
        return []
    return [
        Problem.at(
            (),
            "ECR managed signing is not available in the China Regions",
            given=region,
            allowed=f"a region outside the {SIGNING_UNAVAILABLE_IN} partition, or no signing",
        )
    ]


def signing_rule_problems(signing_profile_arn: object, repository_filters: object) -> list[Problem]:
    """One signing rule: a Signer profile ARN in a region with managed signing, and an empty
    list (every repository) or 1..100 repository filters. Paths: ``signing_profile_arn``,
    ``repository_filters[i]``."""
    problems = SIGNING_PROFILE_ARN.problems(signing_profile_arn, ("signing_profile_arn",))
    if not problems and isinstance(signing_profile_arn, str) and not is_token(signing_profile_arn):
        region = signing_profile_arn.split(":")[3]
        problems = [
            replace(problem.moved(("signing_profile_arn",)), given=signing_profile_arn)
            for problem in signing_region_problems(region)
        ]
    if isinstance(repository_filters, str) or not isinstance(repository_filters, Sequence):
        return [
            *problems,
            Problem.at(
                ("repository_filters",),
                "repository_filters is a list of repository filters",
                given=repository_filters,
                allowed='a list such as ["prod*"], or an empty list for every repository',
            ),
        ]
    for index, value in enumerate(repository_filters):
        problems += SIGNING_FILTER.problems(value, ("repository_filters", index))
    if repository_filters:
        problems += SIGNING_FILTERS.problems(len(set(repository_filters)), ("repository_filters",))
    return problems


# --- pull-time update exclusions --------------------------------------------------------------

PULL_TIME_EXCLUSIONS = CountRule("a registry", "pull-time update exclusions", 0, 100)
PULL_TIME_EXCLUSION_PRINCIPAL = TextRule(
    "a pull-time update exclusion principal",
    re.compile(
        r"arn:aws(?:-[a-z]+)*:iam::[0-9]{12}:(?:role|user)/[A-Za-z0-9_+=,.@-]+(?:/[A-Za-z0-9_+=,.@-]+)*"
    ),
    "an IAM role or user ARN, arn:PARTITION:iam::ACCOUNT:role/NAME or :user/NAME",
    lengths=(1, 200),
    invalid="not an IAM role or user ARN (ECR excludes roles and users, not accounts or sessions)",
)


def exclusion_id(principal: str) -> str:
    """The construct ID of a pull-time update exclusion: its principal's ARN (or construct
    path) with ``%`` and ``/`` percent-encoded, since construct IDs hold no ``/``. Distinct
    principals keep distinct IDs, and an ID never changes while its principal doesn't."""
    return principal.replace("%", "%25").replace("/", "%2F")
