"""Lazy exports: names whose modules import aws-cdk-lib load on first access.

The document layer, the registry file loader and the simulator stay pure Python, so the CLI
and scripts that only validate or simulate don't pay for starting jsii.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any


def lazy_exports(
    package: str, namespace: dict[str, Any], modules: Mapping[str, Iterable[str]]
) -> Callable[[str], Any]:
    """A module ``__getattr__`` that imports each name from its module on first access.

    ``modules`` maps a module (relative to ``package``) to the names it provides.
    """
    where = {name: module for module, names in modules.items() for name in names}

    def __getattr__(name: str) -> Any:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module, package), name)
        namespace[name] = value
        return value

    return __getattr__
