"""The scanning / public repository / CI example: it runs, lints clean, and passes cdk-nag and
the library's own compliance checks (tests/test_examples.py also synthesizes it)."""

from __future__ import annotations

import json
import runpy
from pathlib import Path

import pytest

from ecr_constructs import check_stack

from .gates import assert_cfn_lint_clean, cdk_nag_violations

EXAMPLE = Path(__file__).parent.parent / "examples" / "registry_scanning_public_ci.py"


def test_example_runs_and_passes_every_gate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CDK_OUTDIR", str(tmp_path))
    monkeypatch.delenv("CDK_DEFAULT_ACCOUNT", raising=False)
    example = runpy.run_path(str(EXAMPLE), run_name="__main__")
    template = json.loads((tmp_path / "RegistryScanningPublicCi.template.json").read_text())
    assert_cfn_lint_clean(template, "us-east-1")
    types = sorted(r["Type"] for r in template["Resources"].values())
    assert types.count("AWS::Events::Rule") == 3
    for expected in (
        "AWS::ECR::RegistryScanningConfiguration",
        "AWS::ECR::PublicRepository",
        "AWS::ECR::Repository",
        "AWS::IAM::OIDCProvider",
        "AWS::IAM::Role",
        "AWS::SNS::Topic",
        "AWS::KMS::Key",
    ):
        assert expected in types
    stack = example["stack"]
    assert cdk_nag_violations(stack) == []
    assert check_stack(stack) == []
