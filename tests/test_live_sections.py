"""What moto lacks, answered as botocore's ``Stubber`` answers (checked against the service
model): pull-through cache rules, creation templates, ECR Public (its logos' GETs answered
from memory), signing, pull-time update exclusions and the registry policy scope; read
page by page, imported, synthesized and audited."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from botocore.stub import Stubber

from ecr_constructs import PublicRepositoryAccess, PublicRepositoryPolicyDocument, cli
from ecr_constructs.cli import EXIT_FAILURE, EXIT_INVALID, EXIT_OK
from ecr_constructs.live.creation_templates import read_creation_templates
from ecr_constructs.live.public import read_public_repositories
from ecr_constructs.live.registry_sections import SECTIONS, Context
from ecr_constructs.live.session import Connection
from ecr_constructs.standards.fleet.placement import logical_id

from .live_fakes import ACCOUNT, REGION, SIGNING, SIGNING_PROFILE, FakeAccount, fake_account

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
    assert (repository.tags, repository.policy_text, repository.logo) == (
        {"team": "tools"},
        None,
        None,
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


def test_signing_exclusions_and_the_policy_scope_are_read_as_the_file_says_them() -> None:
    client, stubber = stubbed("ecr")
    stubber.add_response("get_signing_configuration", SIGNING, {})
    stubber.add_client_error("get_signing_configuration", "SigningConfigurationNotFoundException")
    role = f"arn:aws:iam::{ACCOUNT}:role/"
    stubber.add_response(
        "list_pull_time_update_exclusions",
        {"pullTimeUpdateExclusions": [role + "scanner"], "nextToken": "more"},
        {"maxResults": 1000},
    )
    stubber.add_response(
        "list_pull_time_update_exclusions",
        {"pullTimeUpdateExclusions": [role + "ci"]},
        {"maxResults": 1000, "nextToken": "more"},
    )
    stubber.add_response(
        "get_account_setting",
        {"name": "REGISTRY_POLICY_SCOPE", "value": "V1"},
        {"name": "REGISTRY_POLICY_SCOPE"},
    )
    with stubber:
        signing = section("signing").read(client, CONTEXT)
        unsigned = section("signing").read(client, CONTEXT)
        excluded = section("pull_time_update_exclusions").read(client, CONTEXT)
        scope = section("policy_scope").read(client, CONTEXT)
    stubber.assert_no_pending_responses()
    # Every matching rule signs a push: neither rules nor filters are in an order that counts.
    assert signing == {
        "rules": [
            {"signing_profile_arn": f"arn:aws:signer:{REGION}:{ACCOUNT}:/signing-profiles/all"},
            {
                "signing_profile_arn": SIGNING_PROFILE,
                "repository_filters": ["data/*", "payments/*"],
            },
        ]
    }
    assert unsigned is None
    assert excluded == [role + "ci", role + "scanner"]
    assert section("policy_scope").written(scope, CONTEXT).keys == {"policy_scope": "V1"}
    assert section("policy_scope").written("V2", CONTEXT).keys == {}  # the file's default


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
    assert (
        "  registry policy: the registry policy grants more than replication from other "
        "accounts (replication_sources) and pull by organisations (organization_pull), which "
        "is all the file can say"
    ) in err
    code, out, _ = run(capsys, "audit", str(file), "--output", "json")
    assert code == EXIT_FAILURE
    (difference,) = json.loads(out)["registry"]
    assert (difference["setting"], difference["expected"]) == ("registry_policy", None)
    assert difference["actual"]["Statement"][0]["Resource"] == [statement["Resource"]]


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24
"""A logo as ECR Public's gallery serves it (the signature is what counts)."""
LOGO_URL = "https://d2c6a7f4.cloudfront.net/logo/branded.png"
PUSHER = "arn:aws:iam::210987654321:role/release"


@pytest.fixture
def public(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[FakeAccount, dict[str, Any]]]:
    """An account in us-east-1 with three public repositories: ``tool`` (pushed to by a role
    of another account), ``branded`` (a gallery logo) and ``team/broken`` (a logo whose URL
    doesn't answer). Yields the account and the catalogs it answers with."""
    with fake_account(monkeypatch, "us-east-1") as fake:
        catalogs: dict[str, Any] = {
            "tool": {"description": "A tool", "aboutText": "# Tool\\nWhat it does."},
            "branded": {"description": "Has a logo", "logoUrl": LOGO_URL},
            "team/broken": {"logoUrl": "https://d2c6a7f4.cloudfront.net/logo/gone.png"},
        }
        policies = {
            "tool": PublicRepositoryPolicyDocument(
                [PublicRepositoryAccess.push(principals=[PUSHER])], partition="aws"
            ).to_dict()
        }
        fake.answers["ecr-public:DescribeRepositories"] = lambda _: {
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
        fake.answers["ecr-public:GetRepositoryPolicy"] = lambda body: (
            {"repositoryName": body["repositoryName"], "policyText": json.dumps(policies[name])}
            if (name := body["repositoryName"]) in policies
            else "RepositoryPolicyNotFoundException"
        )
        fake.logos[LOGO_URL] = PNG
        yield fake, catalogs


def test_public_repositories_import_with_access_and_logo_and_audit_clean(
    public: tuple[FakeAccount, dict[str, Any]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake, _ = public
    file = tmp_path / "registry.yaml"
    code, out, err = run(capsys, "import", "-o", str(file))
    assert code == EXIT_OK, err
    assert str(tmp_path / "registry.logos") in out.split()
    document = yaml.safe_load(file.read_text())
    assert document["public_repositories"] == [
        {
            "name": "branded",
            "description": "Has a logo",
            "logo": "registry.logos/branded.png",
            "tags": {"team": "oss"},
        },
        {
            "name": "tool",
            "description": "A tool",
            "about": "# Tool\\nWhat it does.",
            "access": {"push_principals": [PUSHER]},
            "tags": {"team": "oss"},
        },
    ]
    assert (tmp_path / "registry.logos" / "branded.png").read_bytes() == PNG
    assert fake.downloads == [LOGO_URL, "https://d2c6a7f4.cloudfront.net/logo/gone.png"]
    assert (
        "  public repository 'team/broken': GET logoUrl "
        "https://d2c6a7f4.cloudfront.net/logo/gone.png failed: HTTP Error 404: Not Found"
    ) in err.splitlines()
    assert "  public repository team/broken: GET logoUrl could not be read" in err
    # Nothing else is left beside the file: the logos were checked in a folder of their own.
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    assert run(capsys, "validate", str(file))[0] == EXIT_OK
    code, _, err = run(capsys, "synth", str(file), "-o", str(tmp_path / "out"), "--locked")
    assert code == EXIT_OK, err
    template = json.loads((tmp_path / "out" / "ecr-registry.template.json").read_text())
    (tool,) = [
        r["Properties"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::ECR::PublicRepository" and r["Properties"]["RepositoryName"] == "tool"
    ]
    assert tool["RepositoryPolicyText"]["Statement"][0]["Principal"] == {"AWS": PUSHER}
    code, out, _ = run(capsys, "audit", str(file), "--output", "json")
    report = json.loads(out)
    # team/broken could not be read whole: the audit says so, and is incomplete (2).
    assert (code, report["differences"], report["unmanaged"]) == (
        EXIT_INVALID,
        [],
        [{"name": "public repository team/broken", "breaks": []}],
    )
    assert [u["call"] for u in report["unreadable"]] == ["GET logoUrl"]


def test_a_public_repository_s_logo_access_or_catalog_changed_is_drift(
    public: tuple[FakeAccount, dict[str, Any]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake, catalogs = public
    file = tmp_path / "registry.yaml"
    assert run(capsys, "import", "-o", str(file))[0] == EXIT_OK
    del catalogs["team/broken"]
    code, out, _ = run(capsys, "audit", str(file), "--output", "json")
    assert (code, json.loads(out)["matches"]) == (EXIT_OK, True)
    fake.logos[LOGO_URL] = PNG + b"another picture"
    catalogs["tool"]["description"] = "Changed by hand"
    fake.answers["ecr-public:GetRepositoryPolicy"] = "RepositoryPolicyNotFoundException"
    code, out, _ = run(capsys, "audit", str(file), "--output", "json")
    report = json.loads(out)
    assert code == EXIT_FAILURE
    found = {(d["subject"], d["setting"]): d for d in report["differences"]}
    assert list(found) == [
        ("public repository branded", "logo"),
        ("public repository tool", "catalog"),
        ("public repository tool", "access"),
    ]
    # Logos are compared by their bytes: the file's image against the account's.
    logo = found[("public repository branded", "logo")]
    assert logo["expected"] == f"sha256:{hashlib.sha256(PNG).hexdigest()}"
    assert logo["actual"] == f"sha256:{hashlib.sha256(PNG + b'another picture').hexdigest()}"
    assert found[("public repository tool", "access")]["actual"] is None
    # The file's logo is the one compared: put the account's back in the file, and it matches.
    (tmp_path / "registry.logos" / "branded.png").write_bytes(PNG + b"another picture")
    code, out, _ = run(capsys, "audit", str(file), "--output", "json")
    assert [d["setting"] for d in json.loads(out)["differences"]] == ["catalog", "access"]


@pytest.fixture
def kept(tmp_path: Path) -> Path:
    """A logo of an earlier import, in the folder an import to registry.yaml writes."""
    logo = tmp_path / "registry.logos" / "mine.png"
    logo.parent.mkdir()
    logo.write_bytes(PNG)
    return logo


def test_logos_are_never_written_over_unless_forced(
    public: tuple[FakeAccount, dict[str, Any]],
    kept: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    file = tmp_path / "registry.yaml"
    code, out, err = run(capsys, "import", "-o", str(file))
    assert (code, out) == (EXIT_INVALID, "")
    assert err.splitlines()[-1] == (
        f"{tmp_path / 'registry.logos'}: exists already (allowed: --force to replace it)"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["registry.logos"]
    assert kept.read_bytes() == PNG
    code, _, err = run(capsys, "import", "-o", str(file), "--force")
    assert code == EXIT_OK, err
    assert sorted(p.name for p in (tmp_path / "registry.logos").iterdir()) == ["branded.png"]


def test_logos_replaced_are_put_back_when_the_file_naming_them_cannot_be_written(
    public: tuple[FakeAccount, dict[str, Any]],
    kept: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    file = tmp_path / "registry.yaml"
    file.mkdir()  # the file can't be written where a directory is
    code, out, err = run(capsys, "import", "-o", str(file), "--force")
    assert (code, out) == (EXIT_INVALID, "")
    assert "cannot write the file" in err.splitlines()[-1]
    assert sorted(p.name for p in kept.parent.iterdir()) == ["mine.png"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["registry.logos", "registry.yaml"]
