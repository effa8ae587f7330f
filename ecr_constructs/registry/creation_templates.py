"""Repository creation templates: the settings of repositories that ECR creates itself
(pull-through cache, replication, create-on-push)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from ..errors import RegistryError, located_at
from ..lifecycle import LifecyclePolicy, LifecyclePreset, resolve_lifecycle
from ..naming import EXCLUSION_FILTER, MAX_EXCLUSION_FILTERS, WITH_EXCLUSION_MODES, is_token
from ..policy import AccessGrant, RepositoryPolicyDocument
from ..registry_rules import TEMPLATE_PREFIX, AppliedFor, applied_for_problems, raise_problems
from ._registry import (
    RegistryIndex,
    acknowledge_wildcard_resources,
    child_path,
    repository_arn_pattern,
)

MAX_DESCRIPTION = 256
MAX_TAGS = 50
_Cfn = ecr.CfnRepositoryCreationTemplate


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
        from the mutability setting; required with, and only with, the ``*WITH_EXCLUSION_MODES``
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
        image_tag_mutability: ecr.TagMutability = ecr.TagMutability.IMMUTABLE,
        image_tag_mutability_exclusions: Sequence[str] = (),
        encryption: ecr.RepositoryEncryption | None = None,
        encryption_key: kms.IKey | None = None,
        lifecycle: Sequence[LifecyclePreset] | LifecyclePolicy | None = None,
        access: Sequence[AccessGrant] = (),
        resource_tags: Mapping[str, str] | None = None,
        custom_role: iam.IRole | None = None,
    ) -> None:
        stack = cdk.Stack.of(scope)
        where = child_path(scope, construct_id)
        checked_prefix = TEMPLATE_PREFIX.check(prefix, f"{where} prefix", RegistryError)
        raise_problems(applied_for_problems(applied_for), f"{where} applied_for")
        checked_applied_for = tuple(AppliedFor(value) for value in applied_for)
        props: dict[str, Any] = {
            "prefix": checked_prefix,
            "applied_for": [a.value for a in checked_applied_for],
        }
        if description is not None:
            props["description"] = _check_description(description, f"{where} description")
        props.update(_mutability(image_tag_mutability, image_tag_mutability_exclusions, where))
        encryption_type = _encryption_type(encryption, encryption_key, f"{where} encryption")
        props["encryption_configuration"] = _Cfn.EncryptionConfigurationProperty(
            encryption_type=encryption_type,
            kms_key=encryption_key.key_arn if encryption_key is not None else None,
        )
        with located_at(scope, construct_id):
            props["lifecycle_policy"] = resolve_lifecycle(lifecycle).to_json()
        if access:
            props["repository_policy"] = RepositoryPolicyDocument(
                access, where=f"{where} access", partition=stack.partition
            ).to_json()
        tags = _check_tags(resource_tags or {}, f"{where} resource_tags")
        if tags:
            props["resource_tags"] = tags
        RegistryIndex.of(scope).claim_prefix(self.KIND, stack, where, checked_prefix)

        super().__init__(scope, construct_id)
        self._stack = stack
        self.prefix = checked_prefix
        """The repository namespace the template applies to."""
        self.applied_for = checked_applied_for
        """When ECR applies the template."""
        uses_kms = encryption_type != "AES256"
        self.role: iam.IRole | None = custom_role
        """The role ECR assumes to create repositories, when there is one."""
        key_grant: iam.Grant | None = None
        if self.role is None and (uses_kms or tags):
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


def _mutability(
    mutability: ecr.TagMutability, exclusions: Sequence[str], where: str
) -> dict[str, Any]:
    mode = mutability.value if isinstance(mutability, ecr.TagMutability) else str(mutability)
    modes = ", ".join(m.value for m in ecr.TagMutability)
    if mode not in {m.value for m in ecr.TagMutability}:
        raise RegistryError(
            f"{where} image_tag_mutability", "not a tag mutability", given=mode, allowed=modes
        )
    props: dict[str, Any] = {"image_tag_mutability": mode}
    if isinstance(exclusions, str):
        raise RegistryError(
            f"{where} image_tag_mutability_exclusions",
            "exclusions are a list of tag filters",
            given=exclusions,
            allowed=f"[{exclusions!r}]",
        )
    if mode in WITH_EXCLUSION_MODES:
        if not 1 <= len(exclusions) <= MAX_EXCLUSION_FILTERS:
            raise RegistryError(
                f"{where} image_tag_mutability_exclusions",
                f"{mode} needs 1 to {MAX_EXCLUSION_FILTERS} exclusion filters",
                given=list(exclusions),
                allowed=(
                    f"1..{MAX_EXCLUSION_FILTERS} wildcard tag filters such as 'latest' or 'dev-*'"
                ),
            )
        for i, pattern in enumerate(exclusions):
            if not is_token(pattern) and not EXCLUSION_FILTER.pattern.fullmatch(pattern):
                raise RegistryError(
                    f"{where} image_tag_mutability_exclusions[{i}]",
                    "not a tag filter",
                    given=pattern,
                    allowed="1..128 of letters, digits, . _ - and the wildcard *",
                )
        props["image_tag_mutability_exclusion_filters"] = [
            _Cfn.ImageTagMutabilityExclusionFilterProperty(
                image_tag_mutability_exclusion_filter_type="WILDCARD",
                image_tag_mutability_exclusion_filter_value=pattern,
            )
            for pattern in exclusions
        ]
    elif exclusions:
        raise RegistryError(
            f"{where} image_tag_mutability_exclusions",
            f"exclusion filters only apply to {' and '.join(sorted(WITH_EXCLUSION_MODES))}",
            given=list(exclusions),
            allowed=f"no exclusions with {mode}",
        )
    return props


def _encryption_type(
    encryption: ecr.RepositoryEncryption | None, key: kms.IKey | None, where: str
) -> str:
    if encryption is None:
        return "KMS"
    value = encryption.value
    if value == "AES256" and key is not None:
        raise RegistryError(
            where,
            "an encryption key needs KMS encryption",
            given="AES256 with encryption_key",
            allowed="RepositoryEncryption.KMS (or KMS_DSSE) with encryption_key, or no key",
        )
    return value


def _check_tags(tags: Mapping[str, str], where: str) -> list[cdk.CfnTag]:
    if len(tags) > MAX_TAGS:
        raise RegistryError(
            where,
            f"a creation template sets at most {MAX_TAGS} tags",
            given=len(tags),
            allowed=f"0..{MAX_TAGS} tags",
        )
    rendered = []
    for key, value in tags.items():
        if not is_token(key) and not 1 <= len(key) <= 128:
            raise RegistryError(
                f"{where}[{key!r}]",
                "a tag key has 1 to 128 characters",
                given=key,
                allowed="1..128 characters",
            )
        if not is_token(value) and len(value) > 256:
            raise RegistryError(
                f"{where}[{key!r}]",
                "a tag value has at most 256 characters",
                given=f"{len(value)} characters",
                allowed="0..256 characters",
            )
        rendered.append(cdk.CfnTag(key=key, value=value))
    return rendered
