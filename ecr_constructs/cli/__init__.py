"""`ecr-constructs`: validate and synthesize registry files; validate and simulate lifecycle
policies; check any synthesized CDK app's repositories against the standard; import a live
account into a registry file and audit an account against its file.

Exit codes: 0 success, 2 invalid input (every problem printed, one per line), 1 any other
failure (for example AWS credentials or access). ``audit`` answers a question instead: 0 the
account matches its file, 1 it differs, 2 it could not tell (any error).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from ..errors import EcrConstructsError

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_INVALID = 2

# Each module defines `register(subparsers)`, adding its commands with `set_defaults(run=...)`;
# `run(args) -> int` returns the exit code.
COMMAND_MODULES: tuple[str, ...] = (
    "ecr_constructs.cli.registry",
    "ecr_constructs.cli.lifecycle",
    "ecr_constructs.cli.compliance",
    "ecr_constructs.cli.live",
)


def counted(number: int, singular: str, plural: str | None = None) -> str:
    """``1 repository``, ``2 repositories``."""
    return f"{number} {singular if number == 1 else plural or singular + 's'}"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ecr-constructs",
        description="Amazon ECR registries as code: validate, synthesize, simulate.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except EcrConstructsError as error:
        print(str(error), file=sys.stderr)
        return EXIT_INVALID
    return code
