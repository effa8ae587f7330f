"""Organisation standards: the registry file (models, loading, resolved repositories) and
the compliance check, whose names (``compliance.__all__``) are exported here too."""

from typing import Any

from . import compliance
from .config import RegistryConfig
from .loading import load_registry_config, parse_registry_config
from .resolution import ResolvedCreationTemplate, ResolvedRepository, ResolvedSettings


def __getattr__(name: str) -> Any:
    """A name of the compliance check (those that import aws-cdk-lib load on first use)."""
    if name in compliance.__all__:
        return getattr(compliance, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "RegistryConfig",
    "ResolvedCreationTemplate",
    "ResolvedRepository",
    "ResolvedSettings",
    "load_registry_config",
    "parse_registry_config",
    *compliance.__all__,
]
