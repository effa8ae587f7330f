"""`ecr-constructs validate FILE` and `ecr-constructs schema`."""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from typing import Any

from ..errors import ConfigError
from ..lifecycle import LifecyclePolicyWarning
from ..standards.config import RegistryConfig
from ..standards.loading import load_registry_config
from ..standards.schema import registry_json_schema
from . import EXIT_INVALID, EXIT_OK


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
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", LifecyclePolicyWarning)
            config = load_registry_config(args.file)
    except ConfigError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        count = len(error.problems)
        print(f"{args.file}: {count} problem{'s' if count != 1 else ''}", file=sys.stderr)
        return EXIT_INVALID
    for warning in config.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"{args.file}: valid: {summary(config)}")
    return EXIT_OK


def run_schema(args: argparse.Namespace) -> int:
    print(json.dumps(registry_json_schema(), indent=2))
    return EXIT_OK


def _count(number: int, singular: str, plural: str | None = None) -> str:
    return f"{number} {singular if number == 1 else plural or singular + 's'}"


def summary(config: RegistryConfig) -> str:
    """One line: what the file declares."""
    registry = config.registry
    parts = [
        _count(len(config.repositories), "repository", "repositories"),
        _count(len(config.public_repositories), "public repository", "public repositories"),
        _count(len(config.standards), "standard"),
    ]
    if registry.scanning is not None:
        parts.append(f"{registry.scanning.type} scanning")
    if registry.replication is not None:
        parts.append(_count(len(registry.replication.rules), "replication rule"))
    parts.append(_count(len(registry.pull_through_cache), "pull-through cache rule"))
    parts.append(_count(len(registry.creation_templates), "creation template"))
    deployment = config.deployment
    where = "/".join(value for value in (deployment.account, deployment.region) if value)
    parts.append(f"stack {deployment.stack_name}" + (f" in {where}" if where else ""))
    return ", ".join(parts)
