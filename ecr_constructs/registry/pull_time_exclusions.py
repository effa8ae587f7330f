"""Pull-time update exclusions (``AWS::ECR::PullTimeUpdateExclusion``): principals whose
pulls don't refresh an image's last recorded pull time.

ECR facts encoded here (ECR User Guide "Pull-time update exclusions"; API Reference
RegisterPullTimeUpdateExclusion; CloudFormation schema): ECR updates ``lastRecordedPullTime``
on every pull except Amazon Inspector's; a registry excludes at most 100 IAM roles or users,
each by ARN (one resource per principal; the ARN can't change in place). Lifecycle rules on
``sinceImagePulled`` (``Lifecycle.archive_unpulled``) read that time, so a scanner or CI job
that pulls every image would keep every image "recently pulled" unless it is excluded.
"""

from __future__ import annotations

from collections.abc import Sequence

import aws_cdk as cdk
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from constructs import Construct

from ..errors import RegistryError
from ..registry_rules import PULL_TIME_EXCLUSION_PRINCIPAL, PULL_TIME_EXCLUSIONS, exclusion_id
from ._registry import Claimed, RegistryIndex, child_path

PrincipalLike = iam.IRole | iam.IUser | str
"""A role or user construct, or a role or user ARN."""


_CLAIMED = Claimed("pull-time update exclusion", ("principal", "principals"), PULL_TIME_EXCLUSIONS)


class PullTimeUpdateExclusion(Construct):
    """Pulls by ``principal`` don't update the last recorded pull time of images in this
    registry (the stack's account and region), so they don't keep images alive under
    ``sinceImagePulled`` lifecycle rules such as ``Lifecycle.archive_unpulled``.

    What is created: one ``AWS::ECR::PullTimeUpdateExclusion``. A principal is excluded once
    per registry; a registry has at most 100 exclusions. Removing the construct deregisters
    the principal: its pulls count again.

    :param principal: an IAM role or user (construct), or its ARN
        ``arn:PARTITION:iam::ACCOUNT:role/NAME`` or ``:user/NAME``.
    """

    def __init__(self, scope: Construct, construct_id: str, *, principal: PrincipalLike) -> None:
        where = child_path(scope, construct_id)
        arn = principal_arn(principal, f"{where} principal")
        RegistryIndex.of(scope).claim(_CLAIMED, cdk.Stack.of(scope), where, arn, given=arn)
        super().__init__(scope, construct_id)
        self.principal_arn: str = arn
        """The excluded principal's ARN."""
        self.resource = ecr.CfnPullTimeUpdateExclusion(self, "Resource", principal_arn=arn)


class PullTimeUpdateExclusions(Construct):
    """Several principals excluded at once: one :class:`PullTimeUpdateExclusion` each.

    Each child's construct ID comes from its principal (the ARN, or the role or user
    construct's path), so adding, removing or reordering principals never replaces the
    exclusion of another.

    :param principals: IAM roles or users (constructs), or their ARNs; at least one.
    """

    def __init__(
        self, scope: Construct, construct_id: str, *, principals: Sequence[PrincipalLike]
    ) -> None:
        where = child_path(scope, construct_id)
        if isinstance(principals, str) or not isinstance(principals, Sequence) or not principals:
            raise RegistryError(
                f"{where} principals",
                "principals is a non-empty list of IAM roles, users or their ARNs",
                given=principals,
                allowed="[role, 'arn:aws:iam::123456789012:role/scanner', ...]",
            )
        arns = [
            principal_arn(principal, f"{where} principals[{index}]")
            for index, principal in enumerate(principals)
        ]
        ids = [_child_id(principal) for principal in principals]
        repeated = next((i for i, value in enumerate(ids) if value in ids[:i]), None)
        if repeated is not None:
            raise RegistryError(
                f"{where} principals[{repeated}]",
                "this principal is listed twice",
                given=ids[repeated],
                allowed="each principal once",
            )
        # Every exclusion or none: check them all before the first is created.
        index = RegistryIndex.of(scope)
        for pending, (child_id, arn) in enumerate(zip(ids, arns, strict=True)):
            path = f"{where}/{child_id}"
            index.check_claim(_CLAIMED, cdk.Stack.of(scope), path, arn, given=arn, pending=pending)
        super().__init__(scope, construct_id)
        self.exclusions: tuple[PullTimeUpdateExclusion, ...] = tuple(
            PullTimeUpdateExclusion(self, child_id, principal=principal)
            for child_id, principal in zip(ids, principals, strict=True)
        )
        """One exclusion per principal, in the given order."""


def principal_arn(principal: object, where: str) -> str:
    """The ARN of a role or user construct, or a checked role or user ARN."""
    if isinstance(principal, str):
        return PULL_TIME_EXCLUSION_PRINCIPAL.check(principal, where, RegistryError)
    for attribute in ("role_arn", "user_arn"):
        arn = getattr(principal, attribute, None)
        if isinstance(principal, Construct) and isinstance(arn, str):
            return arn
    raise RegistryError(
        where,
        "not an IAM role or user",
        given=principal,
        allowed="an aws_iam.IRole or IUser, or a role or user ARN",
    )


def _child_id(principal: object) -> str:
    """A construct ID that names the principal for good (``exclusion_id``): its ARN, or its
    construct path."""
    return exclusion_id(principal.node.path if isinstance(principal, Construct) else str(principal))
