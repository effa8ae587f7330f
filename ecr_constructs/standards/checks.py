"""Rules that relate several values of a registry file (besides each value's own checks).

They run on ``Parts``: every section, list item and standard that passed its own checks
(``None`` for those that did not), so one run finds every problem of a file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from .config import (
    PUBLIC_REPOSITORY_REGION,
    UPSTREAMS_WITH_CREDENTIALS,
    UPSTREAMS_WITH_URL,
    CreationTemplateConfig,
    DefaultsConfig,
    DeploymentConfig,
    PublicRepositoryConfig,
    PullThroughCacheRuleConfig,
    RegistryConfig,
    ReplicationConfig,
    RepositoryConfig,
    ScanningConfig,
    StandardConfig,
)
from .locations import Issue, Path, describe_choices, unknown_name_message

MAX_REPLICATION_DESTINATIONS = 25
SCAN_FREQUENCIES = {
    "BASIC": ("SCAN_ON_PUSH", "MANUAL"),
    "ENHANCED": ("SCAN_ON_PUSH", "CONTINUOUS_SCAN"),
}
_UPSTREAM_URLS = {
    "azure-container-registry": (
        re.compile(r"[a-z0-9]{5,50}\.azurecr\.io"),
        "NAME.azurecr.io (NAME: 5..50 lowercase letters and digits)",
    ),
    "ecr": (
        re.compile(r"\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?"),
        "ACCOUNT.dkr.ecr.REGION.amazonaws.com",
    ),
}
_SECRET_ARN = re.compile(r"arn:[^:]+:secretsmanager:(?P<region>[^:]+):(?P<account>\d{12}):.*")


@dataclass
class Parts:
    """The pieces of a registry file that passed their own checks (None: did not)."""

    standards: dict[str, StandardConfig | None] = field(default_factory=dict)
    defaults: DefaultsConfig | None = field(default_factory=DefaultsConfig)
    repositories: list[RepositoryConfig | None] = field(default_factory=list)
    public_repositories: list[PublicRepositoryConfig | None] = field(default_factory=list)
    scanning: ScanningConfig | None = None
    replication: ReplicationConfig | None = None
    pull_through_cache: list[PullThroughCacheRuleConfig | None] = field(default_factory=list)
    creation_templates: list[CreationTemplateConfig | None] = field(default_factory=list)
    deployment: DeploymentConfig = field(default_factory=DeploymentConfig)
    """The valid deployment keys (an invalid key has its default here)."""
    deployment_failed: frozenset[str] = frozenset()
    """Deployment keys whose value is invalid."""

    @classmethod
    def of(cls, config: RegistryConfig) -> Parts:
        """The parts of a validated configuration (all present)."""
        registry = config.registry
        return cls(
            standards=dict(config.standards),
            defaults=config.defaults,
            repositories=list(config.repositories),
            public_repositories=list(config.public_repositories),
            scanning=registry.scanning,
            replication=registry.replication,
            pull_through_cache=list(registry.pull_through_cache),
            creation_templates=list(registry.creation_templates),
            deployment=config.deployment,
        )


def check_parts(parts: Parts) -> list[Issue]:
    """Every cross-field problem of ``parts``."""
    issues: list[Issue] = []
    _check_references(parts, issues)
    _check_extends_cycles(parts, issues)
    _check_unique("repository name", parts.repositories, ("repositories",), issues)
    _check_unique(
        "public repository name", parts.public_repositories, ("public_repositories",), issues
    )
    _check_public_region(parts, issues)
    _check_scanning(parts.scanning, issues)
    _check_replication(parts.replication, issues)
    _check_pull_through_cache(parts, issues)
    _check_creation_templates(parts.creation_templates, issues)
    return issues


def _reference(name: str | None, path: Path, names: Sequence[str], issues: list[Issue]) -> None:
    if name is not None and name not in names:
        issues.append(
            Issue(
                path,
                unknown_name_message("standard", name, names),
                given=name,
                allowed=describe_choices(names),
            )
        )


def _check_references(parts: Parts, issues: list[Issue]) -> None:
    names = list(parts.standards)
    for name, standard in parts.standards.items():
        if standard is not None:
            _reference(standard.extends, ("standards", name, "extends"), names, issues)
    if parts.defaults is not None:
        _reference(parts.defaults.standard, ("defaults", "standard"), names, issues)
    for index, repository in enumerate(parts.repositories):
        if repository is not None:
            _reference(repository.standard, ("repositories", index, "standard"), names, issues)
    for index, template in enumerate(parts.creation_templates):
        if template is not None:
            path: Path = ("registry", "creation_templates", index, "standard")
            _reference(template.standard, path, names, issues)


def _extends_of(parts: Parts, name: str) -> str | None:
    standard = parts.standards.get(name)
    return None if standard is None else standard.extends


def _check_extends_cycles(parts: Parts, issues: list[Issue]) -> None:
    reported: set[frozenset[str]] = set()
    for start in parts.standards:
        chain: list[str] = []
        current: str | None = start
        while current is not None and current in parts.standards and current not in chain:
            chain.append(current)
            current = _extends_of(parts, current)
        if current is None or current not in chain:
            continue
        cycle = chain[chain.index(current) :]
        members = frozenset(cycle)
        if members in reported:
            continue
        reported.add(members)
        first = min(cycle, key=list(parts.standards).index)
        ordered = cycle[cycle.index(first) :] + cycle[: cycle.index(first)]
        issues.append(
            Issue(
                ("standards", first, "extends"),
                "extends forms a cycle: " + " -> ".join([*ordered, first]),
                allowed="a chain of standards that ends",
            )
        )


def _check_unique(
    kind: str,
    items: Sequence[RepositoryConfig | PublicRepositoryConfig | None],
    prefix: Path,
    issues: list[Issue],
) -> None:
    first: dict[str, int] = {}
    for index, item in enumerate(items):
        if item is None:
            continue
        if item.name in first:
            issues.append(
                Issue(
                    (*prefix, index, "name"),
                    f"duplicate {kind}",
                    given=item.name,
                    allowed="each name once",
                    see=(*prefix, first[item.name]),
                )
            )
        else:
            first[item.name] = index


def _check_public_region(parts: Parts, issues: list[Issue]) -> None:
    if not parts.public_repositories or "region" in parts.deployment_failed:
        return
    region = parts.deployment.region
    if region != PUBLIC_REPOSITORY_REGION:
        issues.append(
            Issue(
                ("public_repositories",),
                "public repositories exist only in us-east-1; set deployment.region: us-east-1",
                given=region if region is not None else "deployment.region not set",
                allowed="deployment.region us-east-1",
            )
        )


def _check_scanning(scanning: ScanningConfig | None, issues: list[Issue]) -> None:
    if scanning is None:
        return
    allowed = SCAN_FREQUENCIES[scanning.type]
    for index, rule in enumerate(scanning.rules):
        if rule.frequency not in allowed:
            issues.append(
                Issue(
                    ("registry", "scanning", "rules", index, "frequency"),
                    f"{rule.frequency} is not available with {scanning.type} scanning",
                    given=rule.frequency,
                    allowed=" or ".join(allowed),
                )
            )


def _check_replication(replication: ReplicationConfig | None, issues: list[Issue]) -> None:
    if replication is None:
        return
    destinations = {
        (destination.region, destination.account)
        for rule in replication.rules
        for destination in rule.destinations
    }
    if len(destinations) > MAX_REPLICATION_DESTINATIONS:
        issues.append(
            Issue(
                ("registry", "replication", "rules"),
                "too many unique replication destinations",
                given=len(destinations),
                allowed=f"at most {MAX_REPLICATION_DESTINATIONS} (region, account) pairs",
            )
        )


def _check_pull_through_cache(parts: Parts, issues: list[Issue]) -> None:
    first: dict[str, int] = {}
    for index, rule in enumerate(parts.pull_through_cache):
        if rule is None:
            continue
        path: Path = ("registry", "pull_through_cache", index)
        if rule.prefix in first:
            issues.append(
                Issue(
                    (*path, "prefix"),
                    "duplicate pull-through cache prefix",
                    given=rule.prefix,
                    allowed="each prefix once",
                    see=("registry", "pull_through_cache", first[rule.prefix]),
                )
            )
        else:
            first[rule.prefix] = index
        _check_upstream(rule, path, parts.deployment, issues)


def _check_upstream(
    rule: PullThroughCacheRuleConfig,
    path: Path,
    deployment: DeploymentConfig,
    issues: list[Issue],
) -> None:
    upstream = rule.upstream
    needs_secret = upstream in UPSTREAMS_WITH_CREDENTIALS
    if needs_secret and rule.credential_secret is None:
        issues.append(
            Issue(
                (*path, "credential_secret"),
                f"upstream {upstream} needs a credential_secret",
                allowed="a Secrets Manager secret name or ARN starting with ecr-pullthroughcache/",
            )
        )
    elif not needs_secret and rule.credential_secret is not None:
        issues.append(
            Issue(
                (*path, "credential_secret"),
                f"upstream {upstream} takes no credential_secret",
                given=rule.credential_secret,
                allowed="credential_secret only for "
                + ", ".join(sorted(UPSTREAMS_WITH_CREDENTIALS)),
            )
        )
    elif rule.credential_secret is not None:
        _check_secret_location(
            rule.credential_secret, (*path, "credential_secret"), deployment, issues
        )
    url_rule = _UPSTREAM_URLS.get(upstream)
    if url_rule is None and rule.upstream_url is not None:
        issues.append(
            Issue(
                (*path, "upstream_url"),
                f"upstream {upstream} has a fixed URL; leave upstream_url out",
                given=rule.upstream_url,
                allowed="upstream_url only for " + " and ".join(sorted(UPSTREAMS_WITH_URL)),
            )
        )
    elif url_rule is not None:
        pattern, allowed = url_rule
        if rule.upstream_url is None:
            issues.append(
                Issue(
                    (*path, "upstream_url"),
                    f"upstream {upstream} needs an upstream_url",
                    allowed=allowed,
                )
            )
        elif not pattern.fullmatch(rule.upstream_url):
            issues.append(
                Issue(
                    (*path, "upstream_url"),
                    f"not a valid {upstream} URL",
                    given=rule.upstream_url,
                    allowed=allowed,
                )
            )
    if upstream == "ecr" and rule.custom_role_arn is None:
        issues.append(
            Issue(
                (*path, "custom_role_arn"),
                "upstream ecr needs a custom_role_arn (the role ECR assumes to pull)",
                allowed="arn:aws:iam::ACCOUNT:role/NAME",
            )
        )
    elif upstream != "ecr" and rule.custom_role_arn is not None:
        issues.append(
            Issue(
                (*path, "custom_role_arn"),
                f"upstream {upstream} takes no custom_role_arn",
                given=rule.custom_role_arn,
                allowed="custom_role_arn only for upstream ecr",
            )
        )


def _check_secret_location(
    secret: str, path: Path, deployment: DeploymentConfig, issues: list[Issue]
) -> None:
    match = _SECRET_ARN.fullmatch(secret)
    if match is None:
        return
    for key, expected in (("region", deployment.region), ("account", deployment.account)):
        if expected is not None and match.group(key) != expected:
            issues.append(
                Issue(
                    path,
                    f"the secret must be in the registry's {key}",
                    given=match.group(key),
                    allowed=f"deployment.{key} {expected}",
                )
            )


def _check_creation_templates(
    templates: Sequence[CreationTemplateConfig | None], issues: list[Issue]
) -> None:
    first: dict[str, int] = {}
    for index, template in enumerate(templates):
        if template is None:
            continue
        path: Path = ("registry", "creation_templates", index)
        if template.prefix in first:
            issues.append(
                Issue(
                    (*path, "prefix"),
                    "duplicate creation template prefix",
                    given=template.prefix,
                    allowed="each prefix once",
                    see=("registry", "creation_templates", first[template.prefix]),
                )
            )
        else:
            first[template.prefix] = index
        if len(set(template.applied_for)) != len(template.applied_for):
            issues.append(
                Issue(
                    (*path, "applied_for"),
                    "applied_for lists a value twice",
                    given=list(template.applied_for),
                    allowed="each of PULL_THROUGH_CACHE, REPLICATION, CREATE_ON_PUSH at most once",
                )
            )
