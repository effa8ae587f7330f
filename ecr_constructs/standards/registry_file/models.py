"""The registry file's models: strict, frozen pydantic v2, one class per section.

These models check the shape of the file and each value on its own (types, enums,
patterns, lengths, list sizes). Rules that relate several values (references between
sections, inheritance, limits across lists) are checked by the loader
(``load_registry_config``), which reports every problem at once with its line. Rules that
the constructs enforce too come from ``naming`` and ``registry_rules``, so a file and a
CDK app are held to the same ones.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping, Sized
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    StrictBool,
    StrictInt,
    StrictStr,
    field_validator,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from ...cloudformation import (
    FAILURE_TOLERANCE_PERCENTAGE,
    MAX_CONCURRENT_PERCENTAGE,
    MAX_RESOURCES,
    MIN_RESOURCES_PER_STACK,
    ORGANIZATIONAL_UNIT_ID,
    STACK_NAME,
    CallAs,
)
from ...errors import Problem
from ...naming import (
    ACCOUNT_ID,
    EXCLUSION_FILTER,
    IAM_ROLE_ARN,
    IAM_ROLE_ARN_WITHOUT_PATH,
    KMS_KEY_ARN,
    MAX_EXCLUSION_FILTERS,
    PUBLIC_REPOSITORY_NAME,
    REGION,
    REPOSITORY_NAME,
    TAG_KEY,
    TAG_VALUE,
    TextRule,
)
from ...registry_rules import (
    CACHE_PREFIX,
    CACHE_RULES,
    ORGANIZATION_ID,
    PULL_TIME_EXCLUSION_PRINCIPAL,
    PULL_TIME_EXCLUSIONS,
    REPLICATION_FILTERS,
    REPLICATION_PREFIX,
    REPLICATION_RULES,
    SCAN_FILTER,
    SCAN_FILTERS,
    SCANNING_RULES,
    SECRET_REFERENCE_SCHEMA,
    SIGNING_FILTER,
    SIGNING_FILTERS,
    SIGNING_PROFILE_ARN,
    SIGNING_RULES,
    TEMPLATE_PREFIX,
    UPSTREAM_PREFIX,
    UPSTREAMS,
    AppliedFor,
    Architecture,
    CountRule,
    OperatingSystem,
    RegistryPolicyScope,
    ScanFrequency,
    ScanType,
    secret_reference_problems,
    unique_problems,
)
from ...settings import Encryption, Exemption, RemovalPolicy, TagMutability
from .locations import unknown_name_message
from .presets import PRESET_NAMES, preset_arguments_schema

PUBLIC_REPOSITORY_REGION = "us-east-1"


def _invalid(message: str, allowed: str) -> PydanticCustomError:
    return PydanticCustomError("invalid", message, {"allowed": allowed})


@dataclass(frozen=True, eq=False)
class _Rule:
    """Annotation: validate a string with ``check``; describe it with ``schema``."""

    check: Callable[[str], str]
    schema: Mapping[str, Any]

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self.check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {**handler(schema), **self.schema}


def _checked_by(check: Callable[[str], list[Problem]], schema: Mapping[str, Any]) -> _Rule:
    """A rule shared with the constructs (``naming``, ``registry_rules``) as a validator."""

    def validate(value: str) -> str:
        for problem in check(value):
            raise _invalid(problem.message, problem.allowed or "")
        return value

    return _Rule(validate, schema)


def _text(rule: TextRule) -> _Rule:
    return _checked_by(rule.problems, rule.json_schema())


@dataclass(frozen=True, eq=False)
class _Count:
    """Annotation: a list whose length ``rule`` limits (shared with the constructs)."""

    rule: CountRule

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        def validate(value: Sized) -> Sized:
            for problem in self.rule.problems(len(value)):
                raise PydanticCustomError(
                    "invalid",
                    problem.message,
                    {"allowed": problem.allowed, "given": problem.given},
                )
            return value

        return core_schema.no_info_after_validator_function(validate, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {**handler(schema), **self.rule.json_schema()}


def _unique(values: tuple[Any, ...]) -> tuple[Any, ...]:
    for problem in unique_problems(values):
        raise PydanticCustomError(
            "invalid", problem.message, {"allowed": problem.allowed, "given": problem.given}
        )
    return values


_Unique = (AfterValidator(_unique), Field(json_schema_extra={"uniqueItems": True}))


def _upstream_name(value: str) -> str:
    if value not in UPSTREAMS:
        raise _invalid(unknown_name_message("upstream", value, UPSTREAMS), ", ".join(UPSTREAMS))
    return value


AccountId = Annotated[StrictStr, _text(ACCOUNT_ID)]
RepositoryName = Annotated[StrictStr, _text(REPOSITORY_NAME)]
PublicRepositoryName = Annotated[StrictStr, _text(PUBLIC_REPOSITORY_NAME)]
Region = Annotated[StrictStr, _text(REGION)]
UpstreamName = Annotated[StrictStr, _Rule(_upstream_name, {"enum": list(UPSTREAMS)})]
StandardName = Annotated[
    StrictStr,
    _text(
        TextRule(
            "standard name",
            re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}"),
            "1..64 letters, digits, _ . - (starting with a letter or digit)",
            invalid="not a valid standard name",
        )
    ),
]
ExclusionFilter = Annotated[StrictStr, _text(EXCLUSION_FILTER)]
KmsKeyArn = Annotated[StrictStr, _text(KMS_KEY_ARN)]
RoleArn = Annotated[StrictStr, _text(IAM_ROLE_ARN)]
TemplateRoleArn = Annotated[StrictStr, _text(IAM_ROLE_ARN_WITHOUT_PATH)]
SecretReference = Annotated[
    StrictStr, _checked_by(secret_reference_problems, SECRET_REFERENCE_SCHEMA)
]
CachePrefix = Annotated[StrictStr, _text(CACHE_PREFIX)]
UpstreamPrefix = Annotated[StrictStr, _text(UPSTREAM_PREFIX)]
TemplatePrefix = Annotated[StrictStr, _text(TEMPLATE_PREFIX)]
ReplicationPrefix = Annotated[StrictStr, _text(REPLICATION_PREFIX)]
ScanFilter = Annotated[StrictStr, _text(SCAN_FILTER)]
StackName = Annotated[StrictStr, _text(STACK_NAME)]
SigningProfileArn = Annotated[StrictStr, _text(SIGNING_PROFILE_ARN)]
SigningFilter = Annotated[StrictStr, _text(SIGNING_FILTER)]
ExcludedPrincipal = Annotated[StrictStr, _text(PULL_TIME_EXCLUSION_PRINCIPAL)]
OrganizationId = Annotated[StrictStr, _text(ORGANIZATION_ID)]
OrganizationalUnitId = Annotated[StrictStr, _text(ORGANIZATIONAL_UNIT_ID)]


TagKey = Annotated[StrictStr, _text(TAG_KEY)]
TagValue = Annotated[StrictStr, _text(TAG_VALUE)]
Tags = dict[TagKey, TagValue]


def _lifecycle_item_schema(schema: dict[str, Any]) -> None:
    """Exactly one preset per item; each preset's settings described by its signature."""
    schema["minProperties"] = 1
    schema["maxProperties"] = 1
    for name, prop in schema["properties"].items():
        arguments = preset_arguments_schema(name)
        prop.pop("anyOf", None)
        prop.pop("default", None)
        prop.update({**arguments, "description": prop.get("description", "")})


def _version_is_an_integer(value: Any) -> Any:
    if type(value) is not int:
        raise _invalid("expected the number 1", "1")
    return value


Version = Annotated[Literal[1], BeforeValidator(_version_is_an_integer)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


def _no_null(value: Any) -> Any:
    if value is None:
        raise PydanticCustomError(
            "null_not_allowed",
            "null is not allowed here; leave the key out to inherit the value",
            {"allowed": "a value, or no key at all"},
        )
    return value


class AccessConfig(_Model):
    """Who may pull and push: rendered as the repository policy.

    Each list set on a repository replaces the inherited list of the same name; lists not
    set are inherited. No access list at all: no repository policy (same-account IAM only).
    """

    pull_accounts: tuple[StrictStr, ...] = ()
    """AWS account IDs (12 digits) whose principals may pull."""
    push_accounts: tuple[StrictStr, ...] = ()
    """AWS account IDs (12 digits) whose principals may push (and pull)."""
    pull_principals: tuple[StrictStr, ...] = ()
    """IAM ARNs (roles, users, account roots) that may pull."""
    push_principals: tuple[StrictStr, ...] = ()
    """IAM ARNs (roles, users, account roots) that may push (and pull)."""
    pull_organizations: tuple[StrictStr, ...] = ()
    """AWS Organizations IDs (o-...): any principal of these organisations may pull
    (Principal * limited by aws:PrincipalOrgID)."""
    push_organizations: tuple[StrictStr, ...] = ()
    """AWS Organizations IDs (o-...): any principal of these organisations may push (and
    pull) (Principal * limited by aws:PrincipalOrgID). Every role of every account in the
    organisation may push new images (and, with MUTABLE tags, move tags): prefer
    push_principals for named CI roles."""
    lambda_pull_accounts: tuple[StrictStr, ...] = ()
    """Accounts whose Lambda functions may pull images (lambda.amazonaws.com limited by
    aws:sourceArn)."""
    statements: tuple[dict[str, Any], ...] = ()
    """IAM policy statements used verbatim, for access the lists above can't express; checked
    like every statement unless the repository is exempt (unchecked_policy_statements)."""


ACCESS_KEYS: tuple[str, ...] = tuple(AccessConfig.model_fields)


class LifecycleItemConfig(_Model):
    """One lifecycle preset: a mapping with exactly one key, the preset's name, whose
    value holds the preset's settings (``keep_last: {count: 10}``)."""

    model_config = ConfigDict(json_schema_extra=_lifecycle_item_schema)

    protect_tags: dict[str, Any] | None = None
    """Never expire images with these tags: {prefixes: [...]} or {patterns: [...]}."""
    expire_untagged: dict[str, Any] | None = None
    """Expire untagged images: {after_days: N} or {keep_last: N}."""
    expire_tagged: dict[str, Any] | None = None
    """Expire tagged images: {prefixes|patterns: [...], after_days|keep_last: N}."""
    keep_last: dict[str, Any] | None = None
    """Keep only the newest images: {count: N, prefixes|patterns: [...]}."""
    archive_unpulled: dict[str, Any] | None = None
    """Archive images not pulled for a while: {after_days: N, prefixes|patterns: [...],
    untagged: true|false}."""
    archive_old: dict[str, Any] | None = None
    """Archive images pushed long ago: {after_days: N, prefixes|patterns: [...],
    untagged: true|false}."""
    expire_archived: dict[str, Any] | None = None
    """Expire archived images: {after_days: N} (N >= 90)."""
    raw: dict[str, Any] | None = None
    """An ECR lifecycle rule verbatim: {rulePriority, description, selection, action}."""

    @field_validator(*PRESET_NAMES, mode="before")
    @classmethod
    def _settings_are_a_mapping(cls, value: Any) -> Any:
        if value is None:
            raise _invalid(
                "give the preset's settings as a mapping", "for example keep_last: {count: 10}"
            )
        return value

    @model_validator(mode="after")
    def _exactly_one_preset(self) -> LifecycleItemConfig:
        if len(self.model_fields_set) != 1:
            raise _invalid(
                f"each lifecycle item names exactly one preset; found {len(self.model_fields_set)}",
                "one of " + ", ".join(PRESET_NAMES),
            )
        return self

    def preset(self) -> tuple[str, dict[str, Any]]:
        """The preset's name and its settings."""
        (name,) = self.model_fields_set
        settings: dict[str, Any] = getattr(self, name)
        return name, settings


class _Settings(_Model):
    """Repository settings: every key is optional; an absent key is inherited."""

    scan_on_push: StrictBool | None = None
    """Scan each image when it is pushed. Default: true."""
    tag_mutability: TagMutability | None = None
    """Whether tags can be overwritten. Default: IMMUTABLE."""
    tag_mutability_exclusions: (
        Annotated[
            tuple[ExclusionFilter, ...],
            Field(json_schema_extra={"maxItems": MAX_EXCLUSION_FILTERS}),
        ]
        | None
    ) = None
    """Wildcard tag filters (1..5) exempt from tag_mutability; required with and only with
    IMMUTABLE_WITH_EXCLUSION / MUTABLE_WITH_EXCLUSION. Default: none."""
    encryption: Encryption | None = None
    """Encryption at rest, fixed at creation. Default: KMS (the AWS-managed aws/ecr key
    unless kms_key_arn is given)."""
    kms_key_arn: KmsKeyArn | None = None
    """A customer-managed KMS key (same region), only with encryption KMS. null: no
    customer key. Default: none (the AWS-managed key)."""
    removal_policy: RemovalPolicy | None = None
    """What happens to the repository when it leaves the stack. Default: RETAIN."""
    empty_on_delete: StrictBool | None = None
    """Delete the images with the repository; only with removal_policy DESTROY.
    Default: false."""
    lifecycle: tuple[LifecycleItemConfig, ...] | None = None
    """Lifecycle presets in order of precedence (first = highest). A list set here
    replaces the inherited list. Default: Lifecycle.DEFAULT (untagged images not pulled for
    90 days move to the archive storage class; nothing is deleted)."""
    access: AccessConfig | None = None
    """Who may pull and push. Each list set here replaces the inherited list of the same
    name. Default: no repository policy."""
    tags: Tags | None = None
    """Resource tags, merged over the inherited tags (a key set here wins).
    Default: none."""
    exemptions: tuple[Exemption, ...] | None = None
    """Rules of the library the repository is exempt from, so that a setting adopted as
    deployed is kept: no_lifecycle_policy (lifecycle: [] means no lifecycle policy),
    unchecked_policy_statements (access.statements kept verbatim). Each waived problem is
    reported as a warning. Default: none: every rule applies."""

    @field_validator(
        "scan_on_push",
        "tag_mutability",
        "tag_mutability_exclusions",
        "encryption",
        "removal_policy",
        "empty_on_delete",
        "lifecycle",
        "access",
        "tags",
        "exemptions",
        mode="before",
    )
    @classmethod
    def _present_values_are_not_null(cls, value: Any) -> Any:
        return _no_null(value)


SETTING_KEYS: tuple[str, ...] = tuple(_Settings.model_fields)


class StandardConfig(_Settings):
    """A named, reusable set of repository settings."""

    extends: StandardName | None = None
    """Another standard to inherit from; this standard's keys override it.
    Default: the built-in secure defaults."""


class DefaultsConfig(_Model):
    """Settings for repositories that say nothing."""

    standard: StandardName | None = None
    """The standard of repositories that name none. Default: the built-in secure defaults."""


class RepositoryConfig(_Settings):
    """A private repository: a name, a standard, and any standard key as an override."""

    name: RepositoryName
    """Repository name, unique in the file: 2..256 characters, lowercase, path segments
    separated by /."""
    standard: StandardName | None = None
    """The standard to apply. Default: defaults.standard."""


class PublicAccessConfig(_Model):
    """Who may push to a public repository: rendered as its repository policy (anyone may
    pull a public image). Both lists empty: no repository policy (same-account IAM only)."""

    push_accounts: tuple[StrictStr, ...] = ()
    """AWS account IDs (12 digits) whose principals may push."""
    push_principals: tuple[StrictStr, ...] = ()
    """IAM ARNs (roles, users, account roots) that may push."""


class PublicRepositoryConfig(_Model):
    """A repository in ECR Public (us-east-1 only), with its gallery catalog data."""

    name: PublicRepositoryName
    """Public repository name, unique in the file: 2..205 characters."""
    description: Annotated[StrictStr, Field(max_length=1024)] | None = None
    """Short description in the gallery. Default: none."""
    about: Annotated[StrictStr, Field(max_length=10240)] | None = None
    """About text (markdown). Default: none."""
    usage: Annotated[StrictStr, Field(max_length=10240)] | None = None
    """Usage text (markdown). Default: none."""
    operating_systems: Annotated[tuple[OperatingSystem, ...], *_Unique] = ()
    """Operating systems the images run on. Default: none listed."""
    architectures: Annotated[tuple[Architecture, ...], *_Unique] = ()
    """CPU architectures of the images. Default: none listed."""
    logo: StrictStr | None = None
    """The gallery logo: a PNG or JPEG file of at most 512,000 bytes, its path relative to
    the registry file. Deployed by a custom resource (a Lambda function) with the logo as
    a file asset. Default: no logo."""
    access: PublicAccessConfig = Field(default_factory=PublicAccessConfig)
    """Who may push. Default: no repository policy."""
    tags: Tags = Field(default_factory=dict)
    """Resource tags. Default: none."""


class ScanningRuleConfig(_Model):
    """Which repositories are scanned, and when."""

    frequency: ScanFrequency
    """SCAN_ON_PUSH or MANUAL with BASIC scanning; SCAN_ON_PUSH or CONTINUOUS_SCAN with
    ENHANCED."""
    filters: Annotated[tuple[ScanFilter, ...], _Count(SCAN_FILTERS)]
    """Repository name wildcard filters (1..100), for example prod* or *."""


class ScanningConfig(_Model):
    """The registry's scanning configuration."""

    type: ScanType
    """BASIC (ECR's scanner) or ENHANCED (Amazon Inspector)."""
    rules: Annotated[tuple[ScanningRuleConfig, ...], _Count(SCANNING_RULES)] = ()
    """At most 2 rules. Default: none (repositories are scanned on request only)."""


class ReplicationDestinationConfig(_Model):
    """Where images are replicated to."""

    region: Region
    """Destination region."""
    account: AccountId | None = None
    """Destination account (12 digits). Default: this registry's account."""


class ReplicationRuleConfig(_Model):
    """Replicate matching repositories to one or more destinations."""

    destinations: Annotated[tuple[ReplicationDestinationConfig, ...], Field(min_length=1)]
    """Destinations of this rule (at least one)."""
    repository_prefixes: Annotated[tuple[ReplicationPrefix, ...], _Count(REPLICATION_FILTERS)] = ()
    """Repository name prefixes to replicate (at most 100). Default: every repository."""


class ReplicationConfig(_Model):
    """The registry's replication configuration. Rules replicate images pushed after they
    exist; images already in the registry are copied by a replication backfill, which
    CloudFormation can't start (ECR API StartReplicationBackfill). Replicas are not
    replicated again."""

    rules: Annotated[tuple[ReplicationRuleConfig, ...], _Count(REPLICATION_RULES)]
    """1..10 rules, at most 25 unique destinations in total."""


class PullThroughCacheRuleConfig(_Model):
    """Cache an upstream registry under a repository prefix."""

    prefix: CachePrefix
    """Repository namespace of the cache (2..30 characters, or ROOT), unique."""
    upstream: UpstreamName
    """The upstream registry."""
    credential_secret: SecretReference | None = None
    """Secrets Manager secret (name or ARN, starting with ecr-pullthroughcache/) holding the
    upstream credentials; required exactly for docker-hub, github-container-registry,
    gitlab-container-registry, azure-container-registry and chainguard."""
    upstream_url: StrictStr | None = None
    """Registry host, required exactly for azure-container-registry (NAME.azurecr.io) and
    ecr (ACCOUNT.dkr.ecr.REGION.amazonaws.com). Default: the upstream's fixed URL."""
    custom_role_arn: RoleArn | None = None
    """IAM role ECR assumes to pull from an ecr upstream; required exactly for ecr."""
    upstream_repository_prefix: UpstreamPrefix | None = None
    """ecr upstreams only: the upstream namespace the cache prefix maps to (PREFIX/x
    caches UPSTREAM_REPOSITORY_PREFIX/x), 2..30 characters, or ROOT; a prefix other than
    ROOT needs a cache prefix other than ROOT. Default: ROOT, the whole upstream
    registry."""


class CreationTemplateConfig(_Model):
    """Settings for repositories that ECR creates (pull-through cache, replication, push)."""

    prefix: TemplatePrefix
    """Repository namespace the template applies to, or ROOT for all; unique."""
    applied_for: Annotated[tuple[AppliedFor, ...], Field(min_length=1)]
    """When the template applies: PULL_THROUGH_CACHE, REPLICATION, CREATE_ON_PUSH."""
    standard: StandardName | None = None
    """The standard that supplies the settings. Default: defaults.standard."""
    description: Annotated[StrictStr, Field(max_length=256)] | None = None
    """Template description. Default: none."""
    custom_role_arn: TemplateRoleArn | None = None
    """IAM role ECR assumes to create the repositories with KMS encryption or tags (a role
    without a path). Default: when the standard uses KMS encryption or tags, a role created with the
    template, allowed only to create (and tag) repositories under the prefix and to use
    the key; otherwise none."""


class SigningRuleConfig(_Model):
    """Sign the images pushed to matching repositories with an AWS Signer profile."""

    signing_profile_arn: SigningProfileArn
    """The AWS Signer profile (platform Notation-OCI-SHA384-ECDSA), without a version:
    arn:PARTITION:signer:REGION:ACCOUNT:/signing-profiles/NAME. The principals that push
    need signer:SignPayload on it."""
    repository_filters: Annotated[
        tuple[SigningFilter, ...], Field(json_schema_extra={"maxItems": SIGNING_FILTERS.high})
    ] = ()
    """Repository names in which * matches any characters (prod*, team-a/*), at most 100.
    Default: every repository of the registry."""


class SigningConfig(_Model):
    """Managed signing: ECR signs each image pushed to a repository that a rule matches."""

    rules: Annotated[tuple[SigningRuleConfig, ...], _Count(SIGNING_RULES)]
    """At most 10 rules."""


class RegistrySettingsConfig(_Model):
    """Registry-wide settings (one per account and region)."""

    scanning: ScanningConfig | None = None
    """Registry scanning. Default: ECR's default (BASIC, manual scans)."""
    replication: ReplicationConfig | None = None
    """Replication rules. Default: no replication."""
    pull_through_cache: Annotated[tuple[PullThroughCacheRuleConfig, ...], _Count(CACHE_RULES)] = ()
    """Pull-through cache rules (at most 50). Default: none."""
    creation_templates: tuple[CreationTemplateConfig, ...] = ()
    """Repository creation templates. Default: none."""
    replication_sources: tuple[AccountId, ...] = ()
    """Accounts allowed to replicate into this registry (registry policy). Default: none."""
    organization_pull: tuple[OrganizationId, ...] = ()
    """AWS Organizations IDs (o-...) whose principals may pull every repository of this
    registry: one registry policy statement (Principal * limited by aws:PrincipalOrgID),
    in the same policy as replication_sources. Needs policy_scope V2. Default: none."""
    policy_scope: RegistryPolicyScope = RegistryPolicyScope.V2
    """The account's registry policy scope (REGISTRY_POLICY_SCOPE), which the registry
    policy is checked against. An account setting that CloudFormation can't set (ECR API
    PutAccountSetting): give the scope the account has. Default: V2, ECR's default, under
    which the policy may allow any ECR action; V1 accepts only replication and
    pull-through cache actions."""
    signing: SigningConfig | None = None
    """Managed signing rules. Default: no signing configuration (images are not signed)."""
    pull_time_update_exclusions: Annotated[
        tuple[ExcludedPrincipal, ...], _Count(PULL_TIME_EXCLUSIONS)
    ] = ()
    """IAM roles or users (ARNs) whose pulls don't update an image's last recorded pull
    time, so that a scanner or CI job pulling every image doesn't keep it from lifecycle
    rules on pull time (archive_unpulled); at most 100, each once. Default: none."""


class RolloutMode(enum.StrEnum):
    """How a registry file reaches the accounts and regions of ``deployment.targets``."""

    STACKSETS = "stacksets"
    """CloudFormation StackSets: one stack in ``deployment.account`` and ``region`` holds a
    StackSet per stack of the fleet, and CloudFormation deploys them to every target."""
    STAGES = "stages"
    """The CDK's own way: the fleet's stacks once per target account and region in the
    cloud assembly, deployed with ``cdk deploy --all`` through bootstrapped trust."""


class TargetsConfig(_Model):
    """Every account and region that gets the registry: an organisation-wide rollout."""

    model_config = ConfigDict(json_schema_extra={"required": ["regions"]})

    mode: RolloutMode = RolloutMode.STACKSETS
    """stacksets (CloudFormation StackSets) or stages (one stack per account and region in
    the cloud assembly). Default: stacksets."""
    organizational_units: Annotated[tuple[OrganizationalUnitId, ...], *_Unique] = ()
    """AWS Organizations OUs (ou-...) or the root (r-...): a service-managed StackSet,
    deployed to every account in them and, automatically, to every account that joins
    them; an account that leaves keeps its stacks. stacksets only. Default: none."""
    accounts: Annotated[tuple[AccountId, ...], *_Unique] = ()
    """Account IDs: a self-managed StackSet (or, with mode stages, a stack per account and
    region). Default: none. Exactly one of organizational_units and accounts is given."""
    regions: Annotated[tuple[Region, ...], Field(min_length=1), *_Unique] = ()
    """The regions every target account gets the registry in: required, at least one."""
    max_concurrent_percentage: (
        Annotated[
            StrictInt,
            Field(ge=MAX_CONCURRENT_PERCENTAGE[0], le=MAX_CONCURRENT_PERCENTAGE[1]),
        ]
        | None
    ) = None
    """StackSets: the percentage of accounts deployed at once, per region (1..100).
    Default: CloudFormation's (one account at a time)."""
    failure_tolerance_percentage: (
        Annotated[
            StrictInt,
            Field(ge=FAILURE_TOLERANCE_PERCENTAGE[0], le=FAILURE_TOLERANCE_PERCENTAGE[1]),
        ]
        | None
    ) = None
    """StackSets: the percentage of accounts per region that may fail before the operation
    stops (0..100). Default: CloudFormation's (none)."""
    region_order: Annotated[tuple[Region, ...], *_Unique] = ()
    """StackSets: the order in which regions are deployed, each one of regions.
    Default: CloudFormation's."""
    call_as: CallAs | None = None
    """With organizational_units: DELEGATED_ADMIN when deployment.account is a delegated
    administrator for StackSets, SELF when it is the organisation's management account.
    Default: DELEGATED_ADMIN."""


class DeploymentConfig(_Model):
    """How the result is laid out in CloudFormation."""

    stack_name: StackName = "ecr-registry"
    """Name of the stack (shards get a numbered suffix). Default: ecr-registry."""
    max_resources_per_stack: Annotated[
        StrictInt, Field(ge=MIN_RESOURCES_PER_STACK, le=MAX_RESOURCES)
    ] = 400
    """Resources per stack before the fleet is sharded, stably (CloudFormation allows 500).
    Default: 400."""
    account: AccountId | None = None
    """Target account; with targets (stacksets), the account the StackSets live in: the
    management account or a delegated administrator. Default: the environment of the CDK
    app."""
    region: Region | None = None
    """Target region; with targets (stacksets), the region the StackSets live in.
    Default: the environment of the CDK app."""
    targets: TargetsConfig | None = None
    """Deploy the registry to many accounts and regions (see TargetsConfig).
    Default: none: the registry is deployed to account and region only."""


class RegistryConfig(_Model):
    """An organisation's ECR registry, as one document."""

    model_config = ConfigDict(title="ecr-constructs registry file")

    version: Version
    """Format version: 1."""
    standards: dict[StandardName, StandardConfig] = Field(default_factory=dict)
    """Named standards: reusable repository settings. Default: none."""
    defaults: DefaultsConfig = Field(default_factory=DefaultsConfig)
    """Settings for repositories that name no standard."""
    repositories: tuple[RepositoryConfig, ...] = ()
    """Private repositories."""
    public_repositories: tuple[PublicRepositoryConfig, ...] = ()
    """ECR Public repositories (only with deployment.region us-east-1, or us-east-1 among
    deployment.targets.regions)."""
    registry: RegistrySettingsConfig = Field(default_factory=RegistrySettingsConfig)
    """Registry-wide settings."""
    deployment: DeploymentConfig = Field(default_factory=DeploymentConfig)
    """How the result is deployed."""
