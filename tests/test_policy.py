"""Policy documents: presets, the shared statement checker, determinism (pure Python)."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecr_constructs import PolicyDocumentError
from ecr_constructs.policy import (
    AccessGrant,
    PublicRepositoryAccess,
    PublicRepositoryPolicyDocument,
    RegistryAccess,
    RegistryPolicyDocument,
    RepositoryAccess,
    RepositoryPolicyDocument,
)
from ecr_constructs.registry_rules import RegistryPolicyScope
from ecr_constructs.tokens import is_unresolved

A1, A2, A3 = "111111111111", "222222222222", "333333333333"
ROLE = f"arn:aws:iam::{A2}:role/ci"
USER = f"arn:aws:iam::{A3}:user/path/deployer"
ORG = "o-a1b2c3d4e5"
PULL = [
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
]
PUSH = [
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:CompleteLayerUpload",
    "ecr:GetDownloadUrlForLayer",
    "ecr:InitiateLayerUpload",
    "ecr:PutImage",
    "ecr:UploadLayerPart",
]
TOKEN = "${Token[AWS.AccountId.7]}"
PARTITION_TOKEN = "${Token[AWS.Partition.3]}"


def repository_statements(*grants: AccessGrant, **kwargs: Any) -> list[dict[str, Any]]:
    return RepositoryPolicyDocument(grants, **kwargs).statements


# ---------------------------------------------------------------- presets render exactly


def test_pull_renders_accounts_as_root_arns_and_principals_as_given() -> None:
    grant = RepositoryAccess.pull(accounts=[A1], principals=[ROLE, A3])
    assert grant.name == f"pull by {A1}, {ROLE}, {A3}"
    assert repository_statements(grant) == [
        {
            "Sid": "Pull",
            "Effect": "Allow",
            "Principal": {
                "AWS": [f"arn:aws:iam::{A1}:root", ROLE, f"arn:aws:iam::{A3}:root"],
            },
            "Action": PULL,
        }
    ]


def test_push_includes_the_pull_actions_and_one_principal_is_a_string() -> None:
    assert repository_statements(RepositoryAccess.push(principals=[ROLE])) == [
        {"Sid": "Push", "Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": PUSH}
    ]
    assert set(PULL) < set(PUSH)


def test_organization_pull_is_star_with_an_org_condition() -> None:
    other = "o-zzzzzzzzzz99"
    grant = RepositoryAccess.organization_pull([other, ORG, ORG])
    assert repository_statements(grant) == [
        {
            "Sid": "OrganizationPull",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": PULL,
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": [ORG, other]}},
        }
    ]


def test_lambda_pull_uses_the_documents_partition() -> None:
    grant = RepositoryAccess.lambda_pull([A2, A1])
    expected = {
        "Sid": "LambdaPull",
        "Effect": "Allow",
        "Principal": {"Service": "lambda.amazonaws.com"},
        "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        "Condition": {
            "StringLike": {
                "aws:sourceArn": [
                    f"arn:aws:lambda:*:{A1}:function:*",
                    f"arn:aws:lambda:*:{A2}:function:*",
                ]
            }
        },
    }
    assert repository_statements(grant) == [expected]
    china = repository_statements(grant, partition="aws-cn")[0]
    assert china["Condition"]["StringLike"]["aws:sourceArn"][0] == (
        f"arn:aws-cn:lambda:*:{A1}:function:*"
    )


def test_custom_statement_is_kept_verbatim_with_a_generated_sid() -> None:
    statement = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "ecr:DeleteRepository",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    assert repository_statements(RepositoryAccess.custom(statement)) == [
        {"Sid": "Custom", **statement}
    ]


def test_from_settings_maps_the_yaml_keys_in_a_fixed_order() -> None:
    grants = RepositoryAccess.from_settings(
        pull_accounts=[A1],
        push_accounts=[],
        pull_principals=[USER],
        push_principals=[ROLE],
        pull_organizations=[ORG],
        push_organizations=[ORG],
        lambda_pull_accounts=[A3],
    )
    assert grants == [
        RepositoryAccess.pull(accounts=[A1], principals=[USER]),
        RepositoryAccess.push(principals=[ROLE]),
        RepositoryAccess.organization_pull([ORG]),
        RepositoryAccess.organization_push([ORG]),
        RepositoryAccess.lambda_pull([A3]),
    ]
    assert [s["Sid"] for s in repository_statements(*grants)] == [
        "Pull",
        "Push",
        "OrganizationPull",
        "OrganizationPush",
        "LambdaPull",
    ]
    assert RepositoryAccess.from_settings() == []


def test_public_from_settings_is_one_push_grant_or_none() -> None:
    assert PublicRepositoryAccess.from_settings(push_accounts=[A1], push_principals=[ROLE]) == [
        PublicRepositoryAccess.push(accounts=[A1], principals=[ROLE])
    ]
    assert PublicRepositoryAccess.from_settings() == []
    with pytest.raises(PolicyDocumentError) as caught:
        PublicRepositoryAccess.from_settings(
            push_accounts=["1", A1], push_principals=["x"], where="public_repositories[0].access"
        )
    assert [p.where for p in caught.value.problems] == [
        "public_repositories[0].access.push_accounts[0]",
        "public_repositories[0].access.push_principals[0]",
    ]


def test_replication_from_targets_the_registrys_own_region_by_default() -> None:
    document = RegistryPolicyDocument(
        [RegistryAccess.replication_from([A2, A1])], account=A3, region="eu-west-1"
    )
    assert document.statements == [
        {
            "Sid": "ReplicationFrom",
            "Effect": "Allow",
            "Principal": {"AWS": [f"arn:aws:iam::{A1}:root", f"arn:aws:iam::{A2}:root"]},
            "Action": ["ecr:CreateRepository", "ecr:ReplicateImage"],
            "Resource": f"arn:aws:ecr:eu-west-1:{A3}:repository/*",
        }
    ]


def test_replication_from_listed_regions_and_token_account() -> None:
    grant = RegistryAccess.replication_from([A1], regions=["us-east-1", "eu-west-1"])
    statement = RegistryPolicyDocument([grant], account=TOKEN, region="eu-west-1").statements[0]
    assert statement["Resource"] == [
        f"arn:aws:ecr:eu-west-1:{TOKEN}:repository/*",
        f"arn:aws:ecr:us-east-1:{TOKEN}:repository/*",
    ]


def test_pull_through_cache_scopes_to_prefixes() -> None:
    grant = RegistryAccess.pull_through_cache([ROLE], prefixes=["docker-hub", "ecr-public"])
    assert RegistryPolicyDocument([grant], account=A1, region="us-west-2").statements == [
        {
            "Sid": "PullThroughCache",
            "Effect": "Allow",
            "Principal": {"AWS": ROLE},
            "Action": ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"],
            "Resource": [
                f"arn:aws:ecr:us-west-2:{A1}:repository/docker-hub/*",
                f"arn:aws:ecr:us-west-2:{A1}:repository/ecr-public/*",
            ],
        }
    ]
    everything = RegistryAccess.pull_through_cache([ROLE])
    for grant in (everything, RegistryAccess.pull_through_cache([ROLE], prefixes=["ROOT"])):
        statement = RegistryPolicyDocument([grant], account=A1, region="us-west-2").statements[0]
        assert statement["Resource"] == f"arn:aws:ecr:us-west-2:{A1}:repository/*"


def test_public_push_uses_ecr_public_actions() -> None:
    document = PublicRepositoryPolicyDocument([PublicRepositoryAccess.push(accounts=[A1])])
    assert document.to_dict() == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "PublicPush",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{A1}:root"},
                "Action": [
                    "ecr-public:BatchCheckLayerAvailability",
                    "ecr-public:CompleteLayerUpload",
                    "ecr-public:InitiateLayerUpload",
                    "ecr-public:PutImage",
                    "ecr-public:UploadLayerPart",
                ],
            }
        ],
    }


# ---------------------------------------------------------------- composition


def test_same_preset_grants_share_a_statement_with_merged_sorted_principals() -> None:
    statements = repository_statements(
        RepositoryAccess.pull(accounts=[A2]),
        RepositoryAccess.push(principals=[ROLE]),
        RepositoryAccess.pull(accounts=[A1, A2]),
    )
    assert [s["Sid"] for s in statements] == ["Pull", "Push"]
    assert statements[0]["Principal"] == {
        "AWS": [f"arn:aws:iam::{A1}:root", f"arn:aws:iam::{A2}:root"]
    }


def test_sids_are_unique_around_custom_sids() -> None:
    custom = {"Sid": "Pull", "Effect": "Allow", "Principal": {"AWS": A3}, "Action": "ecr:*"}
    statements = repository_statements(
        RepositoryAccess.custom(custom),
        RepositoryAccess.organization_pull([ORG]),
        RepositoryAccess.pull(accounts=[A1]),
        RepositoryAccess.custom({**custom, "Sid": "OrganizationPull2"}),
        RepositoryAccess.organization_pull(["o-bbbbbbbbbb"]),
        RepositoryAccess.custom({k: v for k, v in custom.items() if k != "Sid"}),
    )
    assert [s["Sid"] for s in statements] == [
        "Pull",
        "OrganizationPull",
        "Pull2",
        "OrganizationPull2",
        "OrganizationPull3",
        "Custom",
    ]


def test_tokens_pass_unvalidated() -> None:
    grant = RepositoryAccess.pull(accounts=[TOKEN], principals=["${Token[Role.Arn.12]}"])
    statement = repository_statements(grant, partition=PARTITION_TOKEN)[0]
    assert statement["Principal"]["AWS"] == [
        "${Token[Role.Arn.12]}",
        f"arn:{PARTITION_TOKEN}:iam::{TOKEN}:root",
    ]
    assert is_unresolved("#{Token[List.1]}") and not is_unresolved("${Tok}")
    for principal in ({"AWS": TOKEN}, TOKEN):
        custom = {"Effect": "Allow", "Principal": principal, "Action": TOKEN}
        assert repository_statements(RepositoryAccess.custom(custom))[0]["Principal"] == principal


def test_grants_are_immutable_and_comparable() -> None:
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": {"AWS": A1}, "Action": "ecr:*"}
    grant = RepositoryAccess.custom(statement)
    statement["Principal"] = "*"
    assert repository_statements(grant)[0]["Principal"] == {"AWS": A1}
    with pytest.raises(dataclasses.FrozenInstanceError):
        grant.name = "changed"  # type: ignore[misc]
    assert RepositoryAccess.pull(accounts=[A1]) == RepositoryAccess.pull(accounts=[A1])
    assert len({RepositoryAccess.pull(accounts=[A1]), RepositoryAccess.pull(accounts=[A1])}) == 1


def test_to_json_is_compact_and_statements_are_copies() -> None:
    document = RepositoryPolicyDocument([RepositoryAccess.pull(accounts=[A1])])
    assert json.loads(document.to_json()) == document.to_dict()
    assert " " not in document.to_json() and len(document) == len(document.to_json())
    assert json.loads(document.to_json(indent=2)) == document.to_dict()
    document.statements[0]["Effect"] = "Deny"
    assert document.statements[0]["Effect"] == "Allow"


def test_registry_document_accepts_a_custom_statement_with_resource() -> None:
    statement = {
        "Sid": "Replicate",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{A1}:root"},
        "Action": ["ecr:ReplicateImage"],
        "Resource": [f"arn:aws:ecr:us-west-2:{A2}:repository/*"],
    }
    document = RegistryPolicyDocument(
        [RegistryAccess.custom(statement)], account=A2, region="us-west-2"
    )
    assert document.statements == [statement]


def test_organization_push_is_star_with_an_org_condition_and_the_push_actions() -> None:
    assert repository_statements(RepositoryAccess.organization_push([ORG])) == [
        {
            "Sid": "OrganizationPush",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": PUSH,
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG}},
        }
    ]


def test_registry_organization_pull_covers_every_repository_of_the_registry() -> None:
    document = RegistryPolicyDocument(
        [RegistryAccess.organization_pull([ORG])], account=A2, region="us-west-2"
    )
    assert document.scope is RegistryPolicyScope.V2
    assert document.statements == [
        {
            "Sid": "OrganizationPull",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": PULL,
            "Resource": f"arn:aws:ecr:us-west-2:{A2}:repository/*",
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG}},
        }
    ]


ORG_WIDE_PULL = {
    "Sid": "OrgPull",
    "Effect": "Allow",
    "Principal": "*",
    "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
    "Resource": f"arn:aws:ecr:us-west-2:{A2}:repository/*",
    "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG}},
}


def test_v2_registry_policy_accepts_any_ecr_action_and_v1_refuses_it_with_the_reason() -> None:
    grant = RegistryAccess.custom(ORG_WIDE_PULL)
    v2 = RegistryPolicyDocument([grant], account=A2, region="us-west-2")
    assert v2.statements == [ORG_WIDE_PULL]
    with pytest.raises(PolicyDocumentError) as refused:
        RegistryPolicyDocument(
            [grant], account=A2, region="us-west-2", scope=RegistryPolicyScope.V1
        )
    assert [p.where for p in refused.value.problems] == [
        "registry_policy[0].Action[0]",
        "registry_policy[0].Action[1]",
    ]
    assert "scope V1, which honours only replication and pull-through cache actions" in str(
        refused.value
    )
    # V1 still takes what it honours.
    replication = RegistryAccess.replication_from([A1])
    v1 = RegistryPolicyDocument(
        [replication], account=A2, region="us-west-2", scope=RegistryPolicyScope.V1
    )
    assert (
        v1.statements
        == RegistryPolicyDocument([replication], account=A2, region="us-west-2").statements
    )


# ---------------------------------------------------------------- determinism


def test_same_input_gives_identical_json() -> None:
    def build() -> str:
        return RepositoryPolicyDocument(
            RepositoryAccess.from_settings(
                pull_accounts=[A2, A1], push_principals=[ROLE], pull_organizations=[ORG]
            )
        ).to_json()

    assert build() == build()


@settings(max_examples=50, deadline=None)
@given(st.permutations([A1, A2, A3, ROLE, USER]), st.permutations([ORG, "o-0123456789"]))
def test_principal_order_does_not_change_the_document(
    principals: list[str], organizations: list[str]
) -> None:
    reference = RepositoryPolicyDocument(
        [
            RepositoryAccess.pull(principals=[A1, A2, A3, ROLE, USER]),
            RepositoryAccess.organization_pull([ORG, "o-0123456789"]),
        ]
    )
    shuffled = RepositoryPolicyDocument(
        [
            RepositoryAccess.pull(principals=principals),
            RepositoryAccess.organization_pull(organizations),
        ]
    )
    assert shuffled.to_json() == reference.to_json()
    assert shuffled == reference and hash(shuffled) == hash(reference)


def test_policy_layer_does_not_import_aws_cdk() -> None:
    code = "import sys, ecr_constructs.policy; print('aws_cdk' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ---------------------------------------------------------------- bad input


def _statement(**changes: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{A1}:root"},
        "Action": ["ecr:BatchGetImage"],
    }
    statement.update(changes)
    return {k: v for k, v in statement.items() if v is not None}


def _repo(**changes: Any) -> Callable[[], object]:
    return lambda: RepositoryPolicyDocument(
        [RepositoryAccess.pull(accounts=[A2]), RepositoryAccess.custom(_statement(**changes))]
    )


def _registry(
    grant: Callable[[], AccessGrant], scope: RegistryPolicyScope = RegistryPolicyScope.V2
) -> Callable[[], object]:
    return lambda: RegistryPolicyDocument([grant()], account=A1, region="eu-west-1", scope=scope)


HUGE = [f"arn:aws:iam::{A1}:role/r{i:04d}-{'x' * 40}" for i in range(200)]
HUGE_LENGTH = len(
    json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "Pull", "Effect": "Allow", "Principal": {"AWS": HUGE}, "Action": PULL}
            ],
        },
        separators=(",", ":"),
    )
)

BAD: list[tuple[str, Callable[[], object], str, str, object, str]] = [
    # id, action, message fragment, where, given, allowed fragment
    (
        "short-account",
        lambda: RepositoryAccess.pull(accounts=["12345"]),
        "not an AWS account ID",
        "RepositoryAccess.pull(accounts)[0]",
        "12345",
        "12-digit",
    ),
    (
        "int-account",
        lambda: RepositoryAccess.push(accounts=[111111111111]),  # type: ignore[list-item]
        "not an AWS account ID",
        "RepositoryAccess.push(accounts)[0]",
        111111111111,
        "12-digit",
    ),
    (
        "accounts-as-one-string",
        lambda: RepositoryAccess.pull(accounts=A1),
        "give a list of account IDs",
        "RepositoryAccess.pull(accounts)",
        A1,
        "[account IDs]",
    ),
    (
        "principal-not-arn",
        lambda: RepositoryAccess.pull(principals=["ci-role"]),
        "not an IAM principal",
        "RepositoryAccess.pull(principals)[0]",
        "ci-role",
        "arn:aws:iam::123456789012:root",
    ),
    (
        "principal-arn-bad-account",
        lambda: RepositoryAccess.push(principals=["arn:aws:iam::1234:role/ci"]),
        "account in an IAM ARN must be 12 digits",
        "RepositoryAccess.push(principals)[0]",
        "arn:aws:iam::1234:role/ci",
        "12-digit",
    ),
    (
        "principal-group",
        lambda: RepositoryAccess.pull(principals=[f"arn:aws:iam::{A1}:group/devs"]),
        "not an IAM principal",
        "RepositoryAccess.pull(principals)[0]",
        f"arn:aws:iam::{A1}:group/devs",
        ":role/NAME",
    ),
    (
        "principal-s3-arn",
        lambda: RepositoryAccess.pull(principals=["arn:aws:s3:::bucket"]),
        "not an IAM principal",
        "RepositoryAccess.pull(principals)[0]",
        "arn:aws:s3:::bucket",
        ":user/NAME",
    ),
    (
        "nobody",
        lambda: RepositoryAccess.pull(),
        "names nobody",
        "RepositoryAccess.pull",
        {"accounts": [], "principals": []},
        "at least one",
    ),
    (
        "org-uppercase",
        lambda: RepositoryAccess.organization_pull(["o-ABCDEFGHIJ"]),
        "not an AWS Organizations ID",
        "RepositoryAccess.organization_pull[0]",
        "o-ABCDEFGHIJ",
        "^o-[a-z0-9]{10,32}$",
    ),
    (
        "org-too-short",
        lambda: RepositoryAccess.organization_pull(["o-abc"]),
        "not an AWS Organizations ID",
        "RepositoryAccess.organization_pull[0]",
        "o-abc",
        "^o-[a-z0-9]{10,32}$",
    ),
    (
        "no-organizations",
        lambda: RepositoryAccess.organization_pull([]),
        "lists no organization IDs",
        "RepositoryAccess.organization_pull",
        [],
        "one or more",
    ),
    (
        "lambda-account",
        lambda: RepositoryAccess.lambda_pull(["abc"]),
        "not an AWS account ID",
        "RepositoryAccess.lambda_pull[0]",
        "abc",
        "12-digit",
    ),
    (
        "settings-key-path",
        lambda: RepositoryAccess.from_settings(push_principals=["bob"], where="standards.prod"),
        "not an IAM principal",
        "standards.prod.push_principals[0]",
        "bob",
        "IAM ARN",
    ),
    (
        "resource-element",
        _repo(Resource="*"),
        "must not have a Resource element",
        "access[1].Resource",
        "*",
        "no Resource",
    ),
    (
        "not-resource-element",
        _repo(NotResource="arn:aws:ecr:*:*:repository/x"),
        "must not have a NotResource element",
        "access[1].NotResource",
        "arn:aws:ecr:*:*:repository/x",
        "no Resource",
    ),
    (
        "missing-principal",
        _repo(Principal=None),
        "missing Principal",
        "access[1].Principal",
        None,
        '{"AWS": [...]}',
    ),
    (
        "bare-star",
        _repo(Principal="*"),
        "'*' principal without a Condition",
        "access[1].Principal",
        "*",
        "aws:PrincipalOrgID",
    ),
    (
        "aws-star-in-list",
        _repo(Principal={"AWS": [f"arn:aws:iam::{A1}:root", "*"]}),
        "'*' principal without a Condition",
        "access[1].Principal",
        {"AWS": [f"arn:aws:iam::{A1}:root", "*"]},
        "with a Condition",
    ),
    (
        "unknown-effect",
        _repo(Effect="allow"),
        "unknown Effect",
        "access[1].Effect",
        "allow",
        "Allow | Deny",
    ),
    (
        "missing-effect",
        _repo(Effect=None),
        "missing Effect",
        "access[1].Effect",
        None,
        "Allow | Deny",
    ),
    (
        "non-ecr-action",
        _repo(Action=["ecr:BatchGetImage", "s3:GetObject"]),
        "not an action a repository policy can grant",
        "access[1].Action[1]",
        "s3:GetObject",
        "ecr:",
    ),
    (
        "star-action",
        _repo(Action="*"),
        "not an action a repository policy can grant",
        "access[1].Action",
        "*",
        "ecr:",
    ),
    (
        "missing-action",
        _repo(Action=None),
        "missing Action",
        "access[1].Action",
        None,
        "ecr:",
    ),
    (
        "empty-action-list",
        _repo(Action=[]),
        "Action must be a string or a non-empty list",
        "access[1].Action",
        [],
        "ecr:",
    ),
    (
        "custom-principal-account",
        _repo(Principal={"AWS": "12345678901"}),
        "not an IAM principal",
        "access[1].Principal.AWS",
        "12345678901",
        "12-digit",
    ),
    (
        "federated-principal",
        _repo(Principal={"Federated": "cognito-identity.amazonaws.com"}),
        "unsupported principal type",
        "access[1].Principal.Federated",
        "cognito-identity.amazonaws.com",
        "AWS or Service",
    ),
    (
        "empty-principal-list",
        _repo(Principal={"AWS": []}),
        "principals must be a string or a non-empty list",
        "access[1].Principal.AWS",
        [],
        "12-digit",
    ),
    (
        "bad-service",
        _repo(Principal={"Service": "lambda"}),
        "not a service principal",
        "access[1].Principal.Service",
        "lambda",
        "lambda.amazonaws.com",
    ),
    (
        "not-principal",
        _repo(NotPrincipal={"AWS": A1}),
        "unsupported element",
        "access[1].NotPrincipal",
        {"AWS": A1},
        "Sid, Effect, Principal, Action, Condition",
    ),
    (
        "bad-condition",
        _repo(Condition={"StringEquals": "o-a1b2c3d4e5"}),
        "Condition must map operators to keys and values",
        "access[1].Condition",
        {"StringEquals": "o-a1b2c3d4e5"},
        "aws:PrincipalOrgID",
    ),
    (
        "too-long",
        lambda: RepositoryPolicyDocument([RepositoryAccess.pull(principals=HUGE)]),
        "too long",
        "access",
        HUGE_LENGTH,
        "at most 10,240 characters",
    ),
    (
        "no-grants",
        lambda: RepositoryPolicyDocument([]),
        "needs at least one grant",
        "access",
        [],
        "",
    ),
    (
        "not-a-grant",
        lambda: RepositoryPolicyDocument([_statement()]),  # type: ignore[list-item]
        "not an access grant",
        "access[0]",
        _statement(),
        "RepositoryAccess",
    ),
    (
        "duplicate-sid",
        lambda: RepositoryPolicyDocument(
            [
                RepositoryAccess.custom(_statement(Sid="A")),
                RepositoryAccess.custom(_statement(Sid="A")),
            ]
        ),
        "duplicate Sid",
        "access[1].Sid",
        "A",
        "each Sid once",
    ),
    (
        "registry-grant-in-repository-policy",
        lambda: RepositoryPolicyDocument([RegistryAccess.replication_from([A1])]),
        "must not have a Resource element",
        "access[0].Resource",
        "arn:aws:ecr:{region}:{account}:repository/*",
        "no Resource",
    ),
    (
        "pull-action-in-v1-registry-policy",
        _registry(lambda: RepositoryAccess.pull(accounts=[A1]), RegistryPolicyScope.V1),
        "ECR rejects this action in a registry policy of scope V1, which honours only "
        "replication and pull-through cache actions",
        "registry_policy[0].Action[0]",
        "ecr:BatchCheckLayerAvailability",
        "ecr:ReplicateImage",
    ),
    (
        "organization-pull-in-v1-registry-policy",
        _registry(lambda: RegistryAccess.organization_pull([ORG]), RegistryPolicyScope.V1),
        "(RegistryPolicyScope.V2) may allow any ECR action",
        "registry_policy[0].Action[0]",
        "ecr:BatchCheckLayerAvailability",
        "ecr:BatchImportUpstreamImage, ecr:CreateRepository",
    ),
    (
        "public-action-in-v2-registry-policy",
        _registry(
            lambda: RegistryAccess.custom(
                _statement(Action="ecr-public:PutImage", Resource="arn:aws:ecr:*:*:*")
            )
        ),
        "not an action a registry policy can grant",
        "registry_policy[0].Action",
        "ecr-public:PutImage",
        "ecr:... actions",
    ),
    (
        "registry-scope-not-enum",
        lambda: RegistryPolicyDocument(
            [RegistryAccess.replication_from([A1])],
            account=A1,
            region="eu-west-1",
            scope="V2",  # type: ignore[arg-type]
        ),
        "scope must be a RegistryPolicyScope",
        "registry_policy.scope",
        "V2",
        "RegistryPolicyScope.V2",
    ),
    (
        "registry-organization-pull-bad-id",
        lambda: RegistryAccess.organization_pull(["org-1"]),
        "not an AWS Organizations ID",
        "RegistryAccess.organization_pull[0]",
        "org-1",
        "^o-[a-z0-9]{10,32}$",
    ),
    (
        "registry-organization-pull-empty",
        lambda: RegistryAccess.organization_pull([]),
        "lists no organization IDs",
        "RegistryAccess.organization_pull",
        [],
        "one or more organization IDs",
    ),
    (
        "organization-push-as-string",
        lambda: RepositoryAccess.organization_push(ORG),  # type: ignore[arg-type]
        "give a list of organization IDs",
        "RepositoryAccess.organization_push",
        ORG,
        "[organization IDs]",
    ),
    (
        "registry-bad-resource",
        _registry(lambda: RegistryAccess.custom(_statement(Action="ecr:*", Resource="repo/*"))),
        "Resource must be ARNs",
        "registry_policy[0].Resource",
        "repo/*",
        "an ARN",
    ),
    (
        "replication-bad-region",
        lambda: RegistryAccess.replication_from([A1], regions=["Europe"]),
        "not an AWS region",
        "RegistryAccess.replication_from(regions)[0]",
        "Europe",
        "eu-west-1",
    ),
    (
        "cache-wildcard-prefix",
        lambda: RegistryAccess.pull_through_cache([ROLE], prefixes=["docker-*"]),
        "a pull-through cache prefix is not a valid repository namespace",
        "RegistryAccess.pull_through_cache(prefixes)[0]",
        "docker-*",
        "lowercase letters and digits",
    ),
    (
        "private-action-in-public-policy",
        lambda: PublicRepositoryPolicyDocument([RepositoryAccess.push(accounts=[A1])]),
        "not an action a public repository policy can grant",
        "access[0].Action[0]",
        "ecr:BatchCheckLayerAvailability",
        "ecr-public:",
    ),
    (
        "custom-not-mapping",
        lambda: RepositoryAccess.custom(["Effect", "Allow"]),  # type: ignore[arg-type]
        "a statement must be a mapping",
        "custom",
        ["Effect", "Allow"],
        "a dict",
    ),
]


@pytest.mark.parametrize(
    ("make", "fragment", "where", "given", "allowed"),
    [pytest.param(*case[1:], id=case[0]) for case in BAD],
)
def test_bad_input_says_where_what_and_what_is_allowed(
    make: Callable[[], object], fragment: str, where: str, given: object, allowed: str
) -> None:
    with pytest.raises(PolicyDocumentError) as caught:
        make()
    problems = [p for p in caught.value.problems if fragment in p.message]
    assert problems, str(caught.value)
    problem = problems[0]
    assert problem.where == where
    if given is None:
        assert "given" not in str(problem)
    else:
        assert problem.given == given
    assert allowed in (problem.allowed or "")
    assert where in str(caught.value) and fragment in str(caught.value)


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(PolicyDocumentError) as caught:
        RepositoryPolicyDocument(
            [
                RepositoryAccess.pull(accounts=[A1]),
                RepositoryAccess.custom(
                    {"Effect": "Permit", "Principal": "*", "Action": ["s3:*"], "Resource": "*"}
                ),
                RepositoryAccess.custom({"Sid": "", "Principal": {"AWS": "bob"}}),
            ]
        )
    assert [p.where for p in caught.value.problems] == [
        "access[1].Resource",
        "access[1].Effect",
        "access[1].Principal",
        "access[1].Action[0]",
        "access[2].Sid",
        "access[2].Effect",
        "access[2].Principal.AWS",
        "access[2].Action",
    ]
    assert len(str(caught.value).splitlines()) == 8


def test_from_settings_reports_every_key_at_once() -> None:
    with pytest.raises(PolicyDocumentError) as caught:
        RepositoryAccess.from_settings(
            pull_accounts=["1"],
            push_principals=["x", ROLE, "y"],
            pull_organizations=["org"],
            push_organizations=[ORG, "o-"],
            lambda_pull_accounts="123456789012",
        )
    assert [p.where for p in caught.value.problems] == [
        "access.pull_accounts[0]",
        "access.push_principals[0]",
        "access.push_principals[2]",
        "access.pull_organizations[0]",
        "access.push_organizations[1]",
        "access.lambda_pull_accounts",
    ]


def test_star_principal_with_a_condition_and_deny_are_accepted() -> None:
    statement = _statement(
        Effect="Deny",
        Principal="*",
        Action="ecr:*",
        Condition={"StringNotEquals": {"aws:PrincipalOrgID": ORG}},
    )
    assert repository_statements(RepositoryAccess.custom(statement))[0]["Effect"] == "Deny"
