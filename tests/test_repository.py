"""The Repository construct: every prop and default, through the synthesized template."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk.assertions import Match, Template

from ecr_constructs import (
    EcrConstructsError,
    Lifecycle,
    LifecyclePolicy,
    Repository,
    RepositoryAccess,
    TagMutabilityExclusions,
)

from .gates import ACCOUNT, REGION, assert_cfn_lint_clean, new_stack, template_of

REPOSITORY = "AWS::ECR::Repository"


@pytest.fixture(scope="module")
def built() -> dict[str, Any]:
    stack = new_stack()
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    role = iam.Role(stack, "Puller", assumed_by=iam.ServicePrincipal("ecs-tasks.amazonaws.com"))
    pusher = iam.Role(stack, "Pusher", assumed_by=iam.ServicePrincipal("codebuild.amazonaws.com"))
    repos = {
        "default": Repository(stack, "Plain"),
        "named": Repository(
            stack,
            "Named",
            repository_name="team-a/service-x",
            lifecycle=[
                Lifecycle.protect_tags(prefixes=["prod", "release"]),
                Lifecycle.expire_untagged(after_days=1),
                Lifecycle.expire_tagged(prefixes=["dev", "feature"], after_days=7),
                Lifecycle.keep_last(10),
            ],
            access=[
                RepositoryAccess.pull(accounts=["987654321098"]),
                RepositoryAccess.lambda_pull(accounts=[ACCOUNT]),
            ],
            tags={"team": "a", "cost-centre": "42"},
        ),
        "moving": Repository(
            stack,
            "Moving",
            repository_name="moving",
            image_tag_mutability_exclusions=TagMutabilityExclusions.ENVIRONMENT,
        ),
        "mutable": Repository(
            stack,
            "Mutable",
            repository_name="mutable",
            image_tag_mutability=ecr.TagMutability.MUTABLE,
            image_scan_on_push=False,
            encryption=ecr.RepositoryEncryption.AES_256,
            removal_policy=cdk.RemovalPolicy.DESTROY,
            empty_on_delete=True,
        ),
        "cmk": Repository(stack, "Cmk", repository_name="cmk", encryption_key=key),
        "policy": Repository(
            stack,
            "FromPolicy",
            repository_name="from-policy",
            lifecycle=LifecyclePolicy.from_presets([Lifecycle.keep_last(5)]),
        ),
    }
    repos["named"].grant_pull(role)
    repos["named"].grant_push(pusher)
    repos["default"].add_access(RepositoryAccess.pull(accounts=["111111111111"]))
    return {"stack": stack, "repos": repos, "template": template_of(stack)}


def resource(built: dict[str, Any], construct_id: str) -> dict[str, Any]:
    template = built["template"]
    for logical_id, body in template["Resources"].items():
        if body["Type"] == REPOSITORY and logical_id.startswith(construct_id):
            return dict(body)
    raise AssertionError(f"no repository {construct_id}")


def test_secure_defaults(built: dict[str, Any]) -> None:
    body = resource(built, "Plain")
    props = body["Properties"]
    assert props["ImageTagMutability"] == "IMMUTABLE"
    assert props["ImageScanningConfiguration"] == {"ScanOnPush": True}
    assert props["EncryptionConfiguration"] == {"EncryptionType": "KMS"}
    assert body["DeletionPolicy"] == "Retain"
    assert body["UpdateReplacePolicy"] == "Retain"
    assert "EmptyOnDelete" not in props
    assert "RepositoryName" not in props
    default_policy = LifecyclePolicy.from_presets(Lifecycle.DEFAULT)
    assert props["LifecyclePolicy"] == {"LifecyclePolicyText": default_policy.to_json()}


def test_default_lifecycle_deletes_nothing() -> None:
    policy = LifecyclePolicy.from_presets(Lifecycle.DEFAULT)
    assert all(rule.action_type.value != "expire" for rule in policy.rules)


def test_logical_id_matches_aws_ecr_repository(built: dict[str, Any]) -> None:
    other = new_stack()
    ecr.Repository(other, "Plain")
    (plain_id,) = Template.from_stack(other).find_resources(REPOSITORY)
    assert plain_id in built["template"]["Resources"]


def test_lifecycle_presets_render_in_order(built: dict[str, Any]) -> None:
    text = resource(built, "Named")["Properties"]["LifecyclePolicy"]["LifecyclePolicyText"]
    rules = json.loads(text)["rules"]
    selections = [
        (r["selection"]["tagStatus"], tuple(r["selection"].get("tagPrefixList", ())))
        for r in sorted(rules, key=lambda r: r["rulePriority"])
    ]
    assert selections == [
        ("tagged", ("prod",)),
        ("tagged", ("release",)),
        ("untagged", ()),
        ("tagged", ("dev",)),
        ("tagged", ("feature",)),
        ("any", ()),
    ]
    assert built["repos"]["named"].lifecycle_policy == LifecyclePolicy.from_json(text)


def test_lifecycle_policy_object(built: dict[str, Any]) -> None:
    text = resource(built, "FromPolicy")["Properties"]["LifecyclePolicy"]["LifecyclePolicyText"]
    assert text == LifecyclePolicy.from_presets([Lifecycle.keep_last(5)]).to_json()


def test_access_renders_repository_policy(built: dict[str, Any]) -> None:
    policy = resource(built, "Named")["Properties"]["RepositoryPolicyText"]
    statements = policy["Statement"]
    assert all("Resource" not in s for s in statements)
    text = json.dumps(statements)
    assert "987654321098" in text
    assert "lambda.amazonaws.com" in text
    assert "aws:sourceArn" in text


def test_add_access_after_construction(built: dict[str, Any]) -> None:
    policy = resource(built, "Plain")["Properties"]["RepositoryPolicyText"]
    assert "111111111111" in json.dumps(policy)


def test_name_and_tags(built: dict[str, Any]) -> None:
    props = resource(built, "Named")["Properties"]
    assert props["RepositoryName"] == "team-a/service-x"
    assert props["Tags"] == [
        {"Key": "cost-centre", "Value": "42"},
        {"Key": "team", "Value": "a"},
    ]


def test_stack_tags_reach_the_repository() -> None:
    stack = new_stack()
    Repository(stack, "Tagged", repository_name="tagged")
    cdk.Tags.of(stack).add("owner", "platform")
    Template.from_stack(stack).has_resource_properties(
        REPOSITORY, {"Tags": Match.array_with([{"Key": "owner", "Value": "platform"}])}
    )


def test_mutability_exclusions(built: dict[str, Any]) -> None:
    props = resource(built, "Moving")["Properties"]
    assert props["ImageTagMutability"] == "IMMUTABLE_WITH_EXCLUSION"
    assert [
        f["ImageTagMutabilityExclusionFilterValue"]
        for f in props["ImageTagMutabilityExclusionFilters"]
    ] == list(TagMutabilityExclusions.ENVIRONMENT)
    assert {
        f["ImageTagMutabilityExclusionFilterType"]
        for f in props["ImageTagMutabilityExclusionFilters"]
    } == {"WILDCARD"}
    assert "latest" in TagMutabilityExclusions.ENVIRONMENT
    assert "prod" in TagMutabilityExclusions.ENVIRONMENT


def test_every_default_overridden(built: dict[str, Any]) -> None:
    body = resource(built, "Mutable")
    props = body["Properties"]
    assert props["ImageTagMutability"] == "MUTABLE"
    assert props["ImageScanningConfiguration"] == {"ScanOnPush": False}
    assert "EncryptionConfiguration" not in props  # AES256, as aws_ecr.Repository renders it
    assert props["EmptyOnDelete"] is True
    assert body["DeletionPolicy"] == "Delete"


def test_customer_managed_key(built: dict[str, Any]) -> None:
    encryption = resource(built, "Cmk")["Properties"]["EncryptionConfiguration"]
    assert encryption["EncryptionType"] == "KMS"
    assert encryption["KmsKey"] == {"Fn::GetAtt": [Match.string_like_regexp("Key"), "Arn"]} or (
        "Fn::GetAtt" in encryption["KmsKey"]
    )


def test_grants_delegate_to_aws_ecr(built: dict[str, Any]) -> None:
    policies = [
        body["Properties"]["PolicyDocument"]["Statement"]
        for body in built["template"]["Resources"].values()
        if body["Type"] == "AWS::IAM::Policy"
    ]
    actions = {
        action
        for statements in policies
        for statement in statements
        for action in (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
    }
    assert {"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:PutImage"} <= actions
    assert "ecr:GetAuthorizationToken" in actions


def test_uris() -> None:
    stack = new_stack()
    repo = Repository(stack, "Uris", repository_name="app")
    host = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com"
    assert stack.resolve(repo.repository_uri_for_tag("v1")) == f"{host}/app:v1"
    digest = "sha256:" + "a" * 64
    assert stack.resolve(repo.repository_uri_for_digest(digest)) == f"{host}/app@{digest}"
    assert (
        stack.resolve(repo.repository_uri_for_tag("v1", dual_stack=True))
        == f"{ACCOUNT}.dkr-ecr.{REGION}.on.aws/app:v1"
    )
    assert stack.resolve(repo.repository_uri) == f"{host}/app"


def test_repository_is_an_irepository_for_cdk_consumers() -> None:
    stack = new_stack()
    repo = Repository(stack, "App", repository_name="app")
    imported = repo.repository
    assert stack.resolve(imported.repository_name) == "app"
    assert repo.repository is imported
    by_name = Repository.from_repository_name(stack, "ByName", "other")
    assert stack.resolve(by_name.repository_name) == "other"
    by_arn = Repository.from_repository_arn(
        stack, "ByArn", f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/third"
    )
    assert stack.resolve(by_arn.repository_name) == "third"


def test_template_passes_cfn_lint(built: dict[str, Any]) -> None:
    assert_cfn_lint_clean(built["template"])


BAD_INPUT: list[tuple[str, Any, str]] = [
    # names
    ("name too short", {"repository_name": "a"}, "2 to 256 characters"),
    ("name too long", {"repository_name": "a" * 257}, "2 to 256 characters"),
    ("uppercase name", {"repository_name": "MyApp"}, "repository name is not valid"),
    ("leading slash", {"repository_name": "/app"}, "repository name is not valid"),
    ("trailing dash", {"repository_name": "app-"}, "repository name is not valid"),
    ("double slash", {"repository_name": "a//b"}, "repository name is not valid"),
    ("space", {"repository_name": "my app"}, "repository name is not valid"),
    ("double separator", {"repository_name": "a..b"}, "repository name is not valid"),
    # mutability
    (
        "exclusions with IMMUTABLE",
        {
            "image_tag_mutability": ecr.TagMutability.IMMUTABLE,
            "image_tag_mutability_exclusions": ["latest"],
        },
        "exclusion filters only apply with IMMUTABLE_WITH_EXCLUSION",
    ),
    (
        "exclusions with MUTABLE",
        {
            "image_tag_mutability": ecr.TagMutability.MUTABLE,
            "image_tag_mutability_exclusions": ["x"],
        },
        "exclusion filters only apply with IMMUTABLE_WITH_EXCLUSION",
    ),
    (
        "WITH_EXCLUSION without exclusions",
        {"image_tag_mutability": ecr.TagMutability.IMMUTABLE_WITH_EXCLUSION},
        "needs 1 to 5 exclusion filters",
    ),
    (
        "MUTABLE_WITH_EXCLUSION without exclusions",
        {"image_tag_mutability": ecr.TagMutability.MUTABLE_WITH_EXCLUSION},
        "needs 1 to 5 exclusion filters",
    ),
    (
        "empty exclusions",
        {
            "image_tag_mutability": "IMMUTABLE_WITH_EXCLUSION",
            "image_tag_mutability_exclusions": [],
        },
        "needs 1 to 5 exclusion filters",
    ),
    (
        "six exclusions",
        {"image_tag_mutability_exclusions": ["a", "b", "c", "d", "e", "f"]},
        "too many exclusion filters",
    ),
    (
        "bad exclusion",
        {"image_tag_mutability_exclusions": ["prod/x"]},
        "not a valid tag mutability exclusion filter",
    ),
    (
        "long exclusion",
        {"image_tag_mutability_exclusions": ["x" * 129]},
        "not a valid tag mutability exclusion filter",
    ),
    ("duplicate exclusion", {"image_tag_mutability_exclusions": ["a", "a"]}, "must be unique"),
    # encryption
    (
        "key with AES256",
        {"encryption": ecr.RepositoryEncryption.AES_256, "encryption_key": "KEY"},
        "a KMS key needs KMS encryption",
    ),
    # removal
    (
        "snapshot removal",
        {"removal_policy": cdk.RemovalPolicy.SNAPSHOT},
        "retained or destroyed, not snapshotted",
    ),
    ("empty on delete retained", {"empty_on_delete": True}, "empty_on_delete deletes images only"),
    (
        "empty on delete retain on update",
        {"empty_on_delete": True, "removal_policy": cdk.RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE},
        "retained or destroyed",
    ),
    # tags
    ("aws: tag", {"tags": {"aws:owner": "x"}}, "not a valid tag key"),
    ("long tag value", {"tags": {"owner": "x" * 257}}, "tag value must be 1 to 255"),
    ("bad tag key", {"tags": {"owner!": "x"}}, "not a valid tag key"),
    # lifecycle
    ("lifecycle as text", {"lifecycle": "keep_last"}, "list of Lifecycle presets"),
    ("lifecycle as dict", {"lifecycle": {"rules": []}}, "list of Lifecycle presets"),
    (
        "keep_last before another preset",
        {"lifecycle": [Lifecycle.keep_last(10), Lifecycle.expire_untagged(after_days=1)]},
        "keep_last",
    ),
    (
        "two untagged presets",
        {
            "lifecycle": [
                Lifecycle.expire_untagged(after_days=1),
                Lifecycle.expire_untagged(after_days=3),
            ]
        },
        "untagged",
    ),
    (
        "duplicate prefixes",
        {
            "lifecycle": [
                Lifecycle.expire_tagged(prefixes=["dev"], after_days=7),
                Lifecycle.expire_tagged(prefixes=["dev"], after_days=9),
            ]
        },
        "dev",
    ),
    ("not a preset", {"lifecycle": ["keep_last(10)"]}, "lifecycle[0]"),
    # access
    ("access not a grant", {"access": ["arn:aws:iam::123456789012:root"]}, "not an access grant"),
    ("short account", lambda: {"access": [RepositoryAccess.pull(accounts=["1234"])]}, "1234"),
    ("bad principal", lambda: {"access": [RepositoryAccess.push(principals=["bob"])]}, "bob"),
    (
        "bad organization",
        lambda: {"access": [RepositoryAccess.organization_pull(["org-1"])]},
        "org-1",
    ),
    ("lambda account", lambda: {"access": [RepositoryAccess.lambda_pull(["abc"])]}, "abc"),
    (
        "custom with Resource",
        lambda: {
            "access": [
                RepositoryAccess.custom(
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                        "Action": "ecr:BatchGetImage",
                        "Resource": "*",
                    }
                )
            ]
        },
        "Resource",
    ),
    (
        "custom bare star",
        lambda: {
            "access": [
                RepositoryAccess.custom(
                    {"Effect": "Allow", "Principal": "*", "Action": "ecr:BatchGetImage"}
                )
            ]
        },
        "*",
    ),
    (
        "custom without principal",
        lambda: {
            "access": [RepositoryAccess.custom({"Effect": "Allow", "Action": "ecr:BatchGetImage"})]
        },
        "Principal",
    ),
    ("keep_last zero", lambda: {"lifecycle": [Lifecycle.keep_last(0)]}, "0"),
    ("negative days", lambda: {"lifecycle": [Lifecycle.expire_untagged(after_days=-1)]}, "-1"),
    (
        "archive expiry under 90 days",
        lambda: {"lifecycle": [Lifecycle.expire_archived(after_days=30)]},
        "90",
    ),
]


def lazy(value: Any, stack: cdk.Stack) -> Any:
    if value == "KEY":
        return kms.Key(stack, "BadKey")
    return value


@pytest.mark.parametrize(
    ("props", "fragment"),
    [pytest.param(props, fragment, id=name) for name, props, fragment in BAD_INPUT],
)
def test_bad_input_is_rejected_at_construct_time(props: Any, fragment: str) -> None:
    stack = new_stack()
    with pytest.raises(EcrConstructsError) as raised:
        resolved = props() if callable(props) else props
        Repository(stack, "Bad", **{name: lazy(value, stack) for name, value in resolved.items()})
    message = str(raised.value)
    assert fragment in message
    if not callable(props):
        assert "given" in message
        assert message.startswith("Test/Bad ")
    assert stack.node.try_find_child("Bad") is None


def test_add_access_extends_the_settings_and_the_policy_together() -> None:
    stack = new_stack()
    repository = Repository(stack, "Repo", repository_name="shared-base")
    repository.add_access(RepositoryAccess.pull(accounts=["987654321098"]))
    assert [grant.sid for grant in repository.settings.access] == ["Pull"]
    policy = template_of(stack)["Resources"]
    (resource,) = [r for r in policy.values() if r["Type"] == "AWS::ECR::Repository"]
    assert resource["Properties"]["RepositoryPolicyText"]["Statement"][0]["Sid"] == "Pull"
    with pytest.raises(EcrConstructsError, match=r"^Test/Repo access\[1\]"):
        repository.add_access(RepositoryAccess.custom({"Effect": "Allow", "Action": "ecr:*"}))
    assert len(repository.settings.access) == 1
