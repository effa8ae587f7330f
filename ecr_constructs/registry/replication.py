"""Registry replication: one ``AWS::ECR::ReplicationConfiguration`` per account and region,
built from rules that any part of an app may add."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aws_cdk import aws_ecr as ecr
from constructs import Construct

from ..errors import Problem, RegistryError
from ..naming import ACCOUNT_ID, REGION
from ..registry_rules import (
    REPLICATION_FILTERS,
    REPLICATION_PREFIX,
    REPLICATION_RULES,
    raise_problems,
    self_replication_problems,
    under,
    unique_destination_problems,
)
from ._registry import RegistrySingleton, concrete_environment, lazy


@dataclass(frozen=True)
class ReplicationDestination:
    """A registry that a replication rule copies images to.

    :param region: the destination region, e.g. ``eu-west-1``.
    :param account: the destination account. Default: the source registry's own account
        (cross-region replication). Another account must allow the source account in its
        registry policy (``RegistryPolicy`` with ``RegistryAccess.replication_from``).
    """

    region: str
    account: str | None = None


@dataclass(frozen=True)
class ReplicationRule:
    """One rule as it is synthesized: destinations as (account, region) pairs and the
    repository name prefixes it replicates (empty: every repository)."""

    destinations: tuple[tuple[str, str], ...]
    repository_prefixes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The rule in ECR's API shape (``destinations``, ``repositoryFilters``)."""
        rule: dict[str, Any] = {
            "destinations": [
                {"region": region, "registryId": account} for account, region in self.destinations
            ]
        }
        if self.repository_prefixes:
            rule["repositoryFilters"] = [
                {"filter": prefix, "filterType": "PREFIX_MATCH"}
                for prefix in self.repository_prefixes
            ]
        return rule

    def _key(self) -> tuple[frozenset[tuple[str, str]], frozenset[str]]:
        return frozenset(self.destinations), frozenset(self.repository_prefixes)


class RegistryReplication(RegistrySingleton):
    """The registry's replication configuration (one per account and region).

    Get it with ``RegistryReplication.of(stack)`` from anywhere in the app and add rules;
    identical rules added twice are kept once. Nothing is synthesized until a rule is added;
    then one ``AWS::ECR::ReplicationConfiguration`` holds every rule added before synthesis.

    Limits enforced when a rule is added: at most 10 rules, 25 unique destinations over all
    rules and 100 repository prefixes per rule; no destination may be the source registry
    itself (checked when the stack's account and region are known).

    Rules replicate images pushed after they exist; images already in the registry are
    copied by a replication backfill, which only the ECR API starts
    (``StartReplicationBackfill``), not CloudFormation. Replication is not chained onwards
    from a destination and does not copy repository or lifecycle policies: give replicas
    their settings with a ``RepositoryCreationTemplate`` applied for ``REPLICATION`` in each
    destination registry.
    """

    KIND = "RegistryReplication"

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self._rules: list[ReplicationRule] = []
        self._resource: ecr.CfnReplicationConfiguration | None = None

    @property
    def rules(self) -> tuple[ReplicationRule, ...]:
        """The rules added so far, in order."""
        return tuple(self._rules)

    @property
    def cross_account_destinations(self) -> tuple[str, ...]:
        """Destination accounts other than the source's, in first-use order: each needs a
        registry policy that lets this account replicate into it."""
        source = self._stack.account
        accounts: dict[str, None] = {}
        for rule in self._rules:
            for account, _ in rule.destinations:
                if account != source:
                    accounts[account] = None
        return tuple(accounts)

    @property
    def resource(self) -> ecr.CfnReplicationConfiguration | None:
        """The ``AWS::ECR::ReplicationConfiguration``, once a rule was added."""
        return self._resource

    def add_rule(
        self,
        *,
        destinations: Sequence[ReplicationDestination],
        repository_prefixes: Sequence[str] = (),
    ) -> ReplicationRule:
        """Replicate repositories whose names start with one of ``repository_prefixes`` to
        every destination.

        :param destinations: 1 or more registries to copy to; duplicates are kept once.
        :param repository_prefixes: repository name prefixes (``PREFIX_MATCH`` filters), at
            most 100. Default: every repository in the registry.
        :returns: the rule as synthesized (the existing one when an identical rule was
            already added).
        """
        where = f"{self.node.path} rule {len(self._rules) + 1}"
        rule = ReplicationRule(
            destinations=self._check_destinations(destinations, where),
            repository_prefixes=self._check_prefixes(repository_prefixes, where),
        )
        for existing in self._rules:
            if existing._key() == rule._key():
                return existing
        rules = (*self._rules, rule)
        problems = REPLICATION_RULES.problems(len(rules)) + unique_destination_problems(
            (d for r in rules for d in r.destinations), own_account=None
        )
        raise_problems(problems, where)
        self._rules.append(rule)
        if self._resource is None:
            self._resource = ecr.CfnReplicationConfiguration(
                self,
                "Resource",
                replication_configuration=lazy(
                    lambda: {"rules": [r.to_dict() for r in self._rules]}
                ),
            )
        return rule

    def _check_destinations(
        self, destinations: Sequence[ReplicationDestination], where: str
    ) -> tuple[tuple[str, str], ...]:
        if isinstance(destinations, ReplicationDestination) or not destinations:
            raise RegistryError(
                where,
                "a replication rule needs a list of destinations",
                given=destinations,
                allowed="[ReplicationDestination(region=..., account=...), ...]",
            )
        source_account, source_region = concrete_environment(self._stack) or (None, None)
        problems: list[Problem] = []
        checked: dict[tuple[str, str], None] = {}
        for i, destination in enumerate(destinations):
            at = f"destinations[{i}]"
            if not isinstance(destination, ReplicationDestination):
                problems.append(
                    Problem(
                        at,
                        "not a ReplicationDestination",
                        given=destination,
                        allowed="ReplicationDestination(region=..., account=...)",
                    )
                )
                continue
            account = destination.account
            found = REGION.problems(destination.region, f"{at}.region")
            if account is not None:
                found += ACCOUNT_ID.problems(account, f"{at}.account")
            found = found or under(
                at,
                self_replication_problems(
                    account,
                    destination.region,
                    source_account=source_account,
                    source_region=source_region,
                ),
            )
            problems += found
            checked[(account or self._stack.account, destination.region)] = None
        raise_problems(problems, where)
        return tuple(checked)

    def _check_prefixes(self, prefixes: Sequence[str], where: str) -> tuple[str, ...]:
        if isinstance(prefixes, str):
            raise RegistryError(
                f"{where} repository_prefixes",
                "repository_prefixes is a list of prefixes",
                given=prefixes,
                allowed=f"[{prefixes!r}]",
            )
        checked = tuple(dict.fromkeys(prefixes))
        problems = [
            problem
            for i, prefix in enumerate(prefixes)
            for problem in REPLICATION_PREFIX.problems(prefix, f"[{i}]")
        ]
        problems += REPLICATION_FILTERS.problems(len(checked))
        raise_problems(under("repository_prefixes", problems), where)
        return checked
