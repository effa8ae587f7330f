"""The README's complete programs run as written, and their templates pass cfn-lint."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .gates import assembly_stacks, assert_cfn_lint_clean, checkov_results
from .test_secure_defaults_gates import ECR_CHECKS

README = Path(__file__).parent.parent / "README.md"
PROGRAMS = [
    block
    for block in re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    if "app.synth()" in block
]


def test_readme_has_programs() -> None:
    assert len(PROGRAMS) >= 2


@pytest.mark.parametrize("program", PROGRAMS, ids=[f"program{i}" for i in range(len(PROGRAMS))])
def test_readme_program_synthesizes_lint_clean(program: str, tmp_path: Path) -> None:
    # The jsii process read its environment at start-up, so CDK_OUTDIR can't reach it now:
    # point the README's `cdk.App()` at the test's folder instead.
    assert program.count("cdk.App()") == 1
    program = program.replace("cdk.App()", f"cdk.App(outdir={str(tmp_path)!r})")
    exec(compile(program, "README.md", "exec"), {"__name__": "__main__"})
    stacks = assembly_stacks(tmp_path)
    assert stacks
    for stack in stacks.values():
        body = stack["template"]
        assert_cfn_lint_clean(body, stack["region"])
        if any(r["Type"] == "AWS::ECR::Repository" for r in body["Resources"].values()):
            assert not checkov_results(body)["failed"] & ECR_CHECKS


REGISTRY_FILES = [
    block
    for block in re.findall(r"```yaml\n(.*?)```", README.read_text(), re.S)
    if block.startswith("version: 1")
]


def test_readme_registry_file_loads() -> None:
    from ecr_constructs import parse_registry

    assert REGISTRY_FILES
    for text in REGISTRY_FILES:
        assert parse_registry(text, "README.md").repositories
