"""`RepositoryFleet`: an organisation's repositories, public repositories and registry-wide
settings, spread over as many stacks as they need, stably.

Each repository is one ``AWS::ECR::Repository`` rendered in pure Python
(``repository_properties``, as ``Repository`` renders it) and handed to CDK in one call,
plus one call for its removal policy. Placement in stacks comes from the shard map
(``sharding``): a repository never changes stack or logical ID.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import KW_ONLY, dataclass, replace
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aws_cdk as cdk
from aws_cdk import aws_ecr as ecr
from constructs import Construct

from ...errors import ConfigError, EcrConstructsError, Problem
from ...lifecycle import LifecyclePolicy, LifecyclePreset
from ...naming import is_token
from ...policy import AccessGrant
from ...repository_properties import repository_properties
from .placement import Placement, ShardMap, logical_id, place, shard_map_path, shard_stack_name

if TYPE_CHECKING:
    from aws_cdk import aws_kms as kms

    from ...public import PublicRepository
    from ..registry_file.models import PublicRepositoryConfig, RegistryConfig
    from ..registry_file.resolution import ResolvedRepository

DEFAULT_STACK_NAME = "ecr-registry"
STACK_NAME_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9-]{0,123}")
REGISTRY_RESOURCE_BYTES = 2_000
"""Template bytes counted for each registry-wide resource (they measure 300 to 1,500)."""
DEFAULT_MAX_RESOURCES_PER_STACK = 400
# The partition token is the same string in every stack: read it from jsii once.
_PARTITION: str = cdk.Aws.PARTITION


@dataclass(frozen=True)
class FleetRepository:
    """One private repository of a ``RepositoryFleet``: ``Repository``'s settings, with
    the same defaults (IMMUTABLE tags, scan on push, KMS, ``Lifecycle.DEFAULT``, no
    repository policy, RETAIN).

    :param repository_name: the repository's name (required: it decides the stack and the
        logical ID).
    :param image_tag_mutability: Default: IMMUTABLE, or IMMUTABLE_WITH_EXCLUSION when
        ``image_tag_mutability_exclusions`` is given.
    :param image_tag_mutability_exclusions: 1-5 wildcard filters for tags that may move.
        Default: none.
    :param image_scan_on_push: Default: true.
    :param encryption: Default: KMS.
    :param encryption_key: a KMS key or its ARN. Default: the AWS-managed ``aws/ecr`` key.
    :param lifecycle: presets (list order is precedence) or a ``LifecyclePolicy``.
        Default: ``Lifecycle.DEFAULT``, which deletes nothing.
    :param access: ``RepositoryAccess`` grants rendered into the repository policy.
        Default: no repository policy.
    :param removal_policy: RETAIN or DESTROY. Default: RETAIN.
    :param empty_on_delete: delete the images with the repository; needs DESTROY.
        Default: false.
    :param tags: resource tags. Default: none.
    """

    repository_name: str
    _: KW_ONLY
    image_tag_mutability: ecr.TagMutability | None = None
    image_tag_mutability_exclusions: Sequence[str] | None = None
    image_scan_on_push: bool = True
    encryption: ecr.RepositoryEncryption | None = None
    encryption_key: kms.IKey | str | None = None
    lifecycle: Sequence[LifecyclePreset] | LifecyclePolicy | None = None
    access: Sequence[AccessGrant] = ()
    removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN
    empty_on_delete: bool = False
    tags: Mapping[str, str] | None = None


@dataclass(frozen=True)
class FleetStack:
    """One stack of a fleet, as synthesized."""

    name: str
    stack: cdk.Stack
    repositories: tuple[str, ...]
    public_repositories: tuple[str, ...]
    resources: int
    """Every resource in the stack, the CDK CLI's metadata resource included."""
    template_bytes: int
    """The template's estimated size (as the CDK CLI writes it)."""


class RepositoryFleet:
    """Every repository of an organisation in as many stacks as it takes, placed stably.

    Builds, into ``scope`` (an ``App`` or a ``Stage``): the repositories of ``config`` and
    ``repositories``, the config's public repositories and, in the first stack, its
    registry-wide settings (scanning, replication, pull-through cache rules, creation
    templates, registry policy). Stack 1 is named ``stack_name``; stack N ``stack_name-N``.

    Placement: a repository listed in the shard map stays in its stack; a new one goes to
    the first stack with room (at most ``max_resources_per_stack`` resources, every resource
    counted, and about 800 KB of template); a new stack when all are full. Logical IDs come
    from the repository's name (``Repository<Name><hash>``), so adding or removing
    repositories never moves another or changes its logical ID. Not a construct: it creates
    stacks.

    :param config: a registry file's configuration (``load_registry_config``). Its
        ``deployment`` section supplies the defaults of ``stack_name``, ``env`` and
        ``max_resources_per_stack``. Default: none.
    :param repositories: more private repositories (``FleetRepository`` or
        ``ResolvedRepository``), for fleets described in Python. Default: none.
    :param stack_name: Default: ``deployment.stack_name``, else ``ecr-registry``.
    :param env: Default: ``deployment.account`` and ``deployment.region``, else
        environment-agnostic stacks.
    :param max_resources_per_stack: 2..500. Default: ``deployment.max_resources_per_stack``,
        else 400.
    :param shard_map: a shard map file (read, then written when repositories were added or
        removed) or a ``ShardMap``. Default: none: every repository placed afresh, in name
        order (a warning when that takes more than one stack).
    :param locked: refuse to change the shard map file (for CI: it must be committed up to
        date). Default: false.
    :param progress: called with a line of text as each stack is built. Default: silent.
    """

    def __init__(
        self,
        scope: Construct,
        *,
        config: RegistryConfig | None = None,
        repositories: Sequence[FleetRepository | ResolvedRepository] = (),
        stack_name: str | None = None,
        env: cdk.Environment | None = None,
        max_resources_per_stack: int | None = None,
        shard_map: str | PathLike[str] | ShardMap | None = None,
        locked: bool = False,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        deployment = config.deployment if config is not None else None
        if stack_name is None:
            stack_name = deployment.stack_name if deployment is not None else DEFAULT_STACK_NAME
        elif not isinstance(stack_name, str) or not STACK_NAME_PATTERN.fullmatch(stack_name):
            raise ConfigError(
                "stack_name",
                "not a valid CloudFormation stack name",
                given=stack_name,
                allowed="1..124 letters, digits and -, starting with a letter (stacks after "
                "the first get a -N suffix)",
            )
        self.stack_name: str = stack_name
        if max_resources_per_stack is None:
            max_resources_per_stack = (
                deployment.max_resources_per_stack
                if deployment is not None
                else DEFAULT_MAX_RESOURCES_PER_STACK
            )
        self.max_resources_per_stack: int = max_resources_per_stack
        if env is None and deployment is not None:
            env = cdk.Environment(account=deployment.account, region=deployment.region)
        self._scope = scope
        self._env = env
        self._progress = progress or (lambda _line: None)
        self._stacks: dict[int, cdk.Stack] = {}
        self._map_file = (
            None if shard_map is None or isinstance(shard_map, ShardMap) else Path(shard_map)
        )
        previous = shard_map if isinstance(shard_map, ShardMap) else None
        if self._map_file is not None:
            previous = ShardMap.read(self._map_file)
            if previous is None and locked:
                raise ConfigError(
                    str(self._map_file),
                    "the shard map is missing",
                    allowed="a committed shard map: run ecr-constructs synth without --locked "
                    "(or the app with locked=False) and commit the file it writes",
                )

        everything = [
            *(config.resolved_repositories() if config is not None else ()),
            *repositories,
        ]
        public = list(config.public_repositories) if config is not None else []
        rendered = _render_all(everything)

        registry_resources = 0
        if config is not None and _has_registry_settings(config):
            # Imported when needed: the registry constructs' CDK modules take a while to load.
            from .registry_settings import build_registry_settings

            first = self._stack(1)
            build_registry_settings(first, config)
            registry_resources = _resource_count(first)

        where = "max_resources_per_stack"
        if config is not None and max_resources_per_stack is None:
            where = "deployment.max_resources_per_stack"
        sizes = _TemplateBytes(self.stack_name)
        self.placement: Placement = place(
            {
                name: sizes.repository(name, properties, removal)
                for name, (properties, removal) in rendered.items()
            },
            public_repositories={p.name: sizes.public_repository(p) for p in public},
            previous=previous,
            max_resources_per_stack=self.max_resources_per_stack,
            other_resources={1: registry_resources},
            other_bytes={1: registry_resources * REGISTRY_RESOURCE_BYTES},
            stack_name_base=self.stack_name,
            where=where,
        )
        self.shard_map: ShardMap = self.placement.shard_map
        """Where every repository lives: persist it (the fleet writes a ``shard_map`` file)."""
        self.previous_shard_map: ShardMap | None = previous
        """The shard map the placement started from; None when there was none."""
        self.emptied_stacks: tuple[str, ...] = tuple(
            shard_stack_name(self.stack_name, index)
            for index in (previous.stacks if previous is not None else ())
            if index not in self.placement.resources
        )
        """Stacks of the previous map that hold nothing now, so they are not synthesized
        (delete them with CloudFormation)."""
        if locked and self._map_file is not None and self.shard_map != previous:
            raise ConfigError(
                str(self._map_file),
                "the shard map is out of date: "
                + _changes(self.placement.added, self.placement.removed),
                allowed="run ecr-constructs synth without --locked (or the app with "
                "locked=False) and commit the shard map it writes",
            )
        if shard_map is None and len(self.placement.resources) > 1:
            warnings.warn(
                f"{self.stack_name}: the fleet takes {len(self.placement.resources)} stacks "
                "and has no shard map, so adding a repository later may move others to another "
                "stack (replacing them): pass shard_map= a file path",
                UserWarning,
                stacklevel=2,
            )

        self.resources: dict[str, ecr.CfnRepository] = {}
        """The ``AWS::ECR::Repository`` of each private repository, by name."""
        self.public_repositories: dict[str, PublicRepository] = {}
        """Each public repository, by name."""
        by_name = {p.name: p for p in public}
        for index in sorted(self.placement.resources):
            stack = self._stack(index)
            names = self.placement.members("repositories", index)
            for name in names:
                properties, removal = rendered[name]
                resource = ecr.CfnRepository(stack, logical_id(name), **properties)
                resource.apply_removal_policy(removal)
                self.resources[name] = resource
            public_names = self.placement.members("public_repositories", index)
            for name in public_names:
                self.public_repositories[name] = _public_repository(stack, by_name[name])
            self._progress(
                f"{shard_stack_name(self.stack_name, index)}: {len(names)} "
                + ("repository" if len(names) == 1 else "repositories")
                + (f", {len(public_names)} public" if public_names else "")
                + f", {self.placement.resources[index]} resources"
            )
        if self._map_file is not None and not locked:
            self.shard_map.write(self._map_file)

    @classmethod
    def from_file(
        cls,
        scope: Construct,
        path: str | PathLike[str],
        *,
        locked: bool = False,
        progress: Callable[[str], None] | None = None,
    ) -> RepositoryFleet:
        """The fleet of a registry file, with its shard map beside it
        (``registry.yaml``: ``registry.shards.json``)."""
        from ..registry_file.loading import load_registry_config

        return cls(
            scope,
            config=load_registry_config(path),
            shard_map=shard_map_path(path),
            locked=locked,
            progress=progress,
        )

    @property
    def stacks(self) -> list[FleetStack]:
        """The fleet's stacks in order, with what each holds."""
        return [
            FleetStack(
                name=shard_stack_name(self.stack_name, index),
                stack=self._stacks[index],
                repositories=tuple(self.placement.members("repositories", index)),
                public_repositories=tuple(self.placement.members("public_repositories", index)),
                resources=self.placement.resources[index],
                template_bytes=self.placement.template_bytes[index],
            )
            for index in sorted(self._stacks)
        ]

    def stack_of(self, repository_name: str) -> cdk.Stack:
        """The stack that holds a (private or public) repository."""
        index = self.shard_map.repositories.get(repository_name) or (
            self.shard_map.public_repositories.get(repository_name)
        )
        if index is None:
            raise ConfigError(
                "RepositoryFleet.stack_of",
                "no such repository in the fleet",
                given=repository_name,
            )
        return self._stacks[index]

    def _stack(self, index: int) -> cdk.Stack:
        stack = self._stacks.get(index)
        if stack is None:
            name = shard_stack_name(self.stack_name, index)
            stack = cdk.Stack(
                self._scope,
                name,
                stack_name=name,
                env=self._env,
                description=f"Amazon ECR registry {self.stack_name}, stack {index} "
                "(ecr-constructs RepositoryFleet)",
            )
            self._stacks[index] = stack
        return stack


def _render_all(
    repositories: Sequence[FleetRepository | ResolvedRepository],
) -> dict[str, tuple[dict[str, Any], cdk.RemovalPolicy]]:
    """Every repository's checked properties and removal policy, by name; every problem
    of every repository in one error."""
    rendered: dict[str, tuple[dict[str, Any], cdk.RemovalPolicy]] = {}
    seen: dict[str, int] = {}
    owners: dict[str, str] = {}
    problems: list[Problem] = []
    encryptions: dict[int, str] = {}
    for index, repository in enumerate(repositories):
        name, settings, removal = _settings(repository, encryptions)
        where = f"repositories[{index}] ({name})"
        if is_token(name):
            problems.append(
                Problem(
                    f"{where} repository_name",
                    "a fleet repository's name must be written out: it decides the stack and "
                    "the logical ID",
                    given=name,
                    allowed="a repository name, not a token",
                )
            )
            continue
        if name in seen:
            problems.append(
                Problem(
                    f"{where} repository_name",
                    f"duplicate repository name (first at repositories[{seen[name]}])",
                    given=name,
                    allowed="each name once",
                )
            )
            continue
        seen[name] = index
        identifier = logical_id(name)
        if identifier in owners:
            problems.append(
                Problem(
                    f"{where} repository_name",
                    f"gives the same logical ID as {owners[identifier]!r}",
                    given=name,
                    allowed="a name that differs in more than punctuation",
                )
            )
            continue
        owners[identifier] = name
        try:
            rendered[name] = (repository_properties(**settings).properties, removal)
        except EcrConstructsError as error:
            problems.extend(replace(p, where=f"{where} {p.where}") for p in error.problems)
    if problems:
        raise ConfigError.from_problems(problems)
    return rendered


def _settings(
    repository: FleetRepository | ResolvedRepository, encryptions: dict[int, str]
) -> tuple[str, dict[str, Any], cdk.RemovalPolicy]:
    """The name, ``repository_properties`` arguments and removal policy of a repository."""
    if isinstance(repository, FleetRepository):
        return (
            repository.repository_name,
            _fleet_settings(repository, encryptions),
            repository.removal_policy,
        )
    # Loaded with the registry file that made the repository (not before: pydantic).
    from ..registry_file.resolution import ResolvedRepository

    if isinstance(repository, ResolvedRepository):
        return (
            repository.name,
            _resolved_settings(repository),
            cdk.RemovalPolicy[repository.removal_policy],
        )
    raise ConfigError(
        "repositories",
        "not a fleet repository",
        given=repository,
        allowed="FleetRepository(...) or a ResolvedRepository",
    )


def _resolved_settings(repository: ResolvedRepository) -> dict[str, Any]:
    return {
        "repository_name": repository.name,
        "image_tag_mutability": repository.tag_mutability,
        "image_tag_mutability_exclusions": repository.tag_mutability_exclusions or None,
        "image_scan_on_push": repository.scan_on_push,
        "encryption": repository.encryption,
        "encryption_key_arn": repository.kms_key_arn,
        "lifecycle": repository.lifecycle_policy,
        "access": repository.access,
        "partition": _PARTITION,
        "removal_policy": repository.removal_policy,
        "empty_on_delete": repository.empty_on_delete,
        "tags": repository.tags,
    }


def _fleet_settings(repository: FleetRepository, encryptions: dict[int, str]) -> dict[str, Any]:
    encryption = repository.encryption
    encryption_value: str | None = None
    if encryption is not None:
        # One jsii read per encryption object, not per repository.
        encryption_value = encryptions.get(id(encryption))
        if encryption_value is None:
            encryption_value = encryptions[id(encryption)] = encryption.value
    key = repository.encryption_key
    mutability = repository.image_tag_mutability
    return {
        "repository_name": repository.repository_name,
        "image_tag_mutability": mutability.value if mutability is not None else None,
        "image_tag_mutability_exclusions": repository.image_tag_mutability_exclusions,
        "image_scan_on_push": repository.image_scan_on_push,
        "encryption": encryption_value,
        "encryption_key_arn": key if key is None or isinstance(key, str) else key.key_arn,
        "lifecycle": repository.lifecycle,
        "access": repository.access,
        "partition": _PARTITION,
        "removal_policy": repository.removal_policy.name,
        "empty_on_delete": repository.empty_on_delete,
        "tags": repository.tags,
    }


def _has_registry_settings(config: RegistryConfig) -> bool:
    registry = config.registry
    return bool(
        registry.scanning is not None
        or registry.replication is not None
        or registry.pull_through_cache
        or registry.creation_templates
        or registry.replication_sources
    )


def _resource_count(stack: cdk.Stack) -> int:
    return sum(1 for child in stack.node.find_all() if isinstance(child, cdk.CfnResource))


def _public_repository(stack: cdk.Stack, config: PublicRepositoryConfig) -> PublicRepository:
    # Imported when needed: PublicRepository's CDK modules (Lambda, S3 assets) load slowly.
    from ...public import PublicRepository

    return PublicRepository(
        stack,
        logical_id(config.name, "PublicRepository"),
        repository_name=config.name,
        description=config.description,
        about_text=config.about,
        usage_text=config.usage,
        operating_systems=list(config.operating_systems) or None,
        architectures=list(config.architectures) or None,
        tags=dict(config.tags) or None,
    )


class _TemplateBytes:
    """What each repository adds to its stack's template, in bytes, as CDK writes it: JSON
    indented by one space, tokens resolved, the construct path metadata the CDK CLI adds.

    Each distinct repository policy and lifecycle text is measured once.
    """

    def __init__(self, stack_name: str) -> None:
        # The path metadata names the stack: allow for a "-NN" suffix.
        self._stack_name_length = len(stack_name) + 3
        self._policies: dict[int, tuple[object, int]] = {}
        self._texts: dict[str, int] = {}

    def repository(
        self, name: str, properties: Mapping[str, Any], removal: cdk.RemovalPolicy
    ) -> int:
        extra = 0
        rendered: dict[str, Any] = {}
        for key, value in properties.items():
            if value is None:
                continue
            cfn_key = "".join(word.capitalize() for word in key.split("_"))
            if key == "repository_policy_text":
                rendered[cfn_key] = {}
                extra += self._policy(value) - len("{}")
            elif key == "lifecycle_policy":
                rendered[cfn_key] = {"LifecyclePolicyText": ""}
                extra += self._text(value["lifecyclePolicyText"]) - len('""')
            else:
                rendered[cfn_key] = _pascal(value)
        return self._resource(logical_id(name), "AWS::ECR::Repository", rendered, removal) + extra

    def public_repository(self, config: PublicRepositoryConfig) -> int:
        catalog = {
            "AboutText": config.about,
            "Architectures": list(config.architectures) or None,
            "OperatingSystems": list(config.operating_systems) or None,
            "RepositoryDescription": config.description,
            "UsageText": config.usage,
        }
        tags = config.tags or {"Name": config.name}
        properties = {
            "RepositoryCatalogData": {k: v for k, v in catalog.items() if v is not None},
            "RepositoryName": config.name,
            "Tags": [{"Key": key, "Value": value} for key, value in tags.items()],
        }
        # A construct: CDK adds 8 hex digits of its path's hash to the logical ID.
        identifier = logical_id(config.name, "PublicRepository") + "0" * 8
        return self._resource(
            identifier, "AWS::ECR::PublicRepository", properties, cdk.RemovalPolicy.RETAIN
        )

    def _resource(
        self, identifier: str, kind: str, properties: dict[str, Any], removal: cdk.RemovalPolicy
    ) -> int:
        policy = "Retain" if removal is cdk.RemovalPolicy.RETAIN else "Delete"
        path = "x" * (self._stack_name_length + 1 + len(identifier))
        resource = {
            "Type": kind,
            "Properties": properties,
            "UpdateReplacePolicy": policy,
            "DeletionPolicy": policy,
            "Metadata": {"aws:cdk:path": path},
        }
        # In the template the resource sits two levels deep: '  "ID": {...},'.
        return _indented_bytes(resource, 2) + len(identifier) + 8

    def _policy(self, document: object) -> int:
        """A repository policy's bytes four levels deep, its partition tokens resolved."""
        cached = self._policies.get(id(document))
        if cached is None or cached[0] is not document:
            cached = (document, _indented_bytes(_resolved(document), 4))
            self._policies[id(document)] = cached
        return cached[1]

    def _text(self, text: str) -> int:
        size = self._texts.get(text)
        if size is None:
            size = self._texts[text] = len(json.dumps(text, ensure_ascii=False).encode())
        return size


def _indented_bytes(value: Any, depth: int) -> int:
    """The bytes of ``value`` written as ``json.dumps(value, indent=1)`` (as CDK writes
    templates) when its first line sits ``depth`` levels deep: the compact text (C encoder)
    plus the newlines and indentation, counted without building the indented text."""
    compact = json.dumps(value, separators=(",", ": "), ensure_ascii=False)
    return len(compact.encode()) + _layout(value, depth)


def _layout(value: Any, depth: int) -> int:
    """Newline and indentation bytes of a container whose first line is ``depth`` deep:
    each item on its own line one level deeper, the closing bracket on a line at ``depth``."""
    if isinstance(value, dict):
        items = list(value.values())
    elif isinstance(value, list):
        items = value
    else:
        return 0
    if not items:
        return 0
    return len(items) * (depth + 2) + depth + 1 + sum(_layout(item, depth + 1) for item in items)


def _pascal(value: Any) -> Any:
    """Struct properties as CloudFormation names them (``scanOnPush``: ``ScanOnPush``)."""
    if isinstance(value, dict):
        return {key[:1].upper() + key[1:]: _pascal(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_pascal(item) for item in value]
    return value


def _resolved(value: Any) -> Any:
    """A value with the partition token as CloudFormation gets it (``Fn::Join``)."""
    if isinstance(value, dict):
        return {key: _resolved(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_resolved(item) for item in value]
    if isinstance(value, str) and _PARTITION in value:
        parts: list[Any] = []
        for index, piece in enumerate(value.split(_PARTITION)):
            if index:
                parts.append({"Ref": "AWS::Partition"})
            if piece:
                parts.append(piece)
        return {"Fn::Join": ["", parts]}
    return value


def _changes(added: ShardMap, removed: ShardMap) -> str:
    new = len(added.repositories) + len(added.public_repositories)
    gone = len(removed.repositories) + len(removed.public_repositories)
    return f"{new} repositories to add, {gone} to remove"
