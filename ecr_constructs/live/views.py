"""A repository's settings as audit compares them: keyed by the registry file's setting
names, values in its vocabulary, policies and lifecycle policies in canonical form
(``semantic``). One view is made from a ``RepositorySettings`` (what a file declares), one
from a ``LiveRepository`` (what ECR reports); equal views mean equal settings.

Not compared: ``removal_policy`` and ``empty_on_delete`` (CloudFormation's, not ECR's), and
tags whose key starts with ``aws:`` (AWS sets them; no template can).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..settings import RepositorySettings
from .repositories import LiveRepository
from .semantic import canonical_lifecycle, canonical_policy

SETTINGS = (
    "tag_mutability",
    "tag_mutability_exclusions",
    "scan_on_push",
    "encryption",
    "kms_key_arn",
    "lifecycle",
    "access",
    "tags",
)
"""The settings compared, in the order reports list them."""
_READ_BY = {"GetLifecyclePolicy": "lifecycle", "GetRepositoryPolicy": "access"}
_READ_BY_TAGS = "ListTagsForResource"

View = dict[str, Any]


def is_system_tag(key: str) -> bool:
    """A tag AWS sets (``aws:...``): neither imported nor compared."""
    return key.lower().startswith("aws:")


def declared_view(
    settings: RepositorySettings, partition: str, managed_key: str | None = None
) -> View:
    """What ``settings`` declare, as compared (the AWS-managed key, ``managed_key``, named
    explicitly is no ``kms_key_arn``)."""
    key = settings.kms_key_arn
    return {
        "tag_mutability": settings.tag_mutability.value,
        "tag_mutability_exclusions": sorted(settings.tag_mutability_exclusions),
        "scan_on_push": settings.scan_on_push,
        "encryption": settings.encryption.value,
        "kms_key_arn": None if key == managed_key else key,
        "lifecycle": canonical_lifecycle(
            settings.lifecycle.to_dict() if settings.lifecycle is not None else None
        ),
        "access": canonical_policy(settings.policy_document(partition), partition),
        "tags": dict(sorted(settings.tags.items())),
    }


def live_view(repository: LiveRepository, partition: str, managed_key: str | None) -> View:
    """What ECR reports for ``repository``, as compared; settings that could not be read are
    left out. The AWS-managed key (``managed_key``) is no ``kms_key_arn``, as a file says it."""
    unread = {call.call for call in repository.unreadable}
    view: View = {
        "tag_mutability": repository.tag_mutability,
        "tag_mutability_exclusions": sorted(repository.tag_mutability_exclusions),
        "scan_on_push": repository.scan_on_push,
        "encryption": repository.encryption,
        "kms_key_arn": None if repository.kms_key == managed_key else repository.kms_key,
        "lifecycle": canonical_lifecycle(repository.lifecycle_text),
        "access": canonical_policy(repository.policy_text, partition),
        "tags": {k: v for k, v in sorted(repository.tags.items()) if not is_system_tag(k)},
    }
    for call, setting in _READ_BY.items():
        if call in unread:
            del view[setting]
    if _READ_BY_TAGS in unread:
        del view["tags"]
    return view


@dataclass(frozen=True)
class Difference:
    """One setting of one thing that differs: expected (from the file) and actual values, in
    the file's vocabulary (None: absent)."""

    subject: str
    """A repository's name, ``registry``, ``creation template PREFIX``..."""
    setting: str
    """``scan_on_push``, ``tags.team``, ``scanning``..."""
    expected: Any
    actual: Any

    def to_dict(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "setting": self.setting,
            "expected": self.expected,
            "actual": self.actual,
        }


def differences(
    subject: str,
    expected: Mapping[str, Any],
    actual: Mapping[str, Any],
    *,
    skip: Collection[str] = (),
    settings: Sequence[str] = SETTINGS,
) -> list[Difference]:
    """Every setting of ``settings`` present in both views that differs; tags one key at a
    time."""
    found = []
    for setting in settings:
        if setting in skip or setting not in expected or setting not in actual:
            continue
        want, have = expected[setting], actual[setting]
        if setting == "tags":
            found += [
                Difference(subject, f"tags.{key}", want.get(key), have.get(key))
                for key in sorted(want.keys() | have.keys())
                if want.get(key) != have.get(key)
            ]
        elif want != have:
            found.append(Difference(subject, setting, want, have))
    return found
