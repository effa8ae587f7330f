"""The size of a fleet's templates, estimated as CDK writes them, without writing them.

Placement keeps each stack's template within CloudFormation's limit; it needs each
repository's share of the template before the template exists. CDK writes JSON indented by
one space, tokens resolved, with the construct path the CDK CLI adds as metadata.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ...settings import RemovalPolicy
from .placement import logical_id

if TYPE_CHECKING:
    from ..registry_file.models import PublicRepositoryConfig


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
        properties = {
            "RepositoryCatalogData": {k: v for k, v in catalog.items() if v is not None},
            "RepositoryName": config.name,
            "Tags": [{"Key": key, "Value": value} for key, value in tags.items()],
        }
        # A construct: CDK adds 8 hex digits of its path's hash to the logical ID.
        identifier = logical_id(config.name, "PublicRepository") + "0" * 8
        return self._resource(
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
