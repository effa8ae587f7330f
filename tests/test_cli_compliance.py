"""`ecr-constructs check DIR`: the compliance check on a synthesized app, from the shell."""

from __future__ import annotations

import json
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ecr as ecr

from ecr_constructs import Repository
from ecr_constructs.cli import main

from .gates import ACCOUNT, REGION


def synthesize(outdir: Path, *, plain: bool) -> Path:
    app = cdk.App(outdir=str(outdir))
    stack = cdk.Stack(app, "Service", env=cdk.Environment(account=ACCOUNT, region=REGION))
    if plain:
        ecr.Repository(stack, "Plain")
    Repository(stack, "Secure", repository_name="secure")
    app.synth()
    return outdir


@pytest.fixture(scope="module")
def assemblies(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return {
        "mixed": synthesize(tmp_path_factory.mktemp("mixed"), plain=True),
        "secure": synthesize(tmp_path_factory.mktemp("secure"), plain=False),
    }


def test_findings_list_each_path_and_rule_and_exit_1(
    assemblies: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", str(assemblies["mixed"])]) == 1
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines and all(line.startswith("Service/Plain/Resource: [ECR-") for line in lines)
    assert {"[ECR-SCAN]", "[ECR-IMMUTABLE]", "[ECR-KMS]", "[ECR-LIFECYCLE]"} <= {
        line.split()[1] for line in lines
    }
    assert "Service/Secure" not in out
    assert "findings on 1 repository" in err


def test_rules_can_be_chosen(
    assemblies: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", str(assemblies["mixed"]), "--rules", "ECR-SCAN"]) == 1
    out, _ = capsys.readouterr()
    assert [line.split()[1] for line in out.splitlines()] == ["[ECR-SCAN]"]


def test_compliant_app_exits_0(
    assemblies: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", str(assemblies["secure"])]) == 0
    assert "complies" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("arguments", "fragment"),
    [
        (["check", "/nonexistent"], "not a cloud assembly"),
        (["check", "ASSEMBLY", "--rules", "ECR-NOPE"], "ECR-NOPE"),
    ],
)
def test_invalid_input_exits_2(
    arguments: list[str],
    fragment: str,
    assemblies: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    arguments = [str(assemblies["secure"]) if a == "ASSEMBLY" else a for a in arguments]
    assert main(arguments) == 2
    assert fragment in capsys.readouterr().err


NESTED_SELF = {"n": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "."}}}
ESCAPING = {"s": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "../x.json"}}}


@pytest.mark.parametrize(
    ("artifacts", "message"),
    [
        (
            ESCAPING,
            "manifest.json: artifacts.s.properties.templateFile: is not a file name inside the "
            "assembly (given '../x.json'; allowed: a relative path without ..)",
        ),
        (NESTED_SELF, ": a nested assembly contains itself (allowed: a tree of assemblies)"),
        ({"s": []}, "manifest.json: artifacts.s: expected a JSON object (given 'list')"),
    ],
)
def test_a_broken_assembly_exits_2_naming_the_file(
    artifacts: dict[str, object],
    message: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "manifest.json").write_text(json.dumps({"artifacts": artifacts}))
    assert main(["check", str(tmp_path)]) == 2
    assert capsys.readouterr().err == f"{tmp_path}{'/' if message[0] != ':' else ''}{message}\n"
