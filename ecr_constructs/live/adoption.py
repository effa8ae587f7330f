"""A live repository's settings in the registry file's vocabulary, exactly.

Every setting is written out (``keys``), nothing left to a default: a lifecycle policy as
presets when presets render exactly the same policy, else as ``raw`` rules; a repository
policy as access presets where they render exactly the same statements (``Sid`` included),
else as verbatim statements; no lifecycle policy as ``lifecycle: []``. Where a setting
breaks a rule the library enforces on new repositories, the matching exemption is added
(``Exemption``). What can't be said exactly is refused (``Adopted.refused``): the
repository is then left out rather than changed.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import EcrConstructsError, LifecyclePolicyError, PolicyDocumentError
from ..lifecycle import (
    CountType,
    LifecycleAction,
    LifecyclePolicy,
    LifecyclePolicyWarning,
    LifecycleRule,
    StorageClass,
    TagStatus,
)
from ..lifecycle.presets import PROTECT_DAYS
from ..naming import tag_problems
from ..policy import LAMBDA_PULL_ACTIONS, PULL_ACTIONS, PUSH_ACTIONS
from ..settings import Exemption, RepositorySettings
from ..standards.registry_file.models import ACCESS_KEYS
from ..standards.registry_file.presets import build_preset
from ..standards.registry_file.resolution import access_grants
from .repositories import LiveRepository
from .semantic import canonical_lifecycle, canonical_policy, parse_document, root_account
from .views import is_system_tag

Item = dict[str, Any]
"""One lifecycle item of the file: ``{"keep_last": {"count": 10}}``."""


@dataclass(frozen=True)
class Adopted:
    """A repository's settings as registry file keys, or why they can't be said exactly."""

    name: str
    keys: dict[str, Any]
    """Every settings key (``tag_mutability`` ... ``exemptions``), empty values included."""
    notes: tuple[str, ...] = ()
    """What was not carried and why it needn't be (tags AWS sets)."""
    refused: str | None = None
    """Why the repository can't be carried exactly; None when it can."""


def adopt(repository: LiveRepository, *, partition: str, managed_key: str | None) -> Adopted:
    """``repository``'s settings as registry file keys (see the module documentation)."""
    name = repository.name
    if repository.unreadable:
        calls = ", ".join(sorted({u.call for u in repository.unreadable}))
        return Adopted(name, {}, refused=f"{calls} could not be read")
    notes = [
        f"tag {key!r} is set by AWS: not carried, not compared"
        for key in repository.tags
        if is_system_tag(key)
    ]
    tags = {k: v for k, v in repository.tags.items() if not is_system_tag(k)}
    problems = tag_problems(tags, ("tags",))
    if problems:
        return Adopted(name, {}, refused=f"{problems[0]} (CloudFormation can't set it)")
    exemptions: list[str] = []
    try:
        lifecycle = lifecycle_items(repository.lifecycle_text)
        access, unchecked = access_keys(repository.policy_text, partition)
    except EcrConstructsError as error:
        return Adopted(name, {}, refused=str(error.problems[0]))
    if repository.lifecycle_text is None:
        exemptions.append(Exemption.NO_LIFECYCLE_POLICY.value)
    if unchecked:
        exemptions.append(Exemption.UNCHECKED_POLICY_STATEMENTS.value)
    key = repository.kms_key
    keys = {
        "tag_mutability": repository.tag_mutability,
        "tag_mutability_exclusions": list(repository.tag_mutability_exclusions),
        "scan_on_push": repository.scan_on_push,
        "encryption": repository.encryption,
        "kms_key_arn": None if key == managed_key else key,
        "lifecycle": lifecycle,
        "access": access,
        "tags": tags,
        "exemptions": exemptions,
    }
    return Adopted(name, keys, tuple(notes))


# -- lifecycle -----------------------------------------------------------------------------


def lifecycle_items(text: str | None) -> list[Item]:
    """A lifecycle policy's text as the file's lifecycle items: presets when they render
    exactly this policy, else ``raw`` rules in priority order ([] for no policy). Raises
    ``LifecyclePolicyError`` when the library can't read it."""
    if text is None:
        return []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LifecyclePolicyWarning)
        policy = LifecyclePolicy.from_json(text, where="lifecycle policy")
        items = [_preset_item(rule) for rule in policy.rules]
        if all(item is not None for item in items):
            exact = [item for item in items if item is not None]
            merged = _merged(exact)
            for candidate in (merged, exact):
                if _composed(candidate) == policy:
                    return candidate
        raw = [{"raw": _raw(rule)} for rule in policy.rules]
        composed = _composed(raw)
    if composed is None or canonical_lifecycle(composed.to_dict()) != canonical_lifecycle(text):
        raise LifecyclePolicyError(
            "lifecycle policy", "the file can't say it exactly", given=text[:200]
        )
    return raw


def _raw(rule: LifecycleRule) -> dict[str, Any]:
    """A rule as a ``raw`` item: as ECR stores it, its place in the list for its priority."""
    return {key: value for key, value in rule.to_dict().items() if key != "rulePriority"}


def _composed(items: list[Item]) -> LifecyclePolicy | None:
    """The policy the file's lifecycle ``items`` compose into; None when they don't."""
    try:
        built = [build_preset(name, args, ())[0] for item in items for name, args in item.items()]
        presets = [preset for preset in built if preset is not None]
        return LifecyclePolicy.from_presets(presets) if len(presets) == len(built) else None
    except LifecyclePolicyError:
        return None


def _preset_item(rule: LifecycleRule) -> Item | None:
    """The one-rule preset whose rule has ``rule``'s selection and action; None if none."""
    tags: dict[str, list[str]] = {}
    for key, entries in (("prefixes", rule.tag_prefix_list), ("patterns", rule.tag_pattern_list)):
        if entries is not None:
            if len(entries) != 1:
                return None
            tags[key] = list(entries)
    status, count, number = rule.tag_status, rule.count_type, rule.count_number
    if rule.action_type is LifecycleAction.TRANSITION:
        name = {
            CountType.SINCE_IMAGE_PULLED: "archive_unpulled",
            CountType.SINCE_IMAGE_PUSHED: "archive_old",
        }.get(count)
        untagged = {"untagged": True} if status is TagStatus.UNTAGGED else {}
        return {name: {"after_days": number, **tags, **untagged}} if name else None
    if rule.storage_class is StorageClass.ARCHIVE:
        return {"expire_archived": {"after_days": number}}
    by_count = count is CountType.IMAGE_COUNT_MORE_THAN
    if status is TagStatus.UNTAGGED:
        return {"expire_untagged": {"keep_last" if by_count else "after_days": number}}
    if by_count:
        return {"keep_last": {"count": number, **tags}}
    if status is TagStatus.TAGGED and count is CountType.SINCE_IMAGE_PUSHED:
        if number == PROTECT_DAYS:
            return {"protect_tags": tags}
        return {"expire_tagged": {**tags, "after_days": number}}
    return None


def _merged(items: list[Item]) -> list[Item]:
    """Neighbouring items of one preset that differ only in their tags (or in selecting
    untagged images, last) as one item with a list of tags, as a person writes them."""
    merged: list[Item] = []
    for item in items:
        ((name, arguments),) = item.items()
        if merged:
            ((last_name, last),) = merged[-1].items()
            joined = _joined(last, arguments) if last_name == name else None
            if joined is not None:
                merged[-1] = {name: joined}
                continue
        merged.append({name: dict(arguments)})
    return merged


def _joined(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any] | None:
    if first.get("untagged"):
        return None  # the untagged rule renders last
    tag_keys = ("prefixes", "patterns", "untagged")
    if {k: v for k, v in first.items() if k not in tag_keys} != {
        k: v for k, v in second.items() if k not in tag_keys
    }:
        return None
    kinds = {key for key in ("prefixes", "patterns") if key in first or key in second}
    if len(kinds) != 1 or not first.get(next(iter(kinds))):
        return None
    (kind,) = kinds
    joined = {**first, kind: [*first[kind], *second.get(kind, [])]}
    if second.get("untagged"):
        joined["untagged"] = True
    return joined


# -- repository policy ---------------------------------------------------------------------


def access_keys(text: str | None, partition: str) -> tuple[dict[str, Any], bool]:
    """A repository policy's text as the file's ``access`` lists (every key, empty ones
    too) and whether its statements need the ``unchecked_policy_statements`` exemption.
    Raises ``PolicyDocumentError`` when the file can't say it exactly."""
    access: dict[str, Any] = {key: [] for key in ACCESS_KEYS}
    if text is None:
        return access, False
    document = parse_document(text)
    statements = document.get("Statement", []) if isinstance(document, Mapping) else None
    if isinstance(statements, Mapping):
        statements = [statements]
    if not isinstance(statements, list):
        raise PolicyDocumentError("repository policy", "not a policy document", given=text[:200])
    expected = canonical_policy(text, partition)
    as_presets = _with_presets(statements, partition)
    verbatim = {**access, "statements": list(statements)}
    for candidate in (as_presets, verbatim):
        for unchecked in (False, True):
            try:
                settings = RepositorySettings(
                    access=access_grants(candidate),
                    exemptions=[Exemption.UNCHECKED_POLICY_STATEMENTS] if unchecked else [],
                )
            except PolicyDocumentError:
                continue
            if canonical_policy(settings.policy_document(partition), partition) == expected:
                return candidate, unchecked
    raise PolicyDocumentError(
        "repository policy", "the file can't say it exactly", given=json.dumps(document)[:200]
    )


def _with_presets(statements: list[Any], partition: str) -> dict[str, Any]:
    """Statements as the access lists that render them, where one does exactly, and the
    rest verbatim."""
    access: dict[str, Any] = {key: [] for key in ACCESS_KEYS}
    for statement in statements:
        found = _preset_lists(statement, partition) if isinstance(statement, Mapping) else None
        if found is None:
            access["statements"].append(statement)
        for key, values in (found or {}).items():
            access[key] += values
    return access


def _preset_lists(statement: Mapping[str, Any], partition: str) -> dict[str, list[str]] | None:
    """The access lists of the preset that renders ``statement`` exactly; None if none."""
    sid = statement.get("Sid")
    actions = statement.get("Action")
    principal = statement.get("Principal")
    condition = statement.get("Condition")
    if statement.get("Effect") != "Allow" or not isinstance(principal, Mapping):
        return None
    if sid in ("Pull", "Push") and condition is None and list(principal) == ["AWS"]:
        if actions != list(PULL_ACTIONS if sid == "Pull" else PUSH_ACTIONS):
            return None
        kind = sid.lower()
        accounts: list[str] = []
        others: list[str] = []
        for value in _strings(principal["AWS"]):
            account = root_account(value, partition)
            (accounts if account else others).append(account or value)
        return {f"{kind}_accounts": accounts, f"{kind}_principals": others}
    organization_keys: dict[str, tuple[tuple[str, ...], str]] = {
        "OrganizationPull": (PULL_ACTIONS, "pull_organizations"),
        "OrganizationPush": (PUSH_ACTIONS, "push_organizations"),
    }
    if sid in organization_keys and principal == {"AWS": "*"}:
        organization_actions, key = organization_keys[sid]
        ids = _condition(condition, "StringEquals", "aws:PrincipalOrgID")
        return {key: ids} if ids and actions == list(organization_actions) else None
    if sid == "LambdaPull" and principal == {"Service": "lambda.amazonaws.com"}:
        sources = _condition(condition, "StringLike", "aws:sourceArn")
        prefix, suffix = f"arn:{partition}:lambda:*:", ":function:*"
        accounts = [s[len(prefix) : -len(suffix)] for s in sources if s.startswith(prefix)]
        if actions == list(LAMBDA_PULL_ACTIONS) and accounts and len(accounts) == len(sources):
            return {"lambda_pull_accounts": accounts}
    return None


def _strings(value: Any) -> list[str]:
    return [str(item) for item in (value if isinstance(value, list) else [value])]


def _condition(condition: Any, operator: str, key: str) -> list[str]:
    if not isinstance(condition, Mapping) or list(condition) != [operator]:
        return []
    keys = condition[operator]
    if not isinstance(keys, Mapping) or list(keys) != [key]:
        return []
    return _strings(keys[key])
