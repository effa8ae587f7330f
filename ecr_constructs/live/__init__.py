"""Read-only access to a live registry through boto3: a repository's images and lifecycle
policy for the simulator (``ecr``), a whole registry for ``import`` and ``audit``
(``account``). Nothing here changes the registry.

Names load on first use, so code that doesn't read a registry doesn't import boto3.
"""

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .ecr import READ_OPERATIONS, ecr_client, read_images, read_lifecycle_policy
    from .failures import LiveRegistryError

__getattr__ = lazy_exports(
    __name__,
    globals(),
    {
        ".ecr": ["READ_OPERATIONS", "ecr_client", "read_images", "read_lifecycle_policy"],
        ".failures": ["LiveRegistryError"],
    },
)

__all__ = [
    "READ_OPERATIONS",
    "LiveRegistryError",
    "ecr_client",
    "read_images",
    "read_lifecycle_policy",
]
