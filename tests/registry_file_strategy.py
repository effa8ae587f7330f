"""Hypothesis strategies for registry files: every key of the file's schema, values at their
limits on both sides, mostly valid so that a drawn file usually reaches synthesis.

A drawn file is valid-looking by construction (unique names, inheritance chains that end,
settings that agree with each other); a few of its values, chosen by the draw, lie just
past a limit (``Draw.breaks``): 257-character names, 51 tags, six exclusion filters,
``expire_archived`` after 89 days... Each section's keys are listed in a table whose keys
``test_registry_file_property`` compares with the models, so a key added to the file
format is a key this strategy must learn to draw.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

from ecr_constructs.naming import partition_of
from ecr_constructs.registry_rules import MAX_LOGO_BYTES, SIGNING_FILTERS
from tests.test_public_repository import JPEG, PNG

ACCOUNT = "123456789012"
OTHER_ACCOUNTS = ("210987654321", "111111111111", "999999999999")
PARTITION_REGIONS = {
    "aws": ("us-east-1", "eu-west-1", "ap-northeast-1", "us-west-2", "eu-central-1"),
    "aws-us-gov": ("us-gov-west-1", "us-gov-east-1"),
    "aws-cn": ("cn-north-1", "cn-northwest-1"),
}
REGIONS = tuple(region for regions in PARTITION_REGIONS.values() for region in regions)
PUBLIC_REGION = "us-east-1"
_NAME_CHUNK = st.from_regex(r"[a-z0-9]{1,6}(?:[._-][a-z0-9]{1,6}){0,2}", fullmatch=True)
_WORD = st.from_regex(r"[a-z][a-z0-9]{0,7}", fullmatch=True)
#: Any Unicode text but lone surrogates (which a file can't hold: refused, see the tests).
_UNICODE = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=12)
#: What a tag key may hold: letters and digits of any script, spaces and _ . : / = + - @.
_TAG_KEY = st.text(
    st.characters(categories=("L", "N"), include_characters=" _.:/=+-@"), min_size=1, max_size=8
)
_UPSTREAMS_WITH_SECRET = (
    "docker-hub",
    "github-container-registry",
    "gitlab-container-registry",
    "azure-container-registry",
    "chainguard",
)
_UPSTREAMS = ("ecr-public", "k8s", "quay", *_UPSTREAMS_WITH_SECRET, "ecr")
LOGOS: dict[str, bytes | None] = {
    "logo.png": PNG,
    "images/logo.jpeg": JPEG,
    "largest.png": PNG + b"\0" * (MAX_LOGO_BYTES - len(PNG)),
    # Past a limit: one byte too many, not PNG or JPEG, empty, a folder, no file at all.
    "too-large.png": PNG + b"\0" * (MAX_LOGO_BYTES + 1 - len(PNG)),
    "logo.gif": b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
    "empty.png": b"",
    "images": None,
    "missing.png": None,
}
"""Logo paths a public repository may name, relative to the registry file, with their bytes
(``write_logos`` writes them beside the file; None: nothing, or a folder). The first three
are valid."""
_VALID_LOGOS = ("logo.png", "images/logo.jpeg", "largest.png")


@dataclass
class Draw:
    """One file's draw: ``breaks`` values may still go past their limit."""

    draw: Callable[[st.SearchStrategy[Any]], Any]
    breaks: int
    region: str | None = None
    account: str | None = None
    used: set[str] = field(default_factory=set)

    def __call__(self, strategy: st.SearchStrategy[Any]) -> Any:
        return self.draw(strategy)

    @property
    def partition(self) -> str:
        return partition_of(self.region) or "aws"

    def chance(self, out_of: int) -> bool:
        """True once in ``out_of`` draws (False is the simpler choice when shrinking)."""
        return bool(self.draw(st.integers(0, out_of - 1)) == out_of - 1)

    def breaking(self) -> bool:
        """Whether this value goes past its limit (while the file has breaks left)."""
        if self.breaks and self.chance(20):
            self.breaks -= 1
            return True
        return False

    def count(self, low: int, high: int, typical: int | None = None) -> int:
        """A number in low..high, often an edge (``low``, ``high``); past an edge when
        breaking."""
        if self.breaking():
            return int(self.draw(st.sampled_from([low - 1, high + 1])))
        if self.chance(4):
            return int(self.draw(st.sampled_from([low, high])))
        return int(self.draw(st.integers(low, min(high, typical or high))))

    def some(self, keys: tuple[str, ...], out_of: int = 3) -> list[str]:
        """Each of ``keys`` with a chance of one in ``out_of``."""
        return [key for key in keys if self.chance(out_of)]

    def unicode(self, length: int) -> str:
        """Text of exactly ``length`` characters (0 allowed), Unicode beyond ASCII included."""
        if length <= 0:
            return ""
        chunk: str = self.draw(_UNICODE)
        return (chunk * (length // len(chunk) + 1))[:length]

    def name(self, length: int, chunk: st.SearchStrategy[str] = _NAME_CHUNK) -> str:
        """A repository-name-like text of ``length`` characters: chunks joined by ``/``."""
        part: str = self.draw(chunk)
        text = part
        while len(text) < length:
            text += "/" + part
        text = text[: max(length, 1)]
        if text[-1] in "._-/":
            text = text[:-1] + "0"
        return text

    def unique(self, make: Callable[[], str], fallback: Callable[[int], str]) -> str:
        """A text not drawn before in this file (``fallback(n)`` when ``make`` repeats)."""
        text = make()
        if text in self.used:
            text = fallback(len(self.used))
        self.used.add(text)
        return text


# -- repository settings ---------------------------------------------------------------


def _kms_key(d: Draw) -> str:
    region = d.region or d(st.sampled_from(REGIONS))
    if d.breaking() and d.region is not None:
        region = next(other for other in PARTITION_REGIONS[d.partition] if other != d.region)
    account = d.account or ACCOUNT
    kind = "key/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d"
    if d.chance(2):  # an alias name of up to 256 characters with its alias/
        kind = "alias/" + d.name(d.count(1, 250, 10), _WORD)
    return f"arn:{partition_of(region) or 'aws'}:kms:{region}:{account}:{kind}"


def _role(d: Draw, name: str, path: bool) -> str:
    """A role ARN: a name of up to 64 characters, with a path when ``path``."""
    role = (name * 64)[: d.count(1, 64, len(name))]
    if path and d.chance(3):
        role = f"{d.name(d.count(1, 510, 10), _WORD)}/{role}"
    return f"arn:{d.partition}:iam::{ACCOUNT}:role/{role}"


def _encryption(d: Draw) -> dict[str, Any]:
    encryption = d(st.sampled_from(["KMS", "AES256", "KMS_DSSE"]))
    key: str | None = None
    if (encryption != "AES256" and d.chance(2)) or d.breaking():
        key = _kms_key(d)
    return {"encryption": encryption, "kms_key_arn": key}


def _mutability(d: Draw) -> dict[str, Any]:
    mode = d(
        st.sampled_from(
            ["IMMUTABLE", "MUTABLE", "IMMUTABLE_WITH_EXCLUSION", "MUTABLE_WITH_EXCLUSION"]
        )
    )
    exclusions: list[str] = []
    if mode.endswith("_WITH_EXCLUSION") or d.breaking():
        count = d.count(1, 5, 2)
        length = d.count(1, 128, 12) if d.chance(3) else 0
        for index in range(max(count, 0)):
            base = d(st.from_regex(r"[0-9a-zA-Z._-]{0,6}\*?", fullmatch=True)) + str(index)
            exclusions.append((base * (length // len(base) + 1))[: length or len(base)])
        if len(set(exclusions)) != len(exclusions):
            exclusions = [f"{index}{value}"[:128] for index, value in enumerate(exclusions)]
    return {"tag_mutability": mode, "tag_mutability_exclusions": exclusions}


def _removal(d: Draw) -> dict[str, Any]:
    policy = d(st.sampled_from(["RETAIN", "DESTROY"]))
    empty = (policy == "DESTROY" and d.chance(2)) or d.breaking()
    return {"removal_policy": policy, "empty_on_delete": empty}


def _tags(d: Draw) -> dict[str, str]:
    count = d.count(0, 50, 3)
    tags: dict[str, str] = {}
    if count >= 50:  # a shared key space, so that two layers of 50 still merge to 50
        return {f"t{n}": d.unicode(d.count(1, 255, 10) if n == 0 else 3) for n in range(count)}
    for _ in range(count):
        key_length = d.count(1, 127, 12)
        key = d.name(key_length, _TAG_KEY if d.chance(3) else _WORD)
        if d.chance(8):
            key = d(st.sampled_from(["aws:team", "AWS:team", "Aws:x"])) if d.breaking() else key
        tags[key] = d.unicode(d.count(1, 255, 20))
    return tags


def _tag_entries(d: Draw, count: int, taken: set[str], pattern: bool = False) -> list[str]:
    """Distinct lifecycle tag prefixes (or patterns), none in ``taken``."""
    entries = []
    for _ in range(count):
        entry = d(_WORD) + ("*" if pattern and d.chance(2) else "")
        while entry in taken:
            entry += "x"
        taken.add(entry)
        entries.append(entry)
    return entries


def _tag_selection(d: Draw, taken: set[str], most: int = 3) -> dict[str, list[str]]:
    pattern = d.chance(3)
    entries = _tag_entries(d, d.count(1, most, 2), taken, pattern)
    return {"patterns" if pattern else "prefixes": entries}


def _lifecycle(d: Draw) -> list[dict[str, Any]]:
    """Presets in an order ECR accepts: protections, untagged, tagged, archive, catch-all."""
    taken: set[str] = set()
    items: list[dict[str, Any]] = []
    if d.chance(3):  # up to ECR's 50 rules: one rule per protected prefix
        items.append({"protect_tags": _tag_selection(d, taken, most=48)})
    if d.chance(2):
        days = {"after_days": d.count(1, 36500, 30)}
        items.append({"expire_untagged": days if d.chance(2) else {"keep_last": d.count(1, 9999)}})
    if d.chance(3):
        count = {"after_days" if d.chance(2) else "keep_last": d.count(1, 1000, 30)}
        items.append({"expire_tagged": {**_tag_selection(d, taken), **count}})
    if d.chance(3):
        preset = d(st.sampled_from(["archive_unpulled", "archive_old"]))
        items.append({preset: {"after_days": d.count(1, 3650, 90), **_tag_selection(d, taken)}})
    if d.chance(4):
        items.append({"expire_archived": {"after_days": d.count(90, 3650, 365)}})
    if d.chance(3):
        rule: dict[str, Any] = {
            "selection": {
                "tagStatus": "tagged",
                "tagPrefixList": _tag_entries(d, 1, taken),
                "countType": "imageCountMoreThan",
                "countNumber": d.count(1, 1000, 20),
            },
            "action": {"type": "expire"},
        }
        if d.chance(2):
            rule["description"] = d.unicode(d.count(1, 100, 20))
        if d.chance(3):
            rule["rulePriority"] = d.count(1, 999, 10)
        items.append({"raw": rule})
    if not items or d.chance(3):
        items.append({"keep_last": {"count": d.count(1, 10000, 30)}})
    if d.breaking():  # a second catch-all, or nothing at all
        items = [*items, {"keep_last": {"count": 1}}] if d.chance(2) else []
    return items


def _accounts(d: Draw, typical: int = 3) -> list[str]:
    """Distinct 12-digit accounts; sometimes near the 10,240-character policy limit."""
    count = d(st.sampled_from([240, 260])) if d.chance(30) else d.count(1, 5, typical)
    return [f"{100000000000 + n:012d}" for n in range(max(count, 0))]


def _principals(d: Draw) -> list[str]:
    account = d(st.sampled_from([ACCOUNT, *OTHER_ACCOUNTS]))
    shapes = ["root", "role/ci", "user/alice", "role/team-a/deployer"]
    chosen = d(st.lists(st.sampled_from(shapes), min_size=1, max_size=4, unique=True))
    return [f"arn:{d.partition}:iam::{account}:{shape}" for shape in chosen]


def _organization(d: Draw) -> str:
    """An organisation ID: ``o-`` and 10 to 32 lowercase letters and digits."""
    length = d.count(10, 32, 12)
    return str(d(st.from_regex(rf"o-[a-z0-9]{{{max(length, 0)}}}", fullmatch=True)))


def _organizations(d: Draw) -> list[str]:
    return [_organization(d) for _ in range(d.count(1, 3, 1))]


_PULL = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
_ACTIONS = (*_PULL, "ecr:DescribeImages", "ecr:PutImage", "ecr:*")


def _actions(d: Draw) -> str | list[str]:
    chosen: list[str] = d(st.lists(st.sampled_from(_ACTIONS), min_size=1, max_size=4, unique=True))
    return chosen[0] if len(chosen) == 1 and d.chance(2) else chosen


def _statement(d: Draw, index: int) -> dict[str, Any]:
    """A statement the library's checks accept: named principals, a service, or anyone
    limited to an organisation; ``ecr:`` actions; a Sid of its own or none."""
    statement: dict[str, Any] = {}
    if d.chance(2):  # a preset's Sid too (the statement keeps it, the preset's moves)
        word = d(st.sampled_from(["Pull", "Push", "Stmt", "Own"]))
        statement["Sid"] = f"{word}{index}" if index else word  # distinct from each other
    statement["Effect"] = d(st.sampled_from(["Allow", "Deny"]))
    shape = d(st.sampled_from(["aws", "service", "organization"]))
    if shape == "aws":
        principals = _principals(d)
        statement["Principal"] = {"AWS": principals[0] if len(principals) == 1 else principals}
    elif shape == "service":
        statement["Principal"] = {"Service": "codebuild.amazonaws.com"}
    else:
        statement["Principal"] = "*" if d.chance(2) else {"AWS": "*"}
        statement["Condition"] = {"StringEquals": {"aws:PrincipalOrgID": _organization(d)}}
    statement["Action"] = _actions(d)
    return statement


def _statements(d: Draw) -> list[dict[str, Any]]:
    return [_statement(d, index) for index in range(d.count(1, 3, 1))]


def _unchecked_statement(d: Draw) -> dict[str, Any]:
    """A statement IAM accepts but the library's checks refuse: kept verbatim only with
    ``unchecked_policy_statements``."""
    shape = d(st.sampled_from(["anyone", "not_action", "not_principal"]))
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": {"AWS": _principals(d)}}
    if shape == "anyone":  # everyone, without a Condition
        statement["Principal"] = d(st.sampled_from(["*", {"AWS": "*"}]))
        statement["Action"] = _PULL
    elif shape == "not_action":
        statement["NotAction"] = ["ecr:DeleteRepository", "ecr:SetRepositoryPolicy"]
    else:
        statement = {
            "Effect": "Deny",
            "NotPrincipal": statement["Principal"],
            "Action": "ecr:DeleteRepository",
        }
    if d.breaking():  # past what IAM accepts: no Effect, an unknown one, or no action
        broken = d(st.sampled_from(["Effect", "Action"]))
        if broken == "Effect" and d.chance(2):
            statement["Effect"] = "Maybe"
        else:
            statement.pop(broken, None)
            statement.pop("NotAction", None)
    return statement


ACCESS: dict[str, Callable[[Draw], list[Any]]] = {
    "pull_accounts": _accounts,
    "push_accounts": _accounts,
    "pull_principals": _principals,
    "push_principals": _principals,
    "pull_organizations": _organizations,
    "push_organizations": _organizations,
    "lambda_pull_accounts": lambda d: _accounts(d, 2),
    "statements": _statements,
}


def _access(d: Draw) -> dict[str, list[Any]]:
    keys = d.some(tuple(ACCESS), 4) or ["pull_accounts"]
    return {key: [] if d.chance(6) else ACCESS[key](d) for key in keys}


_NO_LIFECYCLE = "no_lifecycle_policy"
_UNCHECKED = "unchecked_policy_statements"


def _exemptions(d: Draw) -> dict[str, Any]:
    """Exemptions with what they govern, so that a layer that sets them sets that too and
    inheritance stays valid: ``lifecycle: []`` (mostly) with no_lifecycle_policy, presets
    without it; a statement the library refuses among checked ones with
    unchecked_policy_statements, checked ones (or none) without it. When breaking, one
    exemption is left out and what it allows stays."""
    chosen = d.some((_NO_LIFECYCLE, _UNCHECKED), 2)
    no_lifecycle = _NO_LIFECYCLE in chosen and not d.chance(4)
    statements = [] if d.chance(4) else _statements(d)
    if _UNCHECKED in chosen:
        statements.insert(d(st.integers(0, len(statements))), _unchecked_statement(d))
    if chosen and d.breaking():
        chosen.remove(d(st.sampled_from(chosen)))
    elif chosen and d.chance(8):  # listed twice: still one exemption
        chosen.append(chosen[0])
    return {
        "exemptions": chosen,
        "lifecycle": [] if no_lifecycle else _lifecycle(d),
        "access": {"statements": statements},
    }


SETTING_GROUPS: dict[tuple[str, ...], Callable[[Draw], dict[str, Any]]] = {
    ("scan_on_push",): lambda d: {"scan_on_push": d(st.booleans())},
    ("tag_mutability", "tag_mutability_exclusions"): _mutability,
    ("encryption", "kms_key_arn"): _encryption,
    ("removal_policy", "empty_on_delete"): _removal,
    ("lifecycle",): lambda d: {"lifecycle": _lifecycle(d)},
    ("access",): lambda d: {"access": _access(d)},
    ("tags",): lambda d: {"tags": _tags(d)},
    ("exemptions",): _exemptions,
}
"""Settings that depend on each other are drawn together, so that a layer that sets one
sets its partner too (as the docs advise): inheritance stays valid unless a value breaks.
``exemptions`` come with the lifecycle and statements they govern (replacing a lifecycle
drawn before; its statements join the access lists drawn before)."""


def _settings(d: Draw, out_of: int) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    for keys, make in SETTING_GROUPS.items():
        if d.chance(out_of):
            values = make(d)
            if len(keys) > 1 and d.breaking():  # only one of the pair: may clash inherited
                values.pop(keys[-1])
            if "access" in values:
                values["access"] = {**settings.get("access", {}), **values["access"]}
            settings.update(values)
    return settings


# -- the file ------------------------------------------------------------------------------


def _standard_names(d: Draw) -> list[str]:
    names = []
    for index in range(d(st.integers(0, 3))):
        length = d.count(1, 64, 12)
        word = d(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,10}", fullmatch=True))
        names.append(
            d.unique(lambda w=word, n=length: (w * n)[:n], lambda n, i=index: f"std{i}-{n}")
        )
    return names


def _standards(d: Draw, names: list[str]) -> dict[str, Any]:
    standards: dict[str, Any] = {}
    for index, name in enumerate(names):
        standard = _settings(d, 2)
        if index and d.chance(2):  # extends an earlier standard: chains end
            standard["extends"] = d(st.sampled_from(names[:index]))
        if d.breaking():  # a cycle, or a standard that does not exist
            standard["extends"] = name if d.chance(2) else name + "-missing"
        standards[name] = standard
    return standards


def _repositories(d: Draw, standards: list[str], count: int) -> list[dict[str, Any]]:
    repositories = []
    for index in range(count):
        length = d.count(2, 256, 20)
        name = d.unique(lambda n=length: d.name(n), lambda n, i=index: f"repo-{i}-{n}")
        if d.breaking() and repositories:
            name = repositories[0]["name"]
        repository: dict[str, Any] = {"name": name, **_settings(d, 4)}
        if standards and d.chance(2):
            repository["standard"] = d(st.sampled_from(standards))
        repositories.append(repository)
    return repositories


def _public_repositories(d: Draw) -> list[dict[str, Any]]:
    repositories = []
    for index in range(d(st.integers(1, 2))):
        length = d.count(2, 205, 20)
        name = d.unique(lambda n=length: d.name(n), lambda n, i=index: f"public-{i}-{n}")
        repository: dict[str, Any] = {"name": name}
        for key, longest, typical in (
            ("description", 1024, 40),
            ("about", 10240, 80),
            ("usage", 10240, 80),
        ):
            if d.chance(2):
                repository[key] = d.unicode(d.count(1, longest, typical))
        for key, badges in (
            ("operating_systems", ["Linux", "Windows"]),
            ("architectures", ["ARM", "ARM 64", "x86", "x86-64"]),
        ):
            if d.chance(2):
                chosen = d(st.lists(st.sampled_from(badges), min_size=1, unique=True))
                repository[key] = [*chosen, chosen[0]] if d.breaking() else chosen
        if d.chance(2):
            repository["tags"] = _tags(d)
        if d.chance(2):
            keys = d.some(("push_accounts", "push_principals"), 2)
            repository["access"] = {key: [] if d.chance(6) else ACCESS[key](d) for key in keys}
        if d.chance(2):
            repository["logo"] = d(st.sampled_from(_VALID_LOGOS))
            if d.breaking():
                repository["logo"] = d(st.sampled_from([*LOGOS.keys() - _VALID_LOGOS]))
        repositories.append(repository)
    return repositories


def _scan_filters(d: Draw, first: str) -> list[str]:
    """Distinct filters starting with ``first``: MANUAL and SCAN_ON_PUSH filters never
    overlap (BASIC would refuse that)."""
    length = d.count(1, 255, 8) if d.chance(4) else 0
    filters = []
    for index in range(max(d.count(1, 100, 3), 0)):
        text = f"{first}{index}*"
        if length:
            text = (first + str(index) + "x" * length)[: max(length - 1, 1)] + "*"
        filters.append(text)
    return filters


def _scanning(d: Draw) -> dict[str, Any]:
    scan_type = d(st.sampled_from(["BASIC", "ENHANCED"]))
    frequencies = ["SCAN_ON_PUSH", "MANUAL" if scan_type == "BASIC" else "CONTINUOUS_SCAN"]
    if d.breaking():
        frequencies.append("CONTINUOUS_SCAN" if scan_type == "BASIC" else "MANUAL")
    chosen = d.some(tuple(frequencies), 2)
    rules = []
    for frequency in chosen:
        if frequency == "SCAN_ON_PUSH" and "MANUAL" not in chosen and d.chance(3):
            filters = ["*"]
        else:
            filters = _scan_filters(d, frequency[0].lower())
        rules.append({"frequency": frequency, "filters": filters})
    return {"type": scan_type, **({"rules": rules} if rules or d.chance(2) else {})}


def _replication(d: Draw) -> dict[str, Any]:
    regions = [r for r in PARTITION_REGIONS[d.partition] if r != d.region]
    accounts = [None, *OTHER_ACCOUNTS, *(f"{300000000000 + n}" for n in range(8))]
    targets = [(account, region) for account in accounts for region in regions]
    unique = min(d.count(1, 25, 3), len(targets))
    chosen = targets[:unique]
    rules_count = max(1, min(d.count(1, 10, 2), max(unique, 1)))
    rules = []
    for index in range(rules_count):
        mine = chosen[index::rules_count] or chosen[:1]
        rule: dict[str, Any] = {
            "destinations": [
                {"region": region, **({"account": account} if account else {})}
                for account, region in mine
            ]
        }
        if d.chance(2):
            count = d.count(0, 100, 3)
            length = d.count(2, 256, 10)
            rule["repository_prefixes"] = [
                d.name(length, st.just(f"p{n}")) if length > 2 else f"p{n}"[:length]
                for n in range(count)
            ]
        rules.append(rule)
    return {"rules": rules}


def _cache_prefix(d: Draw, index: int) -> str:
    if index == 0 and d.chance(6):
        return "ROOT"
    length = d.count(2, 30, 10)
    return d.unique(lambda: d.name(length), lambda n: f"cache{index}-{n}"[:30])


def _pull_through_cache(d: Draw) -> list[dict[str, Any]]:
    rules = []
    for index in range(d.count(1, 50, 3)):
        upstream = d(st.sampled_from(_UPSTREAMS))
        rule: dict[str, Any] = {"prefix": _cache_prefix(d, index), "upstream": upstream}
        if upstream in _UPSTREAMS_WITH_SECRET or d.breaking():
            secret = f"ecr-pullthroughcache/{d(_WORD)}"
            if d.region and d.account and d.chance(2):
                secret = (
                    f"arn:{d.partition}:secretsmanager:{d.region}:{d.account}:secret:{secret}"
                    "-AbCdEf"
                )
            rule["credential_secret"] = secret
        if upstream == "azure-container-registry":
            name = d(st.from_regex(r"[a-z0-9]{5,50}", fullmatch=True))
            rule["upstream_url"] = f"{name}.azurecr.io"
        if upstream == "ecr":
            region = d(st.sampled_from(PARTITION_REGIONS[d.partition]))
            account = OTHER_ACCOUNTS[0]
            if d.region and d.account and d.breaking():  # this registry itself
                account, region = d.account, d.region
            suffix = ".cn" if d.partition == "aws-cn" else ""
            rule["upstream_url"] = f"{account}.dkr.ecr.{region}.amazonaws.com{suffix}"
            rule["custom_role_arn"] = _role(d, "ecr-pull", path=True)
        if (upstream == "ecr" and d.chance(2)) or d.breaking():
            rule["upstream_repository_prefix"] = _upstream_prefix(d, rule["prefix"])
        rules.append(rule)
    return rules


def _upstream_prefix(d: Draw, cache_prefix: str) -> str:
    """ROOT, or a namespace of 2 to 30 characters when the cache prefix is not ROOT."""
    if (cache_prefix == "ROOT" and not d.breaking()) or d.chance(5):
        return "ROOT"
    return d.name(d.count(2, 30, 10))


def _creation_templates(d: Draw, standards: list[str]) -> list[dict[str, Any]]:
    templates = []
    for index in range(d(st.integers(1, 3))):
        prefix = "ROOT" if index == 0 and d.chance(3) else None
        if prefix is None:
            length = d.count(1, 256, 10)
            prefix = d.unique(lambda n=length: d.name(n), lambda n, i=index: f"tmpl{i}-{n}")
        template: dict[str, Any] = {
            "prefix": prefix,
            "applied_for": d(
                st.lists(
                    st.sampled_from(["PULL_THROUGH_CACHE", "REPLICATION", "CREATE_ON_PUSH"]),
                    min_size=1,
                    unique=True,
                )
            ),
        }
        if standards and d.chance(2):
            template["standard"] = d(st.sampled_from(standards))
        if d.chance(2):
            template["description"] = d.unicode(d.count(1, 256, 40))
        if d.chance(3):
            template["custom_role_arn"] = _role(d, "ecr-create", path=d.breaking())
        templates.append(template)
    return templates


def _signing_profile(d: Draw) -> str:
    """A Signer profile ARN of up to 200 characters, its name 2 or more letters, digits and
    _ (past a limit: a name of one character, or a version after it)."""
    region = d.region or d(st.sampled_from(PARTITION_REGIONS[d.partition]))
    head = f"arn:{d.partition}:signer:{region}:{d.account or ACCOUNT}:/signing-profiles/"
    word: str = d(st.from_regex(r"[A-Za-z0-9_]{2,8}", fullmatch=True))
    length = d.count(2, 200 - len(head), 12)
    name = (word * (max(length, 1) // len(word) + 1))[: max(length, 1)]
    return head + name + ("/v1" if d.breaking() else "")


def _signing_filters(d: Draw) -> list[str]:
    """0 to 100 filters of 1 to 256 characters (a repeat is kept once)."""
    length = d.count(1, 256, 8) if d.chance(4) else 0
    filters = []
    for index in range(max(d.count(0, 100, 3), 0)):
        text = d.name(length, st.just(f"f{index}")) if length else f"team-{index}/*"
        filters.append(text[:-1] + "*" if len(text) > 1 and d.chance(2) else text)
    if filters and d.chance(8):
        filters.append(filters[0])
    return filters


def _signing(d: Draw) -> dict[str, Any]:
    rules = [
        {"signing_profile_arn": _signing_profile(d), "repository_filters": _signing_filters(d)}
        for _ in range(max(d.count(0, 10, 2), 0))
    ]
    for rule in rules:
        if not rule["repository_filters"] and d.chance(2):
            del rule["repository_filters"]  # every repository
    if rules and d.chance(8):  # the same rule twice: kept once
        rules.append(rules[0])
    return {"rules": rules}


def _excluded_principals(d: Draw) -> list[str]:
    """Distinct role and user ARNs of up to 200 characters, with paths, some differing from
    another only in punctuation (past a limit: an account root, or one principal twice)."""
    principals: list[str] = []
    for index in range(max(d.count(0, 100, 3), 0)):
        head = f"arn:{d.partition}:iam::{ACCOUNT}:{d(st.sampled_from(['role', 'user']))}/"
        length = d.count(1, 200 - len(head) - 3, 10)
        principal = head + f"{index:03d}" + d.name(max(length, 1), st.just(f"ci-{index}"))
        kind, _, name = principals[-1].partition("/") if principals else ("", "", "")
        if "/" in name and d.chance(8):  # role/a/b and role/a--b: two principals
            principal = f"{kind}/{name.replace('/', '--', 1)}"
        principals.append(principal)
    if principals and d.breaking():
        principals.append(
            principals[0] if d.chance(2) else f"arn:{d.partition}:iam::{ACCOUNT}:root"
        )
    return principals


REGISTRY: dict[str, Callable[[Draw, list[str]], Any]] = {
    "scanning": lambda d, _: _scanning(d),
    "replication": lambda d, _: _replication(d),
    "pull_through_cache": lambda d, _: _pull_through_cache(d),
    "creation_templates": _creation_templates,
    "replication_sources": lambda d, _: _accounts(d, 2),
    "organization_pull": lambda d, _: _organizations(d),
    "policy_scope": lambda d, _: d(st.sampled_from(["V2", "V1"])),
    "signing": lambda d, _: _signing(d),
    "pull_time_update_exclusions": lambda d, _: _excluded_principals(d),
}


def _registry(d: Draw, names: list[str]) -> dict[str, Any]:
    """Each registry key with a chance of one in four; organization_pull takes scope V2
    (V1 refuses its pull actions), so V1 comes with it only when breaking, and signing
    comes in the China Regions (which have none) only when breaking."""
    registry = {key: make(d, names) for key, make in REGISTRY.items() if d.chance(4)}
    pulled = registry.get("organization_pull")
    if pulled and registry.get("policy_scope") == "V1" and not d.breaking():
        registry["policy_scope"] = "V2"
    if "signing" in registry and d.partition == "aws-cn" and not d.breaking():
        del registry["signing"]
    return registry


def _deployment(d: Draw, public: bool, shard: bool) -> dict[str, Any]:
    deployment: dict[str, Any] = {}
    if d.region is not None:
        deployment["region"] = d.region
    if d.account is not None:
        deployment["account"] = d.account
    if d.chance(3):
        length = d.count(1, 124, 20)
        word = d(st.from_regex(r"[A-Za-z][A-Za-z0-9-]{0,9}", fullmatch=True))
        deployment["stack_name"] = (word * length)[:length] or "x"
        if deployment["stack_name"].endswith("-"):
            deployment["stack_name"] = deployment["stack_name"][:-1] + "s"
    if shard:  # a few repositories per stack
        deployment["max_resources_per_stack"] = d.count(2, 4)
    elif d.chance(2):
        deployment["max_resources_per_stack"] = d.count(2, 500, 400)
    if public and d.breaking():
        deployment["region"] = "eu-west-1"
    if d.chance(5):
        deployment["targets"] = _targets(d, public)
        if d.breaking():
            pass  # the home account and region as they are, for stages too
        elif deployment["targets"].get("mode") == "stages":
            deployment.pop("account", None)
            deployment.pop("region", None)
        else:  # where the StackSets live
            deployment.setdefault("account", ACCOUNT)
            deployment.setdefault("region", PARTITION_REGIONS[d.partition][0])
    return deployment


def _targets(d: Draw, public: bool) -> dict[str, Any]:
    """``deployment.targets``: organizational units or accounts, in one or two regions of
    the registry's partition (us-east-1 among them with public repositories)."""
    regions = PARTITION_REGIONS[d.partition]
    chosen = d(st.lists(st.sampled_from(regions), min_size=1, max_size=2, unique=True))
    if public and PUBLIC_REGION not in chosen and not d.breaking():
        chosen.append(PUBLIC_REGION)
    targets: dict[str, Any] = {"regions": chosen}
    accounts = [f"{200000000000 + n:012d}" for n in range(max(d.count(1, 3, 2), 0))]
    if d.chance(3):
        targets["mode"] = "stages"
        targets["accounts"] = accounts
        return targets
    if d.chance(2):
        targets["accounts"] = accounts
    else:
        length = d.count(8, 32, 8)
        targets["organizational_units"] = [f"ou-ab12-{'x' * length}"]
        targets["call_as"] = d(st.sampled_from(["DELEGATED_ADMIN", "SELF"]))
    if d.chance(2):
        targets["max_concurrent_percentage"] = d.count(1, 100, 25)
        targets["failure_tolerance_percentage"] = d.count(0, 100, 10)
        targets["region_order"] = list(reversed(chosen))
    return targets


@st.composite
def registry_documents(draw: Callable[[st.SearchStrategy[Any]], Any]) -> dict[str, Any]:
    """A registry file as data: every section optional, values at their limits, mostly
    valid; ``breaks`` values (0 to 2) just past a limit."""
    d = Draw(draw, breaks=draw(st.sampled_from([0, 0, 0, 1, 2])))
    public = d.chance(4)
    if public:
        d.region = PUBLIC_REGION
    else:
        d.region = d(st.sampled_from([None, *REGIONS]))
    if d.chance(2):
        d.account = d(st.sampled_from([ACCOUNT, *OTHER_ACCOUNTS]))
    names = _standard_names(d)
    document: dict[str, Any] = {"version": 1 if not d.breaking() else 2}
    if names:
        document["standards"] = _standards(d, names)
        if d.chance(2):
            document["defaults"] = {"standard": d(st.sampled_from(names))}
    shard = d.chance(4)
    count = d(st.integers(3, 7)) if shard else d(st.sampled_from([1, 0, 1, 2, 3]))
    if count:
        document["repositories"] = _repositories(d, names, count)
    if public:
        document["public_repositories"] = _public_repositories(d)
    registry = _registry(d, names)
    if registry:
        document["registry"] = registry
    deployment = _deployment(d, public, shard)
    if deployment:
        document["deployment"] = deployment
    return document


FORMATS = ("registry.yaml", "registry.json")


def write_logos(folder: Path) -> None:
    """The files of ``LOGOS`` in ``folder``, the registry file's, where a drawn file finds
    them."""
    for name, content in LOGOS.items():
        if content is not None:
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)


def file_text(document: dict[str, Any], file_name: str, ascii_only: bool) -> str:
    """The document as the text of ``file_name`` (YAML or JSON)."""
    if file_name.endswith(".json"):
        return json.dumps(document, indent=2, ensure_ascii=ascii_only)
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=not ascii_only, width=100)


SIGNING_FILTERS_UNDER_THE_LIMIT = 67
"""Filters of each signing rule that keep ``largest_document``'s registry-wide settings
within stack 1's template limit, by the estimate (68 pass it)."""


def largest_document(signing_filters: int = SIGNING_FILTERS.high) -> dict[str, Any]:
    """A file with every key at its largest: the longest names, 50 tags of 255 characters,
    50 lifecycle rules, a policy near its limit, both exemptions, a public repository with
    the largest logo, every registry section full, a three-level inheritance chain with
    overrides, the longest stack name. Stack 1 holds every registry-wide resource: at their
    largest they pass CloudFormation's 1,000,000 bytes, so ``validate`` refuses the file;
    with ``SIGNING_FILTERS_UNDER_THE_LIMIT`` filters for each of the 10 signing rules it is
    valid."""
    tags = {f"{n:03d}" + "k" * 124: "värde-" + "\U0001f600" * 249 for n in range(50)}
    every_key = {
        "scan_on_push": True,
        "tag_mutability": "IMMUTABLE_WITH_EXCLUSION",
        "tag_mutability_exclusions": [f"{n}" + "*" * 127 for n in range(5)],
        "encryption": "KMS",
        "kms_key_arn": f"arn:aws:kms:{PUBLIC_REGION}:{ACCOUNT}:alias/" + "a" * 250,
        "removal_policy": "DESTROY",
        "empty_on_delete": True,
        "lifecycle": [
            {"protect_tags": {"prefixes": [f"keep{n}" for n in range(47)]}},
            {"expire_untagged": {"after_days": 1}},
            {"expire_archived": {"after_days": 90}},
            {"keep_last": {"count": 10_000}},
        ],
        "access": {
            "pull_accounts": [f"{100000000000 + n}" for n in range(200)],
            "push_accounts": [OTHER_ACCOUNTS[0]],
            "pull_principals": [f"arn:aws:iam::{ACCOUNT}:role/{'p' * 64}"],
            "push_principals": [f"arn:aws:iam::{ACCOUNT}:role/ci"],
            "pull_organizations": ["o-" + "a" * 32],
            "push_organizations": ["o-" + "b" * 32],
            "lambda_pull_accounts": [ACCOUNT],
            "statements": [
                {
                    "Sid": "Pull",
                    "Effect": "Deny",
                    "Principal": {"AWS": f"arn:aws:iam::{OTHER_ACCOUNTS[1]}:root"},
                    "Action": "ecr:*",
                },
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "codebuild.amazonaws.com"},
                    "Action": _PULL,
                },
            ],
        },
        "tags": tags,
        "exemptions": [_NO_LIFECYCLE, _UNCHECKED],
    }
    exempt = {
        "lifecycle": [],
        "access": {"statements": [{"Effect": "Allow", "Principal": "*", "Action": _PULL}]},
        "exemptions": [_NO_LIFECYCLE, _UNCHECKED],
    }
    longest = "a" * 64
    names = ["n" * 255 + str(n) for n in range(4)]
    return {
        "version": 1,
        "standards": {
            "base": every_key,
            "middle": {
                "extends": "base",
                "tag_mutability": "MUTABLE",
                "tag_mutability_exclusions": [],
            },
            longest: {"extends": "middle", "encryption": "AES256", "kms_key_arn": None},
        },
        "defaults": {"standard": longest},
        "repositories": [
            {"name": names[0]},
            {"name": names[1], "standard": "base"},
            {"name": names[2], **every_key, "standard": "middle", "tags": {min(tags): "x"}},
            {"name": names[3], "standard": "base", **exempt},
        ],
        "public_repositories": [
            {
                "name": "p" * 205,
                "description": "ü" * 1024,
                "about": "# Über\n" + "\U0001f433" * 10_233,
                "usage": "docker pull …\n" * 731,
                "operating_systems": ["Linux", "Windows"],
                "architectures": ["ARM", "ARM 64", "x86", "x86-64"],
                "logo": "largest.png",
                "access": {
                    "push_accounts": [f"{100000000000 + n}" for n in range(200)],
                    "push_principals": [f"arn:aws:iam::{ACCOUNT}:role/{'c' * 64}"],
                },
                "tags": tags,
            }
        ],
        "registry": {
            "scanning": {
                "type": "ENHANCED",
                "rules": [
                    {
                        "frequency": "SCAN_ON_PUSH",
                        "filters": [f"p{n:02d}" + "*" * 252 for n in range(100)],
                    },
                    {"frequency": "CONTINUOUS_SCAN", "filters": [f"c{n}*" for n in range(100)]},
                ],
            },
            "replication": {
                "rules": [
                    {
                        "destinations": [
                            {"region": region, "account": f"{300000000000 + rule * 5 + n}"}
                            for n, region in enumerate(PARTITION_REGIONS["aws"][1:])
                        ][: 3 if rule < 5 else 2],
                        "repository_prefixes": [f"{n:03d}" + "r" * 253 for n in range(100)],
                    }
                    for rule in range(10)
                ]
            },
            "pull_through_cache": [
                {"prefix": f"cache{n:02d}" + "c" * 23, "upstream": "quay"} for n in range(48)
            ]
            + [
                {"prefix": "ROOT", "upstream": "ecr-public"},
                {
                    "prefix": "e" * 30,
                    "upstream": "ecr",
                    "upstream_url": f"{OTHER_ACCOUNTS[0]}.dkr.ecr.us-west-2.amazonaws.com",
                    "custom_role_arn": f"arn:aws:iam::{ACCOUNT}:role/a/{'r' * 64}",
                    "upstream_repository_prefix": "u" * 30,
                },
            ],
            "creation_templates": [
                {"prefix": "ROOT", "applied_for": ["PULL_THROUGH_CACHE"], "standard": "base"},
                {
                    "prefix": "t" * 256,
                    "applied_for": ["REPLICATION", "CREATE_ON_PUSH", "PULL_THROUGH_CACHE"],
                    "description": "ß" * 256,
                    "custom_role_arn": f"arn:aws:iam::{ACCOUNT}:role/{'r' * 64}",
                },
            ],
            "replication_sources": [f"{200000000000 + n}" for n in range(240)],
            "organization_pull": ["o-" + "c" * 32],
            "policy_scope": "V2",
            "signing": {
                "rules": [
                    {
                        "signing_profile_arn": f"arn:aws:signer:{PUBLIC_REGION}:{ACCOUNT}:"
                        f"/signing-profiles/{rule}" + "s" * 143,
                        "repository_filters": [
                            f"{n:03d}" + "f" * 253 for n in range(signing_filters)
                        ],
                    }
                    for rule in range(10)
                ]
            },
            "pull_time_update_exclusions": [
                f"arn:aws:iam::{ACCOUNT}:role/{n:03d}" + "x" * 159 for n in range(100)
            ],
        },
        "deployment": {
            "stack_name": "S" * 124,
            "max_resources_per_stack": 500,
            "account": ACCOUNT,
            "region": PUBLIC_REGION,
        },
    }
