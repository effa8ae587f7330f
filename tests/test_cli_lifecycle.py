"""`ecr-constructs lifecycle validate|simulate`: files, live repositories (moto, Stubber),
exit codes and messages."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

import ecr_constructs.cli as cli
from ecr_constructs import live
from ecr_constructs.cli import EXIT_FAILURE, EXIT_INVALID, EXIT_OK

from .live_fakes import image_manifest

NOW = "2026-01-31T00:00:00Z"
REGION = "eu-west-1"
POLICY = {
    "rules": [
        {
            "rulePriority": 1,
            "description": "Protect production",
            "selection": {
                "tagStatus": "tagged",
                "tagPatternList": ["prod*"],
                "countType": "sinceImagePushed",
                "countUnit": "days",
                "countNumber": 36500,
            },
            "action": {"type": "expire"},
        },
        {
            "rulePriority": 2,
            "selection": {
                "tagStatus": "untagged",
                "countType": "sinceImagePushed",
                "countUnit": "days",
                "countNumber": 7,
            },
            "action": {"type": "expire"},
        },
        {
            "rulePriority": 3,
            "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 2},
            "action": {"type": "expire"},
        },
    ]
}


def digest(n: int) -> str:
    return f"sha256:{str(n) * 64}"


IMAGES = {
    "imageDetails": [
        {
            "imageDigest": digest(1),
            "imageTags": ["prod-1"],
            "imageSizeInBytes": 50 * 2**20,
            "imagePushedAt": "2025-10-01T10:00:00+00:00",
        },
        {
            "imageDigest": digest(2),
            "imageSizeInBytes": 10 * 2**20,
            "imagePushedAt": "2026-01-01T10:00:00+00:00",
        },
        {
            "imageDigest": digest(3),
            "imageTags": ["feature-login", "sha-3f2a"],
            "imageSizeInBytes": 46 * 2**20,
            "imagePushedAt": "2026-01-20T10:00:00+00:00",
        },
        {
            "imageDigest": digest(4),
            "imageTags": ["feature-search"],
            "imageSizeInBytes": 45 * 2**20,
            "imagePushedAt": 1769594400,
        },
        {
            "imageDigest": digest(5),
            "imageTags": ["main"],
            "imageSizeInBytes": 45 * 2**20,
            "imagePushedAt": "2026-01-30T10:00:00Z",
        },
    ]
}


@pytest.fixture(autouse=True)
def lifecycle_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("ecr_constructs.cli.lifecycle",))


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "policy.json").write_text(json.dumps(POLICY, indent=2))
    (tmp_path / "images.json").write_text(json.dumps(IMAGES, indent=2))
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def simulate_files(
    capsys: pytest.CaptureFixture[str], files: Path, *extra: str
) -> tuple[int, str, str]:
    """``lifecycle simulate`` with the policy and images files in ``files``."""
    policy, images = str(files / "policy.json"), str(files / "images.json")
    return run(capsys, "lifecycle", "simulate", "--policy", policy, "--images", images, *extra)


# --- validate


def test_validate_accepts_a_valid_policy(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "lifecycle", "validate", str(files / "policy.json"))
    assert (code, err) == (EXIT_OK, "")
    assert out == f"{files / 'policy.json'}: valid lifecycle policy, 3 rules\n"


def test_validate_accepts_get_lifecycle_policy_output_and_prints_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = json.loads(json.dumps(POLICY))
    document["rules"][0]["selection"]["tagPatternList"] = ["prod*", "v*"]
    path = tmp_path / "current.json"
    path.write_text(
        json.dumps({"repositoryName": "app", "lifecyclePolicyText": json.dumps(document)})
    )
    code, out, err = run(capsys, "lifecycle", "validate", str(path))
    assert code == EXIT_OK and "valid lifecycle policy, 3 rules" in out
    assert err.startswith(f"{path}: warning: rules[0].selection.tagPatternList has 2 entries")


def test_validate_reports_every_problem_on_its_own_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = json.loads(json.dumps(POLICY))
    document["rules"][1]["selection"]["countNumber"] = 0
    document["rules"][2]["rulePriority"] = 1
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))
    code, out, err = run(capsys, "lifecycle", "validate", str(path))
    assert (code, out) == (EXIT_INVALID, "")
    lines = err.splitlines()
    assert len(lines) == 2
    assert all(line.startswith(f"{path}: rules[") for line in lines)
    assert any("rules[1].selection.countNumber: must be at least 1 (given 0" in x for x in lines)
    assert any("rules[2].rulePriority: rulePriority 1 is already used" in x for x in lines)


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ('{"rules": [', "bad.json:1:12: is not valid JSON: Expecting value"),
        ("[1, 2]", "bad.json: policy: must be a JSON object (given [1, 2]"),
        ('{"rules": []}', "bad.json: policy: a lifecycle policy has 1 to 50 rules (given 0"),
        (b"\xff\xfe", "bad.json:1:1: is not UTF-8 text (byte 0xff at offset 0)"),
    ],
)
def test_validate_bad_files_exit_2_with_the_file_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | bytes, fragment: str
) -> None:
    path = tmp_path / "bad.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    code, _, err = run(capsys, "lifecycle", "validate", str(path))
    assert code == EXIT_INVALID
    assert err.strip().endswith(fragment) or fragment in err
    assert str(tmp_path) in err and "Traceback" not in err


def test_validate_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "lifecycle", "validate", str(tmp_path / "nope.json"))
    assert code == EXIT_INVALID
    assert err == f"{tmp_path / 'nope.json'}: cannot read: No such file or directory\n"


# --- simulate from files


def test_simulate_table(files: Path, capsys: pytest.CaptureFixture[str], snapshot: Any) -> None:
    code, out, err = simulate_files(capsys, files, "--now", NOW)
    assert (code, err) == (EXIT_OK, "")
    assert out == snapshot
    lines = out.splitlines()
    assert lines[0].split() == ["DIGEST", "TAGS", "AGE", "CLASS", "DECISION", "RULE", "NOTE"]
    assert lines[-1] == (
        "5 images at 2026-01-31T00:00:00+00:00: 2 expire, 0 transition, 3 keep; "
        "frees 56.0 MiB (58,720,256 bytes)"
    )


def test_simulate_json_is_the_result_dict(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = simulate_files(capsys, files, "--now", NOW, "--output", "json")
    assert code == EXIT_OK
    result = json.loads(out)
    assert result["expired"] == [digest(2), digest(3)]
    assert result["archived"] == []
    assert result["kept"] == [digest(1), digest(4), digest(5)]
    assert result["decisions"][1] == {
        "imageDigest": digest(2),
        "imageTags": [],
        "action": "expire",
        "rulePriority": 2,
    }
    assert set(result) == {"expired", "archived", "kept", "decisions"}


def test_simulate_accepts_the_imagedetails_list(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (files / "list.json").write_text(json.dumps(IMAGES["imageDetails"]))
    code, out, _ = run(
        capsys,
        "lifecycle",
        "simulate",
        "--policy",
        str(files / "policy.json"),
        "--images",
        str(files / "list.json"),
        "--now",
        NOW,
        "--output",
        "json",
    )
    assert code == EXIT_OK and json.loads(out)["expired"] == [digest(2), digest(3)]


@pytest.mark.parametrize(
    ("images", "extra", "fragment"),
    [
        (
            {"imageDetails": [{"imageDigest": "x"}]},
            [],
            "images.json: imageDetails[0].imagePushedAt: is required (given None; allowed: a "
            "datetime, an ISO 8601 string or epoch seconds)",
        ),
        (
            {"imageDetails": [{"imageDigest": "x", "imagePushedAt": "soon"}]},
            [],
            "images.json: imageDetails[0].imagePushedAt: is not an ISO 8601 timestamp",
        ),
        ({"items": []}, [], "images.json: images: is not a describe-images response"),
        (IMAGES, ["--now", "tomorrow"], "--now: is not an ISO 8601 timestamp (given 'tomorrow'"),
        (IMAGES, ["--region", "eu-west-1"], "--region and --profile only apply to --repository"),
    ],
)
def test_simulate_bad_input_exits_2_naming_file_and_field(
    files: Path, capsys: pytest.CaptureFixture[str], images: Any, extra: list[str], fragment: str
) -> None:
    (files / "images.json").write_text(json.dumps(images))
    code, out, err = simulate_files(capsys, files, *extra)
    assert (code, out) == (EXIT_INVALID, "")
    assert fragment in err and "Traceback" not in err


def test_simulate_with_an_invalid_policy_exits_2(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (files / "policy.json").write_text('{"rules": [{"rulePriority": 1}]}')
    code, _, err = simulate_files(capsys, files)
    assert code == EXIT_INVALID
    assert f"{files / 'policy.json'}: rules[0].selection: selection is required" in err


def test_simulate_needs_a_policy_with_images(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "lifecycle", "simulate", "--images", str(files / "images.json"))
    assert (code, err) == (EXIT_INVALID, "--policy POLICY.json is required with --images\n")


# --- simulate a live repository


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """moto, with every ECR operation the commands send recorded."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    calls: list[str] = []
    original = live.ecr_client

    def recording_client(**kwargs: Any) -> Any:
        client = original(**kwargs)
        client.meta.events.register(
            "before-call.ecr.*", lambda model, **_: calls.append(model.name)
        )
        return client

    monkeypatch.setattr(live, "ecr_client", recording_client)
    with mock_aws():
        ecr = boto3.client("ecr", region_name=REGION)
        ecr.create_repository(repositoryName="app")
        for tag, layer in (("prod-1", "a"), ("dev-1", "b"), ("dev-2", "d")):
            ecr.put_image(
                repositoryName="app", imageManifest=image_manifest(layer * 64), imageTag=tag
            )
        yield calls


def _live(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, str]:
    later = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    return run(
        capsys,
        "lifecycle",
        "simulate",
        "--repository",
        "app",
        "--region",
        REGION,
        "--now",
        later,
        "--output",
        "json",
        *extra,
    )


def test_live_uses_the_repository_s_current_policy(
    aws: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    current = {
        "rules": [
            {
                "rulePriority": 1,
                "selection": {
                    "tagStatus": "tagged",
                    "tagPrefixList": ["dev"],
                    "countType": "sinceImagePushed",
                    "countUnit": "days",
                    "countNumber": 14,
                },
                "action": {"type": "expire"},
            }
        ]
    }
    boto3.client("ecr", region_name=REGION).put_lifecycle_policy(
        repositoryName="app", lifecyclePolicyText=json.dumps(current)
    )
    code, out, err = _live(capsys)
    assert (code, err) == (EXIT_OK, "")
    decisions = {tuple(d["imageTags"]): d["action"] for d in json.loads(out)["decisions"]}
    assert decisions == {("prod-1",): "keep", ("dev-1",): "expire", ("dev-2",): "expire"}
    assert set(aws) == {"DescribeImages", "GetLifecyclePolicy"} <= live.READ_OPERATIONS


def test_live_with_a_new_policy_file_reads_only_the_images(
    aws: list[str], files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Keep one image: whatever the push order, at least one dev image is beyond it, and
    # prod-1 stays protected by rule 1.
    keep_one = json.loads(json.dumps(POLICY))
    keep_one["rules"][2]["selection"]["countNumber"] = 1
    (files / "keep-one.json").write_text(json.dumps(keep_one))
    code, out, _ = _live(capsys, "--policy", str(files / "keep-one.json"))
    assert code == EXIT_OK
    decisions = json.loads(out)["decisions"]
    expired = [(d["imageTags"], d["rulePriority"]) for d in decisions if d["action"] == "expire"]
    assert expired
    assert all(tags in (["dev-1"], ["dev-2"]) and rule == 3 for tags, rule in expired)
    assert aws == ["DescribeImages"]


def test_live_repository_without_a_policy_exits_1(
    aws: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _live(capsys)
    assert (code, out) == (EXIT_FAILURE, "")
    assert err == (
        "error: repository 'app' in eu-west-1 has no lifecycle policy; give one to simulate "
        "(--policy)\n"
    )


def test_live_unknown_repository_exits_1(
    aws: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "lifecycle", "simulate", "--repository", "nope", "--region", REGION)
    assert (code, err) == (EXIT_FAILURE, "error: repository 'nope' does not exist in eu-west-1\n")


def _stubbed(monkeypatch: pytest.MonkeyPatch) -> Stubber:
    client = boto3.client(
        "ecr", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="y"
    )
    stubber = Stubber(client)
    monkeypatch.setattr(live, "ecr_client", lambda **_: client)
    return stubber


def test_live_reads_every_page_and_every_storage_class(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stubber = _stubbed(monkeypatch)
    request = {"repositoryName": "app", "filter": {"tagStatus": "ANY", "imageStatus": "ANY"}}
    day = datetime(2026, 1, 31, tzinfo=UTC)
    stubber.add_response(
        "describe_images",
        {
            "imageDetails": [
                {
                    "imageDigest": digest(1),
                    "imageTags": ["v1"],
                    "imagePushedAt": day - timedelta(9),
                },
                {
                    "imageDigest": digest(2),
                    "imageTags": ["v2"],
                    "imagePushedAt": day - timedelta(5),
                },
            ],
            "nextToken": "page-2",
        },
        request,
    )
    stubber.add_response(
        "describe_images",
        {
            "imageDetails": [
                {
                    "imageDigest": digest(3),
                    "imagePushedAt": day - timedelta(400),
                    "imageStatus": "ARCHIVED",
                    "lastArchivedAt": day - timedelta(200),
                },
                {
                    "imageDigest": digest(4),
                    "imageTags": ["v4"],
                    "imagePushedAt": day - timedelta(1),
                },
            ]
        },
        {**request, "nextToken": "page-2"},
    )
    policy = {
        "rules": [
            {
                "rulePriority": 1,
                "selection": {
                    "tagStatus": "any",
                    "countType": "imageCountMoreThan",
                    "countNumber": 2,
                },
                "action": {"type": "expire"},
            },
            {
                "rulePriority": 2,
                "selection": {
                    "tagStatus": "any",
                    "storageClass": "archive",
                    "countType": "sinceImageTransitioned",
                    "countUnit": "days",
                    "countNumber": 180,
                },
                "action": {"type": "expire"},
            },
        ]
    }
    stubber.add_response(
        "get_lifecycle_policy",
        {"lifecyclePolicyText": json.dumps(policy)},
        {"repositoryName": "app"},
    )
    with stubber:
        code, out, _ = run(
            capsys, "lifecycle", "simulate", "--repository", "app", "--now", NOW, "--output", "json"
        )
    assert code == EXIT_OK
    result = json.loads(out)
    assert result["expired"] == [digest(1), digest(3)]
    assert [d["rulePriority"] for d in result["decisions"]] == [1, None, 2, None]
    stubber.assert_no_pending_responses()


@pytest.mark.parametrize(
    ("code", "message", "expected"),
    [
        (
            "AccessDeniedException",
            "User: arn:aws:iam::123456789012:user/x is not authorized",
            "error: access denied: DescribeImages on 'app' in eu-west-1 needs ecr:DescribeImages "
            "(User: arn:aws:iam::123456789012:user/x is not authorized)",
        ),
        (
            "ExpiredTokenException",
            "The security token included in the request is expired",
            "error: AWS rejected the credentials (ExpiredTokenException): The security token "
            "included in the request is expired",
        ),
        (
            "ServerException",
            "boom",
            "error: DescribeImages on 'app' in eu-west-1 failed: ServerException: boom",
        ),
    ],
)
def test_live_aws_errors_exit_1_on_one_line(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    code: str,
    message: str,
    expected: str,
) -> None:
    stubber = _stubbed(monkeypatch)
    stubber.add_client_error("describe_images", service_error_code=code, service_message=message)
    with stubber:
        exit_code, out, err = run(capsys, "lifecycle", "simulate", "--repository", "app")
    assert (exit_code, out, err) == (EXIT_FAILURE, "", expected + "\n")


def test_live_policy_that_fails_validation_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stubber = _stubbed(monkeypatch)
    stubber.add_response("describe_images", {"imageDetails": []})
    document = json.loads(json.dumps(POLICY))
    document["rules"][2]["selection"]["countNumber"] = 0
    stubber.add_response("get_lifecycle_policy", {"lifecyclePolicyText": json.dumps(document)})
    with stubber:
        code, _, err = run(capsys, "lifecycle", "simulate", "--repository", "app")
    assert code == EXIT_INVALID
    assert err == (
        "app (current lifecycle policy): rules[2].selection.countNumber: must be at least 1 "
        "(given 0; allowed: >= 1)\n"
    )


@pytest.fixture
def no_aws_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_ROLE_ARN",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            ["--region", REGION],
            "error: no AWS credentials found: use a profile (--profile), environment variables or "
            "an instance role",
        ),
        (
            [],
            "error: no AWS region: give one (--region) or set AWS_REGION, or use a profile "
            "with a region",
        ),
        (
            ["--profile", "ghost"],
            "error: AWS profile 'ghost' is not in the AWS config or credentials files",
        ),
    ],
)
def test_live_without_credentials_region_or_profile_exits_1(
    no_aws_config: None, capsys: pytest.CaptureFixture[str], extra: list[str], expected: str
) -> None:
    code, out, err = run(capsys, "lifecycle", "simulate", "--repository", "app", *extra)
    assert (code, out, err) == (EXIT_FAILURE, "", expected + "\n")


# --- Exactly what ECR accepts, hostile files and the preview's timing, from the command line.


def _write(path: Path, content: str | bytes) -> str:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return str(path)


def _one_line_error(err: str) -> str:
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    return lines[0]


def test_validate_refuses_a_null_field_naming_rule_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = json.loads(json.dumps(POLICY))
    document["rules"][2]["selection"]["countUnit"] = None
    path = _write(tmp_path / "p.json", json.dumps(document))
    code, out, err = run(capsys, "lifecycle", "validate", path)
    assert (code, out) == (EXIT_INVALID, "")
    assert _one_line_error(err) == (
        f"{path}: rules[2].selection.countUnit: is null: ECR refuses null fields (leave the key "
        "out instead) (given None; allowed: a value, or no key)"
    )


def test_validate_counts_the_file_s_text_as_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = [
        {
            "rulePriority": n,
            "description": "x" * 300,
            "selection": {
                "tagStatus": "tagged",
                "tagPrefixList": [f"team{n}"],
                "countType": "imageCountMoreThan",
                "countNumber": 5,
            },
            "action": {"type": "expire"},
        }
        for n in range(1, 51)
    ]
    compact = _write(tmp_path / "compact.json", json.dumps({"rules": rules}))
    assert run(capsys, "lifecycle", "validate", compact)[0] == EXIT_OK
    text = json.dumps({"rules": rules}, indent=22)
    assert len(text) > 78_000
    pretty = _write(tmp_path / "pretty.json", text)
    code, _, err = run(capsys, "lifecycle", "validate", pretty)
    assert code == EXIT_INVALID
    assert _one_line_error(err).startswith(
        f"{pretty}: policy: the policy text as given is {len(text):,} characters; ECR accepts "
        "100 to 30,720 (indentation and escapes count)"
    )


def test_validate_refuses_a_5000_digit_number_with_the_library_s_message(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = json.dumps(POLICY).replace('"countNumber": 7', '"countNumber": ' + "7" * 5000)
    path = _write(files / "huge.json", text)
    code, _, err = run(capsys, "lifecycle", "validate", path)
    assert code == EXIT_INVALID
    assert _one_line_error(err).startswith(f"{path}:1:")
    assert "has an integer of 5,000 digits (allowed: integers of at most 4,300 digits)" in err


def test_validate_refuses_32_bit_overflow(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = json.loads(json.dumps(POLICY))
    document["rules"][2]["rulePriority"] = 2**31
    path = _write(tmp_path / "p.json", json.dumps(document))
    code, _, err = run(capsys, "lifecycle", "validate", path)
    assert code == EXIT_INVALID
    assert "rules[2].rulePriority: must be at most 2,147,483,647 (ECR's 32-bit limit)" in err


def test_validate_accepts_a_pattern_of_128_tag_characters_and_a_wildcard(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = json.loads(json.dumps(POLICY))
    document["rules"][0]["selection"]["tagPatternList"] = ["a" * 128 + "*"]
    path = _write(tmp_path / "p.json", json.dumps(document))
    assert run(capsys, "lifecycle", "validate", path)[:2] == (
        EXIT_OK,
        f"{path}: valid lifecycle policy, 3 rules\n",
    )


@pytest.mark.parametrize("which", ["validate", "policy", "images"])
@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("[" * 100_000, ":1:101: nests arrays and objects more than 100 deep"),
        (b'{"rules": "\x80"}', ":1:12: is not UTF-8 text (byte 0x80 at offset 11)"),
    ],
    ids=["deep", "not-utf8"],
)
def test_hostile_files_exit_2_on_one_line(
    files: Path, capsys: pytest.CaptureFixture[str], which: str, content: str | bytes, fragment: str
) -> None:
    bad = _write(files / "bad.json", content)
    if which == "validate":
        argv = ["validate", bad]
    else:
        policy = bad if which == "policy" else str(files / "policy.json")
        images = bad if which == "images" else str(files / "images.json")
        argv = ["simulate", "--policy", policy, "--images", images]
    code, out, err = run(capsys, "lifecycle", *argv)
    assert (code, out) == (EXIT_INVALID, "")
    assert _one_line_error(err).startswith(f"{bad}{fragment}")


def _simulate_json(files: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> Any:
    code, out, err = simulate_files(capsys, files, "--output", "json", *extra)
    assert (code, err) == (EXIT_OK, "")
    return json.loads(out)


def test_simulate_now_takes_a_date(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _simulate_json(files, capsys, "--now", "2026-01-31") == _simulate_json(
        files, capsys, "--now", NOW
    )


def test_simulate_reports_an_untagged_image_36_hours_old_under_a_one_day_rule(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = json.loads(json.dumps(POLICY))
    document["rules"][1]["selection"]["countNumber"] = 1
    (files / "policy.json").write_text(json.dumps(document))
    images = {"imageDetails": [{"imageDigest": "u", "imagePushedAt": "2026-01-29T12:00:00Z"}]}
    (files / "images.json").write_text(json.dumps(images))
    result = _simulate_json(files, capsys, "--now", NOW)
    assert result["expired"] == ["u"]
    assert result["decisions"][0]["rulePriority"] == 2


def test_simulate_children_of_an_archived_manifest_list_are_not_held(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    images = {
        "imageDetails": [
            {"imageDigest": "amd64", "imagePushedAt": "2025-12-01T00:00:00Z"},
            {
                "imageDigest": "index",
                "imageTags": ["prod-1"],
                "imagePushedAt": "2025-12-01T00:00:00Z",
                "imageStatus": "ARCHIVED",
                "lastArchivedAt": "2026-01-01T00:00:00Z",
                "manifestDigests": ["amd64"],
            },
        ]
    }
    (files / "images.json").write_text(json.dumps(images))
    result = _simulate_json(files, capsys, "--now", NOW)
    assert result["expired"] == ["amd64"]
    assert result["kept"] == ["index"]


def test_simulate_matches_many_wildcard_patterns_against_long_tags(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = json.loads(json.dumps(POLICY))
    document["rules"][0]["selection"]["tagPatternList"] = ["*a*a*a*a"]
    (files / "policy.json").write_text(json.dumps(document))
    near_misses = [f"{'a' * 118}{n:09d}b" for n in range(200)]
    details = [
        {"imageDigest": f"miss-{n}", "imageTags": [tag], "imagePushedAt": "2026-01-30T00:00:00Z"}
        for n, tag in enumerate(near_misses)
    ]
    (files / "images.json").write_text(json.dumps({"imageDetails": details}))
    result = _simulate_json(files, capsys, "--now", NOW)
    # None matches the protecting pattern, so the catch-all keeps the newest two only.
    assert len(result["expired"]) == 198
