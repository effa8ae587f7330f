"""PublicRepository: catalog data, tags, policy, grants, region rules, logo and bad input."""

from __future__ import annotations

import io
import json
import struct
import urllib.request
import zlib
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import aws_cdk as cdk
import boto3
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3_assets as s3_assets
from botocore.response import StreamingBody
from botocore.stub import Stubber

from ecr_constructs import check_stack
from ecr_constructs.cloudformation import public_repository_resources
from ecr_constructs.errors import EcrConstructsError
from ecr_constructs.handlers import public_catalog
from ecr_constructs.policy import PublicRepositoryAccess, RepositoryAccess
from ecr_constructs.public import Architecture, OperatingSystem, PublicRepository

from .gates import (
    ACCOUNT,
    PUBLIC_PUSH_ACTIONS,
    assert_cfn_lint_clean,
    assert_construct_refused,
    cdk_nag_violations,
    new_stack,
    template_of,
)

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
                    "Action": PUBLIC_PUSH_ACTIONS,
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
            "Action": PUBLIC_PUSH_ACTIONS,
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
    ("tag-value-empty", {**NAME, "tags": {"team": ""}}, "tags.team: tag value must be 1 to 255"),
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
    assert_construct_refused(PublicRepository, props, fragment, construct_id="Public", stack=stack)


def test_refuses_a_stack_outside_us_east_1() -> None:
    stack = new_stack(region="eu-west-1")
    with pytest.raises(EcrConstructsError) as raised:
        PublicRepository(stack, "Public", repository_name="app")
    assert str(raised.value) == (
        "Test/Public region: ECR Public exists only in us-east-1; put public repositories in a "
        "stack whose env region is us-east-1 (given 'eu-west-1'; allowed: us-east-1)"
    )


# --- logo ---------------------------------------------------------------------------------------


def _png() -> bytes:
    """A valid 1x1 grayscale PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )


PNG = _png()
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 60 + b"\xff\xd9"
CATALOG = "Custom::EcrPublicCatalogData"
FULL_CATALOG: dict[str, Any] = {
    "description": "The command-line tool",
    "about_text": "# cli",
    "usage_text": "`docker run cli`",
    "operating_systems": [OperatingSystem.LINUX],
    "architectures": [Architecture.X86_64, Architecture.ARM_64],
}


@pytest.fixture(scope="module")
def logo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("logo")
    (folder / "logo.png").write_bytes(PNG)
    (folder / "logo.jpg").write_bytes(JPEG)
    stack = new_stack(region=US_EAST_1)
    cli = PublicRepository(
        stack, "Cli", repository_name="tools/cli", logo_image=folder / "logo.png", **FULL_CATALOG
    )
    plain = PublicRepository(
        stack, "Plain", repository_name="plain", logo_image=str(folder / "logo.jpg")
    )
    template = template_of(stack)
    resources = template["Resources"]

    def of(repo: PublicRepository, kind: str) -> tuple[str, dict[str, Any]]:
        prefix = stack.get_logical_id(repo.resource)[: -len("B740FDB5")]
        ((logical_id, resource),) = [
            (k, r) for k, r in resources.items() if r["Type"] == kind and k.startswith(prefix)
        ]
        return logical_id, resource

    return {"stack": stack, "cli": cli, "plain": plain, "template": template, "of": of}


def _logo_key(repo: PublicRepository, extension: str) -> str:
    """The S3 key of a repository's logo asset: CDK's hash of the file content."""
    asset = repo.node.find_child("Logo").node.find_child("Image")
    assert isinstance(asset, s3_assets.Asset)
    return f"{asset.asset_hash}{extension}"


def test_logo_custom_resource_puts_the_full_catalog_after_the_repository(
    logo: dict[str, Any],
) -> None:
    stack, cli, of = logo["stack"], logo["cli"], logo["of"]
    repository = logo["template"]["Resources"][stack.get_logical_id(cli.resource)]
    function_id, _ = of(cli, "AWS::Lambda::Function")
    custom_id, custom = of(cli, CATALOG)
    assert cli.logo_catalog_data is not None
    assert stack.get_logical_id(cli.logo_catalog_data) == custom_id
    assert custom["Properties"] == {
        "ServiceToken": {"Fn::GetAtt": [function_id, "Arn"]},
        "ServiceTimeout": 300,
        # Ref: created after the repository, and again when the repository is replaced
        "RepositoryName": {"Ref": stack.get_logical_id(cli.resource)},
        # the catalog CloudFormation has, so the custom resource re-runs when it changes
        "CatalogData": repository["Properties"]["RepositoryCatalogData"],
        "LogoBucket": f"cdk-hnb659fds-assets-{ACCOUNT}-{US_EAST_1}",
        # the asset's key is the hash of the file: a new logo re-runs the custom resource
        "LogoKey": _logo_key(cli, ".png"),
    }
    assert set(repository["Properties"]["RepositoryCatalogData"]) == {
        "RepositoryDescription",
        "AboutText",
        "UsageText",
        "OperatingSystems",
        "Architectures",
    }
    assert "DeletionPolicy" not in custom  # Delete does nothing in the handler


def test_logo_without_catalog_and_jpeg(logo: dict[str, Any]) -> None:
    _, custom = logo["of"](logo["plain"], CATALOG)
    assert "CatalogData" not in custom["Properties"]
    assert custom["Properties"]["LogoKey"] == _logo_key(logo["plain"], ".jpg")


def test_logo_key_follows_the_file_content(tmp_path: Path) -> None:
    stack = new_stack(region=US_EAST_1)
    keys = []
    for name, content in (("a", PNG), ("b", PNG), ("c", PNG + b"\x00")):
        (tmp_path / f"{name}.png").write_bytes(content)
        repo = PublicRepository(
            stack, name, repository_name=f"repo-{name}", logo_image=tmp_path / f"{name}.png"
        )
        keys.append(_logo_key(repo, ".png"))
    assert keys[0] == keys[1] != keys[2]


def test_logo_file_is_staged_as_an_asset(logo: dict[str, Any]) -> None:
    assembly = logo["stack"].node.root.synth()
    key = _logo_key(logo["cli"], ".png")
    assert (Path(assembly.directory) / f"asset.{key}").read_bytes() == PNG


def test_logo_function_runs_the_handler_module_with_least_privilege(logo: dict[str, Any]) -> None:
    stack, cli, of = logo["stack"], logo["cli"], logo["of"]
    _, function = of(cli, "AWS::Lambda::Function")
    role_id, role = of(cli, "AWS::IAM::Role")
    logs_id, log_group = of(cli, "AWS::Logs::LogGroup")
    source = Path(public_catalog.__file__).read_text(encoding="utf-8")
    properties = function["Properties"]
    assert properties["Code"] == {"ZipFile": source}
    assert len(source) < 4096
    assert properties["Handler"] == "index.handler"
    assert properties["Runtime"].startswith("python3.")
    assert properties["Role"] == {"Fn::GetAtt": [role_id, "Arn"]}
    assert properties["LoggingConfig"] == {"LogGroup": {"Ref": logs_id}}
    assert log_group["Properties"] == {"RetentionInDays": 365}
    assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"] == [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ]
    (policy,) = role["Properties"]["Policies"]
    key = _logo_key(cli, ".png")
    assert policy["PolicyDocument"]["Statement"] == [
        {
            "Effect": "Allow",
            "Action": ["ecr-public:PutRepositoryCatalogData"],
            "Resource": stack.resolve(cli.repository_arn),
        },
        {
            "Effect": "Allow",
            "Action": ["s3:GetObject"],
            "Resource": {
                "Fn::Join": [
                    "",
                    [
                        "arn:",
                        {"Ref": "AWS::Partition"},
                        f":s3:::cdk-hnb659fds-assets-{ACCOUNT}-{US_EAST_1}/{key}",
                    ],
                ]
            },
        },
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": {"Fn::GetAtt": [logs_id, "Arn"]},
        },
    ]
    assert "ManagedPolicyArns" not in role["Properties"]


def test_logo_gates(logo: dict[str, Any]) -> None:
    types = sorted(r["Type"] for r in logo["template"]["Resources"].values())
    assert types.count(CATALOG) == types.count("AWS::Lambda::Function") == 2
    assert_cfn_lint_clean(logo["template"], US_EAST_1)
    assert cdk_nag_violations(logo["stack"]) == []
    assert check_stack(logo["stack"]) == []


def test_a_logo_adds_the_resources_placement_counts_for_it(logo: dict[str, Any]) -> None:
    """Two public repositories with a logo, as many resources as placement counts."""
    assert len(logo["template"]["Resources"]) == 2 * public_repository_resources(logo=True)


def test_no_logo_no_custom_resource(built: dict[str, Any]) -> None:
    assert built["full"].logo_catalog_data is None
    types = {r["Type"] for r in built["resources"].values()}
    assert CATALOG not in types and "AWS::Lambda::Function" not in types


def test_logo_of_exactly_the_limit_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "big.png"
    path.write_bytes(PNG[:8] + b"\x00" * (512_000 - 8))
    repo = PublicRepository(
        new_stack(region=US_EAST_1), "Big", repository_name="big", logo_image=path
    )
    assert repo.logo_catalog_data is not None


ALLOWED_LOGO = "allowed: a path to a PNG or JPEG file of at most 512,000 bytes)"
BAD_LOGOS: list[tuple[str, bytes | None, str]] = [
    ("missing", None, "logo_image: no such file (given '{path}'"),
    (
        "not-an-image",
        b"GIF89a\x01\x00",
        "logo_image: not a PNG or JPEG image (the file starts with ",
    ),
    ("empty", b"", "not a PNG or JPEG image (the file starts with b'') (given '{path}'"),
    (
        "too-large",
        PNG[:8] + b"\x00" * 512_001,
        "the image is too large for the ECR Public catalog (512,009 bytes) (given '{path}'",
    ),
]


@pytest.mark.parametrize(
    ("content", "fragment"), [pytest.param(c, m, id=name) for name, c, m in BAD_LOGOS]
)
def test_bad_logo(tmp_path: Path, content: bytes | None, fragment: str) -> None:
    path = tmp_path / "logo.png"
    if content is not None:
        path.write_bytes(content)
    stack = new_stack(region=US_EAST_1)
    with pytest.raises(EcrConstructsError) as raised:
        PublicRepository(stack, "Public", repository_name="app", logo_image=path)
    message = str(raised.value)
    assert message.startswith("Test/Public logo_image: ")
    assert fragment.format(path=path) in message
    assert message.endswith(ALLOWED_LOGO)
    assert stack.node.try_find_child("Public") is None


@pytest.mark.parametrize(
    ("logo_image", "fragment"),
    [
        pytest.param(42, "logo_image: must be a file path (given 42;", id="not-a-path"),
        pytest.param(".", "logo_image: not a file (given '.';", id="directory"),
    ],
)
def test_bad_logo_value(logo_image: Any, fragment: str) -> None:
    with pytest.raises(EcrConstructsError) as raised:
        PublicRepository(
            new_stack(region=US_EAST_1), "Public", repository_name="app", logo_image=logo_image
        )
    assert fragment in str(raised.value)
    assert str(raised.value).endswith(ALLOWED_LOGO)


# --- the custom resource's handler (no network: stubbed clients, fake response sender) ----------

BUCKET = "cdk-hnb659fds-assets-123456789012-us-east-1"
KEY = "0123abcd.png"
CONTEXT = SimpleNamespace(log_stream_name="2026/01/01/[$LATEST]abc")


def _event(request_type: str, **properties: Any) -> dict[str, Any]:
    return {
        "RequestType": request_type,
        "ResponseURL": "https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x",
        "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/Test/1",
        "RequestId": "request-1",
        "LogicalResourceId": "CliLogoCatalogData",
        "ResourceType": CATALOG,
        "ResourceProperties": {
            "ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:f",
            "RepositoryName": "tools/cli",
            "LogoBucket": BUCKET,
            "LogoKey": KEY,
            **properties,
        },
    }


@pytest.fixture
def clients() -> Any:
    session = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=US_EAST_1
    )
    s3 = session.client("s3")
    ecr_public = session.client("ecr-public")
    with Stubber(s3) as s3_stub, Stubber(ecr_public) as ecr_stub:
        yield SimpleNamespace(s3=s3, ecr_public=ecr_public, s3_stub=s3_stub, ecr_stub=ecr_stub)
        s3_stub.assert_no_pending_responses()
        ecr_stub.assert_no_pending_responses()


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    responses: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(
        public_catalog, "send_response", lambda url, body: responses.append((url, body))
    )
    return responses


def _expect_logo_read(clients: Any) -> None:
    clients.s3_stub.add_response(
        "get_object",
        {"Body": StreamingBody(io.BytesIO(PNG), len(PNG))},
        expected_params={"Bucket": BUCKET, "Key": KEY},
    )


def _respond(event: dict[str, Any], clients: Any) -> None:
    public_catalog.handler(event, CONTEXT, clients.s3, clients.ecr_public)


@pytest.mark.parametrize("request_type", ["Create", "Update"])
def test_handler_puts_full_catalog_with_decoded_logo(
    clients: Any, sent: list[tuple[str, dict[str, Any]]], request_type: str
) -> None:
    catalog = {
        "RepositoryDescription": "The command-line tool",
        "AboutText": "# cli",
        "UsageText": "`docker run cli`",
        "OperatingSystems": ["Linux"],
        "Architectures": ["x86-64", "ARM 64"],
    }
    _expect_logo_read(clients)
    clients.ecr_stub.add_response(
        "put_repository_catalog_data",
        {"catalogData": {"description": "The command-line tool"}},
        expected_params={
            "repositoryName": "tools/cli",
            "catalogData": {
                "description": "The command-line tool",
                "aboutText": "# cli",
                "usageText": "`docker run cli`",
                "operatingSystems": ["Linux"],
                "architectures": ["x86-64", "ARM 64"],
                "logoImageBlob": PNG,
            },
        },
    )
    event = _event(request_type, CatalogData=catalog)
    _respond(event, clients)
    assert sent == [
        (
            event["ResponseURL"],
            {
                "Status": "SUCCESS",
                "Reason": "",
                "PhysicalResourceId": "tools/cli",
                "StackId": event["StackId"],
                "RequestId": "request-1",
                "LogicalResourceId": "CliLogoCatalogData",
            },
        )
    ]


def test_handler_without_catalog_puts_only_the_logo(
    clients: Any, sent: list[tuple[str, dict[str, Any]]]
) -> None:
    _expect_logo_read(clients)
    clients.ecr_stub.add_response(
        "put_repository_catalog_data",
        {"catalogData": {}},
        expected_params={"repositoryName": "tools/cli", "catalogData": {"logoImageBlob": PNG}},
    )
    _respond(_event("Create"), clients)
    assert sent[0][1]["Status"] == "SUCCESS"


def test_handler_delete_calls_nothing(clients: Any, sent: list[tuple[str, dict[str, Any]]]) -> None:
    # any call would hit an empty stub, fail and be reported as FAILED
    _respond({**_event("Delete"), "PhysicalResourceId": "tools/cli"}, clients)
    assert [body["Status"] for _, body in sent] == ["SUCCESS"]


def test_handler_reports_failures_to_cloudformation(
    clients: Any, sent: list[tuple[str, dict[str, Any]]]
) -> None:
    _expect_logo_read(clients)
    clients.ecr_stub.add_client_error(
        "put_repository_catalog_data",
        service_error_code="RepositoryNotFoundException",
        service_message="The repository does not exist",
    )
    _respond(_event("Update"), clients)
    ((_, body),) = sent
    assert body["Status"] == "FAILED"
    assert "RepositoryNotFoundException" in body["Reason"]
    assert CONTEXT.log_stream_name in body["Reason"]
    assert body["PhysicalResourceId"] == "tools/cli"


def test_send_response_puts_json_with_an_empty_content_type(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    requests: list[urllib.request.Request] = []

    class Response(io.BytesIO):
        pass

    def urlopen(request: urllib.request.Request, timeout: float) -> Response:
        requests.append(request)
        return Response(b"")

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    public_catalog.send_response("https://example.com/signed?x=1", {"Status": "SUCCESS"})
    (request,) = requests
    assert request.get_method() == "PUT"
    assert request.full_url == "https://example.com/signed?x=1"
    assert request.get_header("Content-type") == ""
    assert isinstance(request.data, bytes)
    assert json.loads(request.data) == {"Status": "SUCCESS"}
