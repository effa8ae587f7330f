"""A lost shard map rebuilt from what the deployed stacks hold. Pure Python.

Each repository of the registry file that a deployed stack of the fleet holds is recorded in
that stack, so the next synth keeps it there; repositories not deployed yet are left out (the
next synth places them as new ones); repositories deployed but no longer in the file are left
out too (the next synth removes them, as it would have). A private repository deployed under
a logical ID the fleet would not give it is reported: the fleet would replace it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...errors import ConfigError, Problem
from .placement import SECTIONS, ShardMap, logical_id, shard_stack_name

if TYPE_CHECKING:
    from ...live.stacks import DeployedRepository
    from ..registry_file.loading import LoadedRegistry


@dataclass(frozen=True)
class Recovery:
    """A shard map rebuilt from a deployment, and what did not fit it."""

    shard_map: ShardMap
    not_deployed: tuple[str, ...]
    """Repositories of the file no deployed stack holds: placed as new by the next synth."""
    not_in_file: tuple[str, ...]
    """Repositories the stacks hold that the file no longer lists."""
    foreign_logical_ids: tuple[str, ...]
    """``name (stack: logical ID)`` of private repositories deployed under a logical ID that
    is not the fleet's: a synth would replace them."""


def recover_shard_map(
    loaded: LoadedRegistry, deployed: Sequence[DeployedRepository], stack_name: str
) -> Recovery:
    """The shard map of ``loaded`` as the deployed stacks hold it.

    :raises ConfigError: a repository is in two stacks (the stacks contradict each other).
    """
    wanted = {
        "repositories": {repository.name for repository in loaded.repositories},
        "public_repositories": {public.name for public in loaded.config.public_repositories},
    }
    entries: dict[str, dict[str, int]] = {section: {} for section in SECTIONS}
    problems = []
    foreign = []
    for repository in deployed:
        placed = entries[repository.section]
        earlier = placed.get(repository.name)
        if earlier is not None and earlier != repository.stack_index:
            problems.append(
                Problem(
                    f"repository {repository.name}",
                    "is in two deployed stacks: "
                    f"{shard_stack_name(stack_name, earlier)} and "
                    f"{shard_stack_name(stack_name, repository.stack_index)}",
                    allowed="each repository in one stack: remove it from one of them first",
                )
            )
        placed[repository.name] = repository.stack_index
        in_file = repository.name in wanted[repository.section]
        expected = logical_id(repository.name)
        if in_file and repository.section == "repositories" and repository.logical_id != expected:
            stack = shard_stack_name(stack_name, repository.stack_index)
            foreign.append(f"{repository.name} ({stack}: {repository.logical_id})")
    if problems:
        raise ConfigError.from_problems(problems)
    kept = {
        section: {name: index for name, index in entries[section].items() if name in names}
        for section, names in wanted.items()
    }
    return Recovery(
        shard_map=ShardMap(**kept),
        not_deployed=tuple(
            sorted(name for section in SECTIONS for name in wanted[section] - set(kept[section]))
        ),
        not_in_file=tuple(
            sorted(name for section in SECTIONS for name in set(entries[section]) - wanted[section])
        ),
        foreign_logical_ids=tuple(sorted(foreign)),
    )
