"""Write a registry file: readable YAML, and never a partial file.

``registry_yaml`` renders a document the way a person writes one (keys in the document's
order, short lists and mappings inline, multi-line text as blocks, no anchors);
``write_new`` writes text beside its destination and renames it over, so a reader sees the
old file or the new one, never half of it, and refuses to replace a file unless told.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from ...atomic_files import replace_file
from ...errors import ConfigError

WIDTH = 100


class _Dumper(yaml.SafeDumper):
    """Safe YAML without anchors (shared lists are written out each time)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def registry_yaml(document: Mapping[str, Any], *, comment: str = "") -> str:
    """``document`` as YAML, after ``comment`` (each line a ``#`` comment)."""
    header = "".join(f"# {line}".rstrip() + "\n" for line in comment.splitlines())
    body = yaml.dump(
        dict(document),
        Dumper=_Dumper,
        sort_keys=False,
        default_flow_style=None,
        width=WIDTH,
        allow_unicode=True,
    )
    return header + body


def write_new(path: str | os.PathLike[str], text: str, *, replace: bool = False) -> None:
    """Write ``text`` to ``path`` as a transaction (``atomic_files.replace_file``). Raises
    ``ConfigError`` when ``path`` exists (unless ``replace``) or can't be written."""
    file = Path(path)
    if file.exists() and not replace:
        raise ConfigError(
            str(file), "exists already", allowed="another path, or --force to replace it"
        )
    try:
        replace_file(file, text.encode("utf-8"))
    except OSError as error:
        raise ConfigError(str(file), f"cannot write the file: {error.strerror}") from None
