"""`ecr-constructs check DIR`: the compliance check on any synthesized CDK app."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..standards.compliance.assembly import check_assembly
from ..standards.compliance.rules import AcceptedTagMutability, EcrStandardChecks
from . import EXIT_FAILURE, EXIT_OK, counted


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "check",
        help="list the ECR repositories of a synthesized CDK app that break the standard",
        description=(
            "Check every AWS::ECR::Repository in a cloud assembly (the cdk.out of any CDK "
            "app, in any language) against the compliance rules. Exit 0 when every "
            "repository complies, 1 when any does not, 2 on invalid input (an unknown rule, or "
            "an assembly that can't be read: the file and what is wrong with it)."
        ),
    )
    parser.add_argument("assembly", type=Path, help="the cloud assembly directory (cdk.out)")
    parser.add_argument(
        "--rules", help="comma-separated rule IDs to run. Default: every rule except ECR-CMK"
    )
    parser.add_argument(
        "--exclude", default="", help="comma-separated rule IDs to leave out. Default: none"
    )
    parser.add_argument(
        "--allow-immutable-with-exclusion",
        action="store_true",
        help="ECR-IMMUTABLE also accepts IMMUTABLE_WITH_EXCLUSION. Default: IMMUTABLE only",
    )
    parser.set_defaults(run=run)


def _ids(text: str | None) -> list[str] | None:
    if text is None:
        return None
    return [part.strip() for part in text.split(",") if part.strip()]


def run(args: argparse.Namespace) -> int:
    checks = EcrStandardChecks(
        rules=_ids(args.rules),
        exclude=_ids(args.exclude) or (),
        accepted_tag_mutability=(
            AcceptedTagMutability.IMMUTABLE_WITH_EXCLUSION
            if args.allow_immutable_with_exclusion
            else AcceptedTagMutability.IMMUTABLE
        ),
    )
    findings = check_assembly(args.assembly, checks=checks)
    for finding in findings:
        print(finding)
    paths = {finding.construct_path for finding in findings}
    if findings:
        print(
            f"{counted(len(findings), 'finding')} on "
            f"{counted(len(paths), 'repository', 'repositories')}",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    print(f"{args.assembly}: every ECR repository complies", file=sys.stderr)
    return EXIT_OK
