"""Standards, inheritance and overrides: the settings each repository ends up with.

Merge, in one place: built-in secure defaults < the standard's ``extends`` chain (base
first) < the standard < the repository's own keys. Scalar keys override; ``tags`` merge
(a key set later wins); ``lifecycle`` replaces the inherited list; each ``access`` list
(``pull_accounts``...) replaces the inherited list of the same name.

The merged values become a ``RepositorySettings``, which checks every rule. Every value
remembers the field path that set it, so a problem is reported where it was introduced:
at the key that set the offending value, or, for a value a repository inherits unchanged,
once at its standard.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...errors import (
    EcrConstructsError,
    LifecyclePolicyError,
    Path,
    PolicyDocumentError,
    Problem,
    format_path,
)
from ...lifecycle import LifecyclePolicy, LifecyclePolicyWarning, LifecyclePreset
from ...policy import AccessGrant, RepositoryAccess
from ...registry_rules import AppliedFor
from ...settings import RepositorySettings
from .checks import Parts, check_parts, check_registry_bytes, check_registry_room
from .locations import Issue, is_under
from .models import ACCESS_KEYS, SETTING_KEYS, LifecycleItemConfig, _Settings
from .presets import build_preset
from .targets import registry_region

# Value and the field path that set it; None for a built-in default.
Layer = dict[str, tuple[Any, Path | None]]

_BUILTIN_LAYER: Layer = {
    **{key: (None, None) for key in SETTING_KEYS if key != "access"},
    **{f"access.{key}": ((), None) for key in ACCESS_KEYS},
}
# RepositorySettings' defaults apply to the keys no layer sets (None here).


@dataclass(frozen=True, kw_only=True)
class ResolvedRepository:
    """A private repository of the file, ready for a construct."""

    name: str
    standard: str | None
    """The standard applied (its own or defaults.standard); None: built-in defaults."""
    settings: RepositorySettings


@dataclass(frozen=True, kw_only=True)
class ResolvedCreationTemplate:
    """A repository creation template with its standard's settings resolved."""

    prefix: str
    applied_for: tuple[AppliedFor, ...]
    description: str | None
    custom_role_arn: str | None
    standard: str | None
    settings: RepositorySettings


@dataclass(frozen=True)
class Resolution:
    repositories: tuple[ResolvedRepository, ...]
    creation_templates: tuple[ResolvedCreationTemplate, ...]
    warnings: tuple[Issue, ...]
    """Valid but probably unintended choices (from the lifecycle layer)."""


def resolve(parts: Parts) -> tuple[Resolution, list[Issue]]:
    """Resolve every repository and template; the issues found on the way (with checks)."""
    issues = check_parts(parts)
    resolver = _Resolver(parts, issues)
    for name in parts.standards:
        resolver.standard_settings(name)
    repositories = []
    for index, repository in enumerate(parts.repositories):
        if repository is None:
            continue
        base = resolver.base(repository.standard)
        if base is None:
            continue
        path: Path = ("repositories", index)
        settings = resolver.settings(
            _overlay(base, repository, path),
            path,
            inherited=resolver.base_problems(repository.standard),
            name=repository.name,
        )
        if settings is not None:
            repositories.append(
                ResolvedRepository(
                    name=repository.name,
                    standard=resolver.standard_name(repository.standard),
                    settings=settings,
                )
            )
    templates = []
    for template in parts.creation_templates:
        if template is None:
            continue
        settings = resolver.base_settings(template.standard)
        if settings is None:
            continue
        templates.append(
            ResolvedCreationTemplate(
                prefix=template.prefix,
                applied_for=template.applied_for,
                description=template.description,
                custom_role_arn=template.custom_role_arn,
                standard=resolver.standard_name(template.standard),
                settings=settings,
            )
        )
    roles = sum(t.custom_role_arn is None and t.settings.creation_needs_role for t in templates)
    issues += check_registry_room(parts, len(templates) + roles)
    if not issues:
        # Measured on a file without other problems: the estimate renders every setting.
        issues += check_registry_bytes(parts, templates)
    return Resolution(tuple(repositories), tuple(templates), tuple(resolver.warnings)), issues


def _overlay(base: Layer, settings: _Settings, prefix: Path) -> Layer:
    layer = dict(base)
    for key in settings.model_fields_set:
        if key not in SETTING_KEYS:
            continue
        value = getattr(settings, key)
        path = (*prefix, key)
        if key == "tags":
            inherited = base["tags"][0] or {}
            layer["tags"] = ({**inherited, **value}, path)
        elif key == "access":
            for access_key in value.model_fields_set:
                layer[f"access.{access_key}"] = (
                    getattr(value, access_key),
                    (*path, access_key),
                )
        else:
            layer[key] = (value, path)
    return layer


_Found = frozenset[tuple[Path, str]]
"""Problems of a standard's settings, as (settings path, message)."""


class _Resolver:
    def __init__(self, parts: Parts, issues: list[Issue]) -> None:
        self.parts = parts
        self.issues = issues
        self.layers: dict[str, Layer | None] = {}
        self.grants: dict[tuple[Path | None, ...], tuple[AccessGrant, ...] | None] = {}
        self.standards: dict[str, tuple[RepositorySettings | None, _Found]] = {}
        self.policies: dict[Path, LifecyclePolicy | None] = {}
        self.warnings: list[Issue] = []
        self.region = registry_region(parts.deployment)

    def standard_name(self, name: str | None) -> str | None:
        if name is not None:
            return name
        return self.parts.defaults.standard if self.parts.defaults is not None else None

    def base(self, name: str | None) -> Layer | None:
        """The layer a repository starts from; None when that is broken."""
        if name is None and self.parts.defaults is None:
            return None
        effective = self.standard_name(name)
        return _BUILTIN_LAYER if effective is None else self.standard(effective)

    def base_settings(self, name: str | None) -> RepositorySettings | None:
        """The settings of ``name`` (or defaults.standard, or the built-in defaults); None
        when that standard is broken."""
        if name is None and self.parts.defaults is None:
            return None
        effective = self.standard_name(name)
        if effective is None:
            return self.settings(_BUILTIN_LAYER, ())
        return self.standard_settings(effective)

    def base_problems(self, name: str | None) -> _Found:
        """The problems of the standard ``name`` (or defaults.standard) itself."""
        effective = self.standard_name(name)
        if effective is None or effective not in self.parts.standards:
            return frozenset()
        self.standard_settings(effective)
        return self.standards[effective][1]

    def standard(self, name: str) -> Layer | None:
        """A standard with its extends chain applied; None if it or an ancestor is broken."""
        if name in self.layers:
            return self.layers[name]
        self.layers[name] = None  # a cycle comes back here and resolves to None
        config = self.parts.standards.get(name)
        if config is None:
            return None
        base = _BUILTIN_LAYER if config.extends is None else self.standard(config.extends)
        if base is None:
            return None
        layer = _overlay(base, config, ("standards", name))
        self.layers[name] = layer
        return layer

    def standard_settings(self, name: str) -> RepositorySettings | None:
        """A standard's settings, checked once; None when they break a rule."""
        if name not in self.standards:
            self.standards[name] = (None, frozenset())  # a cycle comes back here
            layer = self.standard(name)
            config = self.parts.standards.get(name)
            extends = config.extends if config is not None else None
            inherited = self.base_problems(extends) if extends is not None else frozenset()
            found: set[tuple[Path, str]] = set()
            settings = (
                None
                if layer is None
                else self.settings(layer, ("standards", name), inherited=inherited, found=found)
            )
            self.standards[name] = (settings, frozenset(found))
        return self.standards[name][0]

    def settings(
        self,
        layer: Layer,
        owner: Path,
        *,
        inherited: _Found = frozenset(),
        found: set[tuple[Path, str]] | None = None,
        name: str | None = None,
    ) -> RepositorySettings | None:
        """The settings of ``layer``, or None when they break a rule: each problem reported
        where ``owner`` (a standard or repository path) introduced it, and not again for
        a problem of its standard (``inherited``)."""
        access = self.access(layer, owner)
        composed, lifecycle = self.lifecycle(layer)
        # An empty list is no lifecycle policy: RepositorySettings decides if that is allowed.
        lifecycle_setting = () if layer["lifecycle"][0] == () else lifecycle
        values = {key: value for key, (value, _) in layer.items() if not key.startswith("access.")}
        values = {key: value for key, value in values.items() if value is not None}
        values.pop("lifecycle", None)
        try:
            settings = RepositorySettings(
                name=name, lifecycle=lifecycle_setting, access=access, region=self.region, **values
            )
        except EcrConstructsError as error:
            for problem in error.problems:
                path = problem.path or ()
                if found is not None:
                    found.add((path, problem.message))
                if (path, problem.message) not in inherited:
                    self.issues.append(_issue(problem, layer, owner))
            return None
        self.warnings.extend(_waived_issue(problem, layer, owner) for problem in settings.waived)
        # Broken lifecycle or access lists were reported where they are; the rest is checked.
        return settings if access is not None and composed else None

    def lifecycle(self, layer: Layer) -> tuple[bool, LifecyclePolicy | None]:
        """Whether the layer's lifecycle list composes, and its policy (None: the default),
        built and checked once per list."""
        items, origin = layer["lifecycle"]
        if origin is None or not items:
            return True, None
        if origin not in self.policies:
            self.policies[origin] = _compose(items, origin, self.issues, self.warnings)
        policy = self.policies[origin]
        return policy is not None, policy

    def access(self, layer: Layer, owner: Path) -> tuple[AccessGrant, ...] | None:
        """The grants of the layer's access lists, built once per combination of their
        origins; None when they break a rule."""
        origins = tuple(layer[f"access.{key}"][1] for key in ACCESS_KEYS)
        if origins in self.grants:
            return self.grants[origins]
        result: tuple[AccessGrant, ...] | None
        try:
            result = access_grants({key: layer[f"access.{key}"][0] for key in ACCESS_KEYS})
        except PolicyDocumentError as error:
            self.issues.extend(_access_issue(problem, layer, owner) for problem in error.problems)
            result = None
        self.grants[origins] = result
        return result


def access_grants(lists: Mapping[str, Any]) -> tuple[AccessGrant, ...]:
    """The grants of an ``access`` mapping (its keys as in ``AccessConfig``): the presets'
    (``RepositoryAccess.from_settings``, problems at ``access.<key>[i]``), then one
    ``RepositoryAccess.custom`` per statement. Raises ``PolicyDocumentError``."""
    presets = {key: value for key, value in lists.items() if key != "statements"}
    statements = lists.get("statements", ())
    return (
        *RepositoryAccess.from_settings(**presets, where=("access",)),
        *(RepositoryAccess.custom(statement) for statement in statements),
    )


def _issue(problem: Problem, layer: Layer, owner: Path) -> Issue:
    """A ``RepositorySettings`` problem at the key of the file that set the offending value,
    or at the owner's effective setting when the owner inherits it."""
    path = problem.path
    if path is None or path[0] == "access":
        return _access_issue(problem, layer, owner)
    head = str(path[0])
    keys = (head, *(str(other[0]) for other in problem.related))
    origins = {key: layer[key][1] if key in layer else None for key in keys}
    inherited = [key for key in keys[1:] if not is_under(origins[key], owner)]
    message = problem.message + "".join(
        f" ({key}{_from(origins[key])})" for key in inherited if key != head
    )
    at: Path = (*owner, *path)
    if is_under(origins[head], owner):
        at = (*(origins[head] or ()), *path[1:])
    else:
        message += f" ({head}{_from(origins[head])})"
        owned = [key for key in keys[1:] if key not in inherited]
        if owned:
            at = origins[owned[0]] or at
    return Issue(at, message, problem.given, problem.allowed)


def _from(origin: Path | None) -> str:
    """Where an inherited value comes from: `` from standards.base``, ``: the default``."""
    return ": the default" if origin is None else f" from {format_path(origin[:-1])}"


def _compose(
    items: tuple[LifecycleItemConfig, ...],
    origin: Path,
    issues: list[Issue],
    found_warnings: list[Issue],
) -> LifecyclePolicy | None:
    """The items at ``origin`` (a ``lifecycle`` key) composed into one checked policy."""
    presets: list[LifecyclePreset] = []
    failed = False
    for index, item in enumerate(items):
        name, arguments = item.preset()
        at: Path = (*origin, index, name)
        try:
            preset, problems = build_preset(name, arguments, at)
        except LifecyclePolicyError as error:
            preset = None
            problems = [_lifecycle_issue(problem, (*origin, index)) for problem in error.problems]
        issues.extend(problems)
        if preset is None:
            failed = True
        else:
            presets.append(preset)
    if failed:
        return None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", LifecyclePolicyWarning)
        try:
            policy = LifecyclePolicy.from_presets(presets, where="lifecycle")
        except LifecyclePolicyError as error:
            issues.extend(_lifecycle_issue(problem, origin[:-1]) for problem in error.problems)
            return None
    for caught_warning in caught:
        warning = caught_warning.message
        if isinstance(warning, LifecyclePolicyWarning) and warning.problem is not None:
            found_warnings.append(_lifecycle_issue(warning.problem, origin[:-1]))
    return policy


def _lifecycle_issue(problem: Problem, base: Path) -> Issue:
    """A lifecycle layer problem at its path in the file, under ``base``: a preset's item
    for preset problems (``keep_last.count``), the ``lifecycle`` key's parent for policy
    problems and warnings (``lifecycle[1]``)."""
    return Issue((*base, *(problem.path or ())), problem.message, problem.given, problem.allowed)


def _access_issue(problem: Problem, layer: Layer, owner: Path) -> Issue:
    """A policy layer problem at the key that set the list (``access.pull_accounts[1]``); a
    problem of the document's grant ``access[i]`` at the statement that made it, or at the
    owner's ``access`` for a problem of the whole document."""
    path = problem.path or ("access",)
    key = path[1] if len(path) > 1 else None
    origin = layer[f"access.{key}"][1] if isinstance(key, str) and key in ACCESS_KEYS else None
    at = (*origin, *path[2:]) if origin is not None else (*owner, *path)
    if isinstance(key, int):
        # Grants are the presets' (one per non-empty group), then the statements'.
        statement = key - sum(1 for group in _PRESET_GROUPS if any(layer[k][0] for k in group))
        origin = layer["access.statements"][1]
        if origin is not None and statement >= 0:
            at = (*origin, statement, *path[2:])
    return Issue(at, problem.message, problem.given, problem.allowed)


_PRESET_GROUPS = (
    ("access.pull_accounts", "access.pull_principals"),
    ("access.push_accounts", "access.push_principals"),
    ("access.pull_organizations",),
    ("access.push_organizations",),
    ("access.lambda_pull_accounts",),
)
"""The access lists behind each preset grant, in ``RepositoryAccess.from_settings`` order."""


def _waived_issue(problem: Problem, layer: Layer, owner: Path) -> Issue:
    """A problem an exemption waived (a warning), at the key of the file that set the value."""
    if problem.path is None or problem.path[0] == "access":
        return _access_issue(problem, layer, owner)
    origin = layer[str(problem.path[0])][1]
    at = (*origin, *problem.path[1:]) if origin is not None else (*owner, *problem.path)
    return Issue(at, problem.message, problem.given, problem.allowed)
