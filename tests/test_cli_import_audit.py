"""``ecr-constructs import`` and ``audit`` against an account on moto's ECR API, seeded the
way people click registries together; every call the commands send is recorded and any
that is not a read fails the test (``live_fakes``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from ecr_constructs import cli
from ecr_constructs.cli import EXIT_FAILURE, EXIT_INVALID, EXIT_OK
from ecr_constructs.live.account import READ_CALLS
from ecr_constructs.live.semantic import canonical_lifecycle, canonical_policy
from ecr_constructs.standards.fleet.placement import ShardMap, logical_id

from .live_fakes import (
    ACCOUNT,
    CONSOLE_LIFECYCLE,
    CONSOLE_POLICY,
    ECR_CACHE_RULE,
    EXCLUDED,
    LIBRARY_LIFECYCLE,
    OPEN_POLICY,
    ORGANIZATION,
    PULL_POLICY,
    REGION,
    SIGNING_PROFILE,
    FakeAccount,
    fake_account,
    seed,
)

SEEDED = 9
"""Repositories ``seed`` creates."""
REGISTRY_CALLS = 10
"""ECR calls a read makes besides the three per repository (one page of repositories)."""


@pytest.fixture
def account(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeAccount]:
    with fake_account(monkeypatch) as fake:
        seed(fake)
        yield fake


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def imported(capsys: pytest.CaptureFixture[str], folder: Path, *extra: str) -> dict[str, Any]:
    code, out, err = run(capsys, "import", "-o", str(folder / "registry.yaml"), *extra)
    assert code == EXIT_OK, err
    assert out.split() == [
        str(folder / "registry.yaml"),
        str(folder / "registry.shards.json"),
        str(folder / "registry.ecr-registry.import.json"),
    ]
    document: dict[str, Any] = yaml.safe_load((folder / "registry.yaml").read_text())
    return document


def audited(capsys: pytest.CaptureFixture[str], file: Path, *extra: str) -> tuple[int, Any]:
    code, out, err = run(capsys, "audit", str(file), "--output", "json", *extra)
    assert "Traceback" not in err
    return code, json.loads(out) if out else None


def test_import_validate_synth_audit_is_clean(
    account: FakeAccount, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    imported(capsys, tmp_path)
    reads = sum(account.operations().values())
    assert reads == 3 * SEEDED + REGISTRY_CALLS
    assert {(s, o) for s, o in account.calls} <= {
        (service, operation)
        for service, operations in READ_CALLS.items()
        for operation in operations
    }
    code, out, err = run(capsys, "validate", str(tmp_path / "registry.yaml"))
    assert code == EXIT_OK, err
    assert "9 repositories, 0 public repositories" in out
    code, _, err = run(
        capsys, "synth", str(tmp_path / "registry.yaml"), "-o", str(tmp_path / "out"), "--locked"
    )
    assert code == EXIT_OK, err
    template = json.loads((tmp_path / "out" / "ecr-registry.template.json").read_text())
    repositories = [
        resource["Properties"]
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::ECR::Repository"
    ]
    assert len(repositories) == SEEDED
    for properties in repositories:
        assert_template_is_live(account, properties)
    code, report = audited(capsys, tmp_path / "registry.yaml")
    assert (code, report["matches"]) == (EXIT_OK, True), report


def assert_template_is_live(account: FakeAccount, properties: dict[str, Any]) -> None:
    """The synthesized properties say what ECR says, semantically, setting by setting."""
    name = properties["RepositoryName"]
    ecr = account.ecr
    (live,) = ecr.describe_repositories(repositoryNames=[name])["repositories"]
    assert properties["ImageTagMutability"] == live["imageTagMutability"]
    assert properties["ImageScanningConfiguration"] == {
        "ScanOnPush": live["imageScanningConfiguration"]["scanOnPush"]
    }
    encryption = live["encryptionConfiguration"]
    # AES256, ECR's default, is rendered by leaving the property out (as aws_ecr does).
    assert properties.get("EncryptionConfiguration", {"EncryptionType": "AES256"}) == {
        "EncryptionType": encryption["encryptionType"],
        **({"KmsKey": encryption["kmsKey"]} if "kmsKey" in encryption else {}),
    }
    policies = {
        "LifecyclePolicy": (ecr.get_lifecycle_policy, "lifecyclePolicyText"),
        "RepositoryPolicyText": (ecr.get_repository_policy, "policyText"),
    }
    for key, (read, field) in policies.items():
        try:
            text = read(repositoryName=name)[field]
        except ecr.exceptions.ClientError:
            text = None
        declared = properties.get(key)
        if key == "LifecyclePolicy":
            declared = declared and declared["LifecyclePolicyText"]
            assert canonical_lifecycle(declared) == canonical_lifecycle(text), name
        else:
            declared = _with_partition(declared)
            assert canonical_policy(declared, "aws") == canonical_policy(text, "aws"), name
    tags = ecr.list_tags_for_resource(resourceArn=live["repositoryArn"])["tags"]
    live_tags = {t["Key"]: t["Value"] for t in tags if not t["Key"].startswith("aws:")}
    assert {t["Key"]: t["Value"] for t in properties.get("Tags", [])} == live_tags


def _with_partition(value: Any) -> Any:
    """``{"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ...]]}`` resolved in aws."""
    if isinstance(value, list):
        return [_with_partition(item) for item in value]
    if not isinstance(value, dict):
        return value
    if list(value) == ["Fn::Join"]:
        separator, parts = value["Fn::Join"]
        return separator.join("aws" if isinstance(p, dict) else p for p in parts)
    return {key: _with_partition(item) for key, item in value.items()}


def test_the_file_reads_like_one_a_person_writes(
    account: FakeAccount, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = imported(capsys, tmp_path)
    standards = document["standards"]
    entries = {entry["name"]: entry for entry in document["repositories"]}
    # The four payments repositories share a standard (the default), named for their
    # namespace; moto gives each its own AWS-managed key, written as an override.
    assert document["defaults"] == {"standard": "payments"}
    payments = standards["payments"]
    assert payments["lifecycle"] == [
        {"protect_tags": {"prefixes": ["prod"]}},
        {"expire_untagged": {"after_days": 1}},
        {"keep_last": {"count": 20}},
    ]
    assert payments["access"] == {"pull_accounts": ["987654321098"]}
    assert payments["tags"] == {"team": "payments", "cost-centre": "42"}
    assert entries["payments/ledger-v2"]["access"] == {"pull_accounts": []}
    # Two alike repositories: a standard with their shared tags, their own tags as overrides.
    web = standards[entries["web/frontend"]["standard"]]
    assert web["lifecycle"] == [] and web["exemptions"] == ["no_lifecycle_policy"]
    assert web["tags"] == {"team": "web"}
    assert entries["web/frontend"]["tags"] == {"owner": "frontend"}
    # A console policy: raw rules in order; statements verbatim.
    etl = standards[entries["data/etl"]["standard"]]
    console = json.loads(CONSOLE_LIFECYCLE)["rules"]
    assert etl["lifecycle"] == [
        {"raw": {k: v for k, v in rule.items() if k != "rulePriority"}} for rule in console
    ]
    assert etl["access"] == {"statements": [CONSOLE_POLICY["Statement"]]}
    assert etl["tag_mutability_exclusions"] == ["latest"]
    # What the library refuses on new repositories is kept, visibly.
    legacy = standards[entries["legacy-website"]["standard"]]
    assert legacy["access"] == {"statements": OPEN_POLICY["Statement"]}
    assert legacy["exemptions"] == ["no_lifecycle_policy", "unchecked_policy_statements"]
    assert "tags" not in legacy  # the aws: tag is AWS's
    assert document["registry"] == {
        "scanning": {
            "type": "ENHANCED",
            "rules": [
                {"frequency": "CONTINUOUS_SCAN", "filters": ["payments*"]},
                {"frequency": "SCAN_ON_PUSH", "filters": ["*"]},
            ],
        },
        "replication": {
            "rules": [
                {
                    "destinations": [
                        {"region": "eu-central-1"},
                        {"region": "us-east-1", "account": "987654321098"},
                    ],
                    "repository_prefixes": ["payments"],
                }
            ]
        },
        "replication_sources": ["111111111111"],
        "organization_pull": [ORGANIZATION],
        "pull_through_cache": [
            {
                "prefix": "team-a-mirror",
                "upstream": "ecr",
                "upstream_url": ECR_CACHE_RULE["upstreamRegistryUrl"],
                "custom_role_arn": ECR_CACHE_RULE["customRoleArn"],
                "upstream_repository_prefix": "team-a",
            }
        ],
        "signing": {
            "rules": [
                {"signing_profile_arn": f"arn:aws:signer:{REGION}:{ACCOUNT}:/signing-profiles/all"},
                {
                    "signing_profile_arn": SIGNING_PROFILE,
                    "repository_filters": ["data/*", "payments/*"],
                },
            ]
        },
        "pull_time_update_exclusions": sorted(EXCLUDED),
    }
    # ECR's default registry policy scope (V2) goes without saying.
    assert "policy_scope" not in document["registry"]
    # Organisation push is an access preset, as the other access lists.
    platform = standards[entries["platform/base-image"]["standard"]]
    assert platform["access"] == {"push_organizations": [ORGANIZATION]}
    assert document["deployment"] == {
        "stack_name": "ecr-registry",
        "account": ACCOUNT,
        "region": REGION,
    }


def test_the_report_and_the_warnings_name_what_is_kept_as_deployed(
    account: FakeAccount, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "import", "-o", str(tmp_path / "registry.yaml"))
    assert code == EXIT_OK
    assert f"account {ACCOUNT} in {REGION}: 9 repositories found, 9 imported" in err
    assert "  legacy-website: no_lifecycle_policy, unchecked_policy_statements" in err
    assert "note: legacy-website: tag 'aws:cloudformation:stack-name' is set by AWS" in err
    code, _, err = run(capsys, "validate", str(tmp_path / "registry.yaml"))
    warnings = [line for line in err.splitlines() if line.startswith("warning: ")]
    assert any("(exempted: no_lifecycle_policy)" in line for line in warnings)
    assert any(
        "access.statements[1].Principal.AWS: not an IAM principal (exempted: "
        "unchecked_policy_statements)" in line
        for line in warnings
    )


def test_the_resource_mapping_is_cdk_import_s_format_for_every_repository(
    account: FakeAccount, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    imported(capsys, tmp_path)
    mapping = json.loads((tmp_path / "registry.ecr-registry.import.json").read_text())
    shard_map = ShardMap.read(tmp_path / "registry.shards.json")
    assert shard_map is not None
    names = sorted(shard_map.repositories)
    assert len(names) == SEEDED
    repositories = {key: value for key, value in mapping.items() if "RepositoryName" in value}
    assert repositories == {logical_id(name): {"RepositoryName": name} for name in names}
    # The cache rule exists once per prefix: imported too (a construct's logical ID).
    (cache,) = set(mapping) - set(repositories)
    assert cache.startswith("PullThroughCacheTeamAMirror")
    assert mapping[cache] == {"EcrRepositoryPrefix": "team-a-mirror"}


@pytest.mark.parametrize(
    ("change", "setting", "expected", "actual"),
    [
        (
            lambda ecr: ecr.put_image_scanning_configuration(
                repositoryName="payments/api", imageScanningConfiguration={"scanOnPush": False}
            ),
            "scan_on_push",
            True,
            False,
        ),
        (
            lambda ecr: ecr.untag_resource(
                resourceArn=f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/payments/api",
                tagKeys=["cost-centre"],
            ),
            "tags.cost-centre",
            "42",
            None,
        ),
    ],
    ids=["scan-on-push-off", "tag-removed"],
)
def test_a_setting_changed_by_hand_is_drift(
    account: FakeAccount,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    change: Any,
    setting: str,
    expected: Any,
    actual: Any,
) -> None:
    imported(capsys, tmp_path)
    change(account.ecr)
    code, report = audited(capsys, tmp_path / "registry.yaml")
    assert code == EXIT_FAILURE
    assert report["differences"] == [
        {"subject": "payments/api", "setting": setting, "expected": expected, "actual": actual}
    ]


def test_a_policy_statement_added_by_hand_is_drift(
    account: FakeAccount, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    imported(capsys, tmp_path)
    added = {
        "Sid": "PushFromCi",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::222222222222:role/ci"},
        "Action": ["ecr:PutImage"],
    }
    policy = {**PULL_POLICY, "Statement": [*PULL_POLICY["Statement"], added]}
    account.ecr.set_repository_policy(repositoryName="payments/api", policyText=json.dumps(policy))
    code, report = audited(capsys, tmp_path / "registry.yaml")
    assert code == EXIT_FAILURE
    (difference,) = report["differences"]
    assert (difference["subject"], difference["setting"]) == ("payments/api", "access")
    assert difference["expected"] == canonical_policy(PULL_POLICY, "aws")
    assert difference["actual"] == canonical_policy(policy, "aws")


def test_a_lifecycle_rule_changed_by_hand_is_drift(
    account: FakeAccount, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    imported(capsys, tmp_path)
    changed = json.loads(json.dumps(LIBRARY_LIFECYCLE))
    changed["rules"][2]["selection"]["countNumber"] = 5
    account.ecr.put_lifecycle_policy(
        repositoryName="payments/worker", lifecyclePolicyText=json.dumps(changed)
    )
    code, out, _ = run(capsys, "audit", str(tmp_path / "registry.yaml"))
    assert code == EXIT_FAILURE
    lines = out.splitlines()
    assert lines[0] == (
        f"account {ACCOUNT} in {REGION} against {tmp_path / 'registry.yaml'} "
        "(9 repositories): 1 difference, 0 not deployed, 0 unmanaged"
    )
    assert lines[1].split() == ["SUBJECT", "SETTING", "EXPECTED", "(FILE)", "ACTUAL", "(ACCOUNT)"]
    assert lines[2].split()[:2] == ["payments/worker", "lifecycle"]
    code, report = audited(capsys, tmp_path / "registry.yaml")
    (difference,) = report["differences"]
    assert difference["expected"] == canonical_lifecycle(LIBRARY_LIFECYCLE)
    assert difference["actual"] == canonical_lifecycle(changed)


def test_an_equivalent_rewrite_is_not_drift(
    account: FakeAccount, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    imported(capsys, tmp_path)
    statement = dict(PULL_POLICY["Statement"][0])
    statement["Principal"] = {"AWS": ["987654321098"]}
    statement["Action"] = list(reversed(statement["Action"]))
    rewritten = json.dumps({"Statement": statement, "Version": "2008-10-17"}, indent=4)
    account.ecr.set_repository_policy(repositoryName="payments/api", policyText=rewritten)
    code, report = audited(capsys, tmp_path / "registry.yaml")
    assert (code, report["differences"]) == (EXIT_OK, [])


def test_unmanaged_and_not_deployed_repositories(
    account: FakeAccount, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    imported(capsys, tmp_path)
    account.ecr.create_repository(repositoryName="shadow-it", imageTagMutability="MUTABLE")
    account.ecr.delete_repository(repositoryName="web/backend")
    code, report = audited(capsys, tmp_path / "registry.yaml")
    assert code == EXIT_FAILURE
    assert report["not_deployed"] == ["web/backend"]
    (unmanaged,) = report["unmanaged"]
    assert unmanaged["name"] == "shadow-it"
    breaks = {d["setting"]: (d["expected"], d["actual"]) for d in unmanaged["breaks"]}
    assert breaks["tag_mutability"] == ("IMMUTABLE", "MUTABLE")
    assert breaks["lifecycle"][1] is None
    assert breaks["tags.team"] == ("payments", None)


def test_registry_wide_changes_are_drift(
    account: FakeAccount, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    imported(capsys, tmp_path)
    account.ecr.put_registry_scanning_configuration(scanType="BASIC", rules=[])
    code, report = audited(capsys, tmp_path / "registry.yaml")
    assert code == EXIT_FAILURE
    (difference,) = report["registry"]
    assert (difference["setting"], difference["actual"]) == ("scanning", None)
    assert difference["expected"]["type"] == "ENHANCED"


def _set_organization(account: FakeAccount, organization: str) -> None:
    policy = account.answers["GetRegistryPolicy"]
    policy["policyText"] = policy["policyText"].replace(ORGANIZATION, organization)


def _drop_signing_rule(account: FakeAccount) -> None:
    account.answers["GetSigningConfiguration"]["signingConfiguration"]["rules"].pop()


def _exclude_another(account: FakeAccount) -> None:
    excluded = account.answers["ListPullTimeUpdateExclusions"]["pullTimeUpdateExclusions"]
    excluded.append(f"arn:aws:iam::{ACCOUNT}:user/mirror")


def _cache_another_namespace(account: FakeAccount) -> None:
    rules = account.answers["DescribePullThroughCacheRules"]["pullThroughCacheRules"]
    rules[0]["upstreamRepositoryPrefix"] = "team-b"


@pytest.mark.parametrize(
    ("change", "setting", "actual"),
    [
        (lambda a: _set_organization(a, "o-zzzzzzzzzz"), "organization_pull", ["o-zzzzzzzzzz"]),
        (
            _drop_signing_rule,
            "signing",
            {
                "rules": [
                    {
                        "signing_profile_arn": SIGNING_PROFILE,
                        "repository_filters": ["data/*", "payments/*"],
                    }
                ]
            },
        ),
        (
            _exclude_another,
            "pull_time_update_exclusions",
            sorted([*EXCLUDED, f"arn:aws:iam::{ACCOUNT}:user/mirror"]),
        ),
        (
            lambda a: a.answers["GetAccountSetting"].update(value="V1"),
            "policy_scope",
            "V1",
        ),
        (
            _cache_another_namespace,
            "pull_through_cache",
            [
                {
                    "prefix": "team-a-mirror",
                    "upstream": "ecr",
                    "upstream_url": ECR_CACHE_RULE["upstreamRegistryUrl"],
                    "custom_role_arn": ECR_CACHE_RULE["customRoleArn"],
                    "upstream_repository_prefix": "team-b",
                }
            ],
        ),
    ],
    ids=["organization", "signing", "exclusions", "policy-scope", "upstream-prefix"],
)
def test_a_registry_key_changed_by_hand_is_drift_at_that_key(
    account: FakeAccount,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    change: Any,
    setting: str,
    actual: Any,
) -> None:
    document = imported(capsys, tmp_path)
    change(account)
    code, report = audited(capsys, tmp_path / "registry.yaml")
    assert code == EXIT_FAILURE
    # What the file says, at the key that says it (policy_scope: its default, V2).
    expected = document["registry"].get(setting, "V2")
    assert report["registry"] == [
        {"subject": "registry", "setting": setting, "expected": expected, "actual": actual}
    ]
    code, out, _ = run(capsys, "audit", str(tmp_path / "registry.yaml"))
    assert out.splitlines()[2].split()[:2] == ["registry", setting]


def test_a_registry_policy_the_scope_refuses_is_left_out_with_validate_s_reason(
    account: FakeAccount, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    account.answers["GetAccountSetting"]["value"] = "V1"
    code, _, err = run(capsys, "import", "-o", str(tmp_path / "registry.yaml"))
    assert code == EXIT_OK, err
    registry = yaml.safe_load((tmp_path / "registry.yaml").read_text())["registry"]
    assert registry["policy_scope"] == "V1"
    assert "organization_pull" not in registry and "replication_sources" not in registry
    (line,) = [line for line in err.splitlines() if line.startswith("  registry policy:")]
    assert line.startswith(
        "  registry policy: validate would refuse it as read: registry.organization_pull: "
    ), line
    code, report = audited(capsys, tmp_path / "registry.yaml")
    assert code == EXIT_FAILURE
    assert [(d["setting"], d["expected"]) for d in report["registry"]] == [
        ("replication_sources", None),
        ("organization_pull", None),
    ]


def test_a_policy_scope_the_file_doesn_t_know_is_left_out_alone(
    account: FakeAccount, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    account.answers["GetAccountSetting"]["value"] = "V3"
    code, _, err = run(capsys, "import", "-o", str(tmp_path / "registry.yaml"))
    assert code == EXIT_OK, err
    (line,) = [line for line in err.splitlines() if "validate would refuse" in line]
    assert line.startswith(
        "  registry policy scope: validate would refuse it as read: registry.policy_scope: "
    ), line
    assert "'V3'" in line
    registry = yaml.safe_load((tmp_path / "registry.yaml").read_text())["registry"]
    assert "policy_scope" not in registry
    assert registry["organization_pull"] == [ORGANIZATION] and "signing" in registry


@pytest.mark.parametrize(
    ("call", "key"),
    [
        ("GetSigningConfiguration", "signing"),
        ("ListPullTimeUpdateExclusions", "pull_time_update_exclusions"),
        ("GetAccountSetting", "policy_scope"),
    ],
)
@pytest.mark.parametrize("code", ["AccessDeniedException", "ValidationException"])
def test_a_registry_call_refused_or_unsupported_is_one_line_and_the_rest_is_read(
    account: FakeAccount,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    call: str,
    key: str,
    code: str,
) -> None:
    account.refuse[(call, "")] = code
    file = tmp_path / "registry.yaml"
    exit_code, _, err = run(capsys, "import", "-o", str(file))
    assert exit_code == EXIT_OK and "Traceback" not in err
    title = {"signing": "signing", "pull_time_update_exclusions": "pull-time update exclusions"}
    subject = title.get(key, "registry policy scope")
    if code == "AccessDeniedException":
        line = (
            f"  access denied: {call} on {subject} in {REGION} needs ecr:{call} "
            f"(not allowed to {call})"
        )
    else:
        line = f"  {call} on {subject} in {REGION} failed: {code}: not allowed to {call}"
    assert line in err.splitlines()
    registry = yaml.safe_load(file.read_text())["registry"]
    assert key not in registry and "scanning" in registry
    exit_code, report = audited(capsys, file)
    assert exit_code == EXIT_INVALID
    assert [u["call"] for u in report["unreadable"]] == [call]
    assert report["registry"] == []


def test_access_denied_on_one_repository_is_named_and_the_rest_imported(
    account: FakeAccount, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    account.refuse[("GetRepositoryPolicy", "data/etl")] = "AccessDeniedException"
    code, _, err = run(capsys, "import", "-o", str(tmp_path / "registry.yaml"))
    assert code == EXIT_OK
    assert "  data/etl: GetRepositoryPolicy could not be read" in err
    assert (
        "  access denied: GetRepositoryPolicy on repository 'data/etl' in eu-west-1 needs "
        "ecr:GetRepositoryPolicy (not allowed to GetRepositoryPolicy)"
    ) in err
    names = [
        r["name"] for r in yaml.safe_load((tmp_path / "registry.yaml").read_text())["repositories"]
    ]
    assert "data/etl" not in names and len(names) == SEEDED - 1
    code, report = audited(capsys, tmp_path / "registry.yaml")
    assert code == EXIT_INVALID
    assert report["unreadable"][0]["call"] == "GetRepositoryPolicy"


def test_strict_import_writes_nothing_when_something_is_left_out(
    account: FakeAccount, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    account.refuse[("ListTagsForResource", "")] = "AccessDeniedException"
    account.refuse[("GetLifecyclePolicy", "web/frontend")] = "AccessDeniedException"
    code, out, err = run(capsys, "import", "-o", str(tmp_path / "registry.yaml"), "--strict")
    assert (code, out) == (EXIT_FAILURE, "")
    assert err.splitlines()[-1] == (
        "error: --strict: something could not be read or carried; nothing written"
    )
    assert list(tmp_path.iterdir()) == []


def test_an_empty_account_imports_as_a_valid_file_that_audits_clean(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with fake_account(monkeypatch):
        code, out, _ = run(capsys, "import", "-o", str(tmp_path / "registry.yaml"))
        assert code == EXIT_OK
        # No stack holds anything, so there is nothing to import with cdk import.
        assert out.split() == [
            str(tmp_path / "registry.yaml"),
            str(tmp_path / "registry.shards.json"),
        ]
        document = yaml.safe_load((tmp_path / "registry.yaml").read_text())
        assert document == {
            "version": 1,
            "repositories": [],
            "deployment": {"stack_name": "ecr-registry", "account": ACCOUNT, "region": REGION},
        }
        assert run(capsys, "validate", str(tmp_path / "registry.yaml"))[0] == EXIT_OK
        code, report = audited(capsys, tmp_path / "registry.yaml")
        assert (code, report["matches"]) == (EXIT_OK, True)


def test_import_never_replaces_a_file_unless_forced(
    account: FakeAccount, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "registry.yaml"
    target.write_text("version: 1\n")
    code, out, err = run(capsys, "import", "-o", str(target))
    assert (code, out) == (EXIT_INVALID, "")
    assert err == (
        f"{target}: exists already (allowed: another --output, or --force to replace it)\n"
    )
    assert target.read_text() == "version: 1\n"
    assert account.calls == []
    code, _, _ = run(capsys, "import", "-o", str(target), "--force")
    assert code == EXIT_OK
    assert "standards" in yaml.safe_load(target.read_text())
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "registry.ecr-registry.import.json",
        "registry.shards.json",
        "registry.shards.json.lock",  # the shard map's lock file, never committed
        "registry.yaml",
    ]


def test_repository_prefixes_limit_import_and_audit(
    account: FakeAccount, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = imported(capsys, tmp_path, "--repository-prefix", "web/")
    assert [r["name"] for r in document["repositories"]] == ["web/backend", "web/frontend"]
    assert account.operations()["GetLifecyclePolicy"] == 2
    code, report = audited(capsys, tmp_path / "registry.yaml", "--repository-prefix", "web/")
    assert (code, report["unmanaged"]) == (EXIT_OK, [])
    code, report = audited(capsys, tmp_path / "registry.yaml")
    assert code == EXIT_FAILURE
    assert len(report["unmanaged"]) == SEEDED - 2


def test_audit_refuses_another_account_s_file(
    account: FakeAccount, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "registry.yaml"
    file.write_text('version: 1\ndeployment: {account: "999999999999", region: eu-west-1}\n')
    code, out, err = run(capsys, "audit", str(file))
    assert (code, out) == (EXIT_INVALID, "")
    assert err.splitlines()[-1] == (
        f"error: the credentials are for account {ACCOUNT}; {file} describes account "
        "999999999999 (deployment.account)"
    )


@pytest.mark.parametrize("command", ["import", "audit"])
def test_without_credentials_one_line_and_no_traceback(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    command: str,
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    file = tmp_path / "registry.yaml"
    if command == "audit":
        file.write_text("version: 1\n")
        argv = ["audit", str(file), "--region", REGION]
    else:
        argv = ["import", "-o", str(file), "--region", REGION]
    code, _, err = run(capsys, *argv)
    assert code == (EXIT_INVALID if command == "audit" else EXIT_FAILURE)
    assert err.splitlines()[-1] == (
        "error: no AWS credentials found: use a profile (--profile), environment variables or "
        "an instance role"
    )


@pytest.mark.parametrize("command", ["import", "audit"])
def test_a_malformed_region_is_bad_input(
    account: FakeAccount, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    file = tmp_path / "registry.yaml"
    file.write_text("version: 1\n")
    argv = (
        ["audit", str(file)] if command == "audit" else ["import", "-o", str(tmp_path / "r.yaml")]
    )
    code, _, err = run(capsys, *argv, "--region", "Europe")
    assert code == EXIT_INVALID
    assert err.splitlines()[-1].startswith("--region: not an AWS region (given 'Europe'")
    assert account.calls == []


def test_a_large_account_reads_in_three_calls_a_repository_with_progress(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with fake_account(monkeypatch) as fake:
        for number in range(250):
            fake.ecr.create_repository(repositoryName=f"service-{number:04d}")
        code, _, err = run(capsys, "import", "-o", str(tmp_path / "registry.yaml"))
        operations = fake.operations()
    assert code == EXIT_OK
    assert "  read 250/250 repositories" in err.splitlines()
    assert operations["GetLifecyclePolicy"] == operations["ListTagsForResource"] == 250
    assert operations["DescribeRepositories"] == 1
    assert sum(operations.values()) == 3 * 250 + REGISTRY_CALLS


@pytest.mark.slow
def test_a_thousand_repositories_import_and_audit_clean(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with fake_account(monkeypatch) as fake:
        for number in range(1000):
            name = f"team-{number % 10}/service-{number:04d}"
            fake.ecr.create_repository(
                repositoryName=name,
                imageTagMutability="IMMUTABLE" if number % 3 else "MUTABLE",
                tags=[{"Key": "team", "Value": str(number % 10)}],
            )
            if number % 4:
                fake.ecr.put_lifecycle_policy(
                    repositoryName=name, lifecyclePolicyText=json.dumps(LIBRARY_LIFECYCLE)
                )
            if number % 5 == 0:
                fake.ecr.set_repository_policy(
                    repositoryName=name, policyText=json.dumps(PULL_POLICY)
                )
        file = tmp_path / "registry.yaml"
        code, _, err = run(capsys, "import", "-o", str(file))
        assert code == EXIT_OK, err
        assert "  read 1,000/1,000 repositories" in err.splitlines()
        operations = fake.operations()
        assert operations["DescribeRepositories"] == 1
        assert sum(operations.values()) == 3 * 1000 + REGISTRY_CALLS
        document = yaml.safe_load(file.read_text())
        assert len(document["repositories"]) == 1000
        assert len(document["standards"]) <= 20
        fake.calls.clear()
        code, report = audited(capsys, file)
        assert (code, report["matches"]) == (EXIT_OK, True)
        assert sum(fake.operations().values()) == 3 * 1000 + REGISTRY_CALLS


def test_a_file_that_would_change_the_account_is_caught_before_it_is_written(
    account: FakeAccount,
) -> None:
    from ecr_constructs.live.account import read_account
    from ecr_constructs.live.importer import import_registry, round_trip_differences
    from ecr_constructs.live.session import connect
    from ecr_constructs.standards.registry_file.loading import parse_registry
    from ecr_constructs.standards.registry_file.writer import registry_yaml

    live = read_account(connect())
    imported = import_registry(live, stack_name="ecr-registry")
    tampered = json.loads(json.dumps(imported.document))
    tampered["standards"]["web"]["scan_on_push"] = True
    with pytest.warns():
        loaded = parse_registry(registry_yaml(tampered))
    found = round_trip_differences(loaded, live, imported.report)
    assert [(d.subject, d.setting, d.expected, d.actual) for d in found] == [
        ("web/backend", "scan_on_push", True, False),
        ("web/frontend", "scan_on_push", True, False),
    ]
    with pytest.warns():
        assert (
            round_trip_differences(
                parse_registry(registry_yaml(imported.document)), live, imported.report
            )
            == []
        )


def test_the_aws_managed_key_is_recognised_and_written_as_no_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with fake_account(monkeypatch) as fake:
        fake.ecr.create_repository(
            repositoryName="encrypted", encryptionConfiguration={"encryptionType": "KMS"}
        )
        (created,) = fake.ecr.describe_repositories()["repositories"]
        key_id = created["encryptionConfiguration"]["kmsKey"].rsplit("/", 1)[1]
        fake.answers["kms:ListAliases"] = {
            "Aliases": [
                {"AliasName": "alias/aws/ebs", "TargetKeyId": "0000"},
                {"AliasName": "alias/aws/ecr", "TargetKeyId": key_id},
            ]
        }
        document = imported(capsys, tmp_path)
        (standard,) = document["standards"].values()
        assert standard["encryption"] == "KMS" and "kms_key_arn" not in standard
        assert fake.operations("kms") == {"ListAliases": 1}
        code, report = audited(capsys, tmp_path / "registry.yaml")
        assert (code, report["matches"]) == (EXIT_OK, True)
