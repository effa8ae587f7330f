"""Managed signing: one ``AWS::ECR::SigningConfiguration`` per account and region, whose rules
make ECR sign matching pushes with an AWS Signer profile.

ECR facts encoded here (ECR User Guide "Managed signing"; API Reference SigningRule,
SigningRepositoryFilter; CloudFormation schema ``AWS::ECR::SigningConfiguration``):

- at most 10 rules per registry (PutSigningConfiguration; the CloudFormation schema says 50,
  the API refuses more than 10); a rule names a Signer profile ARN (no version) and
  optionally 1..100 ``WILDCARD_MATCH`` repository filters; without filters it signs every
  push to the registry;
- ECR signs with the identity of the principal that pushes: it needs ``signer:SignPayload`` on
  the profile (``grant_sign``);
- the profile signs container images only on the ``Notation-OCI-SHA384-ECDSA`` platform.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import aws_cdk as cdk
import jsii
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_signer as signer
from constructs import Construct

from ..errors import RegistryError
from ..naming import is_token
from ..registry_rules import (
    SIGNING_PLATFORM,
    SIGNING_RULES,
    raise_problems,
    signing_region_problems,
    signing_rule_problems,
)
from ._registry import RegistrySingleton, lazy

SIGN_ACTIONS = ("signer:SignPayload",)


@dataclass(frozen=True)
class SigningRule:
    """One rule as synthesized: the Signer profile's ARN and the repository filters it signs
    (empty: every repository)."""

    signing_profile_arn: str
    repository_filters: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The rule in ECR's API shape (``signingProfileArn``, ``repositoryFilters``)."""
        rule: dict[str, Any] = {"signingProfileArn": self.signing_profile_arn}
        if self.repository_filters:
            rule["repositoryFilters"] = [
                {"filter": value, "filterType": "WILDCARD_MATCH"}
                for value in self.repository_filters
            ]
        return rule

    def _key(self) -> tuple[str, frozenset[str]]:
        return self.signing_profile_arn, frozenset(self.repository_filters)


class SigningConfiguration(RegistrySingleton):
    """The registry's managed signing configuration (one per account and region): ECR signs
    each image pushed to a matching repository with the rule's AWS Signer profile.

    Get it with ``SigningConfiguration.of(stack)`` and add rules; identical rules are kept
    once. Nothing is synthesized until a rule is added; then one
    ``AWS::ECR::SigningConfiguration`` holds every rule added before synthesis.

    The principals that push must be allowed to sign with the profile: ``grant_sign``.
    Removing the construct deletes the configuration; images signed so far keep their
    signatures.
    """

    KIND = "SigningConfiguration"

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self._rules: list[SigningRule] = []
        self._resource: ecr.CfnSigningConfiguration | None = None

    @property
    def rules(self) -> tuple[SigningRule, ...]:
        """The rules added so far, in order."""
        return tuple(self._rules)

    @property
    def resource(self) -> ecr.CfnSigningConfiguration | None:
        """The ``AWS::ECR::SigningConfiguration``, once a rule was added."""
        return self._resource

    def add_rule(
        self,
        *,
        signing_profile: signer.ISigningProfile | str,
        repository_filters: Sequence[str] = (),
    ) -> SigningRule:
        """Sign pushes to the repositories matching ``repository_filters`` with
        ``signing_profile``.

        :param signing_profile: an ``aws_signer`` profile (a ``SigningProfile`` created in
            the app must use the ``Notation-OCI-SHA384-ECDSA`` platform) or a profile ARN,
            ``arn:PARTITION:signer:REGION:ACCOUNT:/signing-profiles/NAME``.
        :param repository_filters: repository names in which ``*`` matches any characters,
            at most 100. Default: every repository in the registry.
        :returns: the rule as synthesized (the earlier one when an identical rule was
            already added).
        """
        where = f"{self.node.path} rule {len(self._rules) + 1}"
        arn = _profile_arn(signing_profile, where)
        raise_problems(signing_region_problems(cdk.Stack.of(self).region), self.node.path)
        raise_problems(signing_rule_problems(arn, repository_filters), where)
        rule = SigningRule(
            signing_profile_arn=arn, repository_filters=tuple(dict.fromkeys(repository_filters))
        )
        for existing in self._rules:
            if existing._key() == rule._key():
                return existing
        raise_problems(SIGNING_RULES.problems(len(self._rules) + 1), where)
        self._rules.append(rule)
        if self._resource is None:
            self._resource = ecr.CfnSigningConfiguration(
                self, "Resource", rules=lazy(lambda: [r.to_dict() for r in self._rules])
            )
        return rule

    def grant_sign(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` (a principal that pushes) sign with the profiles of every rule:
        ``signer:SignPayload`` on each profile, including those of rules added later.

        Raises ``RegistryError`` when no rule was added yet.
        """
        if not self._rules:
            raise RegistryError(
                f"{self.node.path} grant_sign",
                "the signing configuration has no rule yet, so there is no profile to grant",
                allowed="add_rule(signing_profile=...) before grant_sign",
            )
        return iam.Grant.add_to_principal(
            grantee=grantee,
            actions=list(SIGN_ACTIONS),
            resource_arns=cdk.Lazy.list(_Profiles(self)),
        )


@jsii.implements(cdk.IStableListProducer)
class _Profiles:
    """The profile ARNs of a configuration's rules, each once, when the stack is synthesized."""

    def __init__(self, configuration: SigningConfiguration) -> None:
        self._configuration = configuration

    def produce(self) -> list[str]:
        return list(dict.fromkeys(r.signing_profile_arn for r in self._configuration.rules))


def _profile_arn(profile: object, where: str) -> str:
    """The ARN of a profile construct or string; a profile created in the app (not imported)
    must sign container images."""
    if isinstance(profile, str):
        return profile
    arn = getattr(profile, "signing_profile_arn", None)
    if not isinstance(profile, Construct) or not isinstance(arn, str):
        raise RegistryError(
            f"{where} signing_profile",
            "not an AWS Signer signing profile",
            given=profile,
            allowed="an aws_signer.ISigningProfile or a signing profile ARN",
        )
    child = profile.node.default_child
    platform = child.platform_id if isinstance(child, signer.CfnSigningProfile) else None
    if platform is not None and not is_token(platform) and platform != SIGNING_PLATFORM:
        raise RegistryError(
            f"{where} signing_profile",
            "the signing profile's platform can't sign container images",
            given=platform,
            allowed=f"a profile on {SIGNING_PLATFORM} "
            "(aws_signer.Platform.NOTATION_OCI_SHA384_ECDSA)",
        )
    return arn
