"""The size of a fleet's templates, estimated as CDK writes them, without writing them.

Placement keeps each stack's template within CloudFormation's limit; it needs each
repository's share of the template before the template exists. CDK writes JSON indented by
one space, tokens resolved, with the construct path the CDK CLI adds as metadata.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ...handlers import handler_source
from ...policy import PublicRepositoryPolicyDocument
from ...settings import RemovalPolicy
from .placement import logical_id

if TYPE_CHECKING:
    from ..registry_file.models import PublicRepositoryConfig

_HASH = "0" * 8
"""The 8 hex digits of its path's hash that CDK adds to a construct's logical ID."""
_LOGO_PARTS = ("Logs", "Role", "Function", "CatalogData")
_KEY = "0" * 64 + ".jpeg"
"""A logo asset's S3 key, as long as the longest: its SHA-256 and extension."""


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

    def resource(self, identifier: str, kind: str, properties: Mapping[str, Any]) -> int:
        """Any resource, its ``properties`` as the template holds them (tokens resolved)."""
        return self._resource(identifier, kind, dict(properties), RemovalPolicy.RETAIN)

    def _resource(
        self, identifier: str, kind: str, properties: dict[str, Any], removal: RemovalPolicy
    ) -> int:
        policy = "Retain" if removal is RemovalPolicy.RETAIN else "Delete"
        path = "x" * (self._stack_name_length + 1 + len(identifier))
        resource = {
            "Type": kind,
            "Properties": properties,
            "UpdateReplacePolicy": policy,
            "DeletionPolicy": policy,
            "Metadata": {"aws:cdk:path": path},
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
            cached = (document, _indented_bytes(_resolved(document, self._partition), 4))
            self._policies[id(document)] = cached
        return cached[1]

    def _text(self, text: str) -> int:
        size = self._texts.get(text)
        if size is None:
            encoded = json.dumps(text, ensure_ascii=False).encode(errors="surrogatepass")
            size = self._texts[text] = len(encoded)
        return size


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


def _resolved(value: Any, partition: str) -> Any:
    """A value with the partition token as CloudFormation gets it (``Fn::Join``)."""
    if isinstance(value, dict):
        return {key: _resolved(item, partition) for key, item in value.items()}
    if isinstance(value, list):
        return [_resolved(item, partition) for item in value]
    if isinstance(value, str) and partition in value:
        parts: list[Any] = []
        for index, piece in enumerate(value.split(partition)):
            if index:
                parts.append({"Ref": "AWS::Partition"})
            if piece:
                parts.append(piece)
        return {"Fn::Join": ["", parts]}
    return value
