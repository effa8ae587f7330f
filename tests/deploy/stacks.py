"""Synthesize CDK apps without bootstrap and deploy their templates with boto3 CloudFormation
calls."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from botocore.exceptions import ClientError

from tests.gates import assert_cfn_lint_clean

from .engine import REGION

POLL_SECONDS = 0.1
TIMEOUT_SECONDS = 60.0


def new_app(outdir: Path) -> cdk.App:
    """An app whose stacks deploy without a bootstrap stack (no assets, no roles)."""
    return cdk.App(outdir=str(outdir), default_stack_synthesizer=cdk.BootstraplessSynthesizer())


def synthesized(app: cdk.App) -> dict[str, dict[str, Any]]:
    """Stack name -> template of every stack of ``app``."""
    return {stack.stack_name: stack.template for stack in app.synth().stacks}


class Stacks:
    """CloudFormation stacks on the engine: create, update, delete, each waited for; every
    template deployed is cfn-lint clean first."""

    def __init__(self, cloudformation: Any) -> None:
        self._cfn = cloudformation

    def create(self, name: str, template: dict[str, Any]) -> None:
        assert_cfn_lint_clean(template, REGION)
        self._cfn.create_stack(StackName=name, TemplateBody=json.dumps(template))
        self._expect(name, "CREATE_COMPLETE")

    def update(self, name: str, template: dict[str, Any], expect: str = "UPDATE_COMPLETE") -> str:
        """Update and wait; the stack must end in ``expect``. Returns the reason of the first
        resource that failed ('' when none did)."""
        assert_cfn_lint_clean(template, REGION)
        self._cfn.update_stack(StackName=name, TemplateBody=json.dumps(template))
        self._expect(name, expect)
        return next(iter(self.failures(name)), "")

    def delete(self, name: str) -> None:
        self._cfn.delete_stack(StackName=name)
        self._expect(name, "DELETE_COMPLETE")

    def exists(self, name: str) -> bool:
        return self.status(name) != "DELETE_COMPLETE"

    def status(self, name: str) -> str:
        """The stack's status; DELETE_COMPLETE for a stack that is gone."""
        try:
            stacks = self._cfn.describe_stacks(StackName=name)["Stacks"]
        except ClientError as error:
            if "does not exist" in str(error):
                return "DELETE_COMPLETE"
            raise
        status: str = stacks[0]["StackStatus"]
        return status

    def physical_ids(self, name: str) -> dict[str, str]:
        """Logical ID -> physical ID of every resource of the stack."""
        resources = self._cfn.describe_stack_resources(StackName=name)["StackResources"]
        return {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in resources}

    def failures(self, name: str) -> list[str]:
        """'Logical: reason' of each failed resource event, newest first."""
        events = self._cfn.describe_stack_events(StackName=name)["StackEvents"]
        return [
            f"{e['LogicalResourceId']}: {e.get('ResourceStatusReason', '')}"
            for e in events
            if e["ResourceStatus"].endswith("_FAILED")
        ]

    def _expect(self, name: str, expected: str) -> None:
        deadline = time.monotonic() + TIMEOUT_SECONDS
        status = self.status(name)
        while status.endswith("_IN_PROGRESS") and time.monotonic() < deadline:
            time.sleep(POLL_SECONDS)
            status = self.status(name)
        if status != expected:
            failures = self.failures(name) if status != "DELETE_COMPLETE" else []
            raise AssertionError(f"{name}: {status}, expected {expected}: {failures}")
