"""Lifecycle items of the registry file: ``- keep_last: {count: 10}`` is
``Lifecycle.keep_last(count=10)``.

The presets' signatures are the single source of their keys: the JSON Schema and the
unknown/missing key checks are derived from them, and the presets check the values.
"""

from __future__ import annotations

import collections.abc
import inspect
import types
import typing
from functools import cache
from typing import Any

from ...errors import Path
from ...lifecycle import Lifecycle, LifecyclePreset
from .locations import Issue, describe_choices, unknown_name_message

PRESET_NAMES: tuple[str, ...] = (
    "protect_tags",
    "expire_untagged",
    "expire_tagged",
    "keep_last",
    "archive_unpulled",
    "archive_old",
    "expire_archived",
    "raw",
)
_KEYWORD_KINDS = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
_RAW_RULE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "rulePriority": {"type": "integer", "minimum": 1},
        "description": {"type": "string"},
        "selection": {"type": "object"},
        "action": {"type": "object"},
    },
    "required": ["selection", "action"],
}


@cache
def _parameters(name: str) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
    """The preset's keyword names, the required ones, and whether it takes any keyword."""
    signature = inspect.signature(getattr(Lifecycle, name))
    keywords = tuple(p.name for p in signature.parameters.values() if p.kind in _KEYWORD_KINDS)
    required = tuple(
        p.name
        for p in signature.parameters.values()
        if p.kind in _KEYWORD_KINDS and p.default is inspect.Parameter.empty
    )
    any_keyword = any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in signature.parameters.values()
    )
    return keywords, required, any_keyword


def build_preset(
    name: str, arguments: dict[str, Any], at: Path
) -> tuple[LifecyclePreset | None, list[Issue]]:
    """``Lifecycle.<name>(**arguments)``; problems located under ``at`` (the preset's key)."""
    keywords, required, any_keyword = _parameters(name)
    issues: list[Issue] = []
    if not any_keyword:
        issues.extend(
            Issue(
                (*at, key),
                unknown_name_message("key", key, keywords),
                allowed=describe_choices(keywords),
            )
            for key in arguments
            if key not in keywords
        )
    issues.extend(
        Issue((*at, key), "required key is missing") for key in required if key not in arguments
    )
    if issues:
        return None, issues
    preset: LifecyclePreset = getattr(Lifecycle, name)(**arguments)
    return preset, []


def preset_arguments_schema(name: str) -> dict[str, Any]:
    """The JSON Schema of a preset's mapping, from its signature and docstring."""
    factory = getattr(Lifecycle, name)
    doc = inspect.getdoc(factory) or ""
    description = doc.split("\n\n")[0].replace("\n", " ")
    if name == "raw":
        return {**_RAW_RULE_SCHEMA, "description": description}
    keywords, required, _ = _parameters(name)
    hints = typing.get_type_hints(factory)
    schema: dict[str, Any] = {
        "type": "object",
        "description": description,
        "properties": {key: _json_type(hints.get(key)) for key in keywords},
        "additionalProperties": False,
    }
    if required:
        schema["required"] = list(required)
    return schema


def _json_type(annotation: Any) -> dict[str, Any]:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        members = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        return _json_type(members[0]) if len(members) == 1 else {}
    if annotation is bool:
        return {"type": "boolean"}
    if annotation is int:
        return {"type": "integer", "minimum": 1}
    if annotation is str:
        return {"type": "string"}
    if origin in (collections.abc.Sequence, list, tuple):
        return {"type": "array", "items": _json_type(typing.get_args(annotation)[0])}
    if origin in (collections.abc.Mapping, dict):
        return {"type": "object"}
    return {}
