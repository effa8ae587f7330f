"""What a registry file's lifecycle policies would do to every repository of an account,
beside what the policies deployed today do, which of the images they expire or archive
running workloads use, and what storage costs before and after: a dry run of a change to a
standard.

``simulate_fleet`` reads (read-only: ``DescribeRegistry``, then ``fleet_images`` and
``workloads``) and ``evaluate_fleet`` decides, in pure Python, with the lifecycle simulator.
A decision is ECR's, whoever uses the image: an image in use is flagged, never kept.

    from ecr_constructs import load_registry
    from ecr_constructs.live import connect, simulate_fleet

    result = simulate_fleet(load_registry("registry.yaml"), connect(region="eu-west-1"))
    assert not result.in_use_affected, result.in_use_affected
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..errors import EcrConstructsError
from ..lifecycle.images import Image
from ..lifecycle.model import LifecyclePolicy
from ..lifecycle.simulate import Decision, ImageAction, SimulationResult, evaluation_time, simulate
from ..standards.registry_file.loading import LoadedRegistry
from .failures import Unreadable, aws_call
from .fleet_images import CALLS as IMAGE_CALLS
from .fleet_images import RepositoryImages, read_repository_images
from .in_use import InUseImage, images_in_use
from .pool import Progress
from .session import Connection
from .storage_costs import Storage, StorageCost, StoragePrices, archive_minimum
from .workloads import READ_CALLS as WORKLOAD_CALLS
from .workloads import InUseCheck, Workloads, read_workloads

READ_CALLS: Mapping[str, frozenset[str]] = {
    "ecr": frozenset({"DescribeRegistry", *IMAGE_CALLS}),
    **WORKLOAD_CALLS,
}
"""Every API call a fleet simulation makes, by service: reads only."""


@dataclass(frozen=True)
class PolicyOutcome:
    """What one lifecycle policy does to one repository's images."""

    policy: LifecyclePolicy | None
    """None: no lifecycle policy, nothing expires."""
    result: SimulationResult | None
    """The simulator's decisions; None without a policy."""

    @property
    def decisions(self) -> tuple[Decision, ...]:
        return () if self.result is None else self.result.decisions

    def count(self, action: ImageAction) -> int:
        return sum(1 for decision in self.decisions if decision.action is action)

    @property
    def bytes_expired(self) -> int:
        return 0 if self.result is None else self.result.bytes_freed

    @property
    def bytes_archived(self) -> int:
        return 0 if self.result is None else self.result.bytes_archived

    def to_dict(self) -> dict[str, Any]:
        result = self.result
        return {
            "policy": None if self.policy is None else self.policy.to_dict(),
            "expired": [] if result is None else list(result.expired),
            "archived": [] if result is None else list(result.archived),
            "bytes_expired": self.bytes_expired,
            "bytes_archived": self.bytes_archived,
        }


@dataclass(frozen=True)
class InUseDecision:
    """An image in use that a policy expires or archives."""

    repository: str
    image: InUseImage
    action: ImageAction
    rule_priority: int | None
    reason: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "repository": self.repository,
            **self.image.to_dict(),
            "action": self.action.value,
            "rulePriority": self.rule_priority,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class RepositorySimulation:
    """One repository of the file: its images under today's policy and under the file's."""

    name: str
    images: int
    before: Storage
    """The images' bytes as they are stored now."""
    today: PolicyOutcome | None
    """The policy deployed today; None: it could not be read or is not valid (see the
    simulation's ``unreadable``)."""
    with_file: PolicyOutcome
    in_use: tuple[InUseImage, ...]
    """Images of this repository that workloads use."""

    def in_use_decisions(self, outcome: PolicyOutcome | None) -> tuple[InUseDecision, ...]:
        """The images in use that ``outcome`` expires or archives."""
        if outcome is None or outcome.result is None or not self.in_use:
            return ()
        used = {image.digest: image for image in self.in_use}
        return tuple(
            InUseDecision(self.name, used[d.image.digest], d.action, d.rule_priority, d.reason)
            for d in outcome.result.decisions
            if d.action is not ImageAction.KEEP and d.image.digest in used
        )

    def after(self, outcome: PolicyOutcome | None) -> Storage:
        """The bytes stored once ``outcome`` is carried out (as now without one)."""
        if outcome is None or outcome.result is None:
            return self.before
        return Storage.after(outcome.result.decisions)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "images": self.images,
            "bytes": {"standard": self.before.standard, "archive": self.before.archive},
            "today": None if self.today is None else self.today.to_dict(),
            "with_file": self.with_file.to_dict(),
            "in_use": [image.to_dict() for image in self.in_use],
            "in_use_today": [d.to_dict() for d in self.in_use_decisions(self.today)],
            "in_use_with_file": [d.to_dict() for d in self.in_use_decisions(self.with_file)],
        }


@dataclass(frozen=True)
class InUseReport:
    """How the images in use were found."""

    check: InUseCheck
    workloads: Workloads | None
    """None: not read (``InUseCheck.OFF``)."""
    missing: tuple[str, ...] = ()
    """References to this registry's images that resolve to no image of the repository:
    a tag that no longer exists, a digest already deleted."""

    def to_dict(self) -> dict[str, Any]:
        workloads = self.workloads
        return {
            "check": self.check.value,
            "checked": [] if workloads is None else list(workloads.checked),
            "unchecked": [] if workloads is None else [_unreadable(u) for u in workloads.unchecked],
            "not_offered": [] if workloads is None else list(workloads.not_offered),
            "missing": list(self.missing),
        }


@dataclass(frozen=True)
class FleetCosts:
    """Storage per month, estimated, now and after each set of policies."""

    prices: StoragePrices
    now: Storage
    after_today: Storage
    after_file: Storage
    archived_with_file: int
    """Bytes the file's policies move to the archive."""

    def monthly(self, storage: Storage) -> StorageCost:
        return storage.monthly_cost(self.prices)

    @property
    def saving(self) -> float:
        """USD a month the file's policies save against storing everything as it is now."""
        return self.monthly(self.now).total - self.monthly(self.after_file).total

    @property
    def archive_minimum(self) -> float:
        """USD the file's archiving commits to at least (90 days of archive storage)."""
        return archive_minimum(self.archived_with_file, self.prices)

    def to_dict(self) -> dict[str, Any]:
        def state(storage: Storage) -> dict[str, Any]:
            return {
                "bytes": {"standard": storage.standard, "archive": storage.archive},
                "usd_per_month": self.monthly(storage).to_dict(),
            }

        return {
            "estimate": True,
            "prices_usd_per_gb_month": {
                "standard": self.prices.standard,
                "archive": self.prices.archive,
            },
            "now": state(self.now),
            "after_today": state(self.after_today),
            "after_file": state(self.after_file),
            "saving_usd_per_month": round(self.saving, 4),
            "archive_minimum_usd": round(self.archive_minimum, 4),
        }


@dataclass(frozen=True)
class FleetSimulation:
    """A registry file's lifecycle policies, and today's, applied to an account."""

    account: str
    region: str
    source: str
    """The registry file."""
    now: datetime
    repositories: tuple[RepositorySimulation, ...]
    not_deployed: tuple[str, ...]
    """Repositories of the file that the account doesn't have."""
    in_use: InUseReport
    costs: FleetCosts
    unreadable: tuple[Unreadable, ...]
    """What could not be read or simulated: the result is incomplete. With
    ``InUseCheck.REQUIRE``, the workload sources that could not be read too."""

    @property
    def in_use_affected(self) -> tuple[InUseDecision, ...]:
        """Images in use that the file's policies expire or archive (the gate)."""
        return tuple(d for r in self.repositories for d in r.in_use_decisions(r.with_file))

    @property
    def in_use_today(self) -> tuple[InUseDecision, ...]:
        """Images in use that today's policies already expire or archive."""
        return tuple(d for r in self.repositories for d in r.in_use_decisions(r.today))

    def to_dict(self) -> dict[str, Any]:
        return {
            "account": self.account,
            "region": self.region,
            "file": self.source,
            "now": self.now.isoformat(),
            "in_use_affected": [d.to_dict() for d in self.in_use_affected],
            "in_use_today": [d.to_dict() for d in self.in_use_today],
            "in_use": self.in_use.to_dict(),
            "costs": self.costs.to_dict(),
            "repositories": [r.to_dict() for r in self.repositories],
            "not_deployed": list(self.not_deployed),
            "unreadable": [_unreadable(u) for u in self.unreadable],
        }


def _unreadable(item: Unreadable) -> dict[str, str]:
    return {"call": item.call, "subject": item.subject, "message": item.message}


def simulate_fleet(
    registry: LoadedRegistry,
    connection: Connection,
    *,
    now: datetime | str | float | None = None,
    in_use: InUseCheck = InUseCheck.AUTO,
    prices: StoragePrices | None = None,
    progress: Progress | None = None,
) -> FleetSimulation:
    """Read the account of ``connection`` and simulate ``registry``'s lifecycle policies,
    and today's, on every repository of the file that exists.

    :param now: the moment of evaluation (as ``simulate`` takes it). Default: the current time.
    :param in_use: whether to read which images running workloads use. Default: ``AUTO``,
        every source the caller may read.
    :param prices: storage prices. Default: ``StoragePrices()``, us-east-1's.
    :param progress: called as each repository is read. Default: silent.
    :raises LiveRegistryError: the account can't be read at all (credentials, the network,
        ``DescribeRegistry`` refused).
    :raises EcrConstructsError: ``now`` is not a timestamp.
    """
    when = evaluation_time(now)
    with aws_call("DescribeRegistry", "the registry", connection.region):
        account = str(connection.client("ecr").describe_registry()["registryId"])
    workloads = None if in_use is InUseCheck.OFF else read_workloads(connection)
    names = [repository.name for repository in registry.repositories]
    read = read_repository_images(connection, names, progress=progress)
    return evaluate_fleet(
        registry,
        read,
        account=account,
        region=connection.region,
        now=when,
        in_use=in_use,
        workloads=workloads,
        prices=prices,
    )


def evaluate_fleet(
    registry: LoadedRegistry,
    read: Sequence[RepositoryImages],
    *,
    account: str,
    region: str,
    now: datetime,
    in_use: InUseCheck = InUseCheck.AUTO,
    workloads: Workloads | None = None,
    prices: StoragePrices | None = None,
) -> FleetSimulation:
    """The simulation of what was read (no AWS call): ``read`` holds the repositories of
    ``registry`` as read from ``account`` in ``region``, ``workloads`` what uses them."""
    prices = prices or StoragePrices()
    policies = {r.name: r.settings.lifecycle for r in registry.repositories}
    unreadable: list[Unreadable] = []
    found = [r for r in read if r.exists]
    for repository in read:
        unreadable += repository.unreadable
    not_deployed = tuple(r.name for r in read if not r.exists and not r.unreadable)
    used, missing = images_in_use(workloads, account, region, found)
    simulated = []
    for repository in found:
        decisions = None if repository.unreadable else _today(repository, now, unreadable)
        simulated.append(
            RepositorySimulation(
                name=repository.name,
                images=len(repository.images),
                before=Storage.before(_kept(repository.images)),
                today=decisions,
                with_file=_outcome(policies[repository.name], repository.images, now),
                in_use=used.get(repository.name, ()),
            )
        )
    if in_use is InUseCheck.REQUIRE and workloads is not None:
        unreadable += workloads.unchecked
    now_storage, after_today, after_file = Storage(), Storage(), Storage()
    archived = 0
    for simulation in simulated:
        now_storage += simulation.before
        after_today += simulation.after(simulation.today)
        after_file += simulation.after(simulation.with_file)
        archived += simulation.with_file.bytes_archived
    return FleetSimulation(
        account=account,
        region=region,
        source=registry.source,
        now=now,
        repositories=tuple(simulated),
        not_deployed=not_deployed,
        in_use=InUseReport(in_use, workloads, missing),
        costs=FleetCosts(prices, now_storage, after_today, after_file, archived),
        unreadable=tuple(unreadable),
    )


def _kept(images: Sequence[Image]) -> list[Decision]:
    return [Decision(image, ImageAction.KEEP, None) for image in images]


def _outcome(
    policy: LifecyclePolicy | None, images: Sequence[Image], now: datetime
) -> PolicyOutcome:
    if policy is None:
        return PolicyOutcome(None, None)
    return PolicyOutcome(policy, simulate(policy, images, now=now))


def _today(
    repository: RepositoryImages, now: datetime, unreadable: list[Unreadable]
) -> PolicyOutcome | None:
    """Today's policy applied; None, recorded as unreadable, when ECR holds a policy the
    library's model refuses."""
    if repository.lifecycle_text is None:
        return PolicyOutcome(None, None)
    try:
        policy = LifecyclePolicy.from_json(repository.lifecycle_text)
    except EcrConstructsError as error:
        problems = "; ".join(str(problem) for problem in error.problems)
        unreadable.append(
            Unreadable(
                "GetLifecyclePolicy",
                repository.name,
                f"repository {repository.name!r}: the current lifecycle policy can't be "
                f"simulated: {problems}",
            )
        )
        return None
    return _outcome(policy, repository.images, now)
