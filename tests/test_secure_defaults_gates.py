"""The secure-default repository passes checkov's ECR checks and cdk-nag's AwsSolutions pack;
the cfn-lint gate reads every template as it is."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import aws_ecr as ecr

from ecr_constructs import Repository

from .gates import (
    cdk_nag_violations,
    cfn_lint_matches,
    checkov_results,
    new_stack,
    template_of,
)

ECR_CHECKS = {"CKV_AWS_32", "CKV_AWS_51", "CKV_AWS_136", "CKV_AWS_163"}


@pytest.fixture(scope="module")
def secure() -> Any:
    stack = new_stack()
    Repository(stack, "Secure", repository_name="secure")
    return stack


def test_checkov_passes_every_ecr_check(secure: Any) -> None:
    results = checkov_results(template_of(secure))
    assert results["passed"] >= ECR_CHECKS
    assert not results["failed"]


def test_checkov_fails_plain_aws_ecr_repository() -> None:
    """The gate can fail: aws_ecr's defaults break three of the four checks."""
    stack = new_stack()
    ecr.Repository(stack, "Plain")
    results = checkov_results(template_of(stack))
    assert {"CKV_AWS_51", "CKV_AWS_136", "CKV_AWS_163"} <= results["failed"]


def test_cdk_nag_aws_solutions_passes(secure: Any) -> None:
    assert cdk_nag_violations(secure) == []


def test_the_cfn_lint_gate_reads_any_unicode_text_a_value_can_hold() -> None:
    text = "".join(map(chr, [*range(0x300), 0x2028, 0x2029, 0xFEFF, 0xFFFF, 0x10000, 0x1F600]))
    catalog = {"AboutText": text, "UsageText": "\U0001f600" * 10_240}
    template = {
        "Resources": {
            "Public": {
                "Type": "AWS::ECR::PublicRepository",
                "Properties": {"RepositoryCatalogData": catalog},
            }
        }
    }
    assert cfn_lint_matches(template, "us-east-1") == []
    catalog["UsageText"] += "x"
    assert [match.split(" ", 1)[0] for match in cfn_lint_matches(template, "us-east-1")] == [
        "[E3033:"
    ]
