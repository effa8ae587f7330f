"""Organisation standards: the registry file (models, loading, resolved repositories)."""

from .config import RegistryConfig
from .loading import load_registry_config, parse_registry_config
from .resolution import ResolvedCreationTemplate, ResolvedRepository, ResolvedSettings

__all__ = [
    "RegistryConfig",
    "ResolvedCreationTemplate",
    "ResolvedRepository",
    "ResolvedSettings",
    "load_registry_config",
    "parse_registry_config",
]
