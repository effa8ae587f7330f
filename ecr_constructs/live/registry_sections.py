"""Registry-wide settings, one small reader and comparer each.

A ``RegistrySection`` reads its setting from the account and takes the registry file's
word on it, both in the file's vocabulary (``{"type": "ENHANCED", "rules": [...]}``), so
that audit compares them with ``==`` and import writes what it read. ``None`` is ECR's
default (nothing configured). A section the file has no key for yet (``declared`` None) is
read and reported, not compared. Creation templates carry repository settings and have
their own module (``creation_templates``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from ..policy import RegistryAccess, RegistryPolicyDocument
from ..registry_rules import UPSTREAMS
from ..standards.registry_file.models import RegistryConfig
from .failures import error_code
from .semantic import canonical_policy

_ROOT_ARN = re.compile(r"arn:aws[a-z-]*:iam::(\d{12}):root")


@dataclass(frozen=True)
class Context:
    """The account and region being read."""

    account: str
    region: str
    partition: str


Value = Any
"""A setting in the registry file's vocabulary (JSON data); None: ECR's default."""


@dataclass(frozen=True)
class FileValue:
    """What import writes for a setting read: ``value`` under ``registry.<key>``, or, when
    the file can't say it, None and ``note`` (why)."""

    value: Value
    note: str | None = None


def _same(value: Value, _context: Context) -> FileValue:
    return FileValue(value)


def _unchanged(value: Value) -> Value:
    return value


@dataclass(frozen=True)
class RegistrySection:
    """One registry-wide setting: how to read it, what the file says, what to write."""

    name: str
    """Its key under ``registry:`` (planned keys for sections the file can't say yet)."""
    title: str
    """Its name in reports."""
    call: str
    """The ECR operation that reads it."""
    read: Callable[[Any, Context], Value]
    """The account's setting, read with an ECR client."""
    declared: Callable[[RegistryConfig, Context], Value] | None
    """The file's setting; None while the file has no key for it."""
    comparable: Callable[[Value], Value] = _unchanged
    """The part of a value that is compared (a secret's name, not its ARN)."""
    to_file: Callable[[Value, Context], FileValue] = _same


def all_pages(call: Callable[..., dict[str, Any]], key: str, **request: Any) -> Iterator[Any]:
    """Every item of a listing, following ``nextToken`` at the largest page size."""
    token: str | None = None
    while True:
        page = call(maxResults=1000, **request, **({"nextToken": token} if token else {}))
        yield from page.get(key, [])
        token = page.get("nextToken")
        if not token:
            return


def _unless_missing(read: Callable[[], Any], missing: str) -> Any:
    try:
        return read()
    except ClientError as error:
        if error_code(error) == missing:
            return None
        raise


# -- scanning ------------------------------------------------------------------------------


def _scanning(scan_type: str, rules: list[tuple[str, list[str]]]) -> Value:
    if scan_type == "BASIC" and not rules:
        return None
    value: dict[str, Any] = {"type": scan_type}
    if rules:
        value["rules"] = sorted(
            ({"frequency": frequency, "filters": sorted(filters)} for frequency, filters in rules),
            key=lambda rule: str(rule["frequency"]),
        )
    return value


def _read_scanning(client: Any, _context: Context) -> Value:
    config = client.get_registry_scanning_configuration().get("scanningConfiguration", {})
    rules = [
        (str(rule["scanFrequency"]), [str(f["filter"]) for f in rule.get("repositoryFilters", [])])
        for rule in config.get("rules", [])
    ]
    return _scanning(str(config.get("scanType", "BASIC")), rules)


def _declared_scanning(config: RegistryConfig, _context: Context) -> Value:
    scanning = config.registry.scanning
    if scanning is None:
        return None
    rules = [(str(rule.frequency), list(rule.filters)) for rule in scanning.rules]
    return _scanning(str(scanning.type), rules)


# -- replication ---------------------------------------------------------------------------


def _replication(rules: list[tuple[list[tuple[str, str]], list[str]]], account: str) -> Value:
    if not rules:
        return None
    written = []
    for destinations, prefixes in rules:
        rule: dict[str, Any] = {
            "destinations": [
                {"region": region, **({"account": owner} if owner != account else {})}
                for region, owner in destinations
            ]
        }
        if prefixes:
            rule["repository_prefixes"] = sorted(prefixes)
        written.append(rule)
    return {"rules": written}


def _read_replication(client: Any, context: Context) -> Value:
    configuration = client.describe_registry().get("replicationConfiguration", {})
    rules = [
        (
            [(str(d["region"]), str(d["registryId"])) for d in rule.get("destinations", [])],
            [str(f["filter"]) for f in rule.get("repositoryFilters", [])],
        )
        for rule in configuration.get("rules", [])
    ]
    return _replication(rules, context.account)


def _declared_replication(config: RegistryConfig, context: Context) -> Value:
    replication = config.registry.replication
    if replication is None:
        return None
    rules = [
        (
            [(d.region, d.account or context.account) for d in rule.destinations],
            list(rule.repository_prefixes),
        )
        for rule in replication.rules
    ]
    return _replication(rules, context.account)


# -- registry policy -----------------------------------------------------------------------


def _read_registry_policy(client: Any, context: Context) -> Value:
    response = _unless_missing(client.get_registry_policy, "RegistryPolicyNotFoundException")
    if response is None:
        return None
    return canonical_policy(str(response["policyText"]), context.partition)


def _replication_from(accounts: list[str], context: Context) -> Value:
    document = RegistryPolicyDocument(
        [RegistryAccess.replication_from(accounts)],
        account=context.account,
        region=context.region,
        partition=context.partition,
    )
    return canonical_policy(document.to_dict(), context.partition)


def _declared_registry_policy(config: RegistryConfig, context: Context) -> Value:
    sources = list(config.registry.replication_sources)
    return _replication_from(sources, context) if sources else None


def _registry_policy_to_file(value: Value, context: Context) -> FileValue:
    """``replication_sources`` when the policy is exactly what they render."""
    if value is None:
        return FileValue(None)
    statements = value.get("Statement", []) if isinstance(value, dict) else []
    principals = statements[0].get("Principal", {}).get("AWS", []) if len(statements) == 1 else []
    matches = [_ROOT_ARN.fullmatch(principal) for principal in principals]
    accounts = [match[1] for match in matches if match is not None]
    if 0 < len(accounts) == len(principals) and _replication_from(accounts, context) == value:
        return FileValue(sorted(accounts))
    return FileValue(
        None,
        "the registry policy grants more than replication from other accounts, which is "
        "all the file can say (replication_sources)",
    )


# -- pull-through cache --------------------------------------------------------------------

_SECRET_SUFFIX = re.compile(r"-[A-Za-z0-9]{6}$")


def _secret_name(reference: str) -> str:
    """A secret's name: the ARN's resource without Secrets Manager's random suffix."""
    if not reference.startswith("arn:"):
        return reference
    return _SECRET_SUFFIX.sub("", reference.split(":secret:", 1)[-1])


def _read_cache(client: Any, _context: Context) -> Value:
    rules = all_pages(client.describe_pull_through_cache_rules, "pullThroughCacheRules")
    values = []
    for rule in rules:
        url = str(rule.get("upstreamRegistryUrl", ""))
        upstream = str(rule.get("upstreamRegistry") or _upstream_of(url))
        value: dict[str, Any] = {"prefix": str(rule["ecrRepositoryPrefix"]), "upstream": upstream}
        if rule.get("credentialArn"):
            value["credential_secret"] = str(rule["credentialArn"])
        kind = UPSTREAMS.get(upstream)
        if kind is None or kind.url is None:
            value["upstream_url"] = url
        if rule.get("customRoleArn"):
            value["custom_role_arn"] = str(rule["customRoleArn"])
        if rule.get("upstreamRepositoryPrefix") not in (None, "ROOT"):
            value["upstream_repository_prefix"] = str(rule["upstreamRepositoryPrefix"])
        values.append(value)
    return sorted(values, key=lambda value: str(value["prefix"])) or None


def _upstream_of(url: str) -> str:
    known = [name for name, kind in UPSTREAMS.items() if kind.url == url]
    return known[0] if known else url


def _declared_cache(config: RegistryConfig, _context: Context) -> Value:
    rules = [
        rule.model_dump(mode="json", exclude_none=True)
        for rule in config.registry.pull_through_cache
    ]
    return sorted(rules, key=lambda rule: str(rule["prefix"])) or None


def _comparable_cache(value: Value) -> Value:
    if not value:
        return value
    return [
        {**rule, "credential_secret": _secret_name(rule["credential_secret"])}
        if "credential_secret" in rule
        else rule
        for rule in value
    ]


def _cache_to_file(value: Value, _context: Context) -> FileValue:
    unsaid = [rule for rule in value or () if "upstream_repository_prefix" in rule]
    unknown = [rule for rule in value or () if rule["upstream"] not in UPSTREAMS]
    if unsaid or unknown:
        return FileValue(
            None,
            "rules with an upstream repository prefix or an upstream the file doesn't know "
            f"({', '.join(str(r['prefix']) for r in unsaid + unknown)}) can't be said in the "
            "file yet",
        )
    return FileValue(value)


# -- sections the file can't say yet -------------------------------------------------------


def _read_signing(client: Any, _context: Context) -> Value:
    response = _unless_missing(
        client.get_signing_configuration, "SigningConfigurationNotFoundException"
    )
    rules = (response or {}).get("signingConfiguration", {}).get("rules", [])
    return (
        {
            "rules": [
                {
                    "signing_profile_arn": str(rule["signingProfileArn"]),
                    "repository_filters": sorted(
                        str(f["filter"]) for f in rule.get("repositoryFilters", [])
                    ),
                }
                for rule in rules
            ]
        }
        if rules
        else None
    )


def _read_pull_time_exclusions(client: Any, _context: Context) -> Value:
    principals = all_pages(client.list_pull_time_update_exclusions, "pullTimeUpdateExclusions")
    return sorted(str(principal) for principal in principals) or None


def _not_yet(title: str) -> Callable[[Value, Context], FileValue]:
    def to_file(value: Value, _context: Context) -> FileValue:
        if value is None:
            return FileValue(None)
        return FileValue(None, f"the registry file has no key for {title} yet")

    return to_file


SECTIONS: tuple[RegistrySection, ...] = (
    RegistrySection(
        "scanning",
        "registry scanning",
        "GetRegistryScanningConfiguration",
        _read_scanning,
        _declared_scanning,
    ),
    RegistrySection(
        "replication", "replication", "DescribeRegistry", _read_replication, _declared_replication
    ),
    RegistrySection(
        "replication_sources",
        "registry policy",
        "GetRegistryPolicy",
        _read_registry_policy,
        _declared_registry_policy,
        to_file=_registry_policy_to_file,
    ),
    RegistrySection(
        "pull_through_cache",
        "pull-through cache rules",
        "DescribePullThroughCacheRules",
        _read_cache,
        _declared_cache,
        comparable=_comparable_cache,
        to_file=_cache_to_file,
    ),
    RegistrySection(
        "signing",
        "signing",
        "GetSigningConfiguration",
        _read_signing,
        None,
        to_file=_not_yet("signing"),
    ),
    RegistrySection(
        "pull_time_update_exclusions",
        "pull-time update exclusions",
        "ListPullTimeUpdateExclusions",
        _read_pull_time_exclusions,
        None,
        to_file=_not_yet("pull-time update exclusions"),
    ),
)
"""Every registry-wide setting read, in the order reports list them."""
