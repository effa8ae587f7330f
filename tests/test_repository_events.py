"""Repository.on_*: one EventBridge rule per ECR event, scoped to the repository, notifying any
target or a guarded SNS topic."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_sqs as sqs

from ecr_constructs import ActionResult, FindingSeverity, NotificationTopic, Repository
from ecr_constructs.errors import EcrConstructsError

from .gates import assert_cfn_lint_clean, cdk_nag_violations, new_stack, template_of

NAME = "events-app"


@pytest.fixture(scope="module")
def built() -> dict[str, Any]:
    stack = new_stack()
    repo = Repository(stack, "Events", repository_name=NAME)
    topic = NotificationTopic(stack, "Topic").topic
    encrypted: dict[str, Any] = {
        "enforce_ssl": True,
        "encryption": sqs.QueueEncryption.SQS_MANAGED,
    }
    dead_letters = sqs.Queue(stack, "DeadLetters", **encrypted)
    queue = sqs.Queue(
        stack,
        "Queue",
        dead_letter_queue=sqs.DeadLetterQueue(queue=dead_letters, max_receive_count=3),
        **encrypted,
    )
    target = targets.SqsQueue(queue)
    repo.on_image_pushed("Pushed", tags=["latest"], topic=topic)
    repo.on_image_deleted("Deleted", target=target)
    repo.on_image_archived("Archived", topic=topic)
    repo.on_image_restored("Restored")
    repo.on_referrer_action("Referrers", target=target)
    repo.on_image_replicated("ReplicationFailed", result=ActionResult.FAILED, topic=topic)
    repo.on_scan_completed("Scanned", severity=FindingSeverity.CRITICAL, target=target)
    repo.on_enhanced_scan_finding("Findings")
    template = template_of(stack)
    rules = {
        logical_id: body["Properties"]
        for logical_id, body in template["Resources"].items()
        if body["Type"] == "AWS::Events::Rule"
    }
    return {
        "stack": stack,
        "template": template,
        "topic_id": stack.get_logical_id(topic.node.default_child),
        "queue_id": stack.get_logical_id(queue.node.default_child),
        "rules": rules,
    }


def _rule(built: dict[str, Any], construct_id: str) -> dict[str, Any]:
    (props,) = [p for i, p in built["rules"].items() if i.startswith(f"Events{construct_id}")]
    return props


def test_every_rule_is_scoped_to_the_repository(built: dict[str, Any]) -> None:
    assert len(built["rules"]) == 8
    for props in built["rules"].values():
        pattern = props["EventPattern"]
        if pattern["source"] == ["aws.inspector2"]:
            names = pattern["detail"]["resources"]["details"]["awsEcrContainerImage"]
            assert names == {"repositoryName": [NAME]}
        else:
            assert pattern["detail"]["repository-name"] == [NAME]


@pytest.mark.parametrize(
    ("construct_id", "detail_type", "detail"),
    [
        ("Pushed", "ECR Image Action", {"action-type": ["PUSH"], "image-tag": ["latest"]}),
        ("Deleted", "ECR Image Action", {"action-type": ["DELETE"], "result": ["SUCCESS"]}),
        ("Archived", "ECR Image Action", {"target-storage-class": ["ARCHIVE"]}),
        ("Restored", "ECR Image Action", {"target-storage-class": ["STANDARD"]}),
        ("Referrers", "ECR Referrer Action", {}),
        (
            "ReplicationFailed",
            "ECR Replication Action",
            {"action-type": ["REPLICATE"], "result": [{"anything-but": ["SUCCESS"]}]},
        ),
        (
            "Scanned",
            "ECR Image Scan",
            {"finding-severity-counts": {"CRITICAL": [{"numeric": [">", 0]}]}},
        ),
        ("Findings", "Inspector2 Finding", {"severity": ["CRITICAL", "HIGH"]}),
    ],
)
def test_each_event(
    built: dict[str, Any], construct_id: str, detail_type: str, detail: dict[str, Any]
) -> None:
    pattern = _rule(built, construct_id)["EventPattern"]
    assert pattern["detail-type"] == [detail_type]
    for key, value in detail.items():
        assert pattern["detail"][key] == value


def test_targets(built: dict[str, Any]) -> None:
    topic = [{"Arn": {"Ref": built["topic_id"]}, "Id": "Target0"}]
    queue = [{"Arn": {"Fn::GetAtt": [built["queue_id"], "Arn"]}, "Id": "Target0"}]
    for construct_id in ("Pushed", "Archived", "ReplicationFailed"):
        assert _rule(built, construct_id)["Targets"] == topic
    for construct_id in ("Deleted", "Referrers", "Scanned"):
        assert _rule(built, construct_id)["Targets"] == queue
    for construct_id in ("Restored", "Findings"):
        assert "Targets" not in _rule(built, construct_id)


def test_gates(built: dict[str, Any]) -> None:
    assert_cfn_lint_clean(built["template"])
    assert cdk_nag_violations(built["stack"]) == []


BAD_INPUT = [
    pytest.param(
        lambda repo: repo.on_image_pushed("Bad", tags=["-x"]),
        "Test/Repo/Bad tags[0]: not a valid image tag",
        id="pushed-bad-tag",
    ),
    pytest.param(
        lambda repo: repo.on_image_deleted("Bad", tags="latest"),
        "Test/Repo/Bad tags: tags must be a non-empty list",
        id="deleted-tags-as-string",
    ),
    pytest.param(
        lambda repo: repo.on_image_replicated("Bad", result="FAILED"),
        "Test/Repo/Bad result: result must be an ActionResult",
        id="replicated-result-string",
    ),
    pytest.param(
        lambda repo: repo.on_scan_completed("Bad", severity="HIGH"),
        "Test/Repo/Bad severity: severity must be a FindingSeverity",
        id="scan-severity-string",
    ),
    pytest.param(
        lambda repo: repo.on_enhanced_scan_finding("Bad", severity=None),
        "Test/Repo/Bad severity: severity must be a FindingSeverity",
        id="enhanced-severity-none",
    ),
    pytest.param(
        lambda repo: repo.on_image_restored("Bad", topics=[]),
        "Test/Repo/Bad topics: not an option of an ECR event rule",
        id="restored-misspelt-option",
    ),
    pytest.param(
        lambda repo: repo.on_image_archived("Bad", target=repo),
        "Test/Repo/Bad target: not an EventBridge target",
        id="archived-target-not-a-target",
    ),
]


@pytest.mark.parametrize(("call", "fragment"), BAD_INPUT)
def test_bad_input(call: Any, fragment: str) -> None:
    stack = new_stack()
    repo = Repository(stack, "Repo", repository_name="app")
    with pytest.raises(EcrConstructsError) as raised:
        call(repo)
    assert str(raised.value).startswith(fragment), str(raised.value)
    assert "allowed" in str(raised.value)
    assert repo.node.try_find_child("Bad") is None
