"""An account, as read, as a registry file document, and what import has to report.

Private repositories become standards and overrides (``grouping``) of settings said
exactly (``adoption``); registry-wide sections are written as read where the file can
say them (each checked as ``validate`` checks it); creation templates name a standard with
exactly their settings; public repositories carry their catalog data, access lists and
logo (an image file beside the registry file). What the file can't say exactly is left
out and reported, never changed. ``round_trip_differences`` checks a written file against
the account it came from.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ..errors import ConfigError, PolicyDocumentError, format_path
from ..standards.registry_file.loading import LoadedRegistry, parse_registry
from .account import LiveAccount
from .adoption import Adopted, adopt
from .audit import audit
from .failures import Unreadable
from .grouping import Grouping, group, written_standard
from .logos import logo_suffix
from .public_views import public_access_keys
from .registry_sections import SECTIONS, Context
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
    logos: Mapping[str, bytes] = field(default_factory=dict)
    """The public repositories' logo images the file names, by path relative to the file."""


def import_registry(
    account: LiveAccount, *, stack_name: str, logo_folder: str = "logos"
) -> Imported:
    """The registry file document of ``account`` (deployed as ``stack_name``), and the
    images of its public repositories' logos, named in the file as files in ``logo_folder``
    (a folder beside the file; default: ``logos``)."""
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
    registry = _registry(account, left_out, notes)
    templates = _templates(account, grouping, left_out, exempted)
    if templates:
        registry["creation_templates"] = templates
    logos: dict[str, bytes] = {}
    public = _public(account, left_out, logos, logo_folder)
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
    return Imported(document, report, logos)


def _registry(
    account: LiveAccount, left_out: list[tuple[str, str]], notes: list[str]
) -> dict[str, Any]:
    """The registry-wide sections read, as the file's keys; those the file can't say as
    read (``validate`` would refuse them) are left out."""
    context = account.context
    written = {
        section: section.written(account.registry[section.name], context)
        for section in SECTIONS
        if section.name in account.registry
    }
    scope = next((w.keys for s, w in written.items() if s.name == "policy_scope"), {})
    if _refused(scope, context) is not None:
        scope = {}  # left out below; the others are checked on the file's default scope
    registry: dict[str, Any] = {}
    for section, value in written.items():
        problem = value.note or _refused({**scope, **value.keys}, context)
        if problem is not None:
            left_out.append((section.title, problem))
        else:
            registry.update(value.keys)
    if "policy_scope" not in account.registry:
        notes.append(
            "registry policy scope: not read, so the file leaves policy_scope to its default, "
            "V2 (ECR's default); if the account is on V1, say policy_scope: V1"
        )
    return registry


def _refused(keys: Mapping[str, Any], context: Context) -> str | None:
    """What ``validate`` finds wrong with registry ``keys`` alone; None when nothing."""
    if not keys:
        return None
    deployment = {"account": context.account, "region": context.region}
    document = {"version": FORMAT_VERSION, "registry": dict(keys), "deployment": deployment}
    try:
        parse_registry(json.dumps(document), "registry.json")
    except ConfigError as error:
        problem = error.problems[0]
        where = format_path(problem.path or ())
        return f"validate would refuse it as read: {replace(problem, where=where)}"
    return None


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
    account: LiveAccount,
    left_out: list[tuple[str, str]],
    logos: dict[str, bytes],
    logo_folder: str,
) -> list[dict[str, Any]]:
    entries = []
    for repository in account.public_repositories or ():
        subject = f"public repository {repository.name}"
        if repository.unreadable:
            calls = ", ".join(sorted({u.call for u in repository.unreadable}))
            left_out.append((subject, f"{calls} could not be read"))
            continue
        try:
            access = public_access_keys(repository.policy_text, account.context.partition)
        except PolicyDocumentError as error:
            left_out.append((subject, f"its {error.problems[0]}"))
            continue
        entry: dict[str, Any] = {"name": repository.name, **repository.catalog}
        if repository.logo is not None:
            path = f"{logo_folder}/{repository.name}{logo_suffix(repository.logo)}"
            logos[path] = repository.logo
            entry["logo"] = path
        if access:
            entry["access"] = access
        tags = {k: v for k, v in repository.tags.items() if not is_system_tag(k)}
        if tags:
            entry["tags"] = tags
        entries.append(entry)
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


def _title(setting: str) -> str:
    """The title of the registry-wide section that ``setting`` (a ``Difference``'s) is of."""
    return next(s.title for s in SECTIONS if setting in (s.name, *s.keys))
