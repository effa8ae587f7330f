"""ECR lifecycle policy documents: a typed model that enforces every rule ECR applies.

Pure Python (no CDK). Both directions validate: building a :class:`LifecycleRule` or
:class:`LifecyclePolicy` in code and parsing one from JSON reject anything ECR would reject,
and report every problem at once in one :class:`~ecr_constructs.errors.LifecyclePolicyError`.
``LifecyclePolicy.to_json()`` is the exact text CloudFormation's ``LifecyclePolicyText`` gets.

Rules enforced (ECR User Guide, "Lifecycle policy properties" and "Lifecycle policy
evaluation rules"):

- Every field present has a value: JSON ``null`` is not an absent field (PutLifecyclePolicy
  refuses it).
- ``rulePriority``: an integer from 1 to 2,147,483,647 (ECR's schema is 32-bit), unique in
  the policy.
- ``tagStatus`` ``tagged`` needs exactly one non-empty ``tagPrefixList`` or ``tagPatternList``;
  ``untagged`` and ``any`` take neither. At most 4 ``*`` per pattern.
- ``countUnit`` is ``days``, required with ``sinceImagePushed``, ``sinceImagePulled`` and
  ``sinceImageTransitioned``, forbidden with ``imageCountMoreThan``.
- ``countNumber``: an integer from 1 to 2,147,483,647; at least 90 with
  ``sinceImageTransitioned`` (archived images have a 90-day minimum storage duration).
- ``storageClass``: ``standard`` (the default when omitted) with ``imageCountMoreThan``,
  ``sinceImagePushed`` and ``sinceImagePulled``; ``archive`` required with
  ``sinceImageTransitioned``.
- ``action.type``: ``expire``, or ``transition`` with ``targetStorageClass: archive``
  (``targetStorageClass`` only with ``transition``). ``sinceImagePulled`` only transitions;
  ``sinceImageTransitioned`` only expires.
- Per storage class: at most one ``any`` rule and it has the highest ``rulePriority``; at most
  one ``untagged`` rule; no two rules with the same set of prefixes (or of patterns).
- 1 to 50 rules; 100 to 30,720 characters of policy text, counted on the text exactly as
  given to :meth:`LifecyclePolicy.from_json` (indentation and escapes count) and on the
  rendered text :meth:`LifecyclePolicy.to_json` sends.

Beyond ECR (library checks): tag prefixes and patterns use Docker's tag characters
(``A-Z a-z 0-9 _ . -``, patterns also ``*``) and must be able to match a tag of at most 128
characters (a prefix at most 128 characters; a pattern at most 128 besides its ``*``);
anything else could never match a tag.

Every problem carries its field path (``Problem.path``, see :mod:`.locations`).
"""

from __future__ import annotations

import json
import re
import warnings as _warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import InitVar, dataclass, field, replace
from enum import StrEnum
from typing import Any, TypeVar

from ..errors import LifecyclePolicyError, Path, Problem, Where
from ..json_input import JsonInputError, parse_json
from .locations import at_path, base, located, shown

MAX_RULES = 50
MAX_INTEGER = 2**31 - 1
"""ECR's schema types ``rulePriority`` and ``countNumber`` as 32-bit integers."""
POLICY_TEXT_LENGTH = (100, 30_720)
MAX_WILDCARDS = 4
MIN_ARCHIVE_DAYS = 90
TAG_ENTRY_MAX_LENGTH = 128
_PREFIX_CHARS = re.compile(r"[A-Za-z0-9_.-]+")
_PATTERN_CHARS = re.compile(r"[A-Za-z0-9_.*-]+")


class TagStatus(StrEnum):
    """Which images a rule selects by tag."""

    TAGGED = "tagged"
    UNTAGGED = "untagged"
    ANY = "any"


class CountType(StrEnum):
    """What a rule counts: images beyond a number, or days since an event."""

    IMAGE_COUNT_MORE_THAN = "imageCountMoreThan"
    SINCE_IMAGE_PUSHED = "sinceImagePushed"
    SINCE_IMAGE_PULLED = "sinceImagePulled"
    SINCE_IMAGE_TRANSITIONED = "sinceImageTransitioned"


class CountUnit(StrEnum):
    """Unit of the day-based count types (ECR knows only days)."""

    DAYS = "days"


class StorageClass(StrEnum):
    """ECR image storage classes."""

    STANDARD = "standard"
    ARCHIVE = "archive"


class LifecycleAction(StrEnum):
    """What a rule does to the images it marks."""

    EXPIRE = "expire"
    TRANSITION = "transition"


ActionType = LifecycleAction

DAY_COUNT_TYPES = frozenset(
    {CountType.SINCE_IMAGE_PUSHED, CountType.SINCE_IMAGE_PULLED, CountType.SINCE_IMAGE_TRANSITIONED}
)

_RULE_KEYS = ("rulePriority", "description", "selection", "action")
_SELECTION_KEYS = (
    "tagStatus",
    "tagPrefixList",
    "tagPatternList",
    "storageClass",
    "countType",
    "countUnit",
    "countNumber",
)
_ACTION_KEYS = ("type", "targetStorageClass")

E = TypeVar("E", bound=StrEnum)


class LifecyclePolicyWarning(UserWarning):
    """A valid lifecycle policy that probably does not do what its author meant.

    ``problem`` says where (``problem.path``, ``problem.where``) and what; the warning's text
    is ``"<where> <message>"``. A warning made from plain text has no ``problem`` (None).
    """

    problem: Problem | None

    def __init__(self, message: Problem | str) -> None:
        if isinstance(message, Problem):
            self.problem = message
            super().__init__(f"{message.where} {message.message}")
        else:
            self.problem = None
            super().__init__(message)


def _choices(enum: type[StrEnum]) -> str:
    return " | ".join(member.value for member in enum)


@dataclass(frozen=True, kw_only=True)
class LifecycleRule:
    """One rule of an ECR lifecycle policy, in ECR's own terms.

    Validated on construction: a rule ECR would reject raises
    :class:`~ecr_constructs.errors.LifecyclePolicyError` listing every problem, each at its
    field path under ``where`` (``rule.selection.countNumber``; inside a policy
    ``rules[2].selection.countNumber``). Enum fields also accept their string values
    (``tag_status="tagged"``); tag lists are stored as tuples. None is an absent field.

    Default: ``action_type`` EXPIRE; ``storage_class`` omitted (ECR reads it as standard).
    """

    rule_priority: int
    tag_status: TagStatus
    count_type: CountType
    count_number: int
    action_type: LifecycleAction = LifecycleAction.EXPIRE
    description: str | None = None
    tag_prefix_list: tuple[str, ...] | None = None
    tag_pattern_list: tuple[str, ...] | None = None
    storage_class: StorageClass | None = None
    count_unit: CountUnit | None = None
    target_storage_class: StorageClass | None = None
    where: InitVar[Where] = "rule"

    def __post_init__(self, where: Where) -> None:
        problems = _normalise_and_check(self, base(where))
        if problems:
            raise LifecyclePolicyError.from_problems(problems)

    @property
    def effective_storage_class(self) -> StorageClass:
        """The storage class the rule selects from (standard when omitted)."""
        return self.storage_class or StorageClass.STANDARD

    @property
    def tag_list(self) -> tuple[str, ...]:
        """The prefixes or patterns of a tagged rule (empty for untagged/any)."""
        return self.tag_prefix_list or self.tag_pattern_list or ()

    @property
    def warnings(self) -> tuple[LifecyclePolicyWarning, ...]:
        """Valid but probably unintended choices (several tag entries mean AND), at
        ``rule.selection.<list>``."""
        return _and_trap_warnings(self, ("rule",))

    def to_dict(self) -> dict[str, Any]:
        """The rule as ECR's JSON object, keys in a fixed order."""
        selection: dict[str, Any] = {"tagStatus": self.tag_status.value}
        if self.tag_prefix_list is not None:
            selection["tagPrefixList"] = list(self.tag_prefix_list)
        if self.tag_pattern_list is not None:
            selection["tagPatternList"] = list(self.tag_pattern_list)
        if self.storage_class is not None:
            selection["storageClass"] = self.storage_class.value
        selection["countType"] = self.count_type.value
        if self.count_unit is not None:
            selection["countUnit"] = self.count_unit.value
        selection["countNumber"] = self.count_number
        action: dict[str, Any] = {"type": self.action_type.value}
        if self.target_storage_class is not None:
            action["targetStorageClass"] = self.target_storage_class.value
        rule: dict[str, Any] = {"rulePriority": self.rule_priority}
        if self.description is not None:
            rule["description"] = self.description
        rule["selection"] = selection
        rule["action"] = action
        return rule

    @classmethod
    def from_dict(cls, data: Any, *, where: Where = "rule") -> LifecycleRule:
        """Parse one ECR rule object; unknown keys, null values and wrong types are errors."""
        problems: list[Problem] = []
        rule = _parse_rule(data, base(where), problems)
        if rule is None:
            raise LifecyclePolicyError.from_problems(problems)
        return rule


def _parse_rule(data: Any, at: Path, problems: list[Problem]) -> LifecycleRule | None:
    """Parse a rule, appending every problem found; None when it is not valid."""
    start = len(problems)
    nulls = _check_object(data, at, _RULE_KEYS, problems)
    if nulls is None:
        return None
    parts: list[Any] = []
    unread: list[Path] = [(*at, key) for key in nulls]  # no problem under these is reported
    for key, keys in (("selection", _SELECTION_KEYS), ("action", _ACTION_KEYS)):
        part = data.get(key)
        inner = None
        if key not in data:
            problems.append(located((*at, key), f"{key} is required", None, "a JSON object"))
        elif part is not None:
            inner = _check_object(part, (*at, key), keys, problems)
        if inner is None:
            unread.append((*at, key))
            part = {}
        else:
            unread.extend((*at, key, name) for name in inner)
        parts.append(part)
    selection, action = parts
    rule = None
    try:
        rule = LifecycleRule(
            rule_priority=data.get("rulePriority"),
            description=data.get("description"),
            tag_status=selection.get("tagStatus"),
            tag_prefix_list=selection.get("tagPrefixList"),
            tag_pattern_list=selection.get("tagPatternList"),
            storage_class=selection.get("storageClass"),
            count_type=selection.get("countType"),
            count_unit=selection.get("countUnit"),
            count_number=selection.get("countNumber"),
            action_type=action.get("type"),
            target_storage_class=action.get("targetStorageClass"),
            where=at,
        )
    except LifecyclePolicyError as error:
        # A missing, null or malformed part is reported once, not field by field.
        problems.extend(
            p
            for p in error.problems
            if not any(p.path is not None and p.path[: len(u)] == u for u in unread)
        )
    return rule if len(problems) == start else None


def _check_object(
    data: Any, at: Path, keys: Sequence[str], problems: list[Problem]
) -> list[str] | None:
    """The keys of ``data`` set to null (each a problem); None when ``data`` is not an object.
    Unknown keys are problems too."""
    if not isinstance(data, Mapping):
        problems.append(
            _whole(at, "must be a JSON object", data, "an object with keys " + ", ".join(keys))
        )
        return None
    nulls = []
    for key in data:
        if key not in keys:
            problems.append(located((*at, key), f"unknown key {key!r}", data[key], ", ".join(keys)))
        elif data[key] is None:
            nulls.append(key)
            problems.append(
                located(
                    (*at, key),
                    "is null: ECR refuses null fields (leave the key out instead)",
                    None,
                    "a value, or no key",
                )
            )
    return nulls


def _enum_field(
    rule: LifecycleRule,
    attr: str,
    enum: type[E],
    path: Path,
    problems: list[Problem],
    *,
    required: bool,
) -> E | None:
    """Normalise ``rule.attr`` to ``enum`` (strings accepted); record a problem when invalid."""
    value = getattr(rule, attr)
    if value is None:
        if required:
            problems.append(located(path, "is required", None, _choices(enum)))
        return None
    if isinstance(value, enum):
        return value
    if isinstance(value, str):
        try:
            member = enum(value)
        except ValueError:
            pass
        else:
            object.__setattr__(rule, attr, member)
            return member
    problems.append(located(path, "is not a valid value", value, _choices(enum)))
    return None


def check_positive_int(
    value: Any, path: Path, problems: list[Problem], *, minimum: int = 1
) -> bool:
    """True when ``value`` is an integer from ``minimum`` to :data:`MAX_INTEGER` (ECR's
    32-bit limit); otherwise record a problem."""
    allowed = f"an integer from {minimum:,} to {MAX_INTEGER:,}"
    if value is None:
        problems.append(located(path, "is required", None, allowed))
    elif isinstance(value, bool) or not isinstance(value, int):
        problems.append(located(path, "must be an integer", value, allowed))
    elif value < minimum:
        problems.append(located(path, f"must be at least {minimum}", value, f">= {minimum}"))
    elif value > MAX_INTEGER:
        if value.bit_length() <= 64:
            problems.append(
                located(
                    path, f"must be at most {MAX_INTEGER:,} (ECR's 32-bit limit)", value, allowed
                )
            )
        else:  # too long to show (a 5,000-digit number can't even be printed)
            problems.append(
                located(
                    path,
                    f"must be at most {MAX_INTEGER:,} (ECR's 32-bit limit); given an integer "
                    f"of {value.bit_length():,} bits",
                    allowed=allowed,
                )
            )
    else:
        return True
    return False


class TagList(StrEnum):
    """The two ways a rule lists tags: by prefix, or by wildcard pattern."""

    PREFIXES = "tagPrefixList"
    PATTERNS = "tagPatternList"

    @property
    def characters(self) -> re.Pattern[str]:
        return _PATTERN_CHARS if self is TagList.PATTERNS else _PREFIX_CHARS

    @property
    def allowed(self) -> str:
        if self is TagList.PATTERNS:
            return (
                f"a non-empty list of tag patterns (1..{TAG_ENTRY_MAX_LENGTH} of "
                f"A-Z a-z 0-9 _ . -, plus up to {MAX_WILDCARDS} '*' each)"
            )
        return f"a non-empty list of tag prefixes (1..{TAG_ENTRY_MAX_LENGTH} of A-Z a-z 0-9 _ . -)"

    def fits_a_tag(self, entry: str) -> bool:
        """Some tag of at most 128 characters can start with this (non-empty) prefix or
        match this pattern (``'a' * 128 + '*'`` matches the 128-character tag)."""
        wildcards = entry.count("*") if self is TagList.PATTERNS else 0
        return len(entry) - wildcards <= TAG_ENTRY_MAX_LENGTH


def check_tag_list(
    value: Any, path: Path, problems: list[Problem], kind: TagList
) -> tuple[str, ...] | None:
    """``value`` as a tuple of tag prefixes or patterns; None and problems when invalid."""
    allowed = kind.allowed
    if isinstance(value, str) or not isinstance(value, Sequence):
        problems.append(located(path, "must be a list of strings", value, allowed))
        return None
    entries = tuple(value)
    if not entries:
        problems.append(located(path, "must not be empty", list(entries), allowed))
        return None
    ok = True
    for index, entry in enumerate(entries):
        entry_path = (*path, index)
        if not isinstance(entry, str):
            problems.append(located(entry_path, "must be a string", entry, allowed))
            ok = False
        elif not kind.characters.fullmatch(entry) or not kind.fits_a_tag(entry):
            hint = (
                " ('*' is a wildcard only in tagPatternList)"
                if kind is TagList.PREFIXES and "*" in entry
                else ""
            )
            problems.append(
                located(entry_path, f"cannot match any Docker tag{hint}", entry, allowed)
            )
            ok = False
        elif kind is TagList.PATTERNS and entry.count("*") > MAX_WILDCARDS:
            problems.append(
                located(
                    entry_path,
                    f"has {entry.count('*')} wildcards; ECR allows at most {MAX_WILDCARDS}",
                    entry,
                    f"at most {MAX_WILDCARDS} '*' per pattern",
                )
            )
            ok = False
    return entries if ok else None


def _normalise_and_check(rule: LifecycleRule, at: Path) -> list[Problem]:
    """Normalise enum strings and lists in place, return every problem of the rule."""
    problems: list[Problem] = []
    sel = (*at, "selection")
    act = (*at, "action")
    check_positive_int(rule.rule_priority, (*at, "rulePriority"), problems)
    if rule.description is not None and not isinstance(rule.description, str):
        problems.append(
            located((*at, "description"), "must be a string", rule.description, "a string")
        )
    tag_status = _enum_field(
        rule, "tag_status", TagStatus, (*sel, "tagStatus"), problems, required=True
    )
    for attr, kind in (
        ("tag_prefix_list", TagList.PREFIXES),
        ("tag_pattern_list", TagList.PATTERNS),
    ):
        value = getattr(rule, attr)
        if value is not None:
            entries = check_tag_list(value, (*sel, kind.value), problems, kind)
            if entries is not None:
                object.__setattr__(rule, attr, entries)
    storage = _enum_field(
        rule, "storage_class", StorageClass, (*sel, "storageClass"), problems, required=False
    )
    count_type = _enum_field(
        rule, "count_type", CountType, (*sel, "countType"), problems, required=True
    )
    _enum_field(rule, "count_unit", CountUnit, (*sel, "countUnit"), problems, required=False)
    action = _enum_field(
        rule, "action_type", LifecycleAction, (*act, "type"), problems, required=True
    )
    target = _enum_field(
        rule,
        "target_storage_class",
        StorageClass,
        (*act, "targetStorageClass"),
        problems,
        required=False,
    )

    if tag_status is TagStatus.TAGGED:
        if rule.tag_prefix_list is None and rule.tag_pattern_list is None:
            problems.append(
                located(
                    sel,
                    "tagStatus tagged needs tagPrefixList or tagPatternList",
                    None,
                    "exactly one of tagPrefixList, tagPatternList",
                )
            )
        elif rule.tag_prefix_list is not None and rule.tag_pattern_list is not None:
            problems.append(
                located(
                    (*sel, "tagPatternList"),
                    "a rule takes tagPrefixList or tagPatternList, not both",
                    rule.tag_pattern_list,
                    "exactly one of tagPrefixList, tagPatternList",
                )
            )
    elif tag_status is not None:
        for attr, key in (
            ("tag_prefix_list", "tagPrefixList"),
            ("tag_pattern_list", "tagPatternList"),
        ):
            if getattr(rule, attr) is not None:
                problems.append(
                    located(
                        (*sel, key),
                        f"tagStatus {tag_status.value} takes no {key}",
                        getattr(rule, attr),
                        f"{key} only with tagStatus tagged",
                    )
                )

    count_ok = check_positive_int(rule.count_number, (*sel, "countNumber"), problems)
    if count_type is None:
        return problems

    if count_type in DAY_COUNT_TYPES:
        if rule.count_unit is None:
            problems.append(
                located(
                    (*sel, "countUnit"),
                    f"countType {count_type.value} needs countUnit",
                    None,
                    "days",
                )
            )
    elif rule.count_unit is not None:
        problems.append(
            located(
                (*sel, "countUnit"),
                "countUnit is only for day-based count types, not imageCountMoreThan",
                _plain(rule.count_unit),
                "omit countUnit with imageCountMoreThan",
            )
        )

    if count_type is CountType.SINCE_IMAGE_TRANSITIONED:
        if count_ok and rule.count_number < MIN_ARCHIVE_DAYS:
            problems.append(
                located(
                    (*sel, "countNumber"),
                    f"archived images have a {MIN_ARCHIVE_DAYS}-day minimum storage duration",
                    rule.count_number,
                    f">= {MIN_ARCHIVE_DAYS} with sinceImageTransitioned",
                )
            )
        if rule.storage_class is None or storage is StorageClass.STANDARD:
            problems.append(
                located(
                    (*sel, "storageClass"),
                    "sinceImageTransitioned selects archived images: storageClass archive is "
                    "required",
                    _plain(rule.storage_class),
                    "archive",
                )
            )
        if action is LifecycleAction.TRANSITION:
            problems.append(
                located(
                    (*act, "type"),
                    "sinceImageTransitioned rules can only expire archived images",
                    action.value,
                    "expire",
                )
            )
    elif storage is StorageClass.ARCHIVE:
        problems.append(
            located(
                (*sel, "storageClass"),
                f"countType {count_type.value} selects from the standard storage class only; "
                "rules on archived images use sinceImageTransitioned",
                storage.value,
                "standard (or omit)",
            )
        )

    if count_type is CountType.SINCE_IMAGE_PULLED and action is LifecycleAction.EXPIRE:
        problems.append(
            located(
                (*act, "type"),
                "sinceImagePulled can only transition images to archive, not expire them "
                "(archive first, then expire with sinceImageTransitioned)",
                action.value,
                "transition",
            )
        )

    if action is LifecycleAction.TRANSITION:
        if rule.target_storage_class is None:
            problems.append(
                located(
                    (*act, "targetStorageClass"),
                    "transition needs targetStorageClass",
                    None,
                    "archive",
                )
            )
        elif target is StorageClass.STANDARD:
            problems.append(
                located(
                    (*act, "targetStorageClass"),
                    "lifecycle rules can only transition images to archive",
                    target.value,
                    "archive",
                )
            )
    elif action is LifecycleAction.EXPIRE and rule.target_storage_class is not None:
        problems.append(
            located(
                (*act, "targetStorageClass"),
                "targetStorageClass is only for transition actions",
                _plain(rule.target_storage_class),
                "omit with expire",
            )
        )
    return problems


def _plain(value: Any) -> Any:
    """An enum member as its JSON value, for messages."""
    return value.value if isinstance(value, StrEnum) else value


def _and_trap_warnings(
    rule: LifecycleRule, at: Path, name: str | None = None
) -> tuple[LifecyclePolicyWarning, ...]:
    """The AND trap of ``rule`` (at ``at``, named ``name`` in text), if it has one."""
    for key, entries in (
        ("tagPrefixList", rule.tag_prefix_list),
        ("tagPatternList", rule.tag_pattern_list),
    ):
        if entries is not None and len(entries) > 1:
            listed = " AND ".join(repr(entry) for entry in entries)
            problem = Problem(
                f"{name or shown(at)}.selection.{key}",
                f"has {len(entries)} entries: ECR selects an image only if its tags match ALL "
                f"of them ({listed}), not any one of them. To select images matching any entry, "
                "use one rule per entry (the Lifecycle presets do this for you).",
                path=(*at, "selection", key),
            )
            return (LifecyclePolicyWarning(problem),)
    return ()


@dataclass(frozen=True)
class LifecyclePreset:
    """A named building block of a lifecycle policy: one or more rule templates.

    The rules' priorities are placeholders; :meth:`LifecyclePolicy.from_presets` assigns
    real ones from the presets' order. ``name`` reads like the call that made it
    (``keep_last(10)``) and appears in errors. ``key`` is the factory's name (``keep_last``,
    the preset's key in a registry file): the paths of a preset's argument problems and of
    its rules' warnings go through it. Default: None (a preset made by hand), and paths stop
    at the preset's position.
    """

    name: str
    summary: str
    rules: tuple[LifecycleRule, ...] = field(repr=False)
    key: str | None = None

    def describe(self) -> str:
        """``name: summary``, as used in documentation and messages."""
        return f"{self.name}: {self.summary}"


class _Places:
    """How a policy's problems locate its rules: at their field paths in a policy document
    (``rules[2].rulePriority``), at the preset's position with its name in a composed one
    (``lifecycle[1] keep_last(5)``)."""

    def __init__(self, at: Path, presets: Mapping[int, LifecyclePreset] | None = None) -> None:
        self.at = at
        self.presets = presets

    def problem(self, index: int, key: Path, message: str, *details: Any) -> Problem:
        if self.presets is None:
            return located((*self.at, index, *key), message, *details)
        return located((*self.at, index), message, *details, label=self.presets[index].name)

    def name(self, index: int) -> str:
        """The rule, or the preset that made it, as messages name it."""
        label = None if self.presets is None else self.presets[index].name
        return shown((*self.at, index), label)

    def rule_path(self, index: int) -> Path:
        """Where the rule's own fields are: in the document, or under the preset's key."""
        key = None if self.presets is None else self.presets[index].key
        return (*self.at, index, key) if key else (*self.at, index)


def _combination_problems(
    rules: Sequence[tuple[int, LifecycleRule]], places: _Places
) -> list[Problem]:
    """Rules across the policy: unique priorities, the per-storage-class limits."""
    problems: list[Problem] = []
    seen_priority: dict[int, tuple[int, int]] = {}
    for ordinal, (index, rule) in enumerate(rules):
        first = seen_priority.setdefault(rule.rule_priority, (ordinal, index))
        if first[0] != ordinal:
            problems.append(
                places.problem(
                    index,
                    ("rulePriority",),
                    f"rulePriority {rule.rule_priority} is already used by {places.name(first[1])}",
                    rule.rule_priority,
                    "a rulePriority unique in the policy",
                )
            )
    by_class: dict[StorageClass, list[tuple[int, LifecycleRule]]] = {}
    for index, rule in rules:
        by_class.setdefault(rule.effective_storage_class, []).append((index, rule))
    for storage, members in by_class.items():
        top_index, top_rule = max(members, key=lambda item: item[1].rule_priority)
        any_rules = [(i, r) for i, r in members if r.tag_status is TagStatus.ANY]
        for i, r in any_rules[1:]:
            problems.append(
                places.problem(
                    i,
                    ("selection", "tagStatus"),
                    f"only one rule with tagStatus any is allowed per storage class ({storage}); "
                    f"{places.name(any_rules[0][0])} is one already",
                    r.tag_status.value,
                    "one tagStatus any rule per storage class",
                )
            )
        if any_rules:
            i, r = any_rules[0]
            if r.rule_priority != top_rule.rule_priority:
                problems.append(
                    places.problem(
                        i,
                        ("rulePriority",),
                        f"selects every image (tagStatus any), so it must be applied last in the "
                        f"{storage} storage class, but {places.name(top_index)} comes after it; "
                        "move it after every other rule",
                        r.rule_priority,
                        f"the highest rulePriority in the {storage} storage class "
                        f"(above {top_rule.rule_priority})",
                    )
                )
        untagged = [(i, r) for i, r in members if r.tag_status is TagStatus.UNTAGGED]
        for i, _ in untagged[1:]:
            problems.append(
                places.problem(
                    i,
                    ("selection", "tagStatus"),
                    f"only one rule per storage class ({storage}) may select untagged images; "
                    f"{places.name(untagged[0][0])} already does",
                    TagStatus.UNTAGGED.value,
                    "one tagStatus untagged rule per storage class",
                )
            )
        for attr, key in (
            ("tag_prefix_list", "tagPrefixList"),
            ("tag_pattern_list", "tagPatternList"),
        ):
            first_with: dict[frozenset[str], tuple[int, int]] = {}
            for ordinal, (i, r) in enumerate(members):
                entries = getattr(r, attr)
                if entries is None:
                    continue
                first = first_with.setdefault(frozenset(entries), (ordinal, i))
                if first[0] != ordinal:
                    problems.append(
                        places.problem(
                            i,
                            ("selection", key),
                            f"the same {key} is already used by {places.name(first[1])} in the "
                            f"{storage} storage class",
                            list(entries),
                            f"a {key} unique per storage class",
                        )
                    )
    return problems


def _whole(at: Path, message: str, *details: Any) -> Problem:
    """A problem of the whole policy (``policy`` when the caller gave no location)."""
    return at_path(Problem(shown(at) if at else "policy", message, *details), at)


def _count_problems(count: int, at: Path) -> list[Problem]:
    if 1 <= count <= MAX_RULES:
        return []
    return [_whole(at, f"a lifecycle policy has 1 to {MAX_RULES} rules", count, f"1..{MAX_RULES}")]


def _length_problems(text: str, at: Path, *, as_given: bool = False) -> list[Problem]:
    low, high = POLICY_TEXT_LENGTH
    if low <= len(text) <= high:
        return []
    counted = " as given" if as_given else ""
    return [
        _whole(
            at,
            f"the policy text{counted} is {len(text):,} characters; ECR accepts {low:,} to "
            f"{high:,}" + (" (indentation and escapes count)" if as_given else ""),
            len(text),
            f"{low:,}..{high:,} characters",
        )
    ]


def _render(rules: Sequence[LifecycleRule]) -> str:
    ordered = sorted(rules, key=lambda rule: rule.rule_priority)
    return json.dumps(
        {"rules": [rule.to_dict() for rule in ordered]}, separators=(",", ":"), ensure_ascii=False
    )


class LifecyclePolicy:
    """A complete ECR lifecycle policy, valid by construction.

    ``rules`` are kept sorted by ``rulePriority``. ``warnings`` lists valid but probably
    unintended choices as :class:`LifecyclePolicyWarning` objects; each is also issued when
    the policy is built. Errors name each rule as ``rules[i]`` (its position in the input),
    under ``where`` when given (see :mod:`.locations`).
    """

    __slots__ = ("_text", "rules", "warnings")

    rules: tuple[LifecycleRule, ...]
    warnings: tuple[LifecyclePolicyWarning, ...]

    def __init__(self, rules: Iterable[LifecycleRule], *, where: Where = "") -> None:
        at = base(where)
        given = list(rules)
        problems: list[Problem] = []
        valid: list[tuple[int, LifecycleRule]] = []
        for index, rule in enumerate(given):
            if isinstance(rule, LifecycleRule):
                valid.append((index, rule))
            else:
                problems.append(
                    located((*at, "rules", index), "is not a LifecycleRule", rule, "LifecycleRule")
                )
        self._build(valid, len(given), _Places((*at, "rules")), at, problems)

    def _build(
        self,
        rules: Sequence[tuple[int, LifecycleRule]],
        count: int,
        places: _Places,
        at: Path,
        problems: list[Problem],
        text_problems: Sequence[Problem] = (),
        stacklevel: int = 3,
    ) -> None:
        """Check the rules together and keep them; warnings point ``stacklevel`` frames up
        (the caller of the public method)."""
        plain = [rule for _, rule in rules]
        text = _render(plain)
        # The rendered length is only meaningful when every rule (at least one) is in it,
        # and only news when the text as given was within the limits.
        complete = plain and not problems and not text_problems
        length = _length_problems(text, at) if complete else []
        problems.extend(_combination_problems(rules, places))
        problems.extend(_count_problems(count, at))
        problems.extend(text_problems)
        problems.extend(length)
        if problems:
            raise LifecyclePolicyError.from_problems(problems)
        self.rules = tuple(sorted(plain, key=lambda rule: rule.rule_priority))
        self._text = text
        self.warnings = tuple(
            warning
            for index, rule in rules
            for warning in _and_trap_warnings(rule, places.rule_path(index), places.name(index))
        )
        for warning in self.warnings:
            _warnings.warn(warning, stacklevel=stacklevel)

    @classmethod
    def from_dict(cls, data: Any, *, where: Where = "") -> LifecyclePolicy:
        """Parse ECR's policy object ``{"rules": [...]}``; every problem is reported at once."""
        return cls._parse(data, base(where))

    @classmethod
    def _parse(cls, data: Any, at: Path, text_problems: Sequence[Problem] = ()) -> LifecyclePolicy:
        problems: list[Problem] = []
        nulls = _check_object(data, at, ("rules",), problems)
        if nulls is None or nulls:
            raise LifecyclePolicyError.from_problems([*problems, *text_problems])
        raw_rules = data.get("rules")
        if not isinstance(raw_rules, list):
            problems.append(
                located(
                    (*at, "rules"),
                    "must be a list of rules",
                    raw_rules,
                    f"a list of 1..{MAX_RULES} rules",
                )
            )
            raise LifecyclePolicyError.from_problems([*problems, *text_problems])
        parsed: list[tuple[int, LifecycleRule]] = []
        for index, raw in enumerate(raw_rules):
            rule = _parse_rule(raw, (*at, "rules", index), problems)
            if rule is not None:
                parsed.append((index, rule))
        policy = cls.__new__(cls)
        places = _Places((*at, "rules"))
        policy._build(parsed, len(raw_rules), places, at, problems, text_problems, stacklevel=4)
        return policy

    @classmethod
    def from_json(cls, text: str | bytes, *, where: Where = "") -> LifecyclePolicy:
        """Parse lifecycle policy JSON text (as ECR or CloudFormation holds it; bytes in
        UTF-8). Hostile text (not UTF-8, not JSON, nested too deep, huge numbers) is refused
        like any other problem; the length limits apply to the text exactly as given."""
        at = base(where)
        try:
            data = parse_json(text, source=shown(at) if at else "policy")
        except JsonInputError as error:
            raise LifecyclePolicyError.from_problems(
                replace(problem, path=at) for problem in error.problems
            ) from None
        given = text if isinstance(text, str) else bytes(text).decode("utf-8")
        return cls._parse(data, at, _length_problems(given, at, as_given=True))

    @classmethod
    def from_presets(
        cls, presets: Iterable[LifecyclePreset], *, where: Where = "lifecycle"
    ) -> LifecyclePolicy:
        """Compose presets into one policy: list order is precedence (first = applied first).

        Priorities 1, 2, 3... are assigned across the presets' rules in order. A combination
        ECR would reject raises an error naming the presets by position and name
        (``lifecycle[0] keep_last(10)``, at path ``("lifecycle", 0)``).
        """
        at = base(where)
        items = list(presets)
        problems: list[Problem] = []
        expanded: list[tuple[int, LifecycleRule]] = []
        priority = 0
        for position, preset in enumerate(items):
            if not isinstance(preset, LifecyclePreset):
                problems.append(
                    located(
                        (*at, position),
                        "is not a lifecycle preset",
                        preset,
                        "a LifecyclePreset from Lifecycle.<preset>(...)",
                    )
                )
                continue
            for rule in preset.rules:
                priority += 1
                expanded.append((position, replace(rule, rule_priority=priority)))
        named = {
            position: preset
            for position, preset in enumerate(items)
            if isinstance(preset, LifecyclePreset)
        }
        policy = cls.__new__(cls)
        policy._build(expanded, len(expanded), _Places(at, named), at, problems)
        return policy

    def to_dict(self) -> dict[str, Any]:
        """The policy as ECR's JSON object (rules sorted by priority)."""
        result: dict[str, Any] = json.loads(self._text)
        return result

    def to_json(self) -> str:
        """The exact, compact, deterministic text for CloudFormation's LifecyclePolicyText."""
        return self._text

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LifecyclePolicy):
            return NotImplemented
        return self.rules == other.rules

    def __hash__(self) -> int:
        return hash(self.rules)

    def __repr__(self) -> str:
        return f"LifecyclePolicy({self._text})"
