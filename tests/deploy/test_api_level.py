"""What the local engine can't deploy, checked at the API level instead: the project's
templates' properties turned into the requests CloudFormation would make.

- Tag-mutability exclusion filters: ministack 1.5.33 drops them (its CloudFormation doesn't
  pass them on, its ``DescribeRepositories`` has no such member). moto's ECR API keeps and
  enforces them: created there with the rendered properties and read back.
- Replication, registry scanning, registry policy: ministack refuses these resource types;
  moto's ECR API stores them and reads them back.
- Pull-through cache rules, repository creation templates, ECR Public: neither emulator has
  them; each request is checked against botocore's service model (enums, patterns, lengths,
  required and unknown members) and answered by a ``Stubber``.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import aws_cdk as cdk
import boto3
import pytest
from aws_cdk import aws_ecr as ecr
from botocore.exceptions import ClientError, ParamValidationError
from moto import mock_aws

from ecr_constructs import (
    AppliedFor,
    Architecture,
    Lifecycle,
    PublicRepository,
    PullThroughCache,
    PullThroughCacheCredentials,
    RegistryAccess,
    RegistryPolicy,
    RegistryReplication,
    RegistryScanning,
    ReplicationDestination,
    Repository,
    RepositoryAccess,
    RepositoryCreationTemplate,
    RepositoryFleet,
    ScanFrequency,
    ScanningRule,
    ScanType,
    TagMutabilityExclusions,
    Upstream,
    load_registry_config,
)
from tests.gates import assert_cfn_lint_clean

from . import api_requests
from .images import push_image, push_images
from .readback import resolve
from .stacks import new_app, synthesized

pytestmark = pytest.mark.deploy

ACCOUNT = "123456789012"
REGION = "us-east-1"  # ECR Public's only region
ENV = cdk.Environment(account=ACCOUNT, region=REGION)
REGISTRY_FILE = f"""\
version: 1
standards:
  production:
    tag_mutability: IMMUTABLE_WITH_EXCLUSION
    tag_mutability_exclusions: [latest, prod]
    lifecycle: [{{expire_untagged: {{after_days: 1}}}}, {{keep_last: {{count: 10}}}}]
repositories:
  - name: api/fleet-service
    standard: production
deployment: {{stack_name: deploy-api-fleet, account: "{ACCOUNT}", region: {REGION}}}
"""


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("api-level")
    app = new_app(folder / "cdk.out")
    stack = cdk.Stack(app, "deploy-api-registry", env=ENV)
    Repository(
        stack,
        "Moving",
        repository_name="api/moving",
        image_tag_mutability_exclusions=TagMutabilityExclusions.ENVIRONMENT,
        lifecycle=[Lifecycle.expire_untagged(after_days=1), Lifecycle.keep_last(10)],
        access=[RepositoryAccess.pull(accounts=["987654321098"])],
        tags={"team": "platform"},
    )
    RegistryReplication.of(stack).add_rule(
        destinations=[
            ReplicationDestination(region="eu-west-1"),
            ReplicationDestination(region=REGION, account="210987654321"),
        ],
        repository_prefixes=["prod"],
    )
    RegistryScanning(
        stack,
        "Scanning",
        scan_type=ScanType.ENHANCED,
        rules=[
            ScanningRule(ScanFrequency.CONTINUOUS_SCAN, ["prod*"]),
            ScanningRule(ScanFrequency.SCAN_ON_PUSH, ["*"]),
        ],
    )
    RegistryPolicy.of(stack).add(RegistryAccess.replication_from(["210987654321"]))
    PullThroughCache(
        stack,
        "DockerHub",
        prefix="docker-hub",
        upstream=Upstream.DOCKER_HUB,
        credentials=PullThroughCacheCredentials.create(),
    )
    PullThroughCache(stack, "EcrPublic", prefix="ecr-public", upstream=Upstream.ECR_PUBLIC)
    RepositoryCreationTemplate(
        stack,
        "Replicas",
        prefix="ROOT",
        applied_for=[AppliedFor.REPLICATION],
        image_tag_mutability=ecr.TagMutability.IMMUTABLE_WITH_EXCLUSION,
        image_tag_mutability_exclusions=["latest"],
        lifecycle=[Lifecycle.protect_tags(prefixes=["prod"]), Lifecycle.keep_last(20)],
        access=[RepositoryAccess.pull(accounts=["987654321098"])],
        resource_tags={"replica": "true"},
    )
    PublicRepository(
        stack,
        "Cli",
        repository_name="api/cli",
        description="The example CLI",
        about_text="# api-cli",
        usage_text="docker run public.ecr.aws/example/api-cli",
        architectures=[Architecture.X86_64, Architecture.ARM_64],
    )
    (folder / "registry.yaml").write_text(REGISTRY_FILE)
    RepositoryFleet(app, config=load_registry_config(folder / "registry.yaml"))
    built = list(synthesized(app).values())
    for template in built:
        assert_cfn_lint_clean(template, REGION)
    return built


def resources(templates: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    """The properties of every resource of a type, intrinsics resolved as if deployed."""
    found = []
    for template in templates:
        refs = _physical_refs(template)
        for resource in template["Resources"].values():
            if resource["Type"] == kind:
                found.append(resolve(resource["Properties"], refs))
    return found


def _physical_refs(template: dict[str, Any]) -> dict[str, str]:
    """What ``Ref`` and ``Fn::GetAtt`` give for the template's secrets and roles."""
    refs = {"AWS::Region": REGION}
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] == "AWS::SecretsManager::Secret":
            name = resource["Properties"]["Name"]
            refs[logical_id] = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{name}-AbCdEf"
        if resource["Type"] == "AWS::IAM::Role":
            refs[f"{logical_id}.Arn"] = f"arn:aws:iam::{ACCOUNT}:role/{logical_id}"
    return refs


@pytest.fixture
def moto_ecr() -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("ecr", region_name=REGION)


def test_tag_mutability_exclusions_are_kept_and_enforced(
    templates: list[dict[str, Any]], moto_ecr: Any
) -> None:
    excluding = [
        r
        for r in resources(templates, "AWS::ECR::Repository")
        if "ImageTagMutabilityExclusionFilters" in r
    ]
    assert {r["RepositoryName"] for r in excluding} == {"api/moving", "api/fleet-service"}
    for properties in excluding:
        name = properties["RepositoryName"]
        moto_ecr.create_repository(**api_requests.create_repository(properties))
        moto_ecr.put_lifecycle_policy(
            repositoryName=name,
            lifecyclePolicyText=properties["LifecyclePolicy"]["LifecyclePolicyText"],
        )
        (read,) = moto_ecr.describe_repositories(repositoryNames=[name])["repositories"]
        assert read["imageTagMutability"] == properties["ImageTagMutability"]
        assert read["imageTagMutabilityExclusionFilters"] == api_requests.exclusion_filters(
            properties["ImageTagMutabilityExclusionFilters"]
        )

        push_images(moto_ecr, name, count=1)  # tag v1
        moving = properties["ImageTagMutabilityExclusionFilters"][0]
        for build in ("build 1", "build 2"):  # an excluded tag moves to a new image
            push_image(moto_ecr, name, moving["ImageTagMutabilityExclusionFilterValue"], build)
        # Any other tag is immutable (moto says ImageAlreadyExists, ECR ImageTagAlreadyExists).
        with pytest.raises(ClientError, match="tag 'v1' already exists"):
            push_image(moto_ecr, name, "v1", "build 3")


def test_replication_is_stored_as_declared(templates: list[dict[str, Any]], moto_ecr: Any) -> None:
    (properties,) = resources(templates, "AWS::ECR::ReplicationConfiguration")
    request = api_requests.camel(properties["ReplicationConfiguration"])
    api_requests.assert_valid_request(
        moto_ecr, "PutReplicationConfiguration", {"replicationConfiguration": request}
    )
    moto_ecr.put_replication_configuration(replicationConfiguration=request)
    assert moto_ecr.describe_registry()["replicationConfiguration"] == request


def test_registry_scanning_is_stored_as_declared(
    templates: list[dict[str, Any]], moto_ecr: Any
) -> None:
    (properties,) = resources(templates, "AWS::ECR::RegistryScanningConfiguration")
    request = api_requests.camel(properties)
    api_requests.assert_valid_request(moto_ecr, "PutRegistryScanningConfiguration", request)
    moto_ecr.put_registry_scanning_configuration(**request)
    stored = moto_ecr.get_registry_scanning_configuration()["scanningConfiguration"]
    assert stored == request


def test_registry_policy_is_stored_as_declared(
    templates: list[dict[str, Any]], moto_ecr: Any
) -> None:
    (properties,) = resources(templates, "AWS::ECR::RegistryPolicy")
    moto_ecr.put_registry_policy(policyText=json.dumps(properties["PolicyText"]))
    stored = json.loads(moto_ecr.get_registry_policy()["policyText"])
    assert stored == properties["PolicyText"]


def _stubbed_client(service: str = "ecr") -> Any:
    return boto3.client(
        service, region_name=REGION, aws_access_key_id="stubbed", aws_secret_access_key="x"
    )


def test_pull_through_cache_rules_are_valid_requests(templates: list[dict[str, Any]]) -> None:
    rules = resources(templates, "AWS::ECR::PullThroughCacheRule")
    assert {r["UpstreamRegistry"] for r in rules} == {"docker-hub", "ecr-public"}
    for properties in rules:
        request = api_requests.camel(properties)
        api_requests.assert_valid_request(_stubbed_client(), "CreatePullThroughCacheRule", request)


def test_creation_templates_are_valid_requests(templates: list[dict[str, Any]]) -> None:
    created = resources(templates, "AWS::ECR::RepositoryCreationTemplate")
    assert len(created) == 3  # ours and one per pull-through cache
    for properties in created:
        request = api_requests.create_creation_template(properties)
        operation = "CreateRepositoryCreationTemplate"
        api_requests.assert_valid_request(_stubbed_client(), operation, request)


def test_public_repository_is_a_valid_request(templates: list[dict[str, Any]]) -> None:
    (properties,) = resources(templates, "AWS::ECR::PublicRepository")
    request = api_requests.create_public_repository(properties)
    assert request["catalogData"]["description"] == "The example CLI"
    api_requests.assert_valid_request(_stubbed_client("ecr-public"), "CreateRepository", request)


BROKEN_REQUESTS: list[Any] = [
    pytest.param(
        "CreatePullThroughCacheRule",
        {"ecrRepositoryPrefix": "hub", "upstreamRegistryUrl": "x", "upstreamRegistry": "dockerhub"},
        "not one of",
        id="enum",
    ),
    pytest.param(
        "CreatePullThroughCacheRule",
        {"ecrRepositoryPrefix": "Hub!", "upstreamRegistryUrl": "registry-1.docker.io"},
        "does not match",
        id="pattern",
    ),
    pytest.param(
        "CreateRepositoryCreationTemplate",
        {"prefix": "ROOT", "appliedFor": ["REPLICATION"], "description": "x" * 257},
        "length 257",
        id="length",
    ),
    pytest.param(
        "CreateRepositoryCreationTemplate",
        {"prefix": "ROOT", "appliedFor": ["REPLICATION"], "resourceTags": [{"key": "a"}]},
        "Unknown parameter",
        id="unknown-member",
    ),
    pytest.param(
        "CreateRepositoryCreationTemplate",
        {"prefix": "ROOT"},
        "Missing required parameter",
        id="required-member",
    ),
]


@pytest.mark.parametrize(("operation", "request_", "fragment"), BROKEN_REQUESTS)
def test_a_broken_request_is_refused(
    operation: str, request_: dict[str, Any], fragment: str
) -> None:
    with pytest.raises((AssertionError, ParamValidationError), match=fragment):
        api_requests.assert_valid_request(_stubbed_client(), operation, copy.deepcopy(request_))
