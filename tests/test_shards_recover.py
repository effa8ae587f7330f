"""`ecr-constructs shards recover FILE`: a lost shard map rebuilt from the deployed stacks
(moto's CloudFormation), read-only, so that a lost map never forces a move."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

import ecr_constructs.cli as cli
from ecr_constructs.cloud_assembly import read_template, stack_artifacts
from ecr_constructs.errors import ConfigError
from ecr_constructs.live.stacks import READ_OPERATIONS, DeployedRepository
from ecr_constructs.standards import ShardMap, parse_registry
from ecr_constructs.standards.fleet.placement import place
from ecr_constructs.standards.fleet.recovery import recover_shard_map

from .registry_files import ACCOUNT, small_registry

REGION = "eu-west-1"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """moto's AWS; yields the API operations called."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    calls: list[str] = []
    client = boto3.session.Session.client

    def recording(self: Any, *args: Any, **kwargs: Any) -> Any:
        made = client(self, *args, **kwargs)
        made.meta.events.register("before-call", lambda model, **_: calls.append(model.name))
        return made

    monkeypatch.setattr(boto3.session.Session, "client", recording)
    with mock_aws():
        yield calls


def deploy(name: str, resources: dict[str, Any]) -> None:
    boto3.client("cloudformation", region_name=REGION).create_stack(
        StackName=name, TemplateBody=json.dumps({"Resources": resources})
    )


def deploy_assembly(directory: Path) -> None:
    """Each stack of a synthesized assembly, as CloudFormation would hold it."""
    for artifact in stack_artifacts(directory):
        deploy(artifact.display_name, dict(read_template(artifact.template_file)["Resources"]))


@pytest.mark.slow
def test_a_lost_map_is_recovered_from_the_stacks_and_the_next_synth_moves_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], aws: list[str]
) -> None:
    registry, map_file = tmp_path / "registry.yaml", tmp_path / "registry.shards.json"
    registry.write_text(small_registry(["aa", "bb", "cc", "dd", "ee"]))
    assert run(capsys, "synth", str(registry), "-o", str(tmp_path / "out"))[0] == 0
    deploy_assembly(tmp_path / "out")
    stray = {"Type": "AWS::ECR::Repository", "Properties": {"RepositoryName": "ab"}}
    deploy("small-extra", {"Stray": stray})  # not a stack of the fleet: its "ab" is ignored
    committed = map_file.read_text()
    map_file.unlink()  # lost
    # A repository added since: placed from scratch, "ab" would push bb, cc and dd along.
    names = ["aa", "ab", "bb", "cc", "dd", "ee"]
    from_scratch = place(names, max_resources_per_stack=3).shard_map.repositories
    assert from_scratch["bb"] != ShardMap.parse(committed).repositories["bb"]
    registry.write_text(small_registry(names))
    aws.clear()  # the calls of the test's own deploys

    code, stdout, stderr = run(capsys, "shards", "recover", str(registry))
    assert code == cli.EXIT_OK, stderr
    assert stdout == (
        f"shard map {map_file}: recovered 5 repositories in 3 stacks from account {ACCOUNT}, "
        f"region {REGION}: review it and commit it\n"
    )
    assert stderr.splitlines()[-1] == (
        "warning: 1 repository not deployed yet (the next synth places them as new): ab"
    )
    # The placement as committed (encryption records are filled by the next synth).
    assert ShardMap.parse(map_file.read_text()).same_placement(ShardMap.parse(committed))
    assert set(aws) <= READ_OPERATIONS
    assert {"ListStacks", "ListStackResources", "GetCallerIdentity"} <= set(aws)

    code, stdout, _ = run(capsys, "synth", str(registry), "-o", str(tmp_path / "again"))
    assert code == cli.EXIT_OK
    assert "updated (1 added, 0 removed)" in stdout
    recovered = ShardMap.read(map_file)
    assert recovered is not None
    assert {k: v for k, v in recovered.repositories.items() if k != "ab"} == (
        ShardMap.parse(committed).repositories
    )


def test_recover_never_replaces_a_map_and_reads_only_the_right_account(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], aws: list[str]
) -> None:
    registry, map_file = tmp_path / "registry.yaml", tmp_path / "registry.shards.json"
    registry.write_text(small_registry(["aa"]))
    map_file.write_text(ShardMap(repositories={"aa": 1}).to_json())
    before = map_file.read_bytes()
    code, _, stderr = run(capsys, "shards", "recover", str(registry))
    assert code == cli.EXIT_INVALID
    assert stderr == (
        f"{map_file}: a shard map is there already: recover writes only a missing map "
        "(allowed: move it aside, recover, then compare the two)\n"
    )
    assert map_file.read_bytes() == before
    assert aws == []  # refused before any call

    map_file.unlink()
    registry.write_text(small_registry(["aa"], account="210987654321"))
    code, _, stderr = run(capsys, "shards", "recover", str(registry))
    assert code == cli.EXIT_FAILURE
    assert stderr == (
        f"error: the credentials are for account {ACCOUNT}, and {registry} deploys to "
        "210987654321 (deployment.account): use credentials for it\n"
    )
    registry.write_text(small_registry(["aa"]))
    code, _, stderr = run(capsys, "shards", "recover", str(registry))
    assert code == cli.EXIT_FAILURE
    assert "nothing to recover (without a map, the next synth places every repository)" in stderr
    assert not map_file.exists()


def test_stacks_that_contradict_each_other_or_the_fleet_are_reported() -> None:
    loaded = parse_registry(small_registry(["aa", "bb"]))
    foreign = recover_shard_map(
        loaded,
        [
            DeployedRepository("repositories", "aa", 2, "Custom"),
            DeployedRepository("repositories", "gone", 1, "RepositoryGone1"),
        ],
        "small",
    )
    assert foreign.shard_map == ShardMap(repositories={"aa": 2})
    assert foreign.foreign_logical_ids == ("aa (small-2: Custom)",)
    assert foreign.not_in_file == ("gone",)
    assert foreign.not_deployed == ("bb",)
    with pytest.raises(ConfigError) as caught:
        recover_shard_map(
            loaded,
            [
                DeployedRepository("repositories", "aa", 1, "A"),
                DeployedRepository("repositories", "aa", 3, "A"),
            ],
            "small",
        )
    assert str(caught.value) == (
        "repository aa: is in two deployed stacks: small and small-3 (allowed: each repository "
        "in one stack: remove it from one of them first)"
    )
