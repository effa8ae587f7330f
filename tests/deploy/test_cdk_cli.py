"""The CDK CLI path: ``cdk deploy`` and ``cdk destroy`` of a synthesized app against the local
engine (``AWS_ENDPOINT_URL``), settings read back through the ECR API, the repository kept."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import aws_cdk as cdk
import pytest

from ecr_constructs import Repository

from .engine import ACCOUNT, REGION, Engine
from .images import push_images
from .readback import assert_as_declared, assert_kept, kept_state, read_stack
from .stacks import Stacks, new_app, synthesized

pytestmark = pytest.mark.deploy

ROOT = Path(__file__).parent.parent.parent
STACK = "deploy-cdk-cli"
CLI_TIMEOUT = 120


def cdk_cli() -> list[str]:
    """The pinned CDK CLI (``make test`` installs it), or the one CDK_CLI names."""
    if "CDK_CLI" in os.environ:
        return [os.environ["CDK_CLI"]]
    if not (ROOT / "node_modules" / ".bin" / "cdk").exists():
        raise RuntimeError(
            "the CDK CLI is not installed: run `make test-deploy` (or `make test`), which "
            "installs it, or set CDK_CLI to its path"
        )
    return ["npx", "--no-install", "cdk"]


def cli(engine: Engine, *arguments: str) -> subprocess.CompletedProcess[str]:
    """The CDK CLI run against the engine, offline otherwise; its output captured."""
    offline = {"CDK_DISABLE_VERSION_CHECK": "true", "CDK_DISABLE_CLI_TELEMETRY": "true"}
    return subprocess.run(
        [*cdk_cli(), *arguments, "--no-notices"],
        cwd=ROOT,
        env={**os.environ, **engine.environment(), **offline},
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT,
        check=False,
    )


def run_cli(engine: Engine, *arguments: str) -> None:
    completed = cli(engine, *arguments)
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_cdk_deploy_and_destroy_keep_the_repository(engine: Engine, tmp_path: Path) -> None:
    app = new_app(tmp_path / "cdk.out")
    stack = cdk.Stack(app, STACK, env=cdk.Environment(account=ACCOUNT, region=REGION))
    Repository(stack, "Service", repository_name="cli/service", tags={"deployed-by": "cdk"})
    template = synthesized(app)[STACK]
    stacks, ecr = Stacks(engine.client("cloudformation")), engine.client("ecr")

    run_cli(engine, "deploy", "--app", str(tmp_path / "cdk.out"), "--require-approval", "never")
    physical_ids = stacks.physical_ids(STACK)
    assert_as_declared(template, physical_ids, read_stack(ecr, template, physical_ids))
    push_images(ecr, "cli/service", count=2)
    before = kept_state(ecr)

    run_cli(engine, "destroy", "--app", str(tmp_path / "cdk.out"), "--force")
    assert not stacks.exists(STACK)
    assert_kept(before, kept_state(ecr), ["cli/service"])
