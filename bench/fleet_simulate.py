"""Benchmark: ``simulate_fleet`` (what ``lifecycle simulate --file`` does) against a naive
sequential reader, in one run, on moto's server.

Run from the repository root: ``python -m bench.fleet_simulate`` (``--repositories``,
``--images``, ``--repeat``, ``--workers``, ``--latency``). Not a test. moto's server runs in
a child process on 127.0.0.1, seeded there through moto's backend (pushing 100,000 images
over HTTP would take minutes): ``--repositories`` repositories (default 100) of
``--images`` images each (default 1,000), one pushed every hour back from now, a quarter
untagged, one in ten tagged ``prod-N``, the rest ``build-N``; three in four carry today's
policy (keep the last 500). ECS runs a task of each of 20 repositories' newest images and 10
services on their ``build-100`` tag. The registry file protects ``prod``, expires untagged
images after a day and keeps the last 200. Then, median of ``--repeat``:

- ``simulate_fleet``: the library (``ecr_constructs.live.fleet_simulation``): 2 calls per
  repository of up to 1,000 images (``DescribeImages`` at its largest page,
  ``GetLifecyclePolicy``) by a pool of ``--workers`` threads, adaptive retries, and the
  workload reads;
- ``naive``: one thread, per repository ``DescribeRepositories`` by name, ``DescribeImages``
  at its default page size and ``GetLifecyclePolicy``, the workloads read by one thread,
  standard retries; then the same evaluation.

Both results must agree. moto's ``DescribeImages`` returns every image in one page whatever
the page size, so the call counts here don't show what large pages save against ECR (100
images a page by default: 10 calls for 1,000 images). moto's server answers on the same
cores as the readers; ``--latency MS`` adds that many milliseconds before every request the
readers send, as a round trip to AWS would. Default: 0. App Runner, which moto lacks, is
answered as an account without services, without a round trip; it is counted.
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3

from ecr_constructs.lifecycle.images import parse_images
from ecr_constructs.live.fleet_images import RepositoryImages, read_repository_images
from ecr_constructs.live.fleet_simulation import evaluate_fleet, simulate_fleet
from ecr_constructs.live.limits import DEFAULT_WORKERS
from ecr_constructs.live.session import Connection
from ecr_constructs.live.workloads import read_workloads
from ecr_constructs.standards.registry_file.loading import LoadedRegistry, load_registry

from .aws import (
    Answers,
    add_reader_options,
    counted_session,
    free_port,
    timed,
    use_endpoint,
    wait_for,
)

REGION = "eu-west-1"
ACCOUNT = "123456789012"
"""moto's account."""
NOW = datetime.now(UTC).replace(microsecond=0)
TODAY = json.dumps(
    {
        "rules": [
            {
                "rulePriority": 1,
                "selection": {
                    "tagStatus": "any",
                    "countType": "imageCountMoreThan",
                    "countNumber": 500,
                },
                "action": {"type": "expire"},
            }
        ]
    }
)
REGISTRY = """\
version: 1
standards:
  service:
    lifecycle:
      - protect_tags: {prefixes: [prod]}
      - expire_untagged: {after_days: 1}
      - keep_last: {count: 200}
defaults:
  standard: service
repositories:
"""
NOT_IN_MOTO: Answers = {("apprunner", "ListServices"): {"ServiceSummaryList": []}}


def name(number: int) -> str:
    return f"team-{number % 10}/service-{number:03d}"


def tag(number: int) -> str | None:
    if number % 4 == 0:
        return None
    return f"prod-{number}" if number % 10 == 1 else f"build-{number}"


def manifest(repository: int, number: int) -> str:
    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {
                "mediaType": "application/vnd.docker.container.image.v1+json",
                "size": 50_000_000 + number,  # moto reports the config's size as the image's
                "digest": "sha256:" + "c" * 64,
            },
            "layers": [
                {
                    "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                    "size": 1,
                    "digest": f"sha256:{repository:032x}{number:032x}",
                }
            ],
        }
    )


def serve(port: int, repositories: int, images: int, ready: Any) -> None:
    """moto's server on ``port``, its ECR seeded through the backend (in the child)."""
    from moto.ecr.models import ecr_backends
    from moto.moto_server.threaded_moto_server import ThreadedMotoServer

    backend = ecr_backends[ACCOUNT][REGION]
    for repository in range(repositories):
        backend.create_repository(name(repository), None, {}, {}, "MUTABLE", [])
        for number in range(images):
            image = backend.put_image(
                name(repository),
                manifest(repository, number),
                tag(number),  # type: ignore[arg-type]  # None: an untagged image
            )
            image.image_pushed_at = int((NOW - timedelta(hours=images - number)).timestamp())
        if repository % 4:
            backend.put_lifecycle_policy(None, name(repository), TODAY)  # type: ignore[arg-type]
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False).start()
    ready.set()
    while True:
        time.sleep(3600)


def start(repositories: int, images: int) -> tuple[Any, str]:
    port = free_port()
    context = multiprocessing.get_context("fork")
    ready = context.Event()
    process = context.Process(target=serve, args=(port, repositories, images, ready))
    process.start()
    if not ready.wait(timeout=1800):
        process.kill()
        raise RuntimeError("moto's server was not seeded within 30 minutes")
    endpoint = f"http://127.0.0.1:{port}"
    wait_for(endpoint)
    return process, endpoint


def workloads(repositories: int, images: int) -> None:
    """ECS: a task running each of 20 repositories' newest image, 10 services on an old tag."""
    ecs = boto3.client("ecs", region_name=REGION)
    ecs.create_cluster(clusterName="prod")
    host = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com"
    newest = next(n for n in range(images - 1, -1, -1) if tag(n))
    for repository in range(min(20, repositories)):
        for kind, reference in (("task", tag(newest)), ("service", "build-102")):
            if kind == "service" and repository >= 10:
                continue
            family = f"{kind}-{repository}"
            definition = ecs.register_task_definition(
                family=family,
                containerDefinitions=[
                    {
                        "name": "app",
                        "image": f"{host}/{name(repository)}:{reference}",
                        "memory": 128,
                    }
                ],
            )["taskDefinition"]["taskDefinitionArn"]
            if kind == "task":
                ecs.run_task(cluster="prod", taskDefinition=definition, launchType="FARGATE")
            else:
                ecs.create_service(
                    cluster="prod", serviceName=family, taskDefinition=definition, desiredCount=1
                )


LATENCY_SECONDS = 0.0
"""Added to every request the readers send (``--latency``)."""


def library(loaded: LoadedRegistry, workers: int) -> tuple[dict[str, Any], int]:
    session, counter = counted_session(REGION, NOT_IN_MOTO, latency=LATENCY_SECONDS)
    result = simulate_fleet(loaded, Connection(session, workers), now=NOW)
    return result.to_dict(), counter.calls


def naive(loaded: LoadedRegistry) -> tuple[dict[str, Any], int]:
    session, counter = counted_session(REGION, NOT_IN_MOTO, latency=LATENCY_SECONDS)
    ecr = session.client("ecr")
    account = str(ecr.describe_registry()["registryId"])
    read = []
    for repository in loaded.repositories:
        try:
            ecr.describe_repositories(repositoryNames=[repository.name])
        except ecr.exceptions.RepositoryNotFoundException:
            read.append(RepositoryImages(repository.name, exists=False))
            continue
        pages = ecr.get_paginator("describe_images").paginate(
            repositoryName=repository.name, filter={"tagStatus": "ANY", "imageStatus": "ANY"}
        )
        details = [detail for page in pages for detail in page["imageDetails"]]
        try:
            text = ecr.get_lifecycle_policy(repositoryName=repository.name)["lifecyclePolicyText"]
        except ecr.exceptions.LifecyclePolicyNotFoundException:
            text = None
        images = parse_images(details, where=repository.name)
        read.append(RepositoryImages(repository.name, True, images, text))
    used = read_workloads(Connection(session, 1))
    result = evaluate_fleet(loaded, read, account=account, region=REGION, now=NOW, workloads=used)
    return result.to_dict(), counter.calls


def evaluation(loaded: LoadedRegistry) -> Callable[[], tuple[None, int]]:
    """``evaluate_fleet`` alone, on images and workloads read once, before it is timed."""
    session, _ = counted_session(REGION, NOT_IN_MOTO, latency=LATENCY_SECONDS)
    connection = Connection(session, DEFAULT_WORKERS)
    names = [repository.name for repository in loaded.repositories]
    read, used = read_repository_images(connection, names), read_workloads(connection)

    def evaluate() -> tuple[None, int]:
        evaluate_fleet(loaded, read, account=ACCOUNT, region=REGION, now=NOW, workloads=used)
        return None, 0

    return evaluate


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--repositories", type=int, default=100, help="default: 100")
    parser.add_argument("--images", type=int, default=1000, help="per repository (default: 1000)")
    add_reader_options(parser)
    args = parser.parse_args(argv)
    global LATENCY_SECONDS
    LATENCY_SECONDS = args.latency / 1000
    seeding = time.perf_counter()
    process, endpoint = start(args.repositories, args.images)
    seeded = time.perf_counter() - seeding
    use_endpoint(endpoint, REGION)
    try:
        workloads(args.repositories, args.images)
        with tempfile.TemporaryDirectory() as folder:
            file = Path(folder) / "registry.yaml"
            file.write_text(
                REGISTRY + "".join(f"  - name: {name(n)}\n" for n in range(args.repositories))
            )
            loaded = load_registry(file)
            report(args, endpoint, seeded, loaded)
    finally:
        process.terminate()
        process.join()


def report(args: argparse.Namespace, endpoint: str, seeded: float, loaded: LoadedRegistry) -> None:
    """Times the readers, checks they agree, prints the table of the docstring."""
    pooled, ours, pooled_calls = timed(lambda: library(loaded, args.workers), args.repeat)
    single, alone, single_calls = timed(lambda: library(loaded, 1), args.repeat)
    slow, theirs, naive_calls = timed(lambda: naive(loaded), args.repeat)
    assert ours == alone == theirs, "the readers disagree"
    evaluated, _, _ = timed(evaluation(loaded), args.repeat)
    size = args.repositories
    expired = sum(len(r["with_file"]["expired"]) for r in ours["repositories"])
    print(
        f"moto's server {endpoint}, seeded in {seeded:.0f} s: {size} repositories x "
        f"{args.images:,} images; {args.latency:g} ms added per request; median of "
        f"{args.repeat} runs. The file expires {expired:,} images, "
        f"{len(ours['in_use_affected'])} of them in use."
    )
    print(
        "| reader | calls (per repository) | s | naive / reader (time) | naive / reader (calls) |"
    )
    print("|---|---|---|---|---|")
    for label, calls, seconds in (
        (f"simulate_fleet, {args.workers} workers", pooled_calls, pooled),
        ("simulate_fleet, 1 worker", single_calls, single),
        ("naive, sequential", naive_calls, slow),
    ):
        print(
            f"| {label} | {calls:,} ({calls / size:.2f}) | {seconds:.2f} | "
            f"{slow / seconds:.1f}x | {naive_calls / calls:.2f}x |",
            flush=True,
        )
    print(f"| evaluate_fleet alone (no call) | 0 | {evaluated:.2f} | {slow / evaluated:.1f}x | - |")


if __name__ == "__main__":
    main()
