"""EventBridge rules for ECR events, one function per event.

Each function checks its input (construct path, given value and what is allowed in every
error), builds the pattern once with :mod:`.patterns` and creates one ``aws_events.Rule``.
Besides its filters, each takes :class:`RuleOptions`: ``target`` (any
``aws_events.IRuleTarget``: a Lambda function, an SQS queue, a Step Functions state
machine...) or ``topic`` (an SNS topic, through :class:`GuardedTopic`), and ``description``;
with neither target nor topic, add targets later with ``rule.add_target``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any, TypedDict, Unpack

from aws_cdk import aws_events as events
from aws_cdk import aws_sns as sns
from constructs import Construct

from ..errors import EcrConstructsError, located_at
from ..naming import IMAGE_TAG, REPOSITORY_NAME, TextRule, is_token
from ..registry_rules import CACHE_PREFIX, prefix_key
from .patterns import (
    MAX_EVENT_PATTERN_LENGTH,
    ActionResult,
    FindingSeverity,
    enhanced_findings_pattern,
    image_archived_pattern,
    image_deleted_pattern,
    image_push_pattern,
    image_restored_pattern,
    pull_through_cache_pattern,
    referrer_action_pattern,
    replication_pattern,
    scan_completed_pattern,
    scan_resource_change_pattern,
)
from .topic import GuardedTopic

#: EventBridge's limit on a rule description, in characters.
MAX_RULE_DESCRIPTION_LENGTH = 512

Names = Sequence[str] | None


class RuleOptions(TypedDict, total=False):
    """What every rule function (and every ``on_*`` method) takes besides its filters."""

    target: events.IRuleTarget | None
    """What the rule triggers: any ``aws_events.IRuleTarget``. Default: nothing (add targets
    later with ``rule.add_target``)."""
    topic: sns.ITopic | None
    """An SNS topic to notify instead of ``target``, behind :class:`GuardedTopic`.
    Default: none."""
    description: str | None
    """The rule's description. Default: one naming the event."""


def image_push_rule(
    scope: Construct,
    construct_id: str,
    *,
    repository_names: Names = None,
    tags: Names = None,
    **options: Unpack[RuleOptions],
) -> events.Rule:
    """A rule matching successful image pushes.

    :param repository_names: only pushes to these repositories. Default: every repository
        in the registry.
    :param tags: only pushes of these exact tags. Default: any tag (and untagged pushes).
    """
    return _rule(
        scope,
        construct_id,
        lambda: image_push_pattern(
            repository_names=_repository_names(repository_names), tags=_tags(tags)
        ),
        "ECR image pushed",
        options,
    )


def image_deleted_rule(
    scope: Construct,
    construct_id: str,
    *,
    repository_names: Names = None,
    tags: Names = None,
    **options: Unpack[RuleOptions],
) -> events.Rule:
    """A rule matching successful image deletions.

    :param repository_names: only deletions in these repositories. Default: every
        repository in the registry.
    :param tags: only deletions of images with these tags. Default: any image.
    """
    return _rule(
        scope,
        construct_id,
        lambda: image_deleted_pattern(
            repository_names=_repository_names(repository_names), tags=_tags(tags)
        ),
        "ECR image deleted",
        options,
    )


def image_archived_rule(
    scope: Construct,
    construct_id: str,
    *,
    repository_names: Names = None,
    **options: Unpack[RuleOptions],
) -> events.Rule:
    """A rule matching images moved to the archive storage class (what lifecycle rules such
    as ``Lifecycle.archive_unpulled`` do).

    :param repository_names: only these repositories. Default: every repository.
    """
    return _rule(
        scope,
        construct_id,
        lambda: image_archived_pattern(repository_names=_repository_names(repository_names)),
        "ECR image archived",
        options,
    )


def image_restored_rule(
    scope: Construct,
    construct_id: str,
    *,
    repository_names: Names = None,
    **options: Unpack[RuleOptions],
) -> events.Rule:
    """A rule matching archived images restored to the standard storage class.

    :param repository_names: only these repositories. Default: every repository.
    """
    return _rule(
        scope,
        construct_id,
        lambda: image_restored_pattern(repository_names=_repository_names(repository_names)),
        "ECR image restored",
        options,
    )


def referrer_action_rule(
    scope: Construct,
    construct_id: str,
    *,
    repository_names: Names = None,
    **options: Unpack[RuleOptions],
) -> events.Rule:
    """A rule matching actions on referrers: signatures, SBOMs and attestations attached to
    images (archived or restored with their subject image).

    :param repository_names: only these repositories. Default: every repository.
    """
    return _rule(
        scope,
        construct_id,
        lambda: referrer_action_pattern(repository_names=_repository_names(repository_names)),
        "ECR referrer action",
        options,
    )


def replication_rule(
    scope: Construct,
    construct_id: str,
    *,
    repository_names: Names = None,
    result: ActionResult | None = None,
    **options: Unpack[RuleOptions],
) -> events.Rule:
    """A rule matching images replicated into this registry. ECR sends the event in the
    destination registry: put the rule in a stack of the destination's account and region.

    :param repository_names: only these repositories. Default: every repository.
    :param result: only replications with this result. Default: every replication.
    """
    return _rule(
        scope,
        construct_id,
        lambda: replication_pattern(
            repository_names=_repository_names(repository_names), result=_result(result)
        ),
        _with_result("ECR image replicated", result),
        options,
    )


def pull_through_cache_rule(
    scope: Construct,
    construct_id: str,
    *,
    prefixes: Names = None,
    result: ActionResult | None = None,
    **options: Unpack[RuleOptions],
) -> events.Rule:
    """A rule matching pull-through cache syncs (an image fetched from the upstream).

    :param prefixes: only the caches with these prefixes. Default: every cache.
    :param result: only syncs with this result. Default: every sync.
    """
    return _rule(
        scope,
        construct_id,
        lambda: pull_through_cache_pattern(prefixes=_prefixes(prefixes), result=_result(result)),
        _with_result("ECR pull-through cache sync", result),
        options,
    )


def scan_completed_rule(
    scope: Construct,
    construct_id: str,
    *,
    repository_names: Names = None,
    severity: FindingSeverity | None = None,
    **options: Unpack[RuleOptions],
) -> events.Rule:
    """A rule matching completed basic scans (``ECR Image Scan``).

    :param repository_names: only scans in these repositories. Default: every repository.
    :param severity: only scans that found something at or above this severity. Default:
        every completed scan, clean or not.
    """

    def pattern() -> dict[str, Any]:
        if severity is not None:
            check_severity(severity)
        return scan_completed_pattern(
            repository_names=_repository_names(repository_names), severity=severity
        )

    text = (
        f"ECR basic scan completed with {severity.value} or higher findings"
        if isinstance(severity, FindingSeverity)
        else "ECR basic scan completed"
    )
    return _rule(scope, construct_id, pattern, text, options)


def scan_resource_change_rule(
    scope: Construct,
    construct_id: str,
    *,
    repository_names: Names = None,
    **options: Unpack[RuleOptions],
) -> events.Rule:
    """A rule matching enhanced scanning coverage changes (``ECR Scan Resource Change``).

    :param repository_names: only changes that involve these repositories. Default: every
        change.
    """
    return _rule(
        scope,
        construct_id,
        lambda: scan_resource_change_pattern(repository_names=_repository_names(repository_names)),
        "ECR enhanced scanning coverage changed",
        options,
    )


def enhanced_findings_rule(
    scope: Construct,
    construct_id: str,
    *,
    repository_names: Names = None,
    severity: FindingSeverity = FindingSeverity.HIGH,
    **options: Unpack[RuleOptions],
) -> events.Rule:
    """A rule matching active Amazon Inspector findings on ECR images (enhanced scanning).

    :param repository_names: only findings in these repositories. Default: every repository.
    :param severity: the lowest severity to match. Default: HIGH (HIGH and CRITICAL).
    """

    def pattern() -> dict[str, Any]:
        check_severity(severity)
        return enhanced_findings_pattern(
            repository_names=_repository_names(repository_names), severity=severity
        )

    level = severity.value if isinstance(severity, FindingSeverity) else severity
    text = f"Amazon Inspector finding on an ECR image, {level} or higher"
    return _rule(scope, construct_id, pattern, text, options)


# --- Validation and assembly ------------------------------------------------------------------


def _repository_names(names: Names) -> list[str] | None:
    return _checked_list(
        names, "repository_names", REPOSITORY_NAME, '["my-app"]', "for every repository"
    )


def _tags(tags: Names) -> list[str] | None:
    return _checked_list(tags, "tags", IMAGE_TAG, '["latest"]', "for any tag")


def _prefixes(prefixes: Names) -> list[str] | None:
    """Cache prefixes as ECR reports them (``team/`` is ``team``)."""
    checked = _checked_list(prefixes, "prefixes", CACHE_PREFIX, '["docker-hub"]', "for every cache")
    return None if checked is None else list(dict.fromkeys(prefix_key(p) for p in checked))


def _checked_list(
    values: Names, field: str, rule: TextRule, example: str, absent: str
) -> list[str] | None:
    """``values`` without repeats, each checked by ``rule``; None stays None (no filter)."""
    if values is None:
        return None
    if isinstance(values, str) or not isinstance(values, Sequence) or not values:
        raise EcrConstructsError(
            field,
            f"{field} must be a non-empty list of {rule.kind}s",
            given=values,
            allowed=f"a list such as {example}, or leave it out {absent}",
        )
    return list(dict.fromkeys(rule.check(value, f"{field}[{i}]") for i, value in enumerate(values)))


def check_severity(severity: object) -> None:
    """Raise unless ``severity`` is a `FindingSeverity`."""
    if not isinstance(severity, FindingSeverity):
        raise EcrConstructsError(
            "severity",
            "severity must be a FindingSeverity",
            given=severity,
            allowed=", ".join(f"FindingSeverity.{s.name}" for s in FindingSeverity),
        )


def _result(result: ActionResult | None) -> ActionResult | None:
    if result is not None and not isinstance(result, ActionResult):
        raise EcrConstructsError(
            "result",
            "result must be an ActionResult",
            given=result,
            allowed="ActionResult.SUCCEEDED, ActionResult.FAILED, or leave it out for every result",
        )
    return result


def _with_result(text: str, result: ActionResult | None) -> str:
    return f"{text}: {result.value.lower()}" if isinstance(result, ActionResult) else text


def rule_targets(
    target: events.IRuleTarget | None, topic: sns.ITopic | None
) -> list[events.IRuleTarget] | None:
    """A rule's targets: ``target``, or ``topic`` behind the confused-deputy guard (None:
    neither); ``EcrConstructsError`` for both, or for something that is neither."""
    if target is not None and topic is not None:
        raise EcrConstructsError(
            "target",
            "give target or topic, not both",
            given={"target": target, "topic": topic},
            allowed="target=an aws_events.IRuleTarget, or topic=an SNS topic (add more "
            "targets with rule.add_target)",
        )
    if topic is not None:
        if not isinstance(getattr(topic, "topic_arn", None), str):
            raise EcrConstructsError(
                "topic", "not an SNS topic", given=topic, allowed="an aws_sns.ITopic"
            )
        return [GuardedTopic(topic)]
    if target is not None:
        if not callable(getattr(target, "bind", None)):
            raise EcrConstructsError(
                "target",
                "not an EventBridge target",
                given=target,
                allowed="an aws_events.IRuleTarget, such as aws_events_targets.LambdaFunction(fn)",
            )
        return [target]
    return None


def _rule(
    scope: Construct,
    construct_id: str,
    make_pattern: Callable[[], dict[str, Any]],
    default_description: str,
    options: RuleOptions,
) -> events.Rule:
    """The rule: the pattern ``make_pattern`` checks and builds, and ``options``; every
    error names ``scope``'s path and ``construct_id``."""
    with located_at(scope, construct_id):
        unknown = sorted(set(options) - set(RuleOptions.__annotations__))
        if unknown:
            raise EcrConstructsError(
                unknown[0],
                "not an option of an ECR event rule",
                given=unknown,
                allowed=", ".join(RuleOptions.__annotations__),
            )
        pattern = make_pattern()
        description = options.get("description") or default_description
        rendered = json.dumps(pattern, separators=(",", ":"))
        if not is_token(rendered) and len(rendered) > MAX_EVENT_PATTERN_LENGTH:
            raise EcrConstructsError(
                "event_pattern",
                "the event pattern is longer than EventBridge accepts; split the repositories "
                "or tags over several rules",
                given=f"{len(rendered)} characters",
                allowed=f"at most {MAX_EVENT_PATTERN_LENGTH} characters",
            )
        if not isinstance(description, str) or len(description) > MAX_RULE_DESCRIPTION_LENGTH:
            raise EcrConstructsError(
                "description",
                "the rule description must be text EventBridge accepts",
                given=f"{len(description)} characters"
                if isinstance(description, str)
                else description,
                allowed=f"a string of at most {MAX_RULE_DESCRIPTION_LENGTH} characters",
            )
        targets = rule_targets(options.get("target"), options.get("topic"))
        return events.Rule(
            scope,
            construct_id,
            description=description,
            event_pattern=events.EventPattern(
                source=pattern["source"],
                detail_type=pattern["detail-type"],
                detail=pattern["detail"],
            ),
            targets=targets,
        )
