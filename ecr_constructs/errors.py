"""One exception family: every error says where, what was given and what is allowed."""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from constructs import Construct

_UNSET: Any = object()
#: Longer values are cut in messages (``Problem.given`` keeps the whole value).
MAX_GIVEN_CHARACTERS = 160

Path = tuple[str | int, ...]
"""A field path inside some input: ``("rules", 0, "selection", "countNumber")``."""

Where = str | Path
"""Where a problem is: a field path, or text (a construct path, a label)."""

_SIMPLE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def format_path(path: Path) -> str:
    """``("repositories", 3, "lifecycle", 1)`` -> ``repositories[3].lifecycle[1]``; ``()``
    -> ``""``."""
    text = ""
    for segment in path:
        if isinstance(segment, int):
            text += f"[{segment}]"
        elif _SIMPLE_KEY.fullmatch(segment):
            text += f".{segment}" if text else segment
        else:
            text += f"[{json.dumps(segment)}]"
    return text


def _shown(value: Any) -> str:
    """``repr(value)``, or a note for a value that can't be shown (an integer past the
    interpreter's digit limit)."""
    try:
        return repr(value)
    except ValueError:
        return "<a value too long to show>"


def child(where: Where, *segments: str | int) -> Where:
    """The location of a part of what is at ``where``: a longer path, or longer text
    (``access`` and ``0, "Principal"``: ``access[0].Principal``)."""
    if isinstance(where, tuple):
        return (*where, *segments)
    text = where
    for segment in segments:
        if isinstance(segment, int):
            text += f"[{segment}]"
        else:
            text += f".{segment}" if text else segment
    return text


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input.

    ``where`` is a construct path (``Stack/MyRepo``) or a field path
    (``registry.yaml:12 repositories[3].lifecycle[1].keep_last.count``).
    """

    where: str
    message: str
    given: Any = _UNSET
    allowed: str | None = None
    path: Path | None = None
    """The field path the problem is at, relative to the input that was checked (``where``
    shows it, and may add a construct path, a file location or a label); None when the
    problem is not about one field."""
    label: str | None = None
    """What is at ``path`` (``keep_last(10)``), shown after it."""
    related: tuple[Path, ...] = ()
    """Other field paths whose values, together with the one at ``path``, break the rule."""

    @classmethod
    def at(
        cls,
        path: Path,
        message: str,
        given: Any = _UNSET,
        allowed: str | None = None,
        *,
        label: str | None = None,
        related: tuple[Path, ...] = (),
    ) -> Problem:
        """A problem at a field path; ``where`` shows the path, then ``label`` (a
        description of the item there, such as ``keep_last(10)``)."""
        where = format_path(path) + (f" {label}" if label else "")
        return cls(where, message, given, allowed, path, label, related)

    @classmethod
    def of(
        cls, where: str | Path, message: str, given: Any = _UNSET, allowed: str | None = None
    ) -> Problem:
        """A problem at ``where``: a field path (``Problem.at``) or a text location."""
        if isinstance(where, tuple):
            return cls.at(where, message, given, allowed)
        return cls(where, message, given, allowed)

    def moved(self, path: Path) -> Problem:
        """The same problem at another field path (``where`` shows the new one)."""
        return Problem.at(
            path, self.message, self.given, self.allowed, label=self.label, related=self.related
        )

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}"
        details = []
        if self.given is not _UNSET:
            value = self.given.value if isinstance(self.given, enum.Enum) else self.given
            given = _shown(value)
            if len(given) > MAX_GIVEN_CHARACTERS:
                given = given[: MAX_GIVEN_CHARACTERS - 3] + "..."
            details.append(f"given {given}")
        if self.allowed:
            details.append(f"allowed: {self.allowed}")
        if details:
            text += " (" + "; ".join(details) + ")"
        return text


class EcrConstructsError(ValueError):
    """Bad input to ecr_constructs. ``problems`` lists every problem found, at least one."""

    def __init__(
        self,
        where: Where,
        message: str,
        *,
        given: Any = _UNSET,
        allowed: str | None = None,
    ) -> None:
        self.problems: tuple[Problem, ...] = (Problem.of(where, message, given, allowed),)
        super().__init__(str(self.problems[0]))

    @classmethod
    def from_problems(cls, problems: Iterable[Problem]) -> EcrConstructsError:
        """One error that reports several problems, one per line."""
        collected = tuple(problems)
        if not collected:
            raise ValueError("from_problems needs at least one problem")
        error = cls.__new__(cls)
        error.problems = collected
        ValueError.__init__(error, "\n".join(str(p) for p in collected))
        return error

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class LifecyclePolicyError(EcrConstructsError):
    """A lifecycle policy, rule or preset that ECR would reject."""


class PolicyDocumentError(EcrConstructsError):
    """A repository or registry policy that ECR would reject or that is unsafe."""


class RepositoryPropsError(EcrConstructsError):
    """Bad properties for a repository construct."""


class RegistryError(EcrConstructsError):
    """Bad input to a registry-wide construct (replication, cache, scanning, templates)."""


class ConfigError(EcrConstructsError):
    """Problems in a registry file; ``problems`` holds all of them, with locations."""


class ComplianceError(EcrConstructsError):
    """Bad input to the compliance check: an unknown rule, an acknowledgement without a reason."""


@contextmanager
def located_at(scope: Construct, construct_id: str | None = None) -> Iterator[None]:
    """Prefix the ``where`` of errors raised inside with a construct path.

    Validation inside names fields (``lifecycle[1]``); the path is computed only when an
    error is raised, so valid input costs no jsii call.
    """
    try:
        yield
    except EcrConstructsError as error:
        path = scope.node.path
        if construct_id is not None:
            path = f"{path}/{construct_id}" if path else construct_id
        located = type(error).from_problems(
            replace(problem, where=f"{path} {problem.where}") for problem in error.problems
        )
        raise located.with_traceback(error.__traceback__) from None
