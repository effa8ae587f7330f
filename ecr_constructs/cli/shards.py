"""`ecr-constructs shards recover FILE`: a lost shard map rebuilt from the deployed stacks."""

from __future__ import annotations

import argparse
import os
import sys
from contextlib import closing

from ..errors import EcrConstructsError
from ..standards.fleet.placement import shard_map_path
from ..standards.fleet.shard_map_file import ShardMapFile
from . import EXIT_FAILURE, EXIT_INVALID, EXIT_OK, counted
from .registry import load_printing_problems


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `shards` commands."""
    shards = subparsers.add_parser(
        "shards",
        help="the shard map: which stack each repository lives in",
        description="Commands on a registry file's shard map (registry.shards.json).",
    )
    commands = shards.add_subparsers(dest="shards_command", required=True, metavar="COMMAND")
    recover = commands.add_parser(
        "recover",
        help="rebuild a lost shard map from the deployed stacks (read-only)",
        description="Write the shard map of FILE, when it is missing, from the stacks deployed "
        "in AWS: each repository of the file that a stack of the fleet (deployment.stack_name, "
        "then -2, -3...) holds is recorded in that stack, so the next synth keeps it there. "
        "Reads with CloudFormation ListStacks and ListStackResources and STS "
        "GetCallerIdentity only; credentials from boto3's chain. Exit 0 written, 2 invalid "
        "file or a map already there, 1 AWS failure or nothing deployed.",
    )
    recover.add_argument("file", metavar="FILE", help="the registry file")
    recover.add_argument(
        "--region", help="the AWS region. Default: deployment.region, else boto3's default"
    )
    recover.add_argument("--profile", help="the AWS profile. Default: boto3's credential chain")
    recover.set_defaults(run=run_recover)


def run_recover(args: argparse.Namespace) -> int:
    from .. import live
    from ..live.stacks import read_deployment
    from ..standards.fleet.recovery import recover_shard_map

    map_file = shard_map_path(args.file)
    if os.path.lexists(map_file):
        raise EcrConstructsError(
            str(map_file),
            "a shard map is there already: recover writes only a missing map",
            allowed="move it aside, recover, then compare the two",
        )
    loaded = load_printing_problems(args.file)
    if loaded is None:
        return EXIT_INVALID
    deployment = loaded.config.deployment
    try:
        deployed = read_deployment(
            deployment.stack_name, region=args.region or deployment.region, profile=args.profile
        )
    except live.LiveRegistryError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_FAILURE
    where = f"account {deployed.account}, region {deployed.region}"
    if deployment.account and deployment.account != deployed.account:
        print(
            f"error: the credentials are for account {deployed.account}, and {args.file} "
            f"deploys to {deployment.account} (deployment.account): use credentials for it",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    recovery = recover_shard_map(loaded, deployed.repositories, deployment.stack_name)
    shard_map = recovery.shard_map
    placed = len(shard_map.repositories) + len(shard_map.public_repositories)
    if not placed:
        print(
            f"error: no repository of {args.file} is in a deployed stack named "
            f"{deployment.stack_name} or {deployment.stack_name}-N in {where}: nothing to "
            "recover (without a map, the next synth places every repository)",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    with closing(ShardMapFile(map_file)) as opened:
        if opened.previous is not None:
            raise EcrConstructsError(
                str(map_file),
                "a shard map appeared while the stacks were read: recover writes only a "
                "missing map",
                allowed="compare it with the deployed stacks",
            )
        opened.commit(shard_map)
    for label, names in (
        ("not deployed yet (the next synth places them as new)", recovery.not_deployed),
        ("deployed but no longer in the file (left out)", recovery.not_in_file),
        (
            "deployed under a logical ID the fleet does not give them (a synth would replace them)",
            recovery.foreign_logical_ids,
        ),
    ):
        if names:
            listed = ", ".join(names[:10]) + (", ..." if len(names) > 10 else "")
            print(
                f"warning: {counted(len(names), 'repository', 'repositories')} {label}: {listed}",
                file=sys.stderr,
            )
    print(
        f"shard map {map_file}: recovered {counted(placed, 'repository', 'repositories')} in "
        f"{counted(len(shard_map.stacks), 'stack')} from {where}: review it and commit it"
    )
    return EXIT_OK
