"""Read a synthesized cloud assembly (``cdk.out``): templates, construct paths, acknowledgements.

Pure Python over the cloud assembly files (``manifest.json`` and each stack's metadata), so
the check also runs on the output of ``cdk synth`` without importing the app. The files are
read as untrusted input (``cloud_assembly``): a broken assembly is a ``CloudAssemblyError``
naming the file. Nested stacks are found through the ``aws:cdk:templateFile`` metadata,
construct paths through ``aws:cdk:logicalId``, acknowledgements through
``aws:cdk:acknowledged-rules`` (what ``Validations.of(construct).acknowledge(...)`` records).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator, Mapping
from pathlib import Path

from ...cloud_assembly import StackArtifact, assembly_file, read_template, stack_artifacts
from .rules import EcrStandardChecks, Finding, acknowledgement_id, template_findings

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


def ancestors(path: str) -> Iterator[str]:
    """``a/b/c``, ``a/b``, ``a``, then the root ``""``."""
    while path:
        yield path
        path = path.rpartition("/")[0]
    yield ""


def read_stack(artifact: StackArtifact) -> StackTemplates:
    """One stack of an assembly, with the templates of its nested stacks."""
    top = artifact.template_file
    owners: dict[str, Path] = {}
    logical_ids: dict[str, str] = {}
    acknowledgements: Acknowledgements = {}
    for raw_path, entries in artifact.metadata.items():
        path = raw_path.lstrip("/")
        for index, entry in enumerate(entries):
            kind, data = entry.get("type"), entry.get("data")
            if kind == _TEMPLATE_FILE and isinstance(data, str):
                where = ("artifacts", artifact.artifact_id, "metadata", raw_path, index, "data")
                owners[path] = assembly_file(artifact.directory, data, artifact.manifest, where)
            elif kind == _LOGICAL_ID and isinstance(data, str):
                logical_ids[path] = data
            elif kind == ACKNOWLEDGED_RULES and isinstance(data, Mapping):
                acknowledgements.setdefault(path, {}).update(data)
    templates: dict[Path, dict[str, str]] = {top: {}}
    stack_paths = {top: artifact.display_name}
    for path, file in owners.items():
        templates.setdefault(file, {})
        stack_paths[file] = path
    for path, logical_id in logical_ids.items():
        owner = next((owners[p] for p in ancestors(path) if p in owners), top)
        templates[owner][logical_id] = path
    return StackTemplates(templates, stack_paths, acknowledgements)


def stack_of_template(template_path: Path) -> StackTemplates:
    """The stack whose template is ``template_path`` (a stack template of an assembly)."""
    for artifact in stack_artifacts(template_path.parent, recursive=False):
        if artifact.template_file == template_path:
            return read_stack(artifact)
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
        for finding in template_findings(read_template(path), checks, construct_paths):
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
    for artifact in stack_artifacts(directory, recursive=recursive):
        stack = read_stack(artifact)
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
    :raises CloudAssemblyError: the directory is not a readable cloud assembly (naming the
        file: a missing or broken manifest, template or metadata file).
    """
    return assembly_findings(Path(directory), checks or EcrStandardChecks())
