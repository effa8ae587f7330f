"""The validator under mutation: every mutated policy is accepted as ECR would accept it or
refused with EcrConstructsError at the mutated field; nothing else escapes.

Mutations of valid policies: nulls, extra keys, wrong types, floats like 1.0, booleans, huge
and negative numbers, duplicate priorities, long lists, unicode, non-object JSON, deep
nesting. Each mutation knows ECR's verdict (PutLifecyclePolicy's schema and rules, see
docs/lifecycle.md "Rules enforced").
"""

from __future__ import annotations

import copy
import json
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ecr_constructs.cli as cli
from ecr_constructs.cli import EXIT_INVALID, EXIT_OK
from ecr_constructs.errors import EcrConstructsError, LifecyclePolicyError
from ecr_constructs.lifecycle import LifecyclePolicy, LifecyclePolicyWarning
from tests.test_lifecycle_differential import policies

ACCEPT = "accept"
Location = tuple[str | int, ...]
Mutation = tuple[Any, str, Location]
"""The mutated document (or its JSON text), the verdict, where a refusal must point."""


def fields(document: dict[str, Any]) -> list[Location]:
    """The path of every field of every rule (lists' entries included)."""
    found: list[Location] = []

    def walk(value: Any, path: Location) -> None:
        if path:
            found.append(path)
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, (*path, key))
        elif isinstance(value, list) and path != ():
            for index, item in enumerate(value):
                walk(item, (*path, index))

    for index, rule in enumerate(document["rules"]):
        walk(rule, ("rules", index))
    return found


def put(document: dict[str, Any], path: Location, value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    target: Any = changed
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return changed


def get(document: Any, path: Location) -> Any:
    for part in path:
        document = document[part]
    return document


NUMBERS = [("rulePriority",), ("selection", "countNumber")]


@st.composite
def mutations(draw: st.DrawFn) -> Mutation:
    document = draw(policies()).to_dict()
    kind = draw(
        st.sampled_from(
            [
                "none",
                "null",
                "extra key",
                "wrong type",
                "float",
                "boolean",
                "huge or negative",
                "duplicate priority",
                "long tag list",
                "many rules",
                "unicode description",
                "unicode tag",
                "not an object",
                "deep nesting",
            ]
        )
    )
    rules = document["rules"]
    rule = draw(st.integers(0, len(rules) - 1))
    if kind == "none":
        return document, ACCEPT, ()
    if kind == "null":  # a null field, or a null entry of a tag list
        path = draw(st.sampled_from(fields(document)))
        return put(document, path, None), "refuse", path
    if kind == "extra key":
        parent: Location = draw(
            st.sampled_from(
                [(), ("rules", rule), ("rules", rule, "selection"), ("rules", rule, "action")]
            )
        )
        key = draw(st.sampled_from(["extra", "RulePriority", "tagStatus ", "ünicode"]))
        return put(document, (*parent, key), 1), "refuse", (*parent, key)
    if kind == "wrong type":
        path = draw(st.sampled_from(fields(document)))
        current = get(document, path)
        wrong: Any = (
            draw(st.sampled_from([[current], {"value": current}, 3]))
            if isinstance(current, str)
            else draw(st.sampled_from([str(current), [current], {"v": 1}]))
        )
        return put(document, path, wrong), "refuse", path
    if kind == "float":
        path = ("rules", rule, *draw(st.sampled_from(NUMBERS)))
        return put(document, path, float(get(document, path))), "refuse", path
    if kind == "boolean":
        path = ("rules", rule, *draw(st.sampled_from(NUMBERS)))
        return put(document, path, draw(st.booleans())), "refuse", path
    if kind == "huge or negative":
        path = ("rules", rule, *draw(st.sampled_from(NUMBERS)))
        value = draw(st.sampled_from([2**31, 10**20, 0, -1, -(2**31)]))
        if draw(st.booleans()):  # as text, past the interpreter's digit limit
            text = json.dumps(put(document, path, 12345)).replace("12345", "9" * 5000, 1)
            return text, "refuse", ()
        return put(document, path, value), "refuse", path
    if kind == "duplicate priority":
        if len(rules) < 2:
            return document, ACCEPT, ()
        other = draw(st.integers(0, len(rules) - 1).filter(lambda i: i != rule))
        priority = rules[other]["rulePriority"]
        return put(document, ("rules", rule, "rulePriority"), priority), "refuse", ("rules",)
    if kind == "long tag list":
        selection = rules[rule]["selection"]
        key = "tagPrefixList" if "tagPrefixList" in selection else "tagPatternList"
        if selection["tagStatus"] != "tagged":
            return document, ACCEPT, ()
        entries = [f"entry{n}-{rule}" for n in range(draw(st.integers(2, 120)))]
        # ECR documents no limit on a list's length; every entry must match (the AND trap).
        return put(document, ("rules", rule, "selection", key), entries), ACCEPT, ()
    if kind == "many rules":
        extra = [
            {
                "rulePriority": 10_000 + n,
                "selection": {
                    "tagStatus": "tagged",
                    "tagPrefixList": [f"many{n}"],
                    "countType": "imageCountMoreThan",
                    "countNumber": 1,
                },
                "action": {"type": "expire"},
            }
            for n in range(51 - len(rules) + draw(st.integers(0, 20)))
        ]
        return {"rules": extra + rules}, "refuse", ()  # ECR takes 50 rules at most
    if kind == "unicode description":
        text = draw(st.text(min_size=1, max_size=60))
        return put(document, ("rules", rule, "description"), text), ACCEPT, ()
    if kind == "unicode tag":
        selection = rules[rule]["selection"]
        if selection["tagStatus"] != "tagged":
            return document, ACCEPT, ()
        key = "tagPrefixList" if "tagPrefixList" in selection else "tagPatternList"
        path = ("rules", rule, "selection", key, 0)
        return (
            put(document, path, draw(st.sampled_from(["prød", "v1 2", "a/b", "✓*"]))),
            "refuse",
            path,
        )
    if kind == "not an object":
        value = draw(st.sampled_from([[document], "rules", 42, None, True, [], 1.5]))
        return json.dumps(value), "refuse", ()
    depth = draw(st.integers(101, 5_000))  # deep nesting, in the text or in a field
    deep = "[" * depth + "]" * depth
    text = json.dumps(put(document, ("rules", rule, "description"), "HERE"))
    return text.replace('"HERE"', deep), "refuse", ()


def validate(given_: Any) -> LifecyclePolicy:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LifecyclePolicyWarning)
        if isinstance(given_, str):
            return LifecyclePolicy.from_json(given_)
        return LifecyclePolicy.from_json(json.dumps(given_))


@settings(max_examples=500, deadline=None)
@given(mutations())
def test_every_mutation_is_accepted_as_ecr_would_or_refused_where_it_is(
    mutation: Mutation,
) -> None:
    document, verdict, path = mutation
    try:
        policy = validate(document)
    except LifecyclePolicyError as error:
        assert verdict != ACCEPT, str(error)
        assert all(problem.path is not None for problem in error.problems)
        assert any(
            problem.path is not None and problem.path[: len(path)] == path
            for problem in error.problems
        ), (path, str(error))
        assert str(error)  # every problem prints
    else:
        assert verdict == ACCEPT, (path, policy.to_json())
        assert validate(policy.to_json()) == policy


@settings(max_examples=200, deadline=None)
@given(mutations())
def test_the_command_exits_0_or_2_on_one_line_per_problem(mutation: Mutation) -> None:
    document, verdict, _ = mutation
    text = document if isinstance(document, str) else json.dumps(document)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "policy.json"
        path.write_text(text, encoding="utf-8")
        code, err = _run_quietly(lambda: cli.main(["lifecycle", "validate", str(path)]))
    assert code == (EXIT_OK if verdict == ACCEPT else EXIT_INVALID)
    if code == EXIT_INVALID:
        assert "Traceback" not in err
        assert all(line.startswith(str(path)) for line in err.splitlines())


def _run_quietly(command: Callable[[], int]) -> tuple[int, str]:
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = command()
    return code, err.getvalue()


KEYS = ["rules", "rulePriority", "selection", "action", "tagStatus", "countType", "type", "x"]
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(KEYS), inner),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(VALUES)
def test_arbitrary_values_are_refused_with_the_library_s_error(value: Any) -> None:
    for document in (value, {"rules": [value]}, {"rules": [{"selection": value}]}):
        with pytest.raises(EcrConstructsError) as caught:
            LifecyclePolicy.from_dict(document)
        assert str(caught.value)
