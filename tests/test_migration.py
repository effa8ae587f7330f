"""Switching from ``aws_ecr.Repository`` the documented way (docs/migrating.md) keeps every
property CloudFormation can't change in place, as CloudFormation's own resource schema (the
one cfn-lint ships) lists them; the compliance report says what moving to KMS costs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_kms as kms
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

from ecr_constructs import Repository
from ecr_constructs.standards import EcrStandardChecks, check_template

from .gates import REGION, new_stack, template_of

REPOSITORY = "AWS::ECR::Repository"
NEW_REPOSITORY = "moving it to KMS means a new repository"

Arguments = Callable[[cdk.Stack], dict[str, Any]]


def create_only_properties() -> set[str]:
    """The top-level properties of ``AWS::ECR::Repository`` that CloudFormation can only set
    when it creates the repository ("Update requires: Replacement")."""
    schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema(REGION, REPOSITORY).schema
    return {pointer.split("/")[2] for pointer in schema["createOnlyProperties"]}


def test_only_the_name_and_the_encryption_require_replacement() -> None:
    # docs/migrating.md's table of what changes in place rests on this
    assert create_only_properties() == {"RepositoryName", "EncryptionConfiguration"}


def repository(template: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The logical ID and the resource of the template's one repository; ``Properties``
    always there (``aws_ecr.Repository`` with its defaults has none)."""
    ((logical_id, body),) = (
        (key, value) for key, value in template["Resources"].items() if value["Type"] == REPOSITORY
    )
    return logical_id, {"Properties": {}, **body}


def key(stack: cdk.Stack) -> kms.Key:
    return kms.Key(stack, "Key", enable_key_rotation=True)


# (aws_ecr.Repository's arguments, this library's arguments for the same repository)
SWITCHES: dict[str, tuple[Arguments, Arguments]] = {
    "defaults": (
        lambda stack: {},
        lambda stack: {"encryption": ecr.RepositoryEncryption.AES_256},
    ),
    "named": (
        lambda stack: {"repository_name": "team-a/service"},
        lambda stack: {
            "repository_name": "team-a/service",
            "encryption": ecr.RepositoryEncryption.AES_256,
        },
    ),
    "explicit AES256": (
        lambda stack: {"encryption": ecr.RepositoryEncryption.AES_256},
        lambda stack: {"encryption": "AES256"},
    ),
    "KMS": (
        lambda stack: {"encryption": ecr.RepositoryEncryption.KMS},
        lambda stack: {"encryption": ecr.RepositoryEncryption.KMS},
    ),
    "customer managed key": (
        lambda stack: {"encryption_key": key(stack)},
        lambda stack: {"encryption_key": key(stack)},
    ),
}


@pytest.mark.parametrize("switch", list(SWITCHES))
def test_the_documented_switch_keeps_what_cloudformation_cant_change(switch: str) -> None:
    before_arguments, after_arguments = SWITCHES[switch]
    before_stack, after_stack = new_stack(), new_stack()
    ecr.Repository(before_stack, "Service", **before_arguments(before_stack))
    Repository(after_stack, "Service", **after_arguments(after_stack))
    before_id, before = repository(template_of(before_stack))
    after_id, after = repository(template_of(after_stack))

    assert after_id == before_id
    for name in create_only_properties():
        assert after["Properties"].get(name) == before["Properties"].get(name), name
    assert (after["DeletionPolicy"], after["UpdateReplacePolicy"]) == ("Retain", "Retain")
    assert after["Properties"] != before["Properties"]  # the rest moved to secure defaults


def test_the_default_encryption_would_replace_an_aws_ecr_repository() -> None:
    before_stack, after_stack = new_stack(), new_stack()
    ecr.Repository(before_stack, "Service")
    Repository(after_stack, "Service")
    _, before = repository(template_of(before_stack))
    _, after = repository(template_of(after_stack))
    assert "EncryptionConfiguration" not in before["Properties"]
    assert after["Properties"]["EncryptionConfiguration"] == {"EncryptionType": "KMS"}


def test_the_compliance_report_says_moving_an_aws_ecr_repository_to_kms_means_a_new_one() -> None:
    stack = new_stack()
    ecr.Repository(stack, "Service")
    findings = check_template(template_of(stack))
    (kms_finding,) = (f for f in findings if f.rule_id == "ECR-KMS")
    assert "encrypted with AES256" in kms_finding.message
    assert NEW_REPOSITORY in kms_finding.message


@pytest.mark.parametrize("rule", ["ECR-KMS", "ECR-CMK"])
@pytest.mark.parametrize(
    ("encryption_type", "told"), [("AES256", True), ("KMS", False), ("KMS_DSSE", False)]
)
def test_only_an_aes256_repository_is_told_that_kms_means_a_new_one(
    rule: str, encryption_type: str, told: bool
) -> None:
    properties = {"EncryptionConfiguration": {"EncryptionType": encryption_type}}
    template = {"Resources": {"Repo": {"Type": REPOSITORY, "Properties": properties}}}
    findings = check_template(template, checks=EcrStandardChecks(rules=[rule]))
    told_of_a_new_repository = [f for f in findings if NEW_REPOSITORY in f.message]
    assert len(told_of_a_new_repository) == (1 if told else 0)


def test_export_value_keeps_the_name_export_other_stacks_import() -> None:
    def producer_outputs(switched: bool) -> dict[str, Any]:
        app = cdk.App()
        env = cdk.Environment(account="123456789012", region=REGION)
        producer, consumer = cdk.Stack(app, "Images", env=env), cdk.Stack(app, "Service", env=env)
        if switched:
            repository = Repository(
                producer,
                "Service",
                repository_name="team-a/service",
                encryption=ecr.RepositoryEncryption.AES_256,
            )
            producer.export_value(repository.resource.ref)  # as docs/migrating.md says
            name, arn = repository.repository_name, repository.repository_arn
        else:
            original = ecr.Repository(producer, "Service", repository_name="team-a/service")
            name, arn = original.repository_name, original.repository_arn
        cdk.CfnOutput(consumer, "Uri", value=f"{arn} {name}")
        outputs: dict[str, Any] = app.synth().get_stack_by_name("Images").template["Outputs"]
        return outputs

    before = producer_outputs(switched=False)
    assert len(before) == 2  # the name (Ref) and the ARN
    assert producer_outputs(switched=True) == before


def test_a_cfn_repository_that_declared_aes256_switches_with_two_overrides() -> None:
    before_stack, after_stack = new_stack(), new_stack()
    ecr.CfnRepository(
        before_stack,
        "Service",
        repository_name="team-a/service",
        encryption_configuration={"encryptionType": "AES256"},
    )
    switched = Repository(
        after_stack,
        "Service",
        repository_name="team-a/service",
        encryption=ecr.RepositoryEncryption.AES_256,
    )
    # as docs/migrating.md says for a template that declared AES256 with its own logical ID
    switched.resource.override_logical_id("Service")
    switched.resource.add_property_override("EncryptionConfiguration.EncryptionType", "AES256")
    before_id, before = repository(template_of(before_stack))
    after_id, after = repository(template_of(after_stack))
    assert after_id == before_id == "Service"
    for name in create_only_properties():
        assert after["Properties"].get(name) == before["Properties"].get(name), name
