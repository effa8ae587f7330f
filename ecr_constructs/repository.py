"""`Repository`: a private ECR repository with secure defaults."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Unpack

import aws_cdk as cdk
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from .errors import EcrConstructsError, RepositoryPropsError, located_at
from .events import (
    ActionResult,
    FindingSeverity,
    RuleOptions,
    enhanced_findings_rule,
    image_archived_rule,
    image_deleted_rule,
    image_push_rule,
    image_restored_rule,
    referrer_action_rule,
    replication_rule,
    scan_completed_rule,
)
from .lifecycle import LifecyclePolicy, LifecyclePreset, TagStrategy
from .naming import check_repository_name, image_uri, url_suffix
from .policy import AccessGrant
from .registry._registry import RegistryIndex, child_path
from .settings import Encryption, RemovalPolicy, RepositorySettings, TagMutability, renamed

# The partition token is the same string in every stack: read it from jsii once.
_PARTITION: str = cdk.Aws.PARTITION


class Repository(Construct):
    """A private ECR repository with secure defaults.

    Defaults, each overridable: tags are IMMUTABLE; images are scanned on push; images are
    encrypted with KMS (the AWS-managed ``aws/ecr`` key unless ``encryption_key`` is given);
    ``Lifecycle.DEFAULT`` applies when no lifecycle is given; the repository is RETAINED
    when removed from the stack; no resource policy, so no other account can reach it.

    Switching from ``aws_ecr.Repository`` keeps the deployed repository and its images when
    the construct ID, ``repository_name`` and encryption stay as they were: the logical ID
    is the same, and ``encryption=aws_ecr.RepositoryEncryption.AES_256`` (``aws_ecr``'s
    default) renders the same template as ``aws_ecr.Repository`` does. The other settings
    change in place. Leaving ``encryption`` at its default, KMS, asks CloudFormation to
    replace the repository: see docs/migrating.md. Two repositories with the same name in
    one account and region are refused.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        repository_name: str | None = None,
        image_tag_mutability: ecr.TagMutability | TagMutability | str | None = None,
        image_tag_mutability_exclusions: Sequence[str] | None = None,
        image_scan_on_push: bool | None = None,
        encryption: ecr.RepositoryEncryption | Encryption | str | None = None,
        encryption_key: kms.IKey | str | None = None,
        lifecycle: Sequence[LifecyclePreset] | LifecyclePolicy | None = None,
        access: Sequence[AccessGrant] | None = None,
        removal_policy: cdk.RemovalPolicy | RemovalPolicy | str | None = None,
        empty_on_delete: bool | None = None,
        tags: Mapping[str, str] | None = None,
        settings: RepositorySettings | None = None,
    ) -> None:
        """
        :param repository_name: Default: a name CloudFormation generates.
        :param image_tag_mutability: Default: IMMUTABLE, or IMMUTABLE_WITH_EXCLUSION when
            ``image_tag_mutability_exclusions`` is given.
        :param image_tag_mutability_exclusions: 1-5 wildcard filters for tags that may move
            (for example ``TagMutabilityExclusions.ENVIRONMENT``). Default: none.
        :param image_scan_on_push: Default: true (basic scan of each pushed image).
        :param encryption: fixed when the repository is created: changing it replaces the
            repository. AES256 renders as ``aws_ecr.Repository`` renders it (no
            ``EncryptionConfiguration``). Default: KMS.
        :param encryption_key: a KMS key or its ARN; fixed when the repository is created,
            like ``encryption``. Default: the AWS-managed ``aws/ecr`` key.
        :param lifecycle: presets (list order is precedence) or a ``LifecyclePolicy``.
            Default: ``Lifecycle.DEFAULT``, which deletes nothing.
        :param access: ``RepositoryAccess`` grants rendered into the repository policy.
            Default: no repository policy.
        :param removal_policy: RETAIN or DESTROY. Default: RETAIN.
        :param empty_on_delete: delete the images with the repository; needs DESTROY.
            Default: false.
        :param tags: resource tags (at most 50). Default: none.
        :param settings: every setting at once, as a ``RepositorySettings`` (made elsewhere,
            for example from a registry file); then give none of the other settings.
            Default: the settings above.
        """
        stack = cdk.Stack.of(scope)
        given = {
            "repository_name": repository_name,
            "image_tag_mutability": image_tag_mutability,
            "image_tag_mutability_exclusions": image_tag_mutability_exclusions,
            "image_scan_on_push": image_scan_on_push,
            "encryption": encryption,
            "encryption_key": encryption_key,
            "lifecycle": lifecycle,
            "access": access,
            "removal_policy": removal_policy,
            "empty_on_delete": empty_on_delete,
            "tags": tags,
        }
        with located_at(scope, construct_id):
            settings = settings_of(given, settings, region=stack.region)
        RegistryIndex.of(scope).claim_names(
            "repository",
            stack,
            {settings.name: child_path(scope, construct_id)} if settings.name else {},
        )

        super().__init__(scope, construct_id)
        self.settings: RepositorySettings = settings
        """The repository's settings, as checked."""
        self._imported: ecr.IRepository | None = None
        self.resource = ecr.CfnRepository(
            self, "Resource", **settings.repository_properties(_PARTITION)
        )
        self.resource.apply_removal_policy(cdk.RemovalPolicy[settings.removal_policy.value])

    # -- attributes ---------------------------------------------------------------------

    @property
    def repository_name(self) -> str:
        """The repository's name (a token when CloudFormation generates it)."""
        return self.settings.name if self.settings.name is not None else self.resource.ref

    @property
    def repository_arn(self) -> str:
        return self.resource.attr_arn

    @property
    def repository_uri(self) -> str:
        """``ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME``."""
        return self.repository_uri_for_tag()

    @property
    def lifecycle_policy(self) -> LifecyclePolicy | None:
        """The lifecycle policy in force, for inspection or ``simulate``; None for a repository
        exempt from having one (``Exemption.NO_LIFECYCLE_POLICY``)."""
        return self.settings.lifecycle

    @property
    def repository(self) -> ecr.IRepository:
        """This repository as an ``aws_ecr.IRepository``, for any CDK consumer."""
        if self._imported is None:
            self._imported = ecr.Repository.from_repository_attributes(
                self,
                "Imported",
                repository_arn=self.repository_arn,
                repository_name=self.repository_name,
            )
        return self._imported

    def repository_uri_for_tag(self, tag: str | None = None, *, dual_stack: bool = False) -> str:
        """The image address for ``tag`` (the repository itself without one).

        ``dual_stack=True`` gives the IPv6-capable ``ACCOUNT.dkr-ecr.REGION.on.aws`` host.
        """
        return self._image_uri(tag=tag, dual_stack=dual_stack)

    def repository_uri_for_digest(self, digest: str, *, dual_stack: bool = False) -> str:
        """The image address for a ``sha256:...`` digest."""
        return self._image_uri(digest=digest, dual_stack=dual_stack)

    def _image_uri(
        self, *, tag: str | None = None, digest: str | None = None, dual_stack: bool
    ) -> str:
        stack = cdk.Stack.of(self)
        return image_uri(
            stack.account,
            stack.region,
            self.repository_name,
            tag=tag,
            digest=digest,
            dual_stack=dual_stack,
            url_suffix=url_suffix(stack.region) or stack.url_suffix,
        )

    # -- events -------------------------------------------------------------------------
    # One EventBridge rule per call, for this repository's events. ``options``: ``target``
    # (any ``aws_events.IRuleTarget``) or ``topic`` (an SNS topic that only this account's
    # rules may publish to), and ``description`` (see ``events.RuleOptions``).

    def on_image_pushed(
        self,
        construct_id: str,
        *,
        tags: Sequence[str] | None = None,
        **options: Unpack[RuleOptions],
    ) -> events.Rule:
        """A rule for successful pushes to this repository.

        :param tags: only pushes of these tags. Default: every push.
        """
        return image_push_rule(
            self, construct_id, repository_names=self._names, tags=tags, **options
        )

    def on_image_deleted(
        self,
        construct_id: str,
        *,
        tags: Sequence[str] | None = None,
        **options: Unpack[RuleOptions],
    ) -> events.Rule:
        """A rule for images deleted from this repository.

        :param tags: only deletions of images with these tags. Default: every deletion.
        """
        return image_deleted_rule(
            self, construct_id, repository_names=self._names, tags=tags, **options
        )

    def on_image_archived(self, construct_id: str, **options: Unpack[RuleOptions]) -> events.Rule:
        """A rule for images of this repository moved to the archive storage class."""
        return image_archived_rule(self, construct_id, repository_names=self._names, **options)

    def on_image_restored(self, construct_id: str, **options: Unpack[RuleOptions]) -> events.Rule:
        """A rule for archived images of this repository restored to the standard class."""
        return image_restored_rule(self, construct_id, repository_names=self._names, **options)

    def on_referrer_action(self, construct_id: str, **options: Unpack[RuleOptions]) -> events.Rule:
        """A rule for actions on this repository's referrers (signatures, SBOMs...)."""
        return referrer_action_rule(self, construct_id, repository_names=self._names, **options)

    def on_image_replicated(
        self,
        construct_id: str,
        *,
        result: ActionResult | None = None,
        **options: Unpack[RuleOptions],
    ) -> events.Rule:
        """A rule for images replicated into this repository (this registry is the
        replication destination).

        :param result: only replications with this result. Default: every replication.
        """
        return replication_rule(
            self, construct_id, repository_names=self._names, result=result, **options
        )

    def on_scan_completed(
        self,
        construct_id: str,
        *,
        severity: FindingSeverity | None = None,
        **options: Unpack[RuleOptions],
    ) -> events.Rule:
        """A rule for completed basic scans of this repository's images.

        :param severity: only scans with findings at or above it. Default: every scan.
        """
        return scan_completed_rule(
            self, construct_id, repository_names=self._names, severity=severity, **options
        )

    def on_enhanced_scan_finding(
        self,
        construct_id: str,
        *,
        severity: FindingSeverity = FindingSeverity.HIGH,
        **options: Unpack[RuleOptions],
    ) -> events.Rule:
        """A rule for active Amazon Inspector findings on this repository's images
        (registry-level ENHANCED scanning).

        :param severity: the lowest severity to match. Default: HIGH (HIGH and CRITICAL).
        """
        return enhanced_findings_rule(
            self, construct_id, repository_names=self._names, severity=severity, **options
        )

    @property
    def _names(self) -> list[str]:
        return [self.repository_name]

    # -- access -------------------------------------------------------------------------

    def add_access(self, *grants: AccessGrant) -> None:
        """Add ``RepositoryAccess`` grants to the repository policy."""
        with located_at(self):
            self.settings = self.settings.adding_access(*grants)
        self.resource.repository_policy_text = self.settings.policy_document(_PARTITION)

    def grant(self, grantee: iam.IGrantable, *actions: str) -> iam.Grant:
        """Give ``grantee`` (same account) ``actions`` on this repository, in its IAM policy."""
        return self.repository.grant(grantee, *actions)

    def grant_pull(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` pull images (and get an authorization token)."""
        return self.repository.grant_pull(grantee)

    def grant_push(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` push images (and get an authorization token)."""
        return self.repository.grant_push(grantee)

    def grant_pull_push(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` pull and push images."""
        return self.repository.grant_pull_push(grantee)

    def grant_read(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` describe the repository and its images."""
        return self.repository.grant_read(grantee)

    # -- importers ----------------------------------------------------------------------

    @staticmethod
    def from_repository_name(
        scope: Construct, construct_id: str, repository_name: str
    ) -> ecr.IRepository:
        """An existing repository in the stack's account and region, by name."""
        with located_at(scope, construct_id):
            check_repository_name(repository_name, "repository_name")
        return ecr.Repository.from_repository_name(scope, construct_id, repository_name)

    @staticmethod
    def from_repository_arn(
        scope: Construct, construct_id: str, repository_arn: str
    ) -> ecr.IRepository:
        """An existing repository, by ARN (``arn:aws:ecr:REGION:ACCOUNT:repository/NAME``)."""
        return ecr.Repository.from_repository_arn(scope, construct_id, repository_arn)

    @staticmethod
    def from_repository_attributes(
        scope: Construct, construct_id: str, *, repository_arn: str, repository_name: str
    ) -> ecr.IRepository:
        """An existing repository, by ARN and name."""
        with located_at(scope, construct_id):
            check_repository_name(repository_name, "repository_name")
        return ecr.Repository.from_repository_attributes(
            scope, construct_id, repository_arn=repository_arn, repository_name=repository_name
        )


#: The settings' fields in ``Repository``'s vocabulary, for errors.
_NAMES = {
    "name": "repository_name",
    "tag_mutability": "image_tag_mutability",
    "tag_mutability_exclusions": "image_tag_mutability_exclusions",
    "scan_on_push": "image_scan_on_push",
    "kms_key_arn": "encryption_key",
}


def settings_of(
    given: Mapping[str, Any], settings: RepositorySettings | None, *, region: str | None
) -> RepositorySettings:
    """The ``RepositorySettings`` of ``Repository``'s arguments (None where not given), or
    ``settings`` when no argument is given."""
    chosen = {key: value for key, value in given.items() if value is not None}
    if settings is not None:
        if chosen:
            raise RepositoryPropsError(
                "settings",
                "give settings, or the individual settings, not both",
                given=sorted(chosen),
                allowed="settings alone",
            )
        if not isinstance(settings, RepositorySettings):
            raise RepositoryPropsError(
                "settings",
                "not a RepositorySettings",
                given=settings,
                allowed="RepositorySettings(...)",
            )
        return settings
    encryption = chosen.pop("encryption", None)
    if isinstance(encryption, ecr.RepositoryEncryption):
        encryption = encryption.value
    key = chosen.pop("encryption_key", None)
    if key is not None and not isinstance(key, str):
        key = getattr(key, "key_arn", key)  # a kms.IKey
    values = {
        "name": chosen.pop("repository_name", None),
        "tag_mutability": chosen.pop("image_tag_mutability", None),
        "tag_mutability_exclusions": chosen.pop("image_tag_mutability_exclusions", ()),
        "scan_on_push": chosen.pop("image_scan_on_push", True),
        "encryption": encryption or Encryption.KMS,
        "kms_key_arn": key,
        **chosen,
    }
    try:
        return RepositorySettings(**values, region=region)
    except EcrConstructsError as error:
        raise renamed(error, _NAMES) from None


class TagMutabilityExclusions:
    """Presets for ``image_tag_mutability_exclusions``."""

    #: Moving environment pointers that a deploy re-points (``latest``, ``prod``,
    #: ``staging``...): the same tags ``TagStrategy.ENVIRONMENT`` selects in lifecycle rules.
    ENVIRONMENT: tuple[str, ...] = tuple(TagStrategy.ENVIRONMENT)
