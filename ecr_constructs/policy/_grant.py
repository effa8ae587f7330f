"""`AccessGrant`: one statement's worth of access, immutable, rendered by a policy document."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import PolicyDocumentError, Problem
from ..naming import ACCOUNT_ID_PATTERN
from ..tokens import is_unresolved

Condition = tuple[tuple[str, str, tuple[str, ...]], ...]
"""``((operator, key, (value template, ...)), ...)``."""


def literal(value: str) -> str:
    """``value`` made safe to embed in a template (``{`` and ``}`` doubled)."""
    return value.replace("{", "{{").replace("}", "}}")


class _Context(dict[str, str]):
    """Template values; a missing one stays visible (``{account}``) for the checks to report."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _one_or_list(values: list[str]) -> str | list[str]:
    return values[0] if len(values) == 1 else values


@dataclass(frozen=True)
class AccessGrant:
    """One statement of access, made by a preset (``RepositoryAccess.pull(...)``) or ``custom``.

    Immutable and comparable. A policy document renders it: account IDs become root ARNs in
    the document's partition, and ``{partition}``, ``{account}`` and ``{region}`` in
    conditions and resources become the document's values. ``name`` says what it grants.
    """

    name: str
    sid: str
    actions: tuple[str, ...] = ()
    principals: tuple[str, ...] = ()
    """``AWS`` principal templates (see `principal_templates`)."""
    service: str | None = None
    anyone: bool = False
    """``{"AWS": "*"}``; presets only use it with a condition."""
    condition: Condition = ()
    resources: tuple[str, ...] = ()
    custom: str | None = None
    """A verbatim statement, as canonical JSON (so the grant stays immutable)."""

    @property
    def merge_key(self) -> tuple[object, ...] | None:
        """Grants with the same key differ only in principals and share one statement."""
        if self.custom is not None or self.anyone or self.service is not None:
            return None
        return (self.sid, self.actions, self.condition, self.resources)

    def render(
        self, *, partition: str = "aws", account: str | None = None, region: str | None = None
    ) -> dict[str, Any]:
        """The statement (without ``Sid`` for presets) as a fresh dict."""
        if self.custom is not None:
            statement: dict[str, Any] = json.loads(self.custom)
            return statement
        context = _Context(partition=partition)
        if account is not None:
            context["account"] = account
        if region is not None:
            context["region"] = region
        principal: dict[str, Any] | str
        if self.anyone:
            principal = {"AWS": "*"}
        elif self.service is not None:
            principal = {"Service": self.service}
        else:
            principal = {
                "AWS": _one_or_list(sorted({t.format_map(context) for t in self.principals}))
            }
        statement = {"Effect": "Allow", "Principal": principal, "Action": list(self.actions)}
        if self.resources:
            statement["Resource"] = _one_or_list(
                [template.format_map(context) for template in self.resources]
            )
        if self.condition:
            conditions: dict[str, dict[str, str | list[str]]] = {}
            for operator, key, templates in self.condition:
                values = [template.format_map(context) for template in templates]
                conditions.setdefault(operator, {})[key] = _one_or_list(values)
            statement["Condition"] = conditions
        return statement


def principal_templates(accounts: tuple[str, ...], principals: tuple[str, ...]) -> tuple[str, ...]:
    """``AWS`` principal templates: every account (and a 12-digit principal) as a root ARN in
    the document's partition, other principals as given."""
    return tuple(f"arn:{{partition}}:iam::{literal(a)}:root" for a in accounts) + tuple(
        f"arn:{{partition}}:iam::{p}:root" if ACCOUNT_ID_PATTERN.fullmatch(p) else literal(p)
        for p in principals
    )


def custom(statement: Mapping[str, Any]) -> AccessGrant:
    """A statement used verbatim (checked by the document it goes into, like every statement).

    A ``Sid`` is kept (it must be unique in the document); without one the document assigns
    ``Custom``, ``Custom2``...
    """
    if not isinstance(statement, Mapping):
        raise PolicyDocumentError(
            "custom", "a statement must be a mapping", given=statement, allowed="a dict"
        )
    try:
        text = json.dumps(dict(statement), separators=(",", ":"))
    except (TypeError, ValueError) as error:
        raise PolicyDocumentError(
            "custom", f"a statement must be JSON data ({error})", allowed="JSON types"
        ) from None
    sid = statement.get("Sid")
    label = f"custom statement {sid!r}" if isinstance(sid, str) else "custom statement"
    return AccessGrant(name=label, sid=sid if isinstance(sid, str) else "Custom", custom=text)


def raise_if(problems: list[Problem]) -> None:
    if problems:
        raise PolicyDocumentError.from_problems(problems)


def describe(values: tuple[str, ...]) -> str:
    """Values for a grant's name: tokens shown as ``(token)``."""
    return ", ".join("(token)" if is_unresolved(v) else v for v in values)
