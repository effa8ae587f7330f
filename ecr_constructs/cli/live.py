"""``ecr-constructs import`` and ``ecr-constructs audit``: a live account into a registry
file, and an account against its file. Both only read the account.

Exit codes of ``import``: 0 written, 1 AWS failure (credentials, access, the network; with
``--strict`` anything left out), 2 invalid input. Of ``audit``: 0 the account matches, 1
something differs, 2 an error (invalid input, credentials, access denied, the region).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, closing, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ..atomic_files import directory_replaced
from ..errors import ConfigError, EcrConstructsError
from ..lifecycle import LifecyclePolicyWarning
from ..live.limits import DEFAULT_WORKERS
from ..standards.fleet.placement import shard_map_path
from ..standards.fleet.shard_map_file import ShardMapFile
from ..standards.registry_file.loading import (
    SUFFIXES,
    LoadedRegistry,
    load_registry,
    parse_registry,
)
from ..standards.registry_file.writer import registry_yaml, write_new
from . import EXIT_FAILURE, EXIT_INVALID, EXIT_OK, counted
from .registry import print_problems

if TYPE_CHECKING:
    from ..live.account import LiveAccount
    from ..live.importer import Imported

T = TypeVar("T")

PROGRESS_FROM = 200
"""Accounts with at least this many repositories get a progress line on stderr."""
_CELL = 60


def register(subparsers: Any) -> None:
    """Add the ``import`` and ``audit`` commands."""
    importer = subparsers.add_parser(
        "import",
        help="write a registry file that reproduces an account's registry (read-only)",
        description="Read the account's registry through boto3 (read-only: the standard "
        "credential chain, AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL) and write a registry "
        "file that reproduces it, its shard map, and for each stack the resource mapping of "
        "`cdk import STACK --resource-mapping FILE` (docs/adopting.md). What the file can't "
        "say exactly is left out and reported on stderr. Exit 0 written, 1 AWS failure "
        "(or, with --strict, anything left out), 2 invalid input.",
    )
    importer.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        default="registry.yaml",
        help="the registry file to write, .yaml, .yml or .json (default: registry.yaml)",
    )
    importer.add_argument(
        "--stack-name",
        default="ecr-registry",
        help="deployment.stack_name of the file (default: ecr-registry)",
    )
    importer.add_argument(
        "--strict",
        action="store_true",
        help="fail (exit 1, nothing written) when anything can't be read or carried",
    )
    importer.add_argument(
        "--force", action="store_true", help="replace files that exist (default: refuse)"
    )
    audit = subparsers.add_parser(
        "audit",
        help="compare an account with its registry file (read-only)",
        description="Read the account's registry through boto3 (read-only) and report every "
        "difference from the registry file: settings of its repositories, repositories not "
        "deployed, repositories it doesn't manage, registry-wide settings. Region: --region, "
        "else the file's deployment.region, else boto3's. Exit 0 the account matches, "
        "1 something differs, 2 an error (invalid file, credentials, access denied).",
    )
    audit.add_argument("file", metavar="FILE", help="the registry file")
    audit.add_argument(
        "--output",
        choices=("table", "json"),
        default="table",
        help="table for people (default) or one JSON document (for CI)",
    )
    for command, verb in ((importer, "import"), (audit, "compare")):
        command.add_argument(
            "--repository-prefix",
            metavar="PREFIX",
            action="append",
            default=[],
            help=f"{verb} only repositories whose name starts with PREFIX (repeatable; default: "
            "all)",
        )
        command.add_argument("--region", help="AWS region (default: the profile's or AWS_REGION)")
        command.add_argument(
            "--profile", help="AWS profile (default: the standard credential chain)"
        )
        command.add_argument(
            "--workers",
            type=_positive,
            default=DEFAULT_WORKERS,
            metavar="N",
            help=f"threads reading repositories at once (default: {DEFAULT_WORKERS})",
        )
    importer.set_defaults(run=run_import)
    audit.set_defaults(run=run_audit)


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"not a number of threads: {text!r} (allowed: >= 1)")
    return int(text)


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _progress(line: Callable[[str], None]) -> Callable[[int, int], None]:
    """A progress callback printing a line at every tenth of a large account."""

    def report(done: int, total: int) -> None:
        step = max(total // 10, 1)
        if total >= PROGRESS_FROM and (done % step == 0 or done == total):
            line(f"  read {done:,}/{total:,} repositories")

    return report


def _read(args: argparse.Namespace, region: str | None, *, failure: int) -> LiveAccount | int:
    """The account of ``args`` (profile, prefixes, workers) in ``region``; or, with the
    problem said on stderr, the exit code: 2 for bad input, ``failure`` for AWS failures."""
    from ..live.account import read_account
    from ..live.session import connect

    def read() -> LiveAccount:
        connection = connect(region=region, profile=args.profile, workers=args.workers)
        _say(f"reading the registry in {connection.region}")
        return read_account(connection, prefixes=args.repository_prefix, progress=_progress(_say))

    return _live(read, failure=failure)


def _live(read: Callable[[], T], *, failure: int) -> T | int:
    """``read()``; or, with the problem said on stderr in one line, the exit code: 2 for bad
    input (``EcrConstructsError``), ``failure`` for AWS failures (``LiveRegistryError``)."""
    from ..live.failures import LiveRegistryError

    try:
        return read()
    except EcrConstructsError as error:
        _say(str(error))
        return EXIT_INVALID
    except LiveRegistryError as error:
        _say(f"error: {error}")
        return failure


# -- import --------------------------------------------------------------------------------


def run_import(args: argparse.Namespace) -> int:
    from ..live.importer import import_registry

    output = Path(args.output)
    if output.suffix.lower() not in SUFFIXES:
        _say(f"{output}: unsupported file type (allowed: {', '.join(SUFFIXES)})")
        return EXIT_INVALID
    map_file = shard_map_path(output)
    existing = [path for path in (output, map_file) if path.exists()]
    if existing and not args.force:
        for path in existing:
            _say(f"{path}: exists already (allowed: another --output, or --force to replace it)")
        return EXIT_INVALID
    account = _read(args, args.region, failure=EXIT_FAILURE)
    if isinstance(account, int):
        return account
    imported = import_registry(
        account, stack_name=args.stack_name, logo_folder=_logo_folder(output).name
    )
    report = imported.report
    _report_import(report)
    if args.strict and (report.unreadable or report.left_out):
        _say("error: --strict: something could not be read or carried; nothing written")
        return EXIT_FAILURE
    try:
        with _staged(output, imported.logos) as folder:
            return _check_and_write(args, account, imported, folder)
    except OSError as error:
        _say(f"{error.filename}: cannot write the file: {error.strerror}")
        return EXIT_INVALID


def _logo_folder(output: Path) -> Path:
    """Where import puts the public repositories' logos: ``NAME.logos`` beside the file."""
    return output.with_name(f"{output.stem}.logos")


@contextmanager
def _staged(output: Path, logos: Mapping[str, bytes]) -> Iterator[Path]:
    """The folder the imported file is checked in, before anything is written where it
    goes: a temporary folder beside ``output`` holding the file's logos (removed at the
    end), or, without logos, ``output``'s own."""
    if not logos:
        yield output.parent
        return
    with tempfile.TemporaryDirectory(prefix=f".{output.name}.", dir=output.parent) as folder:
        for relative, data in logos.items():
            path = Path(folder, relative)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        yield Path(folder)


def _check_and_write(
    args: argparse.Namespace, account: LiveAccount, imported: Imported, folder: Path
) -> int:
    """Check the imported file in ``folder`` (``_staged``) against ``account``, then write
    it, its logos, shard map and resource mappings."""
    from ..live.cdk_import import import_plan
    from ..live.importer import round_trip_differences

    output = Path(args.output)
    report = imported.report
    text = _render(imported.document, output, report.account, report.region)
    try:
        loaded = _quietly(lambda: parse_registry(text, str(folder / output.name)))
    except ConfigError as error:
        _say(f"error: the imported file is not valid (please report this): {error.problems[0]}")
        return EXIT_FAILURE
    mismatches = round_trip_differences(loaded, account, report)
    if mismatches:
        for difference in mismatches:
            _say(
                f"error: the imported file would change {difference.subject} "
                f"{difference.setting} (please report this): file {_cell(difference.expected)}, "
                f"account {_cell(difference.actual)}"
            )
        return EXIT_FAILURE
    plan = import_plan(loaded)
    map_file = shard_map_path(output)
    mappings = {
        output.with_name(f"{output.stem}.{stack}.import.json"): mapping
        for stack, mapping in plan.mappings.items()
    }
    logos = [_logo_folder(output)] if imported.logos else []
    try:
        for path in (map_file, *mappings, *logos):
            if path.exists() and not args.force:
                raise ConfigError(str(path), "exists already", allowed="--force to replace it")
        _write_with_logos(output, text, logos, folder, replace=args.force)
        with closing(ShardMapFile(map_file)) as shard_map_file:
            shard_map_file.commit(plan.shard_map)
        for path, mapping in mappings.items():
            write_new(path, json.dumps(mapping, indent=2) + "\n", replace=args.force)
    except ConfigError as error:
        _say(str(error))
        return EXIT_INVALID
    for path in (output, *logos, map_file, *mappings):
        print(path)
    pictures = f", {counted(len(imported.logos), 'logo')} in {logos[0]}" if logos else ""
    _say(
        f"wrote {output}{pictures}, its shard map and "
        f"{counted(len(mappings), 'resource mapping')}: adopt the repositories with `cdk import` "
        f"(docs/adopting.md), then check with `ecr-constructs audit {output}`"
    )
    return EXIT_OK


def _write_with_logos(
    output: Path, text: str, logos: list[Path], folder: Path, *, replace: bool
) -> None:
    """The logos' folder (one atomic swap from ``folder``), then the file that names them;
    if the file can't be written, the folder that was there before is put back."""
    with ExitStack() as swapped:
        for logo in logos:
            swapped.enter_context(directory_replaced(folder / logo.name, logo))
        write_new(output, text, replace=replace)


def _render(document: dict[str, Any], output: Path, account: str, region: str) -> str:
    if output.suffix.lower() == ".json":
        return json.dumps(document, indent=2) + "\n"
    return registry_yaml(
        document,
        comment=f"Imported from account {account} in {region} by `ecr-constructs import`.\n"
        "Every setting is as deployed; `exemptions` mark settings the library would not "
        "choose\nfor a new repository (`ecr-constructs validate` lists them as warnings).",
    )


def _quietly(load: Callable[[], LoadedRegistry]) -> LoadedRegistry:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LifecyclePolicyWarning)
        return load()


def _report_import(report: Any) -> None:
    _say(
        f"account {report.account} in {report.region}: "
        f"{counted(report.found, 'repository', 'repositories')} found, "
        f"{len(report.imported)} imported into {counted(len(report.standards), 'standard')}"
    )
    for name, members in report.standards:
        _say(f"  standard {name}: {counted(members, 'repository', 'repositories')}")
    if report.exempted:
        _say("kept as deployed, with exemptions (validate reports them as warnings):")
        for subject, exemptions in report.exempted:
            _say(f"  {subject}: {', '.join(exemptions)}")
    if report.left_out:
        _say("left out of the file (carrying them would change them):")
        for subject, reason in report.left_out:
            _say(f"  {subject}: {reason}")
    if report.unreadable:
        _say("could not be read:")
        for unreadable in report.unreadable:
            _say(f"  {unreadable}")
    for note in report.notes:
        _say(f"note: {note}")


# -- audit ---------------------------------------------------------------------------------


def run_audit(args: argparse.Namespace) -> int:
    from ..live.audit import audit

    try:  # the file's own warnings are validate's to report, not the account's
        loaded = _quietly(lambda: load_registry(args.file))
    except ConfigError as error:
        print_problems(error, args.file)
        return EXIT_INVALID
    deployment = loaded.config.deployment
    account = _read(args, args.region or deployment.region, failure=EXIT_INVALID)
    if isinstance(account, int):
        return account
    if deployment.account is not None and deployment.account != account.context.account:
        _say(
            f"error: the credentials are for account {account.context.account}; {args.file} "
            f"describes account {deployment.account} (deployment.account)"
        )
        return EXIT_INVALID
    report = audit(loaded, account)
    if args.output == "json":
        print(json.dumps(report.to_dict(), indent=2))
    else:
        print(_table(report, args.file))
    if report.unreadable:
        return EXIT_INVALID
    return EXIT_FAILURE if report.drift else EXIT_OK


def _table(report: Any, file: str) -> str:
    differences = [*report.differences, *report.registry]
    parts = [
        counted(len(differences), "difference"),
        f"{len(report.not_deployed)} not deployed",
        f"{len(report.unmanaged)} unmanaged",
    ]
    if report.unreadable:
        parts.append(f"{len(report.unreadable)} unreadable")
    verdict = "matches" if not report.drift and not report.unreadable else ", ".join(parts)
    lines = [
        f"account {report.account} in {report.region} against {file} "
        f"({counted(report.repositories, 'repository', 'repositories')}): {verdict}"
    ]
    if differences:
        rows = [("SUBJECT", "SETTING", "EXPECTED (FILE)", "ACTUAL (ACCOUNT)")]
        rows += [(d.subject, d.setting, _cell(d.expected), _cell(d.actual)) for d in differences]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        lines += [
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
            + "  "
            + row[3]
            for row in rows
        ]
    if report.not_deployed:
        lines.append("not deployed (in the file, not in the account):")
        lines += [f"  {name}" for name in report.not_deployed]
    if report.unmanaged:
        lines.append("unmanaged (in the account, not in the file), against the default standard:")
        for item in report.unmanaged:
            breaks = "; ".join(
                f"{d.setting} {_cell(d.actual)} (standard: {_cell(d.expected)})"
                for d in item.breaks
            )
            lines.append(f"  {item.name}: {breaks or 'as the default standard'}")
    if report.unreadable:
        lines.append("could not be read (the audit is incomplete):")
        lines += [f"  {item}" for item in report.unreadable]
    return "\n".join(line.rstrip() for line in lines)


def _cell(value: Any) -> str:
    """A value in a table cell: ``(none)`` for nothing, JSON otherwise, cut at 60."""
    if value is None:
        return "(none)"
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
    return text if len(text) <= _CELL else text[: _CELL - 3] + "..."
