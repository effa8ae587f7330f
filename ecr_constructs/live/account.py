"""A whole registry read at once: its private repositories, registry-wide settings,
creation templates and (in us-east-1) public repositories. Read-only: only the calls in
``READ_CALLS``.

Calls: per private repository 3 (``GetLifecyclePolicy``, ``GetRepositoryPolicy``,
``ListTagsForResource``) plus one ``DescribeRepositories`` page per 1,000 repositories; per
public repository 3 likewise, and for one with a gallery logo an HTTPS GET of the image
(``logos``); a constant number for the registry (one per section, one per page of
templates, cache rules and pull-time update exclusions, and one or two ``kms:ListAliases``
pages to recognise the AWS-managed ``aws/ecr`` key).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .creation_templates import CALL as TEMPLATES_CALL
from .creation_templates import LiveCreationTemplate, read_creation_templates
from .failures import CallFailed, Unreadable, aws_call
from .pool import Progress
from .public import CALLS as PUBLIC_CALLS
from .public import REGION as PUBLIC_REGION
from .public import LivePublicRepository, read_public_repositories
from .registry_sections import SECTIONS, Context
from .repositories import CALLS as REPOSITORY_CALLS
from .repositories import LiveRepository, read_repositories
from .session import Connection

MANAGED_KEY_ALIAS = "alias/aws/ecr"
READ_CALLS: Mapping[str, frozenset[str]] = {
    "ecr": frozenset(
        {"DescribeRegistry", TEMPLATES_CALL, *REPOSITORY_CALLS, *(s.call for s in SECTIONS)}
    ),
    "ecr-public": frozenset(PUBLIC_CALLS),
    "kms": frozenset({"ListAliases"}),
}
"""Every API call a read makes, by service: reads only (and no pull: no BatchGetImage)."""


@dataclass(frozen=True)
class LiveAccount:
    """One registry (account and region) as read."""

    context: Context
    repositories: tuple[LiveRepository, ...]
    registry: Mapping[str, Any]
    """Each registry-wide section's value (``registry_sections``), by name; a section that
    could not be read is missing."""
    creation_templates: tuple[LiveCreationTemplate, ...] | None
    """None: they could not be read."""
    public_repositories: tuple[LivePublicRepository, ...] | None
    """None: not read (ECR Public exists only in us-east-1)."""
    managed_key: str | None
    """The ARN of the AWS-managed ``aws/ecr`` key, when it exists and could be read."""
    unreadable: tuple[Unreadable, ...]
    """Everything that could not be read, the registry's and each repository's."""
    prefixes: tuple[str, ...] = ()
    """The name prefixes the repositories were read for (none: every repository)."""


def read_account(
    connection: Connection,
    *,
    prefixes: Sequence[str] = (),
    progress: Progress | None = None,
) -> LiveAccount:
    """The registry of ``connection``'s account and region.

    :param prefixes: read only the private repositories whose name starts with one of
        these. Default: every repository.
    :param progress: called as each repository is read. Default: silent.
    Raises ``LiveRegistryError`` when the registry can't be read at all (credentials, the
    network, ``DescribeRegistry`` or ``DescribeRepositories`` refused); a call refused for
    one section or repository is recorded in ``unreadable`` and the rest is read.
    """
    client = connection.client("ecr")
    region = connection.region
    with aws_call("DescribeRegistry", "the registry", region):
        account = str(client.describe_registry()["registryId"])
    context = Context(account, region, connection.partition)
    unreadable: list[Unreadable] = []
    registry: dict[str, Any] = {}
    for section in SECTIONS:
        try:
            with aws_call(section.call, section.title, region):
                registry[section.name] = section.read(client, context)
        except CallFailed as failure:
            unreadable.append(Unreadable(section.call, section.title, str(failure)))
    templates: tuple[LiveCreationTemplate, ...] | None = None
    try:
        with aws_call(TEMPLATES_CALL, "creation templates", region):
            templates = read_creation_templates(client)
    except CallFailed as failure:
        unreadable.append(Unreadable(TEMPLATES_CALL, "creation templates", str(failure)))
    repositories = read_repositories(connection, prefixes=prefixes, progress=progress)
    public = read_public_repositories(connection) if region == PUBLIC_REGION else None
    keys = {r.kms_key for r in repositories} | {t.settings.kms_key for t in templates or ()}
    managed_key = _managed_key(connection, context, unreadable) if keys - {None} else None
    for repository in repositories:
        unreadable.extend(repository.unreadable)
    for public_repository in public or ():
        unreadable.extend(public_repository.unreadable)
    return LiveAccount(
        context=context,
        repositories=repositories,
        registry=registry,
        creation_templates=templates,
        public_repositories=public,
        managed_key=managed_key,
        unreadable=tuple(unreadable),
        prefixes=tuple(prefixes),
    )


def _managed_key(
    connection: Connection, context: Context, unreadable: list[Unreadable]
) -> str | None:
    """The ARN of the key behind ``alias/aws/ecr`` (``kms:ListAliases``), so that a
    repository encrypted with it reads as "the AWS-managed key"; None when there is none or
    the call is refused (recorded)."""
    kms = connection.client("kms")
    try:
        with aws_call("ListAliases", "KMS aliases", context.region, action_prefix="kms"):
            for page in kms.get_paginator("list_aliases").paginate(
                PaginationConfig={"PageSize": 100}
            ):
                for alias in page.get("Aliases", []):
                    if alias.get("AliasName") == MANAGED_KEY_ALIAS and alias.get("TargetKeyId"):
                        return (
                            f"arn:{context.partition}:kms:{context.region}:{context.account}:"
                            f"key/{alias['TargetKeyId']}"
                        )
    except CallFailed as failure:
        unreadable.append(
            Unreadable(
                "ListAliases",
                "KMS aliases",
                f"{failure}; the AWS-managed aws/ecr key can't be told from a customer key, so "
                "repositories encrypted with it name it as their kms_key_arn",
            )
        )
    return None
