"""The registry's rules, once: limits, syntax, upstreams, scanning frequencies. Pure Python.

The registry-wide constructs raise ``RegistryError`` with these problems at construct time;
the registry file loader reports them with file, line and field path. Each function returns
the problems it finds (never raises), each at a field path (``Problem.path``) relative to
what it was given (``()``: the value itself), so callers can place them and report every
one at once.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from .errors import Path, Problem, RegistryError
from .naming import REPOSITORY_NAMESPACE_PATTERN, TextRule, is_token

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
        ),
    )
}
"""Every upstream ECR supports, by ``UpstreamRegistry`` name."""


def ecr_upstream_registry(url: str) -> tuple[str, str]:
    """The (account, region) of an ``ecr`` upstream's URL,
    ``ACCOUNT.dkr.ecr.REGION.amazonaws.com``."""
    account, _dkr, _ecr, region = url.split(".")[:4]
    return account, region


def self_cache_problems(
    account: str | None, region: str | None, *, registry: tuple[str | None, str | None]
) -> list[Problem]:
    """An ``ecr`` upstream is another registry than the cache's own ``registry`` (its
    account and region; None where not known)."""
    if None in (account, region) or (account, region) != registry:
        return []
    return [
        Problem.at(
            (),
            "a registry can't cache from itself",
            given=f"account {account}, region {region}",
            allowed="another region, or another account",
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
