"""PublicRepository: catalog data, tags, policy, grants, region rules and bad input."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam

from ecr_constructs.errors import EcrConstructsError
from ecr_constructs.policy import PublicRepositoryAccess, RepositoryAccess
from ecr_constructs.public import Architecture, OperatingSystem, PublicRepository

from .gates import ACCOUNT, assert_cfn_lint_clean, cdk_nag_violations, new_stack, template_of

PUBLIC = "AWS::ECR::PublicRepository"
US_EAST_1 = "us-east-1"


@pytest.fixture(scope="module")
def built() -> dict[str, Any]:
    stack = new_stack(region=US_EAST_1)
    pusher = iam.Role(stack, "Pusher", assumed_by=iam.ServicePrincipal("codebuild.amazonaws.com"))
    full = PublicRepository(
        stack,
        "Full",
        repository_name="tools/cli",
        description="The command-line tool",
        about_text="# cli\n\nDoes things.",
        usage_text="`docker run public.ecr.aws/example/tools/cli`",
        operating_systems=[OperatingSystem.LINUX, "Windows"],
        architectures=[Architecture.X86_64, "ARM 64"],
        tags={"team": "platform"},
        registry_alias="example",
        access=[PublicRepositoryAccess.push(accounts=["987654321098"])],
        removal_policy=cdk.RemovalPolicy.DESTROY,
    )
    minimal = PublicRepository(stack, "Minimal", repository_name="minimal")
    minimal.add_access(PublicRepositoryAccess.push(accounts=["111111111111"]))
    full.grant_push(pusher)
    cdk.Validations.of(pusher.node.find_child("DefaultPolicy")).acknowledge(
        cdk.Acknowledgment(
            id="AwsSolutions-IAM5[Resource::*]",
            reason="ecr-public:GetAuthorizationToken and sts:GetServiceBearerToken have no "
            "resource-level permissions",
        )
    )
    template = template_of(stack)
    return {
        "stack": stack,
        "full": full,
        "minimal": minimal,
        "pusher": pusher,
        "template": template,
        "resources": template["Resources"],
    }


def _public_arn(name: str) -> dict[str, Any]:
    return {
        "Fn::Join": [
            "",
            ["arn:", {"Ref": "AWS::Partition"}, f":ecr-public::{ACCOUNT}:repository/{name}"],
        ]
    }


def _resource(built: dict[str, Any], name: str) -> dict[str, Any]:
    repo: PublicRepository = built[name]
    resource: dict[str, Any] = built["resources"][built["stack"].get_logical_id(repo.resource)]
    return resource


def test_every_prop_rendered(built: dict[str, Any]) -> None:
    full = _resource(built, "full")
    assert full["Type"] == PUBLIC
    assert full["Properties"] == {
        "RepositoryName": "tools/cli",
        "RepositoryCatalogData": {
            "RepositoryDescription": "The command-line tool",
            "AboutText": "# cli\n\nDoes things.",
            "UsageText": "`docker run public.ecr.aws/example/tools/cli`",
            "OperatingSystems": ["Linux", "Windows"],
            "Architectures": ["x86-64", "ARM 64"],
        },
        "RepositoryPolicyText": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "PublicPush",
                    "Effect": "Allow",
                    "Principal": {
                        "AWS": {
                            "Fn::Join": [
                                "",
                                ["arn:", {"Ref": "AWS::Partition"}, ":iam::987654321098:root"],
                            ]
                        }
                    },
                    "Action": [
                        "ecr-public:BatchCheckLayerAvailability",
                        "ecr-public:CompleteLayerUpload",
                        "ecr-public:InitiateLayerUpload",
                        "ecr-public:PutImage",
                        "ecr-public:UploadLayerPart",
                    ],
                }
            ],
        },
        "Tags": [{"Key": "team", "Value": "platform"}],
    }
    assert full["DeletionPolicy"] == "Delete"


def test_defaults_retain_name_tag_no_catalog(built: dict[str, Any]) -> None:
    minimal = _resource(built, "minimal")
    assert minimal["DeletionPolicy"] == "Retain"
    assert minimal["UpdateReplacePolicy"] == "Retain"
    assert minimal["Properties"]["Tags"] == [{"Key": "Name", "Value": "minimal"}]
    assert "RepositoryCatalogData" not in minimal["Properties"]
    statement = minimal["Properties"]["RepositoryPolicyText"]["Statement"]
    assert [s["Sid"] for s in statement] == ["PublicPush"]
    assert "111111111111" in str(statement[0]["Principal"])


def test_attributes(built: dict[str, Any]) -> None:
    full: PublicRepository = built["full"]
    assert full.repository_uri == "public.ecr.aws/example/tools/cli"
    assert full.repository_name == "tools/cli"
    assert built["stack"].resolve(full.repository_arn) == _public_arn("tools/cli")
    with pytest.raises(EcrConstructsError, match=r"Test/Minimal repository_uri: .*registry_alias="):
        _ = built["minimal"].repository_uri


def test_grant_push(built: dict[str, Any]) -> None:
    stack: cdk.Stack = built["stack"]
    policy_id = stack.get_logical_id(
        built["pusher"].node.find_child("DefaultPolicy").node.default_child
    )
    statements = built["resources"][policy_id]["Properties"]["PolicyDocument"]["Statement"]
    assert statements == [
        {
            "Action": [
                "ecr-public:BatchCheckLayerAvailability",
                "ecr-public:CompleteLayerUpload",
                "ecr-public:InitiateLayerUpload",
                "ecr-public:PutImage",
                "ecr-public:UploadLayerPart",
            ],
            "Effect": "Allow",
            "Resource": _public_arn("tools/cli"),
        },
        {
            "Action": ["ecr-public:GetAuthorizationToken", "sts:GetServiceBearerToken"],
            "Effect": "Allow",
            "Resource": "*",
        },
    ]


def test_gates(built: dict[str, Any]) -> None:
    assert_cfn_lint_clean(built["template"], US_EAST_1)
    assert cdk_nag_violations(built["stack"]) == []


def test_role_in_another_region_needs_no_cross_stack_reference() -> None:
    app = cdk.App()
    public_stack = cdk.Stack(app, "Public", env=cdk.Environment(account=ACCOUNT, region=US_EAST_1))
    ci_stack = cdk.Stack(app, "Ci", env=cdk.Environment(account=ACCOUNT, region="eu-west-1"))
    repo = PublicRepository(public_stack, "Repo", repository_name="tool")
    role = iam.Role(ci_stack, "Ci", assumed_by=iam.ServicePrincipal("codebuild.amazonaws.com"))
    repo.grant_push(role)
    public_template, ci_template = template_of(public_stack), template_of(ci_stack)
    assert "Outputs" not in public_template
    policy = next(r for r in ci_template["Resources"].values() if r["Type"] == "AWS::IAM::Policy")
    assert policy["Properties"]["PolicyDocument"]["Statement"][0]["Resource"] == _public_arn("tool")
    assert_cfn_lint_clean(public_template, US_EAST_1)
    assert_cfn_lint_clean(ci_template)


def test_stack_without_region_gets_a_deploy_time_region_rule() -> None:
    app = cdk.App()
    stack = cdk.Stack(app, "Agnostic")
    PublicRepository(stack, "One", repository_name="one")
    PublicRepository(stack, "Two", repository_name="two")
    template = template_of(stack)
    assert template["Rules"]["EcrPublicRegionRule"] == {
        "Assertions": [
            {
                "Assert": {"Fn::Equals": [{"Ref": "AWS::Region"}, US_EAST_1]},
                "AssertDescription": "ECR Public repositories exist only in us-east-1: deploy "
                "this stack to us-east-1",
            }
        ]
    }
    assert_cfn_lint_clean(template, US_EAST_1)


def test_stack_in_us_east_1_has_no_region_rule(built: dict[str, Any]) -> None:
    assert "EcrPublicRegionRule" not in built["template"].get("Rules", {})


def test_add_access_problem_leaves_the_policy_unchanged(built: dict[str, Any]) -> None:
    stack = new_stack(region=US_EAST_1)
    repo = PublicRepository(stack, "Repo", repository_name="repo")
    with pytest.raises(EcrConstructsError, match=r"^Test/Repo access\[0\]"):
        repo.add_access(RepositoryAccess.pull(accounts=[ACCOUNT]))
    assert (
        "RepositoryPolicyText"
        not in template_of(stack)["Resources"][stack.get_logical_id(repo.resource)]["Properties"]
    )


# --- bad input ----------------------------------------------------------------------------------

NAME = {"repository_name": "app"}
BAD_INPUT: list[tuple[str, dict[str, Any], str]] = [
    (
        "name-short",
        {"repository_name": "a"},
        "repository_name: public repository name must be 2 to 205",
    ),
    ("name-long", {"repository_name": "a" * 206}, "allowed: 2..205 characters"),
    ("name-invalid", {"repository_name": "My-App"}, "public repository name is not valid"),
    (
        "description-long",
        {**NAME, "description": "d" * 1025},
        "description: text is too long for the repository catalog "
        "(given '1025 characters'; allowed: at most 1024",
    ),
    ("about-long", {**NAME, "about_text": "a" * 10241}, "about_text: text is too long"),
    ("usage-long", {**NAME, "usage_text": "u" * 10241}, "allowed: at most 10240 characters"),
    ("usage-not-text", {**NAME, "usage_text": 42}, "usage_text: must be text"),
    (
        "architecture-unknown",
        {**NAME, "architectures": ["arm64"]},
        "architectures[0]: not an Architecture the ECR Public Gallery knows "
        "(given 'arm64'; allowed: 'ARM', 'ARM 64', 'x86', 'x86-64')",
    ),
    (
        "architecture-twice",
        {**NAME, "architectures": ["x86", Architecture.X86]},
        "architectures[1]: listed twice",
    ),
    ("architectures-string", {**NAME, "architectures": "x86"}, "architectures: must be a list"),
    (
        "os-unknown",
        {**NAME, "operating_systems": ["linux"]},
        "operating_systems[0]: not an OperatingSystem",
    ),
    (
        "tags-empty",
        {**NAME, "tags": {}},
        "tags: a public repository needs at least one tag (Security Hub control ECR.4)",
    ),
    ("tag-key-aws", {**NAME, "tags": {"aws:owner": "x"}}, "not a valid tag key (given 'aws:owner'"),
    ("tag-value-empty", {**NAME, "tags": {"team": ""}}, "tags['team']: not a valid tag value"),
    (
        "too-many-tags",
        {**NAME, "tags": {f"k{i}": "v" for i in range(51)}},
        "given '51 tags'; allowed: at most 50",
    ),
    (
        "alias-invalid",
        {**NAME, "registry_alias": "1abc"},
        "registry_alias: not a valid ECR Public registry alias",
    ),
    (
        "removal-snapshot",
        {**NAME, "removal_policy": cdk.RemovalPolicy.SNAPSHOT},
        "removal_policy: a public repository cannot be snapshotted",
    ),
    (
        "private-access",
        {**NAME, "access": [RepositoryAccess.pull(accounts=["987654321098"])]},
        "access[0]",
    ),
]


@pytest.mark.parametrize(
    ("props", "fragment"), [pytest.param(p, m, id=name) for name, p, m in BAD_INPUT]
)
def test_bad_input(props: dict[str, Any], fragment: str) -> None:
    stack = new_stack(region=US_EAST_1)
    with pytest.raises(EcrConstructsError) as raised:
        PublicRepository(stack, "Public", **props)
    message = str(raised.value)
    assert fragment in message
    assert message.startswith("Test/Public ") and "allowed" in message
    assert stack.node.try_find_child("Public") is None


def test_refuses_a_stack_outside_us_east_1() -> None:
    stack = new_stack(region="eu-west-1")
    with pytest.raises(EcrConstructsError) as raised:
        PublicRepository(stack, "Public", repository_name="app")
    assert str(raised.value) == (
        "Test/Public region: ECR Public exists only in us-east-1; put public repositories in a "
        "stack whose env region is us-east-1 (given 'eu-west-1'; allowed: us-east-1)"
    )
