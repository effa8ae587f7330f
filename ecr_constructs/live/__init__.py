"""Read-only access to a live registry through boto3: a repository's images and lifecycle
policy for the simulator (``ecr``), a whole registry for ``import`` and ``audit``
(``account``), a registry file's lifecycle policies tried on an account with the images
running workloads use (``simulate_fleet``; ``connect`` makes its connection). Nothing here
changes the registry.

Names load on first use, so code that doesn't read a registry doesn't import boto3.
"""

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .ecr import READ_OPERATIONS, ecr_client, read_images, read_lifecycle_policy
    from .failures import LiveRegistryError
    from .fleet_simulation import FleetSimulation, evaluate_fleet, simulate_fleet
    from .session import connect
    from .storage_costs import StoragePrices
    from .workloads import InUseCheck

__getattr__ = lazy_exports(
    __name__,
    globals(),
    {
        ".ecr": ["READ_OPERATIONS", "ecr_client", "read_images", "read_lifecycle_policy"],
        ".failures": ["LiveRegistryError"],
        ".fleet_simulation": ["FleetSimulation", "evaluate_fleet", "simulate_fleet"],
        ".session": ["connect"],
        ".storage_costs": ["StoragePrices"],
        ".workloads": ["InUseCheck"],
    },
)

__all__ = [
    "READ_OPERATIONS",
    "FleetSimulation",
    "InUseCheck",
    "LiveRegistryError",
    "StoragePrices",
    "connect",
    "ecr_client",
    "evaluate_fleet",
    "read_images",
    "read_lifecycle_policy",
    "simulate_fleet",
]
