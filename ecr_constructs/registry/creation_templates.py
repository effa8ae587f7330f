"""Repository creation templates: the settings of repositories that ECR creates itself
(pull-through cache, replication, create-on-push)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from ..errors import EcrConstructsError, RegistryError, located_at
from ..lifecycle import LifecyclePolicy, LifecyclePreset
from ..naming import IAM_ROLE_ARN_WITHOUT_PATH, is_token
from ..policy import AccessGrant
from ..registry_rules import TEMPLATE_PREFIX, AppliedFor, applied_for_problems, raise_problems
from ..settings import Encryption, RepositorySettings, TagMutability, renamed
from ._registry import (
    RegistryIndex,
    acknowledge_wildcard_resources,
    child_path,
    repository_arn_pattern,
)

MAX_DESCRIPTION = 256


class RepositoryCreationTemplate(Construct):
    """Settings for the repositories that ECR creates under ``prefix``
    (``AWS::ECR::RepositoryCreationTemplate``).

    The longest matching prefix wins; ``ROOT`` matches every repository that no other
    template matches. A template only affects repositories created after it exists.

    :param prefix: the repository namespace (``prod`` matches ``prod/*``), or ``ROOT``.
        One template per prefix and registry.
    :param applied_for: when the template applies: ``AppliedFor`` values, at least one.
    :param description: Default: none.
    :param image_tag_mutability: Default: IMMUTABLE. Use MUTABLE for pull-through caches:
        immutable tags stop the cache from refreshing a moved upstream tag.
    :param image_tag_mutability_exclusions: wildcard tag filters (1..5) that are exempt
        from the mutability setting; required with, and only with, the ``*_WITH_EXCLUSION``
        modes. Default: none.
    :param encryption: Default: KMS (the AWS-managed ``aws/ecr`` key unless
        ``encryption_key`` is given).
    :param encryption_key: a customer-managed KMS key. Default: the AWS-managed key.
    :param lifecycle: presets (list order is precedence) or a ``LifecyclePolicy``: the
        lifecycle policy of every created repository. Default: ``Lifecycle.DEFAULT``, which
        archives untagged images not pulled for 90 days and deletes nothing.
    :param access: ``RepositoryAccess`` grants: the repository policy of every created
        repository (checked by ``RepositoryPolicyDocument``). Default: no repository policy.
    :param resource_tags: tags for every created repository (at most 50). Default: none.
    :param custom_role: the role ECR assumes to create repositories with KMS encryption or
        tags. Default: when the template uses KMS or tags, a role allowed only to create
        (and tag) repositories under ``prefix`` and to use the key; otherwise none.
    :param settings: the repositories' settings at once, as a ``RepositorySettings`` without
        a name (made elsewhere, for example from a registry file's standard); then give none
        of the settings above. Its scanning and removal settings don't apply to templates.
        Default: the settings above.
    """

    KIND = "repository creation template"

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        prefix: str,
        applied_for: Sequence[AppliedFor],
        description: str | None = None,
        image_tag_mutability: ecr.TagMutability | TagMutability | str | None = None,
        image_tag_mutability_exclusions: Sequence[str] | None = None,
        encryption: ecr.RepositoryEncryption | Encryption | str | None = None,
        encryption_key: kms.IKey | None = None,
        lifecycle: Sequence[LifecyclePreset] | LifecyclePolicy | None = None,
        access: Sequence[AccessGrant] | None = None,
        resource_tags: Mapping[str, str] | None = None,
        custom_role: iam.IRole | None = None,
        settings: RepositorySettings | None = None,
    ) -> None:
        stack = cdk.Stack.of(scope)
        where = child_path(scope, construct_id)
        checked_prefix = TEMPLATE_PREFIX.check(prefix, f"{where} prefix", RegistryError)
        raise_problems(applied_for_problems(applied_for), f"{where} applied_for")
        if custom_role is not None:
            IAM_ROLE_ARN_WITHOUT_PATH.check(
                custom_role.role_arn, f"{where} custom_role", RegistryError
            )
        checked_applied_for = tuple(AppliedFor(value) for value in applied_for)
        props: dict[str, Any] = {
            "prefix": checked_prefix,
            "applied_for": [a.value for a in checked_applied_for],
        }
        if description is not None:
            props["description"] = _check_description(description, f"{where} description")
        given = {
            "image_tag_mutability": image_tag_mutability,
            "image_tag_mutability_exclusions": image_tag_mutability_exclusions,
            "encryption": encryption,
            "encryption_key": encryption_key,
            "lifecycle": lifecycle,
            "access": access,
            "resource_tags": resource_tags,
        }
        with located_at(scope, construct_id):
            settings = _settings_of(given, settings, region=stack.region)
        props["image_tag_mutability"] = settings.tag_mutability.value
        props["image_tag_mutability_exclusion_filters"] = settings.exclusion_filters()
        props["encryption_configuration"] = settings.encryption_configuration()
        if settings.lifecycle is not None:
            props["lifecycle_policy"] = settings.lifecycle.to_json()
        if settings.access:
            props["repository_policy"] = json.dumps(
                settings.policy_document(stack.partition), separators=(",", ":")
            )
        tags = settings.tag_list()
        if tags:
            props["resource_tags"] = tags
        RegistryIndex.of(scope).claim_prefix(self.KIND, stack, where, checked_prefix)

        super().__init__(scope, construct_id)
        self._stack = stack
        self.prefix = checked_prefix
        """The repository namespace the template applies to."""
        self.applied_for = checked_applied_for
        """When ECR applies the template."""
        uses_kms = settings.encryption.uses_kms
        self.role: iam.IRole | None = custom_role
        """The role ECR assumes to create repositories, when there is one."""
        key_grant: iam.Grant | None = None
        if self.role is None and settings.creation_needs_role:
            self.role, key_grant = self._create_role(
                encryption_key=encryption_key, uses_kms=uses_kms, tags=bool(tags)
            )
        if self.role is not None:
            props["custom_role_arn"] = self.role.role_arn

        self.resource = ecr.CfnRepositoryCreationTemplate(self, "Resource", **props)
        if key_grant is not None:
            # ECR checks the role's access to the key when the template is created.
            key_grant.apply_before(self.resource)

    def _create_role(
        self, *, encryption_key: kms.IKey | None, uses_kms: bool, tags: bool
    ) -> tuple[iam.Role, iam.Grant | None]:
        stack = self._stack
        repositories = repository_arn_pattern(stack, self.prefix)
        actions = ["ecr:CreateRepository"]
        if AppliedFor.REPLICATION in self.applied_for:
            actions.append("ecr:ReplicateImage")
        if tags:
            actions.append("ecr:TagResource")
        statements: list[dict[str, Any]] = [
            {
                "Sid": "CreateRepositories",
                "Effect": "Allow",
                "Action": actions,
                "Resource": repositories,
            }
        ]
        wildcards = [repositories]
        kms_actions = ["kms:CreateGrant", "kms:RetireGrant", "kms:DescribeKey"]
        if uses_kms and encryption_key is None:
            # The AWS-managed aws/ecr key: its ID is not known before it exists.
            managed_keys = f"arn:{stack.partition}:kms:{stack.region}:{stack.account}:key/*"
            statements.append(
                {
                    "Sid": "UseAwsManagedKey",
                    "Effect": "Allow",
                    "Action": kms_actions,
                    "Resource": managed_keys,
                }
            )
            wildcards.append(managed_keys)
        role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("ecr.amazonaws.com"),
            description=f"ECR creates repositories under {self.prefix!r} from a template",
            inline_policies={
                "CreateRepositories": iam.PolicyDocument.from_json(
                    {"Version": "2012-10-17", "Statement": statements}
                )
            },
        )
        key_grant = encryption_key.grant(role, *kms_actions) if encryption_key else None
        acknowledge_wildcard_resources(
            role,
            wildcards,
            reason=(
                "ECR assumes this role to create repositories from the template; the "
                "repositories are created on demand under the template's prefix (and the "
                "AWS-managed aws/ecr key's ID is not known in advance), so the role is scoped "
                "to the prefix and to this account's keys."
            ),
        )
        return role, key_grant


def _check_description(description: str, where: str) -> str:
    if not is_token(description) and len(description) > MAX_DESCRIPTION:
        raise RegistryError(
            where,
            f"a creation template description has at most {MAX_DESCRIPTION} characters",
            given=f"{len(description)} characters",
            allowed=f"0..{MAX_DESCRIPTION} characters",
        )
    return description


#: The settings' fields in this construct's vocabulary, for errors.
_NAMES = {
    "tag_mutability": "image_tag_mutability",
    "tag_mutability_exclusions": "image_tag_mutability_exclusions",
    "kms_key_arn": "encryption_key",
    "tags": "resource_tags",
}


def _settings_of(
    given: Mapping[str, Any], settings: RepositorySettings | None, *, region: str
) -> RepositorySettings:
    chosen = {key: value for key, value in given.items() if value is not None}
    if settings is not None:
        if chosen:
            raise RegistryError(
                "settings",
                "give settings, or the individual settings, not both",
                given=sorted(chosen),
                allowed="settings alone",
            )
        if not isinstance(settings, RepositorySettings) or settings.name is not None:
            raise RegistryError(
                "settings",
                "a creation template takes a RepositorySettings without a name",
                given=settings,
                allowed="RepositorySettings(...) without name",
            )
        return settings
    encryption = chosen.pop("encryption", None)
    if isinstance(encryption, ecr.RepositoryEncryption):
        encryption = encryption.value
    key = chosen.pop("encryption_key", None)
    try:
        return RepositorySettings(
            tag_mutability=chosen.pop("image_tag_mutability", None),
            tag_mutability_exclusions=chosen.pop("image_tag_mutability_exclusions", ()),
            encryption=encryption or Encryption.KMS,
            kms_key_arn=getattr(key, "key_arn", key) if key is not None else None,
            tags=chosen.pop("resource_tags", None),
            region=region,
            **chosen,
        )
    except EcrConstructsError as error:
        raise renamed(error, _NAMES) from None
