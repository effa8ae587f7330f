"""What moto lacks, answered as botocore's ``Stubber`` answers (checked against the service
model): pull-through cache rules, creation templates, ECR Public, signing and pull-time
update exclusions; read page by page, imported, synthesized and audited."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from botocore.stub import Stubber

from ecr_constructs import cli
from ecr_constructs.cli import EXIT_FAILURE, EXIT_OK
from ecr_constructs.live.creation_templates import read_creation_templates
from ecr_constructs.live.public import read_public_repositories
from ecr_constructs.live.registry_sections import SECTIONS, Context
from ecr_constructs.live.session import Connection
from ecr_constructs.standards.fleet.placement import logical_id

from .live_fakes import ACCOUNT, REGION, FakeAccount, fake_account

CONTEXT = Context(ACCOUNT, REGION, "aws")
SECRET = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:ecr-pullthroughcache/docker-hub-AbCdEf"
CACHE_RULES = [
    {
        "ecrRepositoryPrefix": "docker-hub",
        "upstreamRegistryUrl": "registry-1.docker.io",
        "upstreamRegistry": "docker-hub",
        "credentialArn": SECRET,
        "registryId": ACCOUNT,
    },
    {
        "ecrRepositoryPrefix": "ecr-public",
        "upstreamRegistryUrl": "public.ecr.aws",
        "upstreamRegistry": "ecr-public",
        "registryId": ACCOUNT,
    },
]
NO_LIFECYCLE_TEMPLATE = {
    "prefix": "docker-hub",
    "description": "cached images",
    "appliedFor": ["PULL_THROUGH_CACHE"],
    "imageTagMutability": "MUTABLE",
    "encryptionConfiguration": {"encryptionType": "AES256"},
    "resourceTags": [{"Key": "source", "Value": "cache"}],
    "customRoleArn": f"arn:aws:iam::{ACCOUNT}:role/ecr-template",
}
PRESET_LIFECYCLE = {
    "rules": [
        {
            "rulePriority": 1,
            "description": "Keep the newest 10 images; expire older ones",
            "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 10},
            "action": {"type": "expire"},
        }
    ]
}


def stubbed(service: str, region: str = REGION) -> tuple[Any, Stubber]:
    client = boto3.client(
        service, region_name=region, aws_access_key_id="x", aws_secret_access_key="y"
    )
    return client, Stubber(client)


def section(name: str) -> Any:
    return next(s for s in SECTIONS if s.name == name)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cache_rules_are_read_page_by_page_and_said_as_the_file_says_them() -> None:
    client, stubber = stubbed("ecr")
    stubber.add_response(
        "describe_pull_through_cache_rules",
        {"pullThroughCacheRules": CACHE_RULES[:1], "nextToken": "more"},
        {"maxResults": 1000},
    )
    stubber.add_response(
        "describe_pull_through_cache_rules",
        {"pullThroughCacheRules": CACHE_RULES[1:]},
        {"maxResults": 1000, "nextToken": "more"},
    )
    cache = section("pull_through_cache")
    with stubber:
        value = cache.read(client, CONTEXT)
    stubber.assert_no_pending_responses()
    assert value == [
        {"prefix": "docker-hub", "upstream": "docker-hub", "credential_secret": SECRET},
        {"prefix": "ecr-public", "upstream": "ecr-public"},
    ]
    # A file names the secret; ECR reports its ARN, with a random suffix: the same secret.
    by_name = [{**value[0], "credential_secret": "ecr-pullthroughcache/docker-hub"}, value[1]]
    assert cache.comparable(by_name) == cache.comparable(value)
    other = [{**value[0], "credential_secret": "ecr-pullthroughcache/other"}, value[1]]
    assert cache.comparable(other) != cache.comparable(value)


def test_creation_templates_are_read_page_by_page() -> None:
    client, stubber = stubbed("ecr")
    second = {**NO_LIFECYCLE_TEMPLATE, "prefix": "ROOT", "lifecyclePolicy": "{}"}
    stubber.add_response(
        "describe_repository_creation_templates",
        {
            "registryId": ACCOUNT,
            "repositoryCreationTemplates": [NO_LIFECYCLE_TEMPLATE],
            "nextToken": "n",
        },
        {"maxResults": 1000},
    )
    stubber.add_response(
        "describe_repository_creation_templates",
        {"registryId": ACCOUNT, "repositoryCreationTemplates": [second]},
        {"maxResults": 1000, "nextToken": "n"},
    )
    with stubber:
        templates = read_creation_templates(client)
    assert [t.prefix for t in templates] == ["ROOT", "docker-hub"]
    cached = templates[1]
    assert (cached.applied_for, cached.description) == (("PULL_THROUGH_CACHE",), "cached images")
    assert cached.settings.lifecycle_text is None
    assert cached.settings.tags == {"source": "cache"}


def test_public_repositories_are_read_with_three_calls_each(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client, stubber = stubbed("ecr-public", "us-east-1")
    arn = f"arn:aws:ecr-public::{ACCOUNT}:repository/tool"
    stubber.add_response(
        "describe_repositories",
        {"repositories": [{"repositoryName": "tool", "repositoryArn": arn}]},
        {"maxResults": 1000},
    )
    stubber.add_response(
        "get_repository_catalog_data",
        {"catalogData": {"description": "A tool", "architectures": ["x86-64", "ARM 64"]}},
        {"repositoryName": "tool"},
    )
    stubber.add_response(
        "list_tags_for_resource",
        {"tags": [{"Key": "team", "Value": "tools"}]},
        {"resourceArn": arn},
    )
    stubber.add_client_error(
        "get_repository_policy",
        "RepositoryPolicyNotFoundException",
        expected_params={"repositoryName": "tool"},
    )
    connection = Connection(boto3.session.Session(region_name="us-east-1"))
    monkeypatch.setattr(connection, "client", lambda service, region=None: client)
    with stubber:
        (repository,) = read_public_repositories(connection)
    stubber.assert_no_pending_responses()
    assert repository.catalog == {"description": "A tool", "architectures": ["x86-64", "ARM 64"]}
    assert (repository.tags, repository.policy_text, repository.has_logo) == (
        {"team": "tools"},
        None,
        False,
    )


@pytest.fixture
def account(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeAccount]:
    with fake_account(monkeypatch) as fake:
        fake.ecr.create_repository(
            repositoryName="cache-user",
            imageTagMutability="IMMUTABLE",
            imageScanningConfiguration={"scanOnPush": True},
            encryptionConfiguration={"encryptionType": "AES256"},
        )
        fake.ecr.put_lifecycle_policy(
            repositoryName="cache-user", lifecyclePolicyText=json.dumps(PRESET_LIFECYCLE)
        )
        fake.answers["DescribePullThroughCacheRules"] = {"pullThroughCacheRules": CACHE_RULES}
        fake.answers["DescribeRepositoryCreationTemplates"] = {
            "registryId": ACCOUNT,
            "repositoryCreationTemplates": [
                NO_LIFECYCLE_TEMPLATE,
                {
                    "prefix": "ROOT",
                    "appliedFor": ["CREATE_ON_PUSH", "REPLICATION"],
                    "imageTagMutability": "IMMUTABLE",
                    "encryptionConfiguration": {"encryptionType": "AES256"},
                    "lifecyclePolicy": json.dumps(PRESET_LIFECYCLE),
                },
            ],
        }
        yield fake


def test_cache_rules_and_templates_import_synthesize_and_audit_clean(
    account: FakeAccount, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "registry.yaml"
    code, _, err = run(capsys, "import", "-o", str(file))
    assert code == EXIT_OK, err
    document = yaml.safe_load(file.read_text())
    registry = document["registry"]
    assert registry["pull_through_cache"] == [
        {"prefix": "docker-hub", "upstream": "docker-hub", "credential_secret": SECRET},
        {"prefix": "ecr-public", "upstream": "ecr-public"},
    ]
    templates = {t["prefix"]: t for t in registry["creation_templates"]}
    # ROOT's settings are the repository's: it names that standard (scan on push aside).
    assert templates["ROOT"]["standard"] == document["defaults"]["standard"]
    cached = document["standards"][templates["docker-hub"]["standard"]]
    assert templates["docker-hub"]["standard"] == "template-docker-hub"
    assert cached["lifecycle"] == [] and cached["exemptions"] == ["no_lifecycle_policy"]
    assert templates["docker-hub"]["custom_role_arn"] == NO_LIFECYCLE_TEMPLATE["customRoleArn"]
    assert "  creation template docker-hub: no_lifecycle_policy" in err
    mapping = json.loads((tmp_path / "registry.ecr-registry.import.json").read_text())
    identifiers = sorted(mapping.values(), key=json.dumps)
    assert identifiers == sorted(
        [
            {"RepositoryName": "cache-user"},
            {"EcrRepositoryPrefix": "docker-hub"},
            {"EcrRepositoryPrefix": "ecr-public"},
            {"Prefix": "docker-hub"},
            {"Prefix": "ROOT"},
        ],
        key=json.dumps,
    )
    assert mapping[logical_id("cache-user")] == {"RepositoryName": "cache-user"}
    code, _, err = run(capsys, "synth", str(file), "-o", str(tmp_path / "out"), "--locked")
    assert code == EXIT_OK, err
    template = json.loads((tmp_path / "out" / "ecr-registry.template.json").read_text())
    created = {
        r["Properties"]["Prefix"]: r["Properties"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::ECR::RepositoryCreationTemplate"
    }
    assert "LifecyclePolicy" not in created["docker-hub"]
    assert created["docker-hub"]["ResourceTags"] == [{"Key": "source", "Value": "cache"}]
    assert created["ROOT"]["LifecyclePolicy"] == json.dumps(PRESET_LIFECYCLE, separators=(",", ":"))
    code, out, _ = run(capsys, "audit", str(file), "--output", "json")
    assert code == EXIT_OK, out


def test_a_template_changed_by_hand_is_drift(
    account: FakeAccount, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "registry.yaml"
    assert run(capsys, "import", "-o", str(file))[0] == EXIT_OK
    templates = account.answers["DescribeRepositoryCreationTemplates"][
        "repositoryCreationTemplates"
    ]
    templates[0]["imageTagMutability"] = "IMMUTABLE"
    del account.answers["DescribePullThroughCacheRules"]["pullThroughCacheRules"][1]
    code, out, _ = run(capsys, "audit", str(file), "--output", "json")
    assert code == EXIT_FAILURE
    registry = json.loads(out)["registry"]
    assert [(d["subject"], d["setting"]) for d in registry] == [
        ("registry", "pull_through_cache"),
        ("creation template docker-hub", "tag_mutability"),
    ]
    assert registry[1]["expected"] == "MUTABLE"


def test_settings_the_file_cannot_say_yet_are_reported_not_dropped(
    account: FakeAccount, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = f"arn:aws:signer:{REGION}:{ACCOUNT}:/signing-profiles/images"
    account.answers["GetSigningConfiguration"] = {
        "registryId": ACCOUNT,
        "signingConfiguration": {
            "rules": [
                {
                    "signingProfileArn": profile,
                    "repositoryFilters": [{"filter": "prod*", "filterType": "WILDCARD_MATCH"}],
                }
            ]
        },
    }
    account.answers["ListPullTimeUpdateExclusions"] = {
        "pullTimeUpdateExclusions": [f"arn:aws:iam::{ACCOUNT}:role/scanner"]
    }
    file = tmp_path / "registry.yaml"
    code, _, err = run(capsys, "import", "-o", str(file))
    assert code == EXIT_OK
    assert "  signing: the registry file has no key for signing yet" in err
    assert (
        "  pull-time update exclusions: the registry file has no key for pull-time update "
        "exclusions yet"
    ) in err
    assert "signing" not in yaml.safe_load(file.read_text())["registry"]
    code, out, _ = run(capsys, "audit", str(file), "--output", "json")
    report = json.loads(out)
    assert (code, report["registry"]) == (EXIT_OK, [])
    assert [note.split(":")[0] for note in report["not_compared"]] == [
        "signing",
        "pull-time update exclusions",
    ]
    code, _, _ = run(capsys, "import", "-o", str(tmp_path / "strict.yaml"), "--strict")
    assert code == EXIT_FAILURE


def test_a_registry_policy_beyond_replication_is_left_out_and_audited(
    account: FakeAccount, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    statement = {  # replication into prod/ only: more than replication_sources can say
        "Sid": "ReplicationIntoProd",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
        "Action": ["ecr:CreateRepository", "ecr:ReplicateImage"],
        "Resource": f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/prod/*",
    }
    account.ecr.put_registry_policy(
        policyText=json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    )
    file = tmp_path / "registry.yaml"
    code, _, err = run(capsys, "import", "-o", str(file))
    assert code == EXIT_OK
    assert "  registry policy: the registry policy grants more than replication" in err
    code, out, _ = run(capsys, "audit", str(file), "--output", "json")
    assert code == EXIT_FAILURE
    (difference,) = json.loads(out)["registry"]
    assert (difference["setting"], difference["expected"]) == ("replication_sources", None)


def test_public_repositories_in_us_east_1(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with fake_account(monkeypatch, "us-east-1") as fake:
        catalogs = {
            "tool": {"description": "A tool", "aboutText": "# Tool\\nWhat it does."},
            "branded": {"description": "Has a logo", "logoUrl": "https://example.com/logo.png"},
        }
        fake.answers["ecr-public:DescribeRepositories"] = {
            "repositories": [
                {
                    "repositoryName": n,
                    "repositoryArn": f"arn:aws:ecr-public::{ACCOUNT}:repository/{n}",
                }
                for n in catalogs
            ]
        }
        fake.answers["ecr-public:GetRepositoryCatalogData"] = lambda body: {
            "catalogData": catalogs[body["repositoryName"]]
        }
        fake.answers["ecr-public:ListTagsForResource"] = {"tags": [{"Key": "team", "Value": "oss"}]}
        fake.answers["ecr-public:GetRepositoryPolicy"] = "RepositoryPolicyNotFoundException"
        file = tmp_path / "registry.yaml"
        code, _, err = run(capsys, "import", "-o", str(file))
        assert code == EXIT_OK, err
        document = yaml.safe_load(file.read_text())
        assert document["public_repositories"] == [
            {
                "name": "tool",
                "description": "A tool",
                "about": "# Tool\\nWhat it does.",
                "tags": {"team": "oss"},
            }
        ]
        assert "  public repository branded: its catalog logo can't be said in the file yet" in err
        assert fake.operations("ecr-public")["GetRepositoryCatalogData"] == 2
        catalogs["tool"]["description"] = "Changed by hand"
        code, out, _ = run(capsys, "audit", str(file), "--output", "json")
        report = json.loads(out)
        assert code == EXIT_FAILURE
        assert [(d["subject"], d["setting"]) for d in report["differences"]] == [
            ("public repository tool", "catalog")
        ]
        assert [u["name"] for u in report["unmanaged"]] == ["public repository branded"]
