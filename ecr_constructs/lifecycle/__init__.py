"""Lifecycle policies: the typed ECR document model and presets that compose into it."""

from .model import (
    ActionType,
    CountType,
    CountUnit,
    LifecycleAction,
    LifecyclePolicy,
    LifecyclePolicyWarning,
    LifecyclePreset,
    LifecycleRule,
    StorageClass,
    TagStatus,
)
from .presets import Lifecycle, TagStrategy

__all__ = [
    "ActionType",
    "CountType",
    "CountUnit",
    "Lifecycle",
    "LifecycleAction",
    "LifecyclePolicy",
    "LifecyclePolicyWarning",
    "LifecyclePreset",
    "LifecycleRule",
    "StorageClass",
    "TagStatus",
    "TagStrategy",
]
