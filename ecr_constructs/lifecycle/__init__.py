"""Lifecycle policies: the typed ECR document model and presets that compose into it."""

from .images import Image, ImageDataError, ImageStatus, parse_images
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
from .presets import Lifecycle, TagStrategy, resolve_lifecycle
from .simulate import Decision, ImageAction, SimulationResult, simulate

__all__ = [
    "ActionType",
    "CountType",
    "CountUnit",
    "Decision",
    "Image",
    "ImageAction",
    "ImageDataError",
    "ImageStatus",
    "Lifecycle",
    "LifecycleAction",
    "LifecyclePolicy",
    "LifecyclePolicyWarning",
    "LifecyclePreset",
    "LifecycleRule",
    "SimulationResult",
    "StorageClass",
    "TagStatus",
    "TagStrategy",
    "parse_images",
    "resolve_lifecycle",
    "simulate",
]
