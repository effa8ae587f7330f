"""The statement checker every policy document uses; `DocumentRules` says what differs
between repository, public repository and registry policies."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import Problem, Where, child
from ..registry_rules import RegistryPolicyScope
from ..tokens import is_unresolved
from ._values import PRINCIPAL_ALLOWED, SERVICE_ALLOWED, principal_problem, service_problem

MAX_POLICY_CHARACTERS = 10_240
ELEMENT_ORDER = ("Sid", "Effect", "Principal", "Action", "Resource", "Condition")


@dataclass(frozen=True)
class DocumentRules:
    """What a kind of policy document accepts."""

    kind: str
    resource_allowed: bool
    action_prefix: str
    allowed_actions: tuple[str, ...] | None = None
    """The actions allowed (compared without case), when only some are."""
    refused_action: str = ""
    """Why an action outside ``allowed_actions`` is refused, and what to do instead."""
    max_characters: int = MAX_POLICY_CHARACTERS


REPOSITORY_RULES = DocumentRules("repository policy", resource_allowed=False, action_prefix="ecr:")
PUBLIC_REPOSITORY_RULES = DocumentRules(
    "public repository policy", resource_allowed=False, action_prefix="ecr-public:"
)
REGISTRY_V1_ACTIONS = ("ecr:ReplicateImage", "ecr:BatchImportUpstreamImage", "ecr:CreateRepository")
REGISTRY_RULES = {
    RegistryPolicyScope.V2: DocumentRules(
        "registry policy", resource_allowed=True, action_prefix="ecr:"
    ),
    RegistryPolicyScope.V1: DocumentRules(
        "registry policy",
        resource_allowed=True,
        action_prefix="ecr:",
        allowed_actions=(*REGISTRY_V1_ACTIONS, "ecr:*"),
        refused_action=(
            "ECR rejects this action in a registry policy of scope V1, which honours only "
            "replication and pull-through cache actions; an account on ECR's default scope "
            "V2 (RegistryPolicyScope.V2) may allow any ECR action"
        ),
    ),
}
"""Registry policy rules by the account's registry policy scope."""


def _strings(value: object) -> list[object] | None:
    """A string or a non-empty list as a list; None when it is neither."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value:
        return list(value)
    return None


def check_statement(statement: object, where: Where, rules: DocumentRules) -> list[Problem]:
    """Every problem with one statement, each naming ``where.Element``."""
    if not isinstance(statement, Mapping):
        return [
            Problem.of(where, "a statement must be a mapping", given=statement, allowed="a dict")
        ]
    problems: list[Problem] = []
    elements = set(ELEMENT_ORDER) if rules.resource_allowed else set(ELEMENT_ORDER) - {"Resource"}
    for key in statement:
        if key in ("Resource", "NotResource") and not rules.resource_allowed:
            problems.append(
                Problem.of(
                    child(where, key),
                    f"a {rules.kind} must not have a {key} element "
                    "(the repository is the resource; ECR rejects it)",
                    given=statement[key],
                    allowed="no Resource or NotResource",
                )
            )
        elif key not in elements:
            problems.append(
                Problem.of(
                    child(where, key),
                    f"unsupported element in a {rules.kind}",
                    given=statement[key],
                    allowed=", ".join(e for e in ELEMENT_ORDER if e in elements),
                )
            )
    sid = statement.get("Sid")
    if "Sid" in statement and not (isinstance(sid, str) and sid):
        problems.append(
            Problem.of(child(where, "Sid"), "Sid must be a non-empty string", given=sid)
        )
    effect = statement.get("Effect")
    if "Effect" not in statement:
        problems.append(
            Problem.of(child(where, "Effect"), "missing Effect", allowed="Allow | Deny")
        )
    elif effect not in ("Allow", "Deny"):
        problems.append(
            Problem.of(
                child(where, "Effect"), "unknown Effect", given=effect, allowed="Allow | Deny"
            )
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
                Problem.of(
                    child(where, "Resource"),
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
            Problem.of(
                child(where, "Condition"),
                "Condition must map operators to keys and values",
                given=condition,
                allowed='{"StringEquals": {"aws:PrincipalOrgID": "o-..."}}',
            )
        )
    return problems


def _check_principal(statement: Mapping[str, Any], where: Where) -> list[Problem]:
    if "Principal" not in statement:
        return [
            Problem.of(
                child(where, "Principal"),
                "missing Principal (a resource policy must say whom it applies to)",
                allowed='{"AWS": [...]} or {"Service": ...}',
            )
        ]
    principal = statement["Principal"]
    if is_unresolved(principal):
        return []
    problems: list[Problem] = []
    anyone = principal == "*"
    if not anyone:
        if not (isinstance(principal, Mapping) and principal):
            return [
                Problem.of(
                    child(where, "Principal"),
                    "not a principal",
                    given=principal,
                    allowed='"*", {"AWS": ...} or {"Service": ...}',
                )
            ]
        for key, value in principal.items():
            values = _strings(value)
            if key not in ("AWS", "Service"):
                problems.append(
                    Problem.of(
                        child(where, "Principal", key),
                        "unsupported principal type",
                        given=value,
                        allowed="AWS or Service",
                    )
                )
                continue
            if values is None:
                problems.append(
                    Problem.of(
                        child(where, "Principal", key),
                        "principals must be a string or a non-empty list",
                        given=value,
                        allowed=PRINCIPAL_ALLOWED if key == "AWS" else SERVICE_ALLOWED,
                    )
                )
                continue
            many = isinstance(value, list)
            for index, item in enumerate(values):
                item_where = child(where, "Principal", key, *((index,) if many else ()))
                if key == "AWS" and item == "*":
                    anyone = True
                    continue
                check = principal_problem if key == "AWS" else service_problem
                if (problem := check(item, item_where)) is not None:
                    problems.append(problem)
    if anyone and not statement.get("Condition"):
        problems.append(
            Problem.of(
                child(where, "Principal"),
                "a '*' principal without a Condition opens it to everyone",
                given=principal,
                allowed="named principals, or '*' with a Condition such as aws:PrincipalOrgID",
            )
        )
    return problems


def _check_actions(
    statement: Mapping[str, Any], where: Where, rules: DocumentRules
) -> list[Problem]:
    if "Action" not in statement:
        return [
            Problem.of(
                child(where, "Action"),
                "missing Action",
                allowed=f"{rules.action_prefix}... actions",
            )
        ]
    value = statement["Action"]
    actions = _strings(value)
    if actions is None:
        return [
            Problem.of(
                child(where, "Action"),
                "Action must be a string or a non-empty list",
                given=value,
                allowed=f"{rules.action_prefix}... actions",
            )
        ]
    problems = []
    many = isinstance(value, list)
    for index, action in enumerate(actions):
        item_where = child(where, "Action", *((index,) if many else ()))
        if is_unresolved(action):
            continue
        name = action.lower() if isinstance(action, str) else ""
        if not name.startswith(rules.action_prefix):
            problems.append(
                Problem.of(
                    item_where,
                    f"not an action a {rules.kind} can grant",
                    given=action,
                    allowed=f"{rules.action_prefix}... actions",
                )
            )
        elif rules.allowed_actions is not None and name not in {
            allowed.lower() for allowed in rules.allowed_actions
        }:
            problems.append(
                Problem.of(
                    item_where,
                    rules.refused_action,
                    given=action,
                    allowed=", ".join(rules.allowed_actions),
                )
            )
    return problems
