"""Policy documents: grants composed into one checked IAM policy (repository, registry, public)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from ..errors import PolicyDocumentError, Problem, Where, child
from ..naming import ACCOUNT_ID_LENGTH, LONGEST_PARTITION, LONGEST_REGION
from ..registry_rules import RegistryPolicyScope
from ..tokens import is_unresolved
from ._check import (
    ELEMENT_ORDER,
    PUBLIC_REPOSITORY_RULES,
    REGISTRY_RULES,
    REPOSITORY_RULES,
    DocumentRules,
    check_statement,
)
from ._grant import AccessGrant, raise_if

POLICY_VERSION = "2012-10-17"


def _ordered(statement: Mapping[str, Any], sid: str) -> dict[str, Any]:
    """The statement with its Sid, elements in a fixed order."""
    with_sid = {**statement, "Sid": sid}
    known = {k: with_sid[k] for k in ELEMENT_ORDER if k in with_sid}
    return {**known, **{k: v for k, v in with_sid.items() if k not in known}}


class PolicyDocument:
    """Grants composed into one policy document, checked as a whole.

    Its length is checked as ECR counts it: a partition given as a token (the stack's
    ``AWS::Partition``) counts as ``measured_in``, the partition of the stack's region when
    it is known (Default: the longest partition name, ``aws-us-gov``); an account given as a
    token as 12 digits, a region given as a token as the longest region name.

    Statements keep the grants' order; grants of the same preset (same actions, conditions
    and resources) share one statement, with principals merged and sorted. Sids are unique
    and deterministic (``Pull``, ``Pull2``...; a custom statement's own Sid is kept).
    Problems are raised together as `PolicyDocumentError`, each naming ``where[i].Element``
    (``i`` is the grant's position). With a ``waived`` list, the problems of the statements
    themselves are appended to it instead and the statements are kept as given (for
    policies adopted as deployed); a document ECR would refuse as too long is still refused.
    """

    rules: DocumentRules = REPOSITORY_RULES
    """What this kind of document accepts."""

    def __init__(
        self,
        grants: Iterable[AccessGrant],
        *,
        where: Where = "access",
        partition: str = "aws",
        account: str | None = None,
        region: str | None = None,
        measured_in: str = LONGEST_PARTITION,
        waived: list[Problem] | None = None,
    ) -> None:
        grant_list = list(grants)
        if not grant_list:
            raise PolicyDocumentError(
                where, f"a {self.rules.kind} needs at least one grant", given=[]
            )
        problems: list[Problem] = []
        statement_problems = problems if waived is None else waived
        taken: set[str] = set()
        merged: list[AccessGrant] = []
        for index, grant in enumerate(grant_list):
            if not isinstance(grant, AccessGrant):
                problems.append(
                    Problem.of(
                        child(where, index),
                        "not an access grant",
                        given=grant,
                        allowed="RepositoryAccess/RegistryAccess/PublicRepositoryAccess presets",
                    )
                )
                continue
            statement = grant.render(partition=partition, account=account, region=region)
            statement_problems += check_statement(statement, child(where, index), self.rules)
            sid = statement.get("Sid")  # only custom statements bring their own
            if isinstance(sid, str):
                if sid in taken:
                    statement_problems.append(
                        Problem.of(
                            child(where, index, "Sid"),
                            "duplicate Sid",
                            given=sid,
                            allowed="each Sid once in the document",
                        )
                    )
                taken.add(sid)
            _merge_into(merged, grant)
        raise_if(problems)

        statements = []
        for grant in merged:
            statement = grant.render(partition=partition, account=account, region=region)
            if grant.custom is not None and "Sid" in statement:
                sid = statement["Sid"]
            else:
                sid = _free_sid(grant.sid, taken)
                taken.add(sid)
            statements.append(_ordered(statement, sid))
        document = {"Version": POLICY_VERSION, "Statement": statements}
        text = json.dumps(document, separators=(",", ":"))
        length = _length(
            text,
            {partition: len(measured_in), account: ACCOUNT_ID_LENGTH, region: len(LONGEST_REGION)},
        )
        if length > self.rules.max_characters:
            raise PolicyDocumentError(
                where,
                f"the {self.rules.kind} is too long for ECR ({length:,} characters of "
                "compact JSON)",
                given=length,
                allowed=f"at most {self.rules.max_characters:,} characters",
            )
        self._text = text
        self.grants: tuple[AccessGrant, ...] = tuple(grant_list)

    @property
    def statements(self) -> list[dict[str, Any]]:
        """The statements, as fresh dicts."""
        statements: list[dict[str, Any]] = self.to_dict()["Statement"]
        return statements

    def to_dict(self) -> dict[str, Any]:
        """The document as a fresh dict (``Version`` and ``Statement``)."""
        document: dict[str, Any] = json.loads(self._text)
        return document

    def to_json(self, *, indent: int | None = None) -> str:
        """The document as JSON text: compact (as measured against the limit) by default."""
        if indent is None:
            return self._text
        return json.dumps(self.to_dict(), indent=indent)

    def __len__(self) -> int:
        """Characters of the compact JSON text."""
        return len(self._text)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, PolicyDocument)
            and type(other) is type(self)
            and other._text == self._text
        )

    def __hash__(self) -> int:
        return hash(self._text)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._text})"


def _length(text: str, measured: Mapping[str | None, int]) -> int:
    """The length of ``text`` as ECR will count it: each unresolved value among the keys of
    ``measured`` (partition, account, region) counted as that many characters."""
    return len(text) + sum(
        text.count(value) * (length - len(value))
        for value, length in measured.items()
        if value is not None and is_unresolved(value)
    )


def _merge_into(merged: list[AccessGrant], grant: AccessGrant) -> None:
    """Add ``grant``, or its principals to an earlier grant that differs only in those."""
    key = grant.merge_key
    if key is not None:
        for position, earlier in enumerate(merged):
            if earlier.merge_key == key:
                merged[position] = replace(
                    earlier,
                    name=f"{earlier.name}; {grant.name}",
                    principals=earlier.principals + grant.principals,
                )
                return
    merged.append(grant)


def _free_sid(base: str, taken: set[str]) -> str:
    if base not in taken:
        return base
    number = 2
    while f"{base}{number}" in taken:
        number += 1
    return f"{base}{number}"


class RepositoryPolicyDocument(PolicyDocument):
    """A private repository's policy: no ``Resource`` element, ``ecr:`` actions only.

    ``partition`` (Default: ``aws``) goes into root ARNs and Lambda source ARNs; pass the
    stack's partition (a token is fine) outside the commercial partition.
    """

    rules = REPOSITORY_RULES


class PublicRepositoryPolicyDocument(PolicyDocument):
    """An ECR Public repository's policy: no ``Resource`` element, ``ecr-public:`` actions."""

    rules = PUBLIC_REPOSITORY_RULES


class RegistryPolicyDocument(PolicyDocument):
    """The private registry's policy: ``Resource`` allowed, ``ecr:`` actions.

    ``account`` and ``region`` are the registry's (tokens are fine): they fill the presets'
    resource ARNs. ``scope`` is the account's registry policy scope. Default: V2 (ECR's
    default), which accepts any ECR action; V1 accepts only ``ecr:ReplicateImage``,
    ``ecr:BatchImportUpstreamImage`` and ``ecr:CreateRepository``.
    """

    def __init__(
        self,
        grants: Iterable[AccessGrant],
        *,
        account: str,
        region: str,
        where: Where = "registry_policy",
        partition: str = "aws",
        scope: RegistryPolicyScope = RegistryPolicyScope.V2,
        measured_in: str = LONGEST_PARTITION,
    ) -> None:
        if not isinstance(scope, RegistryPolicyScope):
            raise PolicyDocumentError(
                child(where, "scope"),
                "scope must be a RegistryPolicyScope",
                given=scope,
                allowed="RegistryPolicyScope.V2 (ECR's default) or RegistryPolicyScope.V1",
            )
        self.rules = REGISTRY_RULES[scope]
        self.scope = scope
        super().__init__(
            grants,
            where=where,
            partition=partition,
            account=account,
            region=region,
            measured_in=measured_in,
        )
