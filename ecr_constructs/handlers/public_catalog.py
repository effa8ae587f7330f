"""Custom resource: put an ECR Public repository's catalog data together with its logo.

CloudFormation's AWS::ECR::PublicRepository has no logo. PutRepositoryCatalogData replaces
the whole catalog, so the call repeats the catalog the template gives the repository.
Properties: RepositoryName, CatalogData (CloudFormation's keys), LogoBucket, LogoKey (the
logo's file asset). Delete does nothing: the catalog stays with the repository.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import boto3

API_KEYS = {
    "RepositoryDescription": "description",
    "AboutText": "aboutText",
    "UsageText": "usageText",
    "OperatingSystems": "operatingSystems",
    "Architectures": "architectures",
}


def handler(event: dict[str, Any], context: Any, s3: Any = None, ecr_public: Any = None) -> None:
    """Lambda entry point; ``s3`` and ``ecr_public`` clients are created when not given."""
    properties = event["ResourceProperties"]
    status, reason = "SUCCESS", ""
    try:
        if event["RequestType"] in ("Create", "Update"):
            put_catalog_data(
                properties,
                s3 or boto3.client("s3"),
                ecr_public or boto3.client("ecr-public", region_name="us-east-1"),
            )
    except Exception as error:  # every failure goes back to CloudFormation
        status = "FAILED"
        reason = f"{type(error).__name__}: {error} (log stream {context.log_stream_name})"
    send_response(
        event["ResponseURL"],
        {
            "Status": status,
            "Reason": reason[:1000],
            "PhysicalResourceId": properties["RepositoryName"],
            "StackId": event["StackId"],
            "RequestId": event["RequestId"],
            "LogicalResourceId": event["LogicalResourceId"],
        },
    )


def put_catalog_data(properties: dict[str, Any], s3: Any, ecr_public: Any) -> None:
    """Read the logo from S3 and put it with the catalog data."""
    logo = s3.get_object(Bucket=properties["LogoBucket"], Key=properties["LogoKey"])
    catalog = {API_KEYS[key]: value for key, value in properties.get("CatalogData", {}).items()}
    catalog["logoImageBlob"] = logo["Body"].read()
    ecr_public.put_repository_catalog_data(
        repositoryName=properties["RepositoryName"], catalogData=catalog
    )


def send_response(url: str, body: dict[str, Any]) -> None:
    """PUT the result to CloudFormation's presigned URL (signed with an empty content type)."""
    data = json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method="PUT")
    request.add_header("Content-Type", "")
    with urllib.request.urlopen(request, timeout=30):
        pass
