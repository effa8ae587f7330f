"""CloudFormation's limits that a fleet is planned within: stack names, resources per stack,
template size, and the StackSets limits of an organisation-wide rollout. Written once; the
fleet, its placement, its rollout and the registry file use them. Pure Python."""

from __future__ import annotations

import enum
import re

from .naming import TextRule

MAX_RESOURCES = 500
"""Resources in one stack (CDK refuses to synthesize more)."""
MAX_TEMPLATE_BYTES = 1_000_000
"""The largest template CloudFormation accepts (uploaded to S3, as CDK deploys it)."""
STACK_OVERHEAD = 1
"""Resources in every stack besides the fleet's: the CDK CLI's ``AWS::CDK::Metadata``."""
REPOSITORY_RESOURCES = 1
"""Resources of a repository, private or public: its ``AWS::ECR::Repository`` or
``AWS::ECR::PublicRepository``."""
LOGO_RESOURCES = 4
"""Resources a public repository's logo adds (``PublicRepository``): the
``Custom::EcrPublicCatalogData`` resource that puts it, its Lambda function, the function's
role and its log group."""
MIN_RESOURCES_PER_STACK = STACK_OVERHEAD + REPOSITORY_RESOURCES
"""The smallest limit that leaves room for one repository."""


def public_repository_resources(*, logo: bool) -> int:
    """The resources of a public repository, with its ``logo``'s when it has one."""
    return REPOSITORY_RESOURCES + (LOGO_RESOURCES if logo else 0)


MAX_STACK_NAME_LENGTH = 124
"""The longest fleet stack name: CloudFormation's 128 less the ``-N`` suffix of later stacks."""

#: A stack name with room for the ``-N`` suffix of later stacks (CloudFormation allows 128).
STACK_NAME = TextRule(
    "CloudFormation stack name",
    re.compile(r"[A-Za-z][A-Za-z0-9-]*"),
    f"1..{MAX_STACK_NAME_LENGTH} letters, digits and -, starting with a letter (stacks after "
    "the first get a -N suffix within CloudFormation's 128)",
    (1, MAX_STACK_NAME_LENGTH),
    invalid="not a valid CloudFormation stack name",
)

# --- StackSets -------------------------------------------------------------------------------
# CloudFormation User Guide, "Understand CloudFormation quotas" (cloudformation-limits.html);
# CloudFormation API Reference, CreateStackSet, CreateStackInstances and
# StackSetOperationPreferences (the service model botocore ships holds the same bounds).

MAX_TEMPLATE_BODY_BYTES = 51_200
"""The largest ``TemplateBody`` a StackSet takes inline (CreateStackSet); a larger template
goes by ``TemplateURL``, an S3 object of at most ``MAX_TEMPLATE_BYTES``."""
MAX_STACK_INSTANCES = 100_000
"""Stack instances per StackSet (an adjustable quota)."""
MAX_STACK_SETS = 1_000
"""StackSets per administrator account (an adjustable quota)."""
MAX_ORGANIZATIONAL_UNITS = 50
"""Organizational units in one CreateStackInstances operation."""
MAX_CONCURRENT_PERCENTAGE = (1, 100)
"""``OperationPreferences.MaxConcurrentPercentage``: the lowest and highest value."""
FAILURE_TOLERANCE_PERCENTAGE = (0, 100)
"""``OperationPreferences.FailureTolerancePercentage``: the lowest and highest value."""

#: An AWS Organizations organizational unit, or the organization's root (CreateStackInstances'
#: OrganizationalUnitId pattern).
ORGANIZATIONAL_UNIT_ID = TextRule(
    "organizational unit ID",
    re.compile(r"ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32}"),
    "ou-xxxx-yyyyyyyy (4 to 32 and 8 to 32 lowercase letters or digits), or a root r-xxxx",
    invalid="not an organizational unit ID",
)


class CallAs(enum.StrEnum):
    """Which account a service-managed StackSet is created from (CloudFormation's ``CallAs``)."""

    DELEGATED_ADMIN = "DELEGATED_ADMIN"
    """A member account registered as the organisation's delegated administrator for
    CloudFormation StackSets."""
    SELF = "SELF"
    """The organisation's management account."""


class PermissionModel(enum.StrEnum):
    """How a StackSet reaches its target accounts (CloudFormation's ``PermissionModel``)."""

    SERVICE_MANAGED = "SERVICE_MANAGED"
    """Through AWS Organizations: organizational units, new accounts deployed to
    automatically."""
    SELF_MANAGED = "SELF_MANAGED"
    """Through IAM roles created in each account beforehand: listed accounts."""
