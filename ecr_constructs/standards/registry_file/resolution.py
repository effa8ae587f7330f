"""Standards, inheritance and overrides: the settings each repository ends up with.

Merge, in one place: built-in secure defaults < the standard's ``extends`` chain (base
first) < the standard < the repository's own keys. Scalar keys override; ``tags`` merge
(a key set later wins); ``lifecycle`` replaces the inherited list; each ``access`` list
(``pull_accounts``...) replaces the inherited list of the same name.

Every value remembers the field path that set it, so a rule broken by a combination is
reported once, at the layer that introduced it (a standard, or a repository's override).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...errors import LifecyclePolicyError, Path, PolicyDocumentError, Problem, format_path
from ...lifecycle import LifecyclePolicy, LifecyclePolicyWarning, LifecyclePreset
from ...naming import MAX_EXCLUSION_FILTERS, WITH_EXCLUSION_MODES
from ...policy import AccessGrant, RepositoryAccess, RepositoryPolicyDocument
from .checks import Parts, check_parts
from .locations import Issue, SourceMap, is_under, parse_path
from .models import (
    ACCESS_KEYS,
    SETTING_KEYS,
    AppliedFor,
    Encryption,
    LifecycleItemConfig,
    RegistryConfig,
    RemovalPolicy,
    TagMutability,
    _Settings,
)
from .presets import build_preset

MAX_TAGS = 50

# Value and the field path that set it; None for a built-in default.
Layer = dict[str, tuple[Any, Path | None]]

BUILTIN_DEFAULTS: Mapping[str, Any] = {
    "scan_on_push": True,
    "tag_mutability": "IMMUTABLE",
    "tag_mutability_exclusions": (),
    "encryption": "KMS",
    "kms_key_arn": None,
    "removal_policy": "RETAIN",
    "empty_on_delete": False,
    "lifecycle": None,
    "tags": {},
    **{f"access.{key}": () for key in ACCESS_KEYS},
}
_BUILTIN_LAYER: Layer = {key: (value, None) for key, value in BUILTIN_DEFAULTS.items()}


@dataclass(frozen=True, kw_only=True)
class ResolvedSettings:
    """Repository settings after inheritance: every value decided."""

    scan_on_push: bool
    tag_mutability: TagMutability
    tag_mutability_exclusions: tuple[str, ...]
    encryption: Encryption
    kms_key_arn: str | None
    removal_policy: RemovalPolicy
    empty_on_delete: bool
    lifecycle: tuple[LifecyclePreset, ...] | None
    """Presets in order of precedence (first = highest); None when no standard or
    repository sets ``lifecycle``: the Repository construct's default (``Lifecycle.DEFAULT``)
    applies."""
    lifecycle_policy: LifecyclePolicy | None
    """The presets composed into one checked policy (one object shared by every
    repository with the same ``lifecycle``); None with ``lifecycle`` None."""
    access: tuple[AccessGrant, ...]
    """Grants of the repository policy, checked as one document; empty: no policy."""
    tags: Mapping[str, str]


@dataclass(frozen=True, kw_only=True)
class ResolvedRepository(ResolvedSettings):
    """A private repository of the file, ready for a construct."""

    name: str
    standard: str | None
    """The standard applied (its own or defaults.standard); None: built-in defaults."""


@dataclass(frozen=True, kw_only=True)
class ResolvedCreationTemplate:
    """A repository creation template with its standard's settings resolved."""

    prefix: str
    applied_for: tuple[AppliedFor, ...]
    description: str | None
    custom_role_arn: str | None
    standard: str | None
    settings: ResolvedSettings


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
        layer = resolver.standard(name)
        if layer is not None:
            resolver.standard_values[name] = resolver.settings(layer, ("standards", name))
    repositories = []
    for index, repository in enumerate(parts.repositories):
        if repository is None:
            continue
        base = resolver.base(repository.standard)
        if base is None:
            continue
        path: Path = ("repositories", index)
        values = resolver.settings(_overlay(base, repository, path), path)
        if values is not None:
            repositories.append(
                ResolvedRepository(
                    name=repository.name,
                    standard=resolver.standard_name(repository.standard),
                    **values,
                )
            )
    templates = []
    for index, template in enumerate(parts.creation_templates):
        if template is None:
            continue
        values = resolver.base_values(template.standard)
        if values is None:
            continue
        settings = ResolvedSettings(**values)
        if template.custom_role_arn is None and (settings.encryption == "KMS" or settings.tags):
            uses = "KMS encryption" if settings.encryption == "KMS" else "resource tags"
            issues.append(
                Issue(
                    ("registry", "creation_templates", index, "custom_role_arn"),
                    f"the template's standard uses {uses}, so ECR needs a custom_role_arn "
                    "to create its repositories",
                    allowed="arn:aws:iam::ACCOUNT:role/NAME",
                )
            )
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
    return Resolution(tuple(repositories), tuple(templates), tuple(resolver.warnings)), issues


def resolve_config(config: RegistryConfig) -> Resolution:
    """The resolution of a configuration built in Python; ``ConfigError`` on any problem."""
    resolution, issues = resolve(Parts.of(config))
    if issues:
        raise SourceMap("RegistryConfig").error(issues)
    return resolution


def _overlay(base: Layer, settings: _Settings, prefix: Path) -> Layer:
    layer = dict(base)
    for key in settings.model_fields_set:
        if key not in SETTING_KEYS:
            continue
        value = getattr(settings, key)
        path = (*prefix, key)
        if key == "tags":
            layer["tags"] = ({**base["tags"][0], **value}, path)
        elif key == "access":
            for access_key in value.model_fields_set:
                layer[f"access.{access_key}"] = (
                    getattr(value, access_key),
                    (*path, access_key),
                )
        else:
            layer[key] = (value, path)
    return layer


class _Resolver:
    def __init__(self, parts: Parts, issues: list[Issue]) -> None:
        self.parts = parts
        self.issues = issues
        self.layers: dict[str, Layer | None] = {}
        self.grants: dict[tuple[Path | None, ...], tuple[AccessGrant, ...] | None] = {}
        self.standard_values: dict[str, dict[str, Any] | None] = {}
        self.policies: dict[Path, _Lifecycle | None] = {}
        self.warnings: list[Issue] = []
        self.region = parts.deployment.region

    def standard_name(self, name: str | None) -> str | None:
        if name is not None:
            return name
        return self.parts.defaults.standard if self.parts.defaults is not None else None

    def base(self, name: str | None) -> Layer | None:
        """The layer a repository or template starts from; None when that is broken."""
        if name is None and self.parts.defaults is None:
            return None
        effective = self.standard_name(name)
        return _BUILTIN_LAYER if effective is None else self.standard(effective)

    def base_values(self, name: str | None) -> dict[str, Any] | None:
        """The settings a template (or a repository without overrides) gets from ``name``
        or defaults.standard; None when that standard is broken."""
        if name is None and self.parts.defaults is None:
            return None
        effective = self.standard_name(name)
        if effective is None:
            return self.settings(_BUILTIN_LAYER, ())
        return self.standard_values.get(effective)

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

    def settings(self, layer: Layer, owner: Path) -> dict[str, Any] | None:
        """The ``ResolvedSettings`` values of ``layer``, or None when they break a rule.

        Problems are reported where ``owner`` (a standard or repository path) introduced
        them.
        """
        found = len(self.issues)
        _LayerCheck(layer, owner, self.region, self.issues).run()
        access = self.access(layer, owner)
        lifecycle = self.lifecycle(layer)
        if access is None or lifecycle is None or len(self.issues) > found:
            return None
        values = {key: value for key, (value, _) in layer.items()}
        return {
            "scan_on_push": values["scan_on_push"],
            "tag_mutability": values["tag_mutability"],
            "tag_mutability_exclusions": values["tag_mutability_exclusions"],
            "encryption": values["encryption"],
            "kms_key_arn": values["kms_key_arn"],
            "removal_policy": values["removal_policy"],
            "empty_on_delete": values["empty_on_delete"],
            "lifecycle": lifecycle[0],
            "lifecycle_policy": lifecycle[1],
            "access": access,
            "tags": values["tags"],
        }

    def lifecycle(self, layer: Layer) -> _Lifecycle | None:
        """The presets and policy of the layer's lifecycle list, built and checked once per
        list; None when they break a rule."""
        items, origin = layer["lifecycle"]
        if origin is None:
            return (None, None)
        if origin not in self.policies:
            self.policies[origin] = _compose(items, origin, self.issues, self.warnings)
        return self.policies[origin]

    def access(self, layer: Layer, owner: Path) -> tuple[AccessGrant, ...] | None:
        """The grants of the layer's access lists, built and checked once per combination
        of their origins; None when they break a rule."""
        origins = tuple(layer[f"access.{key}"][1] for key in ACCESS_KEYS)
        if origins in self.grants:
            return self.grants[origins]
        settings = {key: layer[f"access.{key}"][0] for key in ACCESS_KEYS}
        result: tuple[AccessGrant, ...] | None
        try:
            result = tuple(RepositoryAccess.from_settings(**settings, where="access"))
            if result:
                RepositoryPolicyDocument(result, where="access")
        except PolicyDocumentError as error:
            self.issues.extend(_access_issue(problem, layer, owner) for problem in error.problems)
            result = None
        self.grants[origins] = result
        return result


_Lifecycle = tuple[tuple[LifecyclePreset, ...] | None, LifecyclePolicy | None]


def _compose(
    items: tuple[LifecycleItemConfig, ...],
    origin: Path,
    issues: list[Issue],
    found_warnings: list[Issue],
) -> _Lifecycle | None:
    """Presets from the items at ``origin`` (a ``lifecycle`` key), composed into a policy."""
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
        if issubclass(caught_warning.category, LifecyclePolicyWarning):
            found_warnings.append(_warning_issue(str(caught_warning.message), presets, origin))
    return tuple(presets), policy


def _warning_issue(message: str, presets: list[LifecyclePreset], origin: Path) -> Issue:
    """``lifecycle[1] raw(...).selection.tagPrefixList has 2 entries...`` at
    ``<origin>[1].raw.selection.tagPrefixList``: ``has 2 entries...``."""
    for index, preset in enumerate(presets):
        label = f"lifecycle[{index}] {preset.name}"
        if message.startswith(label):
            key, _, text = message[len(label) :].partition(" ")
            name = preset.name.split("(", 1)[0]
            return Issue((*origin, index, name, *(parse_path(key.lstrip(".")) or ())), text)
    return Issue(origin, message)


def _lifecycle_issue(problem: Problem, base: Path) -> Issue:
    """A lifecycle layer problem at its path in the file.

    Preset problems (``keep_last.count``) are placed under the item ``base``; policy
    problems (``lifecycle[1] keep_last(10)``, ``lifecycle``) under the key's parent ``base``.
    """
    path = parse_path(problem.where.split(" ", 1)[0]) or ()
    return Issue((*base, *path), problem.message, problem.given, problem.allowed)


def _access_issue(problem: Problem, layer: Layer, owner: Path) -> Issue:
    """A policy layer problem (``access.pull_accounts[1]``...) at the path that set it."""
    path = parse_path(problem.where) or ()
    key = path[1] if len(path) > 1 else None
    origin = layer[f"access.{key}"][1] if isinstance(key, str) and key in ACCESS_KEYS else None
    at = (*origin, *path[2:]) if origin is not None else (*owner, "access")
    return Issue(at, problem.message, problem.given, problem.allowed)


class _LayerCheck:
    """Rules on values that may come from different layers (standard, repository)."""

    def __init__(self, layer: Layer, owner: Path, region: str | None, issues: list[Issue]) -> None:
        self.layer = layer
        self.owner = owner
        self.region = region
        self.issues = issues

    def value(self, key: str) -> Any:
        return self.layer[key][0]

    def shown(self, key: str) -> str:
        """``encryption AES256 (from standards.base)``."""
        value = self.value(key)
        text = f"{key} [{', '.join(value)}]" if isinstance(value, tuple) else f"{key} {value}"
        origin = self.layer[key][1]
        if origin is None:
            return text + " (the default)"
        if not is_under(origin, self.owner):
            return text + f" (from {format_path(origin[:-1])})"
        return text

    def report(self, keys: tuple[str, ...], message: str, allowed: str, given: Any = None) -> None:
        """Report at the first of ``keys`` the owner sets itself (nothing when it sets
        none: the layer that did reports it). Given: ``given``, or the other key's value."""
        for key in keys:
            origin = self.layer[key][1]
            if is_under(origin, self.owner):
                assert origin is not None
                others = [self.shown(other) for other in keys if other != key]
                shown = given if given is not None else "; ".join(others)
                self.issues.append(Issue(origin, message, given=shown, allowed=allowed))
                return

    def run(self) -> None:
        mode = self.value("tag_mutability")
        exclusions = self.value("tag_mutability_exclusions")
        if mode in WITH_EXCLUSION_MODES and not exclusions:
            self.report(
                ("tag_mutability_exclusions", "tag_mutability"),
                f"tag_mutability {mode} needs 1 to {MAX_EXCLUSION_FILTERS} "
                "tag_mutability_exclusions",
                "wildcard filters, for example [latest, 'release-*']",
            )
        elif mode not in WITH_EXCLUSION_MODES and exclusions:
            self.report(
                ("tag_mutability_exclusions", "tag_mutability"),
                "tag_mutability_exclusions only apply with IMMUTABLE_WITH_EXCLUSION "
                "or MUTABLE_WITH_EXCLUSION",
                "an *_WITH_EXCLUSION tag_mutability, or no exclusions",
            )
        if self.value("empty_on_delete") and self.value("removal_policy") != "DESTROY":
            self.report(
                ("empty_on_delete", "removal_policy"),
                "empty_on_delete needs removal_policy DESTROY",
                "removal_policy DESTROY, or empty_on_delete false",
            )
        key_arn = self.value("kms_key_arn")
        if key_arn is not None and self.value("encryption") != "KMS":
            self.report(
                ("kms_key_arn", "encryption"),
                "kms_key_arn needs encryption KMS",
                "encryption KMS, or no kms_key_arn",
            )
        if key_arn is not None and self.region is not None:
            key_region = key_arn.split(":")[3]
            if key_region != self.region:
                self.report(
                    ("kms_key_arn",),
                    "the KMS key must be in the repository's region",
                    f"a key in deployment.region {self.region}",
                    given=key_region,
                )
        tags = self.value("tags")
        if len(tags) > MAX_TAGS:
            self.report(
                ("tags",),
                "too many tags (after merging the inherited ones)",
                f"at most {MAX_TAGS}",
                given=len(tags),
            )
