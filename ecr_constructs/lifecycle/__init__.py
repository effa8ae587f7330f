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

__all__ = [
    "ActionType",
    "CountType",
    "CountUnit",
    "LifecycleAction",
    "LifecyclePolicy",
    "LifecyclePolicyWarning",
    "LifecyclePreset",
    "LifecycleRule",
    "StorageClass",
    "TagStatus",
]
