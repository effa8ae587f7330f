"""The simulator against a deliberately simple reference evaluator, on generated policies
and repositories.

The reference below is written from the documented rules (docs/simulator.md, "How ECR
evaluates a policy") the obvious way: every rule rescans every image, tags are matched one by
one with ``fnmatch``, ages are subtracted as datetimes. It shares no code with the simulator.
Where the documented rules leave a choice open, the choice is written next to the rule that
makes it, and has its own named test in test_lifecycle_simulate.py.
"""

from __future__ import annotations

import fnmatch
import warnings
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecr_constructs.lifecycle import (
    Image,
    ImageStatus,
    LifecyclePolicy,
    LifecyclePolicyWarning,
    LifecycleRule,
    simulate,
)

NOW = datetime(2026, 1, 31, 12, 30, tzinfo=UTC)
DAY = timedelta(days=1)
MICROSECOND = timedelta(microseconds=1)
ZONES = [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8)), None]
DAY_COUNTS = [1, 2, 7, 90, 91, 365]
WORDS = ["prod", "dev", "v1", "rel"]
TAGS = [
    "prod",
    "prod-1",
    "prod-2",
    "production",
    "dev",
    "dev-prod",
    "v1",
    "v1.2.3",
    "v1-rc1",
    "rel-1",
    "latest",
]
PATTERN_FORMS = ["{}", "{}*", "*{}", "*{}*", "{}-*", "*-{}*", "*{}*1*", "*"]

# --- Policies: 1 to 6 rules over every count type, tag status, storage class and action.


@st.composite
def rules_strategy(draw: st.DrawFn) -> dict[str, Any]:
    count_type = draw(
        st.sampled_from(
            ["imageCountMoreThan", "sinceImagePushed", "sinceImagePulled", "sinceImageTransitioned"]
        )
    )
    selection: dict[str, Any] = {"countType": count_type}
    action: dict[str, Any] = {"type": "expire"}
    if count_type == "sinceImageTransitioned":
        selection["storageClass"] = "archive"
        selection["countNumber"] = draw(st.sampled_from([90, 91, 365]))
    else:
        if draw(st.booleans()):
            selection["storageClass"] = "standard"
        if count_type == "sinceImagePulled" or draw(st.booleans()):
            action = {"type": "transition", "targetStorageClass": "archive"}
        selection["countNumber"] = draw(
            st.integers(1, 4) if count_type == "imageCountMoreThan" else st.sampled_from(DAY_COUNTS)
        )
    if count_type != "imageCountMoreThan":
        selection["countUnit"] = "days"
    status = draw(st.sampled_from(["tagged", "tagged", "untagged", "any"]))
    selection["tagStatus"] = status
    if status == "tagged":
        words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=2, unique=True))
        if draw(st.booleans()):
            selection["tagPrefixList"] = words
        else:
            forms = st.sampled_from(PATTERN_FORMS)
            selection["tagPatternList"] = [draw(forms).format(word) for word in words]
    return {"selection": selection, "action": action}


@st.composite
def policies(draw: st.DrawFn) -> LifecyclePolicy:
    """Valid by construction: per storage class one `any` rule at most, applied last, one
    `untagged` rule at most, and no tag list twice (later duplicates are dropped)."""
    rules: list[dict[str, Any]] = []
    seen: set[tuple[str, str, tuple[str, ...]]] = set()
    for candidate in draw(st.lists(rules_strategy(), min_size=1, max_size=6)):
        selection = candidate["selection"]
        tags = selection.get("tagPrefixList") or selection.get("tagPatternList") or []
        kind = selection["tagStatus"] + ("-prefix" if "tagPrefixList" in selection else "")
        key = (selection.get("storageClass", "standard"), kind, tuple(sorted(set(tags))))
        if key not in seen:
            seen.add(key)
            rules.append(candidate)
    priorities = draw(
        st.lists(st.integers(1, 2**31 - 1), min_size=len(rules), max_size=len(rules), unique=True)
    )
    for rule, priority in zip(rules, sorted(priorities), strict=True):
        rule["rulePriority"] = priority
    # Per storage class, ECR wants the one `any` rule applied last: give it the top priority.
    for storage in ("standard", "archive"):
        members = [r for r in rules if r["selection"].get("storageClass", "standard") == storage]
        any_rules = [r for r in members if r["selection"]["tagStatus"] == "any"]
        if any_rules:
            top = max(members, key=lambda r: r["rulePriority"])
            any_rules[0]["rulePriority"], top["rulePriority"] = (
                top["rulePriority"],
                any_rules[0]["rulePriority"],
            )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LifecyclePolicyWarning)
        return LifecyclePolicy.from_dict({"rules": draw(st.permutations(rules))})


# --- Repositories: shared and multiple tags, equal push instants, never pulled, archived,
# restored, exact day boundaries plus or minus a microsecond, timestamps with offsets.


@st.composite
def moments(draw: st.DrawFn) -> datetime:
    """A time before NOW: on a day boundary of a rule's count (or a neighbour), a microsecond
    either side, or anywhere in the last two years; in some zone (None: naive, read as UTC)."""
    days = draw(st.sampled_from([d + shift for d in DAY_COUNTS for shift in (-1, 0, 1)]))
    nudge = draw(st.sampled_from([-MICROSECOND, timedelta(0), MICROSECOND]))
    if draw(st.integers(0, 3)) == 0:
        moment = NOW - timedelta(seconds=draw(st.integers(0, 730 * 86_400)))
    else:
        moment = NOW - days * DAY + nudge
    zone = draw(st.sampled_from(ZONES))
    return moment.astimezone(zone).replace(tzinfo=None) if zone is None else moment.astimezone(zone)


@st.composite
def repositories(draw: st.DrawFn) -> list[Image]:
    count = draw(st.integers(0, 14))
    shared_instants = draw(st.lists(moments(), min_size=1, max_size=3))
    images: list[Image] = []
    for index in range(count):
        digest = f"sha256:{draw(st.integers(0, 99)):02d}-{index}"
        pushed = draw(st.sampled_from(shared_instants) | moments())
        status = draw(st.sampled_from([ImageStatus.ACTIVE] * 3 + list(ImageStatus)))
        earlier = images[:index]
        images.append(
            Image(
                digest=digest,
                tags=tuple(draw(st.lists(st.sampled_from(TAGS), max_size=3, unique=True))),
                pushed_at=pushed,
                last_pulled_at=draw(st.none() | moments()),
                status=status,
                archived_at=draw(moments()) if status is ImageStatus.ARCHIVED else None,
                activated_at=draw(st.none() | st.none() | moments()),
                # References point only to earlier images: real images can't form a cycle.
                subject_digest=draw(st.none() | st.sampled_from([i.digest for i in earlier]))
                if earlier and draw(st.integers(0, 4)) == 0
                else None,
                manifest_digests=tuple(
                    draw(st.lists(st.sampled_from([i.digest for i in earlier]), unique=True))
                )
                if earlier and draw(st.integers(0, 4)) == 0
                else (),
            )
        )
    return images


# --- The reference evaluator, from the documented rules.


def utc(moment: datetime | None) -> datetime | None:
    """Naive times are UTC."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def pushed(image: Image) -> datetime:
    """Rule 3: a restored image counts from its restore. A restore earlier than the push (a
    re-push after the restore) counts from the push: the later of the two (a documented
    choice)."""
    restored = utc(image.activated_at)
    push = utc(image.pushed_at)
    assert push is not None
    return max(push, restored) if restored is not None else push


def event(rule: LifecycleRule, image: Image) -> datetime | None:
    """Rule 4: the event a `since*` rule ages from."""
    if rule.count_type.value == "sinceImagePushed":
        return pushed(image)
    if rule.count_type.value == "sinceImagePulled":
        pulled = utc(image.last_pulled_at)
        return pushed(image) if pulled is None else max(pushed(image), pulled)
    return utc(image.archived_at)


def older_than(rule: LifecycleRule, image: Image, now: datetime) -> bool:
    """Rule 4: "more than N days" in elapsed time. At exactly N x 24 hours the image is
    reported (a documented choice: ECR acts later than the preview's instant)."""
    moment = event(rule, image)
    return moment is not None and now - moment >= rule.count_number * DAY


def selects(rule: LifecycleRule, image: Image) -> bool:
    """Rules 1 and 2: the storage class, then the tags (every entry matched by some tag)."""
    wanted = ImageStatus.ARCHIVED if rule.effective_storage_class.value == "archive" else None
    if image.status is not (wanted or ImageStatus.ACTIVE):
        return False
    if rule.tag_status.value == "any":
        return True
    if rule.tag_status.value == "untagged":
        return not image.tags
    if rule.tag_prefix_list is not None:
        return bool(image.tags) and all(
            any(tag.startswith(entry) for tag in image.tags) for entry in rule.tag_prefix_list
        )
    entries = rule.tag_pattern_list or ()
    return bool(image.tags) and all(
        any(fnmatch.fnmatchcase(tag, entry) for tag in image.tags) for entry in entries
    )


def rule_marks(
    policy: LifecyclePolicy, images: Sequence[Image], now: datetime
) -> dict[str, tuple[str, int]]:
    """Rules 3 and 5: {digest: (action, rulePriority)} before references are considered."""
    marks: dict[str, tuple[str, int]] = {}
    selected_above: set[str] = set()
    for rule in sorted(policy.rules, key=lambda r: r.rule_priority):
        chosen = [image for image in images if selects(rule, image)]
        if rule.count_type.value == "imageCountMoreThan":
            by_digest = sorted(chosen, key=lambda image: image.digest)  # ties: by digest
            newest_first = sorted(by_digest, key=pushed, reverse=True)
            candidates = newest_first[rule.count_number :]
        else:
            candidates = [image for image in chosen if older_than(rule, image, now)]
        for image in candidates:
            if image.digest not in selected_above and image.digest not in marks:
                marks[image.digest] = (rule.action_type.value, rule.rule_priority)
        selected_above.update(image.digest for image in chosen)
    return marks


def reference(
    policy: LifecyclePolicy, images: Sequence[Image], now: datetime
) -> dict[str, tuple[str, int | None]]:
    """Rules 7 and 8 on top of the rules' marks: an artifact follows its subject; a manifest
    list kept in the standard class holds the images it references, unless the list's own
    decision depends on the image (it is that image's artifact, directly or through others:
    a documented choice, toward reporting the action)."""
    marks = rule_marks(policy, images, now)
    by_digest = {image.digest: image for image in images}
    final: dict[str, tuple[str, int | None]] = {}

    def holders(image: Image) -> list[Image]:
        return [h for h in images if h is not image and image.digest in h.manifest_digests]

    def depends_on(start: Image, target: Image) -> bool:
        """Whether ``start``'s decision waits on ``target``'s (through subjects and lists)."""
        seen: set[str] = set()
        todo = [start]
        while todo:
            image = todo.pop()
            subject = by_digest.get(image.subject_digest or "")
            for next_image in ([subject] if subject not in (None, image) else []) + holders(image):
                assert next_image is not None
                if next_image is target:
                    return True
                if next_image.digest not in seen:
                    seen.add(next_image.digest)
                    todo.append(next_image)
        return False

    def decide(image: Image) -> tuple[str, int | None]:
        if image.digest in final:
            return final[image.digest]
        action, priority = marks.get(image.digest, ("keep", None))
        subject = by_digest.get(image.subject_digest or "")
        if subject is not None and subject is not image:
            followed, subject_priority = decide(subject)
            if followed == "expire" and action != "expire":
                action, priority = "expire", subject_priority
            elif followed == "transition" and action == "keep" and image.status.value == "ACTIVE":
                action, priority = "transition", subject_priority
        if action != "keep":
            for holder in holders(image):
                if depends_on(holder, image):
                    continue
                if decide(holder)[0] == "keep" and holder.status.value == "ACTIVE":
                    action, priority = "keep", None
                    break
        final[image.digest] = (action, priority)
        return final[image.digest]

    return {image.digest: decide(image) for image in images}


def check(policy: LifecyclePolicy, images: list[Image], now: datetime) -> None:
    result = simulate(policy, images, now=now)
    backwards = simulate(policy, images[::-1], now=now)
    assert backwards.decisions == result.decisions[::-1]
    expected = reference(policy, images, now)
    got = {d.image.digest: (d.action.value, d.rule_priority) for d in result.decisions}
    differences = {k: (got[k], expected[k]) for k in got if got[k] != expected[k]}
    assert differences == {}


@pytest.mark.slow
@settings(
    max_examples=600,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(policies(), repositories(), st.sampled_from(ZONES[:3]))
def test_simulate_agrees_with_the_reference_evaluator(
    policy: LifecyclePolicy, images: list[Image], zone: timezone
) -> None:
    check(policy, images, NOW.astimezone(zone))


@settings(max_examples=100, deadline=None)
@given(policies(), repositories())
def test_simulate_agrees_with_the_reference_evaluator_quickly(
    policy: LifecyclePolicy, images: list[Image]
) -> None:
    check(policy, images, NOW)
