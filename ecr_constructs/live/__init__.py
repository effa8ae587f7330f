"""Read-only access to a live registry through boto3: a repository's images and its
current lifecycle policy, for the simulator. Nothing here changes the registry."""

from .ecr import (
    READ_OPERATIONS,
    LiveRegistryError,
    ecr_client,
    read_images,
    read_lifecycle_policy,
)

__all__ = [
    "READ_OPERATIONS",
    "LiveRegistryError",
    "ecr_client",
    "read_images",
    "read_lifecycle_policy",
]
