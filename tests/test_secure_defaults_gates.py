"""The secure-default repository passes checkov's ECR checks and cdk-nag's AwsSolutions pack."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import aws_ecr as ecr

from ecr_constructs import Repository

from .gates import cdk_nag_violations, checkov_results, new_stack, template_of

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
