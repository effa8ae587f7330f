"""`ecr-constructs validate FILE`, `ecr-constructs synth FILE` and `ecr-constructs schema`."""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path
from typing import Any

from ..cloudformation import MAX_TEMPLATE_BYTES
from ..errors import ConfigError
from ..lifecycle import LifecyclePolicyWarning
from ..standards.fleet.placement import shard_map_path
from ..standards.registry_file.loading import LoadedRegistry, load_registry
from ..standards.registry_file.models import RegistryConfig
from ..standards.registry_file.schema import registry_json_schema
from . import EXIT_INVALID, EXIT_OK, counted


def register(subparsers: Any) -> None:
    """Add the `validate`, `synth` and `schema` commands."""
    validate = subparsers.add_parser(
        "validate",
        help="check a registry file and report every problem in it",
        description="Check a registry file (.yaml, .yml or .json). Exit 0 when it is valid, "
        "2 with every problem listed (file:line: field path: message).",
    )
    validate.add_argument("file", metavar="FILE", help="the registry file")
    validate.set_defaults(run=run_validate)
    synth = subparsers.add_parser(
        "synth",
        help="synthesize a registry file into a CDK cloud assembly",
        description="Build every repository, public repository and registry-wide setting of a "
        "registry file (RepositoryFleet) and write the CloudFormation templates as a cloud "
        "assembly: deploy it with `cdk deploy --app DIR --all`. The shard map beside the file "
        "(registry.yaml: registry.shards.json) records each repository's stack; it is written "
        "when repositories are added or removed: commit it. Exit 0 on success, 2 with every "
        "problem listed.",
    )
    synth.add_argument("file", metavar="FILE", help="the registry file")
    synth.add_argument(
        "-o",
        "--output",
        metavar="DIR",
        default="cdk.out",
        help="the cloud assembly directory (default: cdk.out)",
    )
    synth.add_argument(
        "--locked",
        action="store_true",
        help="fail instead of writing the shard map when it is missing or out of date (CI)",
    )
    synth.add_argument(
        "--cloudformation-validation",
        action="store_true",
        help="also run CDK's built-in CloudFormation validation (off by default: it adds "
        "seconds and adds nothing to the checks the library makes)",
    )
    synth.set_defaults(run=run_synth)
    schema = subparsers.add_parser(
        "schema",
        help="print the JSON Schema of the registry file (for editors)",
        description="Print the JSON Schema (draft 2020-12) of the registry file.",
    )
    schema.set_defaults(run=run_schema)


def run_validate(args: argparse.Namespace) -> int:
    loaded = _load(args.file)
    if loaded is None:
        return EXIT_INVALID
    print(f"{args.file}: valid: {summary(loaded.config)}")
    return EXIT_OK


def _load(file: str) -> LoadedRegistry | None:
    """The checked file (its warnings printed), or None with every problem printed."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", LifecyclePolicyWarning)
            loaded = load_registry(file)
    except ConfigError as error:
        _print_problems(error, file)
        return None
    for warning in loaded.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return loaded


def _print_problems(error: ConfigError, file: str) -> None:
    for problem in error.problems:
        print(problem, file=sys.stderr)
    count = len(error.problems)
    print(f"{file}: {counted(count, 'problem')}", file=sys.stderr)


def run_synth(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    loaded = _load(args.file)
    if loaded is None:
        return EXIT_INVALID
    config = loaded.config

    def progress(line: str) -> None:
        print(f"  {line}", file=sys.stderr, flush=True)

    total = len(config.repositories) + len(config.public_repositories)
    print(f"{args.file}: building {counted(total, 'repository', 'repositories')}", file=sys.stderr)
    import aws_cdk as cdk

    from ..standards.fleet.fleet import RepositoryFleet

    map_file = shard_map_path(args.file)
    app = cdk.App(
        outdir=args.output,
        builtin_cloud_formation_validation=args.cloudformation_validation,
    )
    try:
        fleet = RepositoryFleet(
            app, config=loaded, shard_map=map_file, locked=args.locked, progress=progress
        )
    except ConfigError as error:
        _print_problems(error, args.file)
        return EXIT_INVALID
    print(f"synthesizing {counted(len(fleet.stacks), 'stack')} to {args.output}", file=sys.stderr)
    assembly = app.synth()
    sizes = {
        stack.stack_name: Path(stack.template_full_path).stat().st_size for stack in assembly.stacks
    }
    oversized = {name: size for name, size in sizes.items() if size > MAX_TEMPLATE_BYTES}
    for name, size in oversized.items():
        print(
            f"{args.file}: stack {name}: its template is larger than CloudFormation accepts "
            f"(given {size:,} bytes; allowed: at most {MAX_TEMPLATE_BYTES:,}: shorter "
            "lifecycle or repository policies for that stack's repositories)",
            file=sys.stderr,
        )
    if oversized:
        return EXIT_INVALID
    limit = fleet.max_resources_per_stack
    print(
        f"{args.file}: {counted(len(fleet.resources), 'repository', 'repositories')}, "
        f"{counted(len(fleet.public_repositories), 'public repository', 'public repositories')} "
        f"in {counted(len(fleet.stacks), 'stack')} -> {Path(args.output)} "
        f"({time.perf_counter() - started:.1f} s)"
    )
    width = max((len(stack.name) for stack in fleet.stacks), default=0)
    for stack in fleet.stacks:
        public = f", {len(stack.public_repositories)} public" if stack.public_repositories else ""
        repositories = counted(len(stack.repositories), "repository", "repositories")
        print(
            f"  {stack.name:<{width}}  {repositories}{public}, {stack.resources}/{limit} "
            f"resources, {sizes[stack.name] / 1000:,.0f} KB template"
        )
    added, removed = fleet.placement.added, fleet.placement.removed
    if fleet.shard_map == fleet.previous_shard_map:
        state = "unchanged"
    elif fleet.previous_shard_map is None:
        state = "written: commit it"
    else:
        state = (
            f"updated ({len(added.repositories) + len(added.public_repositories)} added, "
            f"{len(removed.repositories) + len(removed.public_repositories)} removed): commit it"
        )
    print(f"shard map {map_file}: {state}")
    for name in fleet.emptied_stacks:
        print(
            f"note: stack {name} holds nothing any more and is not synthesized; delete it with "
            f"`aws cloudformation delete-stack --stack-name {name}` (its repositories are "
            "retained or deleted as their removal_policy says)",
            file=sys.stderr,
        )
    return EXIT_OK


def run_schema(args: argparse.Namespace) -> int:
    print(json.dumps(registry_json_schema(), indent=2))
    return EXIT_OK


def summary(config: RegistryConfig) -> str:
    """One line: what the file declares."""
    registry = config.registry
    parts = [
        counted(len(config.repositories), "repository", "repositories"),
        counted(len(config.public_repositories), "public repository", "public repositories"),
        counted(len(config.standards), "standard"),
    ]
    if registry.scanning is not None:
        parts.append(f"{registry.scanning.type} scanning")
    if registry.replication is not None:
        parts.append(counted(len(registry.replication.rules), "replication rule"))
    parts.append(counted(len(registry.pull_through_cache), "pull-through cache rule"))
    parts.append(counted(len(registry.creation_templates), "creation template"))
    deployment = config.deployment
    where = "/".join(value for value in (deployment.account, deployment.region) if value)
    parts.append(f"stack {deployment.stack_name}" + (f" in {where}" if where else ""))
    return ", ".join(parts)
