"""Standards, inheritance and overrides: the settings each repository ends up with.

Merge, in one place: built-in secure defaults < the standard's ``extends`` chain (base
first) < the standard < the repository's own keys. Scalar keys override; ``tags`` merge
(a key set later wins); ``lifecycle`` replaces the inherited list; each ``access`` list
(``pull_accounts``...) replaces the inherited list of the same name.

Every value remembers the field path that set it, so a rule broken by a combination is
reported once, at the layer that introduced it (a standard, or a repository's override).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .checks import Parts, check_parts
from .config import (
    ACCESS_KEYS,
    WITH_EXCLUSION_MODES,
    AppliedFor,
    Encryption,
    LifecycleItemConfig,
    RegistryConfig,
    RemovalPolicy,
    TagMutability,
    _Settings,
)
from .locations import Issue, Path, SourceMap, format_path, is_under

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
    lifecycle: tuple[LifecycleItemConfig, ...] | None
    """Presets in order of precedence; None: the Repository construct's default policy."""
    access: Mapping[str, tuple[str, ...]]
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


def resolve(parts: Parts) -> tuple[Resolution, list[Issue]]:
    """Resolve every repository and template; the issues found on the way (with checks)."""
    issues = check_parts(parts)
    resolver = _Resolver(parts, issues)
    for name in parts.standards:
        layer = resolver.standard(name)
        if layer is not None:
            resolver.check(layer, ("standards", name))
    repositories = []
    for index, repository in enumerate(parts.repositories):
        if repository is None:
            continue
        base = resolver.base(repository.standard)
        if base is None:
            continue
        path: Path = ("repositories", index)
        layer = _overlay(base, repository, path)
        resolver.check(layer, path)
        repositories.append(
            ResolvedRepository(
                name=repository.name,
                standard=resolver.standard_name(repository.standard),
                **_settings(layer),
            )
        )
    templates = []
    for index, template in enumerate(parts.creation_templates):
        if template is None:
            continue
        base = resolver.base(template.standard)
        if base is None:
            continue
        settings = ResolvedSettings(**_settings(base))
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
    return Resolution(tuple(repositories), tuple(templates)), issues


def resolve_config(config: RegistryConfig) -> Resolution:
    """The resolution of a configuration built in Python; ``ConfigError`` on any problem."""
    resolution, issues = resolve(Parts.of(config))
    if issues:
        raise SourceMap("RegistryConfig").error(issues)
    return resolution


def _overlay(base: Layer, settings: _Settings, prefix: Path) -> Layer:
    layer = dict(base)
    for key in settings.model_fields_set:
        if key not in BUILTIN_DEFAULTS:
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


def _settings(layer: Layer) -> dict[str, Any]:
    values = {key: value for key, (value, _) in layer.items()}
    return {
        "scan_on_push": values["scan_on_push"],
        "tag_mutability": values["tag_mutability"],
        "tag_mutability_exclusions": values["tag_mutability_exclusions"],
        "encryption": values["encryption"],
        "kms_key_arn": values["kms_key_arn"],
        "removal_policy": values["removal_policy"],
        "empty_on_delete": values["empty_on_delete"],
        "lifecycle": values["lifecycle"],
        "access": {key: values[f"access.{key}"] for key in ACCESS_KEYS},
        "tags": values["tags"],
    }


class _Resolver:
    def __init__(self, parts: Parts, issues: list[Issue]) -> None:
        self.parts = parts
        self.issues = issues
        self.layers: dict[str, Layer | None] = {}
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

    def check(self, layer: Layer, owner: Path) -> None:
        """Rules on combined values, reported where ``owner`` introduced the problem."""
        _LayerCheck(layer, owner, self.region, self.issues).run()


class _LayerCheck:
    def __init__(
        self, layer: Layer, owner: Path, region: str | None, issues: list[Issue]
    ) -> None:
        self.layer = layer
        self.owner = owner
        self.region = region
        self.issues = issues

    def value(self, key: str) -> Any:
        return self.layer[key][0]

    def owned(self, *keys: str) -> Path | None:
        """The path of the first of ``keys`` that the owner sets itself."""
        for key in keys:
            origin = self.layer[key][1]
            if is_under(origin, self.owner):
                return origin
        return None

    def shown(self, key: str) -> str:
        """``encryption AES256 (from standards.base)``."""
        origin = self.layer[key][1]
        text = f"{key} {self.value(key)}"
        if origin is None:
            return text + " (the default)"
        if not is_under(origin, self.owner):
            return text + f" (from {format_path(origin[:-1])})"
        return text

    def report(self, keys: tuple[str, ...], message: str, given: Any, allowed: str) -> None:
        path = self.owned(*keys)
        if path is not None:
            self.issues.append(Issue(path, message, given=given, allowed=allowed))

    def run(self) -> None:
        mode = self.value("tag_mutability")
        exclusions = self.value("tag_mutability_exclusions")
        if mode in WITH_EXCLUSION_MODES and not exclusions:
            self.report(
                ("tag_mutability_exclusions", "tag_mutability"),
                f"tag_mutability {mode} needs tag_mutability_exclusions",
                list(exclusions),
                "1..5 wildcard filters, for example [latest, 'release-*']",
            )
        elif mode not in WITH_EXCLUSION_MODES and exclusions:
            self.report(
                ("tag_mutability_exclusions", "tag_mutability"),
                "tag_mutability_exclusions only apply with IMMUTABLE_WITH_EXCLUSION "
                "or MUTABLE_WITH_EXCLUSION",
                self.shown("tag_mutability"),
                "an *_WITH_EXCLUSION tag_mutability, or no exclusions",
            )
        if self.value("empty_on_delete") and self.value("removal_policy") != "DESTROY":
            self.report(
                ("empty_on_delete", "removal_policy"),
                "empty_on_delete needs removal_policy DESTROY",
                self.shown("removal_policy"),
                "removal_policy DESTROY, or empty_on_delete false",
            )
        key_arn = self.value("kms_key_arn")
        if key_arn is not None and self.value("encryption") != "KMS":
            self.report(
                ("kms_key_arn", "encryption"),
                "kms_key_arn needs encryption KMS",
                self.shown("encryption"),
                "encryption KMS, or no kms_key_arn",
            )
        if key_arn is not None and self.region is not None:
            key_region = key_arn.split(":")[3]
            if key_region != self.region:
                self.report(
                    ("kms_key_arn",),
                    "the KMS key must be in the repository's region",
                    key_region,
                    f"a key in deployment.region {self.region}",
                )
        tags = self.value("tags")
        if len(tags) > MAX_TAGS:
            self.report(
                ("tags",),
                "too many tags (after merging the inherited ones)",
                len(tags),
                f"at most {MAX_TAGS}",
            )
