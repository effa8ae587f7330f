"""`RegistryRollout`: a registry file deployed to every account and region of its
``deployment.targets``.

Mode ``stacksets``: the fleet is placed once (the shard map covers it), synthesized into
environment-agnostic instance templates, and each of its stacks becomes one
``AWS::CloudFormation::StackSet`` in a home stack in ``deployment.account`` and ``region``:
service-managed for organizational units (deployed automatically to accounts that join
them), self-managed for listed accounts. Shard N's repositories are in StackSet N for good.

Mode ``stages``: the fleet's stacks once per target account and region, top-level stacks of
the app, for ``cdk deploy --all`` or CDK Pipelines.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from types import TracebackType
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_s3_assets as s3_assets
from aws_cdk import cx_api
from constructs import Construct

from ...cloudformation import MAX_STACK_SETS, MAX_TEMPLATE_BODY_BYTES, CallAs, PermissionModel
from ...errors import ConfigError, Problem
from ..registry_file.loading import LoadedRegistry, load_registry
from ..registry_file.models import PUBLIC_REPOSITORY_REGION, RolloutMode, TargetsConfig
from .fleet import RepositoryFleet
from .placement import PLACEMENT_TEMPLATE_BYTES, shard_map_path
from .shard_map_file import ShardMapFile

_PUBLIC_REGION_CONDITION = "InEcrPublicRegion"
_IAM_NAMES = ("RoleName", "ManagedPolicyName", "UserName", "GroupName")


@dataclass(frozen=True)
class RolloutStackSet:
    """One StackSet of a rollout: a stack of the fleet, deployed to every target."""

    name: str
    """The StackSet's name: the fleet stack's (``stack_name``, ``stack_name-2``...)."""
    repositories: tuple[str, ...]
    public_repositories: tuple[str, ...]
    template_bytes: int
    """The instance template's size as the StackSet receives it (compact JSON)."""
    inline: bool
    """True: the template is the StackSet's ``TemplateBody``; False: a ``TemplateURL`` to a
    CDK file asset in the home account's bootstrap bucket."""


@dataclass(frozen=True)
class RolloutTarget:
    """One account and region of a ``stages`` rollout, with its stacks' construct IDs."""

    account: str
    region: str
    stacks: tuple[str, ...]


@dataclass(frozen=True)
class RolloutPlan:
    """What a rollout deploys where."""

    mode: RolloutMode
    organizational_units: tuple[str, ...]
    accounts: tuple[str, ...]
    regions: tuple[str, ...]
    stack_sets: tuple[RolloutStackSet, ...]
    """The StackSets (mode stacksets), in order; empty with stages."""
    targets: tuple[RolloutTarget, ...]
    """Every account and region (mode stages); empty with stacksets."""

    @property
    def instances(self) -> int | None:
        """Stack instances (or stacks, with stages) in all: None with organizational units,
        whose accounts only AWS Organizations knows."""
        if self.mode is RolloutMode.STAGES:
            return sum(len(target.stacks) for target in self.targets)
        if self.organizational_units:
            return None
        return len(self.stack_sets) * len(self.accounts) * len(self.regions)


class RegistryRollout:
    """A registry file deployed to every account and region of ``deployment.targets``.

    Builds into ``app``: with mode ``stacksets`` (the default), one home stack named
    ``deployment.stack_name`` in ``deployment.account`` and ``region``, holding one
    ``AWS::CloudFormation::StackSet`` per stack of the fleet (StackSet ``stack_name``,
    ``stack_name-2``...), itself retained on delete; with mode ``stages``, the fleet's
    stacks in every target account and region (construct IDs ``<stack>-<account>-<region>``,
    CloudFormation names as the fleet's). The shard map keeps every repository in the same
    StackSet (or stack) for good. Not a construct: it creates stacks.

    :param config: a checked registry file (``load_registry``) with ``deployment.targets``.
    :param shard_map: the shard map file (``ShardMapFile`` or path); see
        ``RepositoryFleet``. Default: none (a warning when the fleet takes several stacks).
    :param locked: refuse to change the shard map file (CI). Default: false.
    :param lock_timeout: seconds to wait for the shard map's lock. Default: 0.
    :param template_assets: let an instance template larger than a StackSet takes inline
        (51,200 bytes) go to the home account's CDK bootstrap bucket as a file asset
        (``TemplateURL``). False: refuse it (a home account that is not bootstrapped).
        Default: true.
    :param progress: called with a line of text as each stack is built. Default: silent.

    ``fleet`` is the fleet that placed the repositories (stacksets: the instance templates'
    stacks; stages: the first target's), with its shard map and stacks.
    """

    def __init__(
        self,
        app: Construct,
        *,
        config: LoadedRegistry,
        shard_map: str | PathLike[str] | ShardMapFile | None = None,
        locked: bool = False,
        lock_timeout: float | None = 0.0,
        template_assets: bool = True,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        targets = config.config.deployment.targets
        if targets is None:
            raise ConfigError(
                "deployment.targets",
                "a rollout needs deployment.targets",
                allowed="deployment.targets with organizational_units or accounts, and "
                "regions (or RepositoryFleet for one account and region)",
            )
        self.targets: TargetsConfig = targets
        self._loaded = config
        self._cleanup = ExitStack()
        self.home_stack: cdk.Stack | None = None
        """The stack holding the StackSets (mode stacksets); None with stages."""
        self.stack_sets: dict[str, cdk.CfnStackSet] = {}
        """Each ``AWS::CloudFormation::StackSet``, by name (mode stacksets)."""
        self.fleets: dict[tuple[str, str], RepositoryFleet] = {}
        """The fleet of each target (account, region) (mode stages)."""
        self.instance_templates: dict[str, dict[str, Any]] = {}
        """The template each StackSet deploys to every target, by StackSet name (mode
        stacksets)."""
        common = {"locked": locked, "lock_timeout": lock_timeout, "progress": progress}
        try:
            if targets.mode is RolloutMode.STACKSETS:
                self.fleet = self._build_stack_sets(app, shard_map, template_assets, common)
            else:
                self.fleet = self._build_stages(app, shard_map, common)
        except BaseException:
            self.close()
            raise

    @classmethod
    def from_file(
        cls,
        app: Construct,
        path: str | PathLike[str],
        *,
        locked: bool = False,
        template_assets: bool = True,
    ) -> RegistryRollout:
        """The rollout of a registry file, with the shard map beside the file."""
        return cls(
            app,
            config=load_registry(path),
            shard_map=shard_map_path(path),
            locked=locked,
            template_assets=template_assets,
        )

    # --- stacksets --------------------------------------------------------------------------

    def _build_stack_sets(
        self,
        app: Construct,
        shard_map: str | PathLike[str] | ShardMapFile | None,
        template_assets: bool,
        common: dict[str, Any],
    ) -> RepositoryFleet:
        folder = Path(tempfile.mkdtemp(prefix="ecr-rollout-"))
        self._cleanup.callback(shutil.rmtree, folder, ignore_errors=True)
        self._instances = cdk.App(
            outdir=str(folder / "instances"),
            default_stack_synthesizer=cdk.BootstraplessSynthesizer(),
            analytics_reporting=False,
            builtin_cloud_formation_validation=False,  # seconds, and nothing the library misses
        )
        fleet = RepositoryFleet(
            self._instances,
            config=self._loaded,
            env=cdk.Environment(),  # every target's account and region
            shard_map=shard_map,
            **common,
        )
        self._cleanup.callback(fleet.close)
        if len(self.targets.regions) > 1:
            for stack in fleet.stacks:
                if stack.public_repositories:
                    _public_repositories_in_their_region_only(stack.stack)
        assembly = self._instances.synth()
        self._instances_directory = assembly.directory
        deployment = self._loaded.config.deployment
        problems = []
        if len(fleet.stacks) > MAX_STACK_SETS:
            problems.append(
                Problem(
                    "deployment.max_resources_per_stack",
                    "the fleet takes more StackSets than an administrator account holds",
                    given=f"{len(fleet.stacks):,} stacks",
                    allowed=f"at most {MAX_STACK_SETS:,} StackSets (CloudFormation's quota): "
                    "a higher max_resources_per_stack, or fewer repositories",
                )
            )
        self.home_stack = cdk.Stack(
            app,
            fleet.stack_name,
            stack_name=fleet.stack_name,
            env=cdk.Environment(account=deployment.account, region=deployment.region),
            description=f"Amazon ECR registry {fleet.stack_name}: its StackSets "
            "(ecr-constructs RegistryRollout)",
        )
        # The home stack's own template stays within what a fleet stack may hold.
        inline_left = PLACEMENT_TEMPLATE_BYTES
        self._plan: list[RolloutStackSet] = []
        for index, stack in enumerate(fleet.stacks, start=1):
            template = assembly.get_stack_by_name(stack.name).template
            self.instance_templates[stack.name] = template
            body = json.dumps(template, separators=(",", ":"), ensure_ascii=False)
            size = len(body.encode())
            inline = size <= min(MAX_TEMPLATE_BODY_BYTES, inline_left)
            if not inline and not template_assets:
                problems.append(
                    Problem(
                        f"stack {stack.name}",
                        "its instance template is larger than a StackSet takes inline "
                        "(TemplateBody), and template assets are off",
                        given=f"{size:,} bytes",
                        allowed=f"at most {MAX_TEMPLATE_BODY_BYTES:,} bytes: template assets on "
                        "(the home account bootstrapped for its file assets), or a lower "
                        "deployment.max_resources_per_stack so that each stack fits",
                    )
                )
                continue
            url = None
            if inline:
                inline_left -= size
            else:
                path = folder / f"{stack.name}.template.json"
                path.write_text(body, encoding="utf-8")
                asset = s3_assets.Asset(self.home_stack, f"Shard{index}Template", path=str(path))
                url = asset.http_url
            self.stack_sets[stack.name] = self._stack_set(
                self.home_stack, index, stack.name, template, None if url else body, url
            )
            self._plan.append(
                RolloutStackSet(
                    name=stack.name,
                    repositories=stack.repositories,
                    public_repositories=stack.public_repositories,
                    template_bytes=size,
                    inline=inline,
                )
            )
        if problems:
            raise ConfigError.from_problems(problems)
        return fleet

    def _stack_set(
        self,
        home: cdk.Stack,
        index: int,
        name: str,
        template: dict[str, Any],
        body: str | None,
        url: str | None,
    ) -> cdk.CfnStackSet:
        targets = self.targets
        service_managed = bool(targets.organizational_units)
        if service_managed:
            deployment_targets = cdk.CfnStackSet.DeploymentTargetsProperty(
                organizational_unit_ids=list(targets.organizational_units)
            )
        else:
            deployment_targets = cdk.CfnStackSet.DeploymentTargetsProperty(
                accounts=list(targets.accounts)
            )
        preferences = None
        if (
            targets.max_concurrent_percentage is not None
            or targets.failure_tolerance_percentage is not None
            or targets.region_order
        ):
            preferences = cdk.CfnStackSet.OperationPreferencesProperty(
                max_concurrent_percentage=targets.max_concurrent_percentage,
                failure_tolerance_percentage=targets.failure_tolerance_percentage,
                region_order=list(targets.region_order) or None,
            )
        stack_set = cdk.CfnStackSet(
            home,
            f"Shard{index}StackSet",
            stack_set_name=name,
            description=f"Amazon ECR registry {name} (ecr-constructs RegistryRollout)",
            permission_model=(
                PermissionModel.SERVICE_MANAGED if service_managed else PermissionModel.SELF_MANAGED
            ).value,
            auto_deployment=cdk.CfnStackSet.AutoDeploymentProperty(
                enabled=True, retain_stacks_on_account_removal=True
            )
            if service_managed
            else None,
            call_as=(targets.call_as or CallAs.DELEGATED_ADMIN).value if service_managed else None,
            managed_execution={"Active": True},
            operation_preferences=preferences,
            capabilities=_capabilities(template),
            stack_instances_group=[
                cdk.CfnStackSet.StackInstancesProperty(
                    deployment_targets=deployment_targets, regions=list(targets.regions)
                )
            ],
            template_body=body,
            template_url=url,
        )
        stack_set.apply_removal_policy(cdk.RemovalPolicy.RETAIN)
        return stack_set

    # --- stages -----------------------------------------------------------------------------

    def _build_stages(
        self,
        app: Construct,
        shard_map: str | PathLike[str] | ShardMapFile | None,
        common: dict[str, Any],
    ) -> RepositoryFleet:
        targets = self.targets
        # The fleet with the public repositories (us-east-1) places them all; the other
        # targets follow its shard map.
        regions = sorted(targets.regions, key=lambda region: region != PUBLIC_REPOSITORY_REGION)
        without_public = dataclasses.replace(
            self._loaded,
            config=self._loaded.config.model_copy(update={"public_repositories": ()}),
        )
        first: RepositoryFleet | None = None
        for region in regions:
            for account in targets.accounts:
                loaded = self._loaded if region == PUBLIC_REPOSITORY_REGION else without_public
                options = {**common, "progress": _prefixed(common["progress"], account, region)}
                if first is not None:
                    options["locked"] = False  # the first fleet's map, in memory
                fleet = RepositoryFleet(
                    app,
                    config=loaded,
                    env=cdk.Environment(account=account, region=region),
                    shard_map=shard_map if first is None else first.shard_map,
                    construct_id_suffix=f"-{account}-{region}",
                    **options,
                )
                self._cleanup.callback(fleet.close)
                self.fleets[account, region] = fleet
                first = first or fleet
        assert first is not None  # regions and accounts were checked at load
        return first

    # --- both -------------------------------------------------------------------------------

    @property
    def plan(self) -> RolloutPlan:
        """What the rollout deploys where."""
        targets = self.targets
        stages = tuple(
            RolloutTarget(account, region, tuple(s.stack.node.id for s in fleet.stacks))
            for account in targets.accounts
            for region in targets.regions
            if (fleet := self.fleets.get((account, region))) is not None
        )
        return RolloutPlan(
            mode=targets.mode,
            organizational_units=targets.organizational_units,
            accounts=targets.accounts,
            regions=targets.regions,
            stack_sets=tuple(self._plan) if targets.mode is RolloutMode.STACKSETS else (),
            targets=stages,
        )

    def commit_shard_map(self, assembly: cx_api.CloudAssembly | str | PathLike[str]) -> bool:
        """Record the placement in the shard map file once ``assembly`` (``app.synth()``)
        holds the rollout: the home stack (stacksets), or every target's stacks (stages).
        Returns True when the file was written; see ``RepositoryFleet.commit_shard_map``."""
        directory = assembly.directory if isinstance(assembly, cx_api.CloudAssembly) else assembly
        if self.targets.mode is RolloutMode.STAGES:
            for fleet in self.fleets.values():
                if fleet is not self.fleet:
                    fleet.commit_shard_map(directory)
            return self.fleet.commit_shard_map(directory)
        assert self.home_stack is not None
        home = Path(directory) / f"{self.home_stack.artifact_id}.template.json"
        if not home.exists():
            raise ConfigError(
                str(directory),
                f"the cloud assembly has no stack {self.home_stack.node.path}",
                allowed="the assembly synthesized from this rollout (app.synth())",
            )
        return self.fleet.commit_shard_map(self._instances_directory)

    def close(self) -> None:
        """Release the shard map's lock and remove the instance templates' folder."""
        self._cleanup.close()

    def __enter__(self) -> RegistryRollout:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.fleet.__exit__(kind, error, traceback)
        self.close()


def _public_repositories_in_their_region_only(stack: cdk.Stack) -> None:
    """In a template every target region gets: public repositories under a condition (us-east-1
    only), in place of the rule that stops the whole stack elsewhere."""
    from ...public import REGION_RULE_ID, PublicRepository

    stack.node.try_remove_child(REGION_RULE_ID)
    condition = cdk.CfnCondition(
        stack,
        _PUBLIC_REGION_CONDITION,
        expression=cdk.Fn.condition_equals(cdk.Aws.REGION, PUBLIC_REPOSITORY_REGION),
    )
    for child in stack.node.find_all():
        if isinstance(child, PublicRepository):
            for resource in child.node.find_all():
                if isinstance(resource, cdk.CfnResource):
                    resource.cfn_options.condition = condition


def _prefixed(
    progress: Callable[[str], None] | None, account: str, region: str
) -> Callable[[str], None] | None:
    if progress is None:
        return None
    return lambda line: progress(f"{account} {region}: {line}")


def _capabilities(template: dict[str, Any]) -> list[str] | None:
    """What the instance template needs acknowledged: IAM resources, named ones."""
    resources = template.get("Resources", {}).values()
    iam = [r for r in resources if r.get("Type", "").startswith("AWS::IAM::")]
    if not iam:
        return None
    named = any(key in r.get("Properties", {}) for r in iam for key in _IAM_NAMES)
    return ["CAPABILITY_NAMED_IAM"] if named else ["CAPABILITY_IAM"]
