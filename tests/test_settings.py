"""RepositorySettings: one home for a private repository's settings, the same rules from
every entry point (Repository, creation templates, the registry file, the fleet)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
import yaml
from aws_cdk import aws_ecr as ecr

from ecr_constructs import (
    EcrConstructsError,
    Lifecycle,
    LifecyclePolicy,
    Repository,
    RepositoryAccess,
    RepositoryCreationTemplate,
    RepositorySettings,
)
from ecr_constructs.cli import main
from ecr_constructs.errors import ConfigError, Problem
from ecr_constructs.registry_rules import AppliedFor
from ecr_constructs.settings import Encryption, RemovalPolicy, TagMutability
from ecr_constructs.standards import parse_registry
from tests.gates import ACCOUNT, REGION, assert_cfn_lint_clean, new_stack, template_of

KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1a2b3c4d"


# -- the value object ---------------------------------------------------------------------


def test_defaults_are_the_secure_ones() -> None:
    settings = RepositorySettings()
    assert settings.tag_mutability is TagMutability.IMMUTABLE
    assert settings.scan_on_push is True
    assert settings.encryption is Encryption.KMS
    assert settings.kms_key_arn is None
    assert settings.lifecycle == LifecyclePolicy.from_presets(Lifecycle.DEFAULT)
    assert settings.access == ()
    assert settings.removal_policy is RemovalPolicy.RETAIN
    assert settings.empty_on_delete is False
    assert dict(settings.tags) == {}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("MUTABLE", TagMutability.MUTABLE),
        ("mutable", TagMutability.MUTABLE),
        (TagMutability.MUTABLE, TagMutability.MUTABLE),
        (ecr.TagMutability.MUTABLE, TagMutability.MUTABLE),
    ],
)
def test_tag_mutability_takes_its_obvious_spellings(value: Any, expected: TagMutability) -> None:
    assert RepositorySettings(tag_mutability=value).tag_mutability is expected


@pytest.mark.parametrize(
    "value", ["DESTROY", "destroy", RemovalPolicy.DESTROY, cdk.RemovalPolicy.DESTROY]
)
def test_removal_policy_takes_its_obvious_spellings(value: Any) -> None:
    assert RepositorySettings(removal_policy=value).removal_policy is RemovalPolicy.DESTROY


def test_exclusions_without_a_mode_make_it_immutable_with_exclusion() -> None:
    settings = RepositorySettings(tag_mutability_exclusions=["latest"])
    assert settings.tag_mutability is TagMutability.IMMUTABLE_WITH_EXCLUSION
    assert settings.exclusion_filters() == [
        {
            "imageTagMutabilityExclusionFilterType": "WILDCARD",
            "imageTagMutabilityExclusionFilterValue": "latest",
        }
    ]


def test_settings_are_frozen_and_compare_by_value() -> None:
    first = RepositorySettings(name="my-app", tags={"team": "a"})
    assert first == RepositorySettings(name="my-app", tags={"team": "a"})
    assert first != RepositorySettings(name="my-app", tags={"team": "b"})
    with pytest.raises(AttributeError):
        first.name = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        first.tags["team"] = "b"  # type: ignore[index]


def test_every_problem_is_reported_at_once_with_its_field_path() -> None:
    with pytest.raises(EcrConstructsError) as caught:
        RepositorySettings(
            name="Bad",
            tag_mutability="SOMETIMES",
            scan_on_push="yes",  # type: ignore[arg-type]
            tags={"aws:x": "1"},
        )
    assert [problem.path for problem in caught.value.problems] == [
        ("name",),
        ("tag_mutability",),
        ("scan_on_push",),
        ("tags", "aws:x"),
    ]


# -- the same refusal from every entry point ----------------------------------------------

# (case, settings in RepositorySettings' vocabulary, fragment of the message)
SAME_REFUSAL: list[tuple[str, dict[str, Any], str]] = [
    ("51 tags", {"tags": {f"k{n}": "v" for n in range(51)}}, "too many tags"),
    ("reserved tag key", {"tags": {"AWS:team": "x"}}, "not a valid tag key"),
    ("long tag key", {"tags": {"k" * 128: "x"}}, "tag key must be 1 to 127 characters"),
    ("long tag value", {"tags": {"team": "x" * 256}}, "tag value must be 1 to 255 characters"),
    ("empty tag value", {"tags": {"team": ""}}, "tag value must be 1 to 255 characters"),
    (
        "bad exclusion filter",
        {"tag_mutability_exclusions": ["prod/x"]},
        "not a valid tag mutability exclusion filter",
    ),
    (
        "six exclusion filters",
        {"tag_mutability_exclusions": ["a", "b", "c", "d", "e", "f"]},
        "too many exclusion filters",
    ),
    (
        "duplicate exclusion filters",
        {"tag_mutability_exclusions": ["a", "a"]},
        "exclusion filters must be unique",
    ),
    (
        "exclusions with MUTABLE",
        {"tag_mutability": "MUTABLE", "tag_mutability_exclusions": ["latest"]},
        "exclusion filters only apply with IMMUTABLE_WITH_EXCLUSION",
    ),
    (
        "WITH_EXCLUSION without filters",
        {"tag_mutability": "MUTABLE_WITH_EXCLUSION"},
        "MUTABLE_WITH_EXCLUSION needs 1 to 5 exclusion filters",
    ),
    (
        "key with AES256",
        {"encryption": "AES256", "kms_key_arn": KEY_ARN},
        "a KMS key needs KMS encryption",
    ),
    ("not a key ARN", {"kms_key_arn": "alias/ecr"}, "not a KMS key ARN"),
    (
        "key in another region",
        {"kms_key_arn": "arn:aws:kms:us-west-2:123456789012:key/abc"},
        "the KMS key must be in the repository's region",
    ),
]

_REPOSITORY_NAMES = {
    "tag_mutability": "image_tag_mutability",
    "tag_mutability_exclusions": "image_tag_mutability_exclusions",
    "kms_key_arn": "encryption_key",
}
_TEMPLATE_NAMES = {**_REPOSITORY_NAMES, "tags": "resource_tags"}


def _repository_problem(settings: dict[str, Any]) -> Problem:
    arguments = {_REPOSITORY_NAMES.get(key, key): value for key, value in settings.items()}
    with pytest.raises(EcrConstructsError) as caught:
        Repository(new_stack(), "Repo", **arguments)
    (problem,) = caught.value.problems
    return problem


def _template_problem(settings: dict[str, Any]) -> Problem:
    arguments = {_TEMPLATE_NAMES.get(key, key): value for key, value in settings.items()}
    with pytest.raises(EcrConstructsError) as caught:
        RepositoryCreationTemplate(
            new_stack(), "Tmpl", prefix="team", applied_for=[AppliedFor.CREATE_ON_PUSH], **arguments
        )
    (problem,) = caught.value.problems
    return problem


def _file_problem(settings: dict[str, Any]) -> Problem:
    document = {
        "version": 1,
        "repositories": [{"name": "my-app", **settings}],
        "deployment": {"account": ACCOUNT, "region": REGION},
    }
    with pytest.raises(ConfigError) as caught:
        parse_registry(yaml.safe_dump(document, sort_keys=False))
    (problem,) = caught.value.problems
    return problem


@pytest.mark.parametrize(
    ("settings", "fragment"),
    [pytest.param(settings, fragment, id=case) for case, settings, fragment in SAME_REFUSAL],
)
def test_the_same_bad_setting_gets_the_same_refusal_everywhere(
    settings: dict[str, Any], fragment: str
) -> None:
    from_repository = _repository_problem(settings)
    from_template = _template_problem(settings)
    from_file = _file_problem(settings)
    assert fragment in from_repository.message
    assert from_repository.message == from_template.message
    # The file may add where an inherited value came from: "(removal_policy: the default)".
    assert from_file.message.startswith(from_repository.message)
    assert from_repository.where.startswith("Test/Repo ")
    assert from_template.where.startswith("Test/Tmpl ")
    assert from_file.where.startswith("registry.yaml:")


def test_a_lifecycle_conflict_gets_the_same_refusal_from_the_construct_and_the_file() -> None:
    with pytest.raises(EcrConstructsError) as caught:
        Repository(new_stack(), "Repo", lifecycle=[Lifecycle.keep_last(5), Lifecycle.keep_last(3)])
    constructed = {problem.message for problem in caught.value.problems}
    text = (
        "version: 1\nrepositories:\n  - name: my-app\n"
        "    lifecycle: [{keep_last: {count: 5}}, {keep_last: {count: 3}}]\n"
    )
    with pytest.raises(ConfigError) as loaded:
        parse_registry(text)
    assert constructed == {problem.message for problem in loaded.value.problems}


# -- regressions: what validate accepts, synth builds, and the constructs accept --------------


def _validate(tmp_path: Path, text: str, name: str = "registry.yaml") -> tuple[int, str]:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8", errors="surrogatepass")
    return main(["validate", str(path)]), str(path)


def test_a_stack_name_without_room_for_a_shard_suffix_is_refused_by_validate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = _validate(tmp_path, f"version: 1\ndeployment: {{stack_name: {'a' * 125}}}\n")
    assert code == 2
    assert "deployment.stack_name: CloudFormation stack name must be 1 to 124" in (
        capsys.readouterr().err
    )


def test_the_longest_stack_name_synthesizes_in_two_shards(tmp_path: Path) -> None:
    name = "a" * 124
    text = f"""\
    version: 1
    repositories: [{{name: first}}, {{name: second}}]
    deployment: {{stack_name: {name}, max_resources_per_stack: 2}}
    """
    code, path = _validate(tmp_path, text)
    assert code == 0
    assert main(["synth", path, "-o", str(tmp_path / "out")]) == 0
    written = {p.name for p in (tmp_path / "out").glob("*.template.json")}
    assert written == {f"{name}.template.json", f"{name}-2.template.json"}


def test_one_resource_per_stack_is_refused_by_validate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = _validate(tmp_path, "version: 1\ndeployment: {max_resources_per_stack: 1}\n")
    assert code == 2
    assert "deployment.max_resources_per_stack: out of range (given 1; allowed: >= 2)" in (
        capsys.readouterr().err
    )


def test_a_lone_surrogate_is_refused_by_validate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = json.dumps({"version": 1, "repositories": [{"name": "ab", "tags": {"k": "\udc00"}}]})
    code, _ = _validate(tmp_path, text, "registry.json")
    assert code == 2
    assert "repositories[0].tags.k: the text is not valid Unicode" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("key", "yaml_value"),
    [
        ("deployment.account", "deployment: {account: '${Token[AWS.AccountId.7]}'}"),
        ("deployment.region", "deployment: {region: '${Token[AWS.Region.8]}'}"),
        ("deployment.stack_name", "deployment: {stack_name: '${Token[X.9]}'}"),
        (
            "repositories[0].kms_key_arn",
            "repositories: [{name: ab, kms_key_arn: '${Token[TOKEN.10]}'}]",
        ),
        (
            "repositories[0].tag_mutability_exclusions[0]",
            "repositories: [{name: ab, tag_mutability_exclusions: ['#{Token[L.11]}']}]",
        ),
    ],
)
def test_token_syntax_is_refused_in_every_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], key: str, yaml_value: str
) -> None:
    code, _ = _validate(tmp_path, f"version: 1\n{yaml_value}\n")
    assert code == 2
    assert f"{key}: a CDK token in a value: a registry file holds literal values only" in (
        capsys.readouterr().err
    )


def test_repository_refuses_51_tags_and_an_aws_prefixed_key() -> None:
    with pytest.raises(EcrConstructsError, match="Test/R tags: too many tags"):
        Repository(new_stack(), "R", tags={f"k{n}": "v" for n in range(51)})
    with pytest.raises(EcrConstructsError, match=r'Test/R tags\["AWS:team"\]: not a valid tag key'):
        Repository(new_stack(), "R", tags={"AWS:team": "x"})


def test_exclusions_given_as_one_string_are_refused_naming_the_list_to_give() -> None:
    with pytest.raises(EcrConstructsError) as caught:
        Repository(new_stack(), "R", image_tag_mutability_exclusions="dev")  # type: ignore[arg-type]
    assert str(caught.value) == (
        "Test/R image_tag_mutability_exclusions: tag_mutability_exclusions is a list "
        "(given 'dev'; allowed: ['dev'])"
    )


def test_repository_takes_the_obvious_spellings() -> None:
    stack = new_stack()
    Repository(
        stack,
        "R",
        repository_name="spelled",
        image_tag_mutability="IMMUTABLE",
        removal_policy="DESTROY",
        encryption_key=KEY_ARN,
        access=None,
    )
    (resource,) = template_of(stack)["Resources"].values()
    assert resource["DeletionPolicy"] == "Delete"
    assert resource["Properties"]["EncryptionConfiguration"] == {
        "EncryptionType": "KMS",
        "KmsKey": KEY_ARN,
    }
    assert "RepositoryPolicyText" not in resource["Properties"]


@pytest.mark.parametrize(
    ("arguments", "fragment"),
    [
        ({"image_tag_mutability": "SOMETIMES"}, "Test/R image_tag_mutability: not a valid"),
        ({"removal_policy": "SNAPSHOT"}, "Test/R removal_policy: ECR repositories can be"),
        ({"encryption": "ROT13"}, "Test/R encryption: not a valid encryption"),
        ({"access": "pull"}, "Test/R access: access is a list of grants"),
        ({"encryption_key": 42}, "Test/R encryption_key: not a KMS key ARN"),
    ],
)
def test_bad_spellings_name_the_argument(arguments: dict[str, Any], fragment: str) -> None:
    with pytest.raises(EcrConstructsError, match=fragment.replace("(", r"\(")):
        Repository(new_stack(), "R", **arguments)


def test_two_repositories_with_one_name_in_one_registry_are_refused_naming_both() -> None:
    app = cdk.App()
    env = cdk.Environment(account=ACCOUNT, region=REGION)
    Repository(cdk.Stack(app, "First", env=env), "Repo", repository_name="shared")
    with pytest.raises(EcrConstructsError) as caught:
        Repository(cdk.Stack(app, "Second", env=env), "Repo", repository_name="shared")
    assert str(caught.value) == (
        "Second/Repo: repository 'shared' is already defined by First/Repo in registry "
        f"{ACCOUNT}/{REGION} (given 'shared'; allowed: each repository name once per account "
        "and region)"
    )
    other = cdk.Environment(account=ACCOUNT, region="us-east-1")
    Repository(cdk.Stack(app, "Elsewhere", env=other), "Repo", repository_name="shared")


def test_a_policy_for_250_accounts_is_measured_in_the_stack_partition() -> None:
    accounts = [f"{n:012d}" for n in range(250)]
    stack = new_stack()
    repository = Repository(stack, "R", access=[RepositoryAccess.pull(accounts=accounts)])
    policy = json.dumps(repository.settings.policy_document("aws"), separators=(",", ":"))
    assert 8_000 < len(policy) < 10_240
    assert_cfn_lint_clean(template_of(stack))
    with pytest.raises(EcrConstructsError, match="too long for ECR"):
        Repository(
            new_stack(),
            "R",
            access=[RepositoryAccess.pull(accounts=[f"{n:012d}" for n in range(320)])],
        )


def test_an_unknown_partition_is_measured_as_the_longest() -> None:
    accounts = [f"{n:012d}" for n in range(250)]
    settings = RepositorySettings(access=[RepositoryAccess.pull(accounts=accounts)])
    assert settings.policy_document("aws") is not None
    with pytest.raises(EcrConstructsError, match=r"too long for ECR \(10,3"):
        RepositorySettings(
            access=[RepositoryAccess.pull(accounts=[f"{n:012d}" for n in range(253)])]
        )


_REGISTRY_SECTION = """\
version: 1
standards: {plain: {encryption: AES256}}
repositories: [{name: app}]
registry:
  scanning: {type: ENHANCED}
  replication: {rules: [{destinations: [{region: eu-west-1}]}]}
  pull_through_cache: [{prefix: quay, upstream: quay}]
  creation_templates:
    - {prefix: kms, applied_for: [REPLICATION]}
    - {prefix: aes, applied_for: [REPLICATION], standard: plain}
    - {prefix: own, applied_for: [REPLICATION], custom_role_arn: "arn:aws:iam::123456789012:role/r"}
  replication_sources: ["210987654321"]
deployment: {region: us-west-2, max_resources_per_stack: LIMIT}
"""
"""Eight registry-wide resources: scanning, replication, a cache rule, three templates, the
role of the KMS template, the registry policy."""


def test_registry_settings_beyond_max_resources_per_stack_are_refused_by_validate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = _validate(tmp_path, _REGISTRY_SECTION.replace("LIMIT", "8"))
    assert code == 2
    assert (
        "deployment.max_resources_per_stack: the first stack holds the registry-wide settings: "
        "8 resources and 1 CDK metadata resource (given 8; allowed: a limit of at least 9)"
    ) in capsys.readouterr().err


def test_registry_settings_that_just_fit_synthesize(tmp_path: Path) -> None:
    code, path = _validate(tmp_path, _REGISTRY_SECTION.replace("LIMIT", "9"))
    assert code == 0
    assert main(["synth", path, "-o", str(tmp_path / "out")]) == 0
    first = json.loads((tmp_path / "out" / "ecr-registry.template.json").read_text())
    assert len(first["Resources"]) == 8  # the CDK metadata resource is the CLI's to add


def test_more_registry_settings_than_a_stack_holds_are_refused_by_validate() -> None:
    templates = "".join(f"\n    - {{prefix: t{n}, applied_for: [REPLICATION]}}" for n in range(250))
    with pytest.raises(ConfigError) as caught:
        parse_registry(f"version: 1\nregistry:\n  creation_templates:{templates}\n")
    assert [str(problem) for problem in caught.value.problems] == [
        "registry.yaml:2: registry: the registry-wide settings take 500 resources, and they all "
        "live in the first stack with 1 CDK metadata resource (given '501 resources'; allowed: "
        "at most 500 resources in a stack (CloudFormation's limit))"
    ]


_ROLE = f"arn:aws:iam::{ACCOUNT}:role/"
_ECR_CACHE = (
    "{prefix: ecr1, upstream: ecr, upstream_url: 210987654321.dkr.ecr.eu-west-1.amazonaws.com"
)


@pytest.mark.parametrize(
    ("yaml_value", "fragment"),
    [
        pytest.param(
            f"registry: {{creation_templates: [{{prefix: a, applied_for: [REPLICATION], "
            f"custom_role_arn: '{_ROLE}team/ecr'}}]}}",
            "registry.creation_templates[0].custom_role_arn: not an IAM role ARN without a path",
            id="template-role-with-a-path",
        ),
        pytest.param(
            f"registry: {{pull_through_cache: [{_ECR_CACHE}, custom_role_arn: '{_ROLE}"
            f"{'r' * 2100}'}}]}}",
            "registry.pull_through_cache[0].custom_role_arn: not an IAM role ARN",
            id="role-arn-beyond-2048",
        ),
        pytest.param(
            f"repositories: [{{name: ab, kms_key_arn: '{KEY_ARN.rsplit(':', 1)[0]}:alias/"
            f"{'a' * 2100}'}}]",
            "repositories[0].kms_key_arn: not a KMS key ARN",
            id="kms-key-arn-beyond-2048",
        ),
    ],
)
def test_arns_cloudformation_refuses_are_refused_by_validate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], yaml_value: str, fragment: str
) -> None:
    code, _ = _validate(tmp_path, f"version: 1\n{yaml_value}\n")
    assert code == 2
    assert fragment in capsys.readouterr().err


def _sources_file(count: int, deployment: str) -> str:
    sources = ", ".join(f'"{100000000000 + n}"' for n in range(count))
    return f"version: 1\nregistry: {{replication_sources: [{sources}]}}\ndeployment: {deployment}\n"


@pytest.mark.parametrize(
    "deployment", ["{}", f"{{account: '{ACCOUNT}', region: us-gov-west-1}}"], ids=["env", "known"]
)
def test_replication_sources_validate_accepts_synthesize_and_one_more_is_refused(
    tmp_path: Path, deployment: str
) -> None:
    def accepted(count: int) -> bool:
        try:
            parse_registry(_sources_file(count, deployment))
        except ConfigError as error:
            assert "registry.replication_sources: the registry policy is too long" in str(error)
            return False
        return True

    low, high = 1, 1_000  # the most accounts validate accepts, found by bisection
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if accepted(middle) else (low, middle - 1)
    assert 200 < low < 1_000
    code, path = _validate(tmp_path, _sources_file(low, deployment))
    assert code == 0
    assert main(["synth", path, "-o", str(tmp_path / "out")]) == 0


@pytest.mark.parametrize(
    ("yaml_value", "message"),
    [
        pytest.param(
            "public_repositories: [{name: ab, operating_systems: [Linux, Linux]}]",
            "public_repositories[0].operating_systems: listed twice (given 'Linux'; allowed: "
            "each value once)",
            id="a-gallery-badge-twice",
        ),
        pytest.param(
            "registry: {pull_through_cache: [{prefix: self, upstream: ecr, upstream_url: "
            f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com, custom_role_arn: '{_ROLE}pull'}}]}}",
            "registry.pull_through_cache[0].upstream_url: a registry can't cache from itself "
            f"(given 'account {ACCOUNT}, region us-east-1'; allowed: another region, or another "
            "account)",
            id="an-ecr-upstream-that-is-this-registry",
        ),
    ],
)
def test_what_the_constructs_refuse_validate_refuses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], yaml_value: str, message: str
) -> None:
    deployment = f"deployment: {{account: '{ACCOUNT}', region: us-east-1}}"
    code, _ = _validate(tmp_path, f"version: 1\n{yaml_value}\n{deployment}\n")
    assert code == 2
    assert message in capsys.readouterr().err
