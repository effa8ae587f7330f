"""Helpers for the registry file tests: problems of a text, marked lines."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from ecr_constructs.errors import ConfigError, Problem
from ecr_constructs.standards import parse_registry

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "registry.yaml"
MARK = "# <"
ACCOUNT = "123456789012"


def small_registry(names: list[str], *, account: str = ACCOUNT) -> str:
    """A registry file of ``names`` with two repositories per stack (3 resources with the CDK
    metadata), stacks ``small``, ``small-2``..., in ``account`` and eu-west-1."""
    return yaml.safe_dump(
        {
            "version": 1,
            "repositories": [{"name": name} for name in names],
            "deployment": {
                "stack_name": "small",
                "max_resources_per_stack": 3,
                "account": account,
                "region": "eu-west-1",
            },
        }
    )


def problems_of(text: str, source_name: str = "registry.yaml") -> tuple[Problem, ...]:
    with pytest.raises(ConfigError) as caught:
        parse_registry(text, source_name)
    return caught.value.problems


def assert_problems_at_mark(text: str, path: str, fragment: str) -> None:
    """Every problem of ``text`` is at its line marked ``# <`` and field ``path``; one of
    them says ``fragment``."""
    source, line = marked(text)
    found = problems_of(source)
    where = f"registry.yaml:{line}: {path}"
    assert [p.where for p in found] == [where] * len(found), [str(p) for p in found]
    assert any(fragment in str(p) for p in found), [str(p) for p in found]


def marked(text: str) -> tuple[str, int]:
    """The YAML text and the line number of the line marked ``# <``."""
    text = textwrap.dedent(text).lstrip("\n")
    lines = [number for number, line in enumerate(text.splitlines(), 1) if MARK in line]
    assert len(lines) == 1, "mark exactly one line"
    return text, lines[0]


def one_line(items: list[str]) -> str:
    return "[" + ", ".join(items) + "]"
