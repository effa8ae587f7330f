"""`RepositorySettings`: a private repository's settings, every rule checked once. Pure Python.

The one home of a repository's settings. ``Repository``, ``RepositoryFleet``,
``RepositoryCreationTemplate`` and the registry file build a ``RepositorySettings`` at their
edge, in their own vocabulary, and render CloudFormation properties from it; none of them
checks a setting again. Problems are reported at field paths in this class's vocabulary
(``tag_mutability_exclusions[1]``); :func:`renamed` moves them into a caller's.

Lifecycle policies and repository policies are composed once per distinct list of presets
or grants and shared by every repository that uses the same list.
"""

from __future__ import annotations

import dataclasses
import enum
import types
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, TypeVar

from .errors import EcrConstructsError, Path, Problem, RepositoryPropsError
from .lifecycle import Lifecycle, LifecyclePolicy, LifecyclePreset, resolve_lifecycle
from .naming import (
    EXCLUSION_FILTER,
    KMS_KEY_ARN,
    LONGEST_PARTITION,
    MAX_EXCLUSION_FILTERS,
    REPOSITORY_NAME,
    is_token,
    partition_of,
    tag_problems,
)
from .policy import AccessGrant, RepositoryPolicyDocument

_CACHE_SIZE = 1024


class TagMutability(enum.StrEnum):
    """Whether a tag, once pushed, can point to another image."""

    MUTABLE = "MUTABLE"
    IMMUTABLE = "IMMUTABLE"
    IMMUTABLE_WITH_EXCLUSION = "IMMUTABLE_WITH_EXCLUSION"
    """Immutable, except tags matching the exclusion filters."""
    MUTABLE_WITH_EXCLUSION = "MUTABLE_WITH_EXCLUSION"
    """Mutable, except tags matching the exclusion filters."""

    @property
    def has_exclusions(self) -> bool:
        """True for the modes that take exclusion filters (and need them)."""
        return self in (
            TagMutability.IMMUTABLE_WITH_EXCLUSION,
            TagMutability.MUTABLE_WITH_EXCLUSION,
        )


_WITH_EXCLUSION = frozenset(
    {TagMutability.IMMUTABLE_WITH_EXCLUSION, TagMutability.MUTABLE_WITH_EXCLUSION}
)


class Encryption(enum.StrEnum):
    """Encryption at rest, fixed when the repository is created."""

    AES256 = "AES256"
    KMS = "KMS"
    """The AWS-managed ``aws/ecr`` key, or the key given."""
    KMS_DSSE = "KMS_DSSE"
    """Dual-layer KMS encryption (where ECR offers it)."""

    @property
    def uses_kms(self) -> bool:
        return self is not Encryption.AES256


class Exemption(enum.StrEnum):
    """A rule the library enforces on new repositories that a repository is exempt from.

    For repositories adopted as they are deployed (``ecr-constructs import``): the setting
    is kept, and each waived problem is listed in ``RepositorySettings.waived`` (the
    registry file reports them as warnings). ECR's own limits are never waived.
    """

    NO_LIFECYCLE_POLICY = "no_lifecycle_policy"
    """The repository may have no lifecycle policy (``lifecycle=[]``): no image is ever
    expired or archived (Security Hub ECR.3 expects a policy)."""
    UNCHECKED_POLICY_STATEMENTS = "unchecked_policy_statements"
    """Repository policy statements are kept verbatim even where they break the library's
    statement rules (a ``*`` principal without a Condition, principals or elements it does
    not recognise); the policy must still fit ECR's 10,240 characters."""


class RemovalPolicy(enum.StrEnum):
    """What happens to a repository when it leaves its stack."""

    RETAIN = "RETAIN"
    """It stays, with its images (the default)."""
    DESTROY = "DESTROY"
    """It is deleted; with ``empty_on_delete`` its images are deleted first."""


_Enum = TypeVar("_Enum", bound=enum.StrEnum)


@dataclass(frozen=True, init=False)
class RepositorySettings:
    """A private repository's settings, checked on construction.

    Values may be given in the obvious spellings (``"IMMUTABLE"``, ``aws_ecr.TagMutability``,
    ``aws_cdk.RemovalPolicy``); they are stored normalised: enums, tuples, a composed
    ``LifecyclePolicy``, a read-only tag mapping. Bad values raise ``RepositoryPropsError``
    (or the lifecycle and policy layers' errors) listing every problem with its field path.

    :param name: the repository name. Default: none (CloudFormation generates one).
    :param tag_mutability: Default: IMMUTABLE, or IMMUTABLE_WITH_EXCLUSION when
        ``tag_mutability_exclusions`` are given.
    :param tag_mutability_exclusions: 1..5 wildcard filters of tags that may move; required
        with, and only with, the ``*_WITH_EXCLUSION`` modes. Default: none.
    :param scan_on_push: Default: true (a basic scan of each pushed image).
    :param encryption: Default: KMS.
    :param kms_key_arn: a customer-managed key (a token is fine), only with KMS encryption.
        Default: the AWS-managed ``aws/ecr`` key.
    :param lifecycle: presets (list order is precedence) or a ``LifecyclePolicy``; an empty
        list is no lifecycle policy at all, allowed only with the ``NO_LIFECYCLE_POLICY``
        exemption. Default: ``Lifecycle.DEFAULT``, which archives untagged images not pulled
        for 90 days and deletes nothing.
    :param access: ``RepositoryAccess`` grants, rendered as the repository policy.
        Default: no repository policy.
    :param removal_policy: Default: RETAIN.
    :param empty_on_delete: delete the images with the repository; only with DESTROY.
        Default: false.
    :param tags: resource tags (at most 50). Default: none.
    :param exemptions: ``Exemption`` values: rules of the library this repository is exempt
        from (its settings are kept as deployed). Default: none: every rule applies.
    :param region: where the repository is deployed, when known: the KMS key must be in
        that region, and the repository policy is measured in that region's partition.
        Default: unknown (the policy is measured in the longest partition name).
    """

    name: str | None
    tag_mutability: TagMutability
    tag_mutability_exclusions: tuple[str, ...]
    scan_on_push: bool
    encryption: Encryption
    kms_key_arn: str | None
    lifecycle: LifecyclePolicy | None
    """The lifecycle policy; None: none at all (only with ``Exemption.NO_LIFECYCLE_POLICY``)."""
    access: tuple[AccessGrant, ...]
    removal_policy: RemovalPolicy
    empty_on_delete: bool
    tags: Mapping[str, str]
    exemptions: frozenset[Exemption]
    waived: tuple[Problem, ...] = field(init=False, compare=False)
    """The problems the exemptions waived (the rule each breaks, where); empty when none."""
    region: str | None = field(repr=False, compare=False)
    """Where the repository is deployed, when known (a token or None otherwise)."""

    def __init__(
        self,
        *,
        name: str | None = None,
        tag_mutability: TagMutability | enum.Enum | str | None = None,
        tag_mutability_exclusions: Sequence[str] | None = None,
        scan_on_push: bool = True,
        encryption: Encryption | enum.Enum | str = Encryption.KMS,
        kms_key_arn: str | None = None,
        lifecycle: Sequence[LifecyclePreset] | LifecyclePolicy | None = None,
        access: Sequence[AccessGrant] | None = None,
        removal_policy: RemovalPolicy | enum.Enum | str = RemovalPolicy.RETAIN,
        empty_on_delete: bool = False,
        tags: Mapping[str, str] | None = None,
        exemptions: Collection[Exemption | str] = (),
        region: str | None = None,
    ) -> None:
        problems: list[Problem] = []
        errors: list[EcrConstructsError] = []
        waived: list[Problem] = []
        set_ = object.__setattr__
        set_(self, "region", region)
        exempt = _exemptions(exemptions, problems)
        set_(self, "exemptions", exempt)
        if name is not None:
            problems += REPOSITORY_NAME.problems(name, ("name",))
        set_(self, "name", name)
        exclusions = _strings(tag_mutability_exclusions, "tag_mutability_exclusions", problems)
        set_(self, "tag_mutability_exclusions", exclusions)
        set_(self, "tag_mutability", _mutability(tag_mutability, exclusions, problems))
        for key, flag in (("scan_on_push", scan_on_push), ("empty_on_delete", empty_on_delete)):
            _check_bool(flag, key, problems)
            set_(self, key, flag)
        resolved_encryption = _choice(Encryption, encryption, "encryption", problems)
        set_(self, "encryption", resolved_encryption)
        _check_key(kms_key_arn, resolved_encryption, region, problems)
        set_(self, "kms_key_arn", kms_key_arn)
        removal = _removal(removal_policy, problems)
        set_(self, "removal_policy", removal)
        if empty_on_delete is True and removal is RemovalPolicy.RETAIN:
            problems.append(
                Problem.at(
                    ("empty_on_delete",),
                    "empty_on_delete deletes images only when the repository is destroyed",
                    given="empty_on_delete with removal_policy RETAIN",
                    allowed="removal_policy DESTROY, or no empty_on_delete",
                    related=(("removal_policy",),),
                )
            )
        tag_values = {} if tags is None else tags
        problems += tag_problems(tag_values, ("tags",))
        set_(self, "tags", types.MappingProxyType(dict(tag_values)) if not problems else {})
        if _is_empty_list(lifecycle):
            set_(self, "lifecycle", None)
            _no_lifecycle(Exemption.NO_LIFECYCLE_POLICY in exempt, problems, waived)
        else:
            try:
                set_(self, "lifecycle", lifecycle_policy(lifecycle))
            except EcrConstructsError as error:
                errors.append(error)
        grants = () if access is None else access
        if isinstance(grants, str | bytes | Mapping) or not isinstance(grants, Sequence):
            problems.append(
                Problem.at(
                    ("access",),
                    "access is a list of grants",
                    given=grants,
                    allowed="[RepositoryAccess.pull(...), ...]",
                )
            )
        else:
            set_(self, "access", tuple(grants))
            if grants:
                try:
                    waived += self._policy(self._measured_in)[1]
                except EcrConstructsError as error:
                    errors.append(error)
        set_(self, "waived", tuple(waived))
        if problems or errors:
            if not problems and len(errors) == 1:
                raise errors[0]
            collected = [*problems, *(p for error in errors for p in error.problems)]
            raise RepositoryPropsError.from_problems(collected)

    @property
    def creation_needs_role(self) -> bool:
        """Whether ECR needs an IAM role to create a repository with these settings from a
        creation template: to use the KMS key, or to tag it."""
        return self.encryption.uses_kms or bool(self.tags)

    def repository_properties(self, partition: str) -> dict[str, Any]:
        """The keyword arguments of ``aws_ecr.CfnRepository``; struct properties as
        camelCase maps. ``partition`` goes into the policy's ARNs (a token is fine).

        AES256 renders no ``EncryptionConfiguration`` (ECR's default), as
        ``aws_ecr.Repository`` renders it: CloudFormation compares templates, not
        repositories, and replaces a repository when that property appears or goes."""
        return {
            "repository_name": self.name,
            "image_tag_mutability": self.tag_mutability.value,
            "image_tag_mutability_exclusion_filters": self.exclusion_filters(),
            "image_scanning_configuration": {"scanOnPush": self.scan_on_push},
            "encryption_configuration": (
                self.encryption_configuration() if self.encryption.uses_kms else None
            ),
            "lifecycle_policy": (
                None
                if self.lifecycle is None
                else {"lifecyclePolicyText": self.lifecycle.to_json()}
            ),
            "repository_policy_text": self.policy_document(partition),
            "empty_on_delete": True if self.empty_on_delete else None,
            "tags": self.tag_list(),
        }

    def exclusion_filters(self) -> list[dict[str, str]] | None:
        """``ImageTagMutabilityExclusionFilters`` (camelCase); None without exclusions."""
        if not self.tag_mutability_exclusions:
            return None
        return [
            {
                "imageTagMutabilityExclusionFilterType": "WILDCARD",
                "imageTagMutabilityExclusionFilterValue": value,
            }
            for value in self.tag_mutability_exclusions
        ]

    def encryption_configuration(self) -> dict[str, str]:
        """``EncryptionConfiguration`` (camelCase)."""
        if self.kms_key_arn is None:
            return {"encryptionType": self.encryption.value}
        return {"encryptionType": self.encryption.value, "kmsKey": self.kms_key_arn}

    def policy_document(self, partition: str) -> dict[str, Any] | None:
        """The repository policy (shared between equal settings: don't modify it); None
        without access grants."""
        return self._policy(partition)[0] if self.access else None

    def adding_access(self, *grants: AccessGrant) -> RepositorySettings:
        """These settings with more access grants (checked as one repository policy)."""
        return dataclasses.replace(self, access=(*self.access, *grants))

    @property
    def _measured_in(self) -> str:
        """The partition the repository policy is measured in."""
        return partition_of(self.region) or LONGEST_PARTITION

    def _policy(self, partition: str) -> tuple[dict[str, Any], tuple[Problem, ...]]:
        unchecked = Exemption.UNCHECKED_POLICY_STATEMENTS in self.exemptions
        return _policy(self.access, partition, self._measured_in, unchecked)

    def tag_list(self) -> list[dict[str, str]] | None:
        """The tags as CloudFormation's ``[{key, value}]``, sorted by key; None without."""
        if not self.tags:
            return None
        return [{"key": key, "value": self.tags[key]} for key in sorted(self.tags)]


def renamed(error: EcrConstructsError, names: Mapping[str, str]) -> EcrConstructsError:
    """``error`` with its problems' first path segment in a caller's vocabulary
    (``{"scan_on_push": "image_scan_on_push"}``); problems without a path stay as they are."""
    moved = [
        problem.moved((names[head], *problem.path[1:]))
        if problem.path and isinstance(head := problem.path[0], str) and head in names
        else problem
        for problem in error.problems
    ]
    return type(error).from_problems(moved)


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


@lru_cache(maxsize=_CACHE_SIZE)
def _composed(presets: tuple[LifecyclePreset, ...]) -> LifecyclePolicy:
    return resolve_lifecycle(presets)


Policy = tuple[dict[str, Any], tuple[Problem, ...]]
"""A rendered repository policy and the statement problems waived in it."""


def _policy(
    access: tuple[AccessGrant, ...], partition: str, measured_in: str, unchecked: bool
) -> Policy:
    """The repository policy of ``access`` rendered in ``partition`` (a token is fine), its
    length measured in ``measured_in``; statements checked unless ``unchecked`` (then their
    problems are returned, waived)."""
    if all(isinstance(grant, AccessGrant) for grant in access):
        return _cached_policy(access, partition, measured_in, unchecked)
    return _document(access, partition, measured_in, unchecked)


@lru_cache(maxsize=_CACHE_SIZE)
def _cached_policy(
    access: tuple[AccessGrant, ...], partition: str, measured_in: str, unchecked: bool
) -> Policy:
    return _document(access, partition, measured_in, unchecked)


def _document(
    access: tuple[AccessGrant, ...], partition: str, measured_in: str, unchecked: bool
) -> Policy:
    waived: list[Problem] | None = [] if unchecked else None
    document = RepositoryPolicyDocument(
        access, where=("access",), partition=partition, measured_in=measured_in, waived=waived
    ).to_dict()
    return document, tuple(
        replace(problem, message=f"{problem.message} (exempted: {_UNCHECKED})")
        for problem in waived or ()
    )


_UNCHECKED = Exemption.UNCHECKED_POLICY_STATEMENTS.value


def _is_empty_list(lifecycle: object) -> bool:
    return isinstance(lifecycle, list | tuple) and not lifecycle


def _no_lifecycle(exempt: bool, problems: list[Problem], waived: list[Problem]) -> None:
    """A repository without a lifecycle policy: waived by the exemption, else a problem."""
    name = Exemption.NO_LIFECYCLE_POLICY.value
    if exempt:
        waived.append(
            Problem.at(
                ("lifecycle",),
                f"no lifecycle policy: no image is ever expired or archived (exempted: {name})",
            )
        )
        return
    problems.append(
        Problem.at(
            ("lifecycle",),
            "every repository has a lifecycle policy; an empty list leaves it without one",
            given=[],
            allowed=f"lifecycle presets, or exemptions [{name}] to keep a repository without a "
            "lifecycle policy",
        )
    )


def _exemptions(values: object, problems: list[Problem]) -> frozenset[Exemption]:
    if isinstance(values, str | bytes) or not isinstance(values, Collection):
        problems.append(
            Problem.at(
                ("exemptions",),
                "exemptions is a list",
                given=values,
                allowed=", ".join(member.value for member in Exemption),
            )
        )
        return frozenset()
    return frozenset(_choice(Exemption, value, "exemptions", problems) for value in values)


def _choice(kind: type[_Enum], value: object, key: str, problems: list[Problem]) -> _Enum:
    """``value`` as a member of ``kind``: a member, its value, or any enum member (such as
    aws-cdk-lib's) or string naming one."""
    if isinstance(value, kind):
        return value
    name = value.name if isinstance(value, enum.Enum) else value
    if isinstance(name, str):
        for member in kind:
            if name in (member.value, member.name) or name.upper() == member.name:
                return member
    problems.append(
        Problem.at(
            (key,),
            f"not a valid {key}",
            given=value,
            allowed=", ".join(member.value for member in kind),
        )
    )
    return next(iter(kind))


def _strings(values: object, key: str, problems: list[Problem]) -> tuple[str, ...]:
    if values is None:
        return ()
    if isinstance(values, str | bytes) or not isinstance(values, Sequence):
        problems.append(
            Problem.at((key,), f"{key} is a list", given=values, allowed=f"[{values!r}]")
        )
        return ()
    return tuple(values)


def _mutability(
    mode: object, exclusions: tuple[str, ...], problems: list[Problem]
) -> TagMutability:
    if mode is None:
        mode = TagMutability.IMMUTABLE_WITH_EXCLUSION if exclusions else TagMutability.IMMUTABLE
    resolved = _choice(TagMutability, mode, "tag_mutability", problems)
    key = "tag_mutability_exclusions"
    if resolved.has_exclusions and not exclusions:
        problems.append(
            Problem.at(
                (key,),
                f"{resolved} needs 1 to {MAX_EXCLUSION_FILTERS} exclusion filters",
                given=list(exclusions),
                allowed="wildcard filters, for example ['latest', 'release-*']",
                related=(("tag_mutability",),),
            )
        )
    elif not resolved.has_exclusions and exclusions:
        problems.append(
            Problem.at(
                (key,),
                "exclusion filters only apply with IMMUTABLE_WITH_EXCLUSION or "
                "MUTABLE_WITH_EXCLUSION",
                given=f"{resolved} with {len(exclusions)} exclusion filters",
                allowed="an *_WITH_EXCLUSION tag mutability, or no exclusion filters",
                related=(("tag_mutability",),),
            )
        )
    if len(exclusions) > MAX_EXCLUSION_FILTERS:
        problems.append(
            Problem.at(
                (key,),
                "too many exclusion filters",
                given=f"{len(exclusions)} filters",
                allowed=f"1..{MAX_EXCLUSION_FILTERS} filters",
            )
        )
    for index, value in enumerate(exclusions):
        problems += EXCLUSION_FILTER.problems(value, (key, index))
    if len(set(exclusions)) != len(exclusions):
        problems.append(
            Problem.at(
                (key,),
                "exclusion filters must be unique",
                given=list(exclusions),
                allowed="distinct filters",
            )
        )
    return resolved


def _check_bool(value: object, key: str, problems: list[Problem]) -> None:
    if not isinstance(value, bool):
        problems.append(Problem.at((key,), "expected true or false", given=value))


def _check_key(
    key_arn: object, encryption: Encryption, region: str | None, problems: list[Problem]
) -> None:
    if key_arn is None:
        return
    where: Path = ("kms_key_arn",)
    if not encryption.uses_kms:
        problems.append(
            Problem.at(
                where,
                "a KMS key needs KMS encryption",
                given=f"encryption {encryption}",
                allowed="encryption KMS (or KMS_DSSE), or no key",
                related=(("encryption",),),
            )
        )
        return
    found = KMS_KEY_ARN.problems(key_arn, where)
    problems += found
    if found or is_token(key_arn) or region is None or is_token(region):
        return
    assert isinstance(key_arn, str)
    key_region = key_arn.split(":")[3]
    if key_region != region:
        problems.append(
            Problem.at(
                where,
                "the KMS key must be in the repository's region",
                given=key_region,
                allowed=f"a key in {region}",
            )
        )


def _removal(value: object, problems: list[Problem]) -> RemovalPolicy:
    name = value.name if isinstance(value, enum.Enum) else value
    if isinstance(name, str) and name.upper() not in RemovalPolicy.__members__:
        problems.append(
            Problem.at(
                ("removal_policy",),
                "ECR repositories can be retained or destroyed, not snapshotted"
                if name.upper() == "SNAPSHOT"
                else "ECR repositories can be retained or destroyed, nothing else",
                given=value,
                allowed="RETAIN, DESTROY",
            )
        )
        return RemovalPolicy.RETAIN
    return _choice(RemovalPolicy, value, "removal_policy", problems)


__all__ = [
    "Encryption",
    "Exemption",
    "RemovalPolicy",
    "RepositorySettings",
    "TagMutability",
    "renamed",
]
