"""`ecr-constructs validate FILE` and `ecr-constructs schema`."""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from typing import Any

from ..errors import ConfigError
from ..lifecycle import LifecyclePolicyWarning
from ..standards.registry_file.loading import LoadedRegistry, load_registry
from ..standards.registry_file.models import RegistryConfig
from ..standards.registry_file.schema import registry_json_schema
from . import EXIT_INVALID, EXIT_OK, counted


def register(subparsers: Any) -> None:
    """Add the `validate` and `schema` commands."""
    validate = subparsers.add_parser(
        "validate",
        help="check a registry file and report every problem in it",
        description="Check a registry file (.yaml, .yml or .json). Exit 0 when it is valid, "
        "2 with every problem listed (file:line: field path: message).",
    )
    validate.add_argument("file", metavar="FILE", help="the registry file")
    validate.set_defaults(run=run_validate)
    schema = subparsers.add_parser(
        "schema",
        help="print the JSON Schema of the registry file (for editors)",
        description="Print the JSON Schema (draft 2020-12) of the registry file.",
    )
    schema.set_defaults(run=run_schema)


def run_validate(args: argparse.Namespace) -> int:
    loaded = load_printing_problems(args.file)
    if loaded is None:
        return EXIT_INVALID
    print(f"{args.file}: valid: {summary(loaded.config)}")
    return EXIT_OK


def load_printing_problems(file: str) -> LoadedRegistry | None:
    """The checked file (its warnings printed), or None with every problem printed."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", LifecyclePolicyWarning)
            loaded = load_registry(file)
    except ConfigError as error:
        print_problems(error, file)
        return None
    for warning in loaded.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return loaded


def print_problems(error: ConfigError, file: str) -> None:
    for problem in error.problems:
        print(problem, file=sys.stderr)
    count = len(error.problems)
    print(f"{file}: {counted(count, 'problem')}", file=sys.stderr)


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
    targets = deployment.targets
    if targets is not None:
        to = (
            counted(len(targets.organizational_units), "OU")
            if targets.organizational_units
            else counted(len(targets.accounts), "account")
        )
        parts.append(
            f"rolled out ({targets.mode}) to {to} x {counted(len(targets.regions), 'region')}"
        )
    return ", ".join(parts)
