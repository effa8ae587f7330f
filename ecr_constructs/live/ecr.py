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

from botocore.exceptions import ClientError

from ..lifecycle.images import Image, parse_images
from ..lifecycle.model import LifecyclePolicy
from .failures import LiveRegistryError, aws_call, error_code
from .session import aws_session

READ_OPERATIONS = frozenset({"DescribeImages", "GetLifecyclePolicy"})
"""The ECR API operations this module calls: read-only, and not pulls."""


def ecr_client(*, region: str | None = None, profile: str | None = None) -> Any:
    """An ECR client for ``profile`` (default: the standard credential chain) in ``region``
    (default: the profile's or the environment's region)."""
    return aws_session(region=region, profile=profile).client("ecr")


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
def _aws_errors(client: Any, operation: str, repository_name: str) -> Iterator[None]:
    region = client.meta.region_name
    with aws_call(operation, repr(repository_name), region):
        try:
            yield
        except ClientError as error:
            code = error_code(error)
            if code == "RepositoryNotFoundException":
                raise LiveRegistryError(
                    f"repository {repository_name!r} does not exist in {region}"
                ) from None
            if code == "LifecyclePolicyNotFoundException":
                raise LiveRegistryError(
                    f"repository {repository_name!r} in {region} has no lifecycle policy; "
                    "give one to simulate (--policy)"
                ) from None
            raise
