"""Reading registry files: YAML and JSON, lines, anchors, duplicate keys, file problems."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from ecr_constructs.errors import ConfigError
from ecr_constructs.standards import (
    load_registry,
    load_registry_config,
    parse_registry,
    parse_registry_config,
)

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


def test_json_duplicate_keys_and_syntax_errors() -> None:
    (duplicate,) = problems_of('{"version": 1, "version": 1}', "registry.json")
    assert (duplicate.where, duplicate.message) == ("registry.json: version", "duplicate key")
    (syntax,) = problems_of('{"version": 1,\n "repositories": [}', "registry.json")
    assert syntax.where == "registry.json:2:19"
    assert syntax.message.startswith("not valid JSON: ")


def test_file_problems_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_registry_config(tmp_path / "missing.yaml")
    other = tmp_path / "registry.toml"
    other.write_text("version = 1")
    with pytest.raises(ConfigError, match=r"unsupported file type \(given '.toml'"):
        load_registry_config(other)


def test_models_are_frozen_and_strict() -> None:
    config = parse_registry_config("version: 1\nrepositories: [{name: my-app}]\n")
    with pytest.raises(ValueError, match="frozen"):
        config.repositories[0].name = "other"  # type: ignore[misc]
