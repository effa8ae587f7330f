"""EventBridge rules for ECR events: patterns, rules, targets, the notification topic and its
confused-deputy guard, bad input."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Match, Template

from ecr_constructs.errors import EcrConstructsError
from ecr_constructs.events import (
    MAX_EVENT_PATTERN_LENGTH,
    ActionResult,
    FindingSeverity,
    NotificationTopic,
    enhanced_findings_pattern,
    enhanced_findings_rule,
    image_archived_pattern,
    image_archived_rule,
    image_deleted_pattern,
    image_deleted_rule,
    image_push_pattern,
    image_push_rule,
    image_restored_pattern,
    image_restored_rule,
    pull_through_cache_pattern,
    pull_through_cache_rule,
    referrer_action_pattern,
    referrer_action_rule,
    replication_pattern,
    replication_rule,
    scan_completed_pattern,
    scan_completed_rule,
    scan_resource_change_pattern,
    scan_resource_change_rule,
)

from .gates import (
    ACCOUNT,
    REGION,
    assert_cfn_lint_clean,
    assert_construct_refused,
    cdk_nag_violations,
    new_stack,
    template_of,
)

RULE = "AWS::Events::Rule"
QUEUE = f"arn:aws:sqs:{REGION}:{ACCOUNT}:ecr-events"


# --- patterns (pure) --------------------------------------------------------------------------


def test_severity_order_and_basic_names() -> None:
    assert FindingSeverity.CRITICAL.at_or_above() == (FindingSeverity.CRITICAL,)
    assert FindingSeverity.MEDIUM.at_or_above() == (
        FindingSeverity.CRITICAL,
        FindingSeverity.HIGH,
        FindingSeverity.MEDIUM,
    )
    assert FindingSeverity.UNTRIAGED.at_or_above() == tuple(FindingSeverity)
    assert FindingSeverity.UNTRIAGED.basic_scan_name == "UNDEFINED"
    assert FindingSeverity.HIGH.basic_scan_name == "HIGH"


def test_image_push_pattern() -> None:
    assert image_push_pattern() == {
        "source": ["aws.ecr"],
        "detail-type": ["ECR Image Action"],
        "detail": {"action-type": ["PUSH"], "result": ["SUCCESS"]},
    }
    assert image_push_pattern(repository_names=["a1"], tags=["v1", "latest"])["detail"] == {
        "action-type": ["PUSH"],
        "result": ["SUCCESS"],
        "repository-name": ["a1"],
        "image-tag": ["v1", "latest"],
    }


def test_scan_completed_pattern_by_severity() -> None:
    assert scan_completed_pattern()["detail"] == {"scan-status": ["COMPLETE"]}
    only_critical = scan_completed_pattern(severity=FindingSeverity.CRITICAL)["detail"]
    assert only_critical == {
        "scan-status": ["COMPLETE"],
        "finding-severity-counts": {"CRITICAL": [{"numeric": [">", 0]}]},
    }
    everything = scan_completed_pattern(repository_names=["a1"], severity=FindingSeverity.UNTRIAGED)
    assert everything["detail-type"] == ["ECR Image Scan"]
    assert everything["detail"]["repository-name"] == ["a1"]
    assert [next(iter(c["finding-severity-counts"])) for c in everything["detail"]["$or"]] == [
        "CRITICAL",
        "HIGH",
        "MEDIUM",
        "LOW",
        "INFORMATIONAL",
        "UNDEFINED",
    ]


def test_enhanced_findings_pattern() -> None:
    pattern = enhanced_findings_pattern(repository_names=["a1"], severity=FindingSeverity.MEDIUM)
    assert pattern == {
        "source": ["aws.inspector2"],
        "detail-type": ["Inspector2 Finding"],
        "detail": {
            "severity": ["CRITICAL", "HIGH", "MEDIUM"],
            "status": ["ACTIVE"],
            "resources": {
                "type": ["AWS_ECR_CONTAINER_IMAGE"],
                "details": {"awsEcrContainerImage": {"repositoryName": ["a1"]}},
            },
        },
    }
    assert enhanced_findings_pattern()["detail"]["severity"] == ["CRITICAL", "HIGH"]


def test_image_action_patterns() -> None:
    assert image_deleted_pattern(repository_names=["a1"], tags=["v1"]) == {
        "source": ["aws.ecr"],
        "detail-type": ["ECR Image Action"],
        "detail": {
            "action-type": ["DELETE"],
            "result": ["SUCCESS"],
            "repository-name": ["a1"],
            "image-tag": ["v1"],
        },
    }
    assert image_archived_pattern()["detail"] == {
        "action-type": ["UPDATE_STORAGE_CLASS"],
        "target-storage-class": ["ARCHIVE"],
        "result": ["SUCCESS"],
    }
    restored = image_restored_pattern(repository_names=["a1"])
    assert restored["detail-type"] == ["ECR Image Action"]
    assert restored["detail"]["target-storage-class"] == ["STANDARD"]
    assert restored["detail"]["repository-name"] == ["a1"]
    assert referrer_action_pattern(repository_names=["a1"]) == {
        "source": ["aws.ecr"],
        "detail-type": ["ECR Referrer Action"],
        "detail": {"repository-name": ["a1"]},
    }
    assert referrer_action_pattern()["detail"] == {}


def test_replication_and_cache_patterns_by_result() -> None:
    assert replication_pattern() == {
        "source": ["aws.ecr"],
        "detail-type": ["ECR Replication Action"],
        "detail": {"action-type": ["REPLICATE"]},
    }
    assert replication_pattern(repository_names=["a1"], result=ActionResult.FAILED)["detail"] == {
        "action-type": ["REPLICATE"],
        "result": [{"anything-but": ["SUCCESS"]}],
        "repository-name": ["a1"],
    }
    assert replication_pattern(result=ActionResult.SUCCEEDED)["detail"]["result"] == ["SUCCESS"]
    assert pull_through_cache_pattern() == {
        "source": ["aws.ecr"],
        "detail-type": ["ECR Pull Through Cache Action"],
        "detail": {},
    }
    assert pull_through_cache_pattern(prefixes=["docker-hub"], result=ActionResult.FAILED)[
        "detail"
    ] == {"sync-status": [{"anything-but": ["SUCCESS"]}], "ecr-repository-prefix": ["docker-hub"]}


def test_scan_resource_change_pattern_matches_inside_the_repository_list() -> None:
    assert scan_resource_change_pattern(repository_names=["a1"]) == {
        "source": ["aws.ecr"],
        "detail-type": ["ECR Scan Resource Change"],
        "detail": {"repositories": {"repository-name": ["a1"]}},
    }
    assert scan_resource_change_pattern()["detail"] == {}


# --- rules on one stack -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def built() -> dict[str, Any]:
    stack = new_stack()
    notifications = NotificationTopic(stack, "Alerts", topic_name="ecr-alerts")
    given = sns.Topic(stack, "Given", enforce_ssl=True, master_key=notifications.encryption_key)
    unnamed = ecr.Repository(stack, "Unnamed")
    # Any EventBridge target: an encrypted, TLS-only queue with a dead-letter queue.
    dead_letters = sqs.Queue(
        stack, "DeadLetters", enforce_ssl=True, encryption=sqs.QueueEncryption.SQS_MANAGED
    )
    queue = sqs.Queue(
        stack,
        "Queue",
        enforce_ssl=True,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        dead_letter_queue=sqs.DeadLetterQueue(queue=dead_letters, max_receive_count=3),
    )
    target = targets.SqsQueue(queue)
    rules = {
        "push": image_push_rule(
            stack,
            "Pushed",
            repository_names=["team-a/app", "team-a/app"],
            tags=["latest"],
            topic=notifications.topic,
        ),
        "push_any": image_push_rule(stack, "AnyPush"),
        "scan": scan_completed_rule(
            stack, "Scanned", severity=FindingSeverity.HIGH, topic=given, description="Scans"
        ),
        "scan_any": scan_completed_rule(
            stack, "AnyScan", repository_names=[unnamed.repository_name]
        ),
        "enhanced": enhanced_findings_rule(
            stack, "Findings", repository_names=["team-a/app"], topic=notifications.topic
        ),
        "deleted": image_deleted_rule(stack, "Deleted", tags=["latest"], target=target),
        "archived": image_archived_rule(stack, "Archived", topic=notifications.topic),
        "restored": image_restored_rule(stack, "Restored", repository_names=["team-a/app"]),
        "referrer": referrer_action_rule(stack, "Referrers", target=target),
        "replication": replication_rule(
            stack, "ReplicationFailed", result=ActionResult.FAILED, topic=notifications.topic
        ),
        "cache": pull_through_cache_rule(
            stack, "CacheSyncs", prefixes=["docker-hub/", "ecr-public"], target=target
        ),
        "coverage": scan_resource_change_rule(
            stack, "Coverage", repository_names=["team-a/app"], target=target
        ),
    }
    return {
        "stack": stack,
        "rules": rules,
        "template": template_of(stack),
        "alerts_id": stack.get_logical_id(notifications.topic.node.default_child),
        "given_id": stack.get_logical_id(given.node.default_child),
        "unnamed_id": stack.get_logical_id(unnamed.node.default_child),
        "queue_id": stack.get_logical_id(queue.node.default_child),
    }


def _rule_props(built: dict[str, Any], name: str) -> dict[str, Any]:
    logical_id = built["stack"].get_logical_id(built["rules"][name].node.default_child)
    properties: dict[str, Any] = built["template"]["Resources"][logical_id]["Properties"]
    return properties


def test_push_rule_pattern_target_and_description(built: dict[str, Any]) -> None:
    props = _rule_props(built, "push")
    assert props["EventPattern"] == {
        "source": ["aws.ecr"],
        "detail-type": ["ECR Image Action"],
        "detail": {
            "action-type": ["PUSH"],
            "result": ["SUCCESS"],
            "repository-name": ["team-a/app"],
            "image-tag": ["latest"],
        },
    }
    assert props["Description"] == "ECR image pushed"
    assert props["State"] == "ENABLED"
    assert props["Targets"] == [{"Arn": {"Ref": built["alerts_id"]}, "Id": "Target0"}]


def test_rule_without_topic_has_no_target(built: dict[str, Any]) -> None:
    props = _rule_props(built, "push_any")
    assert "Targets" not in props
    assert props["EventPattern"]["detail"] == {"action-type": ["PUSH"], "result": ["SUCCESS"]}


def test_scan_rule_with_given_topic_and_description(built: dict[str, Any]) -> None:
    props = _rule_props(built, "scan")
    assert props["Description"] == "Scans"
    assert props["EventPattern"]["detail"]["$or"] == [
        {"finding-severity-counts": {"CRITICAL": [{"numeric": [">", 0]}]}},
        {"finding-severity-counts": {"HIGH": [{"numeric": [">", 0]}]}},
    ]
    assert props["Targets"] == [{"Arn": {"Ref": built["given_id"]}, "Id": "Target0"}]


def test_token_repository_names_pass_unvalidated(built: dict[str, Any]) -> None:
    props = _rule_props(built, "scan_any")
    assert props["EventPattern"]["detail"]["repository-name"] == [{"Ref": built["unnamed_id"]}]
    assert props["Description"] == "ECR basic scan completed"


def test_enhanced_rule(built: dict[str, Any]) -> None:
    props = _rule_props(built, "enhanced")
    assert props["EventPattern"]["source"] == ["aws.inspector2"]
    assert props["EventPattern"]["detail"]["severity"] == ["CRITICAL", "HIGH"]
    assert props["Description"] == "Amazon Inspector finding on an ECR image, HIGH or higher"
    assert props["Targets"] == [{"Arn": {"Ref": built["alerts_id"]}, "Id": "Target0"}]


def test_any_target_and_the_new_events(built: dict[str, Any]) -> None:
    queue = [{"Arn": {"Fn::GetAtt": [built["queue_id"], "Arn"]}, "Id": "Target0"}]
    deleted = _rule_props(built, "deleted")
    assert deleted["Targets"] == queue
    assert deleted["EventPattern"]["detail"] == {
        "action-type": ["DELETE"],
        "result": ["SUCCESS"],
        "image-tag": ["latest"],
    }
    assert deleted["Description"] == "ECR image deleted"
    archived = _rule_props(built, "archived")
    assert archived["EventPattern"]["detail"]["target-storage-class"] == ["ARCHIVE"]
    assert archived["Description"] == "ECR image archived"
    assert archived["Targets"] == [{"Arn": {"Ref": built["alerts_id"]}, "Id": "Target0"}]
    restored = _rule_props(built, "restored")
    assert restored["EventPattern"]["detail"]["repository-name"] == ["team-a/app"]
    assert "Targets" not in restored
    referrer = _rule_props(built, "referrer")
    assert referrer["EventPattern"]["detail-type"] == ["ECR Referrer Action"]
    assert referrer["Targets"] == queue
    replication = _rule_props(built, "replication")
    assert replication["EventPattern"]["detail"]["result"] == [{"anything-but": ["SUCCESS"]}]
    assert replication["Description"] == "ECR image replicated: failed"
    cache = _rule_props(built, "cache")
    # Prefixes as ECR reports them: "docker-hub/" and "docker-hub" are the same cache.
    assert cache["EventPattern"]["detail"] == {
        "ecr-repository-prefix": ["docker-hub", "ecr-public"]
    }
    assert cache["Description"] == "ECR pull-through cache sync"
    coverage = _rule_props(built, "coverage")
    assert coverage["EventPattern"]["detail"] == {
        "repositories": {"repository-name": ["team-a/app"]}
    }


def _events_statements(template: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        statement
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::SNS::TopicPolicy"
        for statement in resource["Properties"]["PolicyDocument"]["Statement"]
        if statement.get("Principal") == {"Service": "events.amazonaws.com"}
    ]


def test_topics_let_only_this_accounts_rules_publish(built: dict[str, Any]) -> None:
    statements = _events_statements(built["template"])
    # One statement per topic, however many rules notify it: the alerts topic and the given one.
    assert len(statements) == 2
    for statement in statements:
        assert statement["Action"] == "sns:Publish"
        assert statement["Condition"] == {
            "StringEquals": {"aws:SourceAccount": ACCOUNT},
            "ArnLike": {
                "aws:SourceArn": {
                    "Fn::Join": [
                        "",
                        ["arn:", {"Ref": "AWS::Partition"}, f":events:{REGION}:{ACCOUNT}:rule/*"],
                    ]
                }
            },
        }
    assert {s["Resource"]["Ref"] for s in statements} == {built["alerts_id"], built["given_id"]}


def test_aws_cdks_own_sns_target_has_no_guard_which_is_why_topic_uses_one() -> None:
    stack = new_stack()
    topic = NotificationTopic(stack, "Alerts").topic
    image_push_rule(stack, "Pushed", target=targets.SnsTopic(topic))
    (statement,) = _events_statements(template_of(stack))
    assert "Condition" not in statement


def test_notification_topic_encrypted_ssl_only_and_events_may_publish(
    built: dict[str, Any],
) -> None:
    template = Template.from_json(built["template"])
    template.has_resource_properties(
        "AWS::KMS::Key",
        {
            "EnableKeyRotation": True,
            "KeyPolicy": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                                "Principal": {"Service": "events.amazonaws.com"},
                            }
                        )
                    ]
                )
            },
        },
    )
    template.has_resource_properties(
        "AWS::SNS::Topic",
        {"TopicName": "ecr-alerts", "KmsMasterKeyId": {"Fn::GetAtt": [Match.any_value(), "Arn"]}},
    )
    template.has_resource_properties(
        "AWS::SNS::TopicPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Deny",
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                            }
                        ),
                        Match.object_like(
                            {
                                "Effect": "Allow",
                                "Action": "sns:Publish",
                                "Principal": {"Service": "events.amazonaws.com"},
                            }
                        ),
                    ]
                )
            }
        },
    )


def test_gates(built: dict[str, Any]) -> None:
    assert_cfn_lint_clean(built["template"])
    assert cdk_nag_violations(built["stack"]) == []
    assert len(Template.from_json(built["template"]).find_resources(RULE)) == 12


# --- bad input --------------------------------------------------------------------------------

BAD_INPUT: list[tuple[str, str, dict[str, Any], str]] = [
    ("names-as-string", "push", {"repository_names": "app"}, "Test/Bad repository_names"),
    ("names-empty", "push", {"repository_names": []}, "non-empty list"),
    ("name-invalid", "scan", {"repository_names": ["ok", "Bad"]}, "repository_names[1]"),
    ("tags-as-string", "push", {"tags": "latest"}, "tags must be a non-empty list"),
    ("tag-invalid", "push", {"tags": [".hidden"]}, "Test/Bad tags[0]: not a valid image tag"),
    ("severity-string", "scan", {"severity": "HIGH"}, "FindingSeverity.CRITICAL"),
    ("severity-none", "enhanced", {"severity": None}, "severity must be a FindingSeverity"),
    ("description-long", "push", {"description": "x" * 513}, "at most 512 characters"),
    (
        "pattern-too-long",
        "push",
        {"repository_names": [f"repository-number-{i:04d}" for i in range(200)]},
        f"at most {MAX_EVENT_PATTERN_LENGTH} characters",
    ),
]
BAD_INPUT += [
    (
        "target-and-topic",
        "deleted",
        {"target": targets.SqsQueue(sqs.Queue.from_queue_arn(new_stack(), "Q", QUEUE)), "topic": 1},
        "give target or topic, not both",
    ),
    ("target-not-a-target", "archived", {"target": "arn:aws:sqs:q"}, "not an EventBridge target"),
    ("topic-not-a-topic", "restored", {"topic": "arn:aws:sns:topic"}, "not an SNS topic"),
    ("result-string", "replication", {"result": "FAILED"}, "ActionResult.FAILED"),
    ("prefix-invalid", "cache", {"prefixes": ["Docker"]}, "prefixes[0]: a pull-through cache"),
    ("prefixes-empty", "cache", {"prefixes": []}, "prefixes must be a non-empty list"),
    ("referrer-name-invalid", "referrer", {"repository_names": ["a b"]}, "repository_names[0]"),
    ("coverage-names-string", "coverage", {"repository_names": "app"}, "non-empty list"),
    ("description-not-text", "deleted", {"description": 42}, "must be text EventBridge accepts"),
    ("deleted-tag-invalid", "deleted", {"tags": ["-x"]}, "tags[0]: not a valid image tag"),
    ("misspelt-option", "push", {"tag": ["latest"]}, "Test/Bad tag: not an option of an ECR"),
]
RULE_FUNCTIONS = {
    "push": image_push_rule,
    "scan": scan_completed_rule,
    "enhanced": enhanced_findings_rule,
    "deleted": image_deleted_rule,
    "archived": image_archived_rule,
    "restored": image_restored_rule,
    "referrer": referrer_action_rule,
    "replication": replication_rule,
    "cache": pull_through_cache_rule,
    "coverage": scan_resource_change_rule,
}


@pytest.mark.parametrize(
    ("function", "props", "fragment"),
    [pytest.param(f, p, m, id=name) for name, f, p, m in BAD_INPUT],
)
def test_bad_input(function: str, props: dict[str, Any], fragment: str) -> None:
    message = assert_construct_refused(
        RULE_FUNCTIONS[function], props, fragment, construct_id="Bad"
    )
    assert "given" in message


def test_bad_topic_name() -> None:
    stack = new_stack()
    with pytest.raises(EcrConstructsError, match=r"Test/Alerts topic_name: not a valid SNS"):
        NotificationTopic(stack, "Alerts", topic_name="has space")
