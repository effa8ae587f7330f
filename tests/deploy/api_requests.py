"""CloudFormation properties of the ECR resource types as the API requests that CloudFormation
makes of them (member names from the resource reference), and a strict check of a request
against the service's own model."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from botocore import xform_name
from botocore.model import Shape
from botocore.stub import Stubber


def camel(value: Any) -> Any:
    """PascalCase members (CloudFormation) as camelCase (the ECR API), at every depth."""
    if isinstance(value, dict):
        return {key[:1].lower() + key[1:]: camel(item) for key, item in value.items()}
    if isinstance(value, list):
        return [camel(item) for item in value]
    return value


def exclusion_filters(filters: list[dict[str, str]]) -> list[dict[str, str]]:
    return [
        {
            "filterType": f["ImageTagMutabilityExclusionFilterType"],
            "filter": f["ImageTagMutabilityExclusionFilterValue"],
        }
        for f in filters
    ]


def create_repository(properties: Mapping[str, Any]) -> dict[str, Any]:
    """``CreateRepository`` for an ``AWS::ECR::Repository`` (its policies are separate calls)."""
    request = {
        "repositoryName": properties["RepositoryName"],
        "imageTagMutability": properties["ImageTagMutability"],
        "imageScanningConfiguration": camel(properties["ImageScanningConfiguration"]),
        "encryptionConfiguration": camel(properties["EncryptionConfiguration"]),
        "tags": properties.get("Tags", []),
    }
    if "ImageTagMutabilityExclusionFilters" in properties:
        filters = properties["ImageTagMutabilityExclusionFilters"]
        request["imageTagMutabilityExclusionFilters"] = exclusion_filters(filters)
    return request


def create_creation_template(properties: Mapping[str, Any]) -> dict[str, Any]:
    """``CreateRepositoryCreationTemplate`` for an ``AWS::ECR::RepositoryCreationTemplate``."""
    request: dict[str, Any] = camel(dict(properties))
    if "ResourceTags" in properties:
        request["resourceTags"] = properties["ResourceTags"]  # the API's tags keep Key, Value
    if "ImageTagMutabilityExclusionFilters" in properties:
        filters = properties["ImageTagMutabilityExclusionFilters"]
        request["imageTagMutabilityExclusionFilters"] = exclusion_filters(filters)
    if "RepositoryPolicy" in properties:
        request["repositoryPolicy"] = _text(properties["RepositoryPolicy"])
    return request


def create_public_repository(properties: Mapping[str, Any]) -> dict[str, Any]:
    """ecr-public ``CreateRepository`` for an ``AWS::ECR::PublicRepository``."""
    catalog = dict(properties.get("RepositoryCatalogData", {}))
    if "RepositoryDescription" in catalog:
        catalog["Description"] = catalog.pop("RepositoryDescription")
    return {
        "repositoryName": properties["RepositoryName"],
        "catalogData": camel(catalog),
        "tags": properties.get("Tags", []),
    }


def assert_valid_request(client: Any, operation: str, request: Mapping[str, Any]) -> None:
    """``request`` is a valid ``operation`` by the service model: enums, patterns and lengths
    (which botocore leaves to the service), then botocore's own validation (required and
    unknown members, types) on a call that a ``Stubber`` answers."""
    shape = client.meta.service_model.operation_model(operation).input_shape
    problems = list(_problems(shape, request, operation))
    assert not problems, "\n".join(problems)
    with Stubber(client) as stubber:
        stubber.add_response(xform_name(operation), {}, expected_params=dict(request))
        getattr(client, xform_name(operation))(**request)
        stubber.assert_no_pending_responses()


def _problems(shape: Shape, value: Any, where: str) -> Iterator[str]:
    metadata = shape.metadata
    if shape.type_name == "structure":
        for name, item in value.items():
            if name in shape.members:
                yield from _problems(shape.members[name], item, f"{where}.{name}")
        return
    if shape.type_name == "list":
        for index, item in enumerate(value):
            yield from _problems(shape.member, item, f"{where}[{index}]")
    if shape.type_name in ("list", "string"):
        low, high = metadata.get("min", 0), metadata.get("max", len(value))
        if not low <= len(value) <= high:
            yield f"{where}: length {len(value)} outside {low}..{high}"
    if shape.type_name == "string":
        enum = getattr(shape, "enum", [])
        if enum and value not in enum:
            yield f"{where}: {value!r} not one of {enum}"
        if "pattern" in metadata and not re.fullmatch(metadata["pattern"], value):
            yield f"{where}: {value!r} does not match {metadata['pattern']}"


def _text(document: str | dict[str, Any]) -> str:
    return document if isinstance(document, str) else json.dumps(document)
