"""The ``registry`` section of a registry file as registry-wide constructs in one stack."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam

from ...policy import RegistryAccess
from ...registry import (
    PullThroughCache,
    PullThroughCacheCredentials,
    RegistryPolicy,
    RegistryReplication,
    RegistryScanning,
    ReplicationDestination,
    RepositoryCreationTemplate,
    ScanFrequency,
    ScanningRule,
    ScanType,
    Upstream,
)
from ...registry_rules import ROOT, ecr_upstream_registry, prefix_key
from ..registry_file.loading import LoadedRegistry
from ..registry_file.models import PullThroughCacheRuleConfig
from ..registry_file.resolution import ResolvedCreationTemplate
from .placement import logical_id


def build_registry_settings(stack: cdk.Stack, loaded: LoadedRegistry) -> None:
    """Scanning, replication, pull-through cache rules, creation templates and the registry
    policy (``replication_sources``) of ``config``, in ``stack``.

    Pull-through cache rules get no creation template of their own: the file's
    ``creation_templates`` say what cached repositories look like, and each rule is created
    after the templates that apply to it (its prefix, or ROOT, for PULL_THROUGH_CACHE).
    """
    registry = loaded.config.registry
    if registry.scanning is not None:
        RegistryScanning(
            stack,
            "RegistryScanning",
            scan_type=ScanType(registry.scanning.type),
            rules=[
                ScanningRule(ScanFrequency(rule.frequency), rule.filters)
                for rule in registry.scanning.rules
            ],
        )
    if registry.replication is not None:
        replication = RegistryReplication.of(stack)
        for replication_rule in registry.replication.rules:
            replication.add_rule(
                destinations=[
                    ReplicationDestination(region=d.region, account=d.account)
                    for d in replication_rule.destinations
                ],
                repository_prefixes=replication_rule.repository_prefixes,
            )
    templates = [
        (template, _creation_template(stack, template)) for template in loaded.creation_templates
    ]
    for rule in registry.pull_through_cache:
        cache = PullThroughCache(
            stack,
            logical_id(rule.prefix, "PullThroughCache"),
            prefix=rule.prefix,
            upstream=_upstream(stack, rule),
            credentials=_credentials(rule.credential_secret),
            repository_template=None,
        )
        for template, construct in templates:
            if "PULL_THROUGH_CACHE" in template.applied_for and (
                template.prefix == ROOT or prefix_key(template.prefix) == prefix_key(rule.prefix)
            ):
                cache.resource.node.add_dependency(construct.resource)
    if registry.replication_sources:
        RegistryPolicy.of(stack).add(RegistryAccess.replication_from(registry.replication_sources))


def _creation_template(
    stack: cdk.Stack, template: ResolvedCreationTemplate
) -> RepositoryCreationTemplate:
    construct_id = logical_id(template.prefix, "CreationTemplate")
    return RepositoryCreationTemplate(
        stack,
        construct_id,
        prefix=template.prefix,
        applied_for=template.applied_for,
        description=template.description,
        settings=template.settings,
        custom_role=(
            iam.Role.from_role_arn(
                stack, f"{construct_id}Role", template.custom_role_arn, mutable=False
            )
            if template.custom_role_arn is not None
            else None
        ),
    )


def _upstream(stack: cdk.Stack, rule: PullThroughCacheRuleConfig) -> Upstream:
    url = rule.upstream_url or ""
    if rule.upstream == "azure-container-registry":
        return Upstream.azure(url.split(".", 1)[0])
    if rule.upstream == "ecr":
        account, region = ecr_upstream_registry(url)
        role = (
            iam.Role.from_role_arn(
                stack,
                logical_id(rule.prefix, "PullThroughCacheRole"),
                rule.custom_role_arn,
                mutable=False,
            )
            if rule.custom_role_arn is not None
            else None
        )
        return Upstream.ecr(account=account, region=region, role=role)
    return Upstream.from_registry_name(rule.upstream)


def _credentials(secret: str | None) -> PullThroughCacheCredentials | None:
    if secret is None:
        return None
    if secret.startswith("arn:"):
        return PullThroughCacheCredentials.from_secret_arn(secret)
    return PullThroughCacheCredentials.from_secret_name(secret)
