"""Benchmark: reading a registry (what ``import`` and ``audit`` do) against a naive
sequential reader, in one run, on moto's server.

Run from the repository root: ``python -m bench.live_read`` (``--sizes``, ``--repeat``,
``--workers``). Not a test. moto's server runs in its own process on 127.0.0.1; for each
size it is reset and seeded with that many repositories (a lifecycle policy on three in
four, a repository policy on one in five, two tags each). Then, median of ``--repeat``:

- ``read_account``: the library's reader (``ecr_constructs.live.account``): largest pages,
  3 calls per repository by a pool of ``--workers`` threads, adaptive retries, plus the
  registry-wide reads;
- ``naive``: one thread, ``DescribeRepositories`` at its default page size, then for each
  repository ``DescribeRepositories`` by name, ``GetLifecyclePolicy``,
  ``GetRepositoryPolicy`` and ``ListTagsForResource``, standard retries; repositories only.

Calls are counted with a boto3 event hook on each reader's session. moto's server doesn't
implement five registry-wide reads (cache rules, creation templates, signing, pull-time
exclusions, the registry policy scope): the hook answers them as an untouched registry
does, without a round trip; they are counted. Both readers' results are compared and must agree.

moto's server answers in a few milliseconds, on the same cores as the readers. ``--latency
MS`` adds that many milliseconds to every request the readers send (a sleep before it
leaves, as a network round trip to ECR would), to compare the readers when they wait on the
network rather than on moto's CPU. Default: 0.
"""

from __future__ import annotations

import argparse
import json
import urllib.request
from collections.abc import Sequence
from typing import Any

import boto3

from ecr_constructs.lifecycle import Lifecycle, LifecyclePolicy
from ecr_constructs.live.account import read_account
from ecr_constructs.live.session import Connection
from ecr_constructs.policy import RepositoryAccess
from ecr_constructs.settings import RepositorySettings

from .aws import (
    Answers,
    Counter,
    add_reader_options,
    counted_session,
    moto_server,
    timed,
    use_endpoint,
)

REGION = "eu-west-1"
NOT_IN_MOTO: Answers = {
    ("ecr", "DescribePullThroughCacheRules"): {"pullThroughCacheRules": []},
    ("ecr", "DescribeRepositoryCreationTemplates"): {"repositoryCreationTemplates": []},
    ("ecr", "GetSigningConfiguration"): {"signingConfiguration": {"rules": []}},
    ("ecr", "ListPullTimeUpdateExclusions"): {"pullTimeUpdateExclusions": []},
    ("ecr", "GetAccountSetting"): {"name": "REGISTRY_POLICY_SCOPE", "value": "V2"},
}
LIFECYCLE = LifecyclePolicy.from_presets([Lifecycle.expire_untagged(after_days=1)]).to_json()
POLICY = json.dumps(
    RepositorySettings(access=[RepositoryAccess.pull(accounts=["987654321098"])]).policy_document(
        "aws"
    )
)


LATENCY_SECONDS = 0.0
"""Added to every request the readers send (``--latency``)."""


def session_counted() -> tuple[boto3.Session, Counter]:
    return counted_session(REGION, NOT_IN_MOTO, latency=LATENCY_SECONDS)


def library(workers: int) -> tuple[dict[str, Any], int]:
    session, counter = session_counted()
    account = read_account(Connection(session, workers))
    found = {r.name: (r.lifecycle_text, r.policy_text, dict(r.tags)) for r in account.repositories}
    return found, counter.calls


def naive() -> tuple[dict[str, Any], int]:
    session, counter = session_counted()
    ecr = session.client("ecr")
    names = [
        r["repositoryName"]
        for page in ecr.get_paginator("describe_repositories").paginate()
        for r in page["repositories"]
    ]
    found = {}
    for name in names:
        (repository,) = ecr.describe_repositories(repositoryNames=[name])["repositories"]
        texts = []
        for read, key, missing in (
            (ecr.get_lifecycle_policy, "lifecyclePolicyText", "LifecyclePolicyNotFoundException"),
            (ecr.get_repository_policy, "policyText", "RepositoryPolicyNotFoundException"),
        ):
            try:
                texts.append(read(repositoryName=name)[key])
            except ecr.exceptions.ClientError as error:
                if error.response["Error"]["Code"] != missing:
                    raise
                texts.append(None)
        tags = ecr.list_tags_for_resource(resourceArn=repository["repositoryArn"])["tags"]
        found[name] = (*texts, {t["Key"]: t["Value"] for t in tags})
    return found, counter.calls


def seed(endpoint: str, size: int) -> None:
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"))
    ecr = boto3.client("ecr", region_name=REGION)
    for number in range(size):
        name = f"team-{number % 20:02d}/service-{number:05d}"
        tags = [{"Key": "team", "Value": str(number % 20)}, {"Key": "tier", "Value": "prod"}]
        ecr.create_repository(repositoryName=name, tags=tags)
        if number % 4:
            ecr.put_lifecycle_policy(repositoryName=name, lifecyclePolicyText=LIFECYCLE)
        if number % 5 == 0:
            ecr.set_repository_policy(repositoryName=name, policyText=POLICY)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000", help="repositories (default: 100,1000)")
    add_reader_options(parser)
    args = parser.parse_args(argv)
    global LATENCY_SECONDS
    LATENCY_SECONDS = args.latency / 1000
    process, endpoint = moto_server()
    use_endpoint(endpoint, REGION)
    header = [
        "repositories",
        "read_account calls (per repository)",
        "naive calls (per repository)",
        "read_account s",
        "naive s",
        "naive / read_account (time)",
        "naive / read_account (calls)",
    ]
    try:
        print(
            f"moto_server {endpoint}; {args.workers} workers; {args.latency:g} ms added per "
            f"request; median of {args.repeat} runs"
        )
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for size in (int(s) for s in args.sizes.split(",")):
            seed(endpoint, size)
            fast, ours, our_calls = timed(lambda: library(args.workers), args.repeat)
            slow, theirs, their_calls = timed(naive, args.repeat)
            assert ours == theirs, "the two readers disagree"
            print(
                f"| {size:,} | {our_calls:,} ({our_calls / size:.2f}) | "
                f"{their_calls:,} ({their_calls / size:.2f}) | {fast:.2f} | {slow:.2f} | "
                f"{slow / fast:.1f}x | {their_calls / our_calls:.2f}x |",
                flush=True,
            )
    finally:
        process.terminate()
        process.wait()


if __name__ == "__main__":
    main()
