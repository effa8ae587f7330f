"""A synthesized cloud assembly (``cdk.out``) read as untrusted input. Pure Python.

Every file goes through the bounded JSON reader (``json_input``), and every shape relied on is
checked: the manifest is an object, each stack names a template file inside the assembly,
the template is an object. A truncated, empty or non-UTF-8 file, a missing template, a
manifest that is a list, a nested assembly that contains itself: each is one
:class:`CloudAssemblyError` naming the file (and the field inside it), never a bare Python
exception.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import Any

from .errors import EcrConstructsError, format_path
from .errors import Path as FieldPath
from .json_input import JsonInputError, read_json_file

MANIFEST = "manifest.json"
STACK = "aws:cloudformation:stack"
NESTED_ASSEMBLY = "cdk:cloud-assembly"

Metadata = Mapping[str, list[Mapping[str, Any]]]
"""Construct path (as the manifest writes it, with a leading ``/``) -> metadata entries."""


class CloudAssemblyError(EcrConstructsError):
    """A cloud assembly that can't be read: a missing or broken manifest, template or
    metadata file."""


@dataclass(frozen=True)
class StackArtifact:
    """A stack of a cloud assembly, as its manifest describes it."""

    artifact_id: str
    display_name: str
    """The stack's construct path (``Stage/Stack``)."""
    directory: Path
    """The assembly (or nested assembly) directory that holds it."""
    template_file: Path
    raw: Mapping[str, Any]
    manifest: Path

    @cached_property
    def metadata(self) -> Metadata:
        """The stack's metadata, with its ``additionalMetadataFile`` merged in."""
        where: FieldPath = ("artifacts", self.artifact_id, "metadata")
        merged: dict[str, list[Mapping[str, Any]]] = {}
        _merge_metadata(merged, self.raw.get("metadata", {}), self.manifest, where)
        extra = self.raw.get("additionalMetadataFile")
        if extra is not None:
            where = ("artifacts", self.artifact_id, "additionalMetadataFile")
            file = assembly_file(self.directory, extra, self.manifest, where)
            _merge_metadata(merged, read_json(file), file, ())
        return merged


def stack_artifacts(
    directory: str | os.PathLike[str], *, recursive: bool = True
) -> list[StackArtifact]:
    """Every stack of the assembly in ``directory``, and of its nested assemblies (Stages)
    unless ``recursive`` is false, in manifest order."""
    found: list[StackArtifact] = []
    pending = [Path(directory)]
    seen: set[str] = set()
    while pending:
        current = pending.pop(0)
        real = os.path.realpath(current)
        if real in seen:
            raise CloudAssemblyError(
                str(current), "a nested assembly contains itself", allowed="a tree of assemblies"
            )
        seen.add(real)
        manifest = current / MANIFEST
        if not os.path.lexists(manifest):
            raise CloudAssemblyError(
                str(current),
                f"is not a cloud assembly (no {MANIFEST})",
                allowed="a cdk.out directory written by cdk synth or ecr-constructs synth",
            )
        for artifact_id, artifact in _artifacts(manifest):
            kind = artifact.get("type")
            where: FieldPath = ("artifacts", artifact_id, "properties")
            properties = _mapping(artifact.get("properties", {}), manifest, where)
            if kind == STACK:
                template = properties.get("templateFile")
                display_name = artifact.get("displayName", artifact_id)
                found.append(
                    StackArtifact(
                        artifact_id=artifact_id,
                        display_name=display_name if isinstance(display_name, str) else "",
                        directory=current,
                        template_file=assembly_file(
                            current, template, manifest, (*where, "templateFile")
                        ),
                        raw=artifact,
                        manifest=manifest,
                    )
                )
            elif kind == NESTED_ASSEMBLY and recursive:
                name = properties.get("directoryName")
                pending.append(assembly_file(current, name, manifest, (*where, "directoryName")))
    return found


def read_json(path: Path) -> Any:
    """The JSON value of an assembly file."""
    try:
        return read_json_file(path)
    except JsonInputError as error:
        raise CloudAssemblyError.from_problems(error.problems) from None


def read_template(path: Path) -> Mapping[str, Any]:
    """A CloudFormation template of the assembly: a JSON object whose ``Resources``, if any,
    is an object of objects."""
    template = _mapping(read_json(path), path, ())
    resources = _mapping(template.get("Resources", {}), path, ("Resources",))
    for logical_id, resource in resources.items():
        _mapping(resource, path, ("Resources", logical_id))
    return template


def assembly_file(directory: Path, name: Any, file: Path, where: FieldPath) -> Path:
    """``directory / name`` for a relative file name that stays inside ``directory``."""
    relative = PurePosixPath(name) if isinstance(name, str) and name else None
    if relative is None or relative.is_absolute() or ".." in relative.parts:
        raise CloudAssemblyError(
            _at(file, where),
            "is not a file name inside the assembly",
            given=name,
            allowed="a relative path without ..",
        )
    return directory / relative


def _artifacts(manifest: Path) -> list[tuple[str, Mapping[str, Any]]]:
    document = _mapping(read_json(manifest), manifest, ())
    artifacts = _mapping(document.get("artifacts", {}), manifest, ("artifacts",))
    return [
        (artifact_id, _mapping(artifact, manifest, ("artifacts", artifact_id)))
        for artifact_id, artifact in artifacts.items()
    ]


def _merge_metadata(
    merged: dict[str, list[Mapping[str, Any]]], value: Any, file: Path, where: FieldPath
) -> None:
    for path, entries in _mapping(value, file, where).items():
        if not isinstance(entries, list):
            raise CloudAssemblyError(
                _at(file, (*where, path)), "expected a list of metadata entries", given=entries
            )
        merged.setdefault(path, []).extend(
            _mapping(entry, file, (*where, path, index)) for index, entry in enumerate(entries)
        )


def _mapping(value: Any, file: Path, where: FieldPath) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise CloudAssemblyError(
            _at(file, where), "expected a JSON object", given=type(value).__name__
        )
    return value


def _at(file: Path, where: FieldPath) -> str:
    return f"{file}: {format_path(where)}" if where else str(file)
