"""Whether a written cloud assembly holds a fleet as it was placed: the condition for
committing its shard map. Pure Python over the assembly's files."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ...cloud_assembly import read_template, stack_artifacts
from ...cloudformation import MAX_TEMPLATE_BYTES
from ...errors import ConfigError, Problem

_REPOSITORY_TYPES = ("AWS::ECR::Repository", "AWS::ECR::PublicRepository")
_NAMES_SHOWN = 3


@dataclass(frozen=True)
class PlacedStack:
    """A stack as placed: what its template must hold."""

    name: str
    construct_path: str
    repositories: tuple[str, ...]
    """Every private and public repository placed in it."""


def check_assembly_agrees(
    directory: str | os.PathLike[str], stacks: Sequence[PlacedStack]
) -> dict[str, int]:
    """The size in bytes of each stack's written template, by stack name, once every stack is
    in the assembly with every repository placed in it, within CloudFormation's template size.

    :raises ConfigError: listing each stack that is missing, lacks a repository, or is too
        large.
    :raises CloudAssemblyError: the assembly can't be read.
    """
    written = {artifact.display_name: artifact for artifact in stack_artifacts(directory)}
    problems: list[Problem] = []
    sizes: dict[str, int] = {}
    for stack in stacks:
        artifact = written.get(stack.construct_path)
        if artifact is None:
            problems.append(
                Problem(
                    str(directory),
                    f"the cloud assembly has no stack {stack.construct_path}",
                    allowed="the assembly synthesized from this fleet (app.synth())",
                )
            )
            continue
        sizes[stack.name] = _size(artifact.template_file)
        missing = sorted(set(stack.repositories) - _repository_names(artifact.template_file))
        if missing:
            shown = ", ".join(missing[:_NAMES_SHOWN]) + (
                "..." if len(missing) > _NAMES_SHOWN else ""
            )
            problems.append(
                Problem(
                    str(artifact.template_file),
                    f"{len(missing)} repositories placed in stack {stack.name} are not in its "
                    f"template ({shown})",
                    allowed="the assembly synthesized from this fleet (app.synth())",
                )
            )
        if sizes[stack.name] > MAX_TEMPLATE_BYTES:
            problems.append(
                Problem(
                    f"stack {stack.name}",
                    "its template is larger than CloudFormation accepts",
                    given=f"{sizes[stack.name]:,} bytes",
                    allowed=f"at most {MAX_TEMPLATE_BYTES:,} bytes: shorter lifecycle or "
                    "repository policies for that stack's repositories",
                )
            )
    if problems:
        raise ConfigError.from_problems(problems)
    return sizes


def _size(template: Path) -> int:
    try:
        return template.stat().st_size
    except OSError:
        return 0  # reading it says what is wrong


def _repository_names(template: Path) -> set[str]:
    resources = read_template(template).get("Resources", {})
    return {
        resource.get("Properties", {}).get("RepositoryName")
        for resource in resources.values()
        if resource.get("Type") in _REPOSITORY_TYPES
        and isinstance(resource.get("Properties"), dict)
    }
