"""``ecr-constructs lifecycle simulate --file REGISTRY.yaml``: the file's lifecycle policies,
and today's, applied to every repository of the file that exists in the account
(read-only), with the images running workloads use flagged and storage costs estimated.

Exit codes: 0 no image in use would be expired or archived by the file's policies; 1 one
would (each is named); 2 an error: an invalid file or option, credentials, access denied, or
anything that could not be read (the result is incomplete).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from ..errors import ConfigError
from ..live.limits import DEFAULT_WORKERS
from ..standards.registry_file.loading import load_registry
from . import EXIT_FAILURE, EXIT_INVALID, EXIT_OK, counted
from .live import _live, _positive, _progress, _quietly, _say
from .registry import print_problems

if TYPE_CHECKING:
    from ..live.fleet_simulation import FleetSimulation, InUseDecision, PolicyOutcome

_CELL = 48


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``--file`` mode."""
    parser.add_argument(
        "--in-use",
        choices=("auto", "require", "off"),
        default=None,
        help="with --file, flag images running workloads use (ECS, Lambda, App Runner, "
        "Batch): auto (default) reads what the caller may read and lists what it could not; "
        "require makes a source it could not read an error (exit 2); off reads no workload",
    )
    parser.add_argument(
        "--standard-price",
        type=_price,
        default=None,
        metavar="USD",
        help="with --file, USD per GB-month of standard storage (default: 0.10, us-east-1)",
    )
    parser.add_argument(
        "--archive-price",
        type=_price,
        default=None,
        metavar="USD",
        help="with --file, USD per GB-month of archive storage (default: 0.10, us-east-1's "
        "first 150 TB; 0.07 beyond)",
    )
    parser.add_argument(
        "--workers",
        type=_positive,
        default=None,
        metavar="N",
        help=f"with --file, threads reading repositories at once (default: {DEFAULT_WORKERS})",
    )


def _price(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"not a price: {text!r} (allowed: USD per GB-month, >= 0)")
    return value


FILE_OPTIONS = ("in_use", "standard_price", "archive_price", "workers")
"""The options only ``--file`` takes (None when not given)."""


def run_fleet(args: argparse.Namespace, now: datetime | None) -> int:
    """Simulate the file of ``args.file`` on its account at ``now`` (default: the current
    time); the exit code of the module."""
    from ..live.fleet_simulation import simulate_fleet
    from ..live.session import connect
    from ..live.storage_costs import StoragePrices
    from ..live.workloads import InUseCheck

    if args.policy is not None:
        _say("--policy doesn't apply to --file: each repository's policy is the file's")
        return EXIT_INVALID
    in_use = InUseCheck(args.in_use or InUseCheck.AUTO)
    try:  # the file's own warnings are validate's to report
        loaded = _quietly(lambda: load_registry(args.file))
    except ConfigError as error:
        print_problems(error, args.file)
        return EXIT_INVALID
    defaults = StoragePrices()
    prices = StoragePrices(
        defaults.standard if args.standard_price is None else args.standard_price,
        defaults.archive if args.archive_price is None else args.archive_price,
    )
    deployment = loaded.config.deployment

    def read() -> FleetSimulation:
        connection = connect(
            region=args.region or deployment.region,
            profile=args.profile,
            workers=args.workers or DEFAULT_WORKERS,
        )
        _say(f"reading the repositories of {args.file} in {connection.region}")
        return simulate_fleet(
            loaded, connection, now=now, in_use=in_use, prices=prices, progress=_progress(_say)
        )

    result = _live(read, failure=EXIT_INVALID)
    if isinstance(result, int):
        return result
    if deployment.account is not None and deployment.account != result.account:
        _say(
            f"error: the credentials are for account {result.account}; {args.file} "
            f"describes account {deployment.account} (deployment.account)"
        )
        return EXIT_INVALID
    if args.output == "json":
        print(json.dumps(result.to_dict(), indent=2))
    else:
        print(table(result))
    if result.in_use_affected:
        return EXIT_FAILURE
    return EXIT_INVALID if result.unreadable else EXIT_OK


def table(result: FleetSimulation) -> str:
    """The simulation for people: a line per repository and the total, the images in use
    that the policies expire or archive, storage costs, and what was not read."""
    from ..live.storage_costs import Storage

    file = result.source
    lines = [
        f"account {result.account} in {result.region}, {file} at {result.now.isoformat()}: "
        f"{counted(len(result.repositories), 'repository', 'repositories')} simulated, "
        f"{len(result.not_deployed)} not deployed"
    ]
    workloads = result.in_use.workloads
    if workloads is None:
        lines.append("in use: not checked (--in-use off)")
    else:
        used = sum(len(r.in_use) for r in result.repositories)
        sources = "; ".join(workloads.checked) or "no source could be read"
        lines.append(f"in use: {counted(used, 'image')} ({sources})")
    rows = [
        ("REPOSITORY", "IMAGES", "TODAY: EXPIRE", "ARCHIVE", "FILE: EXPIRE", "ARCHIVE", "IN USE")
    ]
    for repository in result.repositories:
        hit = len(repository.in_use_decisions(repository.with_file))
        already = len(repository.in_use_decisions(repository.today))
        rows.append(
            (
                repository.name,
                f"{repository.images:,}",
                *_outcome_cells(repository.today),
                *_outcome_cells(repository.with_file),
                _in_use_cell(hit, already),
            )
        )
    rows.append(
        (
            "TOTAL",
            f"{sum(r.images for r in result.repositories):,}",
            *_total_cells([r.today for r in result.repositories]),
            *_total_cells([r.with_file for r in result.repositories]),
            _in_use_cell(len(result.in_use_affected), len(result.in_use_today)),
        )
    )
    lines += ["", *_aligned(rows)]
    for title, decisions in (
        (f"IN USE, expired or archived by {file}:", result.in_use_affected),
        ("IN USE, expired or archived by today's policies already:", result.in_use_today),
    ):
        if decisions:
            header = ("REPOSITORY", "DIGEST", "TAGS", "DECISION", "USED BY")
            lines += ["", title, *_aligned([header, *(_in_use_row(d) for d in decisions)])]
    costs = result.costs
    prices = costs.prices
    lines += [
        "",
        f"storage per month, estimated (USD per GB-month: standard {prices.standard:.2f}, "
        f"archive {prices.archive:.2f}; layers shared by images count in each):",
    ]
    states: list[tuple[str, Storage]] = [
        ("now", costs.now),
        ("after today's policies", costs.after_today),
        (f"after {file}", costs.after_file),
    ]
    label_width = max(len(label) for label, _ in states)
    for label, storage in states:
        cost = costs.monthly(storage)
        lines.append(
            f"  {label.ljust(label_width)}  {cost.standard:10.2f} standard + "
            f"{cost.archive:10.2f} archive = {cost.total:10.2f}"
        )
    today = costs.monthly(costs.after_today).total - costs.monthly(costs.after_file).total
    lines.append(
        f"  {file} saves {costs.saving:.2f} a month against now ({today:.2f} against today's "
        f"policies); its archiving commits at least {costs.archive_minimum:.2f} (90 days of "
        "archive storage)"
    )
    lines += _notes(result)
    return "\n".join(line.rstrip() for line in lines)


def _outcome_cells(outcome: PolicyOutcome | None) -> tuple[str, str]:
    from ..lifecycle.simulate import ImageAction

    if outcome is None:
        return "unknown", "unknown"
    if outcome.policy is None:
        return "no policy", "-"
    return (
        _count(outcome.count(ImageAction.EXPIRE), outcome.bytes_expired),
        _count(outcome.count(ImageAction.TRANSITION), outcome.bytes_archived),
    )


def _total_cells(outcomes: list[PolicyOutcome | None]) -> tuple[str, str]:
    from ..lifecycle.simulate import ImageAction

    known = [o for o in outcomes if o is not None]
    return (
        _count(
            sum(o.count(ImageAction.EXPIRE) for o in known), sum(o.bytes_expired for o in known)
        ),
        _count(
            sum(o.count(ImageAction.TRANSITION) for o in known),
            sum(o.bytes_archived for o in known),
        ),
    )


def _count(images: int, size: int) -> str:
    from .lifecycle import short_size

    return f"{images:,}" if not images else f"{images:,} ({short_size(size)})"


def _in_use_cell(hit: int, already: int) -> str:
    cell = f"{hit} IN USE" if hit else "-"
    return cell + (f" (today {already})" if already else "")


def _aligned(rows: Sequence[tuple[str, ...]]) -> list[str]:
    """Rows with their columns aligned (the last one left as it is)."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return [
        "  ".join([*(c.ljust(w) for c, w in zip(row, widths, strict=False)), row[-1]]).rstrip()
        for row in rows
    ]


def _in_use_row(decision: InUseDecision) -> tuple[str, ...]:
    image = decision.image
    tags = ", ".join(image.tags) or "<untagged>"
    rule = "" if decision.rule_priority is None else f" (rule {decision.rule_priority})"
    return (
        decision.repository,
        image.digest[:19],
        tags if len(tags) <= _CELL else tags[: _CELL - 3] + "...",
        f"{decision.action.value}{rule}",
        "; ".join(image.used_by),
    )


def _notes(result: FleetSimulation) -> list[str]:
    lines: list[str] = []
    if result.not_deployed:
        lines += ["", "not deployed (in the file, not in the account):"]
        lines += [f"  {name}" for name in result.not_deployed]
    workloads = result.in_use.workloads
    if workloads is not None and (workloads.unchecked or workloads.not_offered):
        lines += ["", "not checked for images in use:"]
        lines += [f"  {item}" for item in workloads.unchecked]
        lines += [f"  {note}" for note in workloads.not_offered]
    if result.in_use.missing:
        lines += ["", "used by workloads but not in the repository (nothing to protect):"]
        lines += [f"  {item}" for item in result.in_use.missing]
    if result.unreadable:
        lines += ["", "could not be read (the simulation is incomplete):"]
        lines += [f"  {item}" for item in result.unreadable]
    return lines
