"""Lifecycle presets: readable building blocks that compose into a valid ECR policy.

``Lifecycle.<preset>(...)`` returns a :class:`LifecyclePreset`; a list of presets is a
policy in order of precedence (first = applied first), composed by
:meth:`Lifecycle.compose` / :meth:`LifecyclePolicy.from_presets`. The keyword names are the
keys of the registry file (``keep_last: {count: 10}`` calls ``Lifecycle.keep_last(count=10)``).

Lists of ``prefixes`` or ``patterns`` mean ANY OF: each entry renders its own rule, because
several entries in one ECR rule select only images matching ALL of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any, ClassVar, Final

from ..errors import LifecyclePolicyError, Problem
from .locations import located
from .model import (
    MIN_ARCHIVE_DAYS,
    CountType,
    CountUnit,
    LifecycleAction,
    LifecyclePolicy,
    LifecyclePreset,
    LifecycleRule,
    StorageClass,
    TagList,
    TagStatus,
    check_positive_int,
    check_tag_list,
)

PROTECT_DAYS: Final = 36_500
"""Age (100 years) of the ``protect_tags`` rule: it selects its tags but never fires in
practice. ECR documents no maximum for ``countNumber``; 36,500 days appears in deployed
public policies. ``imageCountMoreThan 9999`` (the older idiom) would delete once a repository
holds 10,000 matching images, which ECR's default quota of 20,000 images allows."""


class TagStrategy:
    """Common tagging conventions as tag patterns, for ``patterns=`` of any preset.

    ECR patterns know only ``*`` (any characters, at most 4 per pattern), so a strategy
    matches the shape of a tag, not its characters: ``*.*.*`` cannot insist on digits.
    Each constant is a tuple of patterns (ANY OF, one rule each).
    """

    SEMVER: Final = ("*.*.*",)
    """Semantic versions: ``1.2.3``, ``v1.2.3``, ``1.2.3-rc.1``. Any tag with two dots."""

    GIT_SHA: Final = ("sha-*",)
    """Commit tags in the ``sha-<hex>`` convention (docker/metadata-action's default).
    A bare 40-character SHA can't be told apart from other tags with ``*`` alone: tag
    commits with a prefix to manage them by lifecycle rules."""

    BUILD_NUMBER: Final = ("build-*",)
    """CI build numbers: ``build-123``."""

    DATE: Final = ("20*-*-*",)
    """Dates: ``2024-01-15`` (and anything after, such as ``2024-01-15.1``)."""

    ENVIRONMENT: Final = ("latest", "stable", "prod", "staging", "dev")
    """Moving environment tags, matched exactly (no ``*``). Five entries, so the list also
    fits ECR's limit of 5 tag-mutability exclusion filters."""


def _days(number: int) -> str:
    return f"{number} day" if number == 1 else f"{number} days"


def _what(tag: tuple[str, str] | None, *, untagged: bool = False) -> str:
    """The images a rule selects, in words."""
    if untagged:
        return "untagged images"
    if tag is None:
        return "images"
    kind, entry = tag
    return f"images tagged {entry}*" if kind == "prefix" else f"images with a tag matching {entry}"


def _show(values: Sequence[str]) -> str:
    return repr(list(values))


def _preset_name(name: str, positional: Sequence[object], **keywords: object) -> str:
    parts = [repr(value) for value in positional]
    for key, value in keywords.items():
        if value:
            parts.append(f"{key}={_show(value) if isinstance(value, tuple) else repr(value)}")
    return f"{name}({', '.join(parts)})"


class _Args:
    """Collects a preset's argument problems and raises them together."""

    def __init__(self, preset: str) -> None:
        self.preset = preset
        self.problems: list[Problem] = []

    def count(self, key: str, value: Any, *, minimum: int = 1) -> int:
        ok = check_positive_int(value, (self.preset, key), self.problems, minimum=minimum)
        return int(value) if ok else minimum

    def tags(self, prefixes: Any, patterns: Any, *, required: bool) -> list[tuple[str, str]] | None:
        """One (kind, entry) per rule to render; None selects all images (or on error)."""
        if prefixes is not None and patterns is not None:
            self.problems.append(
                located(
                    (self.preset, "patterns"),
                    "give prefixes or patterns, not both",
                    {"prefixes": prefixes, "patterns": patterns},
                    "prefixes or patterns (use two presets for both)",
                )
            )
            return None
        if prefixes is None and patterns is None:
            if required:
                self.problems.append(
                    located(
                        (self.preset,),
                        "needs prefixes or patterns to select tagged images",
                        None,
                        "prefixes=[...] or patterns=[...]",
                    )
                )
            return None
        kind, key, value = (
            ("prefix", "prefixes", prefixes)
            if prefixes is not None
            else ("pattern", "patterns", patterns)
        )
        entries = check_tag_list(
            value,
            (self.preset, key),
            self.problems,
            TagList.PATTERNS if kind == "pattern" else TagList.PREFIXES,
        )
        if entries is None:
            return None
        for index, entry in enumerate(entries):
            if entries.index(entry) != index:
                self.problems.append(
                    located(
                        (self.preset, key, index),
                        "is listed twice",
                        entry,
                        f"distinct {key}",
                    )
                )
        return [(kind, entry) for entry in entries]

    def one_of(self, **values: Any) -> None:
        given = {key: value for key, value in values.items() if value is not None}
        if len(given) != 1:
            self.problems.append(
                located(
                    (self.preset,),
                    "give exactly one of " + " or ".join(values),
                    given or None,
                    "exactly one of " + ", ".join(values),
                )
            )

    def done(self) -> None:
        if self.problems:
            raise LifecyclePolicyError.from_problems(self.problems)


def _rule(
    tag: tuple[str, str] | None,
    description: str,
    count_type: CountType,
    count_number: int,
    *,
    untagged: bool = False,
    action: LifecycleAction = LifecycleAction.EXPIRE,
    storage_class: StorageClass | None = None,
) -> LifecycleRule:
    """A rule template (priority 1 until composed) for one tag entry, untagged, or all."""
    status = TagStatus.ANY if tag is None else TagStatus.TAGGED
    if untagged:
        status = TagStatus.UNTAGGED
    return LifecycleRule(
        rule_priority=1,
        description=description,
        tag_status=status,
        tag_prefix_list=(tag[1],) if tag and tag[0] == "prefix" else None,
        tag_pattern_list=(tag[1],) if tag and tag[0] == "pattern" else None,
        storage_class=storage_class,
        count_type=count_type,
        count_unit=None if count_type is CountType.IMAGE_COUNT_MORE_THAN else CountUnit.DAYS,
        count_number=count_number,
        action_type=action,
        target_storage_class=StorageClass.ARCHIVE if action is LifecycleAction.TRANSITION else None,
    )


def _per_tag(
    tags: list[tuple[str, str]] | None, make: Callable[[tuple[str, str] | None], LifecycleRule]
) -> tuple[LifecycleRule, ...]:
    return tuple(make(tag) for tag in tags) if tags else (make(None),)


class Lifecycle:
    """Factories for lifecycle presets. A list of presets is a policy, first = applied first.

    Example::

        lifecycle=[
            Lifecycle.protect_tags(prefixes=["prod", "release"]),
            Lifecycle.expire_untagged(after_days=1),
            Lifecycle.expire_tagged(prefixes=["dev", "feature"], after_days=7),
            Lifecycle.keep_last(10),
        ]
    """

    DEFAULT: ClassVar[tuple[LifecyclePreset, ...]]
    """The policy a repository gets when none is given: untagged images not pulled for 90
    days move to the archive storage class. Nothing is ever deleted; archived images stay
    listed and are restored on request or by pushing them again."""

    @staticmethod
    def keep_last(
        count: int,
        *,
        prefixes: Sequence[str] | None = None,
        patterns: Sequence[str] | None = None,
    ) -> LifecyclePreset:
        """Keep the newest ``count`` images; expire older ones.

        Default: all images (tagStatus any, so it must be the last standard-class preset).
        With ``prefixes`` or ``patterns``, one rule per entry keeps the newest ``count``
        images of each.
        """
        args = _Args("keep_last")
        number = args.count("count", count)
        tags = args.tags(prefixes, patterns, required=False)
        args.done()
        rules = _per_tag(
            tags,
            lambda tag: _rule(
                tag,
                f"Keep the newest {number} {_what(tag)}; expire older ones",
                CountType.IMAGE_COUNT_MORE_THAN,
                number,
            ),
        )
        return LifecyclePreset(
            _preset_name(
                "keep_last", [number], prefixes=_tuple(prefixes), patterns=_tuple(patterns)
            ),
            f"keeps the newest {number} {_what_list(tags)}, expires older ones",
            rules,
            "keep_last",
        )

    @staticmethod
    def expire_untagged(
        after_days: int | None = None, *, keep_last: int | None = None
    ) -> LifecyclePreset:
        """Expire untagged images pushed more than ``after_days`` ago, or all but the newest
        ``keep_last`` of them (exactly one of the two)."""
        args = _Args("expire_untagged")
        args.one_of(after_days=after_days, keep_last=keep_last)
        if after_days is not None:
            args.count("after_days", after_days)
        if keep_last is not None:
            args.count("keep_last", keep_last)
        args.done()
        if after_days is not None:
            rule = _rule(
                None,
                f"Expire untagged images pushed more than {_days(after_days)} ago",
                CountType.SINCE_IMAGE_PUSHED,
                after_days,
                untagged=True,
            )
            return LifecyclePreset(
                _preset_name("expire_untagged", [after_days]),
                f"expires untagged images {_days(after_days)} after push",
                (rule,),
                "expire_untagged",
            )
        assert keep_last is not None
        rule = _rule(
            None,
            f"Keep the newest {keep_last} untagged images; expire older ones",
            CountType.IMAGE_COUNT_MORE_THAN,
            keep_last,
            untagged=True,
        )
        return LifecyclePreset(
            _preset_name("expire_untagged", [], keep_last=keep_last),
            f"keeps the newest {keep_last} untagged images, expires older ones",
            (rule,),
            "expire_untagged",
        )

    @staticmethod
    def protect_tags(
        *, prefixes: Sequence[str] | None = None, patterns: Sequence[str] | None = None
    ) -> LifecyclePreset:
        """Images with these tags are never expired or archived by later presets.

        ECR's idiom: an image that matches a rule's tag selection can't be expired by a
        lower-priority rule. Each entry renders a rule selecting it that expires only images
        pushed more than 36,500 days (100 years) ago, so it never deletes in practice.
        Put it first.
        """
        args = _Args("protect_tags")
        tags = args.tags(prefixes, patterns, required=True)
        args.done()
        assert tags is not None
        rules = tuple(
            _rule(
                tag,
                f"Protect {_what(tag)} from later rules (never expires: {PROTECT_DAYS} days)",
                CountType.SINCE_IMAGE_PUSHED,
                PROTECT_DAYS,
            )
            for tag in tags
        )
        return LifecyclePreset(
            _preset_name("protect_tags", [], prefixes=_tuple(prefixes), patterns=_tuple(patterns)),
            f"protects {_what_list(tags)} from every later rule, deletes nothing",
            rules,
            "protect_tags",
        )

    @staticmethod
    def expire_tagged(
        *,
        prefixes: Sequence[str] | None = None,
        patterns: Sequence[str] | None = None,
        after_days: int | None = None,
        keep_last: int | None = None,
    ) -> LifecyclePreset:
        """Expire images with these tags pushed more than ``after_days`` ago, or all but the
        newest ``keep_last`` per entry (exactly one of the two)."""
        args = _Args("expire_tagged")
        tags = args.tags(prefixes, patterns, required=True)
        args.one_of(after_days=after_days, keep_last=keep_last)
        if after_days is not None:
            args.count("after_days", after_days)
        if keep_last is not None:
            args.count("keep_last", keep_last)
        args.done()
        assert tags is not None
        name = _preset_name(
            "expire_tagged",
            [],
            prefixes=_tuple(prefixes),
            patterns=_tuple(patterns),
            after_days=after_days,
            keep_last=keep_last,
        )
        if after_days is not None:
            days = after_days
            rules = tuple(
                _rule(
                    tag,
                    f"Expire {_what(tag)} pushed more than {_days(days)} ago",
                    CountType.SINCE_IMAGE_PUSHED,
                    days,
                )
                for tag in tags
            )
            return LifecyclePreset(
                name, f"expires {_what_list(tags)} {_days(days)} after push", rules, "expire_tagged"
            )
        assert keep_last is not None
        count = keep_last
        rules = tuple(
            _rule(
                tag,
                f"Keep the newest {count} {_what(tag)}; expire older ones",
                CountType.IMAGE_COUNT_MORE_THAN,
                count,
            )
            for tag in tags
        )
        return LifecyclePreset(
            name,
            f"keeps the newest {count} {_what_list(tags)}, expires older ones",
            rules,
            "expire_tagged",
        )

    @staticmethod
    def archive_unpulled(
        after_days: int,
        *,
        prefixes: Sequence[str] | None = None,
        patterns: Sequence[str] | None = None,
        untagged: bool = False,
    ) -> LifecyclePreset:
        """Move images not pulled for ``after_days`` (never pulled: since push) to the archive
        storage class. Archived images can't be pulled until restored; nothing is deleted.

        Default: all images (tagStatus any). ``prefixes``/``patterns`` select tags (one rule
        per entry); ``untagged=True`` adds untagged images (alone: only untagged images).
        """
        return _archive(
            "archive_unpulled",
            CountType.SINCE_IMAGE_PULLED,
            "not pulled for {}",
            after_days,
            prefixes,
            patterns,
            untagged,
        )

    @staticmethod
    def archive_old(
        after_days: int,
        *,
        prefixes: Sequence[str] | None = None,
        patterns: Sequence[str] | None = None,
        untagged: bool = False,
    ) -> LifecyclePreset:
        """Move images pushed more than ``after_days`` ago to the archive storage class.
        Selection as in :meth:`archive_unpulled`."""
        return _archive(
            "archive_old",
            CountType.SINCE_IMAGE_PUSHED,
            "pushed more than {} ago",
            after_days,
            prefixes,
            patterns,
            untagged,
        )

    @staticmethod
    def expire_archived(after_days: int) -> LifecyclePreset:
        """Delete images that have been in the archive storage class for ``after_days``
        (at least 90: ECR's minimum archive storage duration)."""
        args = _Args("expire_archived")
        days = args.count("after_days", after_days, minimum=MIN_ARCHIVE_DAYS)
        args.done()
        rule = _rule(
            None,
            f"Expire images archived more than {_days(days)} ago",
            CountType.SINCE_IMAGE_TRANSITIONED,
            days,
            storage_class=StorageClass.ARCHIVE,
        )
        return LifecyclePreset(
            _preset_name("expire_archived", [days]),
            f"deletes archived images {_days(days)} after archiving",
            (rule,),
            "expire_archived",
        )

    @staticmethod
    def raw(rule: Mapping[str, Any] | None = None, /, **keys: Any) -> LifecyclePreset:
        """An ECR rule verbatim, as a dict (``raw({...})``) or as keywords
        (``raw(selection={...}, action={...})``, which is how the registry file calls it).

        Validated like a parsed rule. List order decides precedence: ``rulePriority`` may be
        omitted; when given it is checked, then replaced by the rule's place in the list.
        Default description: the rule in words (``Expire any images by imageCountMoreThan 3``).
        """
        if rule is not None and keys:
            raise LifecyclePolicyError.from_problems(
                [
                    located(
                        ("raw",),
                        "give the rule as one dict or as keywords, not both",
                        {"rule": rule, **keys},
                        "raw({...}) or raw(selection=..., action=...)",
                    )
                ]
            )
        data = rule if rule is not None else keys
        if isinstance(data, Mapping):
            data = {"rulePriority": 1, **data}
        parsed = LifecycleRule.from_dict(data, where="raw")
        summary = parsed.description or (
            f"{parsed.action_type.value.capitalize()} {parsed.tag_status.value} images by "
            f"{parsed.count_type.value} {parsed.count_number}"
        )
        if parsed.description is None:
            parsed = replace(parsed, description=summary)
        return LifecyclePreset(
            f"raw({summary!r})", f"an ECR rule as given: {summary}", (parsed,), "raw"
        )

    @staticmethod
    def compose(presets: Iterable[LifecyclePreset], *, where: str = "lifecycle") -> LifecyclePolicy:
        """The policy of ``presets`` (first = applied first); see
        :meth:`LifecyclePolicy.from_presets`."""
        return LifecyclePolicy.from_presets(presets, where=where)


def _tuple(values: Sequence[str] | None) -> tuple[str, ...] | None:
    return tuple(values) if values is not None and not isinstance(values, str) else None


def _what_list(tags: list[tuple[str, str]] | None) -> str:
    if not tags:
        return "images"
    return " or ".join(_what(tag) for tag in tags)


def _archive(
    name: str,
    count_type: CountType,
    phrase: str,
    after_days: int,
    prefixes: Sequence[str] | None,
    patterns: Sequence[str] | None,
    untagged: bool,
) -> LifecyclePreset:
    args = _Args(name)
    days = args.count("after_days", after_days)
    tags = args.tags(prefixes, patterns, required=False)
    if not isinstance(untagged, bool):
        args.problems.append(
            located((name, "untagged"), "must be true or false", untagged, "a boolean")
        )
    args.done()

    def make(tag: tuple[str, str] | None, *, only_untagged: bool = False) -> LifecycleRule:
        return _rule(
            tag,
            f"Archive {_what(tag, untagged=only_untagged)} {phrase.format(_days(days))}",
            count_type,
            days,
            untagged=only_untagged,
            action=LifecycleAction.TRANSITION,
        )

    selections: list[tuple[str, str] | None] = [*tags] if tags else []
    if not tags and not untagged:
        selections.append(None)
    rules = tuple(make(tag) for tag in selections)
    if untagged:
        rules += (make(None, only_untagged=True),)
    selected = _what_list(tags) if tags or not untagged else "untagged images"
    if tags and untagged:
        selected += " or untagged images"
    return LifecyclePreset(
        _preset_name(
            name, [days], prefixes=_tuple(prefixes), patterns=_tuple(patterns), untagged=untagged
        ),
        f"archives {selected} {phrase.format(_days(days))}, deletes nothing",
        rules,
        name,
    )


Lifecycle.DEFAULT = (Lifecycle.archive_unpulled(90, untagged=True),)


def resolve_lifecycle(
    lifecycle: Sequence[LifecyclePreset] | LifecyclePolicy | None,
) -> LifecyclePolicy:
    """The policy a construct's ``lifecycle`` prop asks for: presets (list order is
    precedence), a ready ``LifecyclePolicy``, or None for ``Lifecycle.DEFAULT``.
    Errors name ``lifecycle[i]``."""
    if lifecycle is None:
        return LifecyclePolicy.from_presets(Lifecycle.DEFAULT, where="lifecycle")
    if isinstance(lifecycle, LifecyclePolicy):
        return lifecycle
    if isinstance(lifecycle, str | bytes | Mapping) or not isinstance(lifecycle, Sequence):
        raise LifecyclePolicyError.from_problems(
            [
                located(
                    ("lifecycle",),
                    "lifecycle takes a list of Lifecycle presets or a LifecyclePolicy",
                    lifecycle,
                    "[Lifecycle.keep_last(10), ...] or LifecyclePolicy.from_json(text)",
                )
            ]
        )
    return LifecyclePolicy.from_presets(list(lifecycle), where="lifecycle")
