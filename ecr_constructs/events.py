"""EventBridge rules for ECR events: image pushed, basic scan completed, enhanced findings.

Shared by the repository construct (``repo.on_image_pushed(...)`` calls :func:`image_push_rule`
with its own name) and by registry-wide notifications. Each ``*_pattern`` function returns the
EventBridge event pattern as a plain dict; each ``*_rule`` function validates its input, builds
that pattern once and creates one ``aws_events.Rule``, optionally targeting an SNS topic.

Event shapes (ECR User Guide, "Amazon ECR events and EventBridge" and "EventBridge events
sent for enhanced scanning"):

- push: source ``aws.ecr``, detail-type ``ECR Image Action``, ``detail.action-type`` PUSH,
  ``detail.result`` SUCCESS, ``detail.repository-name``, ``detail.image-tag``;
- basic scan: source ``aws.ecr``, detail-type ``ECR Image Scan``, ``detail.scan-status``
  COMPLETE, ``detail.repository-name``, ``detail.finding-severity-counts.{CRITICAL,...}``
  (a count appears only when non-zero);
- enhanced finding: source ``aws.inspector2``, detail-type ``Inspector2 Finding``,
  ``detail.severity``, ``detail.status``, ``detail.resources[].type``
  AWS_ECR_CONTAINER_IMAGE, ``detail.resources[].details.awsEcrContainerImage.repositoryName``.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Sequence
from typing import Any

from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from constructs import Construct

from .errors import EcrConstructsError, located_at
from .naming import IMAGE_TAG, REPOSITORY_NAME, TextRule, is_token

#: EventBridge's limit on an event pattern, in characters (PutRule ``EventPattern``).
MAX_EVENT_PATTERN_LENGTH = 4096
#: EventBridge's limit on a rule description, in characters.
MAX_RULE_DESCRIPTION_LENGTH = 512
TOPIC_NAME_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")


class FindingSeverity(enum.Enum):
    """Severity of a vulnerability finding, highest first.

    Amazon Inspector (enhanced scanning) reports ``UNTRIAGED`` for findings the vendor has
    not rated yet; basic scanning calls the same level ``UNDEFINED``.
    """

    CRITICAL = "CRITICAL"
    HIGH = "HIGH"
    MEDIUM = "MEDIUM"
    LOW = "LOW"
    INFORMATIONAL = "INFORMATIONAL"
    UNTRIAGED = "UNTRIAGED"

    def at_or_above(self) -> tuple[FindingSeverity, ...]:
        """This severity and every higher one, highest first."""
        order = tuple(FindingSeverity)
        return order[: order.index(self) + 1]

    @property
    def basic_scan_name(self) -> str:
        """The key basic scanning uses in ``finding-severity-counts``."""
        return "UNDEFINED" if self is FindingSeverity.UNTRIAGED else self.value


# --- Event patterns (plain dicts, no CDK) -----------------------------------------------------


def image_push_pattern(
    *, repository_names: Sequence[str] | None = None, tags: Sequence[str] | None = None
) -> dict[str, Any]:
    """Successful image pushes, optionally only to these repositories and with these tags."""
    detail: dict[str, Any] = {"action-type": ["PUSH"], "result": ["SUCCESS"]}
    if repository_names:
        detail["repository-name"] = list(repository_names)
    if tags:
        detail["image-tag"] = list(tags)
    return {"source": ["aws.ecr"], "detail-type": ["ECR Image Action"], "detail": detail}


def scan_completed_pattern(
    *,
    repository_names: Sequence[str] | None = None,
    severity: FindingSeverity | None = None,
) -> dict[str, Any]:
    """Completed basic scans; with ``severity``, only those with a finding at or above it."""
    detail: dict[str, Any] = {"scan-status": ["COMPLETE"]}
    if repository_names:
        detail["repository-name"] = list(repository_names)
    if severity is not None:
        counts = [
            {"finding-severity-counts": {level.basic_scan_name: [{"numeric": [">", 0]}]}}
            for level in severity.at_or_above()
        ]
        if len(counts) == 1:
            detail.update(counts[0])
        else:
            detail["$or"] = counts
    return {"source": ["aws.ecr"], "detail-type": ["ECR Image Scan"], "detail": detail}


def enhanced_findings_pattern(
    *,
    repository_names: Sequence[str] | None = None,
    severity: FindingSeverity = FindingSeverity.HIGH,
) -> dict[str, Any]:
    """Active Amazon Inspector findings on ECR images at or above ``severity``."""
    resources: dict[str, Any] = {"type": ["AWS_ECR_CONTAINER_IMAGE"]}
    if repository_names:
        resources["details"] = {"awsEcrContainerImage": {"repositoryName": list(repository_names)}}
    return {
        "source": ["aws.inspector2"],
        "detail-type": ["Inspector2 Finding"],
        "detail": {
            "severity": [level.value for level in severity.at_or_above()],
            "status": ["ACTIVE"],
            "resources": resources,
        },
    }


# --- Rules ------------------------------------------------------------------------------------


def image_push_rule(
    scope: Construct,
    construct_id: str,
    *,
    repository_names: Sequence[str] | None = None,
    tags: Sequence[str] | None = None,
    topic: sns.ITopic | None = None,
    description: str | None = None,
) -> events.Rule:
    """A rule matching successful image pushes.

    :param repository_names: only pushes to these repositories. Default: every repository
        in the registry.
    :param tags: only pushes of these exact tags. Default: any tag (and untagged pushes).
    :param topic: an SNS topic to notify. Default: no target (add your own with
        ``rule.add_target``).
    :param description: the rule's description. Default: one naming the event.
    """
    with located_at(scope, construct_id):
        pattern = image_push_pattern(
            repository_names=_check_repository_names(repository_names),
            tags=_check_tags(tags),
        )
        return _rule(scope, construct_id, pattern, topic, description or "ECR image pushed")


def scan_completed_rule(
    scope: Construct,
    construct_id: str,
    *,
    repository_names: Sequence[str] | None = None,
    severity: FindingSeverity | None = None,
    topic: sns.ITopic | None = None,
    description: str | None = None,
) -> events.Rule:
    """A rule matching completed basic scans (``ECR Image Scan``).

    :param repository_names: only scans in these repositories. Default: every repository.
    :param severity: only scans that found something at or above this severity. Default:
        every completed scan, clean or not.
    :param topic: an SNS topic to notify. Default: no target.
    :param description: the rule's description. Default: one naming the event.
    """
    with located_at(scope, construct_id):
        check_severity(severity, optional=True)
        pattern = scan_completed_pattern(
            repository_names=_check_repository_names(repository_names), severity=severity
        )
        text = description or (
            f"ECR basic scan completed with {severity.value} or higher findings"
            if severity
            else "ECR basic scan completed"
        )
        return _rule(scope, construct_id, pattern, topic, text)


def enhanced_findings_rule(
    scope: Construct,
    construct_id: str,
    *,
    repository_names: Sequence[str] | None = None,
    severity: FindingSeverity = FindingSeverity.HIGH,
    topic: sns.ITopic | None = None,
    description: str | None = None,
) -> events.Rule:
    """A rule matching active Amazon Inspector findings on ECR images (enhanced scanning).

    :param repository_names: only findings in these repositories. Default: every repository.
    :param severity: the lowest severity to match. Default: HIGH (HIGH and CRITICAL).
    :param topic: an SNS topic to notify. Default: no target.
    :param description: the rule's description. Default: one naming the event.
    """
    with located_at(scope, construct_id):
        check_severity(severity, optional=False)
        pattern = enhanced_findings_pattern(
            repository_names=_check_repository_names(repository_names), severity=severity
        )
        text = (
            description or f"Amazon Inspector finding on an ECR image, {severity.value} or higher"
        )
        return _rule(scope, construct_id, pattern, topic, text)


class NotificationTopic(Construct):
    """An SNS topic for ECR notifications that passes cdk-nag AwsSolutions SNS2 and SNS3.

    What is created: a KMS key with yearly rotation (unless ``encryption_key`` is given;
    RETAIN, as aws-cdk's default) and an SNS topic encrypted with it whose policy denies
    publishing without TLS. A rule built by this module that targets the topic adds the
    permission for ``events.amazonaws.com`` to publish and to use the key.

    :param topic_name: the topic's name. Default: generated by CloudFormation.
    :param display_name: the topic's display name. Default: none.
    :param encryption_key: the KMS key to encrypt messages with. Default: a new key with
        rotation on.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        topic_name: str | None = None,
        display_name: str | None = None,
        encryption_key: kms.IKey | None = None,
    ) -> None:
        if (
            topic_name is not None
            and not is_token(topic_name)
            and not (isinstance(topic_name, str) and TOPIC_NAME_PATTERN.fullmatch(topic_name))
        ):
            with located_at(scope, construct_id):
                raise EcrConstructsError(
                    "topic_name",
                    "not a valid SNS topic name",
                    given=topic_name,
                    allowed="1..256 of letters, digits, _ and -",
                )
        super().__init__(scope, construct_id)
        self.encryption_key: kms.IKey = encryption_key or kms.Key(
            self,
            "Key",
            enable_key_rotation=True,
            description="Encrypts ECR notifications published by EventBridge",
        )
        self.topic: sns.ITopic = sns.Topic(
            self,
            "Topic",
            topic_name=topic_name,
            display_name=display_name,
            master_key=self.encryption_key,
            enforce_ssl=True,
        )


# --- Validation and assembly ------------------------------------------------------------------


def _check_repository_names(names: Sequence[str] | None) -> list[str] | None:
    return _checked_list(
        names, "repository_names", REPOSITORY_NAME, '["my-app"]', "for every repository"
    )


def _check_tags(tags: Sequence[str] | None) -> list[str] | None:
    return _checked_list(tags, "tags", IMAGE_TAG, '["latest"]', "for any tag")


def _checked_list(
    values: Sequence[str] | None, field: str, rule: TextRule, example: str, absent: str
) -> list[str] | None:
    """``values`` without repeats, each checked by ``rule``; None stays None (no filter)."""
    if values is None:
        return None
    if isinstance(values, str) or not values:
        raise EcrConstructsError(
            field,
            f"{field} must be a non-empty list of {rule.kind}s",
            given=values,
            allowed=f"a list such as {example}, or leave it out {absent}",
        )
    return list(dict.fromkeys(rule.check(value, f"{field}[{i}]") for i, value in enumerate(values)))


def check_severity(severity: object, *, optional: bool) -> None:
    """Raise unless ``severity`` is a `FindingSeverity` (or None, when ``optional``)."""
    if severity is None and optional:
        return
    if not isinstance(severity, FindingSeverity):
        raise EcrConstructsError(
            "severity",
            "severity must be a FindingSeverity",
            given=severity,
            allowed=", ".join(f"FindingSeverity.{s.name}" for s in FindingSeverity),
        )


def _rule(
    scope: Construct,
    construct_id: str,
    pattern: dict[str, Any],
    topic: sns.ITopic | None,
    description: str,
) -> events.Rule:
    rendered = json.dumps(pattern, separators=(",", ":"))
    if not is_token(rendered) and len(rendered) > MAX_EVENT_PATTERN_LENGTH:
        raise EcrConstructsError(
            "event_pattern",
            "the event pattern is longer than EventBridge accepts; split the repositories "
            "or tags over several rules",
            given=f"{len(rendered)} characters",
            allowed=f"at most {MAX_EVENT_PATTERN_LENGTH} characters",
        )
    if len(description) > MAX_RULE_DESCRIPTION_LENGTH:
        raise EcrConstructsError(
            "description",
            "the rule description is too long",
            given=f"{len(description)} characters",
            allowed=f"at most {MAX_RULE_DESCRIPTION_LENGTH} characters",
        )
    return events.Rule(
        scope,
        construct_id,
        description=description,
        event_pattern=events.EventPattern(
            source=pattern["source"], detail_type=pattern["detail-type"], detail=pattern["detail"]
        ),
        targets=[targets.SnsTopic(topic)] if topic is not None else None,
    )
