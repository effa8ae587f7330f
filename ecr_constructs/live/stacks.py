"""The repositories a fleet's deployed stacks hold, read with read-only API calls.

Only ``ListStacks`` and ``ListStackResources`` (CloudFormation) and ``GetCallerIdentity``
(STS) are called: nothing in the account changes. Credentials and region come from boto3's
own chain (environment, profile, instance role). Every AWS failure becomes a one-line
:class:`~ecr_constructs.live.ecr.LiveRegistryError`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .failures import aws_call
from .session import aws_session

READ_OPERATIONS = frozenset({"ListStacks", "ListStackResources", "GetCallerIdentity"})
"""The API operations this module calls: all read-only."""
REPOSITORY_SECTIONS = {
    "AWS::ECR::Repository": "repositories",
    "AWS::ECR::PublicRepository": "public_repositories",
}
_GONE = frozenset({"DELETE_COMPLETE", "DELETE_SKIPPED"})


@dataclass(frozen=True)
class DeployedRepository:
    """A repository that a deployed stack holds."""

    section: str
    """``repositories`` or ``public_repositories``."""
    name: str
    stack_index: int
    """1 for the stack named ``stack_name``, N for ``stack_name-N``."""
    logical_id: str


@dataclass(frozen=True)
class Deployment:
    """What the stacks of a fleet hold in one account and region."""

    account: str
    region: str
    repositories: tuple[DeployedRepository, ...]


def read_deployment(
    stack_name: str, *, region: str | None = None, profile: str | None = None
) -> Deployment:
    """The repositories in the stacks named ``stack_name`` and ``stack_name-N`` that exist
    (not deleted) in the account of the credentials, in ``region`` (default: the profile's or
    the environment's)."""
    session = aws_session(region=region, profile=profile)
    where = str(session.region_name)
    with aws_call("GetCallerIdentity", "the credentials", where, action_prefix="sts"):
        account = str(session.client("sts").get_caller_identity()["Account"])
    cloudformation = session.client("cloudformation")
    found: list[DeployedRepository] = []
    for name, index in list(_fleet_stacks(cloudformation, stack_name, where)):
        found.extend(_repositories(cloudformation, name, index, where))
    return Deployment(account, where, tuple(found))


def _fleet_stacks(cloudformation: Any, stack_name: str, region: str) -> Iterator[tuple[str, int]]:
    pattern = re.compile(re.escape(stack_name) + r"(?:-([2-9]|[1-9][0-9]{1,2}))?")
    with aws_call("ListStacks", "the account's stacks", region, action_prefix="cloudformation"):
        for page in cloudformation.get_paginator("list_stacks").paginate():
            for summary in page.get("StackSummaries", []):
                match = pattern.fullmatch(summary["StackName"])
                if match and summary["StackStatus"] != "DELETE_COMPLETE":
                    yield summary["StackName"], int(match.group(1) or 1)


def _repositories(
    cloudformation: Any, stack: str, index: int, region: str
) -> Iterator[DeployedRepository]:
    subject = f"stack {stack!r}"
    with aws_call("ListStackResources", subject, region, action_prefix="cloudformation"):
        pages = cloudformation.get_paginator("list_stack_resources").paginate(StackName=stack)
        for page in pages:
            for resource in page.get("StackResourceSummaries", []):
                section = REPOSITORY_SECTIONS.get(resource["ResourceType"])
                name = resource.get("PhysicalResourceId")
                if section and name and resource.get("ResourceStatus") not in _GONE:
                    yield DeployedRepository(section, name, index, resource["LogicalResourceId"])
