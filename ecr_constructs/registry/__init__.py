"""Registry-wide constructs: one of each per account and region."""

from .scanning import (
    RegistryScanning,
    ScanFindingsNotifications,
    ScanFrequency,
    ScanningRule,
    ScanType,
)

__all__ = [
    "RegistryScanning",
    "ScanFindingsNotifications",
    "ScanFrequency",
    "ScanType",
    "ScanningRule",
]
