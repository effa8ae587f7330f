"""An organisation-wide rollout (``deployment.targets``): the home stack of StackSets for both
permission models, the instance template, shards as StackSets that never move, the inline
template limit, the stages mode, cfn-lint on every stack, ``synth``'s plan and the example's
snapshot."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
import yaml
from aws_cdk import assertions
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

import ecr_constructs.cli as cli
from ecr_constructs.errors import ConfigError
from ecr_constructs.standards import load_registry, parse_registry
from ecr_constructs.standards.fleet.placement import shard_map_path
from ecr_constructs.standards.fleet.rollout import RegistryRollout

from .gates import assembly_stacks, assert_cfn_lint_clean

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
EXAMPLE = EXAMPLES / "organisation_rollout.yaml"
HOME_ACCOUNT = "111111111111"
OU = "ou-abcd-12345678"
STACK_SET = "AWS::CloudFormation::StackSet"


def registry(
    targets: dict[str, Any],
    *,
    names: tuple[str, ...] = ("app", "team-a/service"),
    public: bool = False,
    home: bool = True,
    **deployment: Any,
) -> str:
    """A registry file deployed to ``targets``, from account 111111111111 in us-east-1."""
    data: dict[str, Any] = {
        "version": 1,
        "repositories": [{"name": name} for name in names],
        "deployment": {
            "stack_name": "baseline",
            **({"account": HOME_ACCOUNT, "region": "us-east-1"} if home else {}),
            **deployment,
            "targets": targets,
        },
    }
    if public:
        data["public_repositories"] = [{"name": "tool", "description": "A tool"}]
    return yaml.safe_dump(data, sort_keys=False)


def built(text: str, **options: Any) -> tuple[RegistryRollout, cdk.App]:
    app = cdk.App()
    rollout = RegistryRollout(app, config=parse_registry(text), **options)
    return rollout, app


def stack_sets(rollout: RegistryRollout) -> dict[str, dict[str, Any]]:
    """Each StackSet resource of the home stack (Type, Properties, policies), by name."""
    assert rollout.home_stack is not None
    template = assertions.Template.from_stack(rollout.home_stack).to_json()
    return {
        resource["Properties"]["StackSetName"]: resource
        for resource in template["Resources"].values()
        if resource["Type"] == STACK_SET
    }


def body(stack_set: dict[str, Any]) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(stack_set["Properties"]["TemplateBody"])
    return parsed


def repositories_in(template: dict[str, Any]) -> set[str]:
    return {
        r["Properties"]["RepositoryName"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::ECR::Repository"
    }


@pytest.fixture(scope="module")
def example() -> RegistryRollout:
    app = cdk.App()
    with RegistryRollout(app, config=load_registry(EXAMPLE)) as rollout:
        app.synth()
    return rollout


def test_organizational_units_get_a_service_managed_auto_deployed_retained_stack_set(
    example: RegistryRollout,
) -> None:
    (stack_set,) = stack_sets(example).values()
    assert stack_set["DeletionPolicy"] == "Retain"
    assert stack_set["UpdateReplacePolicy"] == "Retain"
    properties = {k: v for k, v in stack_set["Properties"].items() if k != "TemplateBody"}
    assert properties == {
        "StackSetName": "ecr-baseline",
        "Description": "Amazon ECR registry ecr-baseline (ecr-constructs RegistryRollout)",
        "PermissionModel": "SERVICE_MANAGED",
        "AutoDeployment": {"Enabled": True, "RetainStacksOnAccountRemoval": True},
        "CallAs": "DELEGATED_ADMIN",
        "ManagedExecution": {"Active": True},
        "Capabilities": ["CAPABILITY_IAM"],  # the creation templates' roles
        "OperationPreferences": {
            "MaxConcurrentPercentage": 25,
            "FailureTolerancePercentage": 10,
            "RegionOrder": ["eu-west-1", "us-east-1"],
        },
        "StackInstancesGroup": [
            {
                "DeploymentTargets": {
                    "OrganizationalUnitIds": ["ou-ab12-workload1", "ou-ab12-sandbox01"]
                },
                "Regions": ["eu-west-1", "us-east-1"],
            }
        ],
    }
    assert example.home_stack is not None
    assert (example.home_stack.account, example.home_stack.region) == (HOME_ACCOUNT, "eu-west-1")


def test_the_management_account_calls_as_self() -> None:
    rollout, _ = built(
        registry({"organizational_units": [OU], "regions": ["eu-west-1"], "call_as": "SELF"})
    )
    (stack_set,) = stack_sets(rollout).values()
    assert stack_set["Properties"]["CallAs"] == "SELF"
    assert "OperationPreferences" not in stack_set["Properties"]


def test_accounts_get_a_self_managed_stack_set_without_auto_deployment() -> None:
    accounts = ["222222222222", "333333333333"]
    rollout, _ = built(registry({"accounts": accounts, "regions": ["eu-west-1", "us-east-1"]}))
    (stack_set,) = stack_sets(rollout).values()
    properties = stack_set["Properties"]
    assert properties["PermissionModel"] == "SELF_MANAGED"
    assert properties["StackInstancesGroup"] == [
        {"DeploymentTargets": {"Accounts": accounts}, "Regions": ["eu-west-1", "us-east-1"]}
    ]
    assert {"AutoDeployment", "CallAs", "Capabilities"}.isdisjoint(properties)
    assert properties["ManagedExecution"] == {"Active": True}
    assert stack_set["DeletionPolicy"] == "Retain"
    assert rollout.plan.instances == 4


def test_the_instance_template_holds_the_registry_retained_and_needs_no_bootstrap(
    example: RegistryRollout,
) -> None:
    (template,) = example.instance_templates.values()
    (stack_set,) = stack_sets(example).values()
    assert body(stack_set) == template
    resources = template["Resources"]
    repositories = {k: r for k, r in resources.items() if r["Type"] == "AWS::ECR::Repository"}
    assert repositories_in(template) == {
        "platform/base-images/python",
        "platform/base-images/node",
        "platform/build-tools",
    }
    assert {r["DeletionPolicy"] for r in repositories.values()} == {"Retain"}
    assert {r["Type"] for r in resources.values()} >= {
        "AWS::ECR::RegistryScanningConfiguration",
        "AWS::ECR::ReplicationConfiguration",
        "AWS::ECR::PullThroughCacheRule",
        "AWS::ECR::RepositoryCreationTemplate",
    }
    # No bootstrap version parameter or rule, no CDK metadata, no account or region.
    assert "Parameters" not in template and "Rules" not in template
    assert "AWS::CDK::Metadata" not in {r["Type"] for r in resources.values()}
    assert HOME_ACCOUNT not in json.dumps(template)


def test_public_repositories_are_deployed_in_us_east_1_only() -> None:
    rollout, _ = built(
        registry({"organizational_units": [OU], "regions": ["eu-west-1", "us-east-1"]}, public=True)
    )
    (template,) = rollout.instance_templates.values()
    assert template["Conditions"] == {
        "InEcrPublicRegion": {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]}
    }
    (public,) = [
        r for r in template["Resources"].values() if r["Type"] == "AWS::ECR::PublicRepository"
    ]
    assert public["Condition"] == "InEcrPublicRegion"
    private = [r for r in template["Resources"].values() if r["Type"] == "AWS::ECR::Repository"]
    assert private and all("Condition" not in r for r in private)
    assert "Rules" not in template  # the rule would stop the stack in eu-west-1
    for region in ("eu-west-1", "us-east-1"):
        assert_cfn_lint_clean(template, region)


def test_every_stack_of_the_rollout_is_cfn_lint_clean(example: RegistryRollout) -> None:
    assert example.home_stack is not None
    assert_cfn_lint_clean(assertions.Template.from_stack(example.home_stack).to_json(), "eu-west-1")
    for template in example.instance_templates.values():
        for region in example.targets.regions:
            assert_cfn_lint_clean(template, region)


def test_the_example_rollout_snapshot(
    example: RegistryRollout, snapshot: SnapshotAssertion
) -> None:
    """StackSet names and logical IDs are part of the snapshot: a change that would replace
    a StackSet (or move a repository to another) shows up here."""
    assert example.home_stack is not None
    template = assertions.Template.from_stack(example.home_stack).to_json()
    assert template == snapshot.use_extension(JSONSnapshotExtension)


@pytest.mark.filterwarnings("ignore:no shard map found")
def test_shards_become_stack_sets_and_a_new_repository_moves_none(tmp_path: Path) -> None:
    targets = {"organizational_units": [OU], "regions": ["eu-west-1"]}
    names = tuple(f"service-{n}" for n in range(6))
    path = tmp_path / "registry.yaml"
    path.write_text(registry(targets, names=names, max_resources_per_stack=3))

    def synthesized() -> dict[str, set[str]]:
        app = cdk.App(outdir=str(tmp_path / "cdk.out"))
        with RegistryRollout.from_file(app, path) as rollout:
            rollout.commit_shard_map(app.synth())
        return {name: repositories_in(body(s)) for name, s in stack_sets(rollout).items()}

    before = synthesized()
    assert before == {
        "baseline": {"service-0", "service-1"},
        "baseline-2": {"service-2", "service-3"},
        "baseline-3": {"service-4", "service-5"},
    }
    assert shard_map_path(path).exists()
    # "a-new" sorts first: placed afresh it would push every other repository along.
    path.write_text(registry(targets, names=("a-new", *names), max_resources_per_stack=3))
    after = synthesized()
    for name, repositories in before.items():
        assert repositories <= after[name]
    assert after["baseline-4"] == {"a-new"}


def many(count: int) -> tuple[str, ...]:
    return tuple(f"team-{n % 5}/service-with-a-long-name-{n:03d}" for n in range(count))


def test_an_instance_template_past_the_inline_limit_goes_by_template_url() -> None:
    rollout, app = built(
        registry({"accounts": ["222222222222"], "regions": ["eu-west-1"]}, names=many(80))
    )
    (stack_set,) = stack_sets(rollout).values()
    (planned,) = rollout.plan.stack_sets
    assert planned.template_bytes > 51_200 and not planned.inline
    assert "TemplateBody" not in stack_set["Properties"]
    url = json.dumps(stack_set["Properties"]["TemplateURL"])
    assert "cdk-hnb659fds-assets-111111111111-us-east-1" in url
    directory = Path(app.synth().directory)
    manifest = json.loads((directory / "baseline.assets.json").read_text())
    (path,) = [
        f["source"]["path"]
        for f in manifest["files"].values()
        if f["source"]["path"] != "baseline.template.json"  # the home stack's own template
    ]
    staged = json.loads((directory / path).read_text())
    assert staged == rollout.instance_templates["baseline"]


def test_past_the_inline_limit_without_template_assets_is_refused_with_the_limit() -> None:
    text = registry({"accounts": ["222222222222"], "regions": ["eu-west-1"]}, names=many(80))
    with pytest.raises(ConfigError) as caught:
        built(text, template_assets=False)
    (problem,) = caught.value.problems
    assert problem.where == "stack baseline"
    assert (
        "its instance template is larger than a StackSet takes inline (TemplateBody), "
        "and template assets are off" in str(problem)
    )
    assert "allowed: at most 51,200 bytes" in str(problem)


def test_a_rollout_needs_targets() -> None:
    text = yaml.safe_dump({"version": 1, "repositories": [{"name": "app"}]})
    with pytest.raises(ConfigError, match=r"a rollout needs deployment\.targets"):
        built(text)


@pytest.fixture(scope="module")
def stages() -> tuple[RegistryRollout, dict[str, Any]]:
    text = registry(
        {
            "mode": "stages",
            "accounts": ["222222222222", "333333333333"],
            "regions": ["eu-west-1", "us-east-1"],
        },
        public=True,
        home=False,
    )
    app = cdk.App()
    with RegistryRollout(app, config=parse_registry(text)) as rollout:
        assembly = app.synth()
    return rollout, {s.id: s for s in assembly.stacks}


def test_stages_mode_makes_a_stack_per_account_and_region(
    stages: tuple[RegistryRollout, dict[str, Any]],
) -> None:
    rollout, stacks = stages
    assert {
        name: (s.environment.account, s.environment.region, s.stack_name)
        for name, s in stacks.items()
    } == {
        f"baseline-{account}-{region}": (account, region, "baseline")
        for account in ("222222222222", "333333333333")
        for region in ("eu-west-1", "us-east-1")
    }
    assert rollout.home_stack is None and not rollout.stack_sets
    assert rollout.plan.instances == 4
    for name, stack in stacks.items():
        types = [r["Type"] for r in stack.template["Resources"].values()]
        assert types.count("AWS::ECR::Repository") == 2
        # ECR Public exists in us-east-1 only: the other regions' stacks leave it out.
        assert types.count("AWS::ECR::PublicRepository") == (1 if "us-east-1" in name else 0)
        assert_cfn_lint_clean(stack.template, stack.environment.region)


def test_synth_prints_the_rollout_plan_and_validate_the_targets(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for name in ("organisation_rollout.yaml", "organisation_rollout.shards.json"):
        shutil.copy(EXAMPLES / name, tmp_path / name)
    file, out = tmp_path / "organisation_rollout.yaml", tmp_path / "cdk.out"

    assert cli.main(["validate", str(file)]) == cli.EXIT_OK
    assert "rolled out (stacksets) to 2 OUs x 2 regions" in capsys.readouterr().out
    assert cli.main(["synth", str(file), "-o", str(out), "--locked"]) == cli.EXIT_OK

    lines = capsys.readouterr().out.splitlines()
    plan = lines[lines.index(next(line for line in lines if line.startswith("rollout"))) :]
    assert plan == [
        "rollout (StackSets, service-managed): 1 StackSet to OUs ou-ab12-workload1, "
        "ou-ab12-sandbox01",
        "  regions: eu-west-1, us-east-1; one stack instance per account in them (accounts "
        "that join later included) per region, per StackSet",
        "  StackSet ecr-baseline: 3 repositories, 9.7 KB template, inline",
    ]
    stacks = assembly_stacks(out)
    assert list(stacks) == ["ecr-baseline"]
    assert stacks["ecr-baseline"]["environment"] == f"aws://{HOME_ACCOUNT}/eu-west-1"
    assert_cfn_lint_clean(stacks["ecr-baseline"]["template"], "eu-west-1")


def test_synth_prints_each_target_of_stages_mode(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    file = tmp_path / "registry.yaml"
    file.write_text(
        registry(
            {"mode": "stages", "accounts": ["222222222222"], "regions": ["eu-west-1", "us-west-2"]},
            home=False,
        )
    )
    assert cli.main(["synth", str(file), "-o", str(tmp_path / "out")]) == cli.EXIT_OK
    lines = capsys.readouterr().out.splitlines()
    assert lines[-3:] == [
        "rollout (stages): 1 account x 2 regions = 2 stacks, deployed with `cdk deploy --all`",
        "  222222222222 eu-west-1: baseline-222222222222-eu-west-1",
        "  222222222222 us-west-2: baseline-222222222222-us-west-2",
    ]
    artifacts = json.loads((tmp_path / "out" / "manifest.json").read_text())["artifacts"]
    assert {k for k, a in artifacts.items() if a["type"] == "aws:cloudformation:stack"} == {
        "baseline-222222222222-eu-west-1",
        "baseline-222222222222-us-west-2",
    }


def test_a_fleet_of_a_rollout_file_is_refused_without_an_explicit_env() -> None:
    from ecr_constructs.standards import RepositoryFleet

    text = registry({"organizational_units": [OU], "regions": ["eu-west-1"]})
    with pytest.raises(ConfigError, match=r"RegistryRollout for deployment\.targets"):
        RepositoryFleet(cdk.App(), config=parse_registry(text))
