"""`ecr-constructs validate FILE` and `ecr-constructs schema`."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

import ecr_constructs.cli as cli
from ecr_constructs.standards.registry_file.schema import registry_json_schema

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "registry.yaml"
TOP_LEVEL_KEYS = {
    "version",
    "standards",
    "defaults",
    "repositories",
    "public_repositories",
    "registry",
    "deployment",
}


@pytest.fixture(autouse=True)
def registry_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("ecr_constructs.cli.registry",))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_validate_a_valid_file_exits_0_with_a_one_line_summary(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, "validate", str(EXAMPLE))
    assert code == cli.EXIT_OK == 0
    assert err == ""
    assert out.count("\n") == 1
    assert out == (
        f"{EXAMPLE}: valid: 15 repositories, 1 public repository, 3 standards, ENHANCED "
        "scanning, 2 replication rules, 4 pull-through cache rules, 2 creation templates, "
        "stack acme-ecr-registry in 123456789012/us-east-1\n"
    )


def test_validate_an_invalid_file_exits_2_listing_every_problem(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "registry.yaml"
    path.write_text(
        textwrap.dedent(
            """\
            version: 1
            repositories:
              - name: my-app
                scan_on_psh: true
              - name: my-app
            deployment:
              max_resources_per_stack: 900
            """
        )
    )
    code, out, err = run(capsys, "validate", str(path))
    assert code == cli.EXIT_INVALID == 2
    assert out == ""
    assert "Traceback" not in err
    assert err.splitlines() == [
        f"{path}:4: repositories[0].scan_on_psh: unknown key; did you mean 'scan_on_push'? "
        "(allowed: access, empty_on_delete, encryption, exemptions, kms_key_arn, lifecycle, name, "
        "removal_policy, scan_on_push, standard, tag_mutability, tag_mutability_exclusions, "
        "tags)",
        f"{path}:5: repositories[1].name: duplicate repository name (first at "
        "repositories[0], line 3) (given 'my-app'; allowed: each name once)",
        f"{path}:7: deployment.max_resources_per_stack: out of range (given 900; allowed: <= 500)",
        f"{path}: 3 problems",
    ]


def test_validate_a_missing_file_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere.yaml"
    code, out, err = run(capsys, "validate", str(missing))
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"{missing}: cannot read: No such file or directory",
        f"{missing}: 1 problem",
    ]


def test_validate_a_yaml_syntax_error_exits_2_with_line_and_column(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "registry.yml"
    path.write_text("version: 1\nrepositories:\n  - name: [a\n")
    code, _, err = run(capsys, "validate", str(path))
    assert code == 2
    first = err.splitlines()[0]
    assert first.startswith(f"{path}:4:1: not valid YAML: ")
    assert "Traceback" not in err


def test_validate_prints_warnings_of_a_valid_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "registry.yaml"
    path.write_text(
        textwrap.dedent(
            """\
            version: 1
            repositories:
              - name: my-app
                lifecycle:
                  - raw:
                      selection: {tagStatus: tagged, tagPrefixList: [a, b],
                                  countType: imageCountMoreThan, countNumber: 5}
                      action: {type: expire}
            """
        )
    )
    code, out, err = run(capsys, "validate", str(path))
    assert code == 0
    assert out.startswith(f"{path}: valid: 1 repository, ")
    (warning,) = err.splitlines()
    assert warning.startswith(
        f"warning: {path}:6: repositories[0].lifecycle[0].raw.selection.tagPrefixList: "
        "has 2 entries"
    )


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return registry_json_schema()


def test_schema_command_prints_the_json_schema(
    capsys: pytest.CaptureFixture[str], schema: dict[str, Any]
) -> None:
    code, out, err = run(capsys, "schema")
    assert (code, err) == (0, "")
    document = json.loads(out)
    assert document == schema
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert set(document["properties"]) == TOP_LEVEL_KEYS
    assert document["required"] == ["version"]
    assert document["additionalProperties"] is False


def test_schema_describes_every_key(schema: dict[str, Any]) -> None:
    definitions = schema["$defs"]
    assert isinstance(definitions, dict)
    undescribed = [
        f"{name}.{key}"
        for name, definition in definitions.items()
        for key, prop in definition.get("properties", {}).items()
        if not prop.get("description")
    ]
    assert undescribed == []
    keep_last = definitions["LifecycleItemConfig"]["properties"]["keep_last"]
    assert keep_last["required"] == ["count"]
    assert set(keep_last["properties"]) == {"count", "prefixes", "patterns"}


def test_the_example_file_is_valid_against_the_schema(schema: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator.check_schema(schema)
    example = yaml.safe_load(EXAMPLE.read_text())
    jsonschema.Draft202012Validator(schema).validate(example)


@pytest.mark.parametrize(
    "mistake",
    [
        {"repositories": [{"name": "my-app", "scan_on_psh": True}]},
        {"repositories": [{"name": "My_App"}]},
        {"repositories": [{"name": "my-app", "lifecycle": [{"keep_last": {"cont": 1}}]}]},
        {"repositories": [{"name": "my-app", "lifecycle": [{}]}]},
        {"standards": {"base": {"scan_on_push": None}}},
        {"deployment": {"max_resources_per_stack": 501}},
        {"registry": {"pull_through_cache": [{"prefix": "x", "upstream": "quay"}]}},
    ],
)
def test_the_schema_lets_editors_flag_mistakes(
    schema: dict[str, Any], mistake: dict[str, object]
) -> None:
    validator = jsonschema.Draft202012Validator(schema)
    assert list(validator.iter_errors({"version": 1, **mistake}))
