"""RepositoryFleet: the example registry file through the synthesized templates, fleets
described in Python, bad input, the shard map file, and the jsii calls per repository."""

from __future__ import annotations

import json
import shutil
import warnings
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_kms as kms
from jsii._kernel.providers import process
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

from ecr_constructs import (
    ConfigError,
    Lifecycle,
    Repository,
    RepositoryAccess,
    RepositorySettings,
    load_registry_config,
)
from ecr_constructs.cloudformation import MAX_TEMPLATE_BYTES
from ecr_constructs.public import MAX_MARKDOWN_LENGTH, PUBLIC_REGION
from ecr_constructs.standards import RepositoryFleet, ShardMap, load_registry
from ecr_constructs.standards.fleet.placement import logical_id

from .gates import ACCOUNT, REGION, assert_cfn_lint_clean, template_of
from .test_public_repository import PNG

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
EXAMPLE = EXAMPLES / "registry.yaml"
EXAMPLE_MAP = EXAMPLES / "registry.shards.json"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d"
REPOSITORY = "AWS::ECR::Repository"


def partition_arn(rest: str) -> dict[str, Any]:
    return {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, rest]]}


@pytest.fixture(scope="module")
def example() -> dict[str, Any]:
    config = load_registry_config(EXAMPLE)
    app = cdk.App()
    fleet = RepositoryFleet(app, config=config, shard_map=ShardMap.read(EXAMPLE_MAP))
    templates = {stack.name: template_of(stack.stack) for stack in fleet.stacks}
    return {"config": config, "fleet": fleet, "templates": templates}


def repository(example: dict[str, Any], name: str) -> dict[str, Any]:
    template = example["templates"]["acme-ecr-registry"]
    resource: dict[str, Any] = template["Resources"][logical_id(name)]
    return resource


# -- the example registry file ------------------------------------------------------------


def test_the_committed_shard_map_is_up_to_date(example: dict[str, Any]) -> None:
    fleet = example["fleet"]
    assert fleet.shard_map == ShardMap.read(EXAMPLE_MAP)
    assert [stack.name for stack in fleet.stacks] == ["acme-ecr-registry"]
    assert fleet.emptied_stacks == ()


def test_every_repository_is_one_resource_named_from_its_repository_name(
    example: dict[str, Any],
) -> None:
    config = example["config"]
    template = example["templates"]["acme-ecr-registry"]
    repositories = {
        key: value for key, value in template["Resources"].items() if value["Type"] == REPOSITORY
    }
    assert {value["Properties"]["RepositoryName"]: key for key, value in repositories.items()} == {
        r.name: logical_id(r.name) for r in config.repositories
    }
    stack = example["fleet"].stacks[0]
    assert stack.stack.stack_name == "acme-ecr-registry"
    assert stack.stack.region == "us-east-1"
    assert stack.stack.account == ACCOUNT
    # Every resource of the template, plus the CDK CLI's metadata resource.
    assert stack.resources == len(template["Resources"]) + 1
    assert len(stack.repositories) == 15


def test_a_repository_gets_its_standard(example: dict[str, Any]) -> None:
    resource = repository(example, "platform/base-images/python")
    assert resource["DeletionPolicy"] == resource["UpdateReplacePolicy"] == "Retain"
    properties = resource["Properties"]
    assert properties["ImageTagMutability"] == "IMMUTABLE_WITH_EXCLUSION"
    assert [
        f["ImageTagMutabilityExclusionFilterValue"]
        for f in properties["ImageTagMutabilityExclusionFilters"]
    ] == ["latest", "prod", "staging"]
    assert properties["ImageScanningConfiguration"] == {"ScanOnPush": True}
    assert properties["EncryptionConfiguration"] == {"EncryptionType": "KMS", "KmsKey": KEY_ARN}
    assert "EmptyOnDelete" not in properties
    assert properties["Tags"] == [
        {"Key": "cost-center", "Value": "platform"},
        {"Key": "data-classification", "Value": "internal"},
        {"Key": "team", "Value": "platform"},
    ]
    statements = {s["Sid"]: s for s in properties["RepositoryPolicyText"]["Statement"]}
    assert statements["Pull"]["Principal"] == {
        "AWS": [partition_arn(":iam::210987654321:root"), partition_arn(":iam::987654321098:root")]
    }
    assert statements["Push"]["Principal"] == {
        "AWS": "arn:aws:iam::123456789012:role/github-actions-release"
    }
    assert statements["OrganizationPull"]["Condition"] == {
        "StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}
    }


def test_overrides_and_another_standard_change_only_what_they_set(
    example: dict[str, Any],
) -> None:
    build_tools = repository(example, "platform/build-tools")
    assert build_tools["DeletionPolicy"] == "Delete"
    properties = build_tools["Properties"]
    assert properties["ImageTagMutability"] == "MUTABLE"
    assert "ImageTagMutabilityExclusionFilters" not in properties
    assert properties["EmptyOnDelete"] is True
    assert {"Key": "environment", "Value": "development"} in properties["Tags"]
    sids = [s["Sid"] for s in properties["RepositoryPolicyText"]["Statement"]]
    assert sids == ["Pull", "Push"]

    query_api = repository(example, "search/query-api")["Properties"]
    sids = [s["Sid"] for s in query_api["RepositoryPolicyText"]["Statement"]]
    assert sids == ["Pull", "Push", "OrganizationPull", "LambdaPull"]

    payments = repository(example, "payments/api")["Properties"]
    assert '"countNumber":200' in payments["LifecyclePolicy"]["LifecyclePolicyText"]
    assert {"Key": "compliance", "Value": "pci"} in payments["Tags"]
    worker = repository(example, "payments/worker")["Properties"]
    assert '"countNumber":50' in worker["LifecyclePolicy"]["LifecyclePolicyText"]


def test_a_repository_renders_exactly_as_the_repository_construct_renders_it(
    example: dict[str, Any],
) -> None:
    """Same settings, same properties: lifecycle text, policy, tags, everything."""
    stack = cdk.Stack(
        cdk.App(), "Compare", env=cdk.Environment(account=ACCOUNT, region="us-east-1")
    )
    Repository(
        stack,
        "PaymentsApi",
        repository_name="payments/api",
        image_tag_mutability=ecr.TagMutability.IMMUTABLE_WITH_EXCLUSION,
        image_tag_mutability_exclusions=["latest", "prod", "staging"],
        encryption_key=kms.Key.from_key_arn(stack, "Key", KEY_ARN),
        lifecycle=[
            Lifecycle.protect_tags(prefixes=["prod", "release"]),
            Lifecycle.expire_untagged(after_days=1),
            Lifecycle.keep_last(200),
        ],
        access=[
            RepositoryAccess.pull(accounts=["210987654321", "987654321098"]),
            RepositoryAccess.push(
                principals=["arn:aws:iam::123456789012:role/github-actions-release"]
            ),
            RepositoryAccess.organization_pull(["o-a1b2c3d4e5"]),
        ],
        tags={
            "cost-center": "platform",
            "data-classification": "internal",
            "team": "payments",
            "compliance": "pci",
        },
    )
    (construct_resource,) = [
        v for v in template_of(stack)["Resources"].values() if v["Type"] == REPOSITORY
    ]
    assert repository(example, "payments/api") == construct_resource


def test_registry_wide_settings_are_in_the_first_stack(example: dict[str, Any]) -> None:
    resources = example["templates"]["acme-ecr-registry"]["Resources"]
    by_type: dict[str, list[dict[str, Any]]] = {}
    for value in resources.values():
        by_type.setdefault(value["Type"], []).append(value)
    (scanning,) = by_type["AWS::ECR::RegistryScanningConfiguration"]
    assert scanning["Properties"] == {
        "ScanType": "ENHANCED",
        "Rules": [
            {
                "ScanFrequency": "CONTINUOUS_SCAN",
                "RepositoryFilters": [
                    {"Filter": "payments/*", "FilterType": "WILDCARD"},
                    {"Filter": "platform/*", "FilterType": "WILDCARD"},
                ],
            },
            {
                "ScanFrequency": "SCAN_ON_PUSH",
                "RepositoryFilters": [{"Filter": "*", "FilterType": "WILDCARD"}],
            },
        ],
    }
    (replication,) = by_type["AWS::ECR::ReplicationConfiguration"]
    rules = replication["Properties"]["ReplicationConfiguration"]["Rules"]
    assert [len(rule["Destinations"]) for rule in rules] == [2, 1]
    caches = {
        c["Properties"]["EcrRepositoryPrefix"]: c for c in by_type["AWS::ECR::PullThroughCacheRule"]
    }
    assert set(caches) == {"docker-hub", "ecr-public", "quay", "golden"}
    templates = {
        t["Properties"]["Prefix"]: logical
        for logical, t in resources.items()
        if t["Type"] == "AWS::ECR::RepositoryCreationTemplate"
    }
    assert set(templates) == {"docker-hub", "ROOT"}
    # A cache rule is created after the templates that shape its repositories.
    assert sorted(caches["docker-hub"]["DependsOn"]) == sorted(templates.values())
    assert caches["quay"]["DependsOn"] == [templates["ROOT"]]
    assert "CredentialArn" in caches["docker-hub"]["Properties"]
    golden = caches["golden"]["Properties"]
    assert golden["UpstreamRegistryUrl"] == "444455556666.dkr.ecr.us-east-1.amazonaws.com"
    assert golden["UpstreamRepositoryPrefix"] == "base-images"
    assert "UpstreamRepositoryPrefix" not in caches["quay"]["Properties"]
    (template,) = [
        t
        for t in by_type["AWS::ECR::RepositoryCreationTemplate"]
        if t["Properties"]["Prefix"] == "docker-hub"
    ]
    assert template["Properties"]["ImageTagMutability"] == "MUTABLE"
    assert template["Properties"]["CustomRoleArn"] == (
        "arn:aws:iam::123456789012:role/ecr-repository-creation"
    )
    assert "AWS::IAM::Role" not in by_type
    (policy,) = by_type["AWS::ECR::RegistryPolicy"]
    statement = policy["Properties"]["PolicyText"]["Statement"][0]
    assert statement["Principal"] == {"AWS": partition_arn(":iam::111111111111:root")}
    (public,) = by_type["AWS::ECR::PublicRepository"]
    assert public["Properties"]["RepositoryName"] == "acme-cli"
    assert public["Properties"]["RepositoryCatalogData"]["Architectures"] == ["x86-64", "ARM 64"]
    assert {"Key": "visibility", "Value": "public"} in public["Properties"]["Tags"]
    (push,) = public["Properties"]["RepositoryPolicyText"]["Statement"]
    assert (push["Sid"], push["Principal"]) == (
        "PublicPush",
        {"AWS": "arn:aws:iam::123456789012:role/github-actions-release"},
    )
    (signing,) = by_type["AWS::ECR::SigningConfiguration"]
    assert signing["Properties"]["Rules"] == [
        {
            "SigningProfileArn": (
                "arn:aws:signer:us-east-1:123456789012:/signing-profiles/acme_release"
            ),
            "RepositoryFilters": [
                {"Filter": "payments/*", "FilterType": "WILDCARD_MATCH"},
                {"Filter": "platform/*", "FilterType": "WILDCARD_MATCH"},
            ],
        }
    ]
    (exclusion,) = by_type["AWS::ECR::PullTimeUpdateExclusion"]
    assert exclusion["Properties"] == {
        "PrincipalArn": "arn:aws:iam::123456789012:role/image-scanner"
    }


def test_example_templates_match_their_snapshots(
    example: dict[str, Any], snapshot: SnapshotAssertion
) -> None:
    assert example["templates"] == snapshot.use_extension(JSONSnapshotExtension)


def test_every_example_stack_is_cfn_lint_clean_in_its_region(example: dict[str, Any]) -> None:
    for stack in example["fleet"].stacks:
        assert_cfn_lint_clean(example["templates"][stack.name], stack.stack.region)


# -- fleets described in Python -----------------------------------------------------------


@pytest.fixture(scope="module")
def python_fleet() -> dict[str, Any]:
    app = cdk.App()
    key_stack = cdk.Stack(app, "Keys", env=cdk.Environment(account=ACCOUNT, region=REGION))
    key = kms.Key(key_stack, "Key", enable_key_rotation=True)
    lifecycle = [Lifecycle.expire_untagged(after_days=1), Lifecycle.keep_last(30)]
    access = [RepositoryAccess.pull(accounts=["987654321098"])]
    repositories = [
        RepositorySettings(name=f"team-{i % 3}/service-{i:02d}", lifecycle=lifecycle, access=access)
        for i in range(9)
    ]
    repositories += [
        RepositorySettings(
            name="scratch",
            tag_mutability=ecr.TagMutability.MUTABLE,
            scan_on_push=False,
            encryption="AES256",
            removal_policy=cdk.RemovalPolicy.DESTROY,
            empty_on_delete=True,
            tags={"purpose": "scratch"},
        ),
        RepositorySettings(
            name="moving", tag_mutability_exclusions=["latest"], kms_key_arn=key.key_arn
        ),
    ]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fleet = RepositoryFleet(
            app,
            repositories=repositories,
            stack_name="fleet",
            env=cdk.Environment(account=ACCOUNT, region=REGION),
            max_resources_per_stack=5,
        )
    cdk.Tags.of(fleet.stacks[1].stack).add("owner", "platform-team")
    templates = {stack.name: template_of(stack.stack) for stack in fleet.stacks}
    return {"fleet": fleet, "templates": templates, "warnings": caught}


def test_a_python_fleet_fills_stacks_in_name_order(python_fleet: dict[str, Any]) -> None:
    fleet = python_fleet["fleet"]
    assert [(s.name, len(s.repositories), s.resources) for s in fleet.stacks] == [
        ("fleet", 4, 5),
        ("fleet-2", 4, 5),
        ("fleet-3", 3, 4),
    ]
    # In the order given; the first four names in sorted order.
    assert fleet.stacks[0].repositories == (
        "team-0/service-00",
        "team-0/service-03",
        "scratch",
        "moving",
    )
    assert fleet.stack_of("team-2/service-08") is fleet.stacks[2].stack
    for stack in fleet.stacks:
        template = python_fleet["templates"][stack.name]
        assert len(template["Resources"]) == stack.resources - 1
        assert_cfn_lint_clean(template, REGION)


def test_without_a_shard_map_a_multi_stack_fleet_warns(python_fleet: dict[str, Any]) -> None:
    messages = [str(w.message) for w in python_fleet["warnings"]]
    assert any("takes 3 stacks and has no shard map" in m for m in messages)


def test_python_settings_render_as_the_repository_construct_does(
    python_fleet: dict[str, Any],
) -> None:
    templates = python_fleet["templates"]
    stack = cdk.Stack(cdk.App(), "Compare", env=cdk.Environment(account=ACCOUNT, region=REGION))
    Repository(
        stack,
        "Scratch",
        repository_name="scratch",
        image_tag_mutability=ecr.TagMutability.MUTABLE,
        image_scan_on_push=False,
        encryption=ecr.RepositoryEncryption.AES_256,
        removal_policy=cdk.RemovalPolicy.DESTROY,
        empty_on_delete=True,
        tags={"purpose": "scratch"},
    )
    (construct_resource,) = template_of(stack)["Resources"].values()
    assert templates["fleet"]["Resources"][logical_id("scratch")] == construct_resource

    moving = templates["fleet"]["Resources"][logical_id("moving")]["Properties"]
    assert moving["ImageTagMutability"] == "IMMUTABLE_WITH_EXCLUSION"
    assert "Fn::ImportValue" in moving["EncryptionConfiguration"]["KmsKey"]  # a key elsewhere
    tagged = templates["fleet-2"]["Resources"][logical_id("team-1/service-01")]["Properties"]
    assert tagged["Tags"] == [{"Key": "owner", "Value": "platform-team"}]  # cdk.Tags.of applies
    service = templates["fleet-3"]["Resources"][logical_id("team-2/service-08")]["Properties"]
    assert '"countNumber":30' in service["LifecyclePolicy"]["LifecyclePolicyText"]
    assert service["RepositoryPolicyText"]["Statement"][0]["Sid"] == "Pull"


@pytest.mark.parametrize(
    "env",
    [cdk.Environment(account=ACCOUNT, region=REGION), None],
    ids=["in a region", "environment-agnostic"],
)
def test_template_size_estimates_match_what_the_cdk_cli_writes(
    tmp_path: Path, env: cdk.Environment | None
) -> None:
    """As `cdk synth` writes it: path metadata and the CDK metadata resource included (without
    a region, with the conditions that list every region it reports from)."""
    app = cdk.App(
        outdir=str(tmp_path),
        analytics_reporting=True,
        context={"aws:cdk:enable-path-metadata": True},
    )
    lifecycle = [Lifecycle.protect_tags(prefixes=["prod"]), Lifecycle.keep_last(30)]
    fleet = RepositoryFleet(
        app,
        repositories=[
            RepositorySettings(
                name=f"team-{i % 4}/service-{i:03d}",
                lifecycle=lifecycle,
                access=[RepositoryAccess.pull(accounts=["987654321098", f"{i:012d}"])],
                tags={"team": f"team-{i % 4}"},
            )
            for i in range(40)
        ],
        env=env,
        shard_map=ShardMap(),
    )
    assembly = app.synth()
    (stack,) = fleet.stacks
    actual = Path(assembly.get_stack_by_name(stack.name).template_full_path).stat().st_size
    assert actual <= stack.template_bytes <= actual * 1.05
    assert_cfn_lint_clean(assembly.get_stack_by_name(stack.name).template, REGION)


def test_public_repositories_with_a_logo_and_access_are_estimated_in_full(tmp_path: Path) -> None:
    """A logo's resources repeat the catalog data: with the longest catalog, stacks placed
    by the estimate stay within CloudFormation's limit, and the estimate within 5%."""
    (tmp_path / "logo.png").write_bytes(PNG)
    text = "a" * MAX_MARKDOWN_LENGTH
    public = [
        {
            "name": f"tool-{i:02d}",
            "about": text,
            "usage": text,
            "logo": "logo.png",
            "access": {"push_accounts": [f"{i:012d}", "987654321098"]},
        }
        for i in range(20)
    ]
    path = tmp_path / "registry.yaml"
    document = {
        "version": 1,
        "public_repositories": public,
        "deployment": {"region": PUBLIC_REGION},
    }
    path.write_text(json.dumps(document))
    app = cdk.App(
        outdir=str(tmp_path / "cdk.out"),
        analytics_reporting=True,
        context={"aws:cdk:enable-path-metadata": True},
    )
    fleet = RepositoryFleet(app, config=load_registry(path), shard_map=ShardMap())
    assembly = app.synth()
    assert len(fleet.stacks) > 1
    for stack in fleet.stacks:
        actual = Path(assembly.get_stack_by_name(stack.name).template_full_path).stat().st_size
        assert actual <= stack.template_bytes <= actual * 1.05
        assert actual <= MAX_TEMPLATE_BYTES


@pytest.mark.parametrize(
    ("repositories", "fragments"),
    [
        (
            [RepositorySettings(name="ab"), RepositorySettings(name="ab")],
            ["repositories[1] (ab) name", "duplicate repository name", "given 'ab'"],
        ),
        (
            ["a"],
            ["repositories[0]", "not a RepositorySettings", "given 'a'"],
        ),
        (
            [RepositorySettings()],
            ["repositories[0] (None) name", "must be written out", "given None"],
        ),
        (
            [RepositorySettings(name=cdk.Aws.STACK_NAME)],
            ["name: a fleet repository's name must be written out", "not a token"],
        ),
    ],
)
def test_bad_repositories_are_refused_saying_where_what_and_allowed(
    repositories: list[Any], fragments: list[str]
) -> None:
    with pytest.raises(ConfigError) as caught:
        RepositoryFleet(cdk.App(), repositories=repositories)
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message


@pytest.mark.parametrize(
    ("settings", "fragments"),
    [
        (
            {"stack_name": "1-registry"},
            ["stack_name: not a valid CloudFormation stack name", "given '1-registry'"],
        ),
        (
            {"max_resources_per_stack": 0},
            ["max_resources_per_stack: a stack must have room", "given 0", "allowed: 2..500"],
        ),
        (
            {"max_resources_per_stack": 501},
            ["max_resources_per_stack: a stack must have room", "given 501"],
        ),
    ],
)
def test_bad_fleet_settings_are_refused(settings: dict[str, Any], fragments: list[str]) -> None:
    with pytest.raises(ConfigError) as caught:
        RepositoryFleet(cdk.App(), repositories=[RepositorySettings(name="ab")], **settings)
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message


def test_every_bad_repository_is_reported_at_once() -> None:
    with pytest.raises(ConfigError) as caught:
        RepositoryFleet(
            cdk.App(),
            repositories=[
                RepositorySettings(),
                RepositorySettings(name="ok"),
                RepositorySettings(name="ok"),
            ],
        )
    assert [p.where.split(" ")[0] for p in caught.value.problems] == [
        "repositories[0]",
        "repositories[2]",
    ]


# -- the shard map file -------------------------------------------------------------------


@pytest.fixture
def registry_copy(tmp_path: Path) -> Path:
    path = tmp_path / "registry.yaml"
    shutil.copy(EXAMPLE, path)
    return path


def test_from_file_commits_the_map_beside_the_file_after_synthesis_and_keeps_it(
    registry_copy: Path,
) -> None:
    written = registry_copy.with_name("registry.shards.json")
    app = cdk.App()
    with RepositoryFleet.from_file(app, registry_copy) as fleet:
        assert fleet.shard_map_path == written
        assert not written.exists()  # placed, not yet synthesized: nothing recorded
        assert fleet.commit_shard_map(app.synth()) is True
    assert ShardMap.read(written) == fleet.shard_map == ShardMap.read(EXAMPLE_MAP)
    assert fleet.previous_shard_map is None
    assert fleet.template_sizes["acme-ecr-registry"] > 60_000
    text = written.read_text()
    again_app = cdk.App()
    with RepositoryFleet.from_file(again_app, registry_copy, locked=True) as again:
        assert again.commit_shard_map(again_app.synth()) is False
    assert again.previous_shard_map == fleet.shard_map
    assert written.read_text() == text


def test_locked_refuses_a_missing_or_outdated_map_and_writes_nothing(
    registry_copy: Path,
) -> None:
    written = registry_copy.with_name("registry.shards.json")
    with pytest.raises(ConfigError) as missing:
        RepositoryFleet.from_file(cdk.App(), registry_copy, locked=True)
    assert str(missing.value).startswith(f"{written}: the shard map is missing")
    assert not written.exists()

    stale = ShardMap(repositories={"gone/away": 1})
    written.write_text(stale.to_json())
    with pytest.raises(ConfigError) as outdated:
        RepositoryFleet.from_file(cdk.App(), registry_copy, locked=True)
    assert "the shard map is out of date: 16 repositories to add, 1 to remove" in str(
        outdated.value
    )
    assert "allowed: run ecr-constructs synth without --locked" in str(outdated.value)
    assert ShardMap.read(written) == stale


# -- jsii calls ---------------------------------------------------------------------------


def kernel_requests(count: int, monkeypatch: pytest.MonkeyPatch) -> int:
    """Kernel requests made to build a fleet of ``count`` configured repositories."""
    app = cdk.App()
    lifecycle = [Lifecycle.expire_untagged(after_days=1), Lifecycle.keep_last(30)]
    access = [RepositoryAccess.pull(accounts=["987654321098"])]
    repositories = [
        RepositorySettings(name=f"r{i}", lifecycle=lifecycle, access=access, tags={"team": "a"})
        for i in range(count)
    ]
    requests = 0
    send = process._NodeProcess.send

    def counting(self: Any, *args: Any, **kwargs: Any) -> Any:
        nonlocal requests
        requests += 1
        return send(self, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(process._NodeProcess, "send", counting)
        RepositoryFleet(app, repositories=repositories, shard_map=ShardMap())
    return requests


def test_a_repository_costs_at_most_three_jsii_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    few, many = kernel_requests(10, monkeypatch), kernel_requests(60, monkeypatch)
    assert (many - few) / 50 <= 3


@pytest.mark.slow
def test_a_large_registry_section_is_measured_so_its_stack_stays_within_cloudformation(
    tmp_path: Path,
) -> None:
    """The registry-wide resources of the largest valid file (1,000 replication prefixes, 200
    scanning filters, a full registry policy...) are counted at their size, not as 2 KB
    each: repositories go to the next stack instead of overflowing the first."""
    from ecr_constructs.cli import main
    from ecr_constructs.cloudformation import MAX_TEMPLATE_BYTES

    from .registry_file_strategy import (
        SIGNING_FILTERS_UNDER_THE_LIMIT,
        file_text,
        largest_document,
        write_logos,
    )

    write_logos(tmp_path)
    registry = tmp_path / "registry.yaml"
    document = largest_document(SIGNING_FILTERS_UNDER_THE_LIMIT)
    registry.write_text(file_text(document, registry.name, ascii_only=False))
    assert main(["synth", str(registry), "-o", str(tmp_path / "out")]) == 0
    sizes = [path.stat().st_size for path in (tmp_path / "out").glob("*.template.json")]
    assert len(sizes) == 2
    assert max(sizes) <= MAX_TEMPLATE_BYTES
