"""The private registry's permissions policy: one ``AWS::ECR::RegistryPolicy`` per account
and region, built from grants that any part of an app may add."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_cdk import aws_ecr as ecr
from constructs import Construct

from ..naming import LONGEST_PARTITION, partition_of
from ..policy import AccessGrant, RegistryAccess, RegistryPolicyDocument
from ._registry import RegistrySingleton, lazy


class RegistryPolicy(RegistrySingleton):
    """The registry's policy (one per account and region): who may replicate into this
    registry or fill its pull-through caches.

    Get it with ``RegistryPolicy.of(stack)`` and add grants, typically
    ``RegistryAccess.replication_from([SOURCE_ACCOUNT])`` in a replication destination.
    Every addition is checked at once by ``RegistryPolicyDocument`` (allowed actions,
    principals, at most 10,240 characters); grants of the same preset share one statement.
    Nothing is synthesized until a grant is added; then one ``AWS::ECR::RegistryPolicy``
    holds every grant added before synthesis.

    The registry policy replaces whatever policy the registry had: keep all of it here.
    """

    KIND = "RegistryPolicy"

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self._document: RegistryPolicyDocument | None = None
        self._resource: ecr.CfnRegistryPolicy | None = None

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
