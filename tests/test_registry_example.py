"""The registry example app: what it deploys, and every stack clean for cfn-lint and cdk-nag.

(tests/test_examples.py also runs it as a script and lints what it writes to cdk.out.)
"""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

from tests.gates import assert_cfn_lint_clean, cdk_nag_violations, template_of

EXAMPLE = Path(__file__).parent.parent / "examples" / "registry_replication_and_cache.py"


@pytest.fixture(scope="module")
def stacks() -> dict[str, tuple[cdk.Stack, dict[str, Any]]]:
    build = runpy.run_path(str(EXAMPLE))["build"]
    built: list[cdk.Stack] = build(cdk.App())
    return {stack.stack_name: (stack, template_of(stack)) for stack in built}


def _of_type(template: dict[str, Any], type_name: str) -> list[dict[str, Any]]:
    return [r["Properties"] for r in template["Resources"].values() if r["Type"] == type_name]


def test_stacks_and_environments(stacks: Any) -> None:
    assert {name: stack.region for name, (stack, _) in stacks.items()} == {
        "Registry": "eu-west-1",
        "Replicas-us-east-1": "us-east-1",
        "DisasterRecovery": "eu-central-1",
    }


def test_source_replicates_prod_to_another_region_and_the_dr_account(stacks: Any) -> None:
    _, template = stacks["Registry"]
    (configuration,) = _of_type(template, "AWS::ECR::ReplicationConfiguration")
    assert configuration["ReplicationConfiguration"]["Rules"] == [
        {
            "Destinations": [
                {"Region": "us-east-1", "RegistryId": "123456789012"},
                {"Region": "eu-central-1", "RegistryId": "210987654321"},
            ],
            "RepositoryFilters": [{"Filter": "prod", "FilterType": "PREFIX_MATCH"}],
        }
    ]


def test_source_caches_docker_hub_and_ecr_public(stacks: Any) -> None:
    _, template = stacks["Registry"]
    rules = {
        r["EcrRepositoryPrefix"]: r for r in _of_type(template, "AWS::ECR::PullThroughCacheRule")
    }
    assert set(rules) == {"docker-hub", "ecr-public"}
    assert "CredentialArn" in rules["docker-hub"]
    assert "CredentialArn" not in rules["ecr-public"]
    (secret,) = _of_type(template, "AWS::SecretsManager::Secret")
    assert secret["Name"] == "ecr-pullthroughcache/docker-hub"
    templates = {t["Prefix"]: t for t in _of_type(template, "AWS::ECR::RepositoryCreationTemplate")}
    assert {p: t["AppliedFor"] for p, t in templates.items()} == {
        "docker-hub": ["PULL_THROUGH_CACHE"],
        "ecr-public": ["PULL_THROUGH_CACHE"],
    }
    assert "KmsKey" in templates["ecr-public"]["EncryptionConfiguration"]
    assert template["Outputs"]["NginxImage"]["Value"] == (
        "123456789012.dkr.ecr.eu-west-1.amazonaws.com/docker-hub/library/nginx:stable-alpine"
    )


def test_destinations_accept_replication_and_set_replica_settings(stacks: Any) -> None:
    _, dr = stacks["DisasterRecovery"]
    (policy,) = _of_type(dr, "AWS::ECR::RegistryPolicy")
    (statement,) = policy["PolicyText"]["Statement"]
    assert statement["Action"] == ["ecr:CreateRepository", "ecr:ReplicateImage"]
    assert statement["Principal"]["AWS"]["Fn::Join"][1][-1] == ":iam::123456789012:root"
    for name in ("DisasterRecovery", "Replicas-us-east-1"):
        (replicas,) = _of_type(stacks[name][1], "AWS::ECR::RepositoryCreationTemplate")
        assert replicas["Prefix"] == "ROOT"
        assert replicas["AppliedFor"] == ["REPLICATION"]
        assert replicas["ImageTagMutability"] == "IMMUTABLE"
    # Same account, other region: no registry policy needed.
    assert _of_type(stacks["Replicas-us-east-1"][1], "AWS::ECR::RegistryPolicy") == []


@pytest.mark.parametrize("name", ["Registry", "Replicas-us-east-1", "DisasterRecovery"])
def test_every_stack_passes_cfn_lint_and_cdk_nag(stacks: Any, name: str) -> None:
    stack, template = stacks[name]
    assert_cfn_lint_clean(template, stack.region)
    assert cdk_nag_violations(stack) == []


@pytest.mark.parametrize("name", ["Registry", "Replicas-us-east-1", "DisasterRecovery"])
def test_template_snapshot(stacks: Any, name: str, snapshot: SnapshotAssertion) -> None:
    """Logical IDs are part of the snapshot: a change that would replace a deployed
    registry resource shows up here."""
    _, template = stacks[name]
    assert template == snapshot.use_extension(JSONSnapshotExtension)
