"""``ecr-constructs lifecycle simulate --file`` and ``simulate_fleet`` against an account on
moto (ECR images with push times set through moto's backend, ECS tasks and services,
Lambda image functions, Batch job definitions; App Runner, which moto lacks, answered from
botocore's model); every call is recorded and any call that is not a read fails the test
(``live_fakes``). The gate (exit 1 naming a running image, exit 0 without it, tags resolved)
and the costs run in the fast loop; the other sources and cases are marked slow (a second or
two each)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.ecr.models import ecr_backends

from ecr_constructs import cli
from ecr_constructs.cli import EXIT_FAILURE, EXIT_INVALID, EXIT_OK
from ecr_constructs.errors import EcrConstructsError
from ecr_constructs.lifecycle.images import Image
from ecr_constructs.live.failures import CallFailed, aws_call
from ecr_constructs.live.fleet_images import RepositoryImages
from ecr_constructs.live.fleet_simulation import READ_CALLS, evaluate_fleet, simulate_fleet
from ecr_constructs.live.in_use import images_in_use
from ecr_constructs.live.session import connect
from ecr_constructs.live.storage_costs import StoragePrices
from ecr_constructs.live.workloads import InUseCheck, WorkloadImage, Workloads
from ecr_constructs.standards.registry_file.loading import load_registry

from .live_fakes import ACCOUNT, REGION, FakeAccount, fake_account, image_manifest

NOW = datetime(2026, 1, 31, tzinfo=UTC)
GIB = 2**30
HOST = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com"
REGISTRY = """\
version: 1
standards:
  service:
    lifecycle:
      - protect_tags: {prefixes: [prod]}
      - expire_untagged: {after_days: 1}
      - keep_last: {count: %(keep)d}
defaults:
  standard: service
repositories:
  - name: api
  - name: worker
  - name: ghost
"""
KEEP_TEN = {
    "rules": [
        {
            "rulePriority": 1,
            "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 10},
            "action": {"type": "expire"},
        }
    ]
}
"""The policy deployed today on ``api``: it expires nothing of six images."""
NO_APP_RUNNER: dict[str, Any] = {"apprunner:ListServices": {"ServiceSummaryList": []}}


class Images:
    """Pushes images with push times in the past (moto stamps the present)."""

    def __init__(self, ecr: Any) -> None:
        self.ecr = ecr
        self.pushed = 0
        self.digests: dict[tuple[str, str | None], str] = {}
        self.manifests: dict[tuple[str, str | None], str] = {}

    def push(self, repository: str, tag: str | None, *, days_ago: float) -> str:
        self.pushed += 1
        extra = {} if tag is None else {"imageTag": tag}
        manifest = self.manifests[(repository, tag)] = image_manifest(
            f"{self.pushed:064x}", size=GIB
        )
        response = self.ecr.put_image(repositoryName=repository, imageManifest=manifest, **extra)
        digest = str(response["image"]["imageId"]["imageDigest"])
        when = int((NOW - timedelta(days=days_ago)).timestamp())
        for image in ecr_backends[ACCOUNT][REGION].repositories[repository].images:
            if image.image_digest == digest:
                image.image_pushed_at = when
        self.digests[(repository, tag)] = digest
        return digest


@pytest.fixture
def account(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[FakeAccount, Images]]:
    """``api`` and ``worker``, six images each of 1 GiB (v1 oldest .. v4, prod-1, one
    untagged 5 days old); today ``api`` keeps ten, ``worker`` has no policy."""
    monkeypatch.setenv("MOTO_LAMBDA_STUB_ECR", "false")  # Lambda resolves tags in moto's ECR
    with fake_account(monkeypatch) as fake:
        fake.answers.update(NO_APP_RUNNER)
        images = Images(fake.ecr)
        for repository in ("api", "worker"):
            fake.ecr.create_repository(repositoryName=repository)
            for age, tag in ((10, "v1"), (9, "v2"), (8, "v3"), (7, "v4"), (6, "prod-1")):
                images.push(repository, tag, days_ago=age)
            images.push(repository, None, days_ago=5)
        fake.ecr.put_lifecycle_policy(
            repositoryName="api", lifecyclePolicyText=json.dumps(KEEP_TEN)
        )
        yield fake, images


def registry(folder: Path, keep: int) -> Path:
    path = folder / "registry.yaml"
    path.write_text(REGISTRY % {"keep": keep})
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out, captured.err


def simulated(
    capsys: pytest.CaptureFixture[str], file: Path, *extra: str
) -> tuple[int, dict[str, Any], str]:
    code, out, err = run(
        capsys,
        "lifecycle",
        "simulate",
        "--file",
        str(file),
        "--now",
        NOW.isoformat(),
        "--output",
        "json",
        *extra,
    )
    return code, json.loads(out) if out else {}, err


def run_task(image: str) -> None:
    ecs = boto3.client("ecs", region_name=REGION)
    ecs.create_cluster(clusterName="prod")
    definition = ecs.register_task_definition(
        family="api", containerDefinitions=[{"name": "app", "image": image, "memory": 128}]
    )["taskDefinition"]["taskDefinitionArn"]
    ecs.run_task(cluster="prod", taskDefinition=definition, launchType="FARGATE")


def test_a_change_that_expires_a_running_image_exits_1_and_names_it(
    account: tuple[FakeAccount, Images], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, images = account
    run_task(f"{HOST}/api:v1")
    code, result, _ = simulated(capsys, registry(tmp_path, keep=4))
    assert code == EXIT_FAILURE
    (hit,) = result["in_use_affected"]
    assert hit["repository"] == "api"
    assert hit["digest"] == images.digests[("api", "v1")]
    assert hit["tags"] == ["v1"]
    assert hit["action"] == "expire"
    assert hit["rulePriority"] == 3  # keep_last, after protect_tags and expire_untagged
    (user,) = hit["used_by"]
    assert user.startswith("ECS task prod/") and user.endswith("(container app)")
    assert result["in_use_today"] == []  # today's policy keeps ten


@pytest.mark.slow
def test_the_table_flags_the_running_image_in_use(
    account: tuple[FakeAccount, Images], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, images = account
    run_task(f"{HOST}/api:v1")
    file = registry(tmp_path, keep=4)
    code, out, _ = run(
        capsys, "lifecycle", "simulate", "--file", str(file), "--now", NOW.isoformat()
    )
    assert code == EXIT_FAILURE
    lines = out.splitlines()
    assert lines[0] == (
        f"account {ACCOUNT} in {REGION}, {file} at 2026-01-31T00:00:00+00:00: "
        "2 repositories simulated, 1 not deployed"
    )
    table = lines[lines.index("") + 1 :]
    assert table[:4] == [
        "REPOSITORY  IMAGES  TODAY: EXPIRE  ARCHIVE  FILE: EXPIRE  ARCHIVE  IN USE",
        "api         6       0              0        3 (3.0 GiB)   0        1 IN USE",
        "worker      6       no policy      -        3 (3.0 GiB)   0        -",
        "TOTAL       12      0              0        6 (6.0 GiB)   0        1 IN USE",
    ]
    flagged = lines.index(f"IN USE, expired or archived by {file}:")
    row = lines[flagged + 2].split()
    assert row[:5] == ["api", images.digests[("api", "v1")][:19], "v1", "expire", "(rule"]
    assert "not deployed (in the file, not in the account):" in lines
    assert "  ghost" in lines


def test_the_same_change_without_the_running_image_exits_0(
    account: tuple[FakeAccount, Images], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_task(f"{HOST}/api:v4")  # kept: among the newest four
    code, result, _ = simulated(capsys, registry(tmp_path, keep=4))
    assert code == EXIT_OK
    assert result["in_use_affected"] == []
    api = result["repositories"][0]
    assert [image["tags"] for image in api["in_use"]] == [["v4"]]
    assert len(api["with_file"]["expired"]) == 3


def test_tags_resolve_to_the_digest_they_name_now(
    account: tuple[FakeAccount, Images], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake, images = account
    # "stable" names v2's image: a service's task definition pulls it by tag.
    manifest = images.manifests[("worker", "v2")]
    fake.ecr.put_image(repositoryName="worker", imageManifest=manifest, imageTag="stable")
    ecs = boto3.client("ecs", region_name=REGION)
    ecs.create_cluster(clusterName="jobs")
    definition = ecs.register_task_definition(
        family="worker",
        containerDefinitions=[{"name": "w", "image": f"{HOST}/worker:stable", "memory": 128}],
    )["taskDefinition"]["taskDefinitionArn"]
    ecs.create_service(
        cluster="jobs", serviceName="queue", taskDefinition=definition, desiredCount=0
    )
    code, result, _ = simulated(capsys, registry(tmp_path, keep=4))
    (hit,) = result["in_use_affected"]
    assert hit["digest"] == images.digests[("worker", "v2")]
    assert sorted(hit["tags"]) == ["stable", "v2"]
    assert hit["used_by"] == ["ECS service jobs/queue (task definition worker:1)"]
    assert code == EXIT_FAILURE


@pytest.mark.slow
def test_lambda_versions_are_in_use_by_their_resolved_digest(
    account: tuple[FakeAccount, Images], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, images = account
    role = boto3.client("iam", region_name=REGION).create_role(
        RoleName="fn", AssumeRolePolicyDocument="{}"
    )["Role"]["Arn"]
    functions = boto3.client("lambda", region_name=REGION)
    functions.create_function(
        FunctionName="orders",
        Role=role,
        PackageType="Image",
        Code={"ImageUri": f"{HOST}/worker:v1"},
        Publish=True,
    )
    functions.update_function_code(FunctionName="orders", ImageUri=f"{HOST}/worker:v4")
    code, result, _ = simulated(capsys, registry(tmp_path, keep=4))
    assert code == EXIT_FAILURE
    (hit,) = result["in_use_affected"]  # version 1 runs v1; $LATEST runs v4, which is kept
    assert (hit["digest"], hit["used_by"]) == (
        images.digests[("worker", "v1")],
        ["Lambda function orders:1"],
    )
    in_use = {image["digest"]: image["used_by"] for image in result["repositories"][1]["in_use"]}
    assert in_use[images.digests[("worker", "v4")]] == ["Lambda function orders"]


@pytest.mark.slow
def test_batch_job_definitions_and_app_runner_services_count_as_in_use(
    account: tuple[FakeAccount, Images], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake, images = account
    boto3.client("batch", region_name=REGION).register_job_definition(
        jobDefinitionName="nightly",
        type="container",
        containerProperties={"image": f"{HOST}/api:v2", "vcpus": 1, "memory": 128},
    )
    arn = f"arn:aws:apprunner:{REGION}:{ACCOUNT}:service/webapp/0123456789abcdef0123456789abcdef"
    fake.answers["apprunner:ListServices"] = {
        "ServiceSummaryList": [{"ServiceName": "webapp", "ServiceArn": arn}]
    }
    fake.answers["apprunner:DescribeService"] = {
        "Service": {
            "ServiceName": "webapp",
            "ServiceId": "0123456789abcdef0123456789abcdef",
            "ServiceArn": arn,
            "CreatedAt": NOW,
            "UpdatedAt": NOW,
            "Status": "RUNNING",
            "SourceConfiguration": {
                "ImageRepository": {
                    "ImageIdentifier": f"{HOST}/worker@{images.digests[('worker', 'v1')]}",
                    "ImageRepositoryType": "ECR",
                }
            },
            "InstanceConfiguration": {},
            "AutoScalingConfigurationSummary": {},
            "NetworkConfiguration": {},
        }
    }
    code, result, _ = simulated(capsys, registry(tmp_path, keep=4))
    assert code == EXIT_FAILURE
    affected = {
        (d["repository"], tuple(d["tags"])): d["used_by"] for d in result["in_use_affected"]
    }
    assert affected == {
        ("api", ("v2",)): ["Batch job definition nightly:1"],
        ("worker", ("v1",)): ["App Runner service webapp"],
    }
    assert fake.operations("apprunner") == {"ListServices": 1, "DescribeService": 1}


@pytest.mark.slow
def test_today_and_the_file_side_by_side(
    account: tuple[FakeAccount, Images], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake, images = account
    fake.ecr.put_lifecycle_policy(
        repositoryName="worker",
        lifecyclePolicyText=json.dumps(
            {
                "rules": [
                    {
                        "rulePriority": 1,
                        "selection": {
                            "tagStatus": "untagged",
                            "countType": "sinceImagePushed",
                            "countUnit": "days",
                            "countNumber": 3,
                        },
                        "action": {"type": "expire"},
                    }
                ]
            }
        ),
    )
    code, result, _ = simulated(capsys, registry(tmp_path, keep=5), "--in-use", "off")
    assert code == EXIT_OK
    api, worker = result["repositories"]
    assert (api["today"]["expired"], len(api["with_file"]["expired"])) == ([], 2)
    assert worker["today"]["expired"] == [images.digests[("worker", None)]]
    assert set(worker["with_file"]["expired"]) == {
        images.digests[("worker", None)],
        images.digests[("worker", "v1")],
    }
    assert result["in_use"] == {
        "check": "off",
        "checked": [],
        "unchecked": [],
        "not_offered": [],
        "missing": [],
    }
    assert fake.operations("ecs") == {} and fake.operations("lambda") == {}


@pytest.mark.slow
def test_reads_only_and_two_calls_per_repository(
    account: tuple[FakeAccount, Images], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake, _ = account
    run_task(f"{HOST}/api:v4")
    simulated(capsys, registry(tmp_path, keep=4))  # any call not a read fails in the hook
    for service in ("ecr", "ecs", "lambda", "batch", "apprunner"):
        assert set(fake.operations(service)) <= READ_CALLS[service], service
    assert fake.operations("ecr") == {
        "DescribeRegistry": 1,
        "DescribeImages": 3,  # api, worker and ghost, which doesn't exist
        "GetLifecyclePolicy": 2,
    }


@pytest.mark.slow
def test_in_use_sources_the_caller_may_not_read_are_listed_or_with_require_exit_2(
    account: tuple[FakeAccount, Images], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake, _ = account
    fake.answers["ecs:ListClusters"] = "AccessDeniedException"
    file = registry(tmp_path, keep=4)
    code, result, _ = simulated(capsys, file)
    assert code == EXIT_OK
    (unchecked,) = result["in_use"]["unchecked"]
    assert unchecked["call"] == "ListClusters"
    assert unchecked["message"].startswith(
        "access denied: ListClusters on ECS clusters in eu-west-1 needs ecs:ListClusters"
    )
    assert [line.split(":")[0] for line in result["in_use"]["checked"]] == [
        "Lambda",
        "App Runner",
        "Batch",
    ]
    code, result, _ = simulated(capsys, file, "--in-use", "require")
    assert code == EXIT_INVALID
    assert [u["call"] for u in result["unreadable"]] == ["ListClusters"]


@pytest.mark.slow
def test_a_repository_that_can_t_be_read_exits_2_and_the_others_are_simulated(
    account: tuple[FakeAccount, Images], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake, _ = account
    fake.refuse[("DescribeImages", "worker")] = "AccessDeniedException"
    code, result, _ = simulated(capsys, registry(tmp_path, keep=4))
    assert code == EXIT_INVALID
    assert [r["name"] for r in result["repositories"]] == ["api"]
    assert result["not_deployed"] == ["ghost"]
    (refused,) = result["unreadable"]
    assert refused["message"].startswith(
        "access denied: DescribeImages on repository 'worker' in eu-west-1 needs ecr:DescribeImages"
    )


@pytest.mark.slow
def test_the_library_api_answers_in_python(
    account: tuple[FakeAccount, Images], tmp_path: Path
) -> None:
    _, images = account
    run_task(f"{HOST}/api:v1")
    result = simulate_fleet(load_registry(registry(tmp_path, keep=4)), connect(), now=NOW)
    assert [(d.repository, d.image.digest) for d in result.in_use_affected] == [
        ("api", images.digests[("api", "v1")])
    ]
    api = result.repositories[0]
    assert api.with_file.result is not None
    assert api.with_file.result.decision(images.digests[("api", "prod-1")]).action == "keep"
    # Six images of 1 GiB each per repository; the file expires three of each.
    assert (result.costs.now.standard, result.costs.after_file.standard) == (12 * GIB, 6 * GIB)
    assert result.costs.saving == pytest.approx(0.60)
    off = simulate_fleet(
        load_registry(registry(tmp_path, keep=4)), connect(), now=NOW, in_use=InUseCheck.OFF
    )
    assert off.in_use_affected == () and off.in_use.workloads is None


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (["--policy", "p.json"], "--policy doesn't apply to --file"),
        (["--now", "soon"], "--now: is not an ISO 8601 timestamp"),
    ],
)
def test_bad_options_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], expected: str
) -> None:
    file = registry(tmp_path, keep=4)
    code, _, err = run(capsys, "lifecycle", "simulate", "--file", str(file), *extra)
    assert code == EXIT_INVALID
    assert err.startswith(expected)


def test_a_negative_price_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = registry(tmp_path, keep=4)
    with pytest.raises(SystemExit) as exited:
        cli.main(["lifecycle", "simulate", "--file", str(file), "--standard-price", "-1"])
    assert exited.value.code == EXIT_INVALID
    assert "argument --standard-price: not a price: '-1'" in capsys.readouterr().err


def test_file_options_need_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        capsys, "lifecycle", "simulate", "--repository", "api", "--in-use", "off", "--workers", "2"
    )
    assert (code, err) == (EXIT_INVALID, "--in-use, --workers: only with --file\n")


def test_a_file_for_another_account_exits_2_naming_both(
    account: tuple[FakeAccount, Images], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = registry(tmp_path, keep=4)
    file.write_text(file.read_text() + "deployment:\n  account: '999999999999'\n")
    code, out, err = run(capsys, "lifecycle", "simulate", "--file", str(file))
    assert (code, out) == (EXIT_INVALID, "")
    assert err.splitlines()[-1] == (
        f"error: the credentials are for account {ACCOUNT}; {file} describes account "
        "999999999999 (deployment.account)"
    )


def test_an_invalid_registry_file_exits_2_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "registry.yaml"
    file.write_text("version: 1\nrepositories:\n  - name: Not_Valid\n")
    code, out, err = run(capsys, "lifecycle", "simulate", "--file", str(file))
    assert (code, out) == (EXIT_INVALID, "")
    assert err.startswith(f"{file}:3: repositories[0].name")


COSTED = """\
version: 1
repositories:
  - name: shop
    lifecycle:
      - expire_untagged: {after_days: 1}
      - archive_old: {after_days: 30}
"""


def test_storage_costs_by_hand(tmp_path: Path) -> None:
    """Four images: 2 GiB untagged (expired), 4 GiB tagged and 60 days old (archived), 1 GiB
    already archived and 3 GiB new (both kept); standard $0.10, archive $0.07."""
    file = tmp_path / "registry.yaml"
    file.write_text(COSTED)
    old = NOW - timedelta(days=60)
    images = (
        Image(digest="sha256:untagged", pushed_at=old, size_bytes=2 * GIB),
        Image(digest="sha256:old", pushed_at=old, tags=("v1",), size_bytes=4 * GIB),
        Image(
            digest="sha256:cold",
            pushed_at=old,
            tags=("v0",),
            status="ARCHIVED",
            archived_at=old,
            size_bytes=1 * GIB,
        ),
        Image(digest="sha256:new", pushed_at=NOW, tags=("v2",), size_bytes=3 * GIB),
    )
    result = evaluate_fleet(
        load_registry(file),
        [RepositoryImages("shop", exists=True, images=images)],
        account=ACCOUNT,
        region=REGION,
        now=NOW,
        prices=StoragePrices(standard=0.10, archive=0.07),
    )
    costs = result.costs
    assert (costs.now.standard, costs.now.archive) == (9 * GIB, 1 * GIB)
    assert (costs.after_file.standard, costs.after_file.archive) == (3 * GIB, 5 * GIB)
    assert costs.after_today == costs.now  # no policy today: nothing changes
    assert costs.monthly(costs.now).total == pytest.approx(9 * 0.10 + 1 * 0.07)  # 0.97
    assert costs.monthly(costs.after_file).total == pytest.approx(3 * 0.10 + 5 * 0.07)  # 0.65
    assert costs.saving == pytest.approx(0.32)
    # The 4 GiB archived now are billed for at least 90 days: 3 months at 0.07.
    assert costs.archive_minimum == pytest.approx(4 * 0.07 * 3)  # 0.84
    assert costs.to_dict()["saving_usd_per_month"] == 0.32
    assert costs.to_dict()["archive_minimum_usd"] == 0.84


def test_prices_are_checked_where_they_are_made() -> None:
    with pytest.raises(EcrConstructsError, match=r"archive_price: is not a price \(given -0.01"):
        StoragePrices(archive=-0.01)


def test_references_resolve_to_digests_of_this_registry_only() -> None:
    """By tag (the image it names now), by digest, by tag and digest (the digest is pulled),
    a task's running digest; other registries ignored; what names nothing is listed."""
    v1, v2, old = ("sha256:" + c * 64 for c in "12f")
    images = (
        Image(digest=v1, pushed_at=NOW, tags=("v1", "stable")),
        Image(digest=v2, pushed_at=NOW, tags=("v2",)),
    )
    dual = f"{ACCOUNT}.dkr-ecr.{REGION}.on.aws"
    workloads = Workloads(
        images=(
            WorkloadImage(f"{HOST}/api:stable", "by tag"),
            WorkloadImage(f"{dual}/api@{v2}", "by digest, dual-stack"),
            WorkloadImage(f"{HOST}/api:v1@{v2}", "tag and digest"),
            WorkloadImage(f"{HOST}/api:v1", "task", running_digest=old),
            WorkloadImage(f"{HOST}/api:gone", "lost tag"),
            WorkloadImage(f"999999999999.dkr.ecr.{REGION}.amazonaws.com/api:v2", "elsewhere"),
            WorkloadImage(f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/api:v2", "other region"),
            WorkloadImage("public.ecr.aws/nginx/nginx:latest", "public"),
            WorkloadImage(f"{HOST}/other:v1", "a repository not in the file"),
        ),
        checked=(),
        unchecked=(),
    )
    used, missing = images_in_use(
        workloads, ACCOUNT, REGION, [RepositoryImages("api", exists=True, images=images)]
    )
    assert {image.digest: image.used_by for image in used["api"]} == {
        v1: ("by tag", "task"),
        v2: ("by digest, dual-stack", "tag and digest"),
    }
    assert missing == (
        f"api@{old} (used by task): no such image",
        "api:gone (used by lost tag): no such tag",
    )


def test_a_failure_is_one_line() -> None:
    """botocore's validation errors say a line per problem; the failure is one line."""
    runner = boto3.client("apprunner", region_name=REGION)
    with (
        pytest.raises(CallFailed) as failed,
        aws_call("DescribeService", "App Runner service web", REGION),
    ):
        runner.describe_service(ServiceArn="")  # refused before it is sent
    assert str(failed.value) == (
        "DescribeService on App Runner service web failed: Parameter validation failed: "
        "Invalid length for parameter ServiceArn, value: 0, valid min length: 1"
    )
