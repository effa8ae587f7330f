"""Every example app synthesizes, and every template it writes passes cfn-lint."""

from __future__ import annotations

import json
import runpy
from pathlib import Path

import pytest

from .gates import assert_cfn_lint_clean

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("*.py"))


def synthesized_templates(outdir: Path) -> list[tuple[Path, str]]:
    """(template, region) for every stack in a cloud assembly, nested assemblies included."""
    found = []
    for manifest_path in outdir.rglob("manifest.json"):
        manifest = json.loads(manifest_path.read_text())
        for artifact in manifest.get("artifacts", {}).values():
            if artifact.get("type") != "aws:cloudformation:stack":
                continue
            region = artifact["environment"].rsplit("/", 1)[-1]
            template = manifest_path.parent / artifact["properties"]["templateFile"]
            found.append((template, region))
    return found


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.stem for e in EXAMPLES])
def test_example_synthesizes_lint_clean(
    example: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CDK_OUTDIR", str(tmp_path))
    monkeypatch.chdir(example.parent.parent)
    runpy.run_path(str(example), run_name="__main__")
    templates = synthesized_templates(tmp_path)
    assert templates, f"{example.name} wrote no stack"
    for template, region in templates:
        assert_cfn_lint_clean(json.loads(template.read_text()), region)
