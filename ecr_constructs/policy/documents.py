"""Policy documents: grants composed into one checked IAM policy (repository, registry, public).

One statement checker serves every kind; `DocumentRules` says what differs (may a statement
name a ``Resource``, which actions are allowed).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from ..errors import PolicyDocumentError, Problem
from ..tokens import is_unresolved
from ._grant import AccessGrant, raise_if
from ._values import principal_problem, service_problem

POLICY_VERSION = "2012-10-17"
MAX_POLICY_CHARACTERS = 10_240
ELEMENT_ORDER = ("Sid", "Effect", "Principal", "Action", "Resource", "Condition")


@dataclass(frozen=True)
class DocumentRules:
    """What a kind of policy document accepts."""

    kind: str
    resource_allowed: bool
    action_prefix: str
    allowed_actions: frozenset[str] | None = None
    """Lower-case action names, when only some are allowed."""
    max_characters: int = MAX_POLICY_CHARACTERS


REPOSITORY_RULES = DocumentRules("repository policy", resource_allowed=False, action_prefix="ecr:")
PUBLIC_REPOSITORY_RULES = DocumentRules(
    "public repository policy", resource_allowed=False, action_prefix="ecr-public:"
)
REGISTRY_RULES = DocumentRules(
    "registry policy",
    resource_allowed=True,
    action_prefix="ecr:",
    allowed_actions=frozenset(
        {"ecr:*", "ecr:batchimportupstreamimage", "ecr:createrepository", "ecr:replicateimage"}
    ),
)
_REGISTRY_ACTIONS_TEXT = "ecr:ReplicateImage, ecr:BatchImportUpstreamImage, ecr:CreateRepository"


def _strings(value: object) -> list[object] | None:
    """A string or a non-empty list as a list; None when it is neither."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value:
        return list(value)
    return None


def check_statement(statement: object, where: str, rules: DocumentRules) -> list[Problem]:
    """Every problem with one statement, each naming ``where.Element``."""
    if not isinstance(statement, Mapping):
        return [Problem(where, "a statement must be a mapping", given=statement, allowed="a dict")]
    problems: list[Problem] = []
    elements = set(ELEMENT_ORDER) if rules.resource_allowed else set(ELEMENT_ORDER) - {"Resource"}
    for key in statement:
        if key in ("Resource", "NotResource") and not rules.resource_allowed:
            problems.append(
                Problem(
                    f"{where}.{key}",
                    f"a {rules.kind} must not have a {key} element "
                    "(the repository is the resource; ECR rejects it)",
                    given=statement[key],
                    allowed="no Resource or NotResource",
                )
            )
        elif key not in elements:
            problems.append(
                Problem(
                    f"{where}.{key}",
                    f"unsupported element in a {rules.kind}",
                    given=statement[key],
                    allowed=", ".join(e for e in ELEMENT_ORDER if e in elements),
                )
            )
    sid = statement.get("Sid")
    if "Sid" in statement and not (isinstance(sid, str) and sid):
        problems.append(Problem(f"{where}.Sid", "Sid must be a non-empty string", given=sid))
    effect = statement.get("Effect")
    if "Effect" not in statement:
        problems.append(Problem(f"{where}.Effect", "missing Effect", allowed="Allow | Deny"))
    elif effect not in ("Allow", "Deny"):
        problems.append(
            Problem(f"{where}.Effect", "unknown Effect", given=effect, allowed="Allow | Deny")
        )
    problems += _check_principal(statement, where)
    problems += _check_actions(statement, where, rules)
    if rules.resource_allowed and "Resource" in statement:
        resources = _strings(statement["Resource"])
        if resources is None or not all(
            isinstance(r, str) and (r == "*" or r.startswith("arn:") or is_unresolved(r))
            for r in resources
        ):
            problems.append(
                Problem(
                    f"{where}.Resource",
                    "Resource must be ARNs",
                    given=statement["Resource"],
                    allowed="an ARN or a list of ARNs",
                )
            )
    condition = statement.get("Condition")
    if "Condition" in statement and not (
        isinstance(condition, Mapping)
        and condition
        and all(isinstance(v, Mapping) and v for v in condition.values())
    ):
        problems.append(
            Problem(
                f"{where}.Condition",
                "Condition must map operators to keys and values",
                given=condition,
                allowed='{"StringEquals": {"aws:PrincipalOrgID": "o-..."}}',
            )
        )
    return problems


def _check_principal(statement: Mapping[str, Any], where: str) -> list[Problem]:
    if "Principal" not in statement:
        return [
            Problem(
                f"{where}.Principal",
                "missing Principal (a resource policy must say whom it applies to)",
                allowed='{"AWS": [...]} or {"Service": ...}',
            )
        ]
    principal = statement["Principal"]
    problems: list[Problem] = []
    anyone = principal == "*"
    if not anyone:
        if not (isinstance(principal, Mapping) and principal):
            return [
                Problem(
                    f"{where}.Principal",
                    "not a principal",
                    given=principal,
                    allowed='"*", {"AWS": ...} or {"Service": ...}',
                )
            ]
        for key, value in principal.items():
            values = _strings(value)
            if key not in ("AWS", "Service") or values is None:
                problems.append(
                    Problem(
                        f"{where}.Principal.{key}",
                        "unsupported principal",
                        given=value,
                        allowed="AWS or Service, with a string or a non-empty list",
                    )
                )
                continue
            many = isinstance(value, list)
            for index, item in enumerate(values):
                item_where = f"{where}.Principal.{key}" + (f"[{index}]" if many else "")
                if key == "AWS" and item == "*":
                    anyone = True
                    continue
                check = principal_problem if key == "AWS" else service_problem
                if (problem := check(item, item_where)) is not None:
                    problems.append(problem)
    if anyone and not statement.get("Condition"):
        problems.append(
            Problem(
                f"{where}.Principal",
                "a '*' principal without a Condition opens it to everyone",
                given=principal,
                allowed="named principals, or '*' with a Condition such as aws:PrincipalOrgID",
            )
        )
    return problems


def _check_actions(statement: Mapping[str, Any], where: str, rules: DocumentRules) -> list[Problem]:
    if "Action" not in statement:
        return [
            Problem(
                f"{where}.Action",
                "missing Action",
                allowed=f"{rules.action_prefix}... actions",
            )
        ]
    value = statement["Action"]
    actions = _strings(value)
    if actions is None:
        return [
            Problem(
                f"{where}.Action",
                "Action must be a string or a non-empty list",
                given=value,
                allowed=f"{rules.action_prefix}... actions",
            )
        ]
    problems = []
    many = isinstance(value, list)
    for index, action in enumerate(actions):
        item_where = f"{where}.Action" + (f"[{index}]" if many else "")
        if is_unresolved(action):
            continue
        name = action.lower() if isinstance(action, str) else ""
        if not name.startswith(rules.action_prefix):
            problems.append(
                Problem(
                    item_where,
                    f"not an action a {rules.kind} can grant",
                    given=action,
                    allowed=f"{rules.action_prefix}... actions",
                )
            )
        elif rules.allowed_actions is not None and name not in rules.allowed_actions:
            problems.append(
                Problem(
                    item_where,
                    f"ECR rejects this action in a {rules.kind}",
                    given=action,
                    allowed=_REGISTRY_ACTIONS_TEXT,
                )
            )
    return problems


def _ordered(statement: Mapping[str, Any], sid: str) -> dict[str, Any]:
    """The statement with its Sid, elements in a fixed order."""
    with_sid = {**statement, "Sid": sid}
    known = {k: with_sid[k] for k in ELEMENT_ORDER if k in with_sid}
    return {**known, **{k: v for k, v in with_sid.items() if k not in known}}


class PolicyDocument:
    """Grants composed into one policy document, checked as a whole.

    Statements keep the grants' order; grants of the same preset (same actions, conditions
    and resources) share one statement, with principals merged and sorted. Sids are unique
    and deterministic (``Pull``, ``Pull2``...; a custom statement's own Sid is kept).
    Problems are raised together as `PolicyDocumentError`, each naming ``where[i].Element``
    (``i`` is the grant's position).
    """

    rules: ClassVar[DocumentRules] = REPOSITORY_RULES

    def __init__(
        self,
        grants: Iterable[AccessGrant],
        *,
        where: str = "access",
        partition: str = "aws",
        account: str | None = None,
        region: str | None = None,
    ) -> None:
        problems: list[Problem] = []
        rendered: list[tuple[AccessGrant, dict[str, Any]]] = []
        grant_list = list(grants)
        if not grant_list:
            raise PolicyDocumentError(
                where, f"a {self.rules.kind} needs at least one grant", given=[]
            )
        for index, grant in enumerate(grant_list):
            if not isinstance(grant, AccessGrant):
                problems.append(
                    Problem(
                        f"{where}[{index}]",
                        "not an access grant",
                        given=grant,
                        allowed="RepositoryAccess/RegistryAccess/PublicRepositoryAccess presets",
                    )
                )
                continue
            statement = grant.render(partition=partition, account=account, region=region)
            problems += check_statement(statement, f"{where}[{index}]", self.rules)
            rendered.append((grant, statement))
        raise_if(problems)

        merged: list[AccessGrant] = []
        for grant, _ in rendered:
            key = grant.merge_key
            for position, earlier in enumerate(merged):
                if key is not None and earlier.merge_key == key:
                    merged[position] = replace(
                        earlier,
                        name=f"{earlier.name}; {grant.name}",
                        principals=earlier.principals + grant.principals,
                    )
                    break
            else:
                merged.append(grant)

        taken: set[str] = set()
        for index, (grant, statement) in enumerate(rendered):
            if grant.custom is not None and "Sid" in statement:
                if statement["Sid"] in taken:
                    problems.append(
                        Problem(
                            f"{where}[{index}].Sid",
                            "duplicate Sid",
                            given=statement["Sid"],
                            allowed="a Sid used once in the document",
                        )
                    )
                taken.add(statement["Sid"])
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
        if len(text) > self.rules.max_characters:
            raise PolicyDocumentError(
                where,
                f"the {self.rules.kind} is too long for ECR",
                given=f"{len(text):,} characters",
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
    """The private registry's policy: ``Resource`` allowed; actions limited to
    ``ecr:ReplicateImage``, ``ecr:BatchImportUpstreamImage`` and ``ecr:CreateRepository``.

    ``account`` and ``region`` are the registry's (tokens are fine): they fill the presets'
    resource ARNs.
    """

    rules = REGISTRY_RULES

    def __init__(
        self,
        grants: Iterable[AccessGrant],
        *,
        account: str,
        region: str,
        where: str = "registry_policy",
        partition: str = "aws",
    ) -> None:
        super().__init__(grants, where=where, partition=partition, account=account, region=region)
