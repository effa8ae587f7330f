"""Helpers for the registry file tests: problems of a text, marked lines."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from ecr_constructs.errors import ConfigError, Problem
from ecr_constructs.standards import parse_registry

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "registry.yaml"
MARK = "# <"


def problems_of(text: str, source_name: str = "registry.yaml") -> tuple[Problem, ...]:
    with pytest.raises(ConfigError) as caught:
        parse_registry(text, source_name)
    return caught.value.problems


def marked(text: str) -> tuple[str, int]:
    """The YAML text and the line number of the line marked ``# <``."""
    text = textwrap.dedent(text).lstrip("\n")
    lines = [number for number, line in enumerate(text.splitlines(), 1) if MARK in line]
    assert len(lines) == 1, "mark exactly one line"
    return text, lines[0]


def one_line(items: list[str]) -> str:
    return "[" + ", ".join(items) + "]"
