"""A repository's images and lifecycle policy, read with ECR's read-only API calls.

Only ``DescribeImages`` (paginated, every storage class) and ``GetLifecyclePolicy`` are
called. ``BatchGetImage`` is deliberately not: fetching a manifest counts as a pull and
would update the image's ``lastRecordedPullTime``, changing what ``sinceImagePulled`` rules
decide. Every AWS failure becomes a one-line :class:`LiveRegistryError`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
)

from ..lifecycle.images import Image, parse_images
from ..lifecycle.model import LifecyclePolicy

READ_OPERATIONS = frozenset({"DescribeImages", "GetLifecyclePolicy"})
"""The ECR API operations this module calls: read-only, and not pulls."""

_CREDENTIAL_CODES = frozenset(
    {
        "UnrecognizedClientException",
        "InvalidSignatureException",
        "ExpiredTokenException",
        "InvalidClientTokenId",
        "ExpiredToken",
    }
)
_DENIED_CODES = frozenset({"AccessDeniedException", "AccessDenied"})


class LiveRegistryError(RuntimeError):
    """The registry could not be read: credentials, region, access, a missing repository or
    lifecycle policy, the network. The message is one line."""


def ecr_client(*, region: str | None = None, profile: str | None = None) -> Any:
    """An ECR client for ``profile`` (default: the standard credential chain) in ``region``
    (default: the profile's or the environment's region)."""
    return aws_session(region=region, profile=profile).client("ecr")


def aws_session(*, region: str | None = None, profile: str | None = None) -> Any:
    """A boto3 session for ``profile`` (default: the standard credential chain) in ``region``
    (default: the profile's or the environment's region), which must be known."""
    try:
        session = boto3.session.Session(profile_name=profile, region_name=region)
    except ProfileNotFound:
        raise LiveRegistryError(
            f"AWS profile {profile!r} is not in the AWS config or credentials files"
        ) from None
    if not session.region_name:
        raise LiveRegistryError(
            "no AWS region: give one (--region) or set AWS_REGION, or use a profile with a region"
        )
    return session


def read_images(
    client: Any, repository_name: str, *, registry_id: str | None = None
) -> tuple[Image, ...]:
    """Every image of the repository, in every storage class (``DescribeImages`` with
    ``imageStatus ANY``, all pages)."""
    request: dict[str, Any] = {
        "repositoryName": repository_name,
        "filter": {"tagStatus": "ANY", "imageStatus": "ANY"},
    }
    if registry_id is not None:
        request["registryId"] = registry_id
    details: list[dict[str, Any]] = []
    with _aws_errors(client, "DescribeImages", repository_name):
        for page in client.get_paginator("describe_images").paginate(**request):
            details.extend(page.get("imageDetails", []))
    return parse_images(details, where=f"{repository_name} images")


def read_lifecycle_policy(
    client: Any, repository_name: str, *, registry_id: str | None = None
) -> LifecyclePolicy:
    """The repository's current lifecycle policy (``GetLifecyclePolicy``), validated."""
    request: dict[str, Any] = {"repositoryName": repository_name}
    if registry_id is not None:
        request["registryId"] = registry_id
    with _aws_errors(client, "GetLifecyclePolicy", repository_name):
        response = client.get_lifecycle_policy(**request)
    return LifecyclePolicy.from_json(str(response["lifecyclePolicyText"]))


@contextmanager
def credential_errors() -> Iterator[None]:
    """Missing credentials or region, as one-line ``LiveRegistryError``s."""
    try:
        yield
    except (NoCredentialsError, PartialCredentialsError):
        raise LiveRegistryError(
            "no AWS credentials found: use a profile (--profile), environment variables or "
            "an instance role"
        ) from None
    except NoRegionError:
        raise LiveRegistryError("no AWS region: give one (--region) or set AWS_REGION") from None


@contextmanager
def _aws_errors(client: Any, operation: str, repository_name: str) -> Iterator[None]:
    region = client.meta.region_name
    try:
        with credential_errors():
            yield
    except EndpointConnectionError as error:
        raise LiveRegistryError(f"cannot reach ECR in {region}: {error}") from None
    except ClientError as error:
        raise LiveRegistryError(
            _client_error_message(error, operation, repository_name, region)
        ) from None
    except BotoCoreError as error:
        raise LiveRegistryError(f"{operation} on {repository_name!r} failed: {error}") from None


def _client_error_message(
    error: ClientError, operation: str, repository_name: str, region: str
) -> str:
    details = error.response.get("Error", {})
    code = str(details.get("Code", "Unknown"))
    message = " ".join(str(details.get("Message", "")).split())
    if code == "RepositoryNotFoundException":
        return f"repository {repository_name!r} does not exist in {region}"
    if code == "LifecyclePolicyNotFoundException":
        return (
            f"repository {repository_name!r} in {region} has no lifecycle policy; "
            "give one to simulate (--policy)"
        )
    if code in _DENIED_CODES:
        return (
            f"access denied: {operation} on {repository_name!r} in {region} needs "
            f"ecr:{operation} ({message})"
        )
    if code in _CREDENTIAL_CODES:
        return f"AWS rejected the credentials ({code}): {message}"
    return f"{operation} on {repository_name!r} in {region} failed: {code}: {message}"
