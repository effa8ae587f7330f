"""Stable placement of repositories in stacks: the shard map and its update rule.

A repository that changes stack, or logical ID, is deleted and created again by
CloudFormation: its images are lost. So placement is recorded in a shard map (a lock file
beside the registry file) and only ever extended:

- a repository in the map stays in its stack, whatever else changes;
- a new repository goes to the first stack, counting from 1, with room for it
  (repositories in name order, then public repositories in name order); a new stack
  when every stack is full;
- a repository that left the fleet leaves the map, and its place can be reused;
- without a map, every repository is new: names in order fill stack 1, then 2...

"Room" counts every resource a stack holds: the repositories (one resource each), the
resources other than repositories in it (registry-wide ones live in stack 1) and the
``AWS::CDK::Metadata`` resource the CDK CLI adds to each stack. Logical IDs depend only on
the repository's name (:func:`logical_id`). Pure Python: no CDK.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

from ..errors import ConfigError, Problem

SHARD_MAP_VERSION = 1
SHARD_MAP_SUFFIX = ".shards.json"
STACK_OVERHEAD = 1
"""Resources in every stack besides the fleet's: the CDK CLI's ``AWS::CDK::Metadata``."""
REPOSITORY_RESOURCES = 1
"""Resources per repository (private or public): its ``AWS::ECR::Repository``."""
CLOUDFORMATION_MAX_RESOURCES = 500
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
    """The shard map beside a registry file: ``registry.yaml`` -> ``registry.shards.json``."""
    path = Path(registry_file)
    return path.with_name(path.stem + SHARD_MAP_SUFFIX)


@dataclass(frozen=True)
class ShardMap:
    """Which stack (1, 2, ...) each repository and public repository lives in."""

    repositories: Mapping[str, int] = field(default_factory=dict)
    public_repositories: Mapping[str, int] = field(default_factory=dict)

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
        }
        return json.dumps(document, indent=2) + "\n"

    @classmethod
    def parse(cls, text: str, source: str = "shard map") -> ShardMap:
        """Read a shard map; ``ConfigError`` naming ``source`` and the key when it is
        malformed."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ConfigError(f"{source}:{error.lineno}", f"not valid JSON: {error.msg}") from None
        problems: list[Problem] = []
        if not isinstance(data, dict):
            raise ConfigError(source, "expected a JSON object", given=type(data).__name__)
        for key in data:
            if key not in ("about", "version", *SECTIONS):
                problems.append(
                    Problem(
                        f"{source} {key}",
                        "unknown key",
                        allowed="about, version, " + ", ".join(SECTIONS),
                    )
                )
        if data.get("version") != SHARD_MAP_VERSION:
            problems.append(
                Problem(
                    f"{source} version",
                    "unsupported shard map version",
                    given=data.get("version"),
                    allowed=str(SHARD_MAP_VERSION),
                )
            )
        sections = {
            name: _section(data.get(name, {}), f"{source} {name}", problems) for name in SECTIONS
        }
        if problems:
            raise ConfigError.from_problems(problems)
        return cls(**sections)

    @classmethod
    def read(cls, path: str | PathLike[str]) -> ShardMap | None:
        """The map in ``path``; None when there is no such file."""
        file = Path(path)
        try:
            text = file.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        return cls.parse(text, str(file))

    def write(self, path: str | PathLike[str]) -> bool:
        """Write the map to ``path`` unless it holds this map already; True when written."""
        file = Path(path)
        text = self.to_json()
        try:
            if file.read_text(encoding="utf-8") == text:
                return False
        except FileNotFoundError:
            pass
        file.write_text(text, encoding="utf-8")
        return True


def _section(value: Any, where: str, problems: list[Problem]) -> dict[str, int]:
    if not isinstance(value, dict):
        problems.append(Problem(where, "expected an object of name: stack number", given=value))
        return {}
    entries: dict[str, int] = {}
    for name, index in value.items():
        if type(index) is not int or index < 1:
            problems.append(
                Problem(
                    f"{where}[{name!r}]", "not a stack number", given=index, allowed="1, 2, ..."
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

    def members(self, section: str, index: int) -> list[str]:
        """Names in ``section`` placed in stack ``index``."""
        return [name for name, at in self.shard_map.section(section).items() if at == index]


def place(
    repositories: Sequence[str],
    *,
    public_repositories: Sequence[str] = (),
    previous: ShardMap | None = None,
    max_resources_per_stack: int,
    other_resources: Mapping[int, int] | None = None,
    stack_name_base: str = "stack",
    where: str = "max_resources_per_stack",
) -> Placement:
    """Place repositories in stacks: the previous map's entries kept, new names placed in
    the first stack with room (see the module documentation).

    :param other_resources: resources that are not repositories, by stack number
        (registry-wide resources in stack 1). Default: none.
    :param stack_name_base: names stacks in errors (``stack_name``).
    :param where: names the limit in errors.
    Raises ``ConfigError`` when a stack would exceed the limit: repositories placed earlier
    never move, so only a higher limit (or fewer other resources) resolves it.
    """
    limit = max_resources_per_stack
    smallest = STACK_OVERHEAD + REPOSITORY_RESOURCES
    if type(limit) is not int or not smallest <= limit <= CLOUDFORMATION_MAX_RESOURCES:
        raise ConfigError(
            where,
            "a stack must have room for at least one repository",
            given=limit,
            allowed=f"{smallest}..{CLOUDFORMATION_MAX_RESOURCES}",
        )
    others = dict(other_resources or {})
    before = previous or ShardMap()
    wanted = {"repositories": repositories, "public_repositories": public_repositories}
    kept: dict[str, dict[str, int]] = {}
    new: dict[str, list[str]] = {}
    for section in SECTIONS:
        names = wanted[section]
        old = before.section(section)
        kept[section] = {name: old[name] for name in names if name in old}
        new[section] = sorted(name for name in dict.fromkeys(names) if name not in old)
    used: dict[int, int] = {index: count for index, count in others.items() if count}
    for entries in kept.values():
        for index in entries.values():
            used[index] = used.get(index, 0) + REPOSITORY_RESOURCES
    added: dict[str, dict[str, int]] = {section: {} for section in SECTIONS}
    for section in SECTIONS:
        index = 1
        for name in new[section]:
            while STACK_OVERHEAD + used.get(index, 0) + REPOSITORY_RESOURCES > limit:
                index += 1
            used[index] = used.get(index, 0) + REPOSITORY_RESOURCES
            added[section][name] = index
    totals = {index: STACK_OVERHEAD + count for index, count in sorted(used.items())}
    over = [(index, total) for index, total in totals.items() if total > limit]
    if over:
        raise ConfigError.from_problems(
            Problem(
                where,
                f"stack {shard_stack_name(stack_name_base, index)} would hold {total} resources "
                f"({total - STACK_OVERHEAD - others.get(index, 0)} repositories placed there "
                f"earlier, {others.get(index, 0)} other resources, 1 CDK metadata); "
                "repositories never move between stacks",
                given=limit,
                allowed=f"a limit of at least {total} (CloudFormation allows "
                f"{CLOUDFORMATION_MAX_RESOURCES}), or fewer resources in that stack",
            )
            for index, total in over
        )
    placed = {
        section: {
            name: kept[section][name] if name in kept[section] else added[section][name]
            for name in dict.fromkeys(wanted[section])
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
        resources=totals,
    )
