"""PublicRepository: an ECR Public repository (``AWS::ECR::PublicRepository``) with catalog data.

ECR Public exists only in us-east-1. Limits enforced here come from the CloudFormation
resource schema (stricter than the ECR Public API where they differ): repository name 2..205
characters; description up to 1,024 characters; about and usage text (markdown) up to 10,240;
up to 50 operating systems and architectures, each 1..50 characters, no duplicates; up to 50
tags, keys 1..127 and values 1..255 characters. A logo (PNG or JPEG) is at most 512,000 bytes
(the API's ``logoImageBlob``).
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import aws_cdk as cdk
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3_assets as s3_assets
from constructs import Construct

from .errors import RepositoryPropsError, located_at
from .handlers import handler_source
from .naming import MAX_TAGS, PUBLIC_REPOSITORY_NAME, is_token, tag_problems
from .policy import PUBLIC_PUSH_ACTIONS, AccessGrant, PublicRepositoryPolicyDocument
from .registry_rules import Architecture, OperatingSystem, logo_problems, unique_problems

PUBLIC_REGION = "us-east-1"
PUBLIC_REGISTRY_HOST = "public.ecr.aws"
MAX_DESCRIPTION_LENGTH = 1024
MAX_MARKDOWN_LENGTH = 10240
REGISTRY_ALIAS_PATTERN = re.compile(r"[a-z][a-z0-9]+(?:[._-][a-z0-9]+)*")
REGISTRY_ALIAS_LENGTH = (2, 50)
REGION_RULE_ID = "EcrPublicRegionRule"
CATALOG_RESOURCE_TYPE = "Custom::EcrPublicCatalogData"
LOGO_LOG_RETENTION_DAYS = 365
# The partition token is the same string in every stack: read it from jsii once.
_PARTITION: str = cdk.Aws.PARTITION

#: Authentication to ECR Public: no resource-level permissions, so granted on ``*``.
AUTH_ACTIONS = ("ecr-public:GetAuthorizationToken", "sts:GetServiceBearerToken")


_Badge = TypeVar("_Badge", Architecture, OperatingSystem)


class PublicRepository(Construct):
    """A repository in ECR Public (``public.ecr.aws``), visible in the ECR Public Gallery.

    The stack must be in us-east-1: a stack in another known region is refused; for a
    stack without a region, the template gets a CloudFormation rule that stops deployment
    outside us-east-1.

    What is created: one ``AWS::ECR::PublicRepository`` with its catalog data and tags.
    ECR Public has no lifecycle policies, scanning or encryption settings. With
    ``logo_image``, also: the logo as a CDK file asset, and a custom resource
    (``Custom::EcrPublicCatalogData``: a Python Lambda function, its role and log group)
    that puts the whole catalog data with the logo after the repository is created, and
    again whenever the logo or the catalog data change.

    :param repository_name: the public name, 2..205 characters (lowercase letters, digits,
        ``. _ -`` between them, ``/`` between path segments).
    :param description: a short description (gallery search results). Default: none.
    :param about_text: markdown describing the contents. Default: none.
    :param usage_text: markdown describing how to use the images. Default: none.
    :param operating_systems: gallery badges, ``OperatingSystem`` or their names.
        Default: none.
    :param architectures: gallery badges, ``Architecture`` or their names (``ARM``,
        ``ARM 64``, ``x86``, ``x86-64``). Default: none.
    :param logo_image: path to a PNG or JPEG file of at most 512,000 bytes, checked when the
        construct is created (relative paths from the working directory). Default: no logo
        (CloudFormation cannot set one).
    :param tags: resource tags. Default: ``{"Name": repository_name}``, so that Security Hub
        control ECR.4 (public repositories are tagged) passes; an empty mapping is refused.
    :param registry_alias: the account's ECR Public registry alias (shown in the console),
        needed for :attr:`repository_uri`. Default: unknown.
    :param access: ``PublicRepositoryAccess`` grants (push by other accounts or principals)
        rendered into the repository policy; anyone may pull a public image without one.
        Default: no repository policy.
    :param removal_policy: what happens when the resource leaves the stack. Default: RETAIN.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        repository_name: str,
        description: str | None = None,
        about_text: str | None = None,
        usage_text: str | None = None,
        operating_systems: Sequence[OperatingSystem | str] | None = None,
        architectures: Sequence[Architecture | str] | None = None,
        logo_image: str | os.PathLike[str] | None = None,
        tags: Mapping[str, str] | None = None,
        registry_alias: str | None = None,
        access: Sequence[AccessGrant] = (),
        removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
    ) -> None:
        stack = cdk.Stack.of(scope)
        with located_at(scope, construct_id):
            _check_region(stack.region)
            PUBLIC_REPOSITORY_NAME.check(repository_name, "repository_name")
            catalog: dict[str, Any] = {}
            for key, value, limit, field in (
                ("RepositoryDescription", description, MAX_DESCRIPTION_LENGTH, "description"),
                ("AboutText", about_text, MAX_MARKDOWN_LENGTH, "about_text"),
                ("UsageText", usage_text, MAX_MARKDOWN_LENGTH, "usage_text"),
            ):
                if value is not None:
                    catalog[key] = _check_text(value, limit, field)
            if operating_systems is not None:
                catalog["OperatingSystems"] = _check_badges(
                    operating_systems, OperatingSystem, "operating_systems"
                )
            if architectures is not None:
                catalog["Architectures"] = _check_badges(
                    architectures, Architecture, "architectures"
                )
            logo = None if logo_image is None else _check_logo(logo_image, "logo_image")
            if registry_alias is not None:
                _check_registry_alias(registry_alias, "registry_alias")
            _check_removal_policy(removal_policy)
            resolved_tags = _check_tags({"Name": repository_name} if tags is None else tags)
            document = (
                PublicRepositoryPolicyDocument(access, where="access", partition=_PARTITION)
                if access
                else None
            )

        super().__init__(scope, construct_id)
        if is_token(stack.region):
            _add_region_rule(stack)
        self.repository_name = repository_name
        self.registry_alias = registry_alias
        self._access = list(access)
        self.resource = ecr.CfnPublicRepository(
            self,
            "Resource",
            repository_name=repository_name,
            repository_catalog_data=catalog or None,
            repository_policy_text=document.to_dict() if document else None,
            tags=[cdk.CfnTag(key=k, value=v) for k, v in resolved_tags.items()],
        )
        self.resource.apply_removal_policy(removal_policy)
        # Built from the name rather than read from the resource, so that a role in a stack
        # of another region (CI roles usually are) can refer to it without a cross-stack
        # reference: ECR Public ARNs have no region.
        self.repository_arn: str = stack.format_arn(
            service="ecr-public",
            region="",
            resource="repository",
            resource_name=repository_name,
            arn_format=cdk.ArnFormat.SLASH_RESOURCE_NAME,
        )
        #: The ``Custom::EcrPublicCatalogData`` resource that sets the logo (None without one).
        self.logo_catalog_data: cdk.CfnResource | None = (
            None if logo is None else self._put_catalog_with_logo(logo, catalog)
        )

    @property
    def repository_uri(self) -> str:
        """``public.ecr.aws/ALIAS/NAME``; needs ``registry_alias``."""
        if self.registry_alias is None:
            raise RepositoryPropsError(
                f"{self.node.path} repository_uri",
                "the URI of a public repository contains the registry's alias, which "
                "CloudFormation does not return",
                given=None,
                allowed="pass registry_alias= (the alias the ECR Public console shows)",
            )
        return f"{PUBLIC_REGISTRY_HOST}/{self.registry_alias}/{self.repository_name}"

    def add_access(self, *grants: AccessGrant) -> None:
        """Add ``PublicRepositoryAccess`` grants to the repository policy."""
        access = [*self._access, *grants]
        with located_at(self):
            document = PublicRepositoryPolicyDocument(access, where="access", partition=_PARTITION)
        self._access = access
        self.resource.repository_policy_text = document.to_dict()

    def grant_push(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` push images here (and authenticate to ECR Public, on ``*``)."""
        push = iam.Grant.add_to_principal(
            grantee=grantee, actions=list(PUBLIC_PUSH_ACTIONS), resource_arns=[self.repository_arn]
        )
        auth = iam.Grant.add_to_principal(
            grantee=grantee, actions=list(AUTH_ACTIONS), resource_arns=["*"]
        )
        return push.combine(auth)

    def _put_catalog_with_logo(self, logo: Path, catalog: dict[str, Any]) -> cdk.CfnResource:
        """The logo's asset, and a custom resource whose function puts it with the catalog."""
        scope = Construct(self, "Logo")
        asset = s3_assets.Asset(scope, "Image", path=str(logo))
        log_group = logs.CfnLogGroup(scope, "Logs", retention_in_days=LOGO_LOG_RETENTION_DAYS)
        statements = [
            (["ecr-public:PutRepositoryCatalogData"], self.repository_arn),
            (
                ["s3:GetObject"],
                f"arn:{_PARTITION}:s3:::{asset.s3_bucket_name}/{asset.s3_object_key}",
            ),
            (["logs:CreateLogStream", "logs:PutLogEvents"], log_group.attr_arn),
        ]
        role = iam.CfnRole(
            scope,
            "Role",
            assume_role_policy_document={
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            },
            policies=[
                iam.CfnRole.PolicyProperty(
                    policy_name="PutCatalogData",
                    policy_document={
                        "Version": "2012-10-17",
                        "Statement": [
                            {"Effect": "Allow", "Action": actions, "Resource": resource}
                            for actions, resource in statements
                        ],
                    },
                )
            ],
        )
        function = lambda_.CfnFunction(
            scope,
            "Function",
            description=f"Puts the ECR Public catalog data and logo of {self.repository_name}",
            code=lambda_.CfnFunction.CodeProperty(zip_file=handler_source("public_catalog")),
            handler="index.handler",
            runtime=_latest_python_runtime(),
            role=role.attr_arn,
            timeout=60,
            logging_config=lambda_.CfnFunction.LoggingConfigProperty(log_group=log_group.ref),
        )
        properties: dict[str, Any] = {
            "ServiceToken": function.attr_arn,
            "ServiceTimeout": 300,
            "RepositoryName": self.resource.ref,
            "LogoBucket": asset.s3_bucket_name,
            "LogoKey": asset.s3_object_key,
        }
        if catalog:
            properties["CatalogData"] = catalog
        return cdk.CfnResource(
            scope, "CatalogData", type=CATALOG_RESOURCE_TYPE, properties=properties
        )


@functools.cache
def _latest_python_runtime() -> str:
    """The newest Python runtime aws-cdk-lib knows (what cdk-nag AwsSolutions-L1 expects)."""
    names = [runtime.name for runtime in lambda_.Runtime.ALL]
    return max(
        (name for name in names if re.fullmatch(r"python3\.\d+", name)),
        key=lambda name: int(name.split(".")[1]),
    )


def _check_logo(logo_image: str | os.PathLike[str], where: str) -> Path:
    """A readable PNG or JPEG file within the API's size limit (``logo_problems``)."""
    problems = logo_problems(logo_image)
    if problems:
        raise RepositoryPropsError.from_problems(p.moved((where,)) for p in problems)
    return Path(logo_image)


def _check_region(region: str) -> None:
    if not is_token(region) and region != PUBLIC_REGION:
        raise RepositoryPropsError(
            "region",
            "ECR Public exists only in us-east-1; put public repositories in a stack "
            "whose env region is us-east-1",
            given=region,
            allowed=PUBLIC_REGION,
        )


def _add_region_rule(stack: cdk.Stack) -> None:
    """For a stack without a known region: stop deployment outside us-east-1 (once a stack)."""
    if stack.node.try_find_child(REGION_RULE_ID) is None:
        cdk.CfnRule(
            stack,
            REGION_RULE_ID,
            assertions=[
                cdk.CfnRuleAssertion(
                    assert_=cdk.Fn.condition_equals(cdk.Aws.REGION, PUBLIC_REGION),
                    assert_description="ECR Public repositories exist only in us-east-1: "
                    "deploy this stack to us-east-1",
                )
            ],
        )


def _check_removal_policy(removal_policy: cdk.RemovalPolicy) -> None:
    if removal_policy not in (
        cdk.RemovalPolicy.RETAIN,
        cdk.RemovalPolicy.DESTROY,
        cdk.RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    ):
        raise RepositoryPropsError(
            "removal_policy",
            "a public repository cannot be snapshotted",
            given=removal_policy,
            allowed="RemovalPolicy.RETAIN, DESTROY or RETAIN_ON_UPDATE_OR_DELETE",
        )


def _check_text(value: object, limit: int, where: str) -> object:
    if is_token(value):
        return value
    if not isinstance(value, str):
        raise RepositoryPropsError(where, "must be text", given=value, allowed="a string")
    if len(value) > limit:
        raise RepositoryPropsError(
            where,
            "text is too long for the repository catalog",
            given=f"{len(value)} characters",
            allowed=f"at most {limit} characters",
        )
    return value


def _check_badges(values: object, kind: type[_Badge], where: str) -> list[str]:
    allowed = ", ".join(repr(member.value) for member in kind)
    if isinstance(values, str | kind) or not isinstance(values, Sequence):
        raise RepositoryPropsError(
            where, "must be a list", given=values, allowed=f"a list of {allowed}"
        )
    names: list[str] = []
    for index, value in enumerate(values):
        name = value.value if isinstance(value, kind) else value
        if name not in {member.value for member in kind}:
            raise RepositoryPropsError(
                f"{where}[{index}]",
                f"not an {kind.__name__} the ECR Public Gallery knows",
                given=value,
                allowed=allowed,
            )
        names.append(name)
    for problem in unique_problems(names):
        raise RepositoryPropsError(
            where + problem.where, problem.message, given=problem.given, allowed=problem.allowed
        )
    return names


def _check_registry_alias(alias: str, where: str) -> None:
    if is_token(alias):
        return
    low, high = REGISTRY_ALIAS_LENGTH
    if (
        not isinstance(alias, str)
        or not low <= len(alias) <= high
        or not REGISTRY_ALIAS_PATTERN.fullmatch(alias)
    ):
        raise RepositoryPropsError(
            where,
            "not a valid ECR Public registry alias",
            given=alias,
            allowed=f"{low}..{high} characters: a lowercase letter, then lowercase letters and "
            "digits, with . _ - between them",
        )


def _check_tags(tags: Mapping[str, str]) -> dict[str, str]:
    if isinstance(tags, Mapping) and not tags:
        raise RepositoryPropsError(
            "tags",
            "a public repository needs at least one tag (Security Hub control ECR.4)",
            given=tags,
            allowed=f"a mapping of 1..{MAX_TAGS} tags, or leave it out for "
            '{"Name": repository_name}',
        )
    problems = tag_problems(tags, ("tags",))
    if problems:
        raise RepositoryPropsError.from_problems(problems)
    return dict(tags)
