"""Stable placement of repositories in stacks: the shard map and its update rule.

A repository that changes stack, or logical ID, is deleted and created again by
CloudFormation: its images are lost. So placement is recorded in a shard map (a file beside
the registry file, changed as a transaction by ``shard_map_file``) and only ever extended:

- a repository in the map stays in its stack, whatever else changes;
- a new repository goes to the first stack, counting from 1, with room for it
  (repositories in name order, then public repositories in name order); a new stack
  when every stack is full;
- a repository that left the fleet leaves the map, and its place can be reused;
- without a map, every repository is new: names in order fill stack 1, then 2...

"Room" is counted in resources and in template bytes. Resources: the repositories' (one
each, more for a public repository with a logo: ``public_repository_resources``), the
resources other than repositories in the stack (registry-wide ones live in stack 1) and the
``AWS::CDK::Metadata`` resource the CDK CLI adds to each stack, within
``max_resources_per_stack``. Bytes: each repository's estimated share of the template, new
repositories filling a stack up to ``PLACEMENT_TEMPLATE_BYTES`` so that its repositories can
grow without reaching CloudFormation's limit. Logical IDs depend only on the repository's
name (:func:`logical_id`). Pure Python: no CDK.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

from ...cloudformation import (
    MAX_RESOURCES,
    MAX_TEMPLATE_BYTES,
    MIN_RESOURCES_PER_STACK,
    REPOSITORY_RESOURCES,
    STACK_OVERHEAD,
)
from ...errors import ConfigError, Problem
from ...json_input import DuplicateKeys, JsonInputError, parse_json, read_file

SHARD_MAP_VERSION = 2
"""Version 2 adds ``encryption``; version 1 maps are read (without it) and written as 2."""
READABLE_VERSIONS = (1, 2)
SHARD_MAP_SUFFIX = ".shards.json"
PLACEMENT_TEMPLATE_BYTES = 800_000
"""New repositories fill a stack's template up to this many (estimated) bytes, leaving room
for the stack's repositories to grow (longer policies) without moving."""
STACK_BASE_BYTES = 3_000
"""Template bytes of a stack besides its resources' (description, parameters, rules, the
CDK metadata resource)."""
AGNOSTIC_STACK_BASE_BYTES = 6_000
"""The same for a stack without a region: its CDK metadata resource comes with conditions
that list every region CDK reports from (about 4,600 bytes in all)."""


def stack_base_bytes(region_known: bool) -> int:
    """Template bytes of a stack besides its resources', with or without a region."""
    return STACK_BASE_BYTES if region_known else AGNOSTIC_STACK_BASE_BYTES


MAX_STACK_NUMBER = 999
"""The highest stack number: ``-999`` takes a 124-character ``stack_name`` to CloudFormation's
128."""
SECTIONS = ("repositories", "public_repositories")
_ABOUT = (
    "Which stack each repository lives in (1: the stack named deployment.stack_name, "
    "N: that name with -N). Written by ecr-constructs; commit it. Entries never change: "
    "moving a repository to another stack would replace it and lose its images."
)
_READABLE_LENGTH = 200
_WORD = re.compile(r"[A-Za-z0-9]+")


def logical_id(name: str, prefix: str = "Repository") -> str:
    """The CloudFormation logical ID of a fleet's repository called ``name``.

    ``prefix``, the name's words capitalised (at most 200 characters) and 8 hex digits of
    the name's SHA-256: ``team-a/service-x`` gives ``RepositoryTeamAServiceX`` plus the
    digits. Stable (a function of the name only), readable, and distinct for names that
    differ only in punctuation.
    """
    readable = "".join(word[:1].upper() + word[1:] for word in _WORD.findall(name))
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:8].upper()
    return f"{prefix}{readable[:_READABLE_LENGTH]}{digest}"


def shard_stack_name(base: str, index: int) -> str:
    """The name of stack ``index`` (1-based): ``base``, then ``base-2``, ``base-3``..."""
    return base if index == 1 else f"{base}-{index}"


def shard_map_path(registry_file: str | PathLike[str]) -> Path:
    """The shard map beside a registry file: ``registry.yaml`` -> ``registry.shards.json``,
    beside the file itself (symbolic links followed: a link to a registry file, or a link to
    its directory, uses the map of the file it leads to); an absolute path."""
    path = Path(os.path.realpath(registry_file))
    return path.with_name(path.stem + SHARD_MAP_SUFFIX)


@dataclass(frozen=True)
class ShardMap:
    """Which stack (1, 2, ...) each repository and public repository lives in."""

    repositories: Mapping[str, int] = field(default_factory=dict)
    public_repositories: Mapping[str, int] = field(default_factory=dict)
    encryption: Mapping[str, Any] = field(default_factory=dict)
    """Each private repository's ``EncryptionConfiguration`` as first synthesized (None: AES256,
    ECR's default, written as no property): CloudFormation replaces a repository whose
    encryption changes, so the fleet warns when it would."""

    def same_placement(self, other: ShardMap | None) -> bool:
        """Whether ``other`` puts every repository in the same stack (records aside)."""
        return other is not None and all(
            self.section(name) == other.section(name) for name in SECTIONS
        )

    def section(self, name: str) -> Mapping[str, int]:
        return self.repositories if name == "repositories" else self.public_repositories

    @property
    def stacks(self) -> tuple[int, ...]:
        """The stack numbers in use, in order."""
        return tuple(sorted({*self.repositories.values(), *self.public_repositories.values()}))

    def to_json(self) -> str:
        """The map as committed: names sorted, one per line, so a change is a small diff."""
        document = {
            "about": _ABOUT,
            "version": SHARD_MAP_VERSION,
            **{name: dict(sorted(self.section(name).items())) for name in SECTIONS},
            "encryption": dict(sorted(self.encryption.items())),
        }
        return json.dumps(document, indent=2) + "\n"

    @classmethod
    def parse(cls, text: str | bytes, source: str = "shard map") -> ShardMap:
        """Read a shard map (bytes in UTF-8); ``ConfigError`` naming ``source`` and the line
        or key when it is malformed: not JSON, a key given twice (a repository in two
        stacks), an unknown key or version, a stack number outside 1..999."""
        try:
            data = parse_json(text, source=source, duplicate_keys=DuplicateKeys.REFUSE)
        except JsonInputError as error:
            raise ConfigError.from_problems(error.problems) from None
        problems: list[Problem] = []
        if not isinstance(data, dict):
            raise ConfigError(source, "expected a JSON object", given=type(data).__name__)
        for key in data:
            if key not in ("about", "version", *SECTIONS, "encryption"):
                problems.append(
                    Problem(
                        f"{source} {key}",
                        "unknown key",
                        allowed="about, version, " + ", ".join(SECTIONS) + ", encryption",
                    )
                )
        version = data.get("version")
        if type(version) is not int or version not in READABLE_VERSIONS:
            problems.append(
                Problem(
                    f"{source} version",
                    "unsupported shard map version",
                    given=version,
                    allowed=" or ".join(str(v) for v in READABLE_VERSIONS),
                )
            )
        sections = {
            name: _section(data.get(name, {}), f"{source} {name}", problems) for name in SECTIONS
        }
        encryption = data.get("encryption", {})
        if not isinstance(encryption, dict) or not all(
            value is None or isinstance(value, dict) for value in encryption.values()
        ):
            problems.append(
                Problem(
                    f"{source} encryption",
                    "expected an object of name: encryption configuration or null",
                    given=encryption,
                )
            )
            encryption = {}
        if problems:
            raise ConfigError.from_problems(problems)
        return cls(**sections, encryption=encryption)

    @classmethod
    def read(cls, path: str | PathLike[str]) -> ShardMap | None:
        """The map in ``path``; None when nothing is there. ``ConfigError`` naming the path
        when something is there but is not a map: a dangling symbolic link, a directory, a
        FIFO, a file past 64 MiB or not in UTF-8 (see ``parse``)."""
        if not os.path.lexists(path):
            return None
        try:
            data = read_file(path)
        except JsonInputError as error:
            raise ConfigError.from_problems(error.problems) from None
        return cls.parse(data, str(path))


def _section(value: Any, where: str, problems: list[Problem]) -> dict[str, int]:
    if not isinstance(value, dict):
        problems.append(Problem(where, "expected an object of name: stack number", given=value))
        return {}
    entries: dict[str, int] = {}
    for name, index in value.items():
        if type(index) is not int or not 1 <= index <= MAX_STACK_NUMBER:
            problems.append(
                Problem(
                    f"{where}[{name!r}]",
                    "not a stack number",
                    given=index,
                    allowed=f"a whole number from 1 to {MAX_STACK_NUMBER}",
                )
            )
        else:
            entries[name] = index
    return entries


@dataclass(frozen=True)
class Placement:
    """The outcome of :func:`place`."""

    shard_map: ShardMap
    added: ShardMap
    """Entries new in this placement."""
    removed: ShardMap
    """Entries of the previous map whose repository left the fleet."""
    resources: Mapping[int, int]
    """Resources per stack number (every resource counted, see the module documentation)."""
    template_bytes: Mapping[int, int]
    """Estimated template size per stack number, in bytes."""

    def members(self, section: str, index: int) -> list[str]:
        """Names in ``section`` placed in stack ``index``."""
        return [name for name, at in self.shard_map.section(section).items() if at == index]


Items = Sequence[str] | Mapping[str, int]
"""Names, or names with the bytes each adds to its stack's template (0 when not given)."""


def place(
    repositories: Items,
    *,
    public_repositories: Items = (),
    previous: ShardMap | None = None,
    max_resources_per_stack: int,
    other_resources: Mapping[int, int] | None = None,
    other_bytes: Mapping[int, int] | None = None,
    stack_name_base: str = "stack",
    where: str = "max_resources_per_stack",
    resources_of: Mapping[str, Mapping[str, int]] | None = None,
    base_bytes: int = STACK_BASE_BYTES,
) -> Placement:
    """Place repositories in stacks: the previous map's entries kept, new names placed in
    the first stack with room (see the module documentation).

    A stack has room for a repository when it stays within ``max_resources_per_stack``
    resources and within ``PLACEMENT_TEMPLATE_BYTES`` of estimated template (an empty stack
    always has room).

    :param other_resources: resources that are not repositories, by stack number
        (registry-wide resources in stack 1). Default: none.
    :param other_bytes: their estimated template bytes, by stack number. Default: none.
    :param stack_name_base: names stacks in errors (``stack_name``).
    :param where: names the limit in errors.
    :param resources_of: the resources of each repository that takes more than
        ``REPOSITORY_RESOURCES``, by section and name (a public repository with a logo).
        Default: one each.
    :param base_bytes: a stack's template bytes besides its resources'
        (``stack_base_bytes``). Default: a stack with a region's.
    Raises ``ConfigError`` when a stack would exceed the resource limit, or CloudFormation's
    template size limit: repositories placed earlier never move, so only a higher limit (or
    less in that stack) resolves it.
    """
    limit = max_resources_per_stack
    smallest = MIN_RESOURCES_PER_STACK
    if type(limit) is not int or not smallest <= limit <= MAX_RESOURCES:
        raise ConfigError(
            where,
            "a stack must have room for at least one repository",
            given=limit,
            allowed=f"{smallest}..{MAX_RESOURCES}",
        )
    before = previous or ShardMap()
    wanted = {
        "repositories": _sizes(repositories),
        "public_repositories": _sizes(public_repositories),
    }
    others = dict(other_resources or {})
    count: dict[int, int] = {index: n for index, n in others.items() if n}
    size: dict[int, int] = {index: n for index, n in (other_bytes or {}).items() if n}
    members: dict[int, int] = {}
    kept: dict[str, dict[str, int]] = {}

    def taken_by(section: str, name: str) -> int:
        return (resources_of or {}).get(section, {}).get(name, REPOSITORY_RESOURCES)

    def add(index: int, section: str, name: str) -> None:
        count[index] = count.get(index, 0) + taken_by(section, name)
        size[index] = size.get(index, 0) + wanted[section][name]
        members[index] = members.get(index, 0) + 1

    for section in SECTIONS:
        old = before.section(section)
        kept[section] = {name: old[name] for name in wanted[section] if name in old}
        for name, index in kept[section].items():
            add(index, section, name)

    def room(index: int, item_resources: int, item_bytes: int) -> bool:
        if not count.get(index) and not size.get(index):
            return True
        return (
            STACK_OVERHEAD + count.get(index, 0) + item_resources <= limit
            and base_bytes + size.get(index, 0) + item_bytes <= PLACEMENT_TEMPLATE_BYTES
        )

    added: dict[str, dict[str, int]] = {section: {} for section in SECTIONS}
    for section in SECTIONS:
        for name in sorted(name for name in wanted[section] if name not in kept[section]):
            index = 1
            while not room(index, taken_by(section, name), wanted[section][name]):
                index += 1
            add(index, section, name)
            added[section][name] = index
    indexes = sorted(count.keys() | size.keys())
    resources = {index: STACK_OVERHEAD + count.get(index, 0) for index in indexes}
    template_bytes = {index: base_bytes + size.get(index, 0) for index in indexes}
    problems = []
    if indexes and indexes[-1] > MAX_STACK_NUMBER:
        problems.append(
            Problem(
                where,
                f"the fleet would need stack {indexes[-1]}",
                given=limit,
                allowed=f"at most {MAX_STACK_NUMBER} stacks: a higher limit, or fewer repositories",
            )
        )
    for index in indexes:
        name = shard_stack_name(stack_name_base, index)
        if resources[index] > limit:
            theirs = resources[index] - STACK_OVERHEAD - others.get(index, 0)
            held = members.get(index, 0)
            problems.append(
                Problem(
                    where,
                    f"stack {name} would hold {resources[index]} resources "
                    f"({held} repositories placed there earlier"
                    + (f" with {theirs} resources" if theirs != held else "")
                    + f", {others.get(index, 0)} other resources, 1 CDK "
                    "metadata); repositories never move between stacks",
                    given=limit,
                    allowed=f"a limit of at least {resources[index]} (CloudFormation allows "
                    f"{MAX_RESOURCES}), or fewer resources in that stack",
                )
            )
        if template_bytes[index] > MAX_TEMPLATE_BYTES and not members.get(index):
            problems.append(
                Problem(
                    f"stack {name}",
                    "its template would be larger than CloudFormation accepts with its other "
                    "resources alone (the registry-wide settings, in stack 1)",
                    given=f"about {template_bytes[index]:,} bytes",
                    allowed=f"at most {MAX_TEMPLATE_BYTES:,} bytes: fewer or shorter "
                    "registry-wide settings",
                )
            )
        elif template_bytes[index] > MAX_TEMPLATE_BYTES:
            problems.append(
                Problem(
                    f"stack {name}",
                    "its template would be larger than CloudFormation accepts, with the "
                    "repositories placed there earlier; repositories never move between stacks",
                    given=f"about {template_bytes[index]:,} bytes",
                    allowed=f"at most {MAX_TEMPLATE_BYTES:,} bytes: shorter "
                    "lifecycle or repository policies for that stack's repositories",
                )
            )
    if problems:
        raise ConfigError.from_problems(problems)
    placed = {
        section: {
            name: kept[section][name] if name in kept[section] else added[section][name]
            for name in wanted[section]
        }
        for section in SECTIONS
    }
    removed = {
        section: {
            name: index
            for name, index in before.section(section).items()
            if name not in placed[section]
        }
        for section in SECTIONS
    }
    return Placement(
        shard_map=ShardMap(**placed),
        added=ShardMap(**added),
        removed=ShardMap(**removed),
        resources=resources,
        template_bytes=template_bytes,
    )


def _sizes(items: Items) -> dict[str, int]:
    if isinstance(items, Mapping):
        return dict(items)
    return dict.fromkeys(items, 0)
