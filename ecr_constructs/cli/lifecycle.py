"""``ecr-constructs lifecycle validate|simulate``: check a lifecycle policy file; show what a
policy expires or archives, from an images file or a live repository (read-only), or what a
registry file's policies do to every repository of an account (``--file``,
``lifecycle_fleet``).

Exit codes: 0 done, 2 invalid input (one line per problem, file name first), 1 AWS failure
(one line). With ``--file``, a question is answered instead: 0 no image in use would be
expired or archived by the file's policies, 1 one would (each is named), 2 an error
(invalid input, credentials, access denied, anything that could not be read).
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, TypeVar

from ..errors import EcrConstructsError
from ..json_input import JsonInputError, parse_json, read_file, read_json_file
from ..lifecycle.images import Image, ImageDataError, parse_images
from ..lifecycle.model import LifecyclePolicy, LifecyclePolicyWarning
from ..lifecycle.simulate import (
    ImageAction,
    SimulationResult,
    as_policy,
    evaluation_time,
    simulate,
)
from . import EXIT_FAILURE, EXIT_INVALID, EXIT_OK, counted, lifecycle_fleet

_DAY = timedelta(days=1)
T = TypeVar("T")
_TAGS_WIDTH = 40


class _InvalidInput(Exception):
    """Input problems, each already a line naming its file."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``lifecycle validate`` and ``lifecycle simulate``."""
    parser = subparsers.add_parser(
        "lifecycle",
        help="validate lifecycle policies; simulate what they expire or archive",
        description="Validate ECR lifecycle policies and simulate what they expire or archive.",
    )
    commands = parser.add_subparsers(dest="lifecycle_command", required=True, metavar="COMMAND")

    validate = commands.add_parser(
        "validate",
        help="check a lifecycle policy file against every ECR rule",
        description="Check a lifecycle policy file (the policy JSON, or get-lifecycle-policy "
        "output) against every rule ECR applies. Exit 0 when valid, 2 with one line per "
        "problem otherwise.",
    )
    validate.add_argument("policy", metavar="POLICY.json")
    validate.set_defaults(run=_run_validate)

    sim = commands.add_parser(
        "simulate",
        help="show what a lifecycle policy expires or archives",
        description="Decide, for every image, what the policy does: expire, transition to "
        "archive, or keep, and which rule. Images come from a describe-images JSON file or, "
        "read-only, from a repository; without --policy a repository's current policy is used.",
    )
    sim.add_argument(
        "--policy",
        metavar="POLICY.json",
        help="the policy (default with --repository: the repository's current lifecycle policy)",
    )
    source = sim.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--images",
        metavar="IMAGES.json",
        help="describe-images output (the response or its imageDetails list)",
    )
    source.add_argument(
        "--repository",
        metavar="NAME",
        help="read the images (and policy) of this repository through boto3",
    )
    source.add_argument(
        "--file",
        metavar="REGISTRY.yaml",
        help="apply the registry file's policies, and today's, to each of its repositories "
        "in the account (read-only), flag the images in use, estimate storage costs",
    )
    sim.add_argument(
        "--region",
        help="AWS region of --repository (default: the profile's) or --file (default: the "
        "file's deployment.region, else the profile's)",
    )
    sim.add_argument(
        "--profile",
        help="AWS profile for --repository or --file (default: the standard credential chain)",
    )
    sim.add_argument(
        "--now",
        metavar="TIMESTAMP",
        help="evaluate at this ISO 8601 time, such as 2026-01-31T00:00:00Z (default: now)",
    )
    sim.add_argument(
        "--output",
        choices=("table", "json"),
        default="table",
        help="table for people (default) or JSON",
    )
    lifecycle_fleet.add_arguments(sim)
    sim.set_defaults(run=_run_simulate)


def _run_validate(args: argparse.Namespace) -> int:
    try:
        policy, notes = _load_policy(args.policy)
    except _InvalidInput as invalid:
        return _print_lines(invalid.lines, EXIT_INVALID)
    _print_lines(notes, EXIT_OK)
    count = len(policy.rules)
    print(f"{args.policy}: valid lifecycle policy, {counted(count, 'rule')}")
    return EXIT_OK


def _run_simulate(args: argparse.Namespace) -> int:
    notes: list[str] = []
    try:
        now = _parse_now(args.now)
        if args.file is not None:
            return lifecycle_fleet.run_fleet(args, now)
        given = [name for name in lifecycle_fleet.FILE_OPTIONS if getattr(args, name) is not None]
        if given:
            options = ", ".join("--" + name.replace("_", "-") for name in given)
            raise _InvalidInput([f"{options}: only with --file"])
        policy: LifecyclePolicy | None = None
        if args.policy is not None:
            policy, notes = _load_policy(args.policy)
        if args.images is not None:
            if policy is None:
                raise _InvalidInput(["--policy POLICY.json is required with --images"])
            if args.region is not None or args.profile is not None:
                raise _InvalidInput(["--region and --profile only apply to --repository"])
            images = _load_images(args.images)
        else:
            policy, images = _read_repository(args, policy)
    except _InvalidInput as invalid:
        return _print_lines(notes + invalid.lines, EXIT_INVALID)
    except _AwsFailure as failure:
        return _print_lines([f"error: {failure}"], EXIT_FAILURE)
    _print_lines(notes, EXIT_OK)
    result = simulate(policy, images, now=now)
    if args.output == "json":
        print(json.dumps(result.to_dict(), indent=2))
    else:
        print(_table(result))
    return EXIT_OK


class _AwsFailure(Exception):
    """The registry could not be read (one line)."""


def _read_repository(
    args: argparse.Namespace, policy: LifecyclePolicy | None
) -> tuple[LifecyclePolicy, tuple[Image, ...]]:
    """The repository's images and, unless given, its current policy; read-only."""
    from .. import live  # boto3 loads only for live reads

    def named(what: str, read: Callable[[], T]) -> T:
        try:
            return read()
        except EcrConstructsError as error:  # the registry's data fails validation
            raise _InvalidInput(
                [f"{args.repository} (current {what}): {problem}" for problem in error.problems]
            ) from None

    try:
        client = live.ecr_client(region=args.region, profile=args.profile)
        images = named("images", lambda: live.read_images(client, args.repository))
        if policy is None:
            policy = named(
                "lifecycle policy", lambda: live.read_lifecycle_policy(client, args.repository)
            )
    except live.LiveRegistryError as error:
        raise _AwsFailure(str(error)) from None
    return policy, images


def _print_lines(lines: list[str], code: int) -> int:
    for line in lines:
        print(line, file=sys.stderr)
    return code


def _parse_now(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        return evaluation_time(text)
    except EcrConstructsError as error:
        raise _InvalidInput(
            [
                str(replace(problem, where="--now", allowed="such as 2026-01-31T00:00:00Z"))
                for problem in error.problems
            ]
        ) from None


def _load_policy(path: str) -> tuple[LifecyclePolicy, list[str]]:
    """The policy in ``path`` and its warnings, as lines naming the file. The length limits
    apply to the file's text as written (or to get-lifecycle-policy's lifecyclePolicyText)."""
    try:
        content = read_file(path)
        data = parse_json(content, source=path)
    except JsonInputError as error:
        raise _InvalidInput([str(problem) for problem in error.problems]) from None
    given = data if isinstance(data, Mapping) and "lifecyclePolicyText" in data else content
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", LifecyclePolicyWarning)
        try:
            policy = as_policy(given)
        except EcrConstructsError as error:
            raise _InvalidInput([f"{path}: {problem}" for problem in error.problems]) from None
    notes = [
        f"{path}: warning: {warning.message}"
        for warning in caught
        if issubclass(warning.category, LifecyclePolicyWarning)
    ]
    return policy, notes


def _load_images(path: str) -> Any:
    try:
        data = read_json_file(path)
    except JsonInputError as error:
        raise _InvalidInput([str(problem) for problem in error.problems]) from None
    try:
        return parse_images(data)
    except ImageDataError as error:
        raise _InvalidInput([f"{path}: {problem}" for problem in error.problems]) from None


def _table(result: SimulationResult) -> str:
    now = result.now
    rows = [("DIGEST", "TAGS", "AGE", "CLASS", "DECISION", "RULE", "NOTE")]
    ordered = sorted(
        result.decisions, key=lambda d: (-d.image.pushed_at.timestamp(), d.image.digest)
    )
    for decision in ordered:
        image = decision.image
        tags = ", ".join(image.tags) or "<untagged>"
        if len(tags) > _TAGS_WIDTH:
            tags = tags[: _TAGS_WIDTH - 3] + "..."
        rows.append(
            (
                image.digest[:19],
                tags,
                f"{(now - image.pushed_at) // _DAY}d",
                image.storage_class or "restoring",
                decision.action.value,
                "-" if decision.rule_priority is None else str(decision.rule_priority),
                decision.reason or "",
            )
        )
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]) - 1)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
        + ("  " + row[-1] if row[-1] else "")
        for row in rows
    ]
    lines = [line.rstrip() for line in lines]
    counts = {action: 0 for action in ImageAction}
    for decision in result.decisions:
        counts[decision.action] += 1
    total = len(result.decisions)
    summary = (
        f"{counted(total, 'image')} at {now.isoformat()}: "
        f"{counts[ImageAction.EXPIRE]} expire, {counts[ImageAction.TRANSITION]} transition, "
        f"{counts[ImageAction.KEEP]} keep; frees {_size(result.bytes_freed)}"
    )
    if result.archived:
        summary += f", archives {_size(result.bytes_archived)}"
    return "\n".join([*lines, "", summary])


def _size(count: int) -> str:
    """``512 B``, ``1.2 GiB (1,288,490,189 bytes)``."""
    short = short_size(count)
    return short if count < 1024 else f"{short} ({count:,} bytes)"


def short_size(count: int) -> str:
    """``512 B``, ``1.2 GiB``."""
    if count < 1024:
        return f"{count} B"
    value = count / 1024
    for unit in ("KiB", "MiB", "GiB"):
        if value < 1024:
            return f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TiB"
