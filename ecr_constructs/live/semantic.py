"""Policy and lifecycle documents in a canonical form, so that two documents that mean the
same compare equal, whatever their key order, whitespace or spelling. Pure Python.

Repository and registry policies: statements in any order; ``Sid`` ignored (a label);
one string and a one-item list alike; actions and condition keys in any case; an account
ID principal and its ``root`` ARN alike; ``Principal: "*"`` and ``{"AWS": "*"}`` alike;
``Version`` 2008-10-17 and 2012-10-17 alike unless the policy uses policy variables
(``${...}``), which only 2012-10-17 expands.

Lifecycle policies: the rules in priority order, each compared on what it selects and
does; the ``rulePriority`` numbers themselves and the descriptions are not compared (ECR
applies rules by their order only), nor the order of a rule's tag prefixes or patterns,
nor ``storageClass: standard`` said or left out.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..naming import ACCOUNT_ID_PATTERN

POLICY_VERSION = "2012-10-17"
_OLD_POLICY_VERSION = "2008-10-17"
_CASE_INSENSITIVE = frozenset({"Action", "NotAction"})
_TAG_LISTS = ("tagPrefixList", "tagPatternList")

Canonical = Any
"""JSON data in canonical form: compare with ``==``, show with ``json.dumps``."""


def parse_document(text: str | Mapping[str, Any] | None) -> Any:
    """A policy as JSON data: text is parsed (text that is not JSON stays as it is)."""
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def canonical_policy(document: str | Mapping[str, Any] | None, partition: str) -> Canonical:
    """A policy document (text or data) in canonical form; None for no policy."""
    data = parse_document(document)
    if not isinstance(data, Mapping):
        return data
    statements = data.get("Statement", [])
    if isinstance(statements, Mapping):
        statements = [statements]
    version = data.get("Version")
    if version == _OLD_POLICY_VERSION and "${" not in json.dumps(data):
        version = POLICY_VERSION
    canonical = [_statement(s, partition) for s in statements if isinstance(s, Mapping)]
    others = {k: v for k, v in data.items() if k not in ("Version", "Statement", "Id")}
    return {
        "Version": version,
        "Statement": sorted(canonical, key=_sort_key),
        **others,
    }


def _statement(statement: Mapping[str, Any], partition: str) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in statement.items():
        if key == "Sid":
            continue
        if key in ("Principal", "NotPrincipal"):
            result[key] = _principal(value, partition)
        elif key == "Condition" and isinstance(value, Mapping):
            result[key] = {
                operator: {
                    str(name).lower(): _values(item)
                    for name, item in (keys.items() if isinstance(keys, Mapping) else ())
                }
                for operator, keys in value.items()
            }
        elif key in _CASE_INSENSITIVE:
            result[key] = sorted({v.lower() for v in _values(value)})
        elif key in ("Resource", "NotResource"):
            result[key] = _values(value)
        else:
            result[key] = value
    return result


def _principal(value: Any, partition: str) -> Any:
    if value == "*":
        value = {"AWS": "*"}
    if not isinstance(value, Mapping):
        return value
    result = {}
    for kind, names in value.items():
        items = _values(names)
        if kind == "AWS":
            items = sorted(
                {
                    f"arn:{partition}:iam::{item}:root"
                    if ACCOUNT_ID_PATTERN.fullmatch(item)
                    else item
                    for item in items
                }
            )
        result[kind] = items
    return result


def _root_arn(principal: str, partition: str) -> str:
    """An account ID principal as the account's root ARN; other principals as they are."""
    if ACCOUNT_ID_PATTERN.fullmatch(principal):
        return f"arn:{partition}:iam::{principal}:root"
    return principal


def root_account(principal: str, partition: str) -> str | None:
    """The account of an account's root ARN (``arn:PARTITION:iam::ACCOUNT:root``); None for
    other principals."""
    prefix, suffix = f"arn:{partition}:iam::", ":root"
    if principal.startswith(prefix) and principal.endswith(suffix):
        account = principal[len(prefix) : -len(suffix)]
        return account if ACCOUNT_ID_PATTERN.fullmatch(account) else None
    return None


def _values(value: Any) -> list[str]:
    """One value or a list of values, as a sorted list of distinct strings."""
    items = value if isinstance(value, list) else [value]
    return sorted({json.dumps(item) if not isinstance(item, str) else item for item in items})


def _sort_key(item: Any) -> str:
    return json.dumps(item, sort_keys=True)


def canonical_lifecycle(document: str | Mapping[str, Any] | None) -> Canonical:
    """A lifecycle policy (text or data) in canonical form: its rules in priority order;
    None for no lifecycle policy."""
    data = parse_document(document)
    if not isinstance(data, Mapping) or not isinstance(data.get("rules"), list):
        return data
    rules = [rule for rule in data["rules"] if isinstance(rule, Mapping)]
    ordered = sorted(rules, key=lambda rule: _priority(rule.get("rulePriority")))
    return [_rule(rule) for rule in ordered]


def _priority(value: Any) -> float:
    return float(value) if isinstance(value, int | float) else float("inf")


def _rule(rule: Mapping[str, Any]) -> dict[str, Any]:
    result = {k: v for k, v in rule.items() if k not in ("rulePriority", "description")}
    selection = result.get("selection")
    if isinstance(selection, Mapping):
        result["selection"] = {
            key: sorted(value) if key in _TAG_LISTS and isinstance(value, list) else value
            for key, value in selection.items()
            if (key, value) != ("storageClass", "standard")  # ECR's default, said or not
        }
    return result
