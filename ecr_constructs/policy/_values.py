"""Checks for the values that go into policies: accounts, principals, organisations, regions.

Each check returns the problems it found (never raises), so callers can report every
problem at once. Unresolved CDK tokens pass unchecked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from ..errors import Problem, Where, child
from ..naming import ACCOUNT_ID_PATTERN, REGION
from ..registry_rules import ORGANIZATION_ID
from ..tokens import is_unresolved

IAM_ARN = re.compile(r"arn:aws(?:-[a-z]+)*:iam::(?P<account>[^:]*):(?P<resource>.*)")
IAM_RESOURCE = re.compile(r"root|(?:role|user)/(?:[\w+=,.@-]+/)*[\w+=,.@-]+")
SERVICE_PRINCIPAL = re.compile(r"[a-z0-9-]+(?:\.[a-z0-9-]+)*\.amazonaws\.com(?:\.cn)?")

ACCOUNT_ALLOWED = "a 12-digit AWS account ID"
PRINCIPAL_ALLOWED = (
    "a 12-digit account ID or an IAM ARN arn:aws:iam::123456789012:root | :role/NAME | :user/NAME"
)
SERVICE_ALLOWED = "a service principal such as lambda.amazonaws.com"


def as_list(values: object, where: Where, what: str) -> tuple[list[object], list[Problem]]:
    """``values`` as a list; one string (a common slip for a one-item list) is a problem."""
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        return [], [Problem.of(where, f"give a list of {what}", given=values, allowed=f"[{what}]")]
    return list(values), []


def account_problem(value: object, where: Where) -> Problem | None:
    if is_unresolved(value) or (isinstance(value, str) and ACCOUNT_ID_PATTERN.fullmatch(value)):
        return None
    return Problem.of(where, "not an AWS account ID", given=value, allowed=ACCOUNT_ALLOWED)


def principal_problem(value: object, where: Where) -> Problem | None:
    """An IAM principal for the ``AWS`` key: account ID or root/role/user ARN (``*`` not here)."""
    if is_unresolved(value) or (isinstance(value, str) and ACCOUNT_ID_PATTERN.fullmatch(value)):
        return None
    if isinstance(value, str) and (arn := IAM_ARN.fullmatch(value)):
        if not ACCOUNT_ID_PATTERN.fullmatch(arn["account"]):
            return Problem.of(
                where,
                "the account in an IAM ARN must be 12 digits",
                given=value,
                allowed=PRINCIPAL_ALLOWED,
            )
        if IAM_RESOURCE.fullmatch(arn["resource"]):
            return None
    return Problem.of(where, "not an IAM principal", given=value, allowed=PRINCIPAL_ALLOWED)


def organization_problem(value: object, where: Where) -> Problem | None:
    return next(iter(ORGANIZATION_ID.problems(value, where)), None)


def region_problem(value: object, where: Where) -> Problem | None:
    return next(iter(REGION.problems(value, where)), None)


def service_problem(value: object, where: Where) -> Problem | None:
    if is_unresolved(value) or (isinstance(value, str) and SERVICE_PRINCIPAL.fullmatch(value)):
        return None
    return Problem.of(where, "not a service principal", given=value, allowed=SERVICE_ALLOWED)


def check_each(
    values: object,
    where: Where,
    what: str,
    problem_of: Callable[[object, Where], Problem | None],
) -> tuple[tuple[str, ...], list[Problem]]:
    """Check every item of a list; return the items (as strings) and all problems."""
    items, problems = as_list(values, where, what)
    for index, item in enumerate(items):
        problem = problem_of(item, child(where, index))
        if problem is not None:
            problems.append(problem)
    return tuple(str(item) for item in items), problems


def check_some(
    values: object,
    where: Where,
    what: str,
    problem_of: Callable[[object, Where], Problem | None],
) -> tuple[tuple[str, ...], list[Problem]]:
    """`check_each`, and an empty list is a problem too."""
    items, problems = check_each(values, where, what, problem_of)
    if not problems and not items:
        problems.append(
            Problem.of(where, f"lists no {what}", given=[], allowed=f"one or more {what}")
        )
    return items, problems
