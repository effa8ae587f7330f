"""The registry file says what the constructs can: signing, pull-time update exclusions, the
registry policy's scope and organisation pull, ECR upstream prefixes, a public repository's
access and logo, organisation push, and creation templates without a role. Each key from a
file to the synthesized template (cfn-lint clean), each default, and each refusal the same
as its construct's."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import jsonschema
import pytest
import yaml

from ecr_constructs import ConfigError, PublicRepository
from ecr_constructs.cloudformation import STACK_OVERHEAD, public_repository_resources
from ecr_constructs.errors import EcrConstructsError
from ecr_constructs.policy import PULL_ACTIONS, PUSH_ACTIONS, RegistryAccess
from ecr_constructs.registry import (
    PullThroughCache,
    PullTimeUpdateExclusions,
    RegistryPolicy,
    RegistryPolicyScope,
    SigningConfiguration,
    Upstream,
)
from ecr_constructs.standards import (
    RegistryConfig,
    RepositoryFleet,
    ShardMap,
    load_registry,
    resolve_registry,
)
from ecr_constructs.standards.registry_file.schema import registry_json_schema

from .gates import ACCOUNT, PUBLIC_PUSH_ACTIONS, assert_cfn_lint_clean, new_stack, template_of
from .test_public_repository import PNG

REGION = "us-east-1"
ORG = "o-a1b2c3d4e5"
PROFILE = "arn:aws:signer:us-east-1:123456789012:/signing-profiles/prod_images"
OTHER_PROFILE = "arn:aws:signer:us-east-1:123456789012:/signing-profiles/team_b"
SCANNER = "arn:aws:iam::123456789012:role/scanner"
CI = "arn:aws:iam::123456789012:role/ci"
UPSTREAM_URL = "210987654321.dkr.ecr.us-west-2.amazonaws.com"
CACHE_ROLE = "arn:aws:iam::123456789012:role/cache"
DEPLOYMENT = f'deployment: {{account: "{ACCOUNT}", region: {REGION}}}\n'

EVERY_KEY = f"""\
version: 1
standards:
  shared:
    access:
      push_organizations: ["{ORG}"]
  cached:
    tag_mutability: MUTABLE
    encryption: KMS
    tags: {{purpose: cache}}
  plain:
    tag_mutability: MUTABLE
    encryption: AES256
repositories:
  - name: shared/app
    standard: shared
public_repositories:
  - name: tool
    logo: logo.png
    access:
      push_accounts: ["987654321098"]
      push_principals: ["{CI}"]
registry:
  replication_sources: ["111111111111"]
  organization_pull: ["{ORG}"]
  signing:
    rules:
      - signing_profile_arn: {PROFILE}
        repository_filters: ["prod*", "team-a/*"]
      - signing_profile_arn: {OTHER_PROFILE}
  pull_time_update_exclusions: ["{SCANNER}", "{CI}"]
  pull_through_cache:
    - prefix: central
      upstream: ecr
      upstream_url: {UPSTREAM_URL}
      custom_role_arn: {CACHE_ROLE}
      upstream_repository_prefix: platform
  creation_templates:
    - prefix: central
      applied_for: [PULL_THROUGH_CACHE]
      standard: cached
    - prefix: ROOT
      applied_for: [REPLICATION]
      standard: plain
{DEPLOYMENT}"""

NO_NEW_KEY = f"""\
version: 1
repositories:
  - name: shared/app
public_repositories:
  - name: tool
registry:
  replication_sources: ["111111111111"]
  pull_through_cache:
    - prefix: central
      upstream: ecr
      upstream_url: {UPSTREAM_URL}
      custom_role_arn: {CACHE_ROLE}
{DEPLOYMENT}"""


def write(folder: Path, text: str) -> Path:
    path = folder / "registry.yaml"
    path.write_text(textwrap.dedent(text))
    return path


def synth(path: Path) -> tuple[RepositoryFleet, dict[str, Any]]:
    """The file's fleet and its one template, checked by cfn-lint."""
    fleet = RepositoryFleet(cdk.App(), config=load_registry(path))
    (stack,) = fleet.stacks
    template = template_of(stack.stack)
    assert_cfn_lint_clean(template, REGION)
    return fleet, template


def of_type(template: dict[str, Any], type_name: str) -> dict[str, dict[str, Any]]:
    """Logical ID -> properties of every resource of ``type_name``."""
    return {
        logical: resource.get("Properties", {})
        for logical, resource in template["Resources"].items()
        if resource["Type"] == type_name
    }


def by_property(template: dict[str, Any], type_name: str, key: str) -> dict[str, dict[str, Any]]:
    return {p[key]: p for p in of_type(template, type_name).values()}


@pytest.fixture(scope="module")
def every_key(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("every-key")
    (folder / "logo.png").write_bytes(PNG)
    fleet, template = synth(write(folder, EVERY_KEY))
    return {"fleet": fleet, "template": template, "folder": folder}


@pytest.fixture(scope="module")
def no_new_key(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    fleet, template = synth(write(tmp_path_factory.mktemp("defaults"), NO_NEW_KEY))
    return {"fleet": fleet, "template": template}


# -- every key, synthesized ------------------------------------------------------------------


def test_signing_rules_sign_the_filtered_repositories_or_every_one(
    every_key: dict[str, Any],
) -> None:
    (configuration,) = of_type(every_key["template"], "AWS::ECR::SigningConfiguration").values()
    assert configuration["Rules"] == [
        {
            "SigningProfileArn": PROFILE,
            "RepositoryFilters": [
                {"Filter": "prod*", "FilterType": "WILDCARD_MATCH"},
                {"Filter": "team-a/*", "FilterType": "WILDCARD_MATCH"},
            ],
        },
        {"SigningProfileArn": OTHER_PROFILE},  # no filters: every repository
    ]


def test_each_excluded_principal_is_one_resource(every_key: dict[str, Any]) -> None:
    exclusions = of_type(every_key["template"], "AWS::ECR::PullTimeUpdateExclusion")
    assert sorted(p["PrincipalArn"] for p in exclusions.values()) == sorted([SCANNER, CI])


def test_organization_pull_is_one_statement_beside_replication_sources(
    every_key: dict[str, Any],
) -> None:
    (policy,) = of_type(every_key["template"], "AWS::ECR::RegistryPolicy").values()
    replication, organization = policy["PolicyText"]["Statement"]
    assert replication["Sid"] == "ReplicationFrom"
    assert organization["Sid"] == "OrganizationPull"
    assert organization["Principal"] == {"AWS": "*"}
    assert organization["Action"] == list(PULL_ACTIONS)
    assert organization["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": ORG}}
    assert organization["Resource"]["Fn::Join"][1][-1] == f":ecr:{REGION}:{ACCOUNT}:repository/*"
    # The scope the policy was checked against: the default.
    stack = every_key["fleet"].stacks[0].stack
    assert RegistryPolicy.of(stack).policy_scope is RegistryPolicyScope.V2


def test_an_ecr_upstream_prefix_maps_the_cache_onto_an_upstream_namespace(
    every_key: dict[str, Any],
) -> None:
    (rule,) = of_type(every_key["template"], "AWS::ECR::PullThroughCacheRule").values()
    assert rule["UpstreamRepositoryPrefix"] == "platform"
    assert rule["EcrRepositoryPrefix"] == "central"


def test_a_public_repository_gets_its_push_policy_and_its_logo_from_the_files_folder(
    every_key: dict[str, Any],
) -> None:
    template = every_key["template"]
    (public,) = of_type(template, "AWS::ECR::PublicRepository").values()
    (statement,) = public["RepositoryPolicyText"]["Statement"]
    assert statement["Sid"] == "PublicPush"
    assert statement["Action"] == PUBLIC_PUSH_ACTIONS
    assert statement["Principal"]["AWS"][1] == CI
    assert statement["Principal"]["AWS"][0]["Fn::Join"][1][-1] == ":iam::987654321098:root"
    # The logo is relative to the registry file, not to the working directory.
    assert not Path("logo.png").exists()
    (catalog,) = of_type(template, "Custom::EcrPublicCatalogData").values()
    assert catalog["LogoKey"].endswith(".png")
    tool = every_key["fleet"].public_repositories["tool"]
    assert tool.logo_catalog_data is not None


def test_push_organizations_is_an_organization_push_statement(every_key: dict[str, Any]) -> None:
    (repository,) = of_type(every_key["template"], "AWS::ECR::Repository").values()
    (statement,) = repository["RepositoryPolicyText"]["Statement"]
    assert statement["Sid"] == "OrganizationPush"
    assert statement["Principal"] == {"AWS": "*"}
    assert statement["Action"] == list(PUSH_ACTIONS)
    assert statement["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": ORG}}


def test_a_template_without_a_role_gets_one_only_when_it_uses_kms_or_tags(
    every_key: dict[str, Any],
) -> None:
    template = every_key["template"]
    templates = by_property(template, "AWS::ECR::RepositoryCreationTemplate", "Prefix")
    roles = of_type(template, "AWS::IAM::Role")
    # KMS and tags: a least-privilege role created with the template.
    (role_id,) = [logical for logical in roles if logical.startswith("CreationTemplateCentral")]
    assert templates["central"]["CustomRoleArn"] == {"Fn::GetAtt": [role_id, "Arn"]}
    assert templates["central"]["ResourceTags"] == [{"Key": "purpose", "Value": "cache"}]
    # AES256, no tags: ECR needs no role.
    assert "CustomRoleArn" not in templates["ROOT"]


# -- the defaults: a file without the new keys ----------------------------------------------


def test_without_the_new_keys_nothing_more_is_created(no_new_key: dict[str, Any]) -> None:
    template = no_new_key["template"]
    for type_name in (
        "AWS::ECR::SigningConfiguration",
        "AWS::ECR::PullTimeUpdateExclusion",
        "Custom::EcrPublicCatalogData",
    ):
        assert of_type(template, type_name) == {}
    (policy,) = of_type(template, "AWS::ECR::RegistryPolicy").values()
    assert [s["Sid"] for s in policy["PolicyText"]["Statement"]] == ["ReplicationFrom"]
    assert RegistryPolicy.of(no_new_key["fleet"].stacks[0].stack).policy_scope is (
        RegistryPolicyScope.V2
    )
    (rule,) = of_type(template, "AWS::ECR::PullThroughCacheRule").values()
    assert "UpstreamRepositoryPrefix" not in rule  # ROOT: the whole upstream registry
    (public,) = of_type(template, "AWS::ECR::PublicRepository").values()
    assert "RepositoryPolicyText" not in public
    (repository,) = of_type(template, "AWS::ECR::Repository").values()
    assert "RepositoryPolicyText" not in repository


@pytest.mark.parametrize(
    ("registry", "type_name"),
    [
        (
            f"signing: {{rules: [{{signing_profile_arn: '{PROFILE}'}}]}}",
            "AWS::ECR::SigningConfiguration",
        ),
        (f"pull_time_update_exclusions: ['{SCANNER}']", "AWS::ECR::PullTimeUpdateExclusion"),
        (f"organization_pull: ['{ORG}']", "AWS::ECR::RegistryPolicy"),
    ],
    ids=["signing", "pull_time_update_exclusions", "organization_pull"],
)
def test_a_registry_section_of_one_new_key_is_built(
    tmp_path: Path, registry: str, type_name: str
) -> None:
    _, template = synth(write(tmp_path, f"version: 1\nregistry:\n  {registry}\n{DEPLOYMENT}"))
    assert len(of_type(template, type_name)) == 1


def test_scope_v1_accepts_replication_sources(tmp_path: Path) -> None:
    text = "version: 1\nregistry:\n  policy_scope: V1\n  replication_sources: ['111111111111']\n"
    fleet, template = synth(write(tmp_path, text + DEPLOYMENT))
    assert len(of_type(template, "AWS::ECR::RegistryPolicy")) == 1
    assert RegistryPolicy.of(fleet.stacks[0].stack).policy_scope is RegistryPolicyScope.V1


# -- what the file builds, the constructs build ---------------------------------------------


def test_the_file_renders_the_registry_resources_as_the_constructs_do(
    every_key: dict[str, Any],
) -> None:
    stack = new_stack(region=REGION)
    signing = SigningConfiguration.of(stack)
    signing.add_rule(signing_profile=PROFILE, repository_filters=["prod*", "team-a/*"])
    signing.add_rule(signing_profile=OTHER_PROFILE)
    PullTimeUpdateExclusions(stack, "PullTimeUpdateExclusions", principals=[SCANNER, CI])
    RegistryPolicy.of(stack).add(
        RegistryAccess.replication_from(["111111111111"]), RegistryAccess.organization_pull([ORG])
    )
    built = template_of(stack)
    for type_name in (
        "AWS::ECR::SigningConfiguration",
        "AWS::ECR::PullTimeUpdateExclusion",
        "AWS::ECR::RegistryPolicy",
    ):
        assert of_type(every_key["template"], type_name) == of_type(built, type_name)


def _file_messages(folder: Path, text: str) -> set[str]:
    with pytest.raises(ConfigError) as caught:
        load_registry(write(folder, text))
    return {problem.message for problem in caught.value.problems}


def _construct_messages(build: Callable[[cdk.Stack], object]) -> set[str]:
    with pytest.raises(EcrConstructsError) as caught:
        build(new_stack(region=REGION))
    return {problem.message for problem in caught.value.problems}


SAME_REFUSAL: list[tuple[str, str, Callable[[cdk.Stack], object]]] = [
    (
        "signing profile with a version",
        f"registry: {{signing: {{rules: [{{signing_profile_arn: '{PROFILE}/v1'}}]}}}}",
        lambda stack: SigningConfiguration.of(stack).add_rule(signing_profile=f"{PROFILE}/v1"),
    ),
    (
        "101 signing filters",
        f"registry: {{signing: {{rules: [{{signing_profile_arn: '{PROFILE}', "
        f"repository_filters: {[f'r{n:03d}' for n in range(101)]}}}]}}}}",
        lambda stack: SigningConfiguration.of(stack).add_rule(
            signing_profile=PROFILE, repository_filters=[f"r{n:03d}" for n in range(101)]
        ),
    ),
    (
        "an account root excluded",
        "registry: {pull_time_update_exclusions: ['arn:aws:iam::123456789012:root']}",
        lambda stack: PullTimeUpdateExclusions(
            stack, "Exclusions", principals=["arn:aws:iam::123456789012:root"]
        ),
    ),
    (
        "organization pull under scope V1",
        f"registry: {{policy_scope: V1, organization_pull: ['{ORG}']}}",
        lambda stack: RegistryPolicy.of(stack, policy_scope=RegistryPolicyScope.V1).add(
            RegistryAccess.organization_pull([ORG])
        ),
    ),
    (
        "a cache of its own registry",
        "registry: {pull_through_cache: [{prefix: central, upstream: ecr, upstream_url: "
        f"'{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com', custom_role_arn: '{CACHE_ROLE}'}}]}}",
        lambda stack: PullThroughCache(
            stack, "Cache", prefix="central", upstream=Upstream.ecr(account=ACCOUNT, region=REGION)
        ),
    ),
    (
        "an upstream prefix on the ROOT cache",
        "registry: {pull_through_cache: [{prefix: ROOT, upstream: ecr, upstream_url: "
        f"'{UPSTREAM_URL}', custom_role_arn: '{CACHE_ROLE}', upstream_repository_prefix: team}}]}}",
        lambda stack: PullThroughCache(
            stack,
            "Cache",
            prefix="ROOT",
            upstream=Upstream.ecr(
                account="210987654321", region="us-west-2", repository_prefix="team"
            ),
        ),
    ),
]


@pytest.mark.parametrize(
    ("registry", "build"),
    [pytest.param(registry, build, id=case) for case, registry, build in SAME_REFUSAL],
)
def test_the_file_refuses_what_the_construct_refuses_with_the_same_message(
    tmp_path: Path, registry: str, build: Callable[[cdk.Stack], object]
) -> None:
    from_file = _file_messages(tmp_path, f"version: 1\n{registry}\n{DEPLOYMENT}")
    assert len(from_file) == 1
    assert from_file == _construct_messages(build)


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        pytest.param(b"GIF89a\x01\x00", "not a PNG or JPEG image", id="gif"),
        pytest.param(PNG[:8] + b"\x00" * 512_001, "too large", id="too-large"),
    ],
)
def test_a_bad_logo_is_refused_at_load_as_the_construct_refuses_it(
    tmp_path: Path, content: bytes, fragment: str
) -> None:
    (tmp_path / "logo.png").write_bytes(content)
    text = f"version: 1\npublic_repositories: [{{name: tool, logo: logo.png}}]\n{DEPLOYMENT}"
    with pytest.raises(ConfigError) as caught:
        load_registry(write(tmp_path, text))
    (problem,) = caught.value.problems
    assert problem.where == f"{tmp_path / 'registry.yaml'}:2: public_repositories[0].logo"
    assert fragment in problem.message
    constructed = _construct_messages(
        lambda stack: PublicRepository(
            stack, "Tool", repository_name="tool", logo_image=tmp_path / "logo.png"
        )
    )
    assert {problem.message} == constructed
    assert problem.given == str(tmp_path / "logo.png")


def test_signing_in_a_china_region_is_refused_at_load_as_the_construct_refuses_it(
    tmp_path: Path,
) -> None:
    profile = "arn:aws-cn:signer:cn-north-1:123456789012:/signing-profiles/prod_images"
    text = (
        "version: 1\n"
        f"registry: {{signing: {{rules: [{{signing_profile_arn: '{profile}'}}]}}}}\n"
        "deployment: {region: cn-north-1}\n"
    )
    with pytest.raises(ConfigError) as caught:
        load_registry(write(tmp_path, text))
    where = f"{tmp_path / 'registry.yaml'}:2: registry.signing"
    assert [(p.where, p.message, p.given) for p in caught.value.problems] == [
        (where, "ECR managed signing is not available in the China Regions", "cn-north-1"),
        (
            f"{where}.rules[0].signing_profile_arn",
            "ECR managed signing is not available in the China Regions",
            profile,
        ),
    ]


def test_a_stack_limit_without_room_for_a_logo_is_refused_at_load(tmp_path: Path) -> None:
    """A logo's resources and its repository share a stack: the smallest limit that holds
    them is accepted, and one less is refused before synth."""
    (tmp_path / "logo.png").write_bytes(PNG)
    smallest = STACK_OVERHEAD + public_repository_resources(logo=True)

    def file(limit: int) -> Path:
        return write(
            tmp_path,
            "version: 1\npublic_repositories: [{name: tool, logo: logo.png}, {name: web}]\n"
            f'deployment: {{account: "{ACCOUNT}", region: {REGION}, '
            f"max_resources_per_stack: {limit}}}\n",
        )

    with pytest.raises(ConfigError) as caught:
        load_registry(file(smallest - 1))
    (problem,) = caught.value.problems
    assert problem.where == f"{tmp_path / 'registry.yaml'}:3: deployment.max_resources_per_stack"
    assert problem.given == smallest - 1
    assert f"at least {smallest}" in str(problem.allowed)
    assert "public_repositories[0].logo" in str(problem.allowed)
    fleet = RepositoryFleet(cdk.App(), config=load_registry(file(smallest)), shard_map=ShardMap())
    stacks = {stack.public_repositories: stack for stack in fleet.stacks}
    assert set(stacks) == {("tool",), ("web",)}
    for stack in stacks.values():
        resources = len(template_of(stack.stack)["Resources"]) + STACK_OVERHEAD
        assert resources == stack.resources <= smallest


# -- the JSON Schema --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def schema_validator() -> jsonschema.Draft202012Validator:
    schema = registry_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_the_schema_accepts_every_new_key(
    schema_validator: jsonschema.Draft202012Validator,
) -> None:
    assert list(schema_validator.iter_errors(yaml.safe_load(EVERY_KEY))) == []
    registry = registry_json_schema()["$defs"]["RegistrySettingsConfig"]["properties"]
    assert registry["policy_scope"]["default"] == "V2"


ECR_CACHE = {
    "prefix": "central",
    "upstream": "ecr",
    "upstream_url": UPSTREAM_URL,
    "custom_role_arn": CACHE_ROLE,
}


@pytest.mark.parametrize(
    "registry",
    [
        {"policy_scope": "V3"},
        {"organization_pull": ["o-abc"]},
        {"signing": {"rules": [{"signing_profile_arn": f"{PROFILE}/v1"}]}},
        {"signing": {"rules": [{"signing_profile_arn": PROFILE}] * 11}},
        {"signing": {"rules": [{"signing_profile_arn": PROFILE, "repository_filters": ["Prod"]}]}},
        {"pull_time_update_exclusions": ["arn:aws:iam::123456789012:root"]},
        {"pull_time_update_exclusions": [f"{SCANNER}-{n}" for n in range(101)]},
        {"pull_through_cache": [{**ECR_CACHE, "upstream_repository_prefix": "Platform"}]},
    ],
    ids=[
        "scope",
        "organization",
        "profile",
        "eleven-rules",
        "filter",
        "account-root",
        "101-exclusions",
        "upstream-prefix",
    ],
)
def test_the_schema_flags_mistakes_in_the_new_registry_keys(
    schema_validator: jsonschema.Draft202012Validator, registry: dict[str, Any]
) -> None:
    assert list(schema_validator.iter_errors({"version": 1, "registry": registry}))


def test_the_schema_flags_a_pull_key_in_public_access(
    schema_validator: jsonschema.Draft202012Validator,
) -> None:
    document = {
        "version": 1,
        "public_repositories": [{"name": "tool", "access": {"pull_accounts": ["987654321098"]}}],
    }
    assert list(schema_validator.iter_errors(document))


def test_a_configuration_made_in_python_is_checked_as_a_file_is(tmp_path: Path) -> None:
    config = RegistryConfig.model_validate(
        {
            "version": 1,
            "registry": {
                "policy_scope": "V1",
                "organization_pull": [ORG],
                "pull_time_update_exclusions": [SCANNER, SCANNER],
            },
        }
    )
    with pytest.raises(ConfigError) as caught:
        resolve_registry(config)
    assert [problem.where for problem in caught.value.problems] == [
        "RegistryConfig: registry.organization_pull",
        "RegistryConfig: registry.pull_time_update_exclusions[1]",
    ]
