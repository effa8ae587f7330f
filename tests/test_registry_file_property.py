"""The registry file's promise, as a property: every file is either refused by `validate`
with located problems, or synthesizes into templates that cfn-lint accepts. Never "validate
passes, synth fails", never a bare Python exception.

Files are drawn by ``tests/registry_file_strategy.py``: every key of the schema, values at
their limits on both sides, mostly valid so that most examples reach synthesis (about four
in five do). Synthesis and cfn-lint take about a second per file, so the full property runs
20 random files by default, plus the smallest file, the largest (refused: its registry-wide
settings alone pass stack 1's template limit) and the largest valid one (about 40 s in all),
and the validate-only property 200; for a larger run set ``REGISTRY_FILE_EXAMPLES`` (the
validate-only property runs eight times as many)::

    REGISTRY_FILE_EXAMPLES=500 .venv/bin/python -m pytest tests/test_registry_file_property.py

(``--hypothesis-show-statistics`` shows how many were refused and how many synthesized.)
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import tempfile
import typing
import warnings
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from ecr_constructs.cli import EXIT_INVALID, EXIT_OK, main
from ecr_constructs.cloudformation import MAX_TEMPLATE_BYTES, STACK_OVERHEAD
from ecr_constructs.errors import ConfigError
from ecr_constructs.standards import load_registry
from ecr_constructs.standards.fleet.fleet import RepositoryFleet
from ecr_constructs.standards.fleet.rollout import RegistryRollout
from ecr_constructs.standards.registry_file.models import (
    SETTING_KEYS,
    AccessConfig,
    RegistryConfig,
    RegistrySettingsConfig,
    RolloutMode,
)
from tests.gates import REGION, assert_cfn_lint_clean
from tests.registry_file_strategy import (
    ACCESS,
    FORMATS,
    REGISTRY,
    SETTING_GROUPS,
    SIGNING_FILTERS_UNDER_THE_LIMIT,
    file_text,
    largest_document,
    registry_documents,
    write_logos,
)

SYNTH_EXAMPLES = int(os.environ.get("REGISTRY_FILE_EXAMPLES", "20"))
"""Examples of the full property (each synthesized and linted)."""
VALIDATE_EXAMPLES = max(SYNTH_EXAMPLES * 8, 200)
"""Examples of the validate-only property (milliseconds each)."""
_SLOW_DRAWS = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example]
_FILES = {
    "document": registry_documents(),
    "file_name": st.sampled_from(FORMATS),
    "ascii_only": st.booleans(),
}


def _write(folder: str, document: dict[str, Any], file_name: str, ascii_only: bool) -> Path:
    """The file, and beside it the logos it may name."""
    write_logos(Path(folder))
    path = Path(folder) / file_name
    path.write_text(file_text(document, file_name, ascii_only), encoding="utf-8")
    return path


def _validate(path: Path) -> int:
    """The exit code of ``ecr-constructs validate``."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return main(["validate", str(path)])


def _assert_located(error: ConfigError, path: Path) -> None:
    """Every problem names the file (and, for YAML, the line) and a field path in it."""
    location = re.compile(re.escape(str(path)) + (r":\d+" if path.suffix != ".json" else ""))
    top_level = set(RegistryConfig.model_fields)
    for problem in error.problems:
        where, _, _ = problem.where.partition(": ")
        assert location.fullmatch(where), str(problem)
        assert problem.path, str(problem)
        assert problem.path[0] in top_level, str(problem)


def _checked(path: Path) -> bool:
    """True when the file is valid; False when it is refused with located problems (exit 2
    from ``validate``). Any other exception fails the property."""
    code = _validate(path)
    try:
        load_registry(path)
    except ConfigError as error:
        assert code == EXIT_INVALID
        _assert_located(error, path)
        event("refused by validate")
        return False
    assert code == EXIT_OK
    return True


def _assert_synthesizes(path: Path, outdir: Path) -> None:
    """The fleet of the file (or its rollout, with ``deployment.targets``) builds into a CDK
    app that synthesizes, and its shard map is committed (as ``ecr-constructs synth`` does;
    other warnings are passed on); every template is within CloudFormation's size limit and
    cfn-lint accepts it in its region (an instance template in every target region), and
    each stack of the fleet holds the resources placement counted, within
    ``max_resources_per_stack``."""
    loaded = load_registry(path)
    app = cdk.App(outdir=str(outdir))
    targets = loaded.config.deployment.targets
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if targets is None:
            with RepositoryFleet.from_file(app, path) as fleet:
                assembly = app.synth()
                fleet.commit_shard_map(assembly)
        else:
            with RegistryRollout.from_file(app, path) as rollout:
                assembly = app.synth()
                rollout.commit_shard_map(assembly)
            fleet = rollout.fleet
            event(f"rolled out ({targets.mode})")
    # A new registry has no shard map: a fleet of more than one stack says so.
    from_scratch = [w for w in caught if str(w.message).startswith("no shard map found at ")]
    assert len(from_scratch) == (len(fleet.stacks) > 1)
    for other in caught:
        if other not in from_scratch:
            warnings.warn_explicit(other.message, other.category, other.filename, other.lineno)
    region = loaded.config.deployment.region or REGION
    for stack in assembly.stacks:
        template_file = Path(stack.template_full_path)
        assert template_file.stat().st_size <= MAX_TEMPLATE_BYTES, stack.stack_name
        stack_region = stack.environment.region
        lint_region = region if stack_region == "unknown-region" else stack_region
        assert_cfn_lint_clean(json.loads(template_file.read_text()), lint_region)
    if targets is None or targets.mode is RolloutMode.STAGES:
        fleet_templates = {
            s.name: assembly.get_stack_artifact(s.stack.artifact_id).template for s in fleet.stacks
        }
    else:
        fleet_templates = rollout.instance_templates
        for template in fleet_templates.values():
            for target_region in targets.regions:
                assert_cfn_lint_clean(template, target_region)
    counted = {stack.name: stack.resources for stack in fleet.stacks}
    for name, template in fleet_templates.items():
        resources = len(template["Resources"]) + STACK_OVERHEAD  # + the CDK CLI's metadata
        assert resources == counted[name], name
        assert resources <= fleet.max_resources_per_stack, name
    event(f"synthesized into {len(assembly.stacks)} stacks")


@settings(max_examples=VALIDATE_EXAMPLES, deadline=None, suppress_health_check=_SLOW_DRAWS)
@given(**_FILES)
def test_validate_accepts_a_file_or_refuses_it_with_located_problems(
    document: dict[str, Any], file_name: str, ascii_only: bool
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        _checked(_write(folder, document, file_name, ascii_only))


@pytest.mark.slow
@settings(max_examples=SYNTH_EXAMPLES, deadline=None, suppress_health_check=_SLOW_DRAWS)
@given(**_FILES)
@example(document={"version": 1}, file_name="registry.yaml", ascii_only=True)
@example(document=largest_document(), file_name="registry.yaml", ascii_only=False)
@example(
    document=largest_document(SIGNING_FILTERS_UNDER_THE_LIMIT),
    file_name="registry.yaml",
    ascii_only=False,
)
def test_a_file_validate_accepts_synthesizes_and_passes_cfn_lint(
    document: dict[str, Any], file_name: str, ascii_only: bool
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = _write(folder, document, file_name, ascii_only)
        if _checked(path):
            _assert_synthesizes(path, Path(folder) / "cdk.out")


def _fields(model: type[BaseModel]) -> set[str]:
    return set(model.model_fields)


def test_the_strategy_draws_every_key_of_the_schema() -> None:
    """A key added to the file format must be drawn here too."""
    drawn_settings = {key for keys in SETTING_GROUPS for key in keys}
    assert drawn_settings == set(SETTING_KEYS)
    assert set(ACCESS) == _fields(AccessConfig)
    assert set(REGISTRY) == _fields(RegistrySettingsConfig)
    # The other sections' keys, as the strategy writes them.
    source = Path(__file__).with_name("registry_file_strategy.py").read_text()
    for model in _models_of(RegistryConfig):
        for key in _fields(model):
            assert f'"{key}"' in source, f"{model.__name__}.{key} is never drawn"


def _models_of(model: type[BaseModel]) -> set[type[BaseModel]]:
    """``model`` and every model its fields hold, directly or in lists and mappings."""
    found = {model}
    pending = [model]
    while pending:
        for info in pending.pop().model_fields.values():
            for inner in _annotations_in(info.annotation):
                if isinstance(inner, type) and issubclass(inner, BaseModel) and inner not in found:
                    found.add(inner)
                    pending.append(inner)
    return found


def _annotations_in(annotation: Any) -> list[Any]:
    inner = [annotation]
    for arg in typing.get_args(annotation):
        inner += _annotations_in(arg)
    return inner
