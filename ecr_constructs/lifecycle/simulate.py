"""What a lifecycle policy does to a repository's images: ECR's evaluation, offline.

Pure Python. :func:`simulate` decides, for each image, ``expire``, ``transition`` (to the
archive storage class) or ``keep``, and names the rule responsible. The semantics, in plain
words, are in ``docs/simulator.md``; in short (ECR User Guide, "Lifecycle policy evaluation
rules"):

- Every rule selects, from the images of its storage class (ACTIVE images for
  ``standard``, ARCHIVED images for ``archive``), those whose tags satisfy its tag selection;
  ``imageCountMoreThan N`` marks all but the newest N of them, the ``since*`` types mark
  those whose event is N x 24 hours or more before ``now`` (elapsed time: ECR acts within
  about a day, so the preview errs toward reporting the action).
- Rules apply in priority order; an image selected by a rule is never acted on by a lower
  one (whether or not that rule marked it), and lower rules still count it.
- An image referenced by a manifest list is not expired or archived while the list is
  kept in the standard storage class (an archived list protects nothing); an artifact whose
  subject is expired (archived) is expired (archived) with it.

Implementation: images are sorted once, newest first; a rule's selection is a bit mask over
that order (bit r = r-th newest image), so a rule costs a few big-integer operations; tag
matches come from bisecting a sorted index of all tags, and a pattern matches a tag in time
linear in the tag's length (no backtracking). O(n log n) in the number of images.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from itertools import chain, compress, repeat
from operator import add, attrgetter, itemgetter, methodcaller
from typing import Any, NamedTuple

from ..errors import EcrConstructsError, LifecyclePolicyError, Problem
from .images import Image, ImageStatus, parse_images, read_timestamp
from .model import (
    CountType,
    LifecycleAction,
    LifecyclePolicy,
    LifecycleRule,
    StorageClass,
    TagList,
    TagStatus,
)

_DAY = timedelta(days=1)
_LAST_CHAR = "\U0010ffff"
_BITS = bytes.maketrans(b"\x00\x01", b"01")
# Per-image codes: 2 x status (ACTIVE 0, ARCHIVED 1, ACTIVATING 2) + 1 when tagged.
_STATUS_CODE = {"ACTIVE": 0, "ARCHIVED": 2, "ACTIVATING": 4}
_IS_ACTIVE = bytes.maketrans(b"\x00\x01\x02\x03\x04\x05", b"\x01\x01\x00\x00\x00\x00")
_IS_ARCHIVED = bytes.maketrans(b"\x00\x01\x02\x03\x04\x05", b"\x00\x00\x01\x01\x00\x00")
_IS_TAGGED = bytes.maketrans(b"\x00\x01\x02\x03\x04\x05", b"\x00\x01\x00\x01\x00\x01")
_DIGIT_FLAGS = bytes.maketrans(b"01", b"\x00\x01")


class ImageAction(StrEnum):
    """The simulator's decision for one image."""

    EXPIRE = "expire"
    TRANSITION = "transition"
    KEEP = "keep"


_FIELD_NAMES = ("pushed_at", "activated_at", "status", "tags", "last_pulled_at", "archived_at")
_TIMESTAMP = methodcaller("timestamp")
_NEVER = float("inf")  # the time of an event that did not happen, compared as "after"
_NEVER_BEFORE = float("-inf")  # ... compared as "before"
_NEW = tuple.__new__  # builds a NamedTuple from a tuple without its Python-level __new__
_IMAGE = itemgetter(0)
_ACTION = itemgetter(1)
_DIGEST = attrgetter("digest")
_SIZE = attrgetter("size_bytes")
_SUBJECT = attrgetter("subject_digest")
_CHILDREN = attrgetter("manifest_digests")


class Decision(NamedTuple):
    """One image's fate: ``action`` by the rule of ``rule_priority`` (None when kept).

    ``reason`` explains decisions that are not simply a rule's: an artifact following its
    subject, an image held by the manifest list that references it, an image being restored.
    """

    image: Image
    action: ImageAction
    rule_priority: int | None
    reason: str | None = None


@dataclass(frozen=True)
class SimulationResult:
    """Decisions in input order, with the digests per action and the bytes expiry frees.

    ``bytes_freed`` and ``bytes_archived`` sum ``size_bytes`` of expired and transitioned
    images (an image of unknown size counts 0).
    """

    now: datetime
    decisions: tuple[Decision, ...]
    expired: list[str] = field(init=False)
    archived: list[str] = field(init=False)
    kept: list[str] = field(init=False)
    bytes_freed: int = field(init=False)
    bytes_archived: int = field(init=False)

    def __post_init__(self) -> None:
        images = list(map(_IMAGE, self.decisions))
        actions = list(map(_ACTION, self.decisions))
        for name, action in (
            ("expired", ImageAction.EXPIRE),
            ("archived", ImageAction.TRANSITION),
            ("kept", ImageAction.KEEP),
        ):
            chosen = list(compress(images, map(action.__eq__, actions)))
            object.__setattr__(self, name, list(map(_DIGEST, chosen)))
            if action is not ImageAction.KEEP:
                size = sum(filter(None, map(_SIZE, chosen)))
                object.__setattr__(self, f"bytes_{'freed' if name == 'expired' else name}", size)

    def decision(self, digest: str) -> Decision:
        """The decision for the image with this digest (KeyError if there is none)."""
        for decision in self.decisions:
            if decision.image.digest == digest:
                return decision
        raise KeyError(digest)

    def to_dict(self) -> dict[str, Any]:
        """``{"expired", "archived", "kept": [digests], "decisions": [{"imageDigest",
        "imageTags", "action", "rulePriority"}]}``, decisions in input order."""
        return {
            "expired": list(self.expired),
            "archived": list(self.archived),
            "kept": list(self.kept),
            "decisions": [
                {
                    "imageDigest": d.image.digest,
                    "imageTags": list(d.image.tags),
                    "action": d.action.value,
                    "rulePriority": d.rule_priority,
                }
                for d in self.decisions
            ],
        }


def as_policy(policy: Any) -> LifecyclePolicy:
    """A :class:`LifecyclePolicy` from itself, its JSON text, its dict, or a
    get-lifecycle-policy response (``{"lifecyclePolicyText": ...}``). Validated."""
    if isinstance(policy, LifecyclePolicy):
        return policy
    if isinstance(policy, str | bytes):
        return LifecyclePolicy.from_json(policy)
    if isinstance(policy, Mapping):
        if "lifecyclePolicyText" in policy:
            return LifecyclePolicy.from_json(policy["lifecyclePolicyText"])
        return LifecyclePolicy.from_dict(policy)
    raise LifecyclePolicyError.from_problems(
        [
            Problem(
                "policy",
                "is not a lifecycle policy",
                type(policy).__name__,
                "a LifecyclePolicy (such as Repository.lifecycle_policy), its JSON text or dict",
                path=(),
            )
        ]
    )


def simulate(
    policy: Any, images: Any, *, now: datetime | str | float | None = None
) -> SimulationResult:
    """Decide what ``policy`` does to ``images`` at ``now``, as ECR's evaluator would.

    :param policy: a :class:`LifecyclePolicy` (a ``Repository``'s ``.lifecycle_policy``),
        its JSON text or dict.
    :param images: a describe-images response, its ``imageDetails`` list, or :class:`Image`
        objects (see :func:`~ecr_constructs.lifecycle.images.parse_images`).
    :param now: the moment of evaluation, in any form the images take (a datetime, an ISO
        8601 string such as ``"2026-01-31"`` or ``"2026-01-31T12:00:00Z"``, epoch seconds); a
        time without a zone is UTC. Default: the current time.
    :raises LifecyclePolicyError: the policy is not valid.
    :raises ImageDataError: an image lacks a required field or has a malformed one.
    :raises EcrConstructsError: ``now`` is not a timestamp.
    """
    rules = as_policy(policy).rules
    items = parse_images(images)
    when = evaluation_time(now)
    return SimulationResult(when, _Evaluation(items, when).decide(rules))


def evaluation_time(now: Any) -> datetime:
    """``now`` as an aware datetime (the current time when None; no zone means UTC).

    :raises EcrConstructsError: at ``now``, naming what was given and what is allowed.
    """
    if now is None:
        return datetime.now(UTC)
    problems: list[Problem] = []
    when = read_timestamp(now, (), "now", problems)
    if problems:
        raise EcrConstructsError.from_problems(problems)
    assert isinstance(when, datetime)
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _later(pushed: datetime, activated: datetime | None) -> datetime:
    """Push time, or the restore time of an image restored from the archive since."""
    return pushed if activated is None or activated < pushed else activated


class _Evaluation:
    """Images sorted newest first, with per-image data precomputed once for every rule.

    Sets of images are bit masks over that order: bit r stands for the r-th newest image.
    Times are POSIX seconds: every timestamp is a whole number of microseconds, and a float
    keeps distinct microseconds distinct and in order until the year 2255, so comparing
    them is exact.
    """

    def __init__(self, images: tuple[Image, ...], now: datetime) -> None:
        self.images = images
        self.now = now
        n = self.n = len(images)
        # The fields rules read, one column each, reading the images in memory order.
        columns = [tuple(map(attrgetter(name), images)) for name in _FIELD_NAMES]
        pushed_at, activated, statuses, tag_lists, self._pulled_at, self._archived_at = columns
        self.statuses: tuple[ImageStatus, ...] = statuses
        if any(activated):  # restored images count from their restore
            pushed_at = tuple(map(_later, pushed_at, activated))
        pushed = list(map(_TIMESTAMP, pushed_at))
        order = sorted(range(n), key=pushed.__getitem__, reverse=True)
        self.pushed = list(map(pushed.__getitem__, order))
        if len(set(pushed)) != n:
            _order_ties_by_digest(order, self.pushed, images)
        self.order = order
        rank = self.rank = [0] * n
        deque(map(rank.__setitem__, order, range(n)), maxlen=0)
        self.pushed_ascending = self.pushed[::-1]
        self.full = (1 << n) - 1
        # One code per image (status, tagged or not), rearranged newest first once.
        codes = bytes(map(add, map(_STATUS_CODE.__getitem__, statuses), map(bool, tag_lists)))
        by_rank = bytes(map(codes.__getitem__, order))
        self.class_mask = {
            StorageClass.STANDARD: self._from_flags(by_rank.translate(_IS_ACTIVE)),
            StorageClass.ARCHIVE: self._from_flags(by_rank.translate(_IS_ARCHIVED)),
        }
        self.tagged = self._from_flags(by_rank.translate(_IS_TAGGED))
        tags = list(chain.from_iterable(tag_lists))
        owners = list(chain.from_iterable(map(repeat, rank, map(len, tag_lists))))
        by_tag = sorted(range(len(tags)), key=tags.__getitem__)
        self.tag_keys = list(map(tags.__getitem__, by_tag))
        self.tag_owner = list(map(owners.__getitem__, by_tag))
        self._entry_masks: dict[tuple[TagList, str], int] = {}
        self._optional_times: dict[str, list[float]] = {}
        self._age_masks: dict[tuple[CountType, int], int] = {}

    @staticmethod
    def _from_flags(flags: bytes) -> int:
        """The mask of a 0/1 byte per image, in newest-first order."""
        return int(flags.translate(_BITS)[::-1], 2) if flags else 0

    def _mask_of(self, positions: Iterable[int]) -> int:
        digits = bytearray(b"0") * self.n
        deque(map(digits.__setitem__, positions, repeat(49)), maxlen=0)  # "1" at each
        return int(digits[::-1], 2) if digits else 0

    @staticmethod
    def _without_newest(mask: int, count: int) -> int:
        """``mask`` without its ``count`` lowest set bits (the newest images)."""
        if mask.bit_count() <= count:
            return 0
        low, high = 0, mask.bit_length()
        while low < high:  # smallest width whose low bits hold `count` images
            middle = (low + high) // 2
            if (mask & ((1 << middle) - 1)).bit_count() >= count:
                high = middle
            else:
                low = middle + 1
        return mask >> low << low

    def _entry_mask(self, entry: str, kind: TagList) -> int:
        """Images with at least one tag starting with ``entry`` (prefix) or matching it."""
        pattern = kind is TagList.PATTERNS
        key = (kind, entry)
        cached = self._entry_masks.get(key)
        if cached is not None:
            return cached
        literal = entry.split("*", 1)[0] if pattern else entry
        keys = self.tag_keys
        start = bisect_left(keys, literal)
        if pattern and "*" not in entry:
            stop = bisect_right(keys, entry, start)
        else:
            stop = bisect_left(keys, literal + _LAST_CHAR, start)
        tags, owners = keys[start:stop], self.tag_owner[start:stop]
        if pattern and "*" in entry:
            parts = entry.split("*")
            # Fast tests first (the end every match has, text every match contains), then
            # the pattern on what passes.
            for test, text in (
                (str.endswith, parts[-1]),
                (str.__contains__, max(parts[1:-1], key=len, default="")),
            ):
                if text:
                    maybe = list(compress(range(len(tags)), map(test, tags, repeat(text))))
                    tags = list(map(tags.__getitem__, maybe))
                    owners = list(map(owners.__getitem__, maybe))
            owners = list(compress(owners, map(_compile(entry).fullmatch, tags)))
        mask = self._entry_masks[key] = self._mask_of(owners)
        return mask

    def _selection(self, rule: LifecycleRule) -> int:
        mask = self.class_mask[rule.effective_storage_class]
        if rule.tag_status is TagStatus.UNTAGGED:
            return mask & ~self.tagged
        if rule.tag_status is TagStatus.ANY:
            return mask
        kind = TagList.PATTERNS if rule.tag_pattern_list is not None else TagList.PREFIXES
        mask &= self.tagged
        for entry in rule.tag_list:
            mask &= self._entry_mask(entry, kind)
        return mask

    def _older_than(self, count_type: CountType, days: int) -> int:
        """Images whose push, last use or archiving is ``days`` x 24 hours or more before
        ``now``: "more than N days" in elapsed time, the exact instant counted as past it
        (ECR acts later, so the preview errs toward the action)."""
        key = (count_type, days)
        cached = self._age_masks.get(key)
        if cached is not None:
            return cached
        try:
            cutoff = (self.now - days * _DAY).timestamp()
        except OverflowError:  # before year 1: nothing is that old
            mask = 0
        else:
            pushed_before = self.n - bisect_right(self.pushed_ascending, cutoff)
            pushed_old = self.full >> pushed_before << pushed_before
            if count_type is CountType.SINCE_IMAGE_PUSHED:
                mask = pushed_old
            elif count_type is CountType.SINCE_IMAGE_PULLED:  # last pull, else restore or push
                pulled = self._times("pulled", self._pulled_at, _NEVER_BEFORE)
                mask = pushed_old & ~self._from_flags(bytes(map(cutoff.__lt__, pulled)))
            else:
                archived = self._times("archived", self._archived_at, _NEVER)
                mask = self._from_flags(bytes(map(cutoff.__ge__, archived)))
        self._age_masks[key] = mask
        return mask

    def _times(
        self, name: str, moments: tuple[datetime | None, ...], missing: float
    ) -> list[float]:
        """An optional time of every image, newest first, as POSIX seconds."""
        times = self._optional_times.get(name)
        if times is None:
            by_input = [missing if moment is None else moment.timestamp() for moment in moments]
            times = self._optional_times[name] = list(map(by_input.__getitem__, self.order))
        return times

    def decide(self, rules: Sequence[LifecycleRule]) -> tuple[Decision, ...]:
        # Each image is marked by at most one rule. Rule i (1-based) adds its marks to the
        # masks of the bits set in i, so every image's rule number is decoded in one go.
        number_bits = [0] * max(1, len(rules)).bit_length()
        selected_above = 0
        for number, rule in enumerate(rules, start=1):  # sorted by rulePriority
            selection = self._selection(rule)
            if rule.count_type is CountType.IMAGE_COUNT_MORE_THAN:
                candidates = self._without_newest(selection, rule.count_number)
            else:
                candidates = selection & self._older_than(rule.count_type, rule.count_number)
            marked = candidates & ~selected_above
            for bit in range(number.bit_length()):
                if number >> bit & 1:
                    number_bits[bit] |= marked
            selected_above |= selection
        numbers = sum(self._spread(mask) << bit for bit, mask in enumerate(number_bits))
        by_rank = numbers.to_bytes(self.n, "little")
        by_input = bytes(map(by_rank.__getitem__, self.rank))
        actions = [ImageAction.KEEP] + [
            ImageAction.EXPIRE
            if rule.action_type is LifecycleAction.EXPIRE
            else ImageAction.TRANSITION
            for rule in rules
        ]
        priorities = [None, *(rule.rule_priority for rule in rules)]
        decisions = list(
            map(
                _NEW,
                repeat(Decision),
                zip(
                    self.images,
                    map(actions.__getitem__, by_input),
                    map(priorities.__getitem__, by_input),
                    repeat(None),
                ),
            )
        )
        restoring = map(ImageStatus.ACTIVATING.__eq__, self.statuses)
        for k in compress(range(self.n), restoring):
            decisions[k] = decisions[k]._replace(reason="being restored (ACTIVATING)")
        _References(decisions).apply()
        return tuple(decisions)

    def _spread(self, mask: int) -> int:
        """``mask`` with bit r moved to byte r (value 0 or 1)."""
        flags = format(mask, "b").encode().translate(_DIGIT_FLAGS)
        return int.from_bytes(flags, "big")


class _References:
    """Decisions constrained by references between images, changed in place: a manifest
    list holds the images it references; an artifact follows its subject.

    An image's decision depends on its subject's and on its manifest lists'. Where a list's
    own decision depends on an image it references (the list is also that image's artifact,
    directly or through others), the list does not hold that image: the two fates would
    otherwise wait on each other, and the preview errs toward reporting the action.
    """

    def __init__(self, decisions: list[Decision]) -> None:
        self.decisions = decisions
        self.subject: dict[int, int] = {}
        self.lists: dict[int, list[int]] = {}
        images = list(map(_IMAGE, decisions))
        if any(map(_SUBJECT, images)) or any(map(_CHILDREN, images)):
            where = {image.digest: k for k, image in enumerate(images)}
            for k, image in enumerate(images):
                subject = where.get(image.subject_digest or "")
                if subject is not None and subject != k:
                    self.subject[k] = subject
                for child in image.manifest_digests:
                    position = where.get(child)
                    if position is not None and position != k:
                        self.lists.setdefault(position, []).append(k)
            self._drop_circular_holds()
        self.resolved: set[int] = set()

    def _drop_circular_holds(self) -> None:
        """Forget each hold by a list that depends on the image it holds (the two are in one
        strongly connected component of the dependencies)."""
        component = _components(
            {*self.subject, *self.subject.values(), *self.lists, *chain(*self.lists.values())},
            self._dependencies,
        )
        digest = [decision.image.digest for decision in self.decisions]
        for k, holders in self.lists.items():  # by digest: reasons name the same list always
            holders[:] = sorted(
                (h for h in holders if component[h] != component[k]), key=digest.__getitem__
            )

    def apply(self) -> None:
        for k in (*self.subject, *self.lists):
            self._resolve(k)

    def _dependencies(self, k: int) -> list[int]:
        subject = self.subject.get(k)
        return ([] if subject is None else [subject]) + self.lists.get(k, [])

    def _resolve(self, start: int) -> None:
        """Decide ``start`` after what it depends on (depth first, without recursion); in a
        reference cycle, which real images can't form, the pending image counts as kept."""
        stack = [start]
        pending: set[int] = set()
        while stack:
            k = stack[-1]
            if k in self.resolved:
                stack.pop()
                continue
            if k not in pending:
                pending.add(k)
                waiting = [
                    d for d in self._dependencies(k) if d not in self.resolved and d not in pending
                ]
                if waiting:
                    stack.extend(waiting)
                    continue
            self.decisions[k] = self._constrained(k)
            self.resolved.add(k)
            pending.discard(k)
            stack.pop()

    def _protects(self, holder: int) -> bool:
        """A manifest list protects the images it references while it stays in the standard
        storage class: once it is archived (or being restored from the archive), or is
        itself expired or archived, they are no longer held."""
        return (
            self._settled(holder) is ImageAction.KEEP
            and self.decisions[holder].image.status is ImageStatus.ACTIVE
        )

    def _settled(self, k: int) -> ImageAction:
        """The action decided for ``k``; kept while undecided (a cycle)."""
        return self.decisions[k].action if k in self.resolved else ImageAction.KEEP

    def _constrained(self, k: int) -> Decision:
        decision = self.decisions[k]
        image = decision.image
        subject = self.subject.get(k)
        if subject is not None:
            followed = self._settled(subject)
            reason = f"follows its subject {self.decisions[subject].image.digest}"
            priority = self.decisions[subject].rule_priority
            if followed is ImageAction.EXPIRE and decision.action is not ImageAction.EXPIRE:
                decision = Decision(image, ImageAction.EXPIRE, priority, reason)
            elif (
                followed is ImageAction.TRANSITION
                and decision.action is ImageAction.KEEP
                and image.status is ImageStatus.ACTIVE
            ):
                decision = Decision(image, ImageAction.TRANSITION, priority, reason)
        if decision.action is not ImageAction.KEEP:
            for holder in self.lists.get(k, ()):
                if self._protects(holder):
                    held_by = self.decisions[holder].image.digest
                    return Decision(
                        image,
                        ImageAction.KEEP,
                        None,
                        f"referenced by manifest list {held_by}, which is kept",
                    )
        return decision


def _components(nodes: Iterable[int], edges: Callable[[int], list[int]]) -> dict[int, int]:
    """The strongly connected component of every node (Tarjan's algorithm, without
    recursion): two nodes share a number exactly when each reaches the other."""
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    component: dict[int, int] = {}
    stack: list[int] = []
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(edges(root)))]
        index[root] = low[root] = len(index)
        stack.append(root)
        while work:
            node, pending = work[-1]
            following = next(pending, None)
            if following is None:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    while True:
                        member = stack.pop()
                        component[member] = node
                        if member == node:
                            break
            elif following not in index:
                index[following] = low[following] = len(index)
                stack.append(following)
                work.append((following, iter(edges(following))))
            elif following not in component:
                low[node] = min(low[node], index[following])
    return component


def _order_ties_by_digest(order: list[int], ranked: list[float], images: Sequence[Image]) -> None:
    """Within each run of equal push times in ``order`` (``ranked``: their push times,
    newest first), order by digest."""
    runs: list[list[int]] = []
    for position in compress(range(len(ranked) - 1), map(float.__eq__, ranked, ranked[1:])):
        if runs and runs[-1][1] == position:
            runs[-1][1] = position + 1
        else:
            runs.append([position, position + 1])
    for start, end in runs:
        order[start : end + 1] = sorted(order[start : end + 1], key=lambda k: images[k].digest)


def _compile(pattern: str) -> re.Pattern[str]:
    """An ECR tag pattern (with at least one ``*``, any run of characters) as a regular
    expression that never backtracks into a wildcard: each literal between two wildcards
    takes its first occurrence (an atomic group), which leaves the most room for the rest,
    so a match exists exactly when this one succeeds. A tag costs time linear in its length
    (a backtracking ``.*a.*a.*a.*a`` costs its length to the fourth power)."""
    first, *middle, last = pattern.split("*")
    inner = "".join(f"(?>.*?{re.escape(part)})" for part in middle if part)
    return re.compile(f"{re.escape(first)}{inner}.*{re.escape(last)}", re.DOTALL)
