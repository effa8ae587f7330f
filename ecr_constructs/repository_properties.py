"""The properties of one ``AWS::ECR::Repository``, checked and rendered in pure Python.

``Repository`` and ``RepositoryFleet`` both render through :func:`repository_properties`,
so a repository has the same template whichever of them creates it. Settings come in as
plain values (CloudFormation's strings: ``IMMUTABLE``, ``KMS``, ``RETAIN``); the result holds
the keyword arguments of ``aws_ecr.CfnRepository``, struct properties as camelCase maps
(jsii hands them over without building a Python struct object per property).

Lifecycle policies and repository policies are composed once per distinct list of presets
or grants and shared by every repository that uses the same list.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .errors import RepositoryPropsError
from .lifecycle import Lifecycle, LifecyclePolicy, LifecyclePreset, resolve_lifecycle
from .naming import (
    EXCLUSION_FILTER,
    MAX_EXCLUSION_FILTERS,
    WITH_EXCLUSION_MODES,
    check_repository_name,
    is_token,
)
from .policy import AccessGrant, RepositoryPolicyDocument

KEY_ENCRYPTIONS = ("KMS", "KMS_DSSE")
REMOVAL_POLICIES = ("RETAIN", "DESTROY")
_TAG_KEY = re.compile(r"[\w\s.:/=+\-@]{1,128}")
_CACHE_SIZE = 1024


@dataclass(frozen=True)
class RenderedRepository:
    """A repository's CloudFormation properties and the lifecycle policy in them."""

    properties: dict[str, Any]
    """Keyword arguments of ``aws_ecr.CfnRepository``."""
    lifecycle_policy: LifecyclePolicy


def repository_properties(
    *,
    repository_name: str | None,
    image_tag_mutability: str | None = None,
    image_tag_mutability_exclusions: Sequence[str] | None = None,
    image_scan_on_push: bool = True,
    encryption: str | None = None,
    encryption_key_arn: str | None = None,
    lifecycle: Sequence[LifecyclePreset] | LifecyclePolicy | None = None,
    access: Sequence[AccessGrant] = (),
    partition: str = "aws",
    removal_policy: str = "RETAIN",
    empty_on_delete: bool = False,
    tags: Mapping[str, str] | None = None,
) -> RenderedRepository:
    """Check a repository's settings and render its ``CfnRepository`` properties.

    Defaults as in ``Repository``: IMMUTABLE tags (IMMUTABLE_WITH_EXCLUSION when exclusions
    are given), scan on push, KMS encryption, ``Lifecycle.DEFAULT``, no repository policy,
    RETAIN. ``partition`` goes into the policy's root ARNs (a token is fine). Raises
    ``RepositoryPropsError`` (or the lifecycle and policy layers' errors) naming the field.
    """
    if repository_name is not None:
        check_repository_name(repository_name, "repository_name")
    mutability, exclusions = _tag_mutability(image_tag_mutability, image_tag_mutability_exclusions)
    encryption_configuration = _encryption(encryption, encryption_key_arn)
    policy = lifecycle_policy(lifecycle)
    document = repository_policy(access, partition) if access else None
    _check_removal(removal_policy, empty_on_delete)
    tag_list = _tags(tags)
    properties: dict[str, Any] = {
        "repository_name": repository_name,
        "image_tag_mutability": mutability,
        "image_tag_mutability_exclusion_filters": exclusions,
        "image_scanning_configuration": {"scanOnPush": image_scan_on_push},
        "encryption_configuration": encryption_configuration,
        "lifecycle_policy": {"lifecyclePolicyText": policy.to_json()},
        "repository_policy_text": document,
        "empty_on_delete": True if empty_on_delete else None,
        "tags": tag_list,
    }
    return RenderedRepository(properties, policy)


def lifecycle_policy(
    lifecycle: Sequence[LifecyclePreset] | LifecyclePolicy | None,
) -> LifecyclePolicy:
    """The policy of a ``lifecycle`` setting (see ``resolve_lifecycle``), composed once per
    distinct list of presets."""
    if lifecycle is None:
        return _composed(Lifecycle.DEFAULT)
    if isinstance(lifecycle, list | tuple) and all(
        isinstance(preset, LifecyclePreset) for preset in lifecycle
    ):
        return _composed(tuple(lifecycle))
    return resolve_lifecycle(lifecycle)


def repository_policy(access: Sequence[AccessGrant], partition: str) -> dict[str, Any]:
    """The repository policy of ``access`` grants, checked; rendered once per distinct list
    (callers must not modify the returned mapping)."""
    if all(isinstance(grant, AccessGrant) for grant in access):
        return _policy(tuple(access), partition)
    return RepositoryPolicyDocument(access, where="access", partition=partition).to_dict()


@lru_cache(maxsize=_CACHE_SIZE)
def _composed(presets: tuple[LifecyclePreset, ...]) -> LifecyclePolicy:
    return resolve_lifecycle(presets)


@lru_cache(maxsize=_CACHE_SIZE)
def _policy(access: tuple[AccessGrant, ...], partition: str) -> dict[str, Any]:
    return RepositoryPolicyDocument(access, where="access", partition=partition).to_dict()


def _tag_mutability(
    mutability: str | None, exclusions: Sequence[str] | None
) -> tuple[str, list[dict[str, str]] | None]:
    if exclusions is None:
        if mutability in WITH_EXCLUSION_MODES:
            raise RepositoryPropsError(
                "image_tag_mutability_exclusions",
                f"{mutability} needs image_tag_mutability_exclusions",
                given=None,
                allowed=f"1..{MAX_EXCLUSION_FILTERS} wildcard filters",
            )
        return mutability or "IMMUTABLE", None
    resolved = mutability or "IMMUTABLE_WITH_EXCLUSION"
    if resolved not in WITH_EXCLUSION_MODES:
        raise RepositoryPropsError(
            "image_tag_mutability",
            "image_tag_mutability_exclusions need a *_WITH_EXCLUSION tag mutability",
            given=resolved,
            allowed="IMMUTABLE_WITH_EXCLUSION, MUTABLE_WITH_EXCLUSION (or omit it)",
        )
    filters = list(exclusions)
    if not 1 <= len(filters) <= MAX_EXCLUSION_FILTERS:
        raise RepositoryPropsError(
            "image_tag_mutability_exclusions",
            "wrong number of exclusion filters",
            given=filters,
            allowed=f"1..{MAX_EXCLUSION_FILTERS} filters",
        )
    for index, value in enumerate(filters):
        if not isinstance(value, str) or not EXCLUSION_FILTER.pattern.fullmatch(value):
            raise RepositoryPropsError(
                f"image_tag_mutability_exclusions[{index}]",
                "not a valid tag wildcard filter",
                given=value,
                allowed="1..128 of letters, digits, . _ - and the * wildcard",
            )
    if len(set(filters)) != len(filters):
        raise RepositoryPropsError(
            "image_tag_mutability_exclusions",
            "exclusion filters must be unique",
            given=filters,
            allowed="distinct filters",
        )
    return resolved, [
        {
            "imageTagMutabilityExclusionFilterType": "WILDCARD",
            "imageTagMutabilityExclusionFilterValue": value,
        }
        for value in filters
    ]


def _encryption(encryption: str | None, key_arn: str | None) -> dict[str, str]:
    resolved = encryption or "KMS"
    if key_arn is not None:
        if resolved not in KEY_ENCRYPTIONS:
            raise RepositoryPropsError(
                "encryption_key",
                "an encryption key needs KMS encryption",
                given=resolved,
                allowed="KMS, KMS_DSSE (or omit encryption)",
            )
        return {"encryptionType": resolved, "kmsKey": key_arn}
    return {"encryptionType": resolved}


def _check_removal(removal_policy: str, empty_on_delete: bool) -> None:
    if removal_policy not in REMOVAL_POLICIES:
        raise RepositoryPropsError(
            "removal_policy",
            "ECR repositories can be retained or destroyed, not snapshotted",
            given=removal_policy,
            allowed="RETAIN, DESTROY",
        )
    if empty_on_delete and removal_policy != "DESTROY":
        raise RepositoryPropsError(
            "empty_on_delete",
            "empty_on_delete deletes images only when the repository is destroyed",
            given=f"empty_on_delete=True with removal_policy={removal_policy}",
            allowed="removal_policy=RemovalPolicy.DESTROY, or empty_on_delete=False",
        )


def _tags(tags: Mapping[str, str] | None) -> list[dict[str, str]] | None:
    if not tags:
        return None
    for key, value in tags.items():
        if is_token(key) or is_token(value):
            continue
        if not isinstance(key, str) or key.startswith("aws:") or not _TAG_KEY.fullmatch(key):
            raise RepositoryPropsError(
                "tags",
                "not a valid tag key",
                given=key,
                allowed="1..128 letters, digits, spaces and _ . : / = + - @, not starting aws:",
            )
        if not isinstance(value, str) or len(value) > 256:
            raise RepositoryPropsError(
                f"tags[{key!r}]",
                "not a valid tag value",
                given=value,
                allowed="a string of 0..256 characters",
            )
    return [{"key": key, "value": tags[key]} for key in sorted(tags)]
