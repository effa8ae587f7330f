"""The local CloudFormation engine of the deploy tests: ministack (PyPI, pure Python), run
from its own virtualenv (``make .venv-ministack/.installed``; its botocore pin clashes with
ours) on 127.0.0.1 and a free port, and stopped with everything it holds.

The account is the 12-digit access key boto3 signs with, the region the one it asks for.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

ACCOUNT = "123456789012"
REGION = "eu-west-1"
VENV = Path(__file__).parent.parent.parent / ".venv-ministack"
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
# The engine exits when the test process does, even when that was killed outright.
LAUNCHER = """
import os, sys, threading, time
parent = os.getppid()
def follow_parent():
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)
threading.Thread(target=follow_parent, daemon=True).start()
sys.argv = ["ministack"]
from ministack.app import main
main()
"""


@dataclass(frozen=True)
class Engine:
    """A running engine: its endpoint, and boto3 clients that reach it."""

    endpoint: str

    def client(self, service: str, region: str = REGION) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=region,
            aws_access_key_id=ACCOUNT,
            aws_secret_access_key="local",
        )

    def environment(self) -> dict[str, str]:
        """Variables that point the AWS CLIs and SDKs (the CDK CLI too) at the engine."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": ACCOUNT,
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
        }


def engine_python() -> Path:
    python = Path(os.environ.get("MINISTACK_PYTHON") or VENV / "bin" / "python")
    if not python.exists():
        raise RuntimeError(
            f"ministack is not installed ({python} is missing): run the deploy tests with "
            "`make test-deploy` (or `make test`), which installs it, or set MINISTACK_PYTHON"
        )
    return python


@contextmanager
def running_engine() -> Iterator[Engine]:
    """Start the engine, wait until it answers, and stop it on the way out (on failure and
    Ctrl-C too). Its pid file and log live in a temporary folder, removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="ministack-"))
    log = (folder / "engine.log").open("wb")
    process: subprocess.Popen[bytes] | None = None
    try:
        port = _free_port()
        process = subprocess.Popen(
            [str(engine_python()), "-c", LAUNCHER],
            env=_engine_environment(port, folder),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        endpoint = f"http://127.0.0.1:{port}"
        _wait_until_ready(process, endpoint, folder / "engine.log")
        yield Engine(endpoint)
    finally:
        if process is not None:
            _stop(process)
        log.close()
        shutil.rmtree(folder, ignore_errors=True)


def _engine_environment(port: int, folder: Path) -> dict[str, str]:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MINISTACK"))}
    return {
        **inherited,
        "BIND_HOST": "127.0.0.1",
        "GATEWAY_PORT": str(port),
        "TMPDIR": str(folder),  # its pid file
        "LOG_LEVEL": "WARNING",
        "IOT_MTLS_ENABLED": "0",  # would listen on port 8883
        "SFTP_ENABLED": "0",
        "PERSIST_STATE": "0",
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_ready(process: subprocess.Popen[bytes], endpoint: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"ministack exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{endpoint}/_ministack/ready", timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"ministack did not answer within {START_TIMEOUT} s:\n{log.read_text()}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
