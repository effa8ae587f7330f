"""Registry replication: one ``AWS::ECR::ReplicationConfiguration`` per account and region,
built from rules that any part of an app may add."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_ecr as ecr
from constructs import Construct, IConstruct

from ..errors import RegistryError
from ..naming import check_account_id, is_token
from ._registry import RegistryIndex, check_region, child_path, concrete_environment, lazy

MAX_RULES = 10
MAX_DESTINATIONS = 25
MAX_FILTERS_PER_RULE = 100

_FILTER_PATTERN = re.compile(r"(?:[a-z0-9]+(?:[._-][a-z0-9]*)*/)*[a-z0-9]*(?:[._-][a-z0-9]*)*")
_FILTER_LENGTH = (2, 256)


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


class RegistryReplication(Construct):
    """The registry's replication configuration (one per account and region).

    Get it with ``RegistryReplication.of(stack)`` from anywhere in the app and add rules;
    identical rules added twice are kept once. Nothing is synthesized until a rule is added;
    then one ``AWS::ECR::ReplicationConfiguration`` holds every rule added before synthesis.

    Limits enforced when a rule is added: at most 10 rules, 25 unique destinations over all
    rules and 100 repository prefixes per rule; no destination may be the source registry
    itself (checked when the stack's account and region are known).

    Replication is not retroactive, is not chained onwards from a destination, and does not
    copy repository or lifecycle policies: give replicas their settings with a
    ``RepositoryCreationTemplate`` applied for ``REPLICATION`` in each destination registry.
    """

    KIND = "RegistryReplication"

    def __init__(self, scope: Construct, construct_id: str) -> None:
        stack = cdk.Stack.of(scope)
        index = RegistryIndex.of(scope)
        index.check_singleton(self.KIND, stack, child_path(scope, construct_id))
        super().__init__(scope, construct_id)
        index.add_singleton(self.KIND, self)
        self._stack = stack
        self._rules: list[ReplicationRule] = []
        self._resource: ecr.CfnReplicationConfiguration | None = None

    @classmethod
    def of(cls, scope: IConstruct) -> RegistryReplication:
        """The replication configuration of ``scope``'s registry, created on first use
        (as ``RegistryReplication`` in the stack)."""
        stack = cdk.Stack.of(scope)
        existing = RegistryIndex.of(stack).singleton(cls.KIND, stack)
        if isinstance(existing, RegistryReplication):
            return existing
        return cls(stack, cls.KIND)

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
        if len(self._rules) >= MAX_RULES:
            raise RegistryError(
                where,
                f"a replication configuration holds at most {MAX_RULES} rules",
                given=len(self._rules) + 1,
                allowed=f"1..{MAX_RULES} rules: merge prefixes or destinations into fewer rules",
            )
        unique = {d for r in (*self._rules, rule) for d in r.destinations}
        if len(unique) > MAX_DESTINATIONS:
            raise RegistryError(
                where,
                f"a replication configuration reaches at most {MAX_DESTINATIONS} unique "
                "destinations over all rules",
                given=len(unique),
                allowed=f"1..{MAX_DESTINATIONS} unique (account, region) destinations",
            )
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
        source = concrete_environment(self._stack)
        checked: dict[tuple[str, str], None] = {}
        for i, destination in enumerate(destinations):
            at = f"{where} destinations[{i}]"
            if not isinstance(destination, ReplicationDestination):
                raise RegistryError(
                    at,
                    "not a ReplicationDestination",
                    given=destination,
                    allowed="ReplicationDestination(region=..., account=...)",
                )
            region = check_region(destination.region, f"{at}.region")
            account = (
                self._stack.account
                if destination.account is None
                else check_account_id(destination.account, f"{at}.account")
            )
            if source is not None and (account, region) == source:
                raise RegistryError(
                    at,
                    "a registry can't replicate to itself",
                    given=f"account {account}, region {region}",
                    allowed="another region, or another account",
                )
            checked[(account, region)] = None
        return tuple(checked)

    def _check_prefixes(self, prefixes: Sequence[str], where: str) -> tuple[str, ...]:
        if isinstance(prefixes, str):
            raise RegistryError(
                f"{where} repository_prefixes",
                "repository_prefixes is a list of prefixes",
                given=prefixes,
                allowed=f"[{prefixes!r}]",
            )
        checked: dict[str, None] = {}
        low, high = _FILTER_LENGTH
        for i, prefix in enumerate(prefixes):
            at = f"{where} repository_prefixes[{i}]"
            if is_token(prefix):
                checked[prefix] = None
                continue
            if not isinstance(prefix, str) or not low <= len(prefix) <= high:
                raise RegistryError(
                    at,
                    f"a replication prefix must be {low} to {high} characters long",
                    given=prefix,
                    allowed=f"{low}..{high} characters",
                )
            if not _FILTER_PATTERN.fullmatch(prefix):
                raise RegistryError(
                    at,
                    "not a repository name prefix",
                    given=prefix,
                    allowed="the start of a repository name: lowercase letters, digits, . _ - /",
                )
            checked[prefix] = None
        if len(checked) > MAX_FILTERS_PER_RULE:
            raise RegistryError(
                f"{where} repository_prefixes",
                f"a replication rule has at most {MAX_FILTERS_PER_RULE} prefix filters",
                given=len(checked),
                allowed=f"0..{MAX_FILTERS_PER_RULE} prefixes",
            )
        return tuple(checked)
