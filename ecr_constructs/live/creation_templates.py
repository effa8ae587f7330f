"""Repository creation templates, read with ``DescribeRepositoryCreationTemplates`` (every
page at once, 1,000 templates a call). A template's repository settings are kept as a
``LiveRepository`` (named after its prefix), so that they are compared and imported the way
a repository's are."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .registry_sections import all_pages
from .repositories import LiveRepository

CALL = "DescribeRepositoryCreationTemplates"


@dataclass(frozen=True)
class LiveCreationTemplate:
    """A creation template: where and when it applies, and the settings it gives."""

    prefix: str
    applied_for: tuple[str, ...]
    description: str | None
    custom_role_arn: str | None
    settings: LiveRepository
    """The created repositories' settings (scan on push is not a template's setting)."""


def read_creation_templates(client: Any) -> tuple[LiveCreationTemplate, ...]:
    """Every creation template of the registry, by prefix."""
    found = all_pages(client.describe_repository_creation_templates, "repositoryCreationTemplates")
    templates = [_template(item) for item in found]
    return tuple(sorted(templates, key=lambda template: template.prefix))


def _template(item: dict[str, Any]) -> LiveCreationTemplate:
    prefix = str(item["prefix"])
    encryption = item.get("encryptionConfiguration", {})
    settings = LiveRepository(
        name=prefix,
        arn="",
        tag_mutability=str(item.get("imageTagMutability", "MUTABLE")),
        tag_mutability_exclusions=tuple(
            str(f["filter"]) for f in item.get("imageTagMutabilityExclusionFilters", [])
        ),
        scan_on_push=True,
        encryption=str(encryption.get("encryptionType", "AES256")),
        kms_key=encryption.get("kmsKey"),
        lifecycle_text=item.get("lifecyclePolicy") or None,
        policy_text=item.get("repositoryPolicy") or None,
        tags={str(tag["Key"]): str(tag["Value"]) for tag in item.get("resourceTags", [])},
    )
    return LiveCreationTemplate(
        prefix=prefix,
        applied_for=tuple(sorted(str(value) for value in item.get("appliedFor", []))),
        description=item.get("description") or None,
        custom_role_arn=item.get("customRoleArn") or None,
        settings=settings,
    )
