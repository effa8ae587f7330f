"""Every example app synthesizes, and every template it writes passes cfn-lint."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

from .gates import assembly_stacks, assert_cfn_lint_clean

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("*.py"))


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.stem for e in EXAMPLES])
def test_example_synthesizes_lint_clean(
    example: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CDK_OUTDIR", str(tmp_path))
    monkeypatch.chdir(example.parent.parent)
    runpy.run_path(str(example), run_name="__main__")
    stacks = assembly_stacks(tmp_path)
    assert stacks, f"{example.name} wrote no stack"
    for stack in stacks.values():
        assert_cfn_lint_clean(stack["template"], stack["region"])
