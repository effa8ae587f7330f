"""Reading registry files: YAML and JSON, lines, anchors, duplicate keys, file problems."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from ecr_constructs.errors import ConfigError
from ecr_constructs.json_input import MAX_DEPTH
from ecr_constructs.standards import (
    load_registry,
    load_registry_config,
    parse_registry,
    parse_registry_config,
)
from ecr_constructs.standards.registry_file.parsing import MAX_ALIAS_VALUES

from .registry_files import problems_of


def test_yaml_syntax_error_is_one_problem_with_line_and_column() -> None:
    (problem,) = problems_of("version: 1\nrepositories: [\n  {name: a\n")
    assert problem.where.startswith("registry.yaml:")
    line, column = problem.where.split(":")[1:3]
    assert (int(line), int(column)) >= (3, 1)
    assert problem.message.startswith("not valid YAML: ")


def test_yaml_duplicate_keys_are_errors_at_the_second_occurrence() -> None:
    text = "version: 1\nrepositories:\n  - name: my-app\n    name: other\n"
    (problem,) = problems_of(text)
    assert str(problem).startswith(
        "registry.yaml:4: repositories[0].name: duplicate key (first at line 3)"
    )


def test_yaml_anchors_and_merge_keys_work_and_explicit_keys_win() -> None:
    text = textwrap.dedent(
        """\
        version: 1
        standards:
          base: &base
            tag_mutability: MUTABLE
            tags: {team: platform}
          derived:
            <<: *base
            tag_mutability: IMMUTABLE
        repositories:
          - {name: my-app, standard: derived}
        """
    )
    (repository,) = parse_registry(text).repositories
    assert repository.settings.tag_mutability == "IMMUTABLE"
    assert dict(repository.settings.tags) == {"team": "platform"}


# -- other inputs --------------------------------------------------------------------------


def test_json_input_loads_and_reports_paths_without_lines(tmp_path: Path) -> None:
    path = tmp_path / "registry.json"
    path.write_text(
        json.dumps({"version": 1, "repositories": [{"name": "my-app", "tags": {"team": "web"}}]})
    )
    (repository,) = load_registry(path).repositories
    assert (repository.name, dict(repository.settings.tags)) == ("my-app", {"team": "web"})
    bad = '{"version": 1, "repositories": [{"name": "my-app", "scan_on_psh": true}]}'
    (problem,) = problems_of(bad, "registry.json")
    assert str(problem) == (
        "registry.json: repositories[0].scan_on_psh: unknown key; did you mean 'scan_on_push'? "
        f"(allowed: {problem.allowed})"
    )


def test_json_duplicate_keys_name_both_lines_and_syntax_errors_the_column() -> None:
    (duplicate,) = problems_of(
        '{"version": 1,\n "repositories": [],\n "version": 1}', "registry.json"
    )
    assert (duplicate.where, duplicate.message) == (
        "registry.json:3: version",
        "duplicate key (first at line 1)",
    )
    (syntax,) = problems_of('{"version": 1,\n "repositories": [}', "registry.json")
    assert syntax.where == "registry.json:2:19"
    assert syntax.message.startswith("is not valid JSON: ")


def test_file_problems_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"missing\.yaml: cannot read: No such file"):
        load_registry_config(tmp_path / "missing.yaml")
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(b"version: 1\nrepositories: [{name: caf\xe9}]\n")
    with pytest.raises(ConfigError) as caught:
        load_registry_config(latin)
    assert str(caught.value) == (
        f"{latin}:2:26: is not UTF-8 text (byte 0xe9 at offset 36) (allowed: YAML text in UTF-8)"
    )
    other = tmp_path / "registry.toml"
    other.write_text("version = 1")
    with pytest.raises(ConfigError, match=r"unsupported file type \(given '.toml'"):
        load_registry_config(other)


def test_models_are_frozen_and_strict() -> None:
    config = parse_registry_config("version: 1\nrepositories: [{name: my-app}]\n")
    with pytest.raises(ValueError, match="frozen"):
        config.repositories[0].name = "other"  # type: ignore[misc]


# -- hostile text: one problem with its line, in bounded time and memory ------------------------


def test_an_alias_bomb_is_refused_where_the_repetition_starts() -> None:
    lines = ["version: 1", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    (problem,) = problems_of("\n".join(lines) + "\n")
    assert str(problem) == (
        f"registry.yaml:6: a4[7]: aliases (*name) repeat more than {MAX_ALIAS_VALUES:,} values "
        f"(allowed: at most {MAX_ALIAS_VALUES:,} values repeated through aliases and merge keys "
        "in one file)"
    )


def test_aliases_within_the_budget_are_expanded() -> None:
    text = "version: 1\nrepositories:\n" + "".join(
        f"  - {{name: r{i}, tags: &t{i} {{team: a}}}}\n"
        if i == 0
        else f"  - {{name: r{i}, tags: *t0}}\n"
        for i in range(50)
    )
    repositories = parse_registry(text).repositories
    assert [dict(r.settings.tags) for r in repositories] == [{"team": "a"}] * 50


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("version: 1\nx: &a {<<: *a}\n", "registry.yaml:2: x: recursive YAML alias"),
        ("version: 1\nx: &a [*a]\n", "registry.yaml:2: x[0]: recursive YAML alias"),
        (
            "version: 1\nx: " + "[" * 101 + "]" * 101 + "\n",
            f"registry.yaml:2: x[0][0][0][0][0]...: nests mappings and lists more than "
            f"{MAX_DEPTH} deep (allowed: at most {MAX_DEPTH})",
        ),
        (
            "version: 1\nx:\n" + "".join(" " * i + "k:\n" for i in range(1, 300)),
            f"registry.yaml:{MAX_DEPTH + 1}: x.k.k.k.k.k...: nests mappings and lists more than "
            f"{MAX_DEPTH} deep (allowed: at most {MAX_DEPTH})",
        ),
        (
            "version: 1\nx: " + "[" * 2000 + "]" * 2000 + "\n",
            "registry.yaml:2:1003: not valid YAML: while increasing flow level exceeded maximum "
            "nesting depth",
        ),
        (
            "version: 1\ndeployment: {max_resources_per_stack: " + "9" * 5000 + "}\n",
            "registry.yaml:2: deployment.max_resources_per_stack: an integer too long to read "
            "(given '5,000 characters'; allowed: at most 4,300 digits)",
        ),
        (
            "version: 1\nrepositories: [{name: a, tags: {built: 2020-13-01}}]\n",
            "registry.yaml:2: repositories[0].tags.built: not a valid "
            "tag:yaml.org,2002:timestamp value: month must be in 1..12",
        ),
    ],
)
def test_hostile_yaml_is_a_problem_with_its_line_not_an_exception(text: str, expected: str) -> None:
    problems = [str(problem) for problem in problems_of(text)]
    assert problems[0] == expected


def test_json_nesting_past_the_limit_is_refused_at_its_position() -> None:
    text = '{"version": 1, "x": ' + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "}"
    (problem,) = problems_of(text, "registry.json")
    assert str(problem) == (
        f"registry.json:1:{20 + MAX_DEPTH}: nests arrays and objects more than {MAX_DEPTH} deep "
        f"(allowed: at most {MAX_DEPTH})"
    )
