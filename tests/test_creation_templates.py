"""RepositoryCreationTemplate: every prop rendered, the role ECR assumes, and bad input."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from hypothesis import given, settings
from hypothesis import strategies as st

from ecr_constructs.lifecycle import Lifecycle, LifecyclePolicy
from ecr_constructs.naming import REPOSITORY_NAMESPACE_PATTERN
from ecr_constructs.policy import RepositoryAccess, RepositoryPolicyDocument
from ecr_constructs.registry import AppliedFor, RepositoryCreationTemplate
from tests.gates import (
    ACCOUNT,
    REGION,
    assert_cfn_lint_clean,
    cdk_nag_violations,
    new_stack,
    refusal_test,
    template_of,
)

TEMPLATE_TYPE = "AWS::ECR::RepositoryCreationTemplate"


def _arn(suffix: str) -> dict[str, Any]:
    return {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, suffix]]}


class Built:
    def __init__(self) -> None:
        stack = new_stack()
        self.stack = stack
        self.key = kms.Key(stack, "Key", enable_key_rotation=True)
        self.minimal = RepositoryCreationTemplate(
            stack,
            "OnPush",
            prefix="ROOT",
            applied_for=[AppliedFor.CREATE_ON_PUSH],
            encryption=ecr.RepositoryEncryption.AES_256,
        )
        self.full = RepositoryCreationTemplate(
            stack,
            "Prod",
            prefix="prod",
            applied_for=[AppliedFor.REPLICATION, AppliedFor.CREATE_ON_PUSH],
            description="Production replicas",
            image_tag_mutability=ecr.TagMutability.IMMUTABLE_WITH_EXCLUSION,
            image_tag_mutability_exclusions=["latest", "prod-*"],
            encryption_key=self.key,
            lifecycle=[
                Lifecycle.protect_tags(prefixes=["release"]),
                Lifecycle.expire_untagged(after_days=1),
            ],
            access=[RepositoryAccess.pull(accounts=["210987654321"])],
            resource_tags={"team": "platform", "env": "prod"},
        )
        self.managed_key = RepositoryCreationTemplate(
            stack, "Team", prefix="team-a/", applied_for=["PULL_THROUGH_CACHE"]
        )
        self.given_role = iam.Role(
            stack, "GivenRole", assumed_by=iam.ServicePrincipal("ecr.amazonaws.com")
        )
        self.own_role = RepositoryCreationTemplate(
            stack,
            "OwnRole",
            prefix="shared",
            applied_for=[AppliedFor.REPLICATION],
            custom_role=self.given_role,
        )
        self.template = template_of(stack)

    def props(self, construct: RepositoryCreationTemplate) -> dict[str, Any]:
        logical_id = self.stack.get_logical_id(construct.resource)
        resource = self.template["Resources"][logical_id]
        assert resource["Type"] == TEMPLATE_TYPE
        props: dict[str, Any] = resource["Properties"]
        return props

    def role_statements(self, construct: RepositoryCreationTemplate) -> list[dict[str, Any]]:
        role_id = self.props(construct)["CustomRoleArn"]["Fn::GetAtt"][0]
        role = self.template["Resources"][role_id]["Properties"]
        assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
            "Service": "ecr.amazonaws.com"
        }
        statements: list[dict[str, Any]] = role["Policies"][0]["PolicyDocument"]["Statement"]
        return statements


@pytest.fixture(scope="module")
def built() -> Built:
    return Built()


def test_defaults_without_kms_or_tags_need_no_role(built: Built) -> None:
    assert built.props(built.minimal) == {
        "Prefix": "ROOT",
        "AppliedFor": ["CREATE_ON_PUSH"],
        "ImageTagMutability": "IMMUTABLE",
        "EncryptionConfiguration": {"EncryptionType": "AES256"},
        "LifecyclePolicy": LifecyclePolicy.from_presets(Lifecycle.DEFAULT).to_json(),
    }
    assert built.minimal.role is None


def test_every_prop_is_rendered(built: Built) -> None:
    props = built.props(built.full)
    key_arn = {"Fn::GetAtt": [built.stack.get_logical_id(built.key.node.default_child), "Arn"]}  # type: ignore[arg-type]
    assert props["Prefix"] == "prod"
    assert props["AppliedFor"] == ["REPLICATION", "CREATE_ON_PUSH"]
    assert props["Description"] == "Production replicas"
    assert props["ImageTagMutability"] == "IMMUTABLE_WITH_EXCLUSION"
    assert [
        f["ImageTagMutabilityExclusionFilterValue"]
        for f in props["ImageTagMutabilityExclusionFilters"]
    ] == ["latest", "prod-*"]
    assert props["EncryptionConfiguration"] == {"EncryptionType": "KMS", "KmsKey": key_arn}
    assert props["ResourceTags"] == [  # sorted by key, as on repositories
        {"Key": "env", "Value": "prod"},
        {"Key": "team", "Value": "platform"},
    ]
    lifecycle = json.loads(props["LifecyclePolicy"])
    assert [r["selection"]["tagStatus"] for r in lifecycle["rules"]] == ["tagged", "untagged"]


def test_repository_policy_comes_from_the_document_layer(built: Built) -> None:
    policy = built.props(built.full)["RepositoryPolicy"]
    expected = RepositoryPolicyDocument([RepositoryAccess.pull(accounts=["210987654321"])])
    before, after = expected.to_json().split("arn:aws:iam")
    assert policy == {
        "Fn::Join": ["", [f"{before}arn:", {"Ref": "AWS::Partition"}, f":iam{after}"]]
    }


def test_role_for_a_customer_key_and_tags(built: Built) -> None:
    (create,) = built.role_statements(built.full)
    assert create["Action"] == ["ecr:CreateRepository", "ecr:ReplicateImage", "ecr:TagResource"]
    assert create["Resource"] == _arn(f":ecr:{REGION}:{ACCOUNT}:repository/prod/*")
    # The key is granted through the key's own grant (key ARN only), before the template.
    key_policies = [
        (logical_id, r)
        for logical_id, r in built.template["Resources"].items()
        if r["Type"] == "AWS::IAM::Policy" and logical_id.startswith("ProdRole")
    ]
    ((policy_id, key_policy),) = key_policies
    (statement,) = key_policy["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Action"] == ["kms:CreateGrant", "kms:RetireGrant", "kms:DescribeKey"]
    assert statement["Resource"]["Fn::GetAtt"][1] == "Arn"
    logical_id = built.stack.get_logical_id(built.full.resource)
    assert built.template["Resources"][logical_id]["DependsOn"] == [policy_id]


def test_role_for_the_aws_managed_key(built: Built) -> None:
    props = built.props(built.managed_key)
    assert props["Prefix"] == "team-a/"
    assert props["EncryptionConfiguration"] == {"EncryptionType": "KMS"}
    create, key = built.role_statements(built.managed_key)
    assert create["Action"] == "ecr:CreateRepository"  # no replication, no tags
    assert create["Resource"] == _arn(f":ecr:{REGION}:{ACCOUNT}:repository/team-a/*")
    assert key["Resource"] == _arn(f":kms:{REGION}:{ACCOUNT}:key/*")


def test_a_given_role_is_used_as_is(built: Built) -> None:
    role_id = built.stack.get_logical_id(built.given_role.node.default_child)  # type: ignore[arg-type]
    assert built.props(built.own_role)["CustomRoleArn"] == {"Fn::GetAtt": [role_id, "Arn"]}
    assert built.own_role.role is built.given_role


def test_template_passes_cfn_lint(built: Built) -> None:
    assert_cfn_lint_clean(built.template)


def test_roles_pass_cdk_nag_with_justified_acknowledgements(built: Built) -> None:
    assert cdk_nag_violations(built.stack) == []


# cfn-lint's own schema pattern for Prefix: our check accepts exactly what it accepts.
_CFN_PREFIX = re.compile(
    r"^([a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*\/?|ROOT)$"
)


@settings(max_examples=50, deadline=None)
@given(
    st.one_of(
        st.from_regex(_CFN_PREFIX, fullmatch=True),
        st.text(alphabet="ab1._-/AZ", min_size=1, max_size=12),
    )
)
def test_prefix_pattern_matches_cloudformation(prefix: str) -> None:
    ours = prefix == "ROOT" or REPOSITORY_NAMESPACE_PATTERN.fullmatch(prefix) is not None
    assert ours == (_CFN_PREFIX.fullmatch(prefix) is not None)


def _tmpl(**kwargs: Any) -> Callable[[cdk.Stack], object]:
    def build(stack: cdk.Stack) -> object:
        props: dict[str, Any] = {"prefix": "team", "applied_for": [AppliedFor.REPLICATION]}
        props.update(kwargs)
        return RepositoryCreationTemplate(stack, "Tmpl", **props)

    return build


def _duplicate(stack: cdk.Stack) -> None:
    RepositoryCreationTemplate(stack, "First", prefix="team", applied_for=["REPLICATION"])
    RepositoryCreationTemplate(stack, "Tmpl", prefix="team/", applied_for=["CREATE_ON_PUSH"])


def _aes_with_key(stack: cdk.Stack) -> None:
    key = kms.Key(stack, "K", enable_key_rotation=True)
    _tmpl(encryption=ecr.RepositoryEncryption.AES_256, encryption_key=key)(stack)


def _role_with_a_path(stack: cdk.Stack) -> None:
    arn = "arn:aws:iam::123456789012:role/team/ecr-create"
    _tmpl(custom_role=iam.Role.from_role_arn(stack, "Role", arn, mutable=False))(stack)


BAD_INPUT = [
    pytest.param(
        _role_with_a_path,
        ["Test/Tmpl custom_role", "not an IAM role ARN without a path", "ECR takes no path"],
        id="role-with-a-path",
    ),
    pytest.param(
        _tmpl(prefix=""),
        ["Test/Tmpl prefix", "1 to 256 characters", "given ''", "1..256 characters, or ROOT"],
        id="empty-prefix",
    ),
    pytest.param(
        _tmpl(prefix="Team"),
        ["Test/Tmpl prefix", "not a valid repository namespace", "'Team'"],
        id="uppercase-prefix",
    ),
    pytest.param(
        _tmpl(prefix="team//a"),
        ["Test/Tmpl prefix", "not a valid repository namespace", "'team//a'"],
        id="double-slash",
    ),
    pytest.param(
        _duplicate,
        ["Test/Tmpl", "prefix 'team' is already used by Test/First", "one repository creation"],
        id="duplicate-prefix",
    ),
    pytest.param(
        _tmpl(applied_for=[]),
        ["Test/Tmpl applied_for", "a list of AppliedFor values", "given []", "PULL_THROUGH_CACHE"],
        id="applied-for-empty",
    ),
    pytest.param(
        _tmpl(applied_for=["PUSH"]),
        ["Test/Tmpl applied_for", "not an AppliedFor value", "given 'PUSH'", "CREATE_ON_PUSH"],
        id="applied-for-unknown",
    ),
    pytest.param(
        _tmpl(applied_for=[AppliedFor.REPLICATION, AppliedFor.REPLICATION]),
        ["Test/Tmpl applied_for", "lists a value twice", "given ['REPLICATION', 'REPLICATION']"],
        id="applied-for-twice",
    ),
    pytest.param(
        _tmpl(applied_for="REPLICATION"),
        ["Test/Tmpl applied_for", "given 'REPLICATION'"],
        id="applied-for-string",
    ),
    pytest.param(
        _tmpl(description="x" * 257),
        ["Test/Tmpl description", "at most 256", "given '257 characters'"],
        id="description-too-long",
    ),
    pytest.param(
        _tmpl(image_tag_mutability=ecr.TagMutability.MUTABLE_WITH_EXCLUSION),
        ["Test/Tmpl image_tag_mutability_exclusions", "needs 1 to 5", "given []"],
        id="mode-without-exclusions",
    ),
    pytest.param(
        _tmpl(
            image_tag_mutability=ecr.TagMutability.IMMUTABLE_WITH_EXCLUSION,
            image_tag_mutability_exclusions=["a", "b", "c", "d", "e", "f"],
        ),
        ["Test/Tmpl image_tag_mutability_exclusions", "too many exclusion filters", "1..5 filters"],
        id="too-many-exclusions",
    ),
    pytest.param(
        _tmpl(
            image_tag_mutability=ecr.TagMutability.IMMUTABLE_WITH_EXCLUSION,
            image_tag_mutability_exclusions=["dev/*"],
        ),
        ["Test/Tmpl image_tag_mutability_exclusions[0]", "not a valid tag mutability", "'dev/*'"],
        id="bad-exclusion",
    ),
    pytest.param(
        _tmpl(image_tag_mutability="MUTABLE", image_tag_mutability_exclusions=["latest"]),
        ["Test/Tmpl image_tag_mutability_exclusions", "only apply with", "'MUTABLE with 1"],
        id="exclusions-without-mode",
    ),
    pytest.param(
        _tmpl(image_tag_mutability="SOMETIMES"),
        ["Test/Tmpl image_tag_mutability", "not a valid tag_mutability", "'SOMETIMES'"],
        id="bad-mode",
    ),
    pytest.param(
        _aes_with_key,
        ["Test/Tmpl encryption_key", "needs KMS encryption", "encryption AES256"],
        id="aes-with-key",
    ),
    pytest.param(
        _tmpl(resource_tags={f"k{n}": "v" for n in range(51)}),
        ["Test/Tmpl resource_tags", "too many tags", "given '51 tags'", "at most 50"],
        id="too-many-tags",
    ),
    pytest.param(
        _tmpl(resource_tags={"": "v"}),
        ['Test/Tmpl resource_tags[""]', "1 to 127 characters"],
        id="empty-tag-key",
    ),
    pytest.param(
        _tmpl(lifecycle="expire everything"),
        ["Test/Tmpl lifecycle", "list of Lifecycle presets", "'expire everything'"],
        id="lifecycle-as-string",
    ),
    pytest.param(
        _tmpl(lifecycle=[Lifecycle.keep_last(5), Lifecycle.keep_last(3)]),
        ["Test/Tmpl lifecycle[", "keep_last"],
        id="lifecycle-conflict",
    ),
    pytest.param(
        _tmpl(access=[RepositoryAccess.custom({"Effect": "Allow", "Action": "ecr:*"})]),
        ["Test/Tmpl access[0].Principal"],
        id="access-without-principal",
    ),
]


test_bad_input_is_refused_with_a_clear_message = refusal_test(BAD_INPUT)
