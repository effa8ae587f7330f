"""The private registry's permissions policy: one ``AWS::ECR::RegistryPolicy`` per account
and region, built from grants that any part of an app may add."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_ecr as ecr
from constructs import Construct, IConstruct

from ..errors import RegistryError, located_at
from ..naming import LONGEST_PARTITION, partition_of
from ..policy import AccessGrant, RegistryAccess, RegistryPolicyDocument
from ..registry_rules import RegistryPolicyScope
from ._registry import RegistrySingleton, lazy


class RegistryPolicy(RegistrySingleton):
    """The registry's policy (one per account and region): who may replicate into this
    registry, fill its pull-through caches, or (scope V2) use its repositories.

    Get it with ``RegistryPolicy.of(stack)`` and add grants, typically
    ``RegistryAccess.replication_from([SOURCE_ACCOUNT])`` in a replication destination or
    ``RegistryAccess.organization_pull(["o-..."])`` to share every repository with an AWS
    Organization. Every addition is checked at once by ``RegistryPolicyDocument`` (actions
    the scope allows, principals, at most 10,240 characters); grants of the same preset share
    one statement. Nothing is synthesized until a grant is added; then one
    ``AWS::ECR::RegistryPolicy`` holds every grant added before synthesis.

    The registry policy replaces whatever policy the registry had: keep all of it here.

    :param policy_scope: the account's registry policy scope, an account setting
        (``REGISTRY_POLICY_SCOPE``) that CloudFormation can't set: the policy is checked
        against it. Default: V2, ECR's default, under which the policy may allow any ECR
        action and applies to every ECR request. With V1 only ``ecr:ReplicateImage``,
        ``ecr:BatchImportUpstreamImage`` and ``ecr:CreateRepository`` are accepted.
    """

    KIND = "RegistryPolicy"

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        policy_scope: RegistryPolicyScope = RegistryPolicyScope.V2,
    ) -> None:
        with located_at(scope, construct_id):
            _check_policy_scope(policy_scope)
        super().__init__(scope, construct_id)
        self._policy_scope = policy_scope
        self._document: RegistryPolicyDocument | None = None
        self._resource: ecr.CfnRegistryPolicy | None = None

    @classmethod
    def of(
        cls, scope: IConstruct, *, policy_scope: RegistryPolicyScope | None = None
    ) -> RegistryPolicy:
        """The policy of ``scope``'s registry, created on first use (ID ``RegistryPolicy``,
        directly under the stack).

        :param policy_scope: the account's registry policy scope; it must agree with the
            existing policy's. Default: the existing policy's, or V2 for a new one.
        """
        existing = cls._existing(scope)
        if existing is None:
            return cls(
                cdk.Stack.of(scope),
                cls.KIND,
                policy_scope=RegistryPolicyScope.V2 if policy_scope is None else policy_scope,
            )
        if policy_scope is not None and policy_scope is not existing.policy_scope:
            with located_at(existing):
                _check_policy_scope(policy_scope)
            raise RegistryError(
                f"{existing.node.path} policy_scope",
                "this registry's policy was declared with another scope (an account has one "
                "registry policy scope)",
                given=str(policy_scope),
                allowed=str(existing.policy_scope),
            )
        return existing

    @property
    def policy_scope(self) -> RegistryPolicyScope:
        """The registry policy scope the grants are checked against."""
        return self._policy_scope

    @property
    def document(self) -> RegistryPolicyDocument | None:
        """The checked document with every grant added so far."""
        return self._document

    @property
    def resource(self) -> ecr.CfnRegistryPolicy | None:
        """The ``AWS::ECR::RegistryPolicy``, once a grant was added."""
        return self._resource

    def add(self, *grants: AccessGrant) -> RegistryPolicyDocument:
        """Add ``RegistryAccess`` grants; returns the document as it is now.

        Raises ``PolicyDocumentError`` naming ``<path> grants[i].Element`` when the policy
        would be refused by ECR; the policy is then left as it was.
        """
        stack = self._stack
        document = RegistryPolicyDocument(
            [*(self._document.grants if self._document else ()), *grants],
            account=stack.account,
            region=stack.region,
            partition=stack.partition,
            measured_in=partition_of(stack.region) or LONGEST_PARTITION,
            where=f"{self.node.path} grants",
            scope=self._policy_scope,
        )
        self._document = document
        if self._resource is None:
            self._resource = ecr.CfnRegistryPolicy(self, "Resource", policy_text=lazy(self._render))
        return document

    def add_statements(self, *statements: Mapping[str, Any]) -> RegistryPolicyDocument:
        """Add statements written out in full (each as ``RegistryAccess.custom``)."""
        return self.add(*(RegistryAccess.custom(statement) for statement in statements))

    def _render(self) -> dict[str, Any]:
        assert self._document is not None
        return self._document.to_dict()


def _check_policy_scope(policy_scope: object) -> None:
    if not isinstance(policy_scope, RegistryPolicyScope):
        raise RegistryError(
            "policy_scope",
            "policy_scope must be a RegistryPolicyScope",
            given=policy_scope,
            allowed="RegistryPolicyScope.V2 (ECR's default) or RegistryPolicyScope.V1",
        )
