"""Repositories with the same settings grouped into named standards, the way a person
writes a registry file.

Repositories whose settings (tags aside) are identical form a standard, with the tags
they all share. A repository alike to no other joins the standard it differs least from
(at most ``MAX_OVERRIDES`` settings, and having all of its tags), its differences written
as overrides; else it gets a standard of its own. When no two repositories are alike,
one standard holds the most common value of each setting. The standard with the most
repositories becomes ``defaults.standard``.

A standard is named after what the repositories alike in it (else all its repositories)
share: their first path segment (``team-a`` for ``team-a/api`` and ``team-a/web``), else
their distinctive settings (``mutable-aes256-no-scan``); a name taken already is numbered
(``-2``).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

MAX_OVERRIDES = 3
"""Settings a repository may override in a standard it joins (tags not counted)."""
_ALWAYS_WRITTEN = ("tag_mutability", "scan_on_push", "encryption", "lifecycle")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
Keys = dict[str, Any]
"""Every settings key of a repository or standard, empty values included (``adoption``)."""


@dataclass
class Standard:
    """A standard: its settings (every key) and its repositories."""

    name: str
    keys: Keys
    alike: tuple[str, ...] = ()
    """The repositories with exactly its settings (tags aside): it is named after them."""
    members: list[str] = field(default_factory=list)


@dataclass
class Grouping:
    standards: list[Standard]
    """Largest first (then those added by ``standard_for``)."""
    default: str | None
    """The standard of repositories that name none."""
    repositories: tuple[dict[str, Any], ...]
    """Each repository as the file lists it: name, standard (unless the default), overrides."""

    def standard_for(self, keys: Keys, name: str, *, ignore: Iterable[str] = ()) -> str:
        """A standard with exactly ``keys`` (``ignore`` aside), added when there is none."""
        skipped = set(ignore)
        for standard in self.standards:
            if _without(standard.keys, skipped) == _without(keys, skipped):
                return standard.name
        taken = {standard.name for standard in self.standards}
        added = Standard(_unique(name, taken), dict(keys))
        self.standards.append(added)
        return added.name


def group(repositories: Mapping[str, Keys]) -> Grouping:
    """Standards for ``repositories`` (name -> settings keys), and each repository's entry."""
    groups: dict[str, list[str]] = {}
    for name in sorted(repositories):
        groups.setdefault(_fingerprint(repositories[name], skip="tags"), []).append(name)
    shared = [members for members in groups.values() if len(members) > 1]
    alone = [members[0] for members in groups.values() if len(members) == 1]
    standards = [_standard(members, repositories) for members in shared]
    if not standards and len(alone) > 1:
        standards = [Standard("", _most_common([repositories[n] for n in alone]))]
    for name in alone:
        nearest = _nearest(repositories[name], standards)
        if nearest is None:
            standards.append(_standard([name], repositories))
        else:
            nearest.members.append(name)
    standards = [standard for standard in standards if standard.members]
    standards.sort(key=lambda s: (-len(s.members), min(s.members)))
    taken: set[str] = set()
    for standard in standards:
        standard.name = _unique(_name_of(standard), taken)
        taken.add(standard.name)
    default = standards[0].name if standards else None
    entries = [
        _entry(name, standard, repositories[name], default)
        for standard in standards
        for name in standard.members
    ]
    entries.sort(key=lambda entry: str(entry["name"]))
    return Grouping(standards, default, tuple(entries))


def written_standard(keys: Keys) -> dict[str, Any]:
    """A standard's keys as the file writes them: its main settings always, the others
    when set."""
    written: dict[str, Any] = {}
    for key, value in keys.items():
        if key == "access":
            lists = {name: values for name, values in value.items() if values}
            if lists:
                written[key] = lists
        elif key in _ALWAYS_WRITTEN or value not in (None, [], {}):
            written[key] = value
    return written


def _entry(name: str, standard: Standard, keys: Keys, default: str | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": name}
    if standard.name != default:
        entry["standard"] = standard.name
    for key, value in keys.items():
        inherited = standard.keys[key]
        if key == "tags":
            own = {k: v for k, v in value.items() if inherited.get(k) != v}
            if own:
                entry[key] = own
        elif key == "access":
            changed = {k: v for k, v in value.items() if v != inherited[k]}
            if changed:
                entry[key] = changed
        elif value != inherited:
            entry[key] = value
    return entry


def _standard(members: list[str], repositories: Mapping[str, Keys]) -> Standard:
    keys = dict(repositories[members[0]])
    keys["tags"] = _shared_tags([repositories[name]["tags"] for name in members])
    return Standard("", keys, tuple(members), list(members))


def _shared_tags(tags: Sequence[Mapping[str, str]]) -> dict[str, str]:
    first = tags[0]
    return {k: v for k, v in first.items() if all(other.get(k) == v for other in tags[1:])}


def _most_common(all_keys: Sequence[Keys]) -> Keys:
    keys: Keys = {}
    for key in all_keys[0]:
        counts = Counter(json.dumps(k[key], sort_keys=True) for k in all_keys)
        keys[key] = json.loads(counts.most_common(1)[0][0])
    keys["tags"] = _shared_tags([k["tags"] for k in all_keys])
    return keys


def _nearest(keys: Keys, standards: Sequence[Standard]) -> Standard | None:
    """The standard ``keys`` differ least from, if it may join it."""
    best: tuple[int, int, Standard] | None = None
    for position, standard in enumerate(standards):
        if not standard.keys["tags"].keys() <= keys["tags"].keys():
            continue  # tags are merged: a repository can't drop one it inherits
        count = sum(1 for k in keys if k != "tags" and keys[k] != standard.keys[k])
        if count <= MAX_OVERRIDES and (best is None or (count, position) < best[:2]):
            best = (count, position, standard)
    return None if best is None else best[2]


def _fingerprint(keys: Keys, *, skip: str) -> str:
    return json.dumps({k: v for k, v in keys.items() if k != skip}, sort_keys=True)


def _without(keys: Keys, skipped: set[str]) -> Keys:
    return {k: v for k, v in keys.items() if k not in skipped}


def _name_of(standard: Standard) -> str:
    named = standard.alike if len(standard.alike) > 1 else standard.members
    segments = {member.split("/", 1)[0] for member in named if "/" in member}
    if len(named) > 1 and len(segments) == 1 and all("/" in member for member in named):
        return segments.pop()
    return _describe(standard.keys)


def _describe(keys: Keys) -> str:
    """A name from distinctive settings: ``immutable-kms``, ``mutable-aes256-no-scan``."""
    traits = [
        str(keys["tag_mutability"]).lower().replace("_", "-"),
        str(keys["encryption"]).lower().replace("_", "-"),
    ]
    if keys.get("kms_key_arn"):
        traits.append("cmk")
    if not keys["scan_on_push"]:
        traits.append("no-scan")
    if keys["lifecycle"] == []:
        traits.append("no-lifecycle")
    if any(keys["access"].values()):
        traits.append("shared")
    return "-".join(traits)


def _unique(base: str, taken: set[str]) -> str:
    name = base[:60] if _NAME.fullmatch(base[:60]) else "standard"
    if name not in taken:
        return name
    number = 2
    while f"{name}-{number}" in taken:
        number += 1
    return f"{name}-{number}"
