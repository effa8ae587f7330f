"""Where the lifecycle layer's problems are: field paths, shown as text in one place.

Every :class:`~ecr_constructs.errors.Problem` of the layer carries ``path``, the field path
inside the input it checked; a caller's ``where`` (``"lifecycle"``, ``"rule"``, a preset's
name) is the path's first segment. ``Problem.where`` shows that first segment as given and
the rest as a field path: ``rules[0].selection.countNumber``, ``lifecycle[1] keep_last(5)``,
``repositories[3].lifecycle_policy.rules[0].rulePriority``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..errors import Path, Problem, Where, format_path


def base(where: Where) -> Path:
    """The path prefix of ``where``: ``"lifecycle"`` -> ``("lifecycle",)``, ``""`` -> ``()``."""
    if isinstance(where, str):
        return (where,) if where else ()
    return tuple(where)


def shown(path: Path, label: str | None = None) -> str:
    """``path`` as text, its first segment as given, then ``label`` after a space."""
    if path and isinstance(path[0], str):
        rest = format_path(path[1:]) if len(path) > 1 else ""
        text = path[0] + ("." + rest if rest and not rest.startswith("[") else rest)
    else:
        text = format_path(path)
    return f"{text} {label}" if label else text


def located(
    path: Path, message: str, *details: Any, label: str | None = None, **fields: Any
) -> Problem:
    """A problem at ``path``; ``details`` and ``fields`` are the rest of
    :class:`~ecr_constructs.errors.Problem`'s (``given``, ``allowed``)."""
    return at_path(Problem(shown(path, label), message, *details, **fields), path)


def at_path(problem: Problem, path: Path) -> Problem:
    """``problem`` at ``path``."""
    return replace(problem, path=path)
