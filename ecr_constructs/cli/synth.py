"""`ecr-constructs synth FILE`: a registry file to a cloud assembly, as one transaction.

Under the shard map's lock: the fleet is placed from the map, synthesized into a directory
beside the output, checked (every stack with its repositories, each template within
CloudFormation's size), then the map is committed and the new assembly swapped in place of
the old, with interrupts held for those two steps. A failure or an interrupt before them
leaves the map and the output directory as they were.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import sys
import time
import warnings
from collections.abc import Sequence
from contextlib import closing, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

from ..atomic_files import replace_directory
from ..cloud_assembly import MANIFEST
from ..errors import ConfigError, EcrConstructsError
from ..standards.fleet.placement import shard_map_path
from ..standards.fleet.shard_map_file import ShardMapBusyError, ShardMapFile
from ..standards.registry_file.loading import LoadedRegistry
from . import EXIT_FAILURE, EXIT_INVALID, EXIT_OK, Interrupted, counted, interrupts_held
from .registry import load_printing_problems, print_problems

if TYPE_CHECKING:
    from ..standards.fleet.fleet import RepositoryFleet
    from ..standards.fleet.rollout import RegistryRollout, RolloutPlan


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `synth` command."""
    synth = subparsers.add_parser(
        "synth",
        help="synthesize a registry file into a CDK cloud assembly",
        description="Build every repository, public repository and registry-wide setting of a "
        "registry file (RepositoryFleet) and write the CloudFormation templates as a cloud "
        "assembly: deploy it with `cdk deploy --app DIR --all`. The shard map beside the file "
        "(registry.yaml: registry.shards.json) records each repository's stack; it is written, "
        "under a lock, once the assembly is complete, when repositories are added or removed: "
        "commit it. The output directory is replaced whole. Exit 0 on success, 2 with every "
        "problem listed, 1 when another synth of the file holds the lock, 130 interrupted.",
    )
    synth.add_argument("file", metavar="FILE", help="the registry file")
    synth.add_argument(
        "-o",
        "--output",
        metavar="DIR",
        default="cdk.out",
        help="the cloud assembly directory, replaced whole (default: cdk.out)",
    )
    synth.add_argument(
        "--locked",
        action="store_true",
        help="fail instead of writing the shard map when it is missing or out of date (CI)",
    )
    synth.add_argument(
        "--wait",
        action="store_true",
        help="wait while another synth of the same file holds the shard map's lock "
        "(default: exit 1 at once)",
    )
    synth.add_argument(
        "--cloudformation-validation",
        action="store_true",
        help="also run CDK's built-in CloudFormation validation (off by default: it adds "
        "seconds and adds nothing to the checks the library makes)",
    )
    synth.set_defaults(run=run_synth)


def run_synth(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    map_file = shard_map_path(args.file)
    output = output_directory(args.output, [Path(os.path.realpath(args.file)), map_file])
    loaded = load_printing_problems(args.file)
    if loaded is None:
        return EXIT_INVALID
    total = len(loaded.config.repositories) + len(loaded.config.public_repositories)
    print(f"{args.file}: building {counted(total, 'repository', 'repositories')}", file=sys.stderr)
    staging = _staging_directory(output, args.output)
    timeout = None if args.wait else 0.0
    try:
        # Locked and read before the CDK starts: a busy or broken map is refused at once.
        opened = None if args.locked else ShardMapFile(map_file, lock_timeout=timeout)
        with closing(opened) if opened else nullcontext():
            fleet, rollout = _synthesize(args, loaded, opened or map_file, staging, output)
    except ShardMapBusyError as error:
        print(error, file=sys.stderr)
        return EXIT_FAILURE
    except ConfigError as error:
        print_problems(error, args.file)
        return EXIT_INVALID
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    try:
        _summarize(args, fleet, time.perf_counter() - started)
        if rollout is not None:
            _print_plan(rollout.plan)
    except KeyboardInterrupt:
        raise Interrupted(_written(output, fleet.shard_map_path)) from None
    return EXIT_OK


def output_directory(output: str, inputs: Sequence[Path]) -> Path:
    """The real path of the assembly directory ``-o`` names, refused when replacing it whole
    could lose anything: a file, a directory holding an input, a directory that is neither
    empty nor a cloud assembly."""
    target = Path(os.path.realpath(output))
    if target.exists() and not target.is_dir():
        raise EcrConstructsError(
            output,
            "the output is not a directory",
            allowed="a directory for the cloud assembly (-o DIR)",
        )
    for path in inputs:
        if target == path or target in path.parents:
            raise EcrConstructsError(
                output,
                f"the output directory holds {path}, and synth replaces it whole",
                allowed="a directory that holds neither the registry file nor its shard map, "
                "such as cdk.out",
            )
    if target.is_dir() and not (target / MANIFEST).exists() and any(target.iterdir()):
        raise EcrConstructsError(
            output,
            f"the output directory is not empty and not a cloud assembly (no {MANIFEST}), "
            "and synth replaces it whole",
            allowed="a new or empty directory, or an earlier cloud assembly",
        )
    return target


def _staging_directory(output: Path, given: str) -> Path:
    """A new directory beside ``output`` (on its file system) to synthesize into."""
    staging = output.with_name(f".{output.name}.{secrets.token_hex(4)}.new")
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        staging.mkdir()
    except OSError as error:
        raise EcrConstructsError(
            given,
            f"cannot create the output directory: {error.strerror or error}",
            allowed="a directory in a writable place",
        ) from None
    return staging


def _synthesize(
    args: argparse.Namespace,
    loaded: LoadedRegistry,
    shard_map: ShardMapFile | Path,
    staging: Path,
    output: Path,
) -> tuple[RepositoryFleet, RegistryRollout | None]:
    """The fleet (and its rollout, with ``deployment.targets``), synthesized into
    ``staging``, its map committed and ``staging`` moved to ``output``."""
    import aws_cdk as cdk

    from ..standards.fleet.fleet import RepositoryFleet
    from ..standards.fleet.rollout import RegistryRollout

    def progress(line: str) -> None:
        print(f"  {line}", file=sys.stderr, flush=True)

    app = cdk.App(
        outdir=str(staging), builtin_cloud_formation_validation=args.cloudformation_validation
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        rollout = None
        if loaded.config.deployment.targets is None:
            fleet = RepositoryFleet(
                app, config=loaded, shard_map=shard_map, locked=args.locked, progress=progress
            )
        else:
            rollout = RegistryRollout(
                app, config=loaded, shard_map=shard_map, locked=args.locked, progress=progress
            )
            fleet = rollout.fleet
    for warning in caught:
        if issubclass(warning.category, UserWarning):
            print(f"warning: {warning.message}", file=sys.stderr)
    with rollout or fleet:
        stacks = sum(isinstance(child, cdk.Stack) for child in app.node.children)
        print(f"synthesizing {counted(stacks, 'stack')} to {args.output}", file=sys.stderr)
        app.synth()
        written = False
        try:
            with interrupts_held():
                (rollout or fleet).commit_shard_map(staging)
                _replace_output(staging, output, args.output)
                written = True
        except KeyboardInterrupt:  # held until both were written, or raised before either
            if written:
                raise Interrupted(_written(output, fleet.shard_map_path)) from None
            raise
    return fleet, rollout


def _replace_output(staging: Path, output: Path, given: str) -> None:
    try:
        replace_directory(staging, output)
    except OSError as error:
        raise EcrConstructsError(
            given,
            f"cannot replace the output directory: {error.strerror or error}; the shard map is "
            "written: run synth again",
            allowed="a writable directory",
        ) from None


def _summarize(args: argparse.Namespace, fleet: RepositoryFleet, seconds: float) -> None:
    limit = fleet.max_resources_per_stack
    print(
        f"{args.file}: {counted(len(fleet.resources), 'repository', 'repositories')}, "
        f"{counted(len(fleet.public_repositories), 'public repository', 'public repositories')} "
        f"in {counted(len(fleet.stacks), 'stack')} -> {Path(args.output)} ({seconds:.1f} s)"
    )
    width = max((len(stack.name) for stack in fleet.stacks), default=0)
    for stack in fleet.stacks:
        public = f", {len(stack.public_repositories)} public" if stack.public_repositories else ""
        repositories = counted(len(stack.repositories), "repository", "repositories")
        print(
            f"  {stack.name:<{width}}  {repositories}{public}, {stack.resources}/{limit} "
            f"resources, {fleet.template_sizes[stack.name] / 1000:,.0f} KB template"
        )
    added, removed = fleet.placement.added, fleet.placement.removed
    if fleet.shard_map == fleet.previous_shard_map:
        state = "unchanged"
    elif fleet.previous_shard_map is None:
        state = "written: commit it"
    elif fleet.shard_map.same_placement(fleet.previous_shard_map):
        state = "updated (each repository's encryption recorded): commit it"
    else:
        state = (
            f"updated ({len(added.repositories) + len(added.public_repositories)} added, "
            f"{len(removed.repositories) + len(removed.public_repositories)} removed): commit it"
        )
    print(f"shard map {fleet.shard_map_path}: {state}")
    for name in fleet.emptied_stacks:
        print(
            f"note: stack {name} holds nothing any more and is not synthesized; delete it with "
            f"`aws cloudformation delete-stack --stack-name {name}` (its repositories are "
            "retained or deleted as their removal_policy says)",
            file=sys.stderr,
        )


def _print_plan(plan: RolloutPlan) -> None:
    """The rollout: where each StackSet (or stack) goes, and how many instances."""
    from ..standards.registry_file.models import RolloutMode

    accounts_by_regions = (
        f"{counted(len(plan.accounts), 'account')} x {counted(len(plan.regions), 'region')}"
    )
    if plan.mode is RolloutMode.STAGES:
        print(
            f"rollout (stages): {accounts_by_regions} = {counted(plan.instances or 0, 'stack')}, "
            "deployed with `cdk deploy --all`"
        )
        for target in plan.targets:
            print(f"  {target.account} {target.region}: {', '.join(target.stacks)}")
        return
    if plan.organizational_units:
        model, where = "service-managed", "OUs " + ", ".join(plan.organizational_units)
        count = (
            "one stack instance per account in them (accounts that join later included) "
            "per region, per StackSet"
        )
    else:
        model, where = "self-managed", "accounts " + ", ".join(plan.accounts)
        each = counted(len(plan.accounts) * len(plan.regions), "stack instance")
        count = f"{accounts_by_regions} = {each} per StackSet, {plan.instances} in all"
    print(f"rollout (StackSets, {model}): {counted(len(plan.stack_sets), 'StackSet')} to {where}")
    print(f"  regions: {', '.join(plan.regions)}; {count}")
    for stack_set in plan.stack_sets:
        public = (
            f", {len(stack_set.public_repositories)} public (us-east-1 only)"
            if stack_set.public_repositories
            else ""
        )
        body = "inline" if stack_set.inline else "TemplateURL (a file asset)"
        repositories = counted(len(stack_set.repositories), "repository", "repositories")
        print(
            f"  StackSet {stack_set.name}: {repositories}{public}, "
            f"{stack_set.template_bytes / 1000:,.1f} KB template, {body}"
        )


def _written(output: Path, map_file: Path | None) -> str:
    return f"interrupted after writing the cloud assembly {output} and the shard map {map_file}"
