"""The shard map records each repository's encryption as first synthesized, so that a change
CloudFormation would answer by replacing the repository is caught before deploying."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

import ecr_constructs.cli as cli
from ecr_constructs.standards import ShardMap

KEY = "arn:aws:kms:eu-west-1:123456789012:key/1a2b3c4d"


def _registry(path: Path, encryption: dict[str, str]) -> None:
    path.write_text(
        yaml.safe_dump(
            {
                "version": 1,
                "repositories": [{"name": "payments/api", **encryption}, {"name": "web/app"}],
                "deployment": {"account": "123456789012", "region": "eu-west-1"},
            }
        )
    )


def _synth(
    capsys: pytest.CaptureFixture[str], registry: Path, out: str, *extra: str
) -> tuple[int, str, str]:
    code = cli.main(["synth", str(registry), "-o", str(registry.parent / out), *extra])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_first_synth_records_each_repository_s_encryption(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = tmp_path / "registry.yaml"
    _registry(registry, {"encryption": "AES256"})
    assert _synth(capsys, registry, "out")[0] == cli.EXIT_OK
    written = json.loads((tmp_path / "registry.shards.json").read_text())
    assert written["version"] == 2
    assert written["encryption"] == {"payments/api": None, "web/app": {"EncryptionType": "KMS"}}


def test_a_changed_encryption_warns_and_a_locked_synth_refuses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], recwarn: pytest.WarningsRecorder
) -> None:
    registry = tmp_path / "registry.yaml"
    _registry(registry, {"encryption": "AES256"})
    assert _synth(capsys, registry, "out")[0] == cli.EXIT_OK
    committed = (tmp_path / "registry.shards.json").read_text()

    _registry(registry, {"kms_key_arn": KEY})
    code, _, err = _synth(capsys, registry, "out2")
    assert code == cli.EXIT_OK
    messages = [str(warning.message) for warning in recwarn] + [err]
    expected = (
        f'repository payments/api: encryption changes from AES256 to {{"EncryptionType":"KMS",'
        f'"KmsKey":"{KEY}"}}; CloudFormation replaces a repository whose encryption changes'
    )
    assert any(expected in message for message in messages), messages
    # The record stays as first synthesized, so every later synth warns again.
    assert (tmp_path / "registry.shards.json").read_text() == committed

    code, _, err = _synth(capsys, registry, "out3", "--locked")
    assert code == cli.EXIT_INVALID
    assert expected in err


def test_a_version_1_map_is_read_and_its_records_filled_without_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], recwarn: pytest.WarningsRecorder
) -> None:
    registry = tmp_path / "registry.yaml"
    _registry(registry, {"kms_key_arn": KEY})
    version_1 = {"version": 1, "repositories": {"payments/api": 1, "web/app": 1}}
    (tmp_path / "registry.shards.json").write_text(json.dumps(version_1))

    assert _synth(capsys, registry, "locked", "--locked")[0] == cli.EXIT_OK  # not out of date
    code, out, _ = _synth(capsys, registry, "out")
    assert code == cli.EXIT_OK
    assert "updated (each repository's encryption recorded): commit it" in out
    assert not [w for w in recwarn if "encryption changes" in str(w.message)]
    upgraded = ShardMap.read(tmp_path / "registry.shards.json")
    assert upgraded is not None
    assert upgraded.encryption["payments/api"] == {"EncryptionType": "KMS", "KmsKey": KEY}
