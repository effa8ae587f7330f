"""An account, as read, as a registry file document, and what import has to report.

Private repositories become standards and overrides (``grouping``) of settings said
exactly (``adoption``); registry-wide sections are written as read where the file can
say them; creation templates name a standard with exactly their settings; public
repositories carry their catalog data. What the file can't say exactly is left out and
reported, never changed. ``round_trip_differences`` checks a written file against the
account it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..standards.registry_file.loading import LoadedRegistry
from .account import LiveAccount
from .adoption import Adopted, adopt
from .audit import audit
from .failures import Unreadable
from .grouping import Grouping, group, written_standard
from .public import LivePublicRepository
from .registry_sections import SECTIONS
from .views import Difference, is_system_tag

FORMAT_VERSION = 1
_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class ImportReport:
    """What import found, formed and could not carry."""

    account: str
    region: str
    found: int
    """Private repositories read."""
    imported: tuple[str, ...]
    standards: tuple[tuple[str, int], ...]
    """Each standard and its number of repositories."""
    exempted: tuple[tuple[str, tuple[str, ...]], ...]
    """Repositories (and creation templates) kept as deployed, with their exemptions."""
    left_out: tuple[tuple[str, str], ...]
    """What is not in the file, and why."""
    notes: tuple[str, ...]
    unreadable: tuple[Unreadable, ...]


@dataclass(frozen=True)
class Imported:
    document: dict[str, Any]
    """The registry file, as data."""
    report: ImportReport


def import_registry(account: LiveAccount, *, stack_name: str) -> Imported:
    """The registry file document of ``account`` (deployed as ``stack_name``)."""
    context = account.context
    adopted = [
        adopt(repository, partition=context.partition, managed_key=account.managed_key)
        for repository in account.repositories
    ]
    carried = {a.name: a.keys for a in adopted if a.refused is None}
    grouping = group(carried)
    left_out = [(a.name, str(a.refused)) for a in adopted if a.refused is not None]
    notes = [f"{a.name}: {note}" for a in adopted for note in a.notes]
    exempted = [(a.name, tuple(a.keys["exemptions"])) for a in adopted if a.keys.get("exemptions")]
    registry: dict[str, Any] = {}
    for section in SECTIONS:
        if section.name in account.registry:
            written = section.to_file(account.registry[section.name], context)
            if written.note is not None:
                left_out.append((section.title, written.note))
            elif written.value is not None:
                registry[section.name] = written.value
    templates = _templates(account, grouping, left_out, exempted)
    if templates:
        registry["creation_templates"] = templates
    public = _public(account.public_repositories, left_out)
    document: dict[str, Any] = {"version": FORMAT_VERSION}
    if grouping.standards:
        document["standards"] = {s.name: written_standard(s.keys) for s in grouping.standards}
        document["defaults"] = {"standard": grouping.default}
    document["repositories"] = list(grouping.repositories)
    if public:
        document["public_repositories"] = public
    if registry:
        document["registry"] = registry
    document["deployment"] = {
        "stack_name": stack_name,
        "account": context.account,
        "region": context.region,
    }
    report = ImportReport(
        account=context.account,
        region=context.region,
        found=len(account.repositories),
        imported=tuple(sorted(carried)),
        standards=tuple((s.name, len(s.members)) for s in grouping.standards if s.members),
        exempted=tuple(exempted),
        left_out=tuple(left_out),
        notes=tuple(notes),
        unreadable=account.unreadable,
    )
    return Imported(document, report)


def _templates(
    account: LiveAccount,
    grouping: Grouping,
    left_out: list[tuple[str, str]],
    exempted: list[tuple[str, tuple[str, ...]]],
) -> list[dict[str, Any]]:
    context = account.context
    entries = []
    for template in account.creation_templates or ():
        subject = f"creation template {template.prefix}"
        adopted: Adopted = adopt(
            template.settings, partition=context.partition, managed_key=account.managed_key
        )
        if adopted.refused is not None:
            left_out.append((subject, adopted.refused))
            continue
        slug = _SLUG.sub("-", template.prefix.lower()).strip("-") or "root"
        standard = grouping.standard_for(adopted.keys, f"template-{slug}", ignore=("scan_on_push",))
        entry: dict[str, Any] = {
            "prefix": template.prefix,
            "applied_for": list(template.applied_for),
            "standard": standard,
        }
        if template.description is not None:
            entry["description"] = template.description
        if template.custom_role_arn is not None:
            entry["custom_role_arn"] = template.custom_role_arn
        if adopted.keys["exemptions"]:
            exempted.append((subject, tuple(adopted.keys["exemptions"])))
        entries.append(entry)
    return entries


def _public(
    repositories: tuple[LivePublicRepository, ...] | None, left_out: list[tuple[str, str]]
) -> list[dict[str, Any]]:
    entries = []
    for repository in repositories or ():
        subject = f"public repository {repository.name}"
        reasons = [
            reason
            for reason, applies in (
                ("its catalog logo can't be said in the file yet", repository.has_logo),
                ("its repository policy can't be said in the file yet", repository.policy_text),
                ("some of it could not be read", repository.unreadable),
            )
            if applies
        ]
        if reasons:
            left_out.append((subject, "; ".join(reasons)))
            continue
        tags = {k: v for k, v in repository.tags.items() if not is_system_tag(k)}
        entries.append(
            {"name": repository.name, **repository.catalog, **({"tags": tags} if tags else {})}
        )
    return entries


def round_trip_differences(
    loaded: LoadedRegistry, account: LiveAccount, report: ImportReport
) -> list[Difference]:
    """What the imported file ``loaded`` says differently from the ``account`` it was read
    from, besides what import left out (reported): empty when the file reproduces it."""
    result = audit(loaded, account)
    left = {subject for subject, _ in report.left_out}
    found = [*result.differences, *result.registry]
    found = [
        d
        for d in found
        if d.subject not in left and not (d.subject == "registry" and _title(d.setting) in left)
    ]
    found += [Difference(name, "repository", "declared", None) for name in result.not_deployed]
    found += [
        Difference(item.name, "repository", None, "in the account")
        for item in result.unmanaged
        if item.name not in left
    ]
    return found


def _title(section: str) -> str:
    return next(s.title for s in SECTIONS if s.name == section)
