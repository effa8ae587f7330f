"""Compare an account, as read, with its registry file. Pure Python: no AWS call (a public
repository's logo is read from its file).

Each repository of the file is compared setting by setting (``views``), each
registry-wide section by its own comparer (``registry_sections``), creation templates
likewise, public repositories by theirs (``public_views``). Repositories of the file that
don't exist are "not deployed"; repositories of the account the file doesn't name are
"unmanaged", each with what it breaks in the file's default standard.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..settings import RepositorySettings
from ..standards.registry_file.loading import LoadedRegistry, resolve_registry
from ..standards.registry_file.models import RegistrySettingsConfig, RepositoryConfig
from .account import LiveAccount
from .creation_templates import LiveCreationTemplate
from .failures import Unreadable
from .public import LivePublicRepository
from .public_views import PUBLIC_SETTINGS, declared_public_view, live_public_view
from .registry_sections import SECTIONS
from .views import Difference, declared_view, differences, live_view

_PROBE = "default-standard-probe"
"""A repository name used to resolve the file's default standard on its own."""


@dataclass(frozen=True)
class Unmanaged:
    """A repository of the account the file doesn't name, and how it differs from the
    file's default standard."""

    name: str
    breaks: tuple[Difference, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "breaks": [d.to_dict() for d in self.breaks]}


@dataclass(frozen=True)
class AuditReport:
    """What differs between an account and its registry file."""

    account: str
    region: str
    repositories: int
    """Private repositories of the file that were compared."""
    differences: tuple[Difference, ...]
    """Settings of the file's repositories (and public repositories) that differ."""
    not_deployed: tuple[str, ...]
    """Repositories of the file that the account doesn't have."""
    unmanaged: tuple[Unmanaged, ...]
    """Repositories of the account that the file doesn't name."""
    registry: tuple[Difference, ...]
    """Registry-wide settings and creation templates that differ."""
    unreadable: tuple[Unreadable, ...]
    """What could not be read: the audit is incomplete."""

    @property
    def drift(self) -> bool:
        """True when anything compared differs."""
        return bool(self.differences or self.not_deployed or self.unmanaged or self.registry)

    def to_dict(self) -> dict[str, Any]:
        return {
            "account": self.account,
            "region": self.region,
            "matches": not self.drift and not self.unreadable,
            "repositories": self.repositories,
            "differences": [d.to_dict() for d in self.differences],
            "not_deployed": list(self.not_deployed),
            "unmanaged": [u.to_dict() for u in self.unmanaged],
            "registry": [d.to_dict() for d in self.registry],
            "unreadable": [
                {"call": u.call, "subject": u.subject, "message": u.message}
                for u in self.unreadable
            ],
        }


def audit(loaded: LoadedRegistry, account: LiveAccount) -> AuditReport:
    """Compare ``account`` with ``loaded`` (its registry file); when the account was read
    for some name prefixes only, only the file's repositories with those prefixes."""
    partition = account.context.partition
    key = account.managed_key
    live = {repository.name: repository for repository in account.repositories}
    found: list[Difference] = []
    not_deployed: list[str] = []
    prefixes = account.prefixes
    managed = [r for r in loaded.repositories if not prefixes or r.name.startswith(prefixes)]
    for repository in managed:
        actual = live.get(repository.name)
        if actual is None:
            not_deployed.append(repository.name)
            continue
        expected = declared_view(repository.settings, partition, key)
        found += differences(repository.name, expected, live_view(actual, partition, key))
    named = {repository.name for repository in managed}
    default = _default_settings(loaded)
    unmanaged = [
        Unmanaged(
            name,
            tuple(
                differences(
                    name,
                    declared_view(default, partition, key),
                    live_view(repository, partition, key),
                )
            ),
        )
        for name, repository in live.items()
        if name not in named
    ]
    public = _public(loaded, account.public_repositories, partition)
    return AuditReport(
        account=account.context.account,
        region=account.context.region,
        repositories=len(managed),
        differences=(*found, *public[0]),
        not_deployed=(*not_deployed, *public[1]),
        unmanaged=(*unmanaged, *public[2]),
        registry=(*_registry(loaded, account), *_templates(loaded, account)),
        unreadable=account.unreadable,
    )


def _default_settings(loaded: LoadedRegistry) -> RepositorySettings:
    """The settings of a repository that names no standard: the file's default standard
    (resolved with the file's standards alone: nothing else of the file, such as a public
    repository's logo file, is read again)."""
    probe = loaded.config.model_copy(
        update={
            "repositories": (RepositoryConfig(name=_PROBE),),
            "public_repositories": (),
            "registry": RegistrySettingsConfig(),
        }
    )
    return resolve_registry(probe).repositories[0].settings


def _registry(loaded: LoadedRegistry, account: LiveAccount) -> list[Difference]:
    found = []
    for section in SECTIONS:
        if section.name not in account.registry:
            continue  # unreadable, reported as such
        actual = account.registry[section.name]
        expected = section.declared(loaded.config, account.context)
        found += [
            Difference("registry", *difference)
            for difference in section.differing(expected, actual, account.context)
        ]
    return found


def _templates(loaded: LoadedRegistry, account: LiveAccount) -> list[Difference]:
    if account.creation_templates is None:
        return []
    partition, key = account.context.partition, account.managed_key
    live: dict[str, LiveCreationTemplate] = {t.prefix: t for t in account.creation_templates}
    found = []
    for template in loaded.creation_templates:
        subject = f"creation template {template.prefix}"
        actual = live.pop(template.prefix, None)
        if actual is None:
            found.append(Difference(subject, "creation_template", "declared", None))
            continue
        if tuple(sorted(template.applied_for)) != actual.applied_for:
            found.append(
                Difference(subject, "applied_for", sorted(template.applied_for), actual.applied_for)
            )
        if template.description != actual.description:
            found.append(
                Difference(subject, "description", template.description, actual.description)
            )
        role = template.custom_role_arn
        if role is not None and role != actual.custom_role_arn:
            found.append(Difference(subject, "custom_role_arn", role, actual.custom_role_arn))
        found += differences(
            subject,
            declared_view(template.settings, partition, key),
            live_view(actual.settings, partition, key),
            skip=("scan_on_push",),
        )
    found += [
        Difference(f"creation template {prefix}", "creation_template", None, "in the account")
        for prefix in live
    ]
    return found


def _public(
    loaded: LoadedRegistry, read: tuple[LivePublicRepository, ...] | None, partition: str
) -> tuple[list[Difference], list[str], list[Unmanaged]]:
    if read is None:
        return [], [], []
    live = {repository.name: repository for repository in read}
    found, not_deployed = [], []
    for repository in loaded.config.public_repositories:
        subject = f"public repository {repository.name}"
        actual = live.pop(repository.name, None)
        if actual is None:
            not_deployed.append(subject)
            continue
        found += differences(
            subject,
            declared_public_view(repository, loaded.source, partition),
            live_public_view(actual, partition),
            settings=PUBLIC_SETTINGS,
        )
    unmanaged = [Unmanaged(f"public repository {name}", ()) for name in live]
    return found, not_deployed, unmanaged
