"""Synthesis of fully configured fleets: RepositoryFleet against the L1 floor and aws_ecr.

    python -m bench.fleet_synth [--sizes 10,100,1000,3000] [--runs 5] [--update-docs FILE]

Variants, each run in its own fresh process (rounds interleave the variants, so drift on a
shared machine hits them alike), built-in CloudFormation validation off in all:

- ``floor``: a loop of ``cdk.CfnResource`` with prebuilt property dicts and
  ``apply_removal_policy``: the least CDK work that writes the fleet's templates.
- ``fleet``: ``RepositoryFleet`` of ``RepositorySettings`` objects (Python, no YAML).
- ``fleet-file``: ``ecr-constructs synth FILE`` (the registry file loaded, then the fleet).
- ``aws_ecr``: what users write today: a loop of ``aws_ecr.Repository`` with lifecycle rules,
  ``grant_pull`` to the pull account and ``Tags.of(repo).add`` (rules, principal and
  durations created once, outside the loop).

Every repository: IMMUTABLE tags, scan on push, KMS, lifecycle (untagged after 1 day,
dev/pr tags after 14 days, keep the newest 50), pull access for another account, two tags.
Every variant lays out the same stacks: the fleet's placement (at most 400 resources and about
800 KB of template per stack).
``floor``, ``fleet`` and ``fleet-file`` write byte-identical templates (checked).

Measured: wall time of the whole process (start to exit, median); peak memory as the sum of
the Python process's peak RSS (``ru_maxrss``) and the jsii node processes' (each one's
``VmHWM``, read from /proc before exit); jsii kernel requests per repository (requests sent
to the node process while the repositories are built, divided by N).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

VARIANTS = ("floor", "fleet", "fleet-file", "aws_ecr")
PULL_ACCOUNT = "987654321098"
ACCOUNT, REGION = "123456789012", "eu-west-1"
STACK_NAME = "bench"
DOCS_BEGIN = "<!-- bench:fleet_synth -->"
DOCS_END = "<!-- /bench:fleet_synth -->"


def names(count: int) -> list[str]:
    return sorted(f"team-{i % 25:02d}/service-{i:04d}" for i in range(count))


def registry_file(count: int) -> str:
    """The registry file of the fleet, in YAML."""
    import yaml

    return yaml.safe_dump(
        {
            "version": 1,
            "standards": {
                "service": {
                    "tag_mutability": "IMMUTABLE",
                    "scan_on_push": True,
                    "encryption": "KMS",
                    "lifecycle": [
                        {"expire_untagged": {"after_days": 1}},
                        {"expire_tagged": {"prefixes": ["dev", "pr"], "after_days": 14}},
                        {"keep_last": {"count": 50}},
                    ],
                    "access": {"pull_accounts": [PULL_ACCOUNT]},
                    "tags": {"cost-center": "platform"},
                }
            },
            "defaults": {"standard": "service"},
            "repositories": [
                {"name": name, "tags": {"team": name.split("/")[0]}} for name in names(count)
            ],
            "deployment": {
                "stack_name": STACK_NAME,
                "account": ACCOUNT,
                "region": REGION,
            },
        },
        sort_keys=False,
    )


# -- the child: one variant, one process --------------------------------------------------


def child(variant: str, count: int, workdir: Path) -> dict[str, Any]:
    started = time.perf_counter()
    import jsii._runtime
    from jsii._kernel.providers import process

    requests = 0
    send = process._NodeProcess.send

    def counting(self: Any, *args: Any, **kwargs: Any) -> Any:
        nonlocal requests
        requests += 1
        return send(self, *args, **kwargs)

    process._NodeProcess.send = counting  # type: ignore[method-assign]
    import aws_cdk as cdk

    cdk_imported = time.perf_counter()
    MODULES[variant]()
    imported = time.perf_counter()
    outdir = workdir / "cdk.out"
    if variant == "fleet-file":
        from contextlib import redirect_stderr, redirect_stdout
        from io import StringIO

        from ecr_constructs.cli import main

        registry = workdir / "registry.yaml"
        before = requests
        with redirect_stdout(StringIO()), redirect_stderr(StringIO()):
            code = main(["synth", str(registry), "-o", str(outdir)])
        assert code == 0, f"synth exited {code}"
        built = synthesized = time.perf_counter()
        build_requests = requests - before
    else:
        app = cdk.App(outdir=str(outdir), builtin_cloud_formation_validation=False)
        before = requests
        inputs = json.loads((workdir / "inputs.json").read_text())
        BUILDERS[variant](app, count, inputs)
        built = time.perf_counter()
        build_requests = requests - before
        app.synth()
        synthesized = time.perf_counter()
    node_pid = jsii._runtime.kernel.provider._process._process.pid
    return {
        "cdk_import_s": cdk_imported - started,
        "module_import_s": imported - cdk_imported,
        "build_s": built - imported,
        "synth_s": synthesized - built,
        "jsii_per_repository": build_requests / count,
        "python_peak_kb": _python_peak_kb(),
        "node_peak_kb": _node_peak_kb(node_pid),
    }


def _python_peak_kb() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _node_peak_kb(pid: int) -> int:
    """Peak RSS of the jsii runtime's process tree (the runtime starts the kernel as a
    child node process): the sum of each process's VmHWM."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        status = Path(f"/proc/{current}/status").read_text()
        match = re.search(r"VmHWM:\s+(\d+) kB", status)
        total += int(match.group(1)) if match else 0
        for task in Path(f"/proc/{current}/task").iterdir():
            children = (task / "children").read_text().split()
            pending.extend(int(child) for child in children)
    return total


def _stacks(app: Any, layout: list[list[str]]) -> list[tuple[Any, list[str]]]:
    """The fleet's stacks (names, descriptions, members), for the variants without one."""
    import aws_cdk as cdk

    result = []
    for index, members in enumerate(layout, start=1):
        name = STACK_NAME if index == 1 else f"{STACK_NAME}-{index}"
        stack = cdk.Stack(
            app,
            name,
            stack_name=name,
            env=cdk.Environment(account=ACCOUNT, region=REGION),
            description=f"Amazon ECR registry {STACK_NAME}, stack {index} "
            "(ecr-constructs RepositoryFleet)",
        )
        result.append((stack, members))
    return result


def fleet_layout(count: int) -> list[list[str]]:
    """The fleet's placement of ``count`` repositories (stack by stack), computed in the
    parent so that every variant lays out the same stacks."""
    import aws_cdk as cdk

    fleet = _fleet(cdk.App(), count)
    return [list(stack.repositories) for stack in fleet.stacks]


def variant_inputs(variant: str, count: int, layout: list[list[str]]) -> dict[str, Any]:
    """What the floor's author writes by hand (the lifecycle policy text, each logical ID),
    and the stack layout for the variants that lay out stacks themselves; computed here in
    the parent, so the floor's process imports nothing but aws_cdk."""
    if variant == "floor":
        from ecr_constructs import Lifecycle, LifecyclePolicy
        from ecr_constructs.standards.fleet.placement import logical_id

        return {
            "layout": layout,
            "lifecycle": LifecyclePolicy.from_presets(_presets(Lifecycle)).to_json(),
            "ids": {name: logical_id(name) for name in names(count)},
        }
    if variant == "aws_ecr":
        return {"layout": layout}
    return {}


def build_floor(app: Any, count: int, inputs: dict[str, Any]) -> None:
    import aws_cdk as cdk

    partition = cdk.Aws.PARTITION
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Pull",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:{partition}:iam::{PULL_ACCOUNT}:root"},
                "Action": [
                    "ecr:BatchCheckLayerAvailability",
                    "ecr:BatchGetImage",
                    "ecr:GetDownloadUrlForLayer",
                ],
            }
        ],
    }
    retain = cdk.RemovalPolicy.RETAIN
    ids = inputs["ids"]
    prebuilt = {
        name: {
            "EncryptionConfiguration": {"EncryptionType": "KMS"},
            "ImageScanningConfiguration": {"ScanOnPush": True},
            "ImageTagMutability": "IMMUTABLE",
            "LifecyclePolicy": {"LifecyclePolicyText": inputs["lifecycle"]},
            "RepositoryName": name,
            "RepositoryPolicyText": policy,
            "Tags": [
                {"Key": "cost-center", "Value": "platform"},
                {"Key": "team", "Value": name.split("/")[0]},
            ],
        }
        for name in names(count)
    }
    for stack, members in _stacks(app, inputs["layout"]):
        for name in members:
            resource = cdk.CfnResource(
                stack, ids[name], type="AWS::ECR::Repository", properties=prebuilt[name]
            )
            resource.apply_removal_policy(retain)


def _presets(lifecycle: Any) -> list[Any]:
    return [
        lifecycle.expire_untagged(after_days=1),
        lifecycle.expire_tagged(prefixes=["dev", "pr"], after_days=14),
        lifecycle.keep_last(50),
    ]


def build_fleet(app: Any, count: int, inputs: dict[str, Any]) -> None:
    _fleet(app, count)


def _fleet(app: Any, count: int) -> Any:
    import aws_cdk as cdk

    from ecr_constructs import Lifecycle, RepositoryAccess, RepositorySettings
    from ecr_constructs.standards import RepositoryFleet, ShardMap

    lifecycle = _presets(Lifecycle)
    access = [RepositoryAccess.pull(accounts=[PULL_ACCOUNT])]
    return RepositoryFleet(
        app,
        repositories=[
            RepositorySettings(
                name=name,
                lifecycle=lifecycle,
                access=access,
                tags={"cost-center": "platform", "team": name.split("/")[0]},
            )
            for name in names(count)
        ],
        stack_name=STACK_NAME,
        env=cdk.Environment(account=ACCOUNT, region=REGION),
        shard_map=ShardMap(),
    )


def build_aws_ecr(app: Any, count: int, inputs: dict[str, Any]) -> None:
    import aws_cdk as cdk
    from aws_cdk import aws_ecr as ecr
    from aws_cdk import aws_iam as iam

    rules = [
        ecr.LifecycleRule(tag_status=ecr.TagStatus.UNTAGGED, max_image_age=cdk.Duration.days(1)),
        ecr.LifecycleRule(
            tag_status=ecr.TagStatus.TAGGED,
            tag_prefix_list=["dev", "pr"],
            max_image_age=cdk.Duration.days(14),
        ),
        ecr.LifecycleRule(max_image_count=50),
    ]
    principal = iam.AccountPrincipal(PULL_ACCOUNT)
    for stack, members in _stacks(app, inputs["layout"]):
        for index, name in enumerate(members):
            repository = ecr.Repository(
                stack,
                f"Repository{index}",
                repository_name=name,
                image_scan_on_push=True,
                image_tag_mutability=ecr.TagMutability.IMMUTABLE,
                encryption=ecr.RepositoryEncryption.KMS,
                lifecycle_rules=rules,
                removal_policy=cdk.RemovalPolicy.RETAIN,
            )
            repository.grant_pull(principal)
            tags = cdk.Tags.of(repository)
            tags.add("cost-center", "platform")
            tags.add("team", name.split("/")[0])


BUILDERS = {"floor": build_floor, "fleet": build_fleet, "aws_ecr": build_aws_ecr}


def _import_fleet() -> None:
    import ecr_constructs.standards.fleet.fleet  # noqa: F401


def _import_cli() -> None:
    import ecr_constructs.cli.registry
    import ecr_constructs.standards.fleet.fleet  # noqa: F401


def _import_aws_ecr() -> None:
    from aws_cdk import aws_ecr, aws_iam  # noqa: F401


MODULES = {
    "floor": lambda: None,
    "fleet": _import_fleet,
    "fleet-file": _import_cli,
    "aws_ecr": _import_aws_ecr,
}
"""What each variant imports besides aws_cdk (timed on its own)."""


# -- the parent: rounds of fresh processes, medians, the table ------------------------------


def run_once(
    variant: str, count: int, layout: list[list[str]], keep: Path | None
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        result_file = workdir / "result.json"
        inputs = variant_inputs(variant, count, layout)
        (workdir / "inputs.json").write_text(json.dumps(inputs))
        if variant == "fleet-file":
            (workdir / "registry.yaml").write_text(registry_file(count))
        started = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.fleet_synth",
                "--child",
                variant,
                str(count),
                str(workdir),
                str(result_file),
            ],
            check=True,
            env={
                **os.environ,
                "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
                "JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION": "1",
                "CDK_VALIDATION": "false",
            },
        )
        result: dict[str, Any] = json.loads(result_file.read_text())
        result["wall_s"] = time.perf_counter() - started
        if keep is not None:
            keep.mkdir(parents=True, exist_ok=True)
            for template in (workdir / "cdk.out").glob("*.template.json"):
                (keep / template.name).write_bytes(template.read_bytes())
        return result


def measure(
    sizes: Sequence[int], runs: int, log: Any
) -> dict[tuple[int, str], list[dict[str, Any]]]:
    results: dict[tuple[int, str], list[dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory() as kept:
        print("warm-up (jsii cache)", file=log, flush=True)
        run_once("fleet", 10, [], None)
        for count in sizes:
            layout = fleet_layout(count)
            repeats = runs if count < 3000 else max(1, min(runs, 3))
            for round_number in range(repeats):
                for variant in VARIANTS:
                    keep = Path(kept) / f"{count}-{variant}" if round_number == 0 else None
                    result = run_once(variant, count, layout, keep)
                    results.setdefault((count, variant), []).append(result)
                    print(
                        f"N={count} {variant} run {round_number + 1}/{repeats}: "
                        f"{result['wall_s']:.2f} s",
                        file=log,
                        flush=True,
                    )
            _check_identical(Path(kept), count)
    return results


def _check_identical(kept: Path, count: int) -> None:
    reference = kept / f"{count}-floor"
    for variant in ("fleet", "fleet-file"):
        for template in sorted(reference.glob("*.template.json")):
            other = kept / f"{count}-{variant}" / template.name
            if other.read_bytes() != template.read_bytes():
                raise SystemExit(f"N={count}: {variant} wrote a different {template.name}")


def table(results: dict[tuple[int, str], list[dict[str, Any]]]) -> str:
    lines = [
        "| N | variant | wall time (median) | per repository | peak memory (Python + node) "
        "| jsii calls / repository | vs floor | vs aws_ecr |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    sizes = sorted({count for count, _ in results})
    for count in sizes:
        wall = {v: statistics.median(r["wall_s"] for r in results[(count, v)]) for v in VARIANTS}
        for variant in VARIANTS:
            runs = results[(count, variant)]
            peak = statistics.median((r["python_peak_kb"] + r["node_peak_kb"]) / 1024 for r in runs)
            calls = statistics.median(r["jsii_per_repository"] for r in runs)
            lines.append(
                f"| {count:,} | {variant} | {wall[variant]:.2f} s "
                f"| {wall[variant] / count * 1000:.2f} ms | {peak:.0f} MB "
                f"| {calls:.2f} | {wall[variant] / wall['floor']:.2f}x "
                f"| {wall[variant] / wall['aws_ecr']:.2f}x |"
            )
    return "\n".join(lines)


def phases(results: dict[tuple[int, str], list[dict[str, Any]]], count: int) -> str:
    """Where the time goes at ``count`` repositories (medians, seconds)."""
    lines = [
        f"| N={count:,}: seconds | import aws_cdk | import the rest | build | synth | total |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for variant in VARIANTS:
        runs = results[(count, variant)]
        values = [
            statistics.median(r[key] for r in runs)
            for key in ("cdk_import_s", "module_import_s", "build_s", "synth_s", "wall_s")
        ]
        lines.append(f"| {variant} | " + " | ".join(f"{v:.2f}" for v in values) + " |")
    return "\n".join(lines)


def update_docs(path: Path, text: str) -> None:
    document = path.read_text()
    start, end = document.index(DOCS_BEGIN) + len(DOCS_BEGIN), document.index(DOCS_END)
    path.write_text(document[:start] + "\n" + text + "\n" + document[end:])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fleet_synth", description=__doc__)
    parser.add_argument("--sizes", default="10,100,1000,3000")
    parser.add_argument("--runs", type=int, default=5, help="runs per size (3 at most at 3,000)")
    parser.add_argument("--update-docs", metavar="FILE", help="write the table into FILE")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        variant, count, workdir, result_file = args.child
        result = child(variant, int(count), Path(workdir))
        Path(result_file).write_text(json.dumps(result))
        return 0
    started = time.perf_counter()
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    os.environ.setdefault("JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION", "1")
    results = measure([int(size) for size in args.sizes.split(",")], args.runs, sys.stderr)
    text = table(results)
    sizes = sorted({count for count, _ in results})
    breakdown = 1000 if 1000 in sizes else sizes[-1]
    text += "\n\n" + phases(results, breakdown)
    cores = os.cpu_count()
    footer = (
        f"\n{cores} cores, Python {sys.version.split()[0]}; medians of {args.runs} runs "
        f"(3 at 3,000) in fresh processes; total {time.perf_counter() - started:.0f} s."
    )
    print(text + footer)
    if args.update_docs:
        update_docs(Path(args.update_docs), text + "\n" + footer.strip())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
