"""EventBridge rules for every ECR event: pushes, deletions, archiving and restoring,
referrers, replication, pull-through cache syncs, basic scans, enhanced scanning coverage and
Amazon Inspector findings.

``patterns`` builds each event pattern as a plain dict; ``rules`` validates input and creates
one ``aws_events.Rule`` per call, targeting any ``aws_events.IRuleTarget`` (``target=``) or
an SNS topic (``topic=``) that only this account's rules may publish to. ``Repository``
(``repo.on_image_pushed(...)``), ``PullThroughCache`` and ``ScanFindingsNotifications`` call
these with their own names.
"""

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
from .rules import (
    MAX_RULE_DESCRIPTION_LENGTH,
    RuleOptions,
    check_severity,
    enhanced_findings_rule,
    image_archived_rule,
    image_deleted_rule,
    image_push_rule,
    image_restored_rule,
    pull_through_cache_rule,
    referrer_action_rule,
    replication_rule,
    rule_targets,
    scan_completed_rule,
    scan_resource_change_rule,
)
from .topic import TOPIC_NAME_PATTERN, GuardedTopic, NotificationTopic

__all__ = [
    "MAX_EVENT_PATTERN_LENGTH",
    "MAX_RULE_DESCRIPTION_LENGTH",
    "TOPIC_NAME_PATTERN",
    "ActionResult",
    "FindingSeverity",
    "GuardedTopic",
    "NotificationTopic",
    "RuleOptions",
    "check_severity",
    "enhanced_findings_pattern",
    "enhanced_findings_rule",
    "image_archived_pattern",
    "image_archived_rule",
    "image_deleted_pattern",
    "image_deleted_rule",
    "image_push_pattern",
    "image_push_rule",
    "image_restored_pattern",
    "image_restored_rule",
    "pull_through_cache_pattern",
    "pull_through_cache_rule",
    "referrer_action_pattern",
    "referrer_action_rule",
    "replication_pattern",
    "replication_rule",
    "rule_targets",
    "scan_completed_pattern",
    "scan_completed_rule",
    "scan_resource_change_pattern",
    "scan_resource_change_rule",
]
