"""Where a problem is in a registry file: field paths, line numbers, issues."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ...errors import _UNSET, ConfigError, Path, Problem, format_path


@dataclass(frozen=True)
class Issue:
    """A problem at a field path, before it is placed in a file."""

    path: Path
    message: str
    given: Any = _UNSET
    allowed: str | None = None
    see: Path | None = None
    """A related place (the first of two duplicates), named in the message."""
    line: int | None = None
    """The line, when the path alone does not tell it (a repeated key)."""


@dataclass
class SourceMap:
    """A file's name and the line of each field path (empty for JSON and Python input)."""

    name: str
    lines: dict[Path, int] = field(default_factory=dict)

    def line_of(self, path: Path) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return None

    def where(self, path: Path, line: int | None = None) -> str:
        """``registry.yaml:12: repositories[3].name`` (no line when unknown)."""
        line = line or self.line_of(path)
        location = self.name if line is None else f"{self.name}:{line}"
        return f"{location}: {format_path(path) or '(top level)'}"

    def problems(self, issues: Iterable[Issue]) -> list[Problem]:
        """Issues as problems, in file order, each reported once."""
        seen: set[tuple[Path, str, int | None]] = set()
        ordered: list[tuple[int, int, Problem]] = []
        for number, issue in enumerate(issues):
            key = (issue.path, issue.message, issue.line)
            if key in seen:
                continue
            seen.add(key)
            message = issue.message
            if issue.see is not None:
                see_line = self.line_of(issue.see)
                at = "" if see_line is None else f", line {see_line}"
                message += f" (first at {format_path(issue.see)}{at})"
            line = issue.line or self.line_of(issue.path)
            problem = Problem(
                self.where(issue.path, line), message, issue.given, issue.allowed, issue.path
            )
            ordered.append((line or 0, number, problem))
        ordered.sort(key=lambda item: (item[0], item[1]))
        return [problem for _, _, problem in ordered]

    def error(self, issues: Iterable[Issue]) -> ConfigError:
        return ConfigError.from_problems(self.problems(issues))  # type: ignore[return-value]


def nearest(word: str, choices: Iterable[str]) -> str | None:
    """The valid choice closest to a misspelt ``word``, if one is close enough."""
    import difflib

    listed = list(choices)
    matches = difflib.get_close_matches(word, listed, n=1, cutoff=0.6)
    if matches:
        return matches[0]
    longer = [choice for choice in listed if len(word) >= 3 and choice.startswith(word)]
    return longer[0] if len(longer) == 1 else None


def unknown_name_message(kind: str, word: str, choices: Iterable[str]) -> str:
    """``unknown key; did you mean 'scan_on_push'?``."""
    suggestion = nearest(word, choices)
    return f"unknown {kind}; did you mean {suggestion!r}?" if suggestion else f"unknown {kind}"


def is_under(path: Path | None, prefix: Path) -> bool:
    return path is not None and path[: len(prefix)] == prefix


def describe_choices(choices: Iterable[str]) -> str:
    listed = sorted(choices)
    return ", ".join(listed) if listed else "none defined"
