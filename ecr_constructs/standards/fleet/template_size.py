"""The size of a fleet's templates, estimated as CDK writes them, without writing them.

Placement keeps each stack's template within CloudFormation's limit; it needs each
repository's share of the template before the template exists. CDK writes JSON indented by
one space, tokens resolved, with the construct path the CDK CLI adds as metadata. The
registry file's check bounds the registry-wide settings' share of stack 1 the same way,
before any construct exists.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ...handlers import handler_source
from ...policy import PublicRepositoryPolicyDocument, RegistryPolicyDocument
from ...registry_rules import (
    ROOT,
    UPSTREAM_ROLE_ACTIONS,
    UPSTREAMS,
    AppliedFor,
    RegistryPolicyScope,
    ScanFrequency,
    ecr_upstream_registry,
    exclusion_id,
    prefix_key,
)
from ...settings import RemovalPolicy
from .placement import logical_id

if TYPE_CHECKING:
    from ..registry_file.checks import Parts
    from ..registry_file.models import PublicRepositoryConfig
    from ..registry_file.resolution import ResolvedCreationTemplate

_HASH = "0" * 8
"""The 8 hex digits of its path's hash that CDK adds to a construct's logical ID."""
_LOGO_PARTS = ("Logs", "Role", "Function", "CatalogData")
_KEY = "0" * 64 + ".jpeg"
"""A logo asset's S3 key, as long as the longest: its SHA-256 and extension."""
PARTITION_TOKEN = "${Token[AWS.Partition.0]}"
"""The partition as an unresolved value, where no CDK app gives its token."""
_ACCOUNT_TOKEN = "${Token[AWS.AccountId.0]}"
_REGION_TOKEN = "${Token[AWS.Region.0]}"
_MAX_HUMAN_ID = 240
"""The readable part of a logical ID that CDK makes from a construct path, at most."""
_NOT_IN_ID = re.compile(r"[^A-Za-z0-9]")


class TemplateBytes:
    """What each repository adds to its stack's template, in bytes, as CDK writes it: JSON
    indented by one space, tokens resolved, the construct path metadata the CDK CLI adds.

    Each distinct repository policy and lifecycle text is measured once.
    """

    def __init__(self, stack_name: str, partition: str) -> None:
        """:param partition: the text of CDK's partition token, resolved in policies."""
        # The path metadata names the stack: allow for a "-NN" suffix.
        self._stack_name_length = len(stack_name) + 3
        self._partition = partition
        self._policies: dict[int, tuple[object, int]] = {}
        self._texts: dict[str, int] = {}

    def repository(self, name: str, properties: Mapping[str, Any], removal: RemovalPolicy) -> int:
        extra = 0
        rendered: dict[str, Any] = {}
        for key, value in properties.items():
            if value is None:
                continue
            cfn_key = "".join(word.capitalize() for word in key.split("_"))
            if key == "repository_policy_text":
                rendered[cfn_key] = {}
                extra += self._policy(value) - len("{}")
            elif key == "lifecycle_policy":
                rendered[cfn_key] = {"LifecyclePolicyText": ""}
                extra += self._text(value["lifecyclePolicyText"]) - len('""')
            else:
                rendered[cfn_key] = pascal_case(value)
        return self._resource(logical_id(name), "AWS::ECR::Repository", rendered, removal) + extra

    def public_repository(self, config: PublicRepositoryConfig) -> int:
        catalog = {
            "AboutText": config.about,
            "Architectures": list(config.architectures) or None,
            "OperatingSystems": list(config.operating_systems) or None,
            "RepositoryDescription": config.description,
            "UsageText": config.usage,
        }
        tags = config.tags or {"Name": config.name}
        properties: dict[str, Any] = {
            "RepositoryCatalogData": {k: v for k, v in catalog.items() if v is not None},
            "RepositoryName": config.name,
            "Tags": [{"Key": key, "Value": value} for key, value in tags.items()],
        }
        # Imported when needed: public repositories come only from a registry file.
        from ..registry_file.checks import public_access

        extra = 0
        access = public_access(config.access)
        if access:
            document = PublicRepositoryPolicyDocument(access, partition=self._partition)
            properties["RepositoryPolicyText"] = {}
            extra += self._policy(document.to_dict()) - len("{}")
        # A construct: CDK adds 8 hex digits of its path's hash to the logical ID.
        identifier = logical_id(config.name, "PublicRepository") + _HASH
        if config.logo is not None:
            extra += self._logo(identifier, config.name, properties["RepositoryCatalogData"])
        return extra + self._resource(
            identifier, "AWS::ECR::PublicRepository", properties, RemovalPolicy.RETAIN
        )

    def registry_settings(
        self,
        parts: Parts,
        templates: Sequence[ResolvedCreationTemplate],
        *,
        account: str | None,
        region: str | None,
        measured_in: str,
    ) -> dict[str, int]:
        """What the ``registry`` section of a file adds to stack 1's template
        (``build_registry_settings``), in bytes, by key (the registry policy under the first of
        ``replication_sources`` and ``organization_pull``). At least what CDK writes: an
        account or region not known counted as a ``Ref``, a repeated rule as often as it is
        given (a repeated filter once, as the constructs keep it).

        :param templates: the creation templates, resolved (their settings make their size).
        :param account: the registry's account; None: known only at deploy time.
        :param region: the registry's region; None: known only at deploy time.
        :param measured_in: the partition the registry policy was checked in.
        """
        account = account or _ACCOUNT_TOKEN
        region = region or _REGION_TOKEN
        partition = self._partition
        tokens = {
            partition: "AWS::Partition",
            _ACCOUNT_TOKEN: "AWS::AccountId",
            _REGION_TOKEN: "AWS::Region",
        }
        sizes: dict[str, int] = {}

        def add(
            key: str,
            path: tuple[str, ...],
            kind: str,
            properties: dict[str, Any],
            depends_on: Sequence[str] = (),
        ) -> str:
            identifier = _construct_logical_id(path)
            size = self._resource(
                identifier,
                kind,
                _resolved({k: v for k, v in properties.items() if v is not None}, tokens),
                RemovalPolicy.RETAIN,
                path=len("/".join(path)),
                depends_on=depends_on,
            )
            sizes[key] = sizes.get(key, 0) + size
            return identifier

        def repositories(prefix: str, in_region: str = region, of: str = account) -> str:
            names = "*" if prefix == ROOT else f"{prefix_key(prefix)}/*"
            return f"arn:{partition}:ecr:{in_region}:{of}:repository/{names}"

        scanning = parts.scanning
        if scanning is not None:
            frequencies: dict[ScanFrequency, list[str]] = {}
            for scanning_rule in scanning.rules:
                frequencies.setdefault(scanning_rule.frequency, []).extend(scanning_rule.filters)
            scanned = [
                {
                    "ScanFrequency": frequency,
                    "RepositoryFilters": [
                        {"Filter": value, "FilterType": "WILDCARD"}
                        for value in dict.fromkeys(filters)
                    ],
                }
                for frequency, filters in frequencies.items()
                if frequency is not ScanFrequency.MANUAL
            ]
            add(
                "scanning",
                ("RegistryScanning", "Resource"),
                "AWS::ECR::RegistryScanningConfiguration",
                {"ScanType": scanning.type, "Rules": scanned},
            )
        if parts.replication is not None:
            replicated = [
                {
                    "Destinations": [
                        {"Region": d.region, "RegistryId": d.account or account}
                        for d in replication_rule.destinations
                    ],
                    "RepositoryFilters": [
                        {"Filter": prefix, "FilterType": "PREFIX_MATCH"}
                        for prefix in dict.fromkeys(replication_rule.repository_prefixes)
                    ]
                    or None,
                }
                for replication_rule in parts.replication.rules
            ]
            add(
                "replication",
                ("RegistryReplication", "Resource"),
                "AWS::ECR::ReplicationConfiguration",
                {"ReplicationConfiguration": {"Rules": _present(replicated)}},
            )
        created: list[tuple[ResolvedCreationTemplate, str]] = []
        for template in templates:
            settings = template.settings
            construct = logical_id(template.prefix, "CreationTemplate")
            role_arn: Any = template.custom_role_arn
            if role_arn is None and settings.creation_needs_role:
                actions = ["ecr:CreateRepository"]
                if AppliedFor.REPLICATION in template.applied_for:
                    actions.append("ecr:ReplicateImage")
                if settings.tags:
                    actions.append("ecr:TagResource")
                statements = [_allow(actions, repositories(template.prefix), "CreateRepositories")]
                if settings.encryption.uses_kms:
                    keys = f"arn:{partition}:kms:{region}:{account}:key/*"
                    kms = ["kms:CreateGrant", "kms:RetireGrant", "kms:DescribeKey"]
                    statements.append(_allow(kms, keys, "UseAwsManagedKey"))
                role = add(
                    "creation_templates",
                    (construct, "Role", "Resource"),
                    "AWS::IAM::Role",
                    _role(
                        "ecr.amazonaws.com",
                        f"ECR creates repositories under {template.prefix!r} from a template",
                        "CreateRepositories",
                        statements,
                    ),
                )
                role_arn = {"Fn::GetAtt": [role, "Arn"]}
            policy = settings.policy_document(partition)
            properties = {
                "AppliedFor": [applied.value for applied in template.applied_for],
                "CustomRoleArn": role_arn,
                "Description": template.description,
                "EncryptionConfiguration": pascal_case(settings.encryption_configuration()),
                "ImageTagMutability": settings.tag_mutability.value,
                "ImageTagMutabilityExclusionFilters": pascal_case(settings.exclusion_filters()),
                "LifecyclePolicy": settings.lifecycle.to_json() if settings.lifecycle else None,
                "Prefix": template.prefix,
                "RepositoryPolicy": json.dumps(policy, separators=(",", ":")) if policy else None,
                "ResourceTags": pascal_case(settings.tag_list()),
            }
            identifier = add(
                "creation_templates",
                (construct, "Resource"),
                "AWS::ECR::RepositoryCreationTemplate",
                properties,
            )
            created.append((template, identifier))
        for cache_rule in parts.pull_through_cache:
            if cache_rule is None:
                continue
            construct = logical_id(cache_rule.prefix, "PullThroughCache")
            url = cache_rule.upstream_url or UPSTREAMS[cache_rule.upstream].url
            role_arn = cache_rule.custom_role_arn
            if cache_rule.upstream == "ecr" and role_arn is None and url is not None:
                upstream_account, upstream_region = ecr_upstream_registry(url)
                upstream = repositories(
                    cache_rule.upstream_repository_prefix or ROOT, upstream_region, upstream_account
                )
                statements = [
                    _allow("ecr:GetAuthorizationToken", "*", "SignIn"),
                    _allow(
                        list(UPSTREAM_ROLE_ACTIONS),
                        [upstream, repositories(cache_rule.prefix)],
                        "PullFromUpstreamAndWriteCache",
                    ),
                ]
                role = add(
                    "pull_through_cache",
                    (construct, "UpstreamRole", "Resource"),
                    "AWS::IAM::Role",
                    _role(
                        "pullthroughcache.ecr.amazonaws.com",
                        f"ECR pull-through cache {cache_rule.prefix!r}: pulls from {url}",
                        "PullThroughCache",
                        statements,
                    ),
                )
                role_arn = {"Fn::GetAtt": [role, "Arn"]}
            secret = cache_rule.credential_secret
            if secret is not None and not secret.startswith("arn:"):
                secret = f"arn:{partition}:secretsmanager:{region}:{account}:secret:{secret}"
            add(
                "pull_through_cache",
                (construct, "Resource"),
                "AWS::ECR::PullThroughCacheRule",
                {
                    "EcrRepositoryPrefix": cache_rule.prefix,
                    "UpstreamRegistry": cache_rule.upstream,
                    "UpstreamRegistryUrl": url,
                    "CredentialArn": secret,
                    "CustomRoleArn": role_arn,
                    "UpstreamRepositoryPrefix": cache_rule.upstream_repository_prefix,
                },
                depends_on=[
                    identifier
                    for template, identifier in created
                    if AppliedFor.PULL_THROUGH_CACHE in template.applied_for
                    and (
                        template.prefix == ROOT
                        or prefix_key(template.prefix) == prefix_key(cache_rule.prefix)
                    )
                ],
            )
        # Imported when needed: the checks import this module.
        from ..registry_file.checks import registry_policy_grants

        grants = registry_policy_grants(parts.replication_sources, parts.organization_pull)
        if grants:
            document = RegistryPolicyDocument(
                grants.values(),
                account=account,
                region=region,
                partition=partition,
                measured_in=measured_in,
                scope=parts.policy_scope or RegistryPolicyScope.V2,
            )
            add(
                next(iter(grants)),
                ("RegistryPolicy", "Resource"),
                "AWS::ECR::RegistryPolicy",
                {"PolicyText": document.to_dict()},
            )
        if parts.signing is not None and parts.signing.rules:
            signed = [
                {
                    "RepositoryFilters": [
                        {"Filter": value, "FilterType": "WILDCARD_MATCH"}
                        for value in dict.fromkeys(signing_rule.repository_filters)
                    ]
                    or None,
                    "SigningProfileArn": signing_rule.signing_profile_arn,
                }
                for signing_rule in parts.signing.rules
            ]
            add(
                "signing",
                ("SigningConfiguration", "Resource"),
                "AWS::ECR::SigningConfiguration",
                {"Rules": _present(signed)},
            )
        for principal in parts.pull_time_update_exclusions:
            add(
                "pull_time_update_exclusions",
                ("PullTimeUpdateExclusions", exclusion_id(principal), "Resource"),
                "AWS::ECR::PullTimeUpdateExclusion",
                {"PrincipalArn": principal},
            )
        return sizes

    def resource(self, identifier: str, kind: str, properties: Mapping[str, Any]) -> int:
        """Any resource, its ``properties`` as the template holds them (tokens resolved)."""
        return self._resource(identifier, kind, dict(properties), RemovalPolicy.RETAIN)

    def _resource(
        self,
        identifier: str,
        kind: str,
        properties: dict[str, Any],
        removal: RemovalPolicy,
        *,
        path: int = 0,
        depends_on: Sequence[str] = (),
    ) -> int:
        """:param path: the length of its construct path below the stack. Default: as long
        as ``identifier``."""
        policy = "Retain" if removal is RemovalPolicy.RETAIN else "Delete"
        resource: dict[str, Any] = {"Type": kind, "Properties": properties}
        if depends_on:
            resource["DependsOn"] = list(depends_on)
        resource |= {
            "UpdateReplacePolicy": policy,
            "DeletionPolicy": policy,
            "Metadata": {
                "aws:cdk:path": "x" * (self._stack_name_length + 1 + (path or len(identifier)))
            },
        }
        # In the template the resource sits two levels deep: '  "ID": {...},'.
        return _indented_bytes(resource, 2) + len(identifier) + 8

    def _logo(self, identifier: str, name: str, catalog: dict[str, Any]) -> int:
        """The resources a logo adds (``LOGO_RESOURCES``) as ``PublicRepository`` builds
        them: the custom resource that puts the catalog data again with the logo, its
        function (the handler inline), the function's role and its log group."""
        # Imported when needed: PublicRepository's CDK modules load slowly.
        from ...public import CATALOG_RESOURCE_TYPE, LOGO_LOG_RETENTION_DAYS

        ids = {part: f"{identifier[: -len(_HASH)]}Logo{part}{_HASH}" for part in _LOGO_PARTS}
        asset = ({"Fn::Sub": "cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}"}, _KEY)

        def arn(service: str, resource: list[Any]) -> dict[str, Any]:
            return {
                "Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, f":{service}:", *resource]]
            }

        def allow(actions: list[str], resource: object) -> dict[str, Any]:
            return {"Effect": "Allow", "Action": actions, "Resource": resource}

        policy = [
            allow(
                ["ecr-public:PutRepositoryCatalogData"],
                arn("ecr-public:", [{"Ref": "AWS::AccountId"}, f":repository/{name}"]),
            ),
            allow(["s3:GetObject"], arn("s3::", [*asset, "/"])),
            allow(
                ["logs:CreateLogStream", "logs:PutLogEvents"],
                {"Fn::GetAtt": [ids["Logs"], "Arn"]},
            ),
        ]
        trust = {"Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        resources: dict[str, tuple[str, dict[str, Any]]] = {
            "Logs": ("AWS::Logs::LogGroup", {"RetentionInDays": LOGO_LOG_RETENTION_DAYS}),
            "Role": (
                "AWS::IAM::Role",
                {
                    "AssumeRolePolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", **trust}],
                    },
                    "Policies": [
                        {
                            "PolicyDocument": {"Version": "2012-10-17", "Statement": policy},
                            "PolicyName": "PutCatalogData",
                        }
                    ],
                },
            ),
            "Function": (
                "AWS::Lambda::Function",
                {
                    "Code": {"ZipFile": handler_source("public_catalog")},
                    "Description": f"Puts the ECR Public catalog data and logo of {name}",
                    "Handler": "index.handler",
                    "LoggingConfig": {"LogGroup": {"Ref": ids["Logs"]}},
                    "Role": {"Fn::GetAtt": [ids["Role"], "Arn"]},
                    "Runtime": "python3.NN",
                    "Timeout": 60,
                },
            ),
            "CatalogData": (
                CATALOG_RESOURCE_TYPE,
                {
                    "ServiceToken": {"Fn::GetAtt": [ids["Function"], "Arn"]},
                    "ServiceTimeout": 300,
                    "RepositoryName": {"Ref": identifier},
                    "LogoBucket": asset[0],
                    "LogoKey": asset[1],
                    "CatalogData": catalog,
                },
            ),
        }
        return sum(
            self._resource(ids[part], kind, properties, RemovalPolicy.RETAIN)
            for part, (kind, properties) in resources.items()
        )

    def _policy(self, document: object) -> int:
        """A repository policy's bytes four levels deep, its partition tokens resolved."""
        cached = self._policies.get(id(document))
        if cached is None or cached[0] is not document:
            resolved = _resolved(document, {self._partition: "AWS::Partition"})
            cached = (document, _indented_bytes(resolved, 4))
            self._policies[id(document)] = cached
        return cached[1]

    def _text(self, text: str) -> int:
        size = self._texts.get(text)
        if size is None:
            encoded = json.dumps(text, ensure_ascii=False).encode(errors="surrogatepass")
            size = self._texts[text] = len(encoded)
        return size


def _construct_logical_id(path: Sequence[str]) -> str:
    """A logical ID as long as CDK makes it from a construct's path below its stack: the
    path's letters and digits (``Resource`` left out, at most 240), then 8 hex digits."""
    readable = "".join(_NOT_IN_ID.sub("", part) for part in path if part != "Resource")
    return readable[:_MAX_HUMAN_ID] + _HASH


def _allow(actions: str | list[str], resource: str | list[str], sid: str) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resource}


def _role(service: str, description: str, name: str, statements: list[Any]) -> dict[str, Any]:
    """An ``AWS::IAM::Role`` that ``service`` assumes, with one inline policy."""
    trust = {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": service}}
    return {
        "AssumeRolePolicyDocument": {"Statement": [trust], "Version": "2012-10-17"},
        "Description": description,
        "Policies": [
            {
                "PolicyDocument": {"Statement": statements, "Version": "2012-10-17"},
                "PolicyName": name,
            }
        ],
    }


def _present(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each of ``items`` without its keys set to None."""
    return [{key: value for key, value in item.items() if value is not None} for item in items]


def _indented_bytes(value: Any, depth: int) -> int:
    """The bytes of ``value`` written as ``json.dumps(value, indent=1)`` (as CDK writes
    templates) when its first line sits ``depth`` levels deep: the compact text (C encoder)
    plus the newlines and indentation, counted without building the indented text."""
    compact = json.dumps(value, separators=(",", ": "), ensure_ascii=False)
    return len(compact.encode(errors="surrogatepass")) + _layout(value, depth)


def _layout(value: Any, depth: int) -> int:
    """Newline and indentation bytes of a container whose first line is ``depth`` deep:
    each item on its own line one level deeper, the closing bracket on a line at ``depth``."""
    if isinstance(value, dict):
        items = list(value.values())
    elif isinstance(value, list):
        items = value
    else:
        return 0
    if not items:
        return 0
    return len(items) * (depth + 2) + depth + 1 + sum(_layout(item, depth + 1) for item in items)


def pascal_case(value: Any) -> Any:
    """Struct properties as CloudFormation names them (``scanOnPush``: ``ScanOnPush``)."""
    if isinstance(value, dict):
        return {key[:1].upper() + key[1:]: pascal_case(item) for key, item in value.items()}
    if isinstance(value, list):
        return [pascal_case(item) for item in value]
    return value


def _resolved(value: Any, tokens: Mapping[str, str]) -> Any:
    """A value with ``tokens`` (their text: the pseudo parameter each stands for) as
    CloudFormation gets them: a string that is one token becomes its ``Ref``, a string that
    holds one among other text an ``Fn::Join`` of its pieces and ``Ref``s."""
    if isinstance(value, dict):
        return {key: _resolved(item, tokens) for key, item in value.items()}
    if isinstance(value, list):
        return [_resolved(item, tokens) for item in value]
    if isinstance(value, str) and any(token in value for token in tokens):
        pattern = re.compile("|".join(re.escape(token) for token in tokens))
        parts: list[Any] = []
        start = 0
        for found in pattern.finditer(value):
            if found.start() > start:
                parts.append(value[start : found.start()])
            parts.append({"Ref": tokens[found.group()]})
            start = found.end()
        if start < len(value):
            parts.append(value[start:])
        # A string that is one token and nothing else is that token's value, as CDK writes it.
        return parts[0] if len(parts) == 1 else {"Fn::Join": ["", parts]}
    return value
