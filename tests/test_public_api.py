"""The public surface: every exported name resolves; the document layer stays CDK-free."""

from __future__ import annotations

import subprocess
import sys

import ecr_constructs


def test_every_exported_name_resolves() -> None:
    missing = [name for name in ecr_constructs.__all__ if getattr(ecr_constructs, name) is None]
    assert missing == []
    assert sorted(set(ecr_constructs.__all__)) == sorted(ecr_constructs.__all__)


def test_documents_and_loader_do_not_start_jsii() -> None:
    code = (
        "import sys, ecr_constructs;"
        "from ecr_constructs import Lifecycle, RepositoryAccess, load_registry_config;"
        "Lifecycle.compose([Lifecycle.keep_last(3)]);"
        "print('aws_cdk' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_long_values_are_cut_in_messages_but_kept_whole() -> None:
    from ecr_constructs import EcrConstructsError

    value = "x" * 1000
    error = EcrConstructsError("field", "too long", given=value, allowed="short")
    assert len(str(error)) < 250
    assert str(error).endswith("...; allowed: short)")
    assert error.problems[0].given == value


def test_a_fleet_of_python_objects_does_not_load_the_registry_files_models() -> None:
    code = (
        "import sys; from ecr_constructs.standards import RepositoryFleet;"
        "print(sorted(m for m in sys.modules if m == 'pydantic' or '.registry_file' in m))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
