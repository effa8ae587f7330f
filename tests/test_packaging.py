"""The package builds as a wheel that installs into a fresh virtualenv and works there."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


@pytest.mark.slow
def test_wheel_installs_cleanly_into_a_fresh_virtualenv(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = dist.glob("ecr_constructs-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "ecr_constructs/py.typed" in names
    assert "ecr_constructs/handlers/public_catalog.py" in names
    assert not [name for name in names if name.startswith(("tests/", "examples/", "bench/"))]

    env = tmp_path / "venv"
    venv.create(env, with_pip=True)
    python = env / "bin" / "python"
    constraints = ROOT / "constraints.txt"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "-c", str(constraints), str(wheel)],
        check=True,
        capture_output=True,
    )
    check = (
        "from ecr_constructs import Lifecycle, LifecyclePolicy, Repository;"
        "import aws_cdk as cdk;"
        "stack = cdk.Stack(cdk.App(), 'S');"
        "Repository(stack, 'R', lifecycle=[Lifecycle.keep_last(3)]);"
        "print('ok')"
    )
    result = subprocess.run(
        [str(python), "-c", check], check=True, capture_output=True, text=True, cwd=tmp_path
    )
    assert result.stdout.strip() == "ok"
    assert (env / "bin" / "ecr-constructs").exists()
