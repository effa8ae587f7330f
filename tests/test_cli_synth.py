"""`ecr-constructs synth FILE`: the cloud assembly, the summary, the shard map, and a fleet of
a thousand repositories that grows without moving anything."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

import ecr_constructs.cli as cli
from ecr_constructs.standards import ShardMap
from ecr_constructs.standards.fleet.placement import logical_id

from .gates import assembly_stacks, assert_cfn_lint_clean
from .registry_files import small_registry

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
ACCOUNT = "123456789012"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def placement(stacks: dict[str, dict[str, Any]]) -> dict[str, tuple[str, str]]:
    """Repository name -> (stack, logical ID), read from the templates."""
    found = {}
    for name, stack in stacks.items():
        for logical, resource in stack["template"]["Resources"].items():
            if resource["Type"] == "AWS::ECR::Repository":
                found[resource["Properties"]["RepositoryName"]] = (name, logical)
    return found


def test_the_example_synthesizes_to_a_deployable_assembly(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for name in ("registry.yaml", "registry.shards.json"):
        shutil.copy(EXAMPLES / name, tmp_path / name)
    registry, out = tmp_path / "registry.yaml", tmp_path / "cdk.out"
    committed = (tmp_path / "registry.shards.json").read_text()

    code, stdout, stderr = run(capsys, "synth", str(registry), "-o", str(out))

    assert code == cli.EXIT_OK, stderr
    lines = stdout.splitlines()
    assert lines[0].startswith(
        f"{registry}: 15 repositories, 1 public repository in 1 stack -> {out} ("
    )
    assert (
        lines[1]
        == "  acme-ecr-registry  15 repositories, 1 public, 28/400 resources, 69 KB template"
    )
    assert lines[2] == f"shard map {tmp_path / 'registry.shards.json'}: unchanged"
    assert f"{registry}: building 16 repositories" in stderr
    assert "  acme-ecr-registry: 15 repositories, 1 public, 28 resources" in stderr
    assert f"synthesizing 1 stack to {out}" in stderr
    stacks = assembly_stacks(out)
    assert list(stacks) == ["acme-ecr-registry"]
    assert stacks["acme-ecr-registry"]["environment"] == f"aws://{ACCOUNT}/us-east-1"
    assert (tmp_path / "registry.shards.json").read_text() == committed
    assert_cfn_lint_clean(stacks["acme-ecr-registry"]["template"], "us-east-1")


def test_an_invalid_file_exits_2_listing_its_problems_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    registry = tmp_path / "registry.yaml"
    registry.write_text("version: 1\nrepositories:\n  - name: Bad\n  - name: ok\n    typo: 1\n")
    code, stdout, stderr = run(capsys, "synth", str(registry), "-o", str(tmp_path / "out"))
    assert code == cli.EXIT_INVALID == 2
    assert stdout == ""
    assert f"{registry}:3: repositories[0].name: repository name is not valid" in stderr
    assert f"{registry}:5: repositories[1].typo: unknown key" in stderr
    assert stderr.rstrip().endswith(f"{registry}: 2 problems")
    assert not (tmp_path / "out").exists()
    assert not (tmp_path / "registry.shards.json").exists()


def test_locked_without_a_shard_map_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    registry = tmp_path / "registry.yaml"
    shutil.copy(EXAMPLES / "registry.yaml", registry)
    code, _, stderr = run(capsys, "synth", str(registry), "-o", str(tmp_path / "out"), "--locked")
    assert code == cli.EXIT_INVALID
    assert f"{tmp_path / 'registry.shards.json'}: the shard map is missing" in stderr
    assert not (tmp_path / "registry.shards.json").exists()


def test_a_stack_left_empty_is_reported_and_its_place_reused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    registry, out = tmp_path / "registry.yaml", tmp_path / "out"
    registry.write_text(small_registry(["aa", "bb", "cc", "dd"]))
    assert run(capsys, "synth", str(registry), "-o", str(out))[0] == cli.EXIT_OK
    written = ShardMap.read(tmp_path / "registry.shards.json")
    assert written is not None
    assert written.repositories == {"aa": 1, "bb": 1, "cc": 2, "dd": 2}

    registry.write_text(small_registry(["aa", "bb"]))
    code, stdout, stderr = run(capsys, "synth", str(registry), "-o", str(tmp_path / "out2"))
    assert code == cli.EXIT_OK
    assert "shard map" in stdout and "updated (0 added, 2 removed): commit it" in stdout
    assert "note: stack small-2 holds nothing any more and is not synthesized" in stderr
    assert "aws cloudformation delete-stack --stack-name small-2" in stderr
    assert list(assembly_stacks(tmp_path / "out2")) == ["small"]

    registry.write_text(small_registry(["aa", "bb", "zz"]))
    assert run(capsys, "synth", str(registry), "-o", str(tmp_path / "out3"))[0] == cli.EXIT_OK
    stacks = assembly_stacks(tmp_path / "out3")
    assert placement(stacks)["zz"] == ("small-2", logical_id("zz"))
    for stack in stacks.values():
        assert_cfn_lint_clean(stack["template"], "eu-west-1")


def large_registry(names: list[str]) -> str:
    """A fully configured fleet: standards with lifecycle presets, access, immutability."""
    return yaml.safe_dump(
        {
            "version": 1,
            "standards": {
                "service": {
                    "tag_mutability": "IMMUTABLE",
                    "scan_on_push": True,
                    "lifecycle": [
                        {"protect_tags": {"prefixes": ["prod", "release"]}},
                        {"expire_untagged": {"after_days": 1}},
                        {"expire_tagged": {"prefixes": ["dev", "pr"], "after_days": 14}},
                        {"keep_last": {"count": 50}},
                    ],
                    "access": {
                        "pull_accounts": ["987654321098"],
                        "push_principals": ["arn:aws:iam::123456789012:role/ci"],
                    },
                    "tags": {"cost-center": "platform"},
                }
            },
            "defaults": {"standard": "service"},
            "repositories": [
                {"name": name, "tags": {"team": name.split("/")[0]}} for name in names
            ],
            "deployment": {"stack_name": "big", "account": ACCOUNT, "region": "eu-west-1"},
        },
        sort_keys=False,
    )


@pytest.mark.slow
def test_a_thousand_repositories_shard_and_ten_more_move_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    names = [f"team-{i % 25:02d}/service-{i:04d}" for i in range(1000)]
    registry = tmp_path / "registry.yaml"
    registry.write_text(large_registry(names))

    code, stdout, stderr = run(capsys, "synth", str(registry), "-o", str(tmp_path / "one"))
    assert code == cli.EXIT_OK, stderr
    first = assembly_stacks(tmp_path / "one")
    # About 3.2 KB of template each: the template size, not the 400 resources, fills a stack.
    assert list(first) == ["big", "big-2", "big-3", "big-4", "big-5"]
    assert [len(stack["template"]["Resources"]) for stack in first.values()] == [
        243,
        243,
        243,
        243,
        28,
    ]
    for name in first:
        size = (tmp_path / "one" / f"{name}.template.json").stat().st_size
        assert 28 * 3000 < size < 800_000
    assert "  big-5  28 repositories, 29/400 resources, " in stdout
    # cfn-lint takes ~15 s per full stack here: big-5 in full; of the others, everything
    # but the repositories after the first 20 (each rendered by the same code).
    assert_cfn_lint_clean(first["big-5"]["template"], "eu-west-1")
    for name in ("big", "big-2", "big-3", "big-4"):
        template = first[name]["template"]
        resources = dict(list(template["Resources"].items())[:20])
        assert_cfn_lint_clean({**template, "Resources": resources}, "eu-west-1")
    before = placement(first)
    assert len(before) == 1000

    # Ten new names that sort first: without the shard map they would shift every stack.
    added = [f"aaa/new-{i}" for i in range(10)]
    registry.write_text(large_registry(added + names))
    code, stdout, stderr = run(capsys, "synth", str(registry), "-o", str(tmp_path / "two"))
    assert code == cli.EXIT_OK, stderr
    after = placement(assembly_stacks(tmp_path / "two"))
    assert {name: after[name] for name in names} == before
    assert {after[name][0] for name in added} == {"big-5"}
    assert "updated (10 added, 0 removed): commit it" in stdout
    shard_map = ShardMap.read(tmp_path / "registry.shards.json")
    assert shard_map is not None
    assert shard_map.repositories["aaa/new-0"] == 5


def test_a_template_too_large_for_cloudformation_exits_2_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ecr_constructs.standards.fleet import assembly_agreement

    monkeypatch.setattr(assembly_agreement, "MAX_TEMPLATE_BYTES", 2000)
    registry = tmp_path / "registry.yaml"
    registry.write_text(small_registry(["aa", "bb", "cc"]))
    code, stdout, stderr = run(capsys, "synth", str(registry), "-o", str(tmp_path / "out"))
    assert code == cli.EXIT_INVALID
    assert stdout == ""
    assert "stack small: its template is larger than CloudFormation accepts (given '" in stderr
    assert "allowed: at most 2,000 bytes: shorter lifecycle or repository policies" in stderr
    assert "small-2" not in stderr.split("synthesizing")[-1]
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "registry.shards.json.lock",
        "registry.yaml",
    ]
