"""A fleet synthesized from a registry file, deployed on the local CloudFormation engine
(ministack), then audited through the ECR API: no drift; a change by hand: drift.

The engine's ECR API has no registry-wide operations (scanning, registry policy and its
scope, cache rules, templates, signing, pull-time exclusions): those are answered as an
untouched registry answers, checked against botocore's service model (``live_fakes``).
Every call the audit sends must be a read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from ecr_constructs import cli
from ecr_constructs.cli import EXIT_FAILURE, EXIT_OK
from ecr_constructs.standards.fleet.fleet import RepositoryFleet

from ..live_fakes import MOTO_LACKS, FakeAccount, hook_sessions
from .engine import ACCOUNT, REGION, Engine
from .stacks import Stacks, new_app, synthesized

pytestmark = pytest.mark.deploy

STACK = "deploy-audit"
REGISTRY_FILE = f"""\
version: 1
standards:
  production:
    lifecycle:
      - protect_tags: {{prefixes: [prod, release]}}
      - expire_untagged: {{after_days: 1}}
      - keep_last: {{count: 50}}
    access:
      pull_accounts: ["987654321098"]
      lambda_pull_accounts: ["{ACCOUNT}"]
    tags: {{tier: production}}
  scratch:
    tag_mutability: MUTABLE
    scan_on_push: false
    encryption: AES256
    lifecycle:
      - keep_last: {{count: 5}}
defaults:
  standard: production
repositories:
  - name: audit/payments-api
    tags: {{owner: payments}}
  - name: audit/payments-worker
  - name: audit/sandbox
    standard: scratch
deployment: {{stack_name: {STACK}, account: "{ACCOUNT}", region: {REGION}}}
"""
UNTOUCHED_REGISTRY = {
    **MOTO_LACKS,
    "GetRegistryScanningConfiguration": {
        "registryId": ACCOUNT,
        "scanningConfiguration": {"scanType": "BASIC", "rules": []},
    },
    "GetRegistryPolicy": "RegistryPolicyNotFoundException",
}
"""What the engine lacks, answered as a registry nobody configured answers."""


@pytest.fixture
def deployed(engine: Engine, tmp_path: Path) -> Iterator[Path]:
    """The registry file, its fleet deployed."""
    file = tmp_path / "registry.yaml"
    file.write_text(REGISTRY_FILE)
    app = new_app(tmp_path / "cdk.out")
    RepositoryFleet.from_file(app, file)
    templates = synthesized(app)
    stacks = Stacks(engine.client("cloudformation"))
    for name, template in templates.items():
        stacks.create(name, template)
    try:
        yield file
    finally:
        for name in templates:
            stacks.delete(name)


def test_a_deployed_fleet_audits_clean_and_a_change_by_hand_is_drift(
    engine: Engine,
    deployed: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in engine.environment().items():
        monkeypatch.setenv(name, value)
    account = FakeAccount(engine.client("ecr"), answers=dict(UNTOUCHED_REGISTRY))
    hook_sessions(monkeypatch, account)
    argv = ["audit", str(deployed), "--repository-prefix", "audit/", "--output", "json"]
    code = cli.main(argv)
    report = json.loads(capsys.readouterr().out)
    assert (code, report["matches"], report["repositories"]) == (EXIT_OK, True, 3), report
    assert account.operations()["GetRepositoryPolicy"] == 3
    account.ecr.put_image_scanning_configuration(
        repositoryName="audit/payments-api", imageScanningConfiguration={"scanOnPush": False}
    )
    code = cli.main(argv)
    report = json.loads(capsys.readouterr().out)
    assert code == EXIT_FAILURE
    assert report["differences"] == [
        {
            "subject": "audit/payments-api",
            "setting": "scan_on_push",
            "expected": True,
            "actual": False,
        }
    ]
