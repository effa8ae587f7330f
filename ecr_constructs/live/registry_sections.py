"""Registry-wide settings, one small reader and comparer each.

A ``RegistrySection`` reads its setting from the account and takes the registry file's
word on it, both in the file's vocabulary (``{"type": "ENHANCED", "rules": [...]}``), so
that audit compares them with ``==`` and import writes what it read. ``None`` is ECR's
default (nothing configured). The registry policy is one setting made of two keys
(``replication_sources`` and ``organization_pull``), compared as a policy document and
reported by the key that differs. Creation templates carry repository settings and have
their own module (``creation_templates``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from ..errors import PolicyDocumentError
from ..policy import RegistryPolicyDocument
from ..registry_rules import ROOT, UPSTREAMS, RegistryPolicyScope
from ..standards.registry_file.checks import registry_policy_grants
from ..standards.registry_file.models import RegistryConfig
from .failures import error_code
from .semantic import canonical_policy, root_account

_ORGANIZATION_KEY = "aws:principalorgid"
"""``aws:PrincipalOrgID`` as canonical policies spell condition keys (lower case)."""
POLICY_SCOPE_SETTING = "REGISTRY_POLICY_SCOPE"
"""The account setting ``GetAccountSetting`` reads the registry policy scope from."""


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
    """What import writes for a setting read: ``keys`` under ``registry:`` (none for ECR's
    default), or, when the file can't say it, no keys and ``note`` (why)."""

    keys: Mapping[str, Value] = field(default_factory=dict)
    note: str | None = None


def _unchanged(value: Value) -> Value:
    return value


@dataclass(frozen=True)
class RegistrySection:
    """One registry-wide setting: how to read it, what the file says, what to write."""

    name: str
    """Its key under ``registry:`` (``registry_policy``: the policy two keys make), and the
    setting audit names."""
    title: str
    """Its name in reports."""
    call: str
    """The ECR operation that reads it."""
    read: Callable[[Any, Context], Value]
    """The account's setting, read with an ECR client."""
    declared: Callable[[RegistryConfig, Context], Value]
    """The file's setting."""
    comparable: Callable[[Value], Value] = _unchanged
    """The part of a value that is compared (a secret's name, not its ARN)."""
    to_file: Callable[[Value, Context], FileValue] | None = None
    """The keys that say a value read; default: the value under ``name`` (none for None)."""
    keys: tuple[str, ...] = ()
    """The file keys that make the setting when they are several (the registry policy's);
    default: ``name``."""

    def written(self, value: Value, context: Context) -> FileValue:
        """What import writes for ``value``, read from the account of ``context``."""
        if self.to_file is not None:
            return self.to_file(value, context)
        return FileValue({} if value is None else {self.name: value})

    def differing(
        self, expected: Value, actual: Value, context: Context
    ) -> list[tuple[str, Value, Value]]:
        """Where ``expected`` (the file's) and ``actual`` (the account's) differ, as
        ``(setting, expected, actual)``: the file key that differs where the setting is made
        of several and the file can say both values, else ``name`` with the whole values."""
        if self.comparable(expected) == self.comparable(actual):
            return []
        if self.keys:
            want, have = self.written(expected, context), self.written(actual, context)
            if want.note is None and have.note is None:
                return [
                    (key, want.keys.get(key), have.keys.get(key))
                    for key in self.keys
                    if want.keys.get(key) != have.keys.get(key)
                ]
        return [(self.name, expected, actual)]


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


def _registry_policy(
    sources: Sequence[str], organizations: Sequence[str], context: Context
) -> Value:
    """The policy ``replication_sources`` and ``organization_pull`` render, canonical."""
    grants = registry_policy_grants(sources, organizations)
    if not grants:
        return None
    document = RegistryPolicyDocument(
        grants.values(),
        account=context.account,
        region=context.region,
        partition=context.partition,
    )
    return canonical_policy(document.to_dict(), context.partition)


def _declared_registry_policy(config: RegistryConfig, context: Context) -> Value:
    registry = config.registry
    return _registry_policy(registry.replication_sources, registry.organization_pull, context)


def _registry_policy_to_file(value: Value, context: Context) -> FileValue:
    """``replication_sources`` and ``organization_pull`` when the policy is exactly what
    they render."""
    if value is None:
        return FileValue()
    accounts, organizations = _policy_lists(value, context.partition)
    keys = {
        key: sorted(values)
        for key, values in (("replication_sources", accounts), ("organization_pull", organizations))
        if values
    }
    try:
        exact = _registry_policy(accounts, organizations, context) == value
    except PolicyDocumentError:
        exact = False
    if exact:
        return FileValue(keys)
    return FileValue(
        note="the registry policy grants more than replication from other accounts "
        "(replication_sources) and pull by organisations (organization_pull), which is all "
        "the file can say"
    )


def _policy_lists(policy: Value, partition: str) -> tuple[list[str], list[str]]:
    """The accounts (root principals) and organisations (``aws:PrincipalOrgID``) a canonical
    registry policy names: what ``replication_sources`` and ``organization_pull`` would be."""
    accounts: list[str] = []
    organizations: list[str] = []
    for statement in policy.get("Statement", []) if isinstance(policy, dict) else []:
        condition = statement.get("Condition")
        equals = condition.get("StringEquals") if isinstance(condition, dict) else None
        principal = statement.get("Principal")
        if isinstance(equals, dict) and _ORGANIZATION_KEY in equals:
            organizations += equals[_ORGANIZATION_KEY]
        elif isinstance(principal, dict):
            found = (root_account(name, partition) for name in principal.get("AWS", []))
            accounts += [account for account in found if account is not None]
    return accounts, organizations


# -- registry policy scope -----------------------------------------------------------------


def _read_policy_scope(client: Any, _context: Context) -> Value:
    return str(client.get_account_setting(name=POLICY_SCOPE_SETTING)["value"])


def _declared_policy_scope(config: RegistryConfig, _context: Context) -> Value:
    return config.registry.policy_scope.value


def _policy_scope_to_file(value: Value, _context: Context) -> FileValue:
    """The scope, unless it is the file's default (V2, ECR's)."""
    return FileValue({} if value == RegistryPolicyScope.V2 else {"policy_scope": value})


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
        {
            key: value
            for key, value in rule.model_dump(mode="json", exclude_none=True).items()
            if (key, value) != ("upstream_repository_prefix", ROOT)  # ECR's default, said
        }
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
    unknown = [str(rule["prefix"]) for rule in value or () if rule["upstream"] not in UPSTREAMS]
    if unknown:
        return FileValue(
            note=f"rules with an upstream the file doesn't know ({', '.join(unknown)}) can't be "
            "said in the file"
        )
    return FileValue({} if value is None else {"pull_through_cache": value})


# -- signing and pull-time update exclusions -----------------------------------------------


def _signing(rules: Iterable[tuple[str, Iterable[str]]]) -> Value:
    """Signing rules as the file says them, in a fixed order: ECR starts a signing job for
    every rule that matches a push, so neither the rules' order nor their filters' matters."""
    written = []
    for profile, filters in rules:
        rule: dict[str, Any] = {"signing_profile_arn": profile}
        if filters:
            rule["repository_filters"] = sorted(filters)
        written.append(rule)
    return {"rules": sorted(written, key=json.dumps)} if written else None


def _read_signing(client: Any, _context: Context) -> Value:
    response = _unless_missing(
        client.get_signing_configuration, "SigningConfigurationNotFoundException"
    )
    rules = (response or {}).get("signingConfiguration", {}).get("rules", [])
    return _signing(
        (
            str(rule["signingProfileArn"]),
            [str(f["filter"]) for f in rule.get("repositoryFilters", ())],
        )
        for rule in rules
    )


def _declared_signing(config: RegistryConfig, _context: Context) -> Value:
    signing = config.registry.signing
    rules = signing.rules if signing is not None else ()
    return _signing((rule.signing_profile_arn, rule.repository_filters) for rule in rules)


def _read_pull_time_exclusions(client: Any, _context: Context) -> Value:
    principals = all_pages(client.list_pull_time_update_exclusions, "pullTimeUpdateExclusions")
    return sorted(str(principal) for principal in principals) or None


def _declared_pull_time_exclusions(config: RegistryConfig, _context: Context) -> Value:
    return sorted(config.registry.pull_time_update_exclusions) or None


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
        "policy_scope",
        "registry policy scope",
        "GetAccountSetting",
        _read_policy_scope,
        _declared_policy_scope,
        to_file=_policy_scope_to_file,
    ),
    RegistrySection(
        "registry_policy",
        "registry policy",
        "GetRegistryPolicy",
        _read_registry_policy,
        _declared_registry_policy,
        to_file=_registry_policy_to_file,
        keys=("replication_sources", "organization_pull"),
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
        "signing", "signing", "GetSigningConfiguration", _read_signing, _declared_signing
    ),
    RegistrySection(
        "pull_time_update_exclusions",
        "pull-time update exclusions",
        "ListPullTimeUpdateExclusions",
        _read_pull_time_exclusions,
        _declared_pull_time_exclusions,
    ),
)
"""Every registry-wide setting read, in the order reports list them."""
