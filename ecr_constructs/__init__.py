"""AWS CDK constructs for Amazon ECR."""

from .errors import (
    ConfigError,
    EcrConstructsError,
    LifecyclePolicyError,
    PolicyDocumentError,
    Problem,
    RegistryError,
    RepositoryPropsError,
)

__all__ = [
    "ConfigError",
    "EcrConstructsError",
    "LifecyclePolicyError",
    "PolicyDocumentError",
    "Problem",
    "RegistryError",
    "RepositoryPropsError",
]
