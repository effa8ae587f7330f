"""A public repository's settings as audit compares them (``catalog``, ``access``, ``logo``,
``tags``), and its repository policy as the file's ``access`` lists. Pure Python.

The policy is compared in canonical form (``semantic``); the logo by the SHA-256 of its
image; catalog lists in any order; tags one key at a time, ``aws:`` tags not at all.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..errors import PolicyDocumentError
from ..policy import PublicRepositoryPolicyDocument
from ..standards.registry_file.checks import logo_file, public_access
from ..standards.registry_file.models import PublicAccessConfig, PublicRepositoryConfig
from .logos import CALL as LOGO_CALL
from .logos import logo_digest
from .public import LivePublicRepository
from .semantic import canonical_policy, parse_document, root_account
from .views import View, is_system_tag

PUBLIC_SETTINGS = ("catalog", "access", "logo", "tags")
"""The settings compared, in the order reports list them."""
_READ_BY = {
    "GetRepositoryCatalogData": ("catalog", "logo"),
    LOGO_CALL: ("logo",),
    "GetRepositoryPolicy": ("access",),
    "ListTagsForResource": ("tags",),
}
_CATALOG_KEYS = {"description", "about", "usage", "operating_systems", "architectures"}


def declared_public_view(repository: PublicRepositoryConfig, source: str, partition: str) -> View:
    """What the file ``source`` declares for ``repository`` (its logo read from the file)."""
    catalog = repository.model_dump(mode="json", include=_CATALOG_KEYS)
    logo = None if repository.logo is None else logo_file(repository.logo, source).read_bytes()
    return {
        "catalog": _sorted_lists({key: value for key, value in catalog.items() if value}),
        "access": public_policy(repository.access, partition),
        "logo": logo_digest(logo),
        "tags": dict(sorted(repository.tags.items())),
    }


def live_public_view(repository: LivePublicRepository, partition: str) -> View:
    """What ECR Public reports for ``repository``; settings that could not be read are left
    out."""
    view: View = {
        "catalog": _sorted_lists(repository.catalog),
        "access": canonical_policy(repository.policy_text, partition),
        "logo": logo_digest(repository.logo),
        "tags": {k: v for k, v in sorted(repository.tags.items()) if not is_system_tag(k)},
    }
    for unreadable in repository.unreadable:
        for setting in _READ_BY.get(unreadable.call, ()):
            view.pop(setting, None)
    return view


def public_policy(access: PublicAccessConfig, partition: str) -> Any:
    """The repository policy ``access`` renders, canonical; None for no policy."""
    grants = public_access(access)
    if not grants:
        return None
    document = PublicRepositoryPolicyDocument(grants, partition=partition)
    return canonical_policy(document.to_dict(), partition)


def public_access_keys(text: str | None, partition: str) -> dict[str, list[str]]:
    """A public repository's policy as the file's ``access`` lists (only those set; none for
    no policy). Raises ``PolicyDocumentError`` when they can't say it exactly."""
    if text is None:
        return {}
    document = canonical_policy(text, partition)
    statements = document.get("Statement", []) if isinstance(document, Mapping) else []
    accounts: list[str] = []
    principals: list[str] = []
    for statement in statements:
        principal = statement.get("Principal")
        for name in principal.get("AWS", []) if isinstance(principal, Mapping) else []:
            account = root_account(name, partition)
            (accounts if account else principals).append(account or name)
    keys = {"push_accounts": accounts, "push_principals": principals}
    try:
        access = PublicAccessConfig.model_validate(keys)
        exact = public_policy(access, partition) == document
    except (ValueError, PolicyDocumentError):  # pydantic's ValidationError is a ValueError
        exact = False
    if not exact:
        given = json.dumps(parse_document(text))[:200]
        raise PolicyDocumentError(
            "repository policy",
            "it grants more than push by accounts and principals (access.push_accounts, "
            "access.push_principals), which is all the file can say",
            given=given,
        )
    return {key: values for key, values in keys.items() if values}


def _sorted_lists(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: sorted(v) if isinstance(v, list | tuple) else v for k, v in values.items()}
