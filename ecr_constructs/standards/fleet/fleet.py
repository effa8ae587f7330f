"""`RepositoryFleet`: an organisation's repositories, public repositories and registry-wide
settings, spread over as many stacks as they need, stably.

Each repository is one ``AWS::ECR::Repository`` rendered from its ``RepositorySettings`` in
pure Python (as ``Repository`` renders it) and handed to CDK in one call, plus one call for
its removal policy. Placement in stacks comes from the shard map (``placement``): a
repository never changes stack or logical ID.
"""

from __future__ import annotations

import json
import warnings
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from os import PathLike
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import aws_cdk as cdk
from aws_cdk import aws_ecr as ecr
from aws_cdk import cx_api
from constructs import Construct

from ...cloudformation import STACK_NAME, public_repository_resources
from ...errors import ConfigError, Problem
from ...naming import is_token
from ...settings import RemovalPolicy, RepositorySettings
from .assembly_agreement import PlacedStack, check_assembly_agrees
from .placement import (
    Placement,
    ShardMap,
    logical_id,
    place,
    shard_map_path,
    shard_stack_name,
    stack_base_bytes,
)
from .shard_map_file import ShardMapFile, read_committed_map, real_map_path
from .template_size import TemplateBytes, pascal_case

if TYPE_CHECKING:
    from ...public import PublicRepository
    from ..registry_file.loading import LoadedRegistry
    from ..registry_file.models import PublicRepositoryConfig, RegistryConfig

DEFAULT_STACK_NAME = "ecr-registry"
DEFAULT_MAX_RESOURCES_PER_STACK = 400
# The partition token is the same string in every stack: read it from jsii once.
_PARTITION: str = cdk.Aws.PARTITION
_REMOVAL = {policy: cdk.RemovalPolicy[policy.value] for policy in RemovalPolicy}


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
    templates, registry policy, signing, pull-time update exclusions). Stack 1 is named
    ``stack_name``; stack N ``stack_name-N``.

    Placement: a repository listed in the shard map stays in its stack; a new one goes to
    the first stack with room (at most ``max_resources_per_stack`` resources, every resource
    counted, and about 800 KB of template); a new stack when all are full. Logical IDs come
    from the repository's name (``Repository<Name><hash>``), so adding or removing
    repositories never moves another or changes its logical ID. Not a construct: it creates
    stacks.

    :param config: a registry file: ``load_registry(path)`` (checked and resolved), or a
        ``RegistryConfig`` (resolved here). Its ``deployment`` section supplies the defaults
        of ``stack_name``, ``env`` and ``max_resources_per_stack``. Default: none.
    :param repositories: more private repositories, each a ``RepositorySettings`` with a
        ``name``, for fleets described in Python. Default: none.
    :param stack_name: Default: ``deployment.stack_name``, else ``ecr-registry``.
    :param env: Default: ``deployment.account`` and ``deployment.region``, else
        environment-agnostic stacks; required for a file with ``deployment.targets``
        (``RegistryRollout`` deploys those).
    :param max_resources_per_stack: 2..500. Default: ``deployment.max_resources_per_stack``,
        else 400.
    :param shard_map: a shard map file, or a ``ShardMap``. A file is locked (a
        ``.lock`` file beside it) and read; ``commit_shard_map`` writes it once the app is
        synthesized; ``close`` (or the end of a ``with`` block) releases the lock. A
        ``ShardMapFile`` is a file opened (locked and read) already; the fleet closes it.
        Default: none: every repository placed afresh, in name order (a warning when that
        takes more than one stack).
    :param locked: refuse to change the shard map file, and read it without the lock (for
        CI: it must be committed up to date). Default: false.
    :param lock_timeout: seconds to wait while another process (a synth of the same file)
        holds the shard map's lock. Default: 0, ``ShardMapBusyError`` at once; None: wait
        as long as it takes.
    :param progress: called with a line of text as each stack is built. Default: silent.
    :param construct_id_suffix: appended to each stack's construct ID (the CDK CLI's name
        for it) but not to its CloudFormation stack name, so that one app holds the same
        fleet for several environments. Default: none.

    In a CDK app::

        with RepositoryFleet.from_file(app, "registry.yaml") as fleet:
            fleet.commit_shard_map(app.synth())
    """

    def __init__(
        self,
        scope: Construct,
        *,
        config: LoadedRegistry | RegistryConfig | None = None,
        repositories: Sequence[RepositorySettings] = (),
        stack_name: str | None = None,
        env: cdk.Environment | None = None,
        max_resources_per_stack: int | None = None,
        shard_map: str | PathLike[str] | ShardMapFile | ShardMap | None = None,
        locked: bool = False,
        lock_timeout: float | None = 0.0,
        progress: Callable[[str], None] | None = None,
        construct_id_suffix: str = "",
    ) -> None:
        loaded = _loaded(config)
        deployment = loaded.config.deployment if loaded is not None else None
        if stack_name is None:
            stack_name = deployment.stack_name if deployment is not None else DEFAULT_STACK_NAME
        else:
            STACK_NAME.check(stack_name, "stack_name", ConfigError)
        self.stack_name: str = stack_name
        where = "max_resources_per_stack"
        if max_resources_per_stack is None and deployment is not None:
            where = "deployment.max_resources_per_stack"
        if max_resources_per_stack is None:
            max_resources_per_stack = (
                deployment.max_resources_per_stack
                if deployment is not None
                else DEFAULT_MAX_RESOURCES_PER_STACK
            )
        self.max_resources_per_stack: int = max_resources_per_stack
        if env is None and deployment is not None:
            if deployment.targets is not None:
                raise ConfigError(
                    "deployment.targets",
                    "a fleet is deployed to one account and region, and this file rolls the "
                    "registry out to many",
                    allowed="RegistryRollout for deployment.targets (ecr-constructs synth "
                    "builds it), or an explicit env=",
                )
            env = cdk.Environment(account=deployment.account, region=deployment.region)
        self._scope = scope
        self._env = env
        self._progress = progress or (lambda _line: None)
        self._construct_id_suffix = construct_id_suffix
        self._stacks: dict[int, cdk.Stack] = {}
        self._map_file: ShardMapFile | None = None
        self._uncommitted: weakref.finalize[[Path], RepositoryFleet] | None = None
        self.shard_map_path: Path | None = None
        """The shard map file's real path; None when ``shard_map`` was a ``ShardMap`` or none."""
        self.template_sizes: dict[str, int] = {}
        """Each stack's written template, in bytes, by stack name (``commit_shard_map``)."""
        previous = shard_map if isinstance(shard_map, ShardMap) else None
        if isinstance(shard_map, ShardMapFile):
            self._map_file, self.shard_map_path = shard_map, shard_map.path
            previous = shard_map.previous
        elif shard_map is not None and not isinstance(shard_map, ShardMap):
            previous = self._open_shard_map(shard_map, locked, lock_timeout)
        try:
            self._build(loaded, repositories, previous, where, locked)
        except BaseException:
            self.close()
            raise
        if shard_map is None and len(self.placement.resources) > 1:
            warnings.warn(
                f"{self.stack_name}: the fleet takes {len(self.placement.resources)} stacks "
                "and has no shard map, so adding a repository later may move others to another "
                "stack (replacing them): pass shard_map= a file path",
                UserWarning,
                stacklevel=2,
            )
        if self._map_file is not None and previous is None and len(self.placement.resources) > 1:
            placed = len(self.shard_map.repositories) + len(self.shard_map.public_repositories)
            warnings.warn(
                f"no shard map found at {self.shard_map_path}: placing {placed} repositories "
                f"from scratch in {len(self.placement.resources)} stacks; if this registry was "
                "deployed before, restore its shard map first (or rebuild it from the deployed "
                "stacks: ecr-constructs shards recover)",
                UserWarning,
                stacklevel=2,
            )

    def _open_shard_map(
        self, path: str | PathLike[str], locked: bool, lock_timeout: float | None
    ) -> ShardMap | None:
        """The map in the file: read under its lock (held until ``close``), or, ``locked``,
        read without one (nothing will be written) and required."""
        if not locked:
            self._map_file = ShardMapFile(path, lock_timeout=lock_timeout)
            self.shard_map_path = self._map_file.path
            return self._map_file.previous
        self.shard_map_path = real_map_path(path)
        return read_committed_map(self.shard_map_path)

    def _build(
        self,
        loaded: LoadedRegistry | None,
        repositories: Sequence[RepositorySettings],
        previous: ShardMap | None,
        where: str,
        locked: bool,
    ) -> None:
        everything = [
            *(repository.settings for repository in (loaded.repositories if loaded else ())),
            *repositories,
        ]
        public = list(loaded.config.public_repositories) if loaded is not None else []
        rendered = _render_all(everything)

        sizes = TemplateBytes(self.stack_name, _PARTITION)
        registry_resources = registry_bytes = 0
        if loaded is not None and _has_registry_resources(loaded):
            # Imported when needed: the registry constructs' CDK modules take a while to load.
            from .registry_settings import build_registry_settings

            first = self._stack(1)
            build_registry_settings(first, loaded)
            registry_resources, registry_bytes = _measured(first, sizes)

        self.placement: Placement = place(
            {
                name: sizes.repository(name, properties, removal)
                for name, (properties, removal) in rendered.items()
            },
            public_repositories={p.name: sizes.public_repository(p) for p in public},
            previous=previous,
            max_resources_per_stack=self.max_resources_per_stack,
            other_resources={1: registry_resources},
            other_bytes={1: registry_bytes},
            stack_name_base=self.stack_name,
            where=where,
            resources_of={
                "public_repositories": {
                    p.name: public_repository_resources(logo=p.logo is not None) for p in public
                }
            },
            base_bytes=stack_base_bytes(region_known=self._region_known()),
        )
        self.shard_map: ShardMap = replace(
            self.placement.shard_map,
            encryption=self._encryption_records(rendered, previous, locked),
        )
        """Where every repository lives, and the encryption it was first synthesized with
        (``commit_shard_map`` records it in the file)."""
        self.previous_shard_map: ShardMap | None = previous
        """The shard map the placement started from; None when there was none."""
        self.emptied_stacks: tuple[str, ...] = tuple(
            shard_stack_name(self.stack_name, index)
            for index in (previous.stacks if previous is not None else ())
            if index not in self.placement.resources
        )
        """Stacks of the previous map that hold nothing now, so they are not synthesized
        (delete them with CloudFormation)."""
        changed = self.shard_map != previous
        if (
            locked
            and self.shard_map_path is not None
            and not self.shard_map.same_placement(previous)
        ):
            raise ConfigError(
                str(self.shard_map_path),
                "the shard map is out of date: "
                + _changes(self.placement.added, self.placement.removed),
                allowed="run ecr-constructs synth without --locked (or the app with "
                "locked=False) and commit the shard map it writes",
            )
        if self._map_file is not None and changed:
            self._map_file.check_writable()

        self.resources: dict[str, ecr.CfnRepository] = {}
        """The ``AWS::ECR::Repository`` of each private repository, by name."""
        self.public_repositories: dict[str, PublicRepository] = {}
        """Each public repository, by name."""
        by_name = {p.name: p for p in public}
        source = loaded.source if loaded is not None else ""
        for index in sorted(self.placement.resources):
            stack = self._stack(index)
            names = self.placement.members("repositories", index)
            for name in names:
                properties, removal = rendered[name]
                resource = ecr.CfnRepository(stack, logical_id(name), **properties)
                resource.apply_removal_policy(_REMOVAL[removal])
                self.resources[name] = resource
            public_names = self.placement.members("public_repositories", index)
            for name in public_names:
                self.public_repositories[name] = _public_repository(stack, by_name[name], source)
            self._progress(
                f"{shard_stack_name(self.stack_name, index)}: {len(names)} "
                + ("repository" if len(names) == 1 else "repositories")
                + (f", {len(public_names)} public" if public_names else "")
                + f", {self.placement.resources[index]} resources"
            )
        if self._map_file is not None and changed:
            self._uncommitted = weakref.finalize(self, _warn_uncommitted, self._map_file.path)

    def _encryption_records(
        self,
        rendered: Mapping[str, tuple[dict[str, Any], RemovalPolicy]],
        previous: ShardMap | None,
        locked: bool,
    ) -> dict[str, Any]:
        """Each repository's encryption as first synthesized: the previous map's record for
        a repository it holds, else the encryption rendered now. A repository whose
        encryption changed since its record would be replaced: a warning (``ConfigError``
        when ``locked``, for CI)."""
        records: dict[str, Any] = {}
        changed: list[str] = []
        for name, (properties, _) in rendered.items():
            current = _encryption_record(properties.get("encryption_configuration"))
            if previous is not None and name in previous.encryption:
                records[name] = previous.encryption[name]
                if records[name] != current:
                    changed.append(
                        f"repository {name}: encryption changes from "
                        f"{_shown(records[name])} to {_shown(current)}"
                    )
            else:
                records[name] = current
        if changed:
            message = (
                "; ".join(changed) + "; CloudFormation replaces a repository whose encryption "
                "changes and refuses that for a named repository (every fleet repository is "
                "named), so the deploy would fail and roll back. Keep encryption and "
                "kms_key_arn as they were, or move the images to a new repository "
                "(docs/migrating.md)"
            )
            if locked:
                raise ConfigError(
                    str(self.shard_map_path or "shard map"),
                    message,
                    allowed="the encryption each repository was created with",
                )
            warnings.warn(f"{self.stack_name}: {message}", UserWarning, stacklevel=4)
        return records

    @classmethod
    def from_file(
        cls,
        scope: Construct,
        path: str | PathLike[str],
        *,
        locked: bool = False,
        lock_timeout: float | None = 0.0,
        progress: Callable[[str], None] | None = None,
    ) -> RepositoryFleet:
        """The fleet of a registry file, with the shard map beside the file itself
        (``registry.yaml``: ``registry.shards.json``; symbolic links followed)."""
        from ..registry_file.loading import load_registry

        return cls(
            scope,
            config=load_registry(path),
            shard_map=shard_map_path(path),
            locked=locked,
            lock_timeout=lock_timeout,
            progress=progress,
        )

    def commit_shard_map(self, assembly: cx_api.CloudAssembly | str | PathLike[str]) -> bool:
        """Record the placement in the shard map file, now that ``assembly`` holds it.

        First checks the written assembly (what ``app.synth()`` returns, or its directory):
        every stack of the fleet is in it, with every repository placed there, and its
        template within CloudFormation's 1,000,000 bytes. Then writes the map, unless it holds
        this placement already, as a transaction: a temporary file beside it, fsynced, renamed
        over it. The lock stays held until ``close`` (the end of the ``with`` block, or of the
        process). With a ``ShardMap``, no map or ``locked``, only the check runs.

        :returns: True when the file was written.
        :raises ConfigError: the assembly does not hold the fleet, or the map can't be
            written; the map is unchanged.
        """
        directory = assembly.directory if isinstance(assembly, cx_api.CloudAssembly) else assembly
        self.template_sizes = check_assembly_agrees(directory, self._placed_stacks())
        if self._map_file is None:
            return False
        written = self._map_file.commit(self.shard_map)
        if self._uncommitted is not None:
            self._uncommitted.detach()
        return written

    def close(self) -> None:
        """Release the shard map's lock, warning when the placement changed and was not
        committed. Again: nothing."""
        if self._uncommitted is not None:
            self._uncommitted()
        if self._map_file is not None:
            self._map_file.close()

    def __enter__(self) -> RepositoryFleet:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if error is not None and self._uncommitted is not None:
            self._uncommitted.detach()  # the error says why nothing was written
        self.close()

    def _placed_stacks(self) -> list[PlacedStack]:
        return [
            PlacedStack(
                name=stack.name,
                construct_path=stack.stack.node.path,
                repositories=stack.repositories + stack.public_repositories,
            )
            for stack in self.stacks
        ]

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

    def _region_known(self) -> bool:
        """Whether the fleet's stacks have a region (else CDK adds region conditions)."""
        region = self._env.region if self._env is not None else None
        return region is not None and not is_token(region)

    def _stack(self, index: int) -> cdk.Stack:
        stack = self._stacks.get(index)
        if stack is None:
            name = shard_stack_name(self.stack_name, index)
            stack = cdk.Stack(
                self._scope,
                name + self._construct_id_suffix,
                stack_name=name,
                env=self._env,
                description=f"Amazon ECR registry {self.stack_name}, stack {index} "
                "(ecr-constructs RepositoryFleet)",
            )
            self._stacks[index] = stack
        return stack


_DEPLOY_TIME = "(a key known at deploy time)"


def _encryption_record(configuration: Mapping[str, str] | None) -> Any:
    """``EncryptionConfiguration`` as the shard map records it: as in the template, a key
    given as a token recorded as known at deploy time (tokens differ from run to run)."""
    record = pascal_case(configuration)
    if record is not None and is_token(record.get("KmsKey")):
        record["KmsKey"] = _DEPLOY_TIME
    return record


def _shown(record: Any) -> str:
    return "AES256" if record is None else json.dumps(record, separators=(",", ":"))


def _render_all(
    repositories: Sequence[RepositorySettings],
) -> dict[str, tuple[dict[str, Any], RemovalPolicy]]:
    """Every repository's properties and removal policy, by name; every problem of every
    repository in one error."""
    rendered: dict[str, tuple[dict[str, Any], RemovalPolicy]] = {}
    seen: dict[str, int] = {}
    owners: dict[str, str] = {}
    problems: list[Problem] = []
    for index, settings in enumerate(repositories):
        if not isinstance(settings, RepositorySettings):
            problems.append(
                Problem(
                    f"repositories[{index}]",
                    "not a RepositorySettings",
                    given=settings,
                    allowed="RepositorySettings(name=..., ...)",
                )
            )
            continue
        name = settings.name
        where = f"repositories[{index}] ({name}) name"
        if name is None or is_token(name):
            problems.append(
                Problem(
                    where,
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
                    where,
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
                    where,
                    f"gives the same logical ID as {owners[identifier]!r}",
                    given=name,
                    allowed="a name that differs in more than punctuation",
                )
            )
            continue
        owners[identifier] = name
        rendered[name] = (settings.repository_properties(_PARTITION), settings.removal_policy)
    if problems:
        raise ConfigError.from_problems(problems)
    return rendered


def _loaded(config: LoadedRegistry | RegistryConfig | None) -> LoadedRegistry | None:
    """The registry file ``config``, resolved. Its modules are imported only when there is
    one: a fleet of Python objects doesn't load the file's models."""
    if config is None:
        return None
    from ..registry_file.loading import resolve_registry
    from ..registry_file.models import RegistryConfig

    return resolve_registry(config) if isinstance(config, RegistryConfig) else config


def _has_registry_resources(loaded: LoadedRegistry) -> bool:
    from ..registry_file.checks import has_registry_resources

    return has_registry_resources(loaded.config.registry)


def _measured(stack: cdk.Stack, sizes: TemplateBytes) -> tuple[int, int]:
    """The resources in ``stack`` so far: how many, and their template bytes (their
    properties resolved as the template will hold them; the template's names for them are
    as long as CDK's)."""
    count = size = 0
    for child in stack.node.find_all():
        if isinstance(child, cdk.CfnResource):
            properties = stack.resolve(child._cfn_properties)
            count += 1
            size += sizes.resource(stack.get_logical_id(child), child.cfn_resource_type, properties)
    return count, size


def _public_repository(
    stack: cdk.Stack, config: PublicRepositoryConfig, source: str
) -> PublicRepository:
    """A public repository of the registry file ``source`` (its logo path is relative to the
    file)."""
    # Imported when needed: PublicRepository's CDK modules (Lambda, S3 assets) load slowly.
    from ...public import PublicRepository
    from ..registry_file.checks import logo_file, public_access

    logo = None if config.logo is None else logo_file(config.logo, source)
    return PublicRepository(
        stack,
        logical_id(config.name, "PublicRepository"),
        repository_name=config.name,
        description=config.description,
        about_text=config.about,
        usage_text=config.usage,
        operating_systems=list(config.operating_systems) or None,
        architectures=list(config.architectures) or None,
        logo_image=logo,
        tags=dict(config.tags) or None,
        access=public_access(config.access),
    )


def _warn_uncommitted(path: Path) -> None:
    warnings.warn(
        f"the shard map {path} was not written: the placement changed, so call "
        "fleet.commit_shard_map(app.synth()) once the app is synthesized",
        UserWarning,
        stacklevel=2,
    )


def _changes(added: ShardMap, removed: ShardMap) -> str:
    new = len(added.repositories) + len(added.public_repositories)
    gone = len(removed.repositories) + len(removed.public_repositories)
    return f"{new} repositories to add, {gone} to remove"
