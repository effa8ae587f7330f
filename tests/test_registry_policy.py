"""RegistryPolicy: one per registry, grants from anywhere, checked by the document layer."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from constructs import Construct

from ecr_constructs.errors import EcrConstructsError, PolicyDocumentError, RegistryError
from ecr_constructs.policy import RegistryAccess, RegistryPolicyDocument
from ecr_constructs.registry import RegistryPolicy
from ecr_constructs.registry_rules import RegistryPolicyScope
from tests.gates import (
    ACCOUNT,
    REGION,
    assert_cfn_lint_clean,
    cdk_nag_violations,
    new_stack,
    refusal_test,
)

SOURCE = "111111111111"
OTHER_SOURCE = "222222222222"
CI_ROLE = f"arn:aws:iam::{ACCOUNT}:role/ci"


def _policies(stack: cdk.Stack) -> list[dict[str, Any]]:
    template = dict(cdk.assertions.Template.from_stack(stack).to_json())
    resources = template.get("Resources", {}).values()
    return [r for r in resources if r["Type"] == "AWS::ECR::RegistryPolicy"]


@pytest.fixture(scope="module")
def built() -> tuple[cdk.Stack, RegistryPolicy, dict[str, Any]]:
    stack = new_stack()
    policy = RegistryPolicy.of(stack)
    policy.add(RegistryAccess.replication_from([SOURCE]))
    # Elsewhere in the app: another source account, and a pull-through cache grant.
    RegistryPolicy.of(Construct(stack, "Team")).add(
        RegistryAccess.replication_from([OTHER_SOURCE]),
        RegistryAccess.pull_through_cache([CI_ROLE], prefixes=["docker-hub"]),
    )
    policy.add_statements(
        {
            "Sid": "OrgReplication",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": "ecr:ReplicateImage",
            "Resource": f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/*",
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}},
        }
    )
    (resource,) = _policies(stack)
    return stack, policy, resource


def test_one_policy_with_every_grant(built: Any) -> None:
    stack, policy, resource = built
    # The template holds the document layer's rendering, with the stack's partition.
    expected = RegistryPolicyDocument(
        policy.document.grants, account=ACCOUNT, region=REGION
    ).to_dict()
    resolved = stack.resolve(policy.document.to_dict())
    assert [s["Sid"] for s in resource["Properties"]["PolicyText"]["Statement"]] == [
        "ReplicationFrom",
        "PullThroughCache",
        "OrgReplication",
    ]
    assert resource["Properties"]["PolicyText"] == resolved
    replication = expected["Statement"][0]
    assert replication["Principal"]["AWS"] == [
        f"arn:aws:iam::{SOURCE}:root",
        f"arn:aws:iam::{OTHER_SOURCE}:root",
    ]
    assert replication["Action"] == ["ecr:CreateRepository", "ecr:ReplicateImage"]
    assert replication["Resource"] == f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/*"


def test_singleton_per_registry(built: Any) -> None:
    stack, policy, _ = built
    assert RegistryPolicy.of(stack) is policy
    assert policy.node.path == "Test/RegistryPolicy"
    with pytest.raises(EcrConstructsError) as raised:
        RegistryPolicy(stack, "Second")
    assert "Test/RegistryPolicy already configures registry 123456789012/eu-west-1" in str(
        raised.value
    )


def test_template_passes_cfn_lint_and_cdk_nag(built: Any) -> None:
    stack, _, _ = built
    assert_cfn_lint_clean(dict(cdk.assertions.Template.from_stack(stack).to_json()))
    # AwsSolutions-ECR1 flags '*' principals: the org-wide statement is acknowledged here,
    # with the reason, on the policy construct.
    assert cdk_nag_violations(stack) == ["AwsSolutions-ECR1: ['Test/RegistryPolicy/Resource']"]
    cdk.Validations.of(RegistryPolicy.of(stack)).acknowledge(
        cdk.Acknowledgment(
            id="AwsSolutions-ECR1",
            reason="Principal * is limited to the organization by aws:PrincipalOrgID",
        )
    )
    assert cdk_nag_violations(stack) == []


def test_nothing_is_synthesized_without_grants() -> None:
    stack = new_stack()
    assert RegistryPolicy.of(stack).document is None
    assert _policies(stack) == []


def test_environment_agnostic_registry_uses_its_own_account_and_region() -> None:
    stack = cdk.Stack(cdk.App(), "Agnostic")
    RegistryPolicy.of(stack).add(RegistryAccess.replication_from([SOURCE]))
    (resource,) = _policies(stack)
    statement = resource["Properties"]["PolicyText"]["Statement"][0]
    assert statement["Resource"] == {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                ":ecr:",
                {"Ref": "AWS::Region"},
                ":",
                {"Ref": "AWS::AccountId"},
                ":repository/*",
            ],
        ]
    }
    assert_cfn_lint_clean(dict(cdk.assertions.Template.from_stack(stack).to_json()))


ORG = "o-a1b2c3d4e5"


def test_v2_scope_is_the_default_and_shares_the_registry_with_an_organization() -> None:
    stack = new_stack()
    policy = RegistryPolicy.of(stack)
    assert policy.policy_scope is RegistryPolicyScope.V2
    policy.add(RegistryAccess.organization_pull([ORG]))
    (resource,) = _policies(stack)
    assert resource["Properties"]["PolicyText"]["Statement"] == [
        {
            "Sid": "OrganizationPull",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": [
                "ecr:BatchCheckLayerAvailability",
                "ecr:BatchGetImage",
                "ecr:GetDownloadUrlForLayer",
            ],
            "Resource": {
                "Fn::Join": [
                    "",
                    ["arn:", {"Ref": "AWS::Partition"}, f":ecr:{REGION}:{ACCOUNT}:repository/*"],
                ]
            },
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG}},
        }
    ]
    assert_cfn_lint_clean(dict(cdk.assertions.Template.from_stack(stack).to_json()))
    assert RegistryPolicy.of(stack, policy_scope=RegistryPolicyScope.V2) is policy


def test_v1_scope_keeps_replication_and_refuses_pull_with_the_reason() -> None:
    stack = new_stack()
    policy = RegistryPolicy(stack, "Policy", policy_scope=RegistryPolicyScope.V1)
    policy.add(RegistryAccess.replication_from([SOURCE]))
    with pytest.raises(PolicyDocumentError) as raised:
        policy.add(RegistryAccess.organization_pull([ORG]))
    message = str(raised.value)
    assert message.startswith("Test/Policy grants[1].Action[0]: ECR rejects this action in a ")
    assert "scope V1, which honours only replication and pull-through cache actions" in message
    assert "ECR's default scope V2 (RegistryPolicyScope.V2) may allow any ECR action" in message
    assert [s["Sid"] for s in policy.document.statements] == ["ReplicationFrom"]  # type: ignore[union-attr]
    assert RegistryPolicy.of(stack) is policy


BAD_SCOPE = [
    pytest.param(
        lambda stack: RegistryPolicy(stack, "Policy", policy_scope="V2"),
        [
            "Test/Policy policy_scope: policy_scope must be a RegistryPolicyScope",
            "given 'V2'",
            "RegistryPolicyScope.V1",
        ],
        id="scope-as-string",
    ),
    pytest.param(
        lambda stack: (
            RegistryPolicy.of(stack),
            RegistryPolicy.of(stack, policy_scope=RegistryPolicyScope.V1),
        ),
        [
            "Test/RegistryPolicy policy_scope: this registry's policy was declared with another "
            "scope",
            "given 'V1'; allowed: V2",
        ],
        id="of-with-another-scope",
    ),
    pytest.param(
        lambda stack: (
            RegistryPolicy.of(stack),
            RegistryPolicy.of(stack, policy_scope="V1"),
        ),
        ["Test/RegistryPolicy policy_scope: policy_scope must be a RegistryPolicyScope"],
        id="of-with-a-string-scope",
    ),
]
test_bad_scope_is_refused = refusal_test(BAD_SCOPE, RegistryError)


def _too_long(stack: cdk.Stack) -> None:
    policy = RegistryPolicy.of(stack)
    accounts = [f"{n:012d}" for n in range(1, 400)]
    policy.add(RegistryAccess.replication_from(accounts))


def _refused_then_unchanged(stack: cdk.Stack) -> None:
    policy = RegistryPolicy.of(stack)
    policy.add(RegistryAccess.replication_from([SOURCE]))
    before = policy.document
    try:
        policy.add_statements({"Effect": "Allow", "Principal": {"AWS": SOURCE}, "Action": "x"})
    finally:
        assert policy.document is before


BAD_INPUT = [
    pytest.param(
        lambda stack: RegistryPolicy.of(stack, policy_scope=RegistryPolicyScope.V1).add_statements(
            {
                "Effect": "Allow",
                "Principal": {"AWS": SOURCE},
                "Action": "ecr:DeleteRepository",
                "Resource": "*",
            }
        ),
        [
            "Test/RegistryPolicy grants[0].Action",
            "rejects this action in a registry policy of scope V1",
            "'ecr:DeleteRepository'",
            "ecr:ReplicateImage",
        ],
        id="action-not-for-v1-registry",
    ),
    pytest.param(
        lambda stack: RegistryPolicy.of(stack).add_statements(
            {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "ecr:ReplicateImage"}
        ),
        ["Test/RegistryPolicy grants[0].Principal", "opens it to everyone", "aws:PrincipalOrgID"],
        id="star-principal",
    ),
    pytest.param(
        _too_long,
        ["Test/RegistryPolicy grants", "too long", "at most 10,240 characters"],
        id="too-long",
    ),
    pytest.param(
        lambda stack: RegistryPolicy.of(stack).add("replication"),  # type: ignore[arg-type]
        ["Test/RegistryPolicy grants[0]", "not an access grant", "given 'replication'"],
        id="not-a-grant",
    ),
    pytest.param(
        _refused_then_unchanged,
        ["Test/RegistryPolicy grants[1].Action"],
        id="refused-grant-leaves-policy-unchanged",
    ),
]


test_bad_input_is_refused_with_a_clear_message = refusal_test(BAD_INPUT, PolicyDocumentError)
