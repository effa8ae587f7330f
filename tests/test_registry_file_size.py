"""The registry-wide settings all live in stack 1: ``validate`` refuses a file whose settings
alone would pass CloudFormation's template limit, by an estimate that is at least what synth
writes, so that every file it accepts synthesizes."""

from __future__ import annotations

import contextlib
import io
import json
import warnings
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from hypothesis import HealthCheck, given, settings

from ecr_constructs.cli import EXIT_INVALID, main
from ecr_constructs.cloudformation import MAX_TEMPLATE_BYTES
from ecr_constructs.errors import ConfigError
from ecr_constructs.standards import RepositoryFleet, ShardMap, load_registry
from ecr_constructs.standards.fleet.placement import STACK_BASE_BYTES
from ecr_constructs.standards.registry_file.checks import Parts, registry_bytes
from ecr_constructs.standards.registry_file.loading import LoadedRegistry
from tests.registry_file_strategy import (
    SIGNING_FILTERS_UNDER_THE_LIMIT,
    file_text,
    largest_document,
    registry_documents,
    write_logos,
)

MARGIN = 0.05
PER_RESOURCE = 400
"""The estimate is above the written resources by at most 5% and 400 bytes a resource: each
path counted for the longest stack name, removal policies CDK leaves out of these
resources, an account or region the file doesn't give counted in a ``Fn::Join``."""


def _write(folder: Path, document: dict[str, Any]) -> Path:
    write_logos(folder)
    path = folder / "registry.yaml"
    path.write_text(file_text(document, path.name, ascii_only=False), encoding="utf-8")
    return path


def _estimate(loaded: LoadedRegistry) -> int:
    return sum(registry_bytes(Parts.of(loaded.config), loaded.creation_templates).values())


def _synthesized(loaded: LoadedRegistry, outdir: Path) -> dict[str, Any]:
    """Stack 1's template as ``cdk synth`` writes it (path metadata, the CDK metadata
    resource), with its size in bytes under ``"size"``."""
    app = cdk.App(
        outdir=str(outdir),
        analytics_reporting=True,
        context={"aws:cdk:enable-path-metadata": True},
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fleet = RepositoryFleet(app, config=loaded, shard_map=ShardMap())
    assembly = app.synth()
    template_file = Path(assembly.get_stack_by_name(fleet.stacks[0].name).template_full_path)
    return {**json.loads(template_file.read_text()), "size": template_file.stat().st_size}


def test_registry_sections_at_their_largest_are_refused_by_validate(tmp_path: Path) -> None:
    path = _write(tmp_path, largest_document())
    stderr = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(stderr):
        assert main(["validate", str(path)]) == EXIT_INVALID
    assert "registry: stack 1 holds every registry-wide setting" in stderr.getvalue()
    with pytest.raises(ConfigError) as caught:
        load_registry(path)
    (problem,) = caught.value.problems
    assert problem.path == ("registry",)
    assert problem.where.startswith(f"{path}:")
    assert "its template would be larger than CloudFormation accepts" in problem.message
    for section in ("replication about", "signing about", "creation_templates about"):
        assert section in problem.message
    assert str(problem.given).startswith("about 1,")
    assert problem.allowed == (
        "at most 1,000,000 bytes: fewer or shorter settings, first in replication"
    )


@pytest.mark.slow
def test_registry_sections_just_under_the_limit_synthesize_within_it(tmp_path: Path) -> None:
    loaded = load_registry(_write(tmp_path, largest_document(SIGNING_FILTERS_UNDER_THE_LIMIT)))
    estimate = STACK_BASE_BYTES + _estimate(loaded)
    assert MAX_TEMPLATE_BYTES * 0.99 < estimate <= MAX_TEMPLATE_BYTES
    template = _synthesized(loaded, tmp_path / "cdk.out")
    assert template["size"] <= estimate
    assert template["size"] > MAX_TEMPLATE_BYTES * 0.95


@pytest.mark.slow
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(document=registry_documents())
def test_the_estimate_is_at_least_what_synth_writes_within_the_margin(
    document: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("registry")
    # The registry-wide settings alone in stack 1 (standards kept for creation templates), in
    # one account and region (a rollout's fleets are built by RegistryRollout).
    registry_only = {
        key: value
        for key, value in document.items()
        if key not in ("repositories", "public_repositories")
    }
    if isinstance(registry_only.get("deployment"), dict):
        registry_only["deployment"] = {
            key: value for key, value in registry_only["deployment"].items() if key != "targets"
        }
    try:
        loaded = load_registry(_write(folder, registry_only))
    except ConfigError:
        return
    estimate = _estimate(loaded)
    if not estimate:
        return
    template = _synthesized(loaded, folder / "cdk.out")
    size = template.pop("size")
    metadata = {
        key: resource
        for key, resource in template["Resources"].items()
        if resource["Type"] == "AWS::CDK::Metadata"
    }
    rest = json.dumps({**template, "Resources": metadata}, indent=1, ensure_ascii=False)
    written = size - len(rest.encode())
    resources = len(template["Resources"]) - len(metadata)
    assert written <= estimate <= written * (1 + MARGIN) + PER_RESOURCE * resources
