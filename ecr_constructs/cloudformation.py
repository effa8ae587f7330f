"""CloudFormation's limits that a fleet is planned within: stack names, resources per stack,
template size. Written once; the fleet, its placement and the registry file use them. Pure
Python."""

from __future__ import annotations

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
