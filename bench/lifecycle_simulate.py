"""Benchmark: the lifecycle simulator against a naive per-rule rescan, in one run.

Run from the repository root: ``python -m bench.lifecycle_simulate`` (``--sizes``,
``--pathological-sizes``, ``--baseline-max``, ``--repeat``). Not a test. Prints one table:
median seconds per workload and size for

- ``simulate``: :func:`ecr_constructs.lifecycle.simulate` on :class:`Image` objects;
- ``simulate (JSON)``: the same from ``imageDetails`` dicts with ISO 8601 timestamps, as
  ``describe-images`` output is read (parsing included);
- ``naive``: a straightforward implementation that rescans every image for every rule,
  matches tags one by one (``fnmatch``) and sorts each rule's selection; run up to
  ``--baseline-max`` images (default 100,000), since at 1,000,000 it takes minutes.

Workloads: ``normal`` (a 50-rule policy on a synthetic repository) and ``pathological`` (the
same with the pattern ``*a*a*a*a`` and a 128-character near-miss tag on every image, which a
backtracking matcher refuses in time proportional to the tag's length to the fourth power).
A last line times that pattern on such tags with a backtracking regular expression against
the simulator's matcher. Where both run, the decisions are compared and must be identical.
"""

from __future__ import annotations

import argparse
import fnmatch
import random
import re
import statistics
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from ecr_constructs.lifecycle import LifecyclePolicy
from ecr_constructs.lifecycle.images import Image, ImageStatus
from ecr_constructs.lifecycle.model import CountType, LifecycleAction, LifecycleRule, TagStatus
from ecr_constructs.lifecycle.simulate import simulate

NOW = datetime(2026, 1, 31, tzinfo=UTC)
TEAMS = 40
DAY = timedelta(days=1)
PATHOLOGICAL_PATTERN = "*a*a*a*a"


def near_miss(index: int) -> str:
    """A 128-character tag with 118 ``a`` that does not match ``*a*a*a*a`` (it ends in b)."""
    return f"{'a' * 118}{index:09d}b"


def make_policy(*, pathological: bool = False) -> LifecyclePolicy:
    """50 rules: 2 protecting, 1 untagged, 40 per-team counts, 5 patterns, 2 catch-alls."""
    rules: list[dict[str, Any]] = []

    def add(selection: dict[str, Any], action: dict[str, Any] | None = None) -> None:
        if selection["countType"] != "imageCountMoreThan":
            selection["countUnit"] = "days"
        rules.append(
            {
                "rulePriority": len(rules) + 1,
                "selection": selection,
                "action": action or {"type": "expire"},
            }
        )

    archive = {"type": "transition", "targetStorageClass": "archive"}
    for prefix in ("prod", "release-"):
        add(
            {
                "tagStatus": "tagged",
                "tagPrefixList": [prefix],
                "countType": "sinceImagePushed",
                "countNumber": 36_500,
            }
        )
    add({"tagStatus": "untagged", "countType": "sinceImagePushed", "countNumber": 14})
    for team in range(TEAMS):
        add(
            {
                "tagStatus": "tagged",
                "tagPrefixList": [f"team{team:02d}-"],
                "countType": "imageCountMoreThan",
                "countNumber": 20,
            }
        )
    add(
        {
            "tagStatus": "tagged",
            "tagPatternList": ["sha-*"],
            "countType": "sinceImagePulled",
            "countNumber": 90,
        },
        archive,
    )
    add(
        {
            "tagStatus": "tagged",
            "tagPatternList": ["*-rc*"],
            "countType": "sinceImagePushed",
            "countNumber": 30,
        }
    )
    add(
        {
            "tagStatus": "tagged",
            "tagPatternList": ["feature-*-*"],
            "countType": "imageCountMoreThan",
            "countNumber": 200,
        }
    )
    add(
        {
            "tagStatus": "tagged",
            "tagPatternList": [PATHOLOGICAL_PATTERN if pathological else "*hotfix*"],
            "countType": "sinceImagePulled",
            "countNumber": 180,
        },
        archive,
    )
    add(
        {
            "tagStatus": "tagged",
            "tagPatternList": ["nightly-20*"],
            "countType": "sinceImagePushed",
            "countNumber": 7,
        }
    )
    add({"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 5_000})
    add(
        {
            "tagStatus": "any",
            "storageClass": "archive",
            "countType": "sinceImageTransitioned",
            "countNumber": 365,
        }
    )
    return LifecyclePolicy.from_dict({"rules": rules})


def make_images(count: int, seed: int = 7, *, pathological: bool = False) -> list[Image]:
    """A repository's worth of images over two years: tagged by teams, features, commits,
    release candidates; a quarter untagged; a tenth archived; most pulled at some point.
    ``pathological``: every image also carries a :func:`near_miss` tag."""
    rng = random.Random(seed)
    images: list[Image] = []
    for index in range(count):
        pushed = NOW - timedelta(seconds=rng.randrange(730 * 86_400))
        kind = rng.random()
        tags: tuple[str, ...]
        if kind < 0.25:
            tags = ()
        elif kind < 0.30:
            tags = (f"prod-{index}",)
        elif kind < 0.33:
            tags = (f"release-{index}", f"v{index}.0.0")
        elif kind < 0.75:
            team = rng.randrange(TEAMS)
            tags = (f"team{team:02d}-{index}", f"sha-{index:08x}")
        elif kind < 0.85:
            tags = (f"feature-{rng.randrange(500)}-{index}",)
        elif kind < 0.92:
            tags = (f"{index}.0.0-rc{rng.randrange(5)}", f"sha-{index:08x}")
        elif kind < 0.95:
            tags = (f"{index}-hotfix",)
        else:
            tags = (f"nightly-2025-{index}",)
        if pathological:
            tags = (*tags, near_miss(index))
        pulled = pushed + timedelta(
            seconds=rng.randrange(max(1, int((NOW - pushed).total_seconds())))
        )
        archived = rng.random() < 0.1
        images.append(
            Image(
                digest=f"sha256:{index:064x}",
                tags=tags,
                pushed_at=pushed,
                last_pulled_at=pulled if rng.random() < 0.7 else None,
                status=ImageStatus.ARCHIVED if archived else ImageStatus.ACTIVE,
                archived_at=pulled if archived else None,
                size_bytes=rng.randrange(5_000_000, 900_000_000),
            )
        )
    return images


def as_details(images: Sequence[Image]) -> list[dict[str, Any]]:
    """The images as describe-images JSON (ISO 8601 timestamps, as AWS CLI v2 prints them)."""
    details = []
    for image in images:
        detail: dict[str, Any] = {
            "imageDigest": image.digest,
            "imagePushedAt": image.pushed_at.isoformat(),
            "imageStatus": image.status.value,
            "imageSizeInBytes": image.size_bytes,
        }
        if image.tags:
            detail["imageTags"] = list(image.tags)
        if image.last_pulled_at is not None:
            detail["lastRecordedPullTime"] = image.last_pulled_at.isoformat()
        if image.archived_at is not None:
            detail["lastArchivedAt"] = image.archived_at.isoformat()
        details.append(detail)
    return details


# The naive baseline: every rule rescans every image and matches its tags one by one.


def _matches(rule: LifecycleRule, tags: tuple[str, ...]) -> bool:
    if rule.tag_status is TagStatus.ANY:
        return True
    if rule.tag_status is TagStatus.UNTAGGED:
        return not tags
    if rule.tag_prefix_list is not None:
        return bool(tags) and all(
            any(tag.startswith(prefix) for tag in tags) for prefix in rule.tag_prefix_list
        )
    return bool(tags) and all(
        any(fnmatch.fnmatchcase(tag, entry) for tag in tags)
        for entry in rule.tag_pattern_list or ()
    )


def _event(rule: LifecycleRule, image: Image) -> datetime | None:
    pushed = max(image.pushed_at, image.activated_at or image.pushed_at)
    if rule.count_type is CountType.SINCE_IMAGE_PUSHED:
        return pushed
    if rule.count_type is CountType.SINCE_IMAGE_PULLED:
        return max(pushed, image.last_pulled_at or pushed)
    return image.archived_at


def naive(policy: LifecyclePolicy, images: Sequence[Image], now: datetime) -> list[str]:
    """Each image's action ("expire", "transition", "keep"), in input order."""
    decided: dict[str, str] = {}
    selected_above: set[str] = set()
    wanted = {"standard": ImageStatus.ACTIVE, "archive": ImageStatus.ARCHIVED}
    for rule in policy.rules:
        status = wanted[rule.effective_storage_class.value]
        selected = [i for i in images if i.status is status and _matches(rule, i.tags)]
        if rule.count_type is CountType.IMAGE_COUNT_MORE_THAN:
            selected.sort(key=lambda i: i.digest)
            selected.sort(
                key=lambda i: max(i.pushed_at, i.activated_at or i.pushed_at), reverse=True
            )
            candidates = selected[rule.count_number :]
        else:
            candidates = [
                i
                for i in selected
                if (event := _event(rule, i)) is not None and now - event >= rule.count_number * DAY
            ]
        action = "expire" if rule.action_type is LifecycleAction.EXPIRE else "transition"
        for image in candidates:
            if image.digest not in selected_above:
                decided.setdefault(image.digest, action)
        selected_above.update(image.digest for image in selected)
    return [decided.get(image.digest, "keep") for image in images]


def _timed(repeat: int, function: Callable[..., Any], *args: Any) -> tuple[float, Any]:
    """Median seconds of ``repeat`` calls, and the last call's result."""
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def _backtracking(pattern: str) -> re.Pattern[str]:
    """The pattern as a backtracking regular expression (``*`` as ``.*``)."""
    return re.compile(".*".join(re.escape(part) for part in pattern.split("*")), re.DOTALL)


def _per_tag(match: Callable[[str], object], count: int) -> float:
    """Seconds per near miss that ``match`` refuses."""
    tags = [near_miss(index) for index in range(count)]
    start = time.perf_counter()
    if any(map(match, tags)):
        raise SystemExit(f"{PATHOLOGICAL_PATTERN} matched a near miss")
    return (time.perf_counter() - start) / count


def _per_tag_simulated(count: int) -> float:
    """Seconds per image for simulate to refuse ``count`` near misses under one rule."""
    rule = {
        "rulePriority": 1,
        "selection": {
            "tagStatus": "tagged",
            "tagPatternList": [PATHOLOGICAL_PATTERN],
            "countType": "sinceImagePushed",
            "countUnit": "days",
            "countNumber": 1,
        },
        "action": {"type": "expire"},
    }
    images = [
        Image(digest=f"sha256:{n:064x}", tags=(near_miss(n),), pushed_at=NOW - 2 * DAY)
        for n in range(count)
    ]
    seconds, result = _timed(1, simulate_now, {"rules": [rule]}, images)
    if result.expired:
        raise SystemExit(f"{PATHOLOGICAL_PATTERN} matched a near miss")
    return float(seconds) / count


def simulate_now(policy: Any, images: Any) -> Any:
    return simulate(policy, images, now=NOW)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--pathological-sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--baseline-max", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"seconds, median of {args.repeat} runs (naive: 1 run)")
    header = (
        "workload",
        "images",
        "simulate",
        "simulate from JSON dicts",
        "naive",
        "naive / simulate",
        "expired",
        "archived",
    )
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    runs = [("normal", size) for size in args.sizes]
    runs += [("pathological", size) for size in args.pathological_sizes]
    for workload, size in runs:
        pathological = workload == "pathological"
        policy = make_policy(pathological=pathological)
        images = make_images(size, pathological=pathological)
        fast, result = _timed(args.repeat, simulate_now, policy, images)
        from_json, _ = _timed(args.repeat, simulate_now, policy, as_details(images))
        if size <= args.baseline_max:
            slow, actions = _timed(1, naive, policy, images, NOW)
            if actions != [d.action.value for d in result.decisions]:
                raise SystemExit(f"decisions differ from the naive baseline: {workload} {size}")
            naive_cell, ratio = f"{slow:.2f}", f"{slow / fast:.0f}x"
        else:
            naive_cell, ratio = "not run", "-"
        print(
            f"| {workload} | {size:,} | {fast:.3f} | {from_json:.3f} | {naive_cell} | {ratio} "
            f"| {len(result.expired):,} | {len(result.archived):,} |"
        )
    slow_tag = _per_tag(_backtracking(PATHOLOGICAL_PATTERN).fullmatch, 20)
    fast_tag = _per_tag_simulated(20_000)
    print(
        f"\n{PATHOLOGICAL_PATTERN} on 128-character near misses: a backtracking regex "
        f"{slow_tag * 1e3:.1f} ms per tag, simulate {fast_tag * 1e6:.1f} µs per image "
        f"(one tag each, one rule; {slow_tag / fast_tag:,.0f}x)"
    )


if __name__ == "__main__":
    main()
