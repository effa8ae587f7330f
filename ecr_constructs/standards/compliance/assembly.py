"""Read a synthesized cloud assembly (``cdk.out``): templates, construct paths, acknowledgements.

Pure Python over the cloud assembly files (``manifest.json`` and each stack's metadata), so
the check also runs on the output of ``cdk synth`` without importing the app. Nested stacks
are found through the ``aws:cdk:templateFile`` metadata, construct paths through
``aws:cdk:logicalId``, acknowledgements through ``aws:cdk:acknowledged-rules`` (what
``Validations.of(construct).acknowledge(...)`` records).
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from .rules import EcrStandardChecks, Finding, acknowledgement_id, template_findings

_STACK = "aws:cloudformation:stack"
_NESTED_ASSEMBLY = "cdk:cloud-assembly"
_LOGICAL_ID = "aws:cdk:logicalId"
_TEMPLATE_FILE = "aws:cdk:templateFile"
ACKNOWLEDGED_RULES = "aws:cdk:acknowledged-rules"
"""The metadata type of CDK acknowledgements (``Validations.ACKNOWLEDGED_RULES_METADATA_KEY``)."""

Acknowledgements = dict[str, dict[str, str]]
"""Construct path -> {acknowledgement ID: reason}."""


@dataclasses.dataclass(frozen=True)
class StackTemplates:
    """A stack's template and its nested stacks' templates, with what the metadata says."""

    templates: dict[Path, dict[str, str]]
    """Template file -> {logical ID: construct path}; the stack's own template first."""
    stack_paths: dict[Path, str]
    """Template file -> construct path of its stack or nested stack."""
    acknowledgements: Acknowledgements


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _metadata(directory: Path, artifact: Mapping[str, Any]) -> dict[str, list[Any]]:
    merged: dict[str, list[Any]] = {
        key: list(entries) for key, entries in artifact.get("metadata", {}).items()
    }
    extra = artifact.get("additionalMetadataFile")
    if extra:
        for key, entries in _read_json(directory / extra).items():
            merged.setdefault(key, []).extend(entries)
    return merged


def ancestors(path: str) -> Iterator[str]:
    """``a/b/c``, ``a/b``, ``a``, then the root ``""``."""
    while path:
        yield path
        path = path.rpartition("/")[0]
    yield ""


def read_stack(directory: Path, artifact: Mapping[str, Any]) -> StackTemplates:
    """One stack artifact of the manifest in ``directory``."""
    top = artifact["properties"]["templateFile"]
    owners: dict[str, str] = {}
    logical_ids: dict[str, str] = {}
    acknowledgements: Acknowledgements = {}
    for raw_path, entries in _metadata(directory, artifact).items():
        path = raw_path.lstrip("/")
        for entry in entries:
            kind, data = entry.get("type"), entry.get("data")
            if kind == _TEMPLATE_FILE and isinstance(data, str):
                owners[path] = data
            elif kind == _LOGICAL_ID and isinstance(data, str):
                logical_ids[path] = data
            elif kind == ACKNOWLEDGED_RULES and isinstance(data, Mapping):
                acknowledgements.setdefault(path, {}).update(data)
    templates: dict[Path, dict[str, str]] = {directory / top: {}}
    stack_paths = {directory / top: artifact.get("displayName", "")}
    for path, file in owners.items():
        templates.setdefault(directory / file, {})
        stack_paths[directory / file] = path
    for path, logical_id in logical_ids.items():
        owner = next((owners[p] for p in ancestors(path) if p in owners), top)
        templates[directory / owner][logical_id] = path
    return StackTemplates(templates, stack_paths, acknowledgements)


def stack_artifacts(
    directory: Path, *, recursive: bool = True
) -> Iterator[tuple[Path, Mapping[str, Any]]]:
    """(directory, stack artifact) for each stack in the assembly, and in nested ones."""
    for artifact in _read_json(directory / "manifest.json").get("artifacts", {}).values():
        if artifact.get("type") == _STACK:
            yield directory, artifact
        elif recursive and artifact.get("type") == _NESTED_ASSEMBLY:
            yield from stack_artifacts(directory / artifact["properties"]["directoryName"])


def stack_of_template(template_path: Path) -> StackTemplates:
    """The stack whose template is ``template_path`` (a stack template of an assembly)."""
    directory, name = template_path.parent, template_path.name
    for _, artifact in stack_artifacts(directory, recursive=False):
        if artifact.get("properties", {}).get("templateFile") == name:
            return read_stack(directory, artifact)
    return StackTemplates({template_path: {}}, {}, {})


def is_acknowledged(finding: Finding, acknowledgements: Acknowledgements) -> bool:
    """True when the finding's construct, or one of its scopes, acknowledges the rule."""
    wanted = acknowledgement_id(finding.rule_id)
    return any(
        wanted in acknowledgements.get(path, {}) for path in ancestors(finding.construct_path)
    )


def stack_findings(
    stack: StackTemplates, checks: EcrStandardChecks, *, within: str | None = None
) -> Iterator[tuple[Path, Finding]]:
    """(template file, finding) for every finding of the stack and its nested stacks.

    :param within: only the templates of the stack or nested stack at this construct path,
        and of the stacks nested in it.
    """
    for path, construct_paths in stack.templates.items():
        if within is not None and within not in ancestors(stack.stack_paths.get(path, "")):
            continue
        for finding in template_findings(_read_json(path), checks, construct_paths):
            yield path, finding


def assembly_findings(
    directory: Path,
    checks: EcrStandardChecks,
    *,
    outer_acknowledgements: Acknowledgements | None = None,
    recursive: bool = True,
    within: str | None = None,
) -> list[Finding]:
    """Unacknowledged findings of the stacks in an assembly directory.

    :param outer_acknowledgements: acknowledgements on the App and Stages, which the
        assembly doesn't record.
    :param within: see ``stack_findings``.
    """
    findings: list[Finding] = []
    for stack_directory, artifact in stack_artifacts(directory, recursive=recursive):
        stack = read_stack(stack_directory, artifact)
        acknowledgements = {**(outer_acknowledgements or {}), **stack.acknowledgements}
        findings.extend(
            finding
            for _, finding in stack_findings(stack, checks, within=within)
            if not is_acknowledged(finding, acknowledgements)
        )
    return findings


def check_assembly(
    directory: str | os.PathLike[str], *, checks: EcrStandardChecks | None = None
) -> list[Finding]:
    """Check a synthesized cloud assembly, e.g. the ``cdk.out`` of ``cdk synth``.

    Every stack is checked, in every Stage, with its nested stacks. Acknowledgements
    recorded on constructs inside stacks are honoured; acknowledgements on the App or a
    Stage aren't written to the assembly, so only ``check_app`` and the plugin see them.

    :param checks: the rules to run. Default: ``EcrStandardChecks()``.
    """
    return assembly_findings(Path(directory), checks or EcrStandardChecks())
