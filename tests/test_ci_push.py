"""GitHubActionsPushRole: trust, permissions, the OIDC provider, gates and bad input."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template

from ecr_constructs.ci import GitHubActionsPushRole
from ecr_constructs.public import PublicRepository

from .gates import (
    ACCOUNT,
    PUBLIC_PUSH_ACTIONS,
    assert_cfn_lint_clean,
    assert_construct_refused,
    cdk_nag_violations,
    new_stack,
    template_of,
)

HOST = "token.actions.githubusercontent.com"
PROVIDER_ARN = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{HOST}"
PRIVATE_PUSH = [
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:CompleteLayerUpload",
    "ecr:InitiateLayerUpload",
    "ecr:PutImage",
    "ecr:UploadLayerPart",
]


def _arn(name: str, region: str = "us-east-1") -> dict[str, Any]:
    return {
        "Fn::Join": [
            "",
            ["arn:", {"Ref": "AWS::Partition"}, f":ecr:{region}:{ACCOUNT}:repository/{name}"],
        ]
    }


@pytest.fixture(scope="module")
def built() -> dict[str, Any]:
    stack = new_stack(region="us-east-1")
    private = ecr.Repository(stack, "Private", repository_name="service")
    public = PublicRepository(stack, "Public", repository_name="tool")
    roles = {
        "default": GitHubActionsPushRole(
            stack, "Default", repository="octo-org/octo-repo", repositories=["team-a/app"]
        ),
        "full": GitHubActionsPushRole(
            stack,
            "Full",
            repository="octo-org/tool",
            branches=["main", "release/*"],
            git_tags=["v*"],
            environments=["production"],
            repositories=[private, "team-a/app", "team-a/app"],
            public_repositories=[public],
            oidc_provider=PROVIDER_ARN,
            role_name="tool-ci",
            max_session_duration=cdk.Duration.hours(2),
        ),
        "environment": GitHubActionsPushRole(
            stack,
            "Env",
            repository="octo-org/site",
            environments=["staging"],
            public_repositories=[public],
            oidc_provider=GitHubActionsPushRole.existing_provider(stack),
        ),
    }
    template = template_of(stack)
    return {
        "stack": stack,
        "roles": roles,
        "private": private,
        "public": public,
        "template": template,
    }


def _role(built: dict[str, Any], name: str) -> dict[str, Any]:
    role: GitHubActionsPushRole = built["roles"][name]
    properties: dict[str, Any] = built["template"]["Resources"][
        built["stack"].get_logical_id(role.role.node.default_child)
    ]["Properties"]
    return properties


def test_defaults_main_branch_new_provider_one_hour(built: dict[str, Any]) -> None:
    stack: cdk.Stack = built["stack"]
    default: GitHubActionsPushRole = built["roles"]["default"]
    provider = default.node.find_child("OidcProvider")
    provider_id = stack.get_logical_id(provider.node.default_child)
    assert built["template"]["Resources"][provider_id] == {
        "Type": "AWS::IAM::OIDCProvider",
        "Properties": {"ClientIdList": ["sts.amazonaws.com"], "Url": f"https://{HOST}"},
    }
    role = _role(built, "default")
    assert role["AssumeRolePolicyDocument"]["Statement"] == [
        {
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
                "StringEquals": {f"{HOST}:aud": "sts.amazonaws.com"},
                "StringLike": {f"{HOST}:sub": ["repo:octo-org/octo-repo:ref:refs/heads/main"]},
            },
            "Effect": "Allow",
            "Principal": {"Federated": {"Ref": provider_id}},
        }
    ]
    assert role["MaxSessionDuration"] == 3600
    assert "RoleName" not in role
    assert role["Description"] == "GitHub Actions in octo-org/octo-repo push images to ECR"
    assert role["Policies"] == [
        {
            "PolicyName": "EcrPush",
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {"Action": PRIVATE_PUSH, "Effect": "Allow", "Resource": _arn("team-a/app")},
                    {"Action": "ecr:GetAuthorizationToken", "Effect": "Allow", "Resource": "*"},
                ],
            },
        }
    ]
    assert default.subjects == ("repo:octo-org/octo-repo:ref:refs/heads/main",)
    assert stack.resolve(default.oidc_provider_arn) == {"Ref": provider_id}


def test_every_prop(built: dict[str, Any]) -> None:
    stack: cdk.Stack = built["stack"]
    full: GitHubActionsPushRole = built["roles"]["full"]
    assert full.node.try_find_child("OidcProvider") is None
    role = _role(built, "full")
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Federated": PROVIDER_ARN}
    assert trust["Condition"]["StringLike"][f"{HOST}:sub"] == [
        "repo:octo-org/tool:ref:refs/heads/main",
        "repo:octo-org/tool:ref:refs/heads/release/*",
        "repo:octo-org/tool:ref:refs/tags/v*",
        "repo:octo-org/tool:environment:production",
    ]
    assert role["RoleName"] == "tool-ci"
    assert role["MaxSessionDuration"] == 7200
    private_id = stack.get_logical_id(built["private"].node.default_child)
    assert role["Policies"][0]["PolicyDocument"]["Statement"] == [
        {
            "Action": PRIVATE_PUSH,
            "Effect": "Allow",
            "Resource": [{"Fn::GetAtt": [private_id, "Arn"]}, _arn("team-a/app")],
        },
        {
            "Action": PUBLIC_PUSH_ACTIONS,
            "Effect": "Allow",
            "Resource": {
                "Fn::Join": [
                    "",
                    ["arn:", {"Ref": "AWS::Partition"}, f":ecr-public::{ACCOUNT}:repository/tool"],
                ]
            },
        },
        {
            "Action": [
                "ecr:GetAuthorizationToken",
                "ecr-public:GetAuthorizationToken",
                "sts:GetServiceBearerToken",
            ],
            "Effect": "Allow",
            "Resource": "*",
        },
    ]


def test_environment_only_and_existing_provider(built: dict[str, Any]) -> None:
    role = _role(built, "environment")
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Condition"]["StringLike"] == {
        f"{HOST}:sub": ["repo:octo-org/site:environment:staging"]
    }
    assert trust["Principal"]["Federated"] == {
        "Fn::Join": [
            "",
            ["arn:", {"Ref": "AWS::Partition"}, f":iam::{ACCOUNT}:oidc-provider/{HOST}"],
        ]
    }
    statements = role["Policies"][0]["PolicyDocument"]["Statement"]
    assert statements[-1]["Action"] == [
        "ecr-public:GetAuthorizationToken",
        "sts:GetServiceBearerToken",
    ]
    assert len(Template.from_json(built["template"]).find_resources("AWS::IAM::OIDCProvider")) == 1


def test_git_tags_alone_trust_no_branch() -> None:
    stack = new_stack()
    push = GitHubActionsPushRole(
        stack, "Ci", repository="o/r", git_tags=["v*"], repositories=["app"]
    )
    assert push.subjects == ("repo:o/r:ref:refs/tags/v*",)


def test_gates(built: dict[str, Any]) -> None:
    assert_cfn_lint_clean(built["template"], "us-east-1")
    assert cdk_nag_violations(built["stack"]) == []


def test_acknowledgement_covers_only_the_role_own_policy() -> None:
    stack = new_stack()
    push = GitHubActionsPushRole(stack, "Ci", repository="o/r", repositories=["app"])
    assert cdk_nag_violations(stack) == []
    push.role.add_to_principal_policy(
        iam.PolicyStatement(actions=["s3:GetObject"], resources=["*"])
    )
    assert cdk_nag_violations(stack) == [
        "AwsSolutions-IAM5[Resource::*]: ['Test/Ci/Role/DefaultPolicy/Resource']"
    ]


# --- bad input ----------------------------------------------------------------------------------

OK: dict[str, Any] = {"repository": "o/r", "repositories": ["app"]}
BAD_INPUT: list[tuple[str, dict[str, Any], str]] = [
    (
        "repo-no-slash",
        {**OK, "repository": "octo"},
        "repository: not a GitHub repository (given 'octo'",
    ),
    ("repo-owner-dash", {**OK, "repository": "-octo/app"}, "OWNER/REPO"),
    ("repo-nested", {**OK, "repository": "o/r/x"}, "given 'o/r/x'"),
    ("repo-dots", {**OK, "repository": "o/.."}, "repository: not a GitHub repository"),
    ("repo-wildcard", {**OK, "repository": "o/*"}, "given 'o/*'"),
    ("branch-star", {**OK, "branches": ["*"]}, "branches[0]: '*' would trust every branch or tag"),
    (
        "branch-ref",
        {**OK, "branches": ["refs/heads/main"]},
        "branches[0]: give the branch or tag name, not the ref",
    ),
    ("tag-ref", {**OK, "git_tags": ["refs/tags/v1"]}, "(given 'refs/tags/v1'; allowed: v1)"),
    ("tag-star", {**OK, "git_tags": ["*"]}, "git_tags[0]: '*' would trust every branch or tag"),
    ("tags-string", {**OK, "git_tags": "v*"}, "git_tags: must be a list (given 'v*'"),
    (
        "branch-dotdot",
        {**OK, "branches": ["main", "a..b"]},
        "branches[1]: not a valid git branch or tag name",
    ),
    ("branch-space", {**OK, "branches": ["my branch"]}, "given 'my branch'"),
    ("branch-lock", {**OK, "branches": ["x.lock"]}, "not a valid git branch or tag name"),
    ("branch-colon", {**OK, "branches": ["a:b"]}, "not a valid git branch or tag name"),
    ("branches-string", {**OK, "branches": "main"}, "branches: must be a list"),
    (
        "environment-colon",
        {**OK, "environments": ["prod:eu"]},
        "environments[0]: not a valid GitHub environment name",
    ),
    ("environment-wildcard", {**OK, "environments": ["*"]}, "environments[0]"),
    (
        "no-subjects",
        {**OK, "branches": [], "git_tags": [], "environments": []},
        "branches: the role would trust no workflow",
    ),
    (
        "no-repositories",
        {"repository": "o/r"},
        "repositories: the role would push to no repository",
    ),
    (
        "repositories-string",
        {"repository": "o/r", "repositories": "app"},
        "repositories: must be a list",
    ),
    (
        "repository-name-bad",
        {"repository": "o/r", "repositories": ["App"]},
        "repositories[0]: repository name is not valid",
    ),
    (
        "public-not-construct",
        {"repository": "o/r", "public_repositories": ["tool"]},
        "public_repositories[0]: not a PublicRepository",
    ),
    (
        "provider-arn-other",
        {**OK, "oidc_provider": f"arn:aws:iam::{ACCOUNT}:oidc-provider/example.com"},
        "oidc_provider: not the ARN of GitHub's OIDC provider",
    ),
]


@pytest.mark.parametrize(
    ("props", "fragment"), [pytest.param(p, m, id=name) for name, p, m in BAD_INPUT]
)
def test_bad_input(props: dict[str, Any], fragment: str) -> None:
    assert_construct_refused(GitHubActionsPushRole, props, fragment, construct_id="Ci")
