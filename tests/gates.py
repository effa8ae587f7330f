"""Test helpers: stacks, the trusted tools (cfn-lint, checkov and cdk-nag) on synthesized
stacks, and the checks every bad-input table makes."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import assertions
from cfnlint.api import lint

from ecr_constructs.errors import EcrConstructsError

ACCOUNT = "123456789012"
REGION = "eu-west-1"
PUBLIC_PUSH_ACTIONS = [
    "ecr-public:BatchCheckLayerAvailability",
    "ecr-public:CompleteLayerUpload",
    "ecr-public:InitiateLayerUpload",
    "ecr-public:PutImage",
    "ecr-public:UploadLayerPart",
]
"""What a push to an ECR Public repository needs, as policies list it."""


def new_stack(region: str = REGION, account: str = ACCOUNT, name: str = "Test") -> cdk.Stack:
    """A stack in its own app, with a concrete environment."""
    app = cdk.App()
    return cdk.Stack(app, name, env=cdk.Environment(account=account, region=region))


def template_of(stack: cdk.Stack) -> dict[str, Any]:
    return dict(assertions.Template.from_stack(stack).to_json())


# cfn-lint reads a JSON template as YAML: characters YAML does not take as they are (C1
# controls, line separators, noncharacters) go to it as \u escapes, and the others as they
# are (YAML refuses the surrogate-pair escapes JSON has for characters beyond U+FFFF).
_NOT_YAML_TEXT = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")


def cfn_lint_matches(template: dict[str, Any], region: str = REGION) -> list[str]:
    """cfn-lint's errors and warnings for a template (informational rules excluded)."""
    text = json.dumps(template, ensure_ascii=False)
    text = _NOT_YAML_TEXT.sub(lambda found: f"\\u{ord(found[0]):04x}", text)
    return [str(m) for m in lint(text, regions=[region])]


def assert_cfn_lint_clean(template: dict[str, Any], region: str = REGION) -> None:
    matches = cfn_lint_matches(template, region)
    assert matches == [], "\n".join(matches)


def checkov_executable() -> str:
    found = os.environ.get("CHECKOV") or shutil.which("checkov")
    if not found or not Path(found).exists():
        raise RuntimeError(
            "checkov not found: run the tests with `make test`, which installs it, "
            "or set CHECKOV to its path"
        )
    return found


def checkov_results(template: dict[str, Any]) -> dict[str, set[str]]:
    """Run checkov on a template: {"passed": {check ids}, "failed": {check ids}}."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "template.json"
        path.write_text(json.dumps(template))
        completed = subprocess.run(
            [
                checkov_executable(),
                "-f",
                str(path),
                "--framework",
                "cloudformation",
                "--skip-download",
                "-o",
                "json",
                "--compact",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    report = json.loads(completed.stdout) if completed.stdout.strip() else {}
    results = report.get("results", {})
    return {
        "passed": {c["check_id"] for c in results.get("passed_checks", [])},
        "failed": {c["check_id"] for c in results.get("failed_checks", [])},
    }


def cdk_nag_violations(scope: cdk.Stack) -> list[str]:
    """AwsSolutions findings for a stack, as 'rule: construct paths' lines ([] when clean)."""
    from cdk_nag import AwsSolutionsChecks

    report = AwsSolutionsChecks().validate_scope(scope)
    if report.success:
        return []
    return [
        f"{v.rule_name}: {[r.construct_path for r in v.violating_resources]}"
        for v in report.violations
    ]


def refusal_test(
    table: list[Any], error: type[EcrConstructsError] = EcrConstructsError
) -> Callable[[Callable[[cdk.Stack], object], list[str]], None]:
    """A test over a bad-input table of ``pytest.param(build, fragments, id=...)``: each
    ``build(stack)``, in a new stack, raises ``error`` whose message holds every fragment.

    Use: ``test_bad_input_is_refused_with_a_clear_message = refusal_test(BAD_INPUT)``.
    """

    @pytest.mark.parametrize(("build", "fragments"), table)
    def test(build: Callable[[cdk.Stack], object], fragments: list[str]) -> None:
        stack = new_stack()
        with pytest.raises(error) as raised:
            build(stack)
        message = str(raised.value)
        for fragment in fragments:
            assert fragment in message, message

    return test


def assert_construct_refused(
    construct: Callable[..., object],
    props: dict[str, Any],
    fragment: str,
    *,
    construct_id: str,
    stack: cdk.Stack | None = None,
) -> str:
    """``construct(stack, construct_id, **props)`` (default: in a new stack) raises an error
    that holds ``fragment``, starts with the construct's path and says what is allowed, and
    leaves nothing behind. Returns the message, for more checks."""
    stack = stack or new_stack()
    with pytest.raises(EcrConstructsError) as raised:
        construct(stack, construct_id, **props)
    message = str(raised.value)
    assert fragment in message, message
    assert message.startswith(f"{stack.node.path}/{construct_id} "), message
    assert "allowed" in message, message
    assert stack.node.try_find_child(construct_id) is None
    return message


def assembly_stacks(outdir: Path) -> dict[str, dict[str, Any]]:
    """Stack name -> {"template", "environment", "region"} for every stack of a cloud
    assembly, nested assemblies (Stages) included, in manifest order."""
    stacks: dict[str, dict[str, Any]] = {}
    for manifest_path in sorted(outdir.rglob("manifest.json")):
        manifest = json.loads(manifest_path.read_text())
        for artifact_id, artifact in manifest.get("artifacts", {}).items():
            if artifact.get("type") != "aws:cloudformation:stack":
                continue
            properties = artifact["properties"]
            name = properties.get("stackName", artifact_id)
            assert name not in stacks, f"two stacks named {name} in {outdir}"
            stacks[name] = {
                "template": json.loads(
                    (manifest_path.parent / properties["templateFile"]).read_text()
                ),
                "environment": artifact["environment"],
                "region": artifact["environment"].rsplit("/", 1)[-1],
            }
    return stacks
