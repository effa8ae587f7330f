"""The signing / pull-time exclusions / organisation registry policy example: it runs, lints
clean, passes cdk-nag with its two justified acknowledgements and the library's compliance
check (tests/test_examples.py also synthesizes it)."""

from __future__ import annotations

import json
import runpy
from pathlib import Path
from typing import Any

import pytest

from ecr_constructs import check_stack

from .gates import assert_cfn_lint_clean, cdk_nag_violations

EXAMPLE = Path(__file__).parent.parent / "examples" / "signing_and_exclusions.py"


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    outdir = tmp_path_factory.mktemp("signing")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CDK_OUTDIR", str(outdir))
        ran = runpy.run_path(str(EXAMPLE), run_name="__main__")
    template = json.loads((outdir / "SigningAndExclusions.template.json").read_text())
    return {"stack": ran["stack"], "template": template}


def _of_type(template: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [r.get("Properties", {}) for r in template["Resources"].values() if r["Type"] == kind]


def test_gates(example: dict[str, Any]) -> None:
    assert_cfn_lint_clean(example["template"])
    assert cdk_nag_violations(example["stack"]) == []
    assert check_stack(example["stack"]) == []


def test_signing_of_prod_images_and_the_pushers_grant(example: dict[str, Any]) -> None:
    template = example["template"]
    (signing,) = _of_type(template, "AWS::ECR::SigningConfiguration")
    (rule,) = signing["Rules"]
    assert rule["RepositoryFilters"] == [{"Filter": "prod*", "FilterType": "WILDCARD_MATCH"}]
    (profile,) = _of_type(template, "AWS::Signer::SigningProfile")
    assert profile["PlatformId"] == "Notation-OCI-SHA384-ECDSA"
    sign = [
        statement
        for policy in _of_type(template, "AWS::IAM::Policy")
        for statement in policy["PolicyDocument"]["Statement"]
        if statement["Action"] == "signer:SignPayload"
    ]
    assert [s["Resource"] for s in sign] == [[rule["SigningProfileArn"]]]


def test_scanners_are_excluded_and_unpulled_images_are_archived(example: dict[str, Any]) -> None:
    template = example["template"]
    exclusions = _of_type(template, "AWS::ECR::PullTimeUpdateExclusion")
    assert len(exclusions) == 2
    assert "arn:aws:iam::210987654321:role/security/image-scanner" in [
        e["PrincipalArn"] for e in exclusions
    ]
    (repository,) = _of_type(template, "AWS::ECR::Repository")
    rules = json.loads(repository["LifecyclePolicy"]["LifecyclePolicyText"])["rules"]
    assert rules[-1]["selection"]["countType"] == "sinceImagePulled"
    assert rules[-1]["action"] == {"type": "transition", "targetStorageClass": "archive"}


def test_the_organisation_may_pull_every_repository(example: dict[str, Any]) -> None:
    (policy,) = _of_type(example["template"], "AWS::ECR::RegistryPolicy")
    (statement,) = policy["PolicyText"]["Statement"]
    assert statement["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}
    assert "ecr:BatchGetImage" in statement["Action"]


def test_notifications_are_guarded(example: dict[str, Any]) -> None:
    template = example["template"]
    assert len(_of_type(template, "AWS::Events::Rule")) == 3
    (topic_policy,) = _of_type(template, "AWS::SNS::TopicPolicy")
    publish = [
        s
        for s in topic_policy["PolicyDocument"]["Statement"]
        if s.get("Principal") == {"Service": "events.amazonaws.com"}
    ]
    assert len(publish) == 1
    assert publish[0]["Condition"]["StringEquals"] == {"aws:SourceAccount": "123456789012"}
