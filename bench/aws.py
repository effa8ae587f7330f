"""What the benchmarks of live reads share: moto's server in a process of its own, sessions
whose calls are counted (and answered, without a round trip, where moto lacks the
operation), a delay standing for the network, and the median of runs."""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse

from ecr_constructs.live.limits import DEFAULT_WORKERS

Answers = Mapping[tuple[str, str], Mapping[str, Any]]
"""(service, operation) -> the response given instead of moto's."""


class Counter:
    """Counts the calls a session sends; answers those of ``answers``."""

    def __init__(self, answers: Answers) -> None:
        self.calls = 0
        self.answers = answers

    def __call__(self, model: Any, **_: Any) -> Any:
        self.calls += 1
        answer = self.answers.get((model.service_model.service_name, model.name))
        return None if answer is None else (AWSResponse(None, 200, {}, None), dict(answer))


def counted_session(
    region: str, answers: Answers, *, latency: float = 0.0
) -> tuple[boto3.Session, Counter]:
    """A session in ``region`` whose calls are counted, ``latency`` seconds slept before each
    request leaves (default: none), as a round trip to AWS would take."""
    session = boto3.session.Session(region_name=region)
    counter = Counter(answers)
    session.events.register("before-call", counter)
    if latency:
        session.events.register("before-send", lambda **_: time.sleep(latency))
    return session, counter


def timed(read: Callable[[], tuple[Any, int]], repeat: int) -> tuple[float, Any, int]:
    """The median seconds of ``repeat`` runs of ``read``, and what the last one returned
    (its result and its count of calls)."""
    times, result, calls = [], None, 0
    for _ in range(repeat):
        started = time.perf_counter()
        result, calls = read()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result, calls


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def moto_server() -> tuple[subprocess.Popen[bytes], str]:
    """moto's server (the ``moto_server`` beside this Python) on 127.0.0.1, and its URL."""
    port = free_port()
    server = Path(sys.executable).with_name("moto_server")
    process = subprocess.Popen(
        [str(server), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        wait_for(endpoint)
    except RuntimeError:
        process.kill()
        raise
    return process, endpoint


def wait_for(endpoint: str, seconds: float = 30) -> None:
    """Returns once moto's server at ``endpoint`` answers; RuntimeError after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"moto's server at {endpoint} did not answer within {seconds:g} s")


def use_endpoint(endpoint: str, region: str) -> None:
    """Every boto3 session made from now on reaches ``endpoint`` in ``region``, with
    throwaway credentials and no profile."""
    os.environ.update(
        AWS_ENDPOINT_URL=endpoint,
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_REGION=region,
    )
    os.environ.pop("AWS_PROFILE", None)


def add_reader_options(parser: argparse.ArgumentParser) -> None:
    """``--repeat`` (runs per reader, default 3), ``--workers`` (the library's threads,
    default the library's) and ``--latency`` (milliseconds added per request, default 0)."""
    parser.add_argument("--repeat", type=int, default=3, help="runs per reader (default: 3)")
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS)
    parser.add_argument("--latency", type=float, default=0.0, help="ms added per request")
