"""EventBridge event patterns for ECR events, as plain dicts (no CDK).

Event shapes (ECR User Guide "Amazon ECR events and EventBridge" and "EventBridge events sent
for enhanced scanning"; EventBridge reference "Amazon Elastic Container Registry events").
Every event comes from ``aws.ecr`` unless said otherwise:

- ``ECR Image Action``: ``detail.action-type`` PUSH, DELETE or UPDATE_STORAGE_CLASS (with
  ``detail.target-storage-class`` ARCHIVE when archived, STANDARD when restored),
  ``detail.result`` SUCCESS, ``detail.repository-name``, ``detail.image-tag``;
- ``ECR Referrer Action``: the same, for referrers (signatures, SBOMs, attestations);
- ``ECR Replication Action``: in the destination registry, ``detail.action-type``
  REPLICATE, ``detail.result`` SUCCESS or FAILED, ``detail.repository-name``,
  ``detail.source-account``, ``detail.source-region``;
- ``ECR Pull Through Cache Action``: ``detail.sync-status`` (SUCCESS on success),
  ``detail.ecr-repository-prefix``, ``detail.repository-name``,
  ``detail.upstream-registry-url``;
- ``ECR Image Scan`` (basic scanning): ``detail.scan-status`` COMPLETE,
  ``detail.repository-name``, ``detail.finding-severity-counts.{CRITICAL,...}`` (a count
  appears only when non-zero);
- ``ECR Scan Resource Change`` (enhanced scanning): ``detail.action-type``,
  ``detail.repositories[].repository-name``;
- Amazon Inspector findings (enhanced scanning): source ``aws.inspector2``, detail-type
  ``Inspector2 Finding``, ``detail.severity``, ``detail.status``, ``detail.resources[].type``
  AWS_ECR_CONTAINER_IMAGE, ``detail.resources[].details.awsEcrContainerImage.repositoryName``.

ECR emits these on a best-effort basis. ``ECR Artifact Action`` is listed by EventBridge but
its shape isn't documented, so no pattern here relies on it.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Any

#: EventBridge's limit on an event pattern, in characters (PutRule ``EventPattern``).
MAX_EVENT_PATTERN_LENGTH = 4096

_SUCCESS = "SUCCESS"


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


class ActionResult(enum.Enum):
    """How a replication or a pull-through cache sync ended."""

    SUCCEEDED = "SUCCEEDED"
    """The result is SUCCESS."""
    FAILED = "FAILED"
    """Any other result (ECR documents FAILED for replication; a cache sync's failure values
    aren't documented, so every status but SUCCESS counts)."""

    def matcher(self) -> list[Any]:
        """The EventBridge match for this result."""
        return [_SUCCESS] if self is ActionResult.SUCCEEDED else [{"anything-but": [_SUCCESS]}]


def _ecr(
    detail_type: str, detail: dict[str, Any], narrowed: dict[str, Sequence[str] | None]
) -> dict[str, Any]:
    """An ``aws.ecr`` pattern; each ``narrowed`` detail field that has values narrows it."""
    for key, values in narrowed.items():
        if values:
            detail[key] = list(values)
    return {"source": ["aws.ecr"], "detail-type": [detail_type], "detail": detail}


def image_push_pattern(
    *, repository_names: Sequence[str] | None = None, tags: Sequence[str] | None = None
) -> dict[str, Any]:
    """Successful image pushes, optionally only to these repositories and with these tags."""
    detail = {"action-type": ["PUSH"], "result": [_SUCCESS]}
    return _ecr(
        "ECR Image Action", detail, {"repository-name": repository_names, "image-tag": tags}
    )


def image_deleted_pattern(
    *, repository_names: Sequence[str] | None = None, tags: Sequence[str] | None = None
) -> dict[str, Any]:
    """Successful image deletions, optionally only in these repositories and of these tags."""
    detail = {"action-type": ["DELETE"], "result": [_SUCCESS]}
    return _ecr(
        "ECR Image Action", detail, {"repository-name": repository_names, "image-tag": tags}
    )


def image_archived_pattern(*, repository_names: Sequence[str] | None = None) -> dict[str, Any]:
    """Images moved to the archive storage class (by a lifecycle rule or by hand)."""
    return _storage_class_pattern("ARCHIVE", repository_names)


def image_restored_pattern(*, repository_names: Sequence[str] | None = None) -> dict[str, Any]:
    """Archived images restored to the standard storage class."""
    return _storage_class_pattern("STANDARD", repository_names)


def referrer_action_pattern(*, repository_names: Sequence[str] | None = None) -> dict[str, Any]:
    """Every action on referrers (signatures, SBOMs, attestations): archive, restore..."""
    return _ecr("ECR Referrer Action", {}, {"repository-name": repository_names})


def _storage_class_pattern(
    storage_class: str, repository_names: Sequence[str] | None
) -> dict[str, Any]:
    detail = {
        "action-type": ["UPDATE_STORAGE_CLASS"],
        "target-storage-class": [storage_class],
        "result": [_SUCCESS],
    }
    return _ecr("ECR Image Action", detail, {"repository-name": repository_names})


def replication_pattern(
    *, repository_names: Sequence[str] | None = None, result: ActionResult | None = None
) -> dict[str, Any]:
    """Image replications into this registry, optionally only into these repositories and
    with this result."""
    detail: dict[str, Any] = {"action-type": ["REPLICATE"]}
    if result is not None:
        detail["result"] = result.matcher()
    return _ecr("ECR Replication Action", detail, {"repository-name": repository_names})


def pull_through_cache_pattern(
    *, prefixes: Sequence[str] | None = None, result: ActionResult | None = None
) -> dict[str, Any]:
    """Pull-through cache syncs, optionally only of the caches with these prefixes and with
    this result."""
    detail: dict[str, Any] = {}
    if result is not None:
        detail["sync-status"] = result.matcher()
    return _ecr("ECR Pull Through Cache Action", detail, {"ecr-repository-prefix": prefixes})


def scan_completed_pattern(
    *,
    repository_names: Sequence[str] | None = None,
    severity: FindingSeverity | None = None,
) -> dict[str, Any]:
    """Completed basic scans; with ``severity``, only those with a finding at or above it."""
    detail: dict[str, Any] = {"scan-status": ["COMPLETE"]}
    if severity is not None:
        counts = [
            {"finding-severity-counts": {level.basic_scan_name: [{"numeric": [">", 0]}]}}
            for level in severity.at_or_above()
        ]
        if len(counts) == 1:
            detail.update(counts[0])
        else:
            detail["$or"] = counts
    return _ecr("ECR Image Scan", detail, {"repository-name": repository_names})


def scan_resource_change_pattern(
    *, repository_names: Sequence[str] | None = None
) -> dict[str, Any]:
    """Enhanced scanning coverage changes: repositories created, scan frequencies changed,
    images created or deleted in scanned repositories."""
    detail: dict[str, Any] = {}
    if repository_names:
        detail["repositories"] = {"repository-name": list(repository_names)}
    return _ecr("ECR Scan Resource Change", detail, {})


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
