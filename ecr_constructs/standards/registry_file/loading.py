"""Read a registry file (YAML or JSON) and report every problem in it at once.

Each section, list item and standard is validated on its own, so a bad value in one
repository does not hide a problem in another, and the rules that relate several values
(``checks``, ``resolution``) still run on everything that is valid. Every problem names
the file, the line (YAML) and the field path::

    registry.yaml:12: repositories[3].lifecycle[1].keep_last.count: ...
"""

from __future__ import annotations

import types
import typing
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from os import PathLike
from pathlib import Path as FilePath
from typing import Annotated, Any, TypeVar, cast

from pydantic import BaseModel, TypeAdapter, ValidationError

from ...errors import _UNSET, ConfigError, Path, Problem
from ...json_input import JsonInputError, decode_utf8, read_file
from ...lifecycle import LifecyclePolicyWarning
from .checks import Parts
from .locations import Issue, SourceMap, describe_choices, unknown_name_message
from .models import (
    DefaultsConfig,
    DeploymentConfig,
    RegistryConfig,
    RegistrySettingsConfig,
)
from .parsing import ParseFailure, parse_text
from .resolution import ResolvedCreationTemplate, ResolvedRepository, resolve

SUFFIXES = (".yaml", ".yml", ".json")
_FAILED: Any = object()
_Model = TypeVar("_Model", bound=BaseModel)


@dataclass(frozen=True)
class LoadedRegistry:
    """A checked registry file: its configuration, every repository and creation template
    with its standard resolved into ``RepositorySettings``, and its warnings."""

    config: RegistryConfig
    repositories: tuple[ResolvedRepository, ...]
    """Every private repository with its standard, inheritance and overrides applied."""
    creation_templates: tuple[ResolvedCreationTemplate, ...]
    """Every creation template with the settings of its standard."""
    warnings: tuple[Problem, ...]
    """Valid but probably unintended choices (a raw lifecycle rule with several tag prefixes
    selects only images matching all of them), with their locations."""
    source: str
    """The file's name (``RegistryConfig`` for a configuration made in Python)."""


def load_registry(path: str | PathLike[str]) -> LoadedRegistry:
    """Load and check a registry file (``.yaml``, ``.yml`` or ``.json``).

    Raises ``ConfigError`` whose ``problems`` list everything wrong with the file, each
    with the file name, the line (YAML) and the field path. Only a regular file of at most
    64 MiB (``MAX_FILE_BYTES``) in UTF-8 is read. Warnings are also issued as
    ``LifecyclePolicyWarning``.
    """
    file = FilePath(path)
    if file.suffix.lower() not in SUFFIXES:
        raise ConfigError(
            str(file), "unsupported file type", given=file.suffix, allowed=", ".join(SUFFIXES)
        )
    kind = "JSON" if file.suffix.lower() == ".json" else "YAML"
    try:
        text = decode_utf8(read_file(file), source=str(file), allowed=f"{kind} text in UTF-8")
    except JsonInputError as error:
        raise ConfigError.from_problems(error.problems) from None
    return parse_registry(text, str(file))


def parse_registry(text: str, source_name: str = "registry.yaml") -> LoadedRegistry:
    """Check registry file text; ``source_name`` names it in errors (``.json``: JSON)."""
    try:
        data, source_map, issues = parse_text(text, source_name)
    except ParseFailure as failure:
        raise ConfigError.from_problems([failure.problem]) from None
    validator = _Validator()
    parts = validator.parts(data, source_name)
    issues.extend(validator.issues)
    if parts is not None:
        resolution, more = resolve(parts)
        issues.extend(more)
    if issues or parts is None:
        raise source_map.error(issues)
    loaded = LoadedRegistry(
        config=RegistryConfig.model_validate(data),
        repositories=resolution.repositories,
        creation_templates=resolution.creation_templates,
        warnings=tuple(source_map.problems(resolution.warnings)),
        source=source_name,
    )
    for warning in loaded.warnings:
        warnings.warn(str(warning), LifecyclePolicyWarning, stacklevel=2)
    return loaded


def resolve_registry(config: RegistryConfig) -> LoadedRegistry:
    """A configuration made in Python, checked and resolved like a file; ``ConfigError``
    listing every problem."""
    resolution, issues = resolve(Parts.of(config))
    source_map = SourceMap("RegistryConfig")
    if issues:
        raise source_map.error(issues)
    return LoadedRegistry(
        config=config,
        repositories=resolution.repositories,
        creation_templates=resolution.creation_templates,
        warnings=tuple(source_map.problems(resolution.warnings)),
        source=source_map.name,
    )


def load_registry_config(path: str | PathLike[str]) -> RegistryConfig:
    """The configuration of a registry file, checked (see ``load_registry``)."""
    return load_registry(path).config


def parse_registry_config(text: str, source_name: str = "registry.yaml") -> RegistryConfig:
    """The configuration of registry file text, checked (see ``parse_registry``)."""
    return parse_registry(text, source_name).config


class _Validator:
    """Validates the pieces of a file separately, collecting every issue."""

    def __init__(self) -> None:
        self.issues: list[Issue] = []

    def parts(self, data: Any, source: str) -> Parts | None:
        if data is None:
            self.issues.append(
                Issue((), "the file is empty", allowed="a mapping with at least version: 1")
            )
            return None
        if not isinstance(data, dict):
            self.issues.append(Issue((), "expected a mapping at the top level", given=_given(data)))
            return None
        self.unknown_keys(RegistryConfig, data, ())
        if "version" not in data:
            self.issues.append(Issue(("version",), "required key is missing", allowed="1"))
        else:
            self.field(RegistryConfig, "version", data, ())
        registry = data.get("registry", {})
        if isinstance(registry, dict):
            self.unknown_keys(RegistrySettingsConfig, registry, ("registry",))
        else:
            self.field(RegistryConfig, "registry", data, ())
            registry = {}
        at: Path = ("registry",)
        sections = {
            name: self.field(RegistrySettingsConfig, name, registry, at)
            for name in RegistrySettingsConfig.model_fields
        }
        deployment, deployment_failed = self.section(DeploymentConfig, "deployment", data)
        return Parts(
            standards=self.field(RegistryConfig, "standards", data, ()) or {},
            defaults=self.field(RegistryConfig, "defaults", data, (), DefaultsConfig()),
            repositories=self.field(RegistryConfig, "repositories", data, ()) or [],
            public_repositories=self.field(RegistryConfig, "public_repositories", data, ()) or [],
            scanning=sections["scanning"],
            replication=sections["replication"],
            pull_through_cache=sections["pull_through_cache"] or [],
            creation_templates=sections["creation_templates"] or [],
            replication_sources=sections["replication_sources"] or (),
            organization_pull=sections["organization_pull"] or (),
            policy_scope=sections["policy_scope"],
            signing=sections["signing"],
            pull_time_update_exclusions=sections["pull_time_update_exclusions"] or (),
            deployment=deployment,
            deployment_failed=deployment_failed,
            source=source,
        )

    def section(
        self, model: type[_Model], key: str, data: dict[str, Any]
    ) -> tuple[_Model, frozenset[str]]:
        """A top-level section validated key by key: its valid keys (defaults in place of
        the invalid ones) and the names of the invalid keys."""
        value = data.get(key, {})
        if not isinstance(value, dict):
            self.field(RegistryConfig, key, data, ())
            return model(), frozenset(model.model_fields)
        return self.keys(model, value, (key,))

    def keys(
        self, model: type[_Model], value: dict[str, Any], path: Path
    ) -> tuple[_Model, frozenset[str]]:
        """A mapping validated key by key, and a mapping of a model inside it too (its
        invalid keys named ``key.inner``): the model of its valid keys (defaults in place of
        the invalid ones) and the names of the invalid keys. The model has no required key."""
        self.unknown_keys(model, value, path)
        valid: dict[str, Any] = {}
        failed: set[str] = set()
        for name, info in model.model_fields.items():
            if name not in value:
                continue
            inner = _model_in(info.annotation)
            if inner is not None and isinstance(value[name], dict):
                result, inner_failed = self.keys(inner, value[name], (*path, name))
                failed.update(f"{name}.{key}" for key in inner_failed)
            else:
                result = self.one(_field_annotation(model, name), value[name], (*path, name))
            if result is _FAILED:
                failed.add(name)
            else:
                valid[name] = result
        return model.model_construct(**valid), frozenset(failed)

    def unknown_keys(self, model: type[BaseModel], data: dict[str, Any], path: Path) -> None:
        for key in data:
            if key not in model.model_fields:
                self.issues.append(
                    Issue(
                        (*path, key),
                        unknown_name_message("key", key, model.model_fields),
                        allowed=describe_choices(model.model_fields),
                    )
                )

    def field(
        self,
        model: type[BaseModel],
        key: str,
        data: dict[str, Any],
        path: Path,
        default: Any = None,
    ) -> Any:
        """A field of ``model`` from ``data``: lists and mappings of models item by item.

        Returns the value, ``default`` when absent, and None when invalid (or, for lists
        and mappings of models, the items with None in place of the invalid ones).
        """
        if key not in data:
            return default
        info = model.model_fields[key]
        annotation = _field_annotation(model, key)
        value, at = data[key], (*path, key)
        item_model = _item_model(info.annotation)
        if item_model is None:
            result = self.one(annotation, value, at)
            return None if result is _FAILED else result
        origin = typing.get_origin(info.annotation)
        if origin is tuple and isinstance(value, list):
            self.one(_with_metadata(list[Any], info.metadata), value, at)
            return [self.model(item_model, item, (*at, index)) for index, item in enumerate(value)]
        if origin is dict and isinstance(value, dict):
            key_type = typing.get_args(info.annotation)[0]
            return {
                name: self.model(item_model, item, (*at, name))
                for name, item in value.items()
                if self.one(key_type, name, (*at, name)) is not _FAILED
            }
        self.one(annotation, value, at)
        return None

    def model(self, model: type[_Model], value: Any, path: Path) -> _Model | None:
        result = self.one(model, value, path)
        return None if result is _FAILED else cast(_Model, result)

    def one(self, annotation: Any, value: Any, path: Path) -> Any:
        """The validated value, or ``_FAILED`` (its issues recorded).

        When unknown keys are all that is wrong, they are reported and the value without
        them is returned, so a typo does not hide the problems the other rules find.
        """
        try:
            return _validate(annotation, value)
        except ValidationError as error:
            self.issues.extend(translate(error, annotation, path))
            errors = error.errors()
            if any(item["type"] != "extra_forbidden" for item in errors):
                return _FAILED
        for item in errors:
            value = _without(value, item["loc"])
        try:
            return _validate(annotation, value)
        except ValidationError:
            return _FAILED


def _validate(annotation: Any, value: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation.model_validate(value)
    return _adapter(annotation).validate_python(value)


def _without(value: Any, loc: Sequence[str | int]) -> Any:
    """A copy of ``value`` without the key at ``loc`` (the rest shared)."""
    if not loc:
        return value
    head, rest = loc[0], loc[1:]
    if isinstance(value, dict):
        if not rest:
            return {key: item for key, item in value.items() if key != head}
        return {**value, head: _without(value.get(head), rest)}
    if isinstance(value, list) and isinstance(head, int) and head < len(value):
        copy = list(value)
        copy[head] = _without(copy[head], rest)
        return copy
    return value


def _field_annotation(model: type[BaseModel], key: str) -> Any:
    info = model.model_fields[key]
    return _with_metadata(info.annotation, info.metadata)


def _with_metadata(annotation: Any, metadata: list[Any]) -> Any:
    return Annotated[annotation, *metadata] if metadata else annotation


@cache
def _adapter(annotation: Any) -> TypeAdapter[Any]:
    return TypeAdapter(annotation)


def _item_model(annotation: Any) -> type[BaseModel] | None:
    """The model of ``tuple[Model, ...]`` or ``dict[str, Model]``; None otherwise."""
    origin = typing.get_origin(annotation)
    if origin is tuple:
        item = typing.get_args(annotation)[0]
    elif origin is dict:
        item = typing.get_args(annotation)[1]
    else:
        return None
    return item if isinstance(item, type) and issubclass(item, BaseModel) else None


def translate(error: ValidationError, annotation: Any, path: Path) -> list[Issue]:
    """Pydantic's errors as issues at full field paths, worded for people."""
    items = error.errors(include_url=False)
    failed_inside = {tuple(item["loc"][:end]) for item in items for end in range(len(item["loc"]))}
    issues = []
    for item in items:
        if item["type"] == "too_short" and tuple(item["loc"]) in failed_inside:
            continue  # pydantic counts only the valid items; the invalid ones are reported
        loc = tuple(segment for segment in item["loc"] if segment != "[key]")
        issues.append(_issue(item, (*path, *loc), annotation, loc))
    return issues


def _issue(item: Any, path: Path, annotation: Any, loc: Path) -> Issue:
    kind: str = item["type"]
    context: dict[str, Any] = item.get("ctx") or {}
    given = context.get("given", item.get("input", _UNSET))
    if kind == "extra_forbidden":
        keys = _keys_at(annotation, loc[:-1])
        return Issue(
            path, unknown_name_message("key", str(loc[-1]), keys), allowed=describe_choices(keys)
        )
    if kind == "missing":
        return Issue(path, "required key is missing")
    if "allowed" in context:
        return Issue(path, item["msg"], _given(given), context["allowed"] or None)
    if kind in ("literal_error", "enum"):
        return Issue(path, "not an allowed value", _given(given), context["expected"])
    if kind == "string_type":
        hint = "; quote it" if isinstance(given, int | float | bool) or given is None else ""
        return Issue(path, "expected a string" + hint, _given(given))
    if kind in ("bool_type", "bool_parsing"):
        return Issue(path, "expected true or false", _given(given))
    if kind.startswith("int_"):
        return Issue(path, "expected a whole number", _given(given))
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return Issue(path, "expected a mapping", _given(given))
    if kind in ("list_type", "tuple_type"):
        return Issue(path, "expected a list", _given(given))
    if kind == "too_long":
        return Issue(
            path, "too many items", context.get("actual_length"), f"at most {context['max_length']}"
        )
    if kind == "too_short":
        return Issue(
            path, "too few items", context.get("actual_length"), f"at least {context['min_length']}"
        )
    if kind == "string_too_long":
        size = len(given) if isinstance(given, str) else given
        return Issue(
            path, "too long", f"{size} characters", f"at most {context['max_length']} characters"
        )
    bounds = {
        "greater_than_equal": ">=",
        "less_than_equal": "<=",
        "greater_than": ">",
        "less_than": "<",
    }
    if kind in bounds:
        limit = next(iter(context.values()))
        return Issue(path, "out of range", _given(given), f"{bounds[kind]} {limit}")
    message: str = item["msg"]
    return Issue(path, message.removeprefix("Value error, "), _given(given))


def _given(value: Any) -> Any:
    """The bad value, unless it is too big to be worth repeating."""
    if value is _UNSET or len(repr(value)) <= 80:
        return value
    return _UNSET


def _keys_at(annotation: Any, loc: Sequence[str | int]) -> list[str]:
    """The keys allowed at ``loc`` inside ``annotation``."""
    current: Any = annotation
    for segment in loc:
        current = _step(current, segment)
    model = _model_in(current)
    return list(model.model_fields) if model is not None else []


def _step(annotation: Any, segment: str | int) -> Any:
    model = _model_in(annotation)
    if model is not None:
        info = model.model_fields.get(str(segment))
        return info.annotation if info is not None else None
    annotation = _unwrap(annotation)
    args = typing.get_args(annotation)
    origin = typing.get_origin(annotation)
    if origin in (tuple, list) and args:
        return args[0]
    if origin is dict and args:
        return args[1]
    return None


def _unwrap(annotation: Any) -> Any:
    """Strip ``Annotated`` and ``| None``."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
            if len(members) != 1:
                return annotation
            annotation = members[0]
        else:
            return annotation


def _model_in(annotation: Any) -> type[BaseModel] | None:
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None
