"""Whether a repository policy lets everyone in, judged on a synthesized template. Pure Python.

An ``Allow`` statement for principal ``*`` (or with ``NotPrincipal``) and no ``Condition``
is open. CloudFormation intrinsics are followed as far as synth can: both branches of
``Fn::If``; ``Fn::Join`` and ``Fn::Sub`` with literal text or pseudo parameters around their
values (``arn:${AWS::Partition}:iam::...`` is never ``*``); ``Ref`` to a pseudo parameter;
``Fn::GetAtt`` of an ``Arn``. Anything else a principal, effect, condition, statement or
statement list is computed from (a parameter, an import, a branch that is ``*``) can't be
verified at synth, and is reported so.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

_PSEUDO_PARAMETERS = frozenset(
    {
        "AWS::AccountId",
        "AWS::Partition",
        "AWS::Region",
        "AWS::StackId",
        "AWS::StackName",
        "AWS::URLSuffix",
    }
)
_NO_VALUE = "AWS::NoValue"
_ABSENT: Any = object()
_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")
_SHOWN_CHARACTERS = 160


class Openness(enum.IntEnum):
    """Whether a part of a statement lets everyone in, as far as synth knows."""

    CLOSED = 0
    """Never: a principal that is never ``*``, an effect that is never Allow, a condition that
    is always there."""
    UNKNOWN = 1
    """Computed at deploy time."""
    OPEN = 2
    """Always: principal ``*``, effect Allow, no condition."""


@dataclass(frozen=True)
class Opening:
    """A statement that may let everyone in."""

    text: str
    verified: bool
    """True when synth knows it lets everyone in; False when it can't tell."""


def is_intrinsic(value: Any) -> bool:
    """A CloudFormation intrinsic: ``{"Ref": ...}`` or ``{"Fn::...": ...}``."""
    if not isinstance(value, Mapping) or len(value) != 1:
        return False
    key = next(iter(value))
    return isinstance(key, str) and (key == "Ref" or key.startswith("Fn::"))


def shown(value: Any) -> str:
    """A value as JSON, cut to a readable length."""
    text = json.dumps(value, default=str)
    return text if len(text) <= _SHOWN_CHARACTERS else text[: _SHOWN_CHARACTERS - 3] + "..."


def openings(document: Mapping[str, Any]) -> list[Opening]:
    """The statements of a policy document that may let everyone in."""
    statements = document.get("Statement", [])
    if not is_intrinsic(statements):
        return list(_list_openings(statements))
    if _all_closed(_alternatives(statements), _list_openings):
        return []
    return [Opening(f"Statement is computed at deploy time ({shown(statements)})", False)]


def _list_openings(statements: Any) -> Iterator[Opening]:
    if isinstance(statements, Mapping):
        statements = [statements]
    if not isinstance(statements, list):
        return
    for index, statement in enumerate(statements):
        if not is_intrinsic(statement):
            yield from _statement_openings(index, statement)
        elif not _all_closed(_alternatives(statement), partial(_statement_openings, index)):
            text = f"Statement[{index}] is computed at deploy time ({shown(statement)})"
            yield Opening(text, False)


def _all_closed(alternatives: Iterable[Any], judge: Callable[[Any], Iterator[Opening]]) -> bool:
    """True when no alternative is an intrinsic synth can't follow, and none is open."""
    return all(
        not is_intrinsic(alternative) and not list(judge(alternative))
        for alternative in alternatives
    )


def _statement_openings(index: int, statement: Any) -> Iterator[Opening]:
    if not isinstance(statement, Mapping):
        return
    effect = _either(_effect(value) for value in _alternatives(statement.get("Effect")))
    condition = _either(_condition(value) for value in _alternatives(statement.get("Condition")))
    if "NotPrincipal" in statement:
        principal, everyone = Openness.OPEN, "allows every NotPrincipal"
    else:
        principal, everyone = _principal(statement.get("Principal")), "allows principal *"
    if Openness.CLOSED in (effect, principal, condition):
        return
    sid = f" ({statement['Sid']})" if isinstance(statement.get("Sid"), str) else ""
    where = f"Statement[{index}]{sid}"
    if effect == principal == condition == Openness.OPEN:
        yield Opening(f"{where} {everyone}", True)
        return
    computed = [
        f"{name} ({shown(statement.get(name))})"
        for name, value in (("Effect", effect), ("Principal", principal), ("Condition", condition))
        if value == Openness.UNKNOWN
    ]
    verb = "is" if len(computed) == 1 else "are"
    yield Opening(f"{where} {' and '.join(computed)} {verb} computed at deploy time", False)


def _effect(value: Any) -> Openness:
    if value == "Allow":
        return Openness.OPEN
    return Openness.UNKNOWN if is_intrinsic(value) else Openness.CLOSED


def _condition(value: Any) -> Openness:
    if value is _ABSENT or not value:
        return Openness.OPEN
    if is_intrinsic(value):
        return Openness.UNKNOWN
    if isinstance(value, Mapping) and any(is_intrinsic(block) for block in value.values()):
        return Openness.UNKNOWN
    return Openness.CLOSED


def _principal(principal: Any) -> Openness:
    return _either(_principal_value(value) for value in _alternatives(principal))


def _principal_value(value: Any) -> Openness:
    """``"*"``, ``{"AWS": "*"}``, ``{"AWS": ["...", "*"]}``: open when any of its texts is."""
    if isinstance(value, Mapping) and not is_intrinsic(value):
        return _union(_text(item) for group in value.values() for item in _values(group))
    return _union(_text(item) for item in _values(value))


def _values(value: Any) -> list[Any]:
    """The items of a principal's value: a list's items, else the value itself."""
    return list(value) if isinstance(value, list) else [value]


def _text(value: Any) -> Openness:
    """Whether one principal text is ``*``."""
    values = []
    for alternative in _alternatives(value):
        if alternative is _ABSENT:
            values.append(Openness.CLOSED)
        elif isinstance(alternative, list):
            values.append(_union(_text(item) for item in alternative))
        elif is_intrinsic(alternative):
            values.append(_computed_text(alternative))
        else:
            values.append(Openness.OPEN if alternative == "*" else Openness.CLOSED)
    return _either(values)


def _computed_text(value: Mapping[str, Any]) -> Openness:
    name, argument = next(iter(value.items()))
    if name == "Ref":
        return Openness.CLOSED if argument in _PSEUDO_PARAMETERS else Openness.UNKNOWN
    if name == "Fn::GetAtt":
        attribute = argument[-1] if isinstance(argument, list) and argument else argument
        is_arn = isinstance(attribute, str) and attribute.endswith("Arn")
        return Openness.CLOSED if is_arn else Openness.UNKNOWN
    if name == "Fn::Join" and isinstance(argument, list) and len(argument) == 2:
        delimiter, parts = argument
        if isinstance(delimiter, str) and isinstance(parts, list):
            pieces = [_piece(part) for part in parts]
            between = [delimiter] * (len(parts) - 1)
            return _joined([*pieces, *between])
    if name == "Fn::Sub":
        template = argument[0] if isinstance(argument, list) and argument else argument
        if isinstance(template, str):
            names = _PLACEHOLDER.findall(template)
            pieces = [_PLACEHOLDER.sub("", template)]
            pieces += ["x" if n in _PSEUDO_PARAMETERS or n.startswith("!") else None for n in names]
            return _joined(pieces)
    return Openness.UNKNOWN


def _piece(part: Any) -> str | None:
    """A piece of joined text: its text, ``x`` for a pseudo parameter (never empty or ``*``),
    None when computed at deploy time."""
    if isinstance(part, str):
        return part
    if is_intrinsic(part) and part.get("Ref") in _PSEUDO_PARAMETERS:
        return "x"
    return None


def _joined(pieces: list[str | None]) -> Openness:
    """Whether text made of ``pieces`` (None: unknown) is ``*``."""
    known = "".join(piece for piece in pieces if piece is not None)
    if known.strip("*"):
        return Openness.CLOSED
    if None in pieces:
        return Openness.UNKNOWN
    return Openness.OPEN if known == "*" else Openness.CLOSED


def _alternatives(value: Any) -> list[Any]:
    """The values ``value`` can take: both branches of every ``Fn::If`` (``_ABSENT`` for
    ``AWS::NoValue``); the value itself otherwise."""
    pending, found = [value], []
    while pending:
        current = pending.pop()
        if isinstance(current, Mapping) and is_intrinsic(current) and "Fn::If" in current:
            branches = current["Fn::If"]
            if isinstance(branches, list) and len(branches) == 3:
                pending.extend(reversed(branches[1:]))
                continue
        absent = current is None or current == {"Ref": _NO_VALUE}
        found.append(_ABSENT if absent else current)
    return found


def _either(values: Iterable[Openness]) -> Openness:
    """One of several alternatives: known only when they all agree."""
    distinct = set(values)
    return distinct.pop() if len(distinct) == 1 else Openness.UNKNOWN


def _union(values: Iterable[Openness]) -> Openness:
    """All of several values: open when any is."""
    return max(values, default=Openness.CLOSED)
