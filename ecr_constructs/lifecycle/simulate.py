"""What a lifecycle policy does to a repository's images: ECR's evaluation, offline.

Pure Python. :func:`simulate` decides, for each image, ``expire``, ``transition`` (to the
archive storage class) or ``keep``, and names the rule responsible. The semantics, in plain
words, are in ``docs/simulator.md``; in short (ECR User Guide, "Lifecycle policy evaluation
rules"):

- Every rule selects, from the images of its storage class (ACTIVE images for
  ``standard``, ARCHIVED images for ``archive``), those whose tags satisfy its tag selection;
  ``imageCountMoreThan N`` marks all but the newest N of them, the ``since*`` types mark
  those more than N whole days past the event.
- Rules apply in priority order; an image selected by a rule is never acted on by a lower
  one (whether or not that rule marked it), and lower rules still count it.
- An image referenced by a manifest list is not expired or archived while the list is
  kept; an artifact whose subject is expired (archived) is expired (archived) with it.

Implementation: images are sorted once, newest first; a rule's selection is a bit mask over
that order (bit r = r-th newest image), so a rule costs a few big-integer operations; tag
matches come from bisecting a sorted index of all tags. O(n log n) in the number of images.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from itertools import compress
from typing import Any, NamedTuple

from ..errors import LifecyclePolicyError
from .images import Image, ImageStatus, parse_images
from .model import (
    CountType,
    LifecycleAction,
    LifecyclePolicy,
    LifecycleRule,
    StorageClass,
    TagStatus,
)

_DAY = timedelta(days=1)
_ONE = re.compile("1")
_LAST_CHAR = "\U0010ffff"
_BITS = bytes.maketrans(b"\x00\x01", b"01")


class ImageAction(StrEnum):
    """The simulator's decision for one image."""

    EXPIRE = "expire"
    TRANSITION = "transition"
    KEEP = "keep"


_Mark = tuple[ImageAction, int]


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
        for name, action in (
            ("expired", ImageAction.EXPIRE),
            ("archived", ImageAction.TRANSITION),
            ("kept", ImageAction.KEEP),
        ):
            images = [d.image for d in self.decisions if d.action is action]
            object.__setattr__(self, name, [image.digest for image in images])
            if action is not ImageAction.KEEP:
                size = sum(image.size_bytes or 0 for image in images)
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
    if isinstance(policy, bytes):
        policy = policy.decode("utf-8", errors="replace")
    if isinstance(policy, str):
        return LifecyclePolicy.from_json(policy)
    if isinstance(policy, Mapping):
        if "lifecyclePolicyText" in policy:
            return LifecyclePolicy.from_json(policy["lifecyclePolicyText"])
        return LifecyclePolicy.from_dict(policy)
    raise LifecyclePolicyError(
        "policy",
        "is not a lifecycle policy",
        given=type(policy).__name__,
        allowed="a LifecyclePolicy (such as Repository.lifecycle_policy), its JSON text or dict",
    )


def simulate(policy: Any, images: Any, *, now: datetime | None = None) -> SimulationResult:
    """Decide what ``policy`` does to ``images`` at ``now``, as ECR's evaluator would.

    :param policy: a :class:`LifecyclePolicy` (a ``Repository``'s ``.lifecycle_policy``),
        its JSON text or dict.
    :param images: a describe-images response, its ``imageDetails`` list, or :class:`Image`
        objects (see :func:`~ecr_constructs.lifecycle.images.parse_images`).
    :param now: the moment of evaluation; a naive datetime is UTC. Default: the current time.
    :raises LifecyclePolicyError: the policy is not valid.
    :raises ImageDataError: an image lacks a required field or has a malformed one.
    """
    rules = as_policy(policy).rules
    items = parse_images(images)
    when = datetime.now(UTC) if now is None else now
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return SimulationResult(when, _Evaluation(items, when).decide(rules))


def _effective_push(image: Image) -> datetime:
    """Push time, or the restore time of an image restored from the archive since."""
    activated = image.activated_at
    return image.pushed_at if activated is None or activated < image.pushed_at else activated


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
        pushed = [_effective_push(image).timestamp() for image in images]
        order = sorted(range(n), key=[image.digest for image in images].__getitem__)
        order.sort(key=pushed.__getitem__, reverse=True)  # stable: equal times by digest
        self.order = order
        by_rank = self.by_rank = [images[k] for k in order]
        self.pushed = [pushed[k] for k in order]
        self.pushed_ascending = self.pushed[::-1]
        self.full = (1 << n) - 1
        self.class_mask = {
            StorageClass.STANDARD: self._from_flags(
                bytes([image.status is ImageStatus.ACTIVE for image in by_rank])
            ),
            StorageClass.ARCHIVE: self._from_flags(
                bytes([image.status is ImageStatus.ARCHIVED for image in by_rank])
            ),
        }
        self.tagged = self._from_flags(bytes([bool(image.tags) for image in by_rank]))
        index = sorted(
            [(tag, position) for position, image in enumerate(by_rank) for tag in image.tags]
        )
        self.tag_keys = [tag for tag, _ in index]
        self.tag_owner = [position for _, position in index]
        self._entry_masks: dict[tuple[bool, str], int] = {}
        self._events: dict[CountType, tuple[list[float], list[int]]] = {}
        self._age_masks: dict[tuple[CountType, int], int] = {}

    @staticmethod
    def _from_flags(flags: bytes) -> int:
        """The mask of a 0/1 byte per image, in newest-first order."""
        return int(flags.translate(_BITS)[::-1], 2) if flags else 0

    def _mask_of(self, positions: Iterable[int]) -> int:
        digits = bytearray(b"0") * self.n
        last = self.n - 1
        for position in positions:
            digits[last - position] = 49
        return int(digits, 2) if digits else 0

    @staticmethod
    def _positions(mask: int) -> list[int]:
        bits = format(mask, "b")[::-1]
        return [match.start() for match in _ONE.finditer(bits)]

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

    def _entry_mask(self, entry: str, *, pattern: bool) -> int:
        """Images with at least one tag starting with ``entry`` (prefix) or matching it."""
        key = (pattern, entry)
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
        owners: Iterable[int] = self.tag_owner[start:stop]
        if pattern and "*" in entry:
            owners = compress(owners, map(_compile(entry).fullmatch, keys[start:stop]))
        mask = self._entry_masks[key] = self._mask_of(owners)
        return mask

    def _selection(self, rule: LifecycleRule) -> int:
        mask = self.class_mask[rule.effective_storage_class]
        if rule.tag_status is TagStatus.UNTAGGED:
            return mask & ~self.tagged
        if rule.tag_status is TagStatus.ANY:
            return mask
        pattern = rule.tag_pattern_list is not None
        mask &= self.tagged
        for entry in rule.tag_list:
            mask &= self._entry_mask(entry, pattern=pattern)
        return mask

    def _older_than(self, count_type: CountType, days: int) -> int:
        """Images whose push, last use or archiving is more than ``days`` whole days ago:
        at or before ``now - (days + 1) days``."""
        key = (count_type, days)
        cached = self._age_masks.get(key)
        if cached is not None:
            return cached
        try:
            cutoff = (self.now - (days + 1) * _DAY).timestamp()
        except OverflowError:  # before year 1: nothing is that old
            mask = 0
        else:
            if count_type is CountType.SINCE_IMAGE_PUSHED:
                newer = self.n - bisect_right(self.pushed_ascending, cutoff)
                mask = self.full >> newer << newer
            else:
                moments, positions = self._events_of(count_type)
                mask = self._mask_of(positions[: bisect_right(moments, cutoff)])
        self._age_masks[key] = mask
        return mask

    def _events_of(self, count_type: CountType) -> tuple[list[float], list[int]]:
        """For sinceImagePulled, each image's last use (last pull, else restore, else push);
        for sinceImageTransitioned, archived images' archiving time. Ascending, with the
        images' positions."""
        events = self._events.get(count_type)
        if events is None:
            moments: list[float | None]
            if count_type is CountType.SINCE_IMAGE_PULLED:
                moments = [
                    pushed
                    if (pulled := image.last_pulled_at) is None
                    or (moment := pulled.timestamp()) < pushed
                    else moment
                    for pushed, image in zip(self.pushed, self.by_rank, strict=True)
                ]
            else:
                moments = [
                    None if image.archived_at is None else image.archived_at.timestamp()
                    for image in self.by_rank
                ]
            timed = [(moment, r) for r, moment in enumerate(moments) if moment is not None]
            timed.sort()
            events = self._events[count_type] = (
                [moment for moment, _ in timed],
                [position for _, position in timed],
            )
        return events

    def decide(self, rules: Sequence[LifecycleRule]) -> tuple[Decision, ...]:
        marked: list[_Mark | None] = [None] * self.n
        selected_above = 0
        order = self.order
        for rule in rules:  # sorted by rulePriority
            mark = (
                ImageAction.EXPIRE
                if rule.action_type is LifecycleAction.EXPIRE
                else ImageAction.TRANSITION,
                rule.rule_priority,
            )
            selection = self._selection(rule)
            if rule.count_type is CountType.IMAGE_COUNT_MORE_THAN:
                candidates = self._without_newest(selection, rule.count_number)
            else:
                candidates = selection & self._older_than(rule.count_type, rule.count_number)
            for position in self._positions(candidates & ~selected_above):
                marked[order[position]] = mark
            selected_above |= selection
        return _Resolution(self.images, marked).decisions()


class _Resolution:
    """Rule marks turned into final decisions: manifest lists hold the images they
    reference, artifacts follow their subject."""

    def __init__(self, images: tuple[Image, ...], marked: list[_Mark | None]) -> None:
        self.images = images
        self.marked = marked
        self.subject: dict[int, int] = {}
        self.lists: dict[int, list[int]] = {}
        if any(image.subject_digest or image.manifest_digests for image in images):
            where = {image.digest: k for k, image in enumerate(images)}
            for k, image in enumerate(images):
                subject = where.get(image.subject_digest or "")
                if subject is not None and subject != k:
                    self.subject[k] = subject
                for child in image.manifest_digests:
                    position = where.get(child)
                    if position is not None and position != k:
                        self.lists.setdefault(position, []).append(k)
        self.final: dict[int, Decision] = {}

    def _marked(self, k: int) -> Decision:
        return _decision(self.images[k], self.marked[k])

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
            if k in self.final:
                stack.pop()
                continue
            if k not in pending:
                pending.add(k)
                waiting = [
                    d for d in self._dependencies(k) if d not in self.final and d not in pending
                ]
                if waiting:
                    stack.extend(waiting)
                    continue
            self.final[k] = self._constrained(k)
            pending.discard(k)
            stack.pop()

    def _constrained(self, k: int) -> Decision:
        decision = self._marked(k)
        image = decision.image
        subject = self.subject.get(k)
        if subject is not None:
            followed = self.final.get(subject)
            if followed is not None:
                reason = f"follows its subject {self.images[subject].digest}"
                if (
                    followed.action is ImageAction.EXPIRE
                    and decision.action is not ImageAction.EXPIRE
                ):
                    decision = Decision(image, ImageAction.EXPIRE, followed.rule_priority, reason)
                elif (
                    followed.action is ImageAction.TRANSITION
                    and decision.action is ImageAction.KEEP
                    and image.status is ImageStatus.ACTIVE
                ):
                    decision = Decision(
                        image, ImageAction.TRANSITION, followed.rule_priority, reason
                    )
        if decision.action is not ImageAction.KEEP:
            for holder in self.lists.get(k, ()):
                held = self.final.get(holder)
                if held is None or held.action is ImageAction.KEEP:
                    return Decision(
                        image,
                        ImageAction.KEEP,
                        None,
                        f"referenced by manifest list {self.images[holder].digest}, which is kept",
                    )
        return decision

    def decisions(self) -> tuple[Decision, ...]:
        for k in (*self.subject, *self.lists):
            self._resolve(k)
        if not self.final:
            return tuple(map(_decision, self.images, self.marked))
        final = self.final
        return tuple(final[k] if k in final else self._marked(k) for k in range(len(self.images)))


_KEPT = (ImageAction.KEEP, None)


def _decision(image: Image, mark: _Mark | None) -> Decision:
    """The decision of a rule's mark (None: no rule acts on the image)."""
    if mark is None and image.status is ImageStatus.ACTIVATING:
        return Decision(image, ImageAction.KEEP, None, "being restored (ACTIVATING)")
    action, priority = mark or _KEPT
    return tuple.__new__(Decision, (image, action, priority, None))  # NamedTuple, fast path


def _compile(pattern: str) -> re.Pattern[str]:
    """An ECR tag pattern as a regular expression: ``*`` is any run of characters."""
    return re.compile(".*".join(re.escape(part) for part in pattern.split("*")), re.DOTALL)
