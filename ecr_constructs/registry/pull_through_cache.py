"""Pull-through cache rules: cache images from an upstream registry in the private registry."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Unpack

import aws_cdk as cdk
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from ..errors import RegistryError
from ..events import ActionResult, RuleOptions, pull_through_cache_rule
from ..lifecycle import LifecyclePolicy, LifecyclePreset
from ..naming import (
    REGION,
    check_account_id,
    check_repository_name,
    image_uri,
    is_token,
    registry_domain,
)
from ..policy import AccessGrant
from ..registry_rules import (
    AZURE_REGISTRY_NAME,
    CACHE_PREFIX,
    CACHE_RULES,
    ROOT,
    SECRET_NAME,
    SECRET_NAME_PREFIX,
    UPSTREAM_PREFIX,
    UPSTREAM_ROLE_ACTIONS,
    UPSTREAMS,
    AppliedFor,
    credentials_problems,
    prefix_key,
    raise_problems,
    secret_arn_problems,
    secret_location_problems,
    self_cache_problems,
    upstream_prefix_problems,
)
from ..settings import RepositorySettings, TagMutability
from ._registry import (
    RegistryIndex,
    acknowledge_wildcard_resources,
    child_path,
    concrete_environment,
    repository_arn_pattern,
)
from .creation_templates import RepositoryCreationTemplate

PULL_ACTIONS = (
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
)
CACHE_ACTIONS = ("ecr:BatchImportUpstreamImage", "ecr:CreateRepository")


@dataclass(frozen=True)
class Upstream:
    """A registry that a pull-through cache rule fetches from.

    Use the constants (``Upstream.DOCKER_HUB``, ``Upstream.ECR_PUBLIC``, ...) or the
    factories ``Upstream.azure(name)`` and ``Upstream.ecr(account=..., region=...)``.
    """

    registry: str
    """The ``UpstreamRegistry`` value, e.g. ``docker-hub``."""
    url: str
    """The ``UpstreamRegistryUrl`` value, e.g. ``registry-1.docker.io``."""
    needs_credentials: bool
    """True when ECR signs in with a Secrets Manager secret (Docker Hub, GitHub, GitLab,
    Azure, Chainguard)."""
    account: str | None = None
    """ECR upstreams only: the upstream registry's account."""
    region: str | None = None
    """ECR upstreams only: the upstream registry's region."""
    role: iam.IRole | None = field(default=None, compare=False)
    """ECR upstreams only: the role ECR assumes to pull (``CustomRoleArn``)."""
    repository_prefix: str | None = None
    """ECR upstreams only: the upstream namespace that the cache prefix maps to."""

    ECR_PUBLIC: ClassVar[Upstream]
    K8S: ClassVar[Upstream]
    QUAY: ClassVar[Upstream]
    DOCKER_HUB: ClassVar[Upstream]
    GITHUB: ClassVar[Upstream]
    GITLAB: ClassVar[Upstream]
    CHAINGUARD: ClassVar[Upstream]

    @property
    def is_ecr(self) -> bool:
        return self.registry == "ecr"

    @staticmethod
    def azure(registry_name: str) -> Upstream:
        """An Azure Container Registry, ``NAME.azurecr.io`` (needs credentials)."""
        if is_token(registry_name) or not (
            isinstance(registry_name, str) and AZURE_REGISTRY_NAME.fullmatch(registry_name.lower())
        ):
            raise RegistryError(
                "Upstream.azure",
                "not an Azure Container Registry name",
                given=registry_name,
                allowed="5..50 letters and digits (the NAME of NAME.azurecr.io)",
            )
        kind = UPSTREAMS["azure-container-registry"]
        return Upstream(kind.name, f"{registry_name.lower()}.azurecr.io", kind.needs_credentials)

    @staticmethod
    def ecr(
        *,
        account: str,
        region: str,
        role: iam.IRole | None = None,
        repository_prefix: str | None = None,
    ) -> Upstream:
        """Another private ECR registry (another account, region, or both).

        :param account: the upstream registry's account.
        :param region: the upstream registry's region.
        :param role: the role ECR assumes to pull from the upstream (it must trust
            ``pullthroughcache.ecr.amazonaws.com``). Default: a role created with the
            cache, allowed to pull from the upstream and to write the cached images.
        :param repository_prefix: the upstream namespace that the cache prefix maps to
            (``cache-prefix/x`` caches ``repository_prefix/x``). Default: ``ROOT``, the
            cache prefix maps to the whole upstream registry.

        The upstream registry must also let this account pull: a registry or repository
        policy there allowing ``ecr:BatchGetImage``, ``ecr:GetDownloadUrlForLayer``,
        ``ecr:BatchImportUpstreamImage`` and ``ecr:GetImageCopyStatus``.
        """
        where = "Upstream.ecr"
        check_account_id(account, f"{where} account")
        REGION.check(region, f"{where} region", RegistryError)
        if repository_prefix is not None:
            UPSTREAM_PREFIX.check(repository_prefix, f"{where} repository_prefix", RegistryError)
        kind = UPSTREAMS["ecr"]
        return Upstream(
            kind.name,
            registry_domain(account, region),
            kind.needs_credentials,
            account=account,
            region=region,
            role=role,
            repository_prefix=repository_prefix,
        )

    @staticmethod
    def from_registry_name(name: str) -> Upstream:
        """The fixed upstream called ``name`` (``docker-hub``, ``ecr-public``, ...).

        Azure and ECR upstreams need more than a name: use ``Upstream.azure`` and
        ``Upstream.ecr``.
        """
        upstream = _FIXED.get(name)
        if upstream is None:
            raise RegistryError(
                "Upstream.from_registry_name",
                "not a fixed upstream registry",
                given=name,
                allowed=", ".join(_FIXED)
                + " (azure-container-registry: Upstream.azure(name); ecr: Upstream.ecr(...))",
            )
        return upstream


_FIXED = {
    kind.name: Upstream(kind.name, kind.url, kind.needs_credentials)
    for kind in UPSTREAMS.values()
    if kind.url is not None
}
Upstream.ECR_PUBLIC = _FIXED["ecr-public"]
Upstream.K8S = _FIXED["k8s"]
Upstream.QUAY = _FIXED["quay"]
Upstream.DOCKER_HUB = _FIXED["docker-hub"]
Upstream.GITHUB = _FIXED["github-container-registry"]
Upstream.GITLAB = _FIXED["gitlab-container-registry"]
Upstream.CHAINGUARD = _FIXED["chainguard"]


@dataclass(frozen=True)
class CacheRepositoryTemplate:
    """Settings for the repositories a pull-through cache creates: a
    ``RepositoryCreationTemplate`` with the cache's prefix, applied for
    ``PULL_THROUGH_CACHE``. Fields are the template's; defaults differ only in
    ``image_tag_mutability``.

    :param image_tag_mutability: Default: MUTABLE (immutable tags would stop the cache from
        refreshing a tag that moved upstream), or MUTABLE_WITH_EXCLUSION when
        ``image_tag_mutability_exclusions`` are given.
    :param lifecycle: Default: ``Lifecycle.DEFAULT`` (archives untagged images not pulled for
        90 days; deletes nothing).
    :param encryption: Default: KMS with the AWS-managed ``aws/ecr`` key
        (``encryption_key`` for a customer-managed key).
    :param description: Default: ``Images cached from <upstream URL>``.
    """

    description: str | None = None
    image_tag_mutability: ecr.TagMutability | TagMutability | str | None = None
    image_tag_mutability_exclusions: Sequence[str] | None = None
    encryption: ecr.RepositoryEncryption | None = None
    encryption_key: kms.IKey | None = None
    lifecycle: Sequence[LifecyclePreset] | LifecyclePolicy | None = None
    access: Sequence[AccessGrant] | None = None
    resource_tags: Mapping[str, str] | None = None
    custom_role: iam.IRole | None = None
    settings: RepositorySettings | None = None

    def mutability(self) -> ecr.TagMutability | TagMutability | str | None:
        """The tag mutability the template gets: as given, or the cache's default."""
        if self.image_tag_mutability is not None or self.settings is not None:
            return self.image_tag_mutability
        if self.image_tag_mutability_exclusions:
            return TagMutability.MUTABLE_WITH_EXCLUSION
        return TagMutability.MUTABLE


class PullThroughCacheCredentials:
    """The Secrets Manager secret that ECR signs in to an upstream with.

    The secret must be named ``ecr-pullthroughcache/...``, live in the cache's account and
    region, be encrypted with the default ``aws/secretsmanager`` key and hold
    ``{"username": ..., "accessToken": ...}``. Make one with the static methods.
    """

    def __init__(
        self,
        *,
        secret: secretsmanager.ISecret | None = None,
        arn: str | None = None,
        name: str | None = None,
        create: bool = False,
        removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
    ) -> None:
        self._secret = secret
        self._arn = arn
        self._create = create
        self._name = name
        self._removal_policy = removal_policy

    @staticmethod
    def from_secret(secret: secretsmanager.ISecret) -> PullThroughCacheCredentials:
        """An existing secret (its name must start with ``ecr-pullthroughcache/``)."""
        return PullThroughCacheCredentials(secret=secret)

    @staticmethod
    def from_secret_arn(secret_arn: str) -> PullThroughCacheCredentials:
        """An existing secret by ARN (full, or partial without the random suffix)."""
        return PullThroughCacheCredentials(arn=secret_arn)

    @staticmethod
    def from_secret_name(secret_name: str) -> PullThroughCacheCredentials:
        """An existing secret by name, in the cache's account and region."""
        return PullThroughCacheCredentials(name=secret_name)

    @staticmethod
    def create(
        *,
        secret_name: str | None = None,
        removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
    ) -> PullThroughCacheCredentials:
        """A new secret for you to fill in after deployment.

        The template holds no credential: the secret starts as
        ``{"username": "REPLACE_ME", "accessToken": <random>}``; put the real user name and
        access token in it (console or ``aws secretsmanager put-secret-value``) before the
        first pull. It is not rotated: upstream access tokens are issued by the upstream,
        which a rotation Lambda can't do.

        :param secret_name: Default: ``ecr-pullthroughcache/<cache prefix>``.
        :param removal_policy: Default: RETAIN (the credentials survive the stack).
        """
        return PullThroughCacheCredentials(
            create=True, name=secret_name, removal_policy=removal_policy
        )

    def _secret_name(self, prefix: str) -> str:
        return self._name or f"{SECRET_NAME_PREFIX}{prefix_key(prefix)}"

    def _check(self, where: str, prefix: str, stack: cdk.Stack) -> None:
        """Refuse a secret that ECR can't use (before anything is created)."""
        if self._secret is not None:
            if self._secret.encryption_key is not None:
                raise RegistryError(
                    where,
                    "ECR can only read pull-through cache secrets encrypted with the default "
                    "aws/secretsmanager key",
                    given=self._secret.encryption_key.node.path,
                    allowed="a secret without encryption_key",
                )
            problems = SECRET_NAME.problems(self._secret.secret_name)
        elif self._arn is not None:
            account, region = concrete_environment(stack) or (None, None)
            problems = secret_arn_problems(self._arn) or secret_location_problems(
                self._arn, region=region, account=account
            )
        else:
            problems = SECRET_NAME.problems(self._secret_name(prefix))
        raise_problems(problems, where)

    def _bind(
        self, cache: PullThroughCache, prefix: str
    ) -> tuple[str, secretsmanager.ISecret | None]:
        """(credential ARN, secret object if any) for ``cache``, creating the secret if asked."""
        if self._secret is not None:
            return self._secret.secret_arn, self._secret
        if self._arn is not None:
            return self._arn, None
        name = self._secret_name(prefix)
        if not self._create:
            stack = cdk.Stack.of(cache)
            arn = (
                f"arn:{stack.partition}:secretsmanager:{stack.region}:{stack.account}:secret:{name}"
            )
            return arn, None
        secret = secretsmanager.Secret(
            cache,
            "Credentials",
            secret_name=name,
            description=(
                f"Upstream credentials of the ECR pull-through cache {prefix!r}: "
                'set {"username": ..., "accessToken": ...}'
            ),
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template=json.dumps({"username": "REPLACE_ME"}),
                generate_string_key="accessToken",
                exclude_punctuation=True,
            ),
            removal_policy=self._removal_policy,
        )
        cdk.Validations.of(secret).acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions-SMG4",
                reason=(
                    "Holds an access token issued by the upstream registry (Docker Hub, "
                    "GitHub, ...); only the upstream can issue a new one, so a Secrets "
                    "Manager rotation Lambda cannot rotate it. Rotate it at the upstream "
                    "and update the secret."
                ),
            )
        )
        return secret.secret_arn, secret


_DEFAULT_TEMPLATE = CacheRepositoryTemplate()


class PullThroughCache(Construct):
    """One pull-through cache rule: ``docker pull ACCOUNT.dkr.ecr.REGION.amazonaws.com/
    PREFIX/library/nginx`` fetches ``library/nginx`` from the upstream on first use and caches
    it in the private repository ``PREFIX/library/nginx``.

    Creates an ``AWS::ECR::PullThroughCacheRule``; with ``PullThroughCacheCredentials.create()``
    also the secret; for an ECR upstream without a role, the IAM role ECR assumes.

    :param prefix: the cache's repository namespace, 2..30 characters or ``ROOT`` (unique
        per registry; a registry holds at most 50 rules).
    :param upstream: where images come from, e.g. ``Upstream.DOCKER_HUB``.
    :param credentials: the upstream sign-in secret: required for Docker Hub, GitHub, GitLab,
        Azure and Chainguard, refused for the others. Default: none.
    :param repository_template: settings for the cached repositories, as a creation template
        with the same prefix. Default: ``CacheRepositoryTemplate()``: MUTABLE tags, KMS
        encryption, ``Lifecycle.DEFAULT``. ``None``: no template (cached repositories get
        ECR's defaults, or a template of your own for the prefix).
    """

    KIND = "pull-through cache rule"

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        prefix: str,
        upstream: Upstream,
        credentials: PullThroughCacheCredentials | None = None,
        repository_template: CacheRepositoryTemplate | None = _DEFAULT_TEMPLATE,
    ) -> None:
        stack = cdk.Stack.of(scope)
        where = child_path(scope, construct_id)
        checked_prefix = CACHE_PREFIX.check(prefix, f"{where} prefix", RegistryError)
        if not isinstance(upstream, Upstream):
            raise RegistryError(
                f"{where} upstream",
                "not an Upstream",
                given=upstream,
                allowed="Upstream.DOCKER_HUB, Upstream.ECR_PUBLIC, Upstream.azure(...), ...",
            )
        _check_credentials(upstream, credentials, checked_prefix, stack, f"{where} credentials")
        _check_ecr_upstream(upstream, checked_prefix, stack, f"{where} upstream")
        RegistryIndex.of(scope).claim_prefix(
            self.KIND, stack, where, checked_prefix, limit=CACHE_RULES
        )

        super().__init__(scope, construct_id)
        self._stack = stack
        self.prefix = checked_prefix
        self.upstream = upstream
        credential_arn: str | None = None
        self.secret: secretsmanager.ISecret | None = None
        """The upstream credentials, when the upstream needs them."""
        if credentials is not None:
            credential_arn, self.secret = credentials._bind(self, self.prefix)
        self.role: iam.IRole | None = upstream.role or (
            self._create_upstream_role() if upstream.is_ecr else None
        )
        """ECR upstreams: the role ECR assumes to pull from the upstream."""

        self.resource = ecr.CfnPullThroughCacheRule(
            self,
            "Resource",
            ecr_repository_prefix=self.prefix,
            upstream_registry=upstream.registry,
            upstream_registry_url=upstream.url,
            credential_arn=credential_arn,
            custom_role_arn=self.role.role_arn if self.role is not None else None,
            upstream_repository_prefix=upstream.repository_prefix,
        )
        self.repository_template: RepositoryCreationTemplate | None = None
        """The creation template of the cached repositories, unless turned off."""
        if repository_template is not None:
            self.repository_template = RepositoryCreationTemplate(
                self,
                "RepositoryTemplate",
                prefix=self.prefix,
                applied_for=[AppliedFor.PULL_THROUGH_CACHE],
                description=repository_template.description or f"Images cached from {upstream.url}",
                image_tag_mutability=repository_template.mutability(),
                image_tag_mutability_exclusions=repository_template.image_tag_mutability_exclusions,
                encryption=repository_template.encryption,
                encryption_key=repository_template.encryption_key,
                lifecycle=repository_template.lifecycle,
                access=repository_template.access,
                resource_tags=repository_template.resource_tags,
                custom_role=repository_template.custom_role,
                settings=repository_template.settings,
            )
            # The template must exist before the first pull creates a repository.
            self.resource.node.add_dependency(self.repository_template.resource)

    @property
    def repository_arn_pattern(self) -> str:
        """The ARN of every repository this cache creates (``.../repository/PREFIX/*``)."""
        return repository_arn_pattern(self._stack, self.prefix)

    def repository_name(self, upstream_path: str) -> str:
        """The cached repository's name for an upstream image path.

        Docker Hub official images live under ``library/``: for Docker Hub a single-segment
        path such as ``nginx`` becomes ``library/nginx``, as ``docker pull nginx`` does.
        For an ECR upstream with a ``repository_prefix``, give the path below that prefix.
        """
        path = upstream_path
        if self.upstream == Upstream.DOCKER_HUB and not is_token(path) and "/" not in path:
            path = f"library/{path}"
        name = path if self.prefix == ROOT else f"{prefix_key(self.prefix)}/{path}"
        return check_repository_name(name, f"{self.node.path} image path")

    def image_uri(
        self,
        upstream_path: str,
        *,
        tag: str | None = None,
        digest: str | None = None,
        dual_stack: bool = False,
    ) -> str:
        """The address to pull ``upstream_path`` through the cache, e.g.
        ``ACCOUNT.dkr.ecr.REGION.amazonaws.com/docker-hub/library/nginx:latest``.

        :param tag: Default: no tag (docker pulls ``latest``).
        :param digest: an image digest (``sha256:...``) instead of a tag.
        :param dual_stack: Default: false (IPv4 endpoint); true gives the IPv6 dual-stack
            endpoint ``ACCOUNT.dkr-ecr.REGION.on.aws``.
        """
        stack = self._stack
        region = stack.region
        commercial = not is_token(region) and not region.startswith(("cn-", "us-iso"))
        return image_uri(
            stack.account,
            region,
            self.repository_name(upstream_path),
            tag=tag,
            digest=digest,
            dual_stack=dual_stack,
            url_suffix="amazonaws.com" if commercial else stack.url_suffix,
        )

    def grant_pull(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` pull through this cache: the pull actions plus
        ``ecr:BatchImportUpstreamImage`` and ``ecr:CreateRepository`` on the cache's
        repositories, and ``ecr:GetAuthorizationToken`` (which has no resource)."""
        iam.Grant.add_to_principal(
            grantee=grantee, actions=["ecr:GetAuthorizationToken"], resource_arns=["*"]
        )
        return iam.Grant.add_to_principal(
            grantee=grantee,
            actions=[*PULL_ACTIONS, *CACHE_ACTIONS],
            resource_arns=[self.repository_arn_pattern],
        )

    def on_cache_sync(
        self,
        construct_id: str,
        *,
        result: ActionResult | None = None,
        **options: Unpack[RuleOptions],
    ) -> events.Rule:
        """An EventBridge rule for this cache's syncs (an image fetched from the upstream).

        :param result: only syncs with this result (``ActionResult.FAILED``: failed
            fetches, such as expired upstream credentials). Default: every sync.
        :param options: ``target`` or ``topic``, and ``description`` (``RuleOptions``).
            Default: no target.
        """
        return pull_through_cache_rule(
            self, construct_id, prefixes=[self.prefix], result=result, **options
        )

    def _create_upstream_role(self) -> iam.Role:
        upstream = self.upstream
        stack = self._stack
        upstream_arn = repository_arn_pattern(
            stack,
            upstream.repository_prefix or ROOT,
            account=upstream.account,
            region=upstream.region,
        )
        document = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "SignIn",
                    "Effect": "Allow",
                    "Action": "ecr:GetAuthorizationToken",
                    "Resource": "*",
                },
                {
                    "Sid": "PullFromUpstreamAndWriteCache",
                    "Effect": "Allow",
                    "Action": list(UPSTREAM_ROLE_ACTIONS),
                    "Resource": [upstream_arn, self.repository_arn_pattern],
                },
            ],
        }
        role = iam.Role(
            self,
            "UpstreamRole",
            assumed_by=iam.ServicePrincipal("pullthroughcache.ecr.amazonaws.com"),
            description=f"ECR pull-through cache {self.prefix!r}: pulls from {upstream.url}",
            inline_policies={"PullThroughCache": iam.PolicyDocument.from_json(document)},
        )
        acknowledge_wildcard_resources(
            role,
            ["*", upstream_arn, self.repository_arn_pattern],
            reason=(
                "ECR assumes this role to copy images from the upstream registry into the "
                "cache. GetAuthorizationToken has no resource; the cached and upstream "
                "repositories are created on demand under their prefixes, so their names "
                "are not known in advance. The role is scoped to those two prefixes."
            ),
        )
        return role


def _check_credentials(
    upstream: Upstream,
    credentials: PullThroughCacheCredentials | None,
    prefix: str,
    stack: cdk.Stack,
    where: str,
) -> None:
    if credentials is not None and not isinstance(credentials, PullThroughCacheCredentials):
        raise RegistryError(
            where,
            "not PullThroughCacheCredentials",
            given=credentials,
            allowed="PullThroughCacheCredentials.create() / .from_secret(...) / ...",
        )
    problems = credentials_problems(
        upstream.registry,
        None if credentials is None else "credentials",
        how=f"PullThroughCacheCredentials.create() or an existing {SECRET_NAME_PREFIX} secret",
    )
    raise_problems(problems, where)
    if credentials is not None:
        credentials._check(where, prefix, stack)


def _check_ecr_upstream(upstream: Upstream, prefix: str, stack: cdk.Stack, where: str) -> None:
    if not upstream.is_ecr:
        return
    raise_problems(upstream_prefix_problems(prefix, upstream.repository_prefix), where)
    account, region = concrete_environment(stack) or (None, None)
    problems = self_cache_problems(
        upstream.account, upstream.region, registry_account=account, registry_region=region
    )
    raise_problems(problems, where)
