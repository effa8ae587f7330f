"""Rules that relate several values of a registry file (besides each value's own checks).

They run on ``Parts``: every section, list item and standard that passed its own checks
(``None`` for those that did not), so one run finds every problem of a file. Registry rules
come from ``registry_rules``, which the registry-wide constructs enforce too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path as FilePath
from typing import TYPE_CHECKING

from ...cloudformation import (
    LOGO_RESOURCES,
    MAX_RESOURCES,
    MAX_STACK_NAME_LENGTH,
    MAX_TEMPLATE_BYTES,
    STACK_OVERHEAD,
    public_repository_resources,
)
from ...errors import Path, PolicyDocumentError, Problem
from ...naming import LONGEST_PARTITION, LONGEST_REGION, partition_of
from ...policy import (
    AccessGrant,
    PublicRepositoryAccess,
    PublicRepositoryPolicyDocument,
    RegistryAccess,
    RegistryPolicyDocument,
)
from ...registry_rules import (
    SECRET_NAME_PREFIX,
    UPSTREAMS,
    RegistryPolicyScope,
    applied_for_problems,
    credentials_problems,
    ecr_upstream_registry,
    logo_problems,
    prefix_key,
    scanning_rules_problems,
    secret_location_problems,
    self_cache_problems,
    self_replication_problems,
    signing_region_problems,
    signing_rule_problems,
    unique_destination_problems,
    upstream_prefix_problems,
)
from ..fleet.placement import stack_base_bytes
from ..fleet.template_size import PARTITION_TOKEN, TemplateBytes
from .locations import Issue, describe_choices, unknown_name_message
from .models import (
    CreationTemplateConfig,
    DefaultsConfig,
    DeploymentConfig,
    PublicAccessConfig,
    PublicRepositoryConfig,
    PullThroughCacheRuleConfig,
    RegistryConfig,
    RegistrySettingsConfig,
    ReplicationConfig,
    RepositoryConfig,
    RolloutMode,
    ScanningConfig,
    SigningConfig,
    StandardConfig,
)
from .targets import (
    RegistryLocation,
    public_region_issues,
    registry_locations,
    registry_region,
    target_issues,
)

if TYPE_CHECKING:
    from .resolution import ResolvedCreationTemplate

# The registry's account and region when the deployment section doesn't give them:
# unresolved, as the stack's are, so the registry policy is measured as the fleet's
# RegistryPolicy measures it (an account as 12 digits, a region as the longest name).
_STACK_ACCOUNT = "${Token[AWS.AccountId]}"
_STACK_REGION = "${Token[AWS.Region]}"


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
    replication_sources: tuple[str, ...] = ()
    organization_pull: tuple[str, ...] = ()
    policy_scope: RegistryPolicyScope | None = None
    """None: not given, or invalid (ECR's default, V2, is assumed)."""
    signing: SigningConfig | None = None
    pull_time_update_exclusions: tuple[str, ...] = ()
    deployment: DeploymentConfig = field(default_factory=DeploymentConfig)
    """The valid deployment keys (an invalid key has its default here)."""
    deployment_failed: frozenset[str] = frozenset()
    """Deployment keys whose value is invalid."""
    source: str = "RegistryConfig"
    """The file's name: relative paths in the file (a logo) start from its folder."""

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
            replication_sources=registry.replication_sources,
            organization_pull=registry.organization_pull,
            policy_scope=registry.policy_scope,
            signing=registry.signing,
            pull_time_update_exclusions=registry.pull_time_update_exclusions,
            deployment=config.deployment,
        )


def has_registry_resources(registry: Parts | RegistrySettingsConfig) -> bool:
    """Whether the registry-wide settings create any resource (in stack 1): a signing
    section without rules signs nothing and creates nothing."""
    return bool(
        registry.scanning is not None
        or registry.replication is not None
        or registry.pull_through_cache
        or registry.creation_templates
        or registry.replication_sources
        or registry.organization_pull
        or (registry.signing is not None and registry.signing.rules)
        or registry.pull_time_update_exclusions
    )


def check_parts(parts: Parts) -> list[Issue]:
    """Every cross-field problem of ``parts``."""
    issues: list[Issue] = []
    _check_references(parts, issues)
    _check_extends_cycles(parts, issues)
    names = [r.name if r is not None else None for r in parts.repositories]
    _check_unique("repository name", names, ("repositories",), "name", issues)
    names = [r.name if r is not None else None for r in parts.public_repositories]
    _check_unique("public repository name", names, ("public_repositories",), "name", issues)
    issues += public_region_issues(
        parts.deployment, parts.deployment_failed, parts.public_repositories
    )
    issues += target_issues(
        parts.deployment,
        parts.deployment_failed,
        standards=parts.standards,
        repositories=parts.repositories,
        public_repositories=parts.public_repositories,
    )
    _check_public_repositories(parts, issues)
    _check_logo_room(parts, issues)
    _check_scanning(parts.scanning, issues)
    _check_replication(parts.replication, registry_locations(parts.deployment), issues)
    _check_pull_through_cache(parts, issues)
    _check_creation_templates(parts.creation_templates, issues)
    _check_registry_policy(parts, issues)
    _check_signing(parts, issues)
    _check_unique(
        "pull-time update exclusion principal",
        parts.pull_time_update_exclusions,
        ("registry", "pull_time_update_exclusions"),
        None,
        issues,
    )
    if not issues:  # the file is otherwise right: does it roll anything out?
        _check_something_to_roll_out(parts, issues)
    return issues


def logo_file(logo: str, source: str) -> FilePath:
    """A public repository's ``logo``: a path relative to the folder of the registry file
    ``source`` (for a configuration made in Python, the working directory)."""
    return FilePath(source).parent / logo


def registry_policy_grants(
    replication_sources: Sequence[str], organization_pull: Sequence[str]
) -> dict[str, AccessGrant]:
    """The registry policy's grants, by the key that makes each (none: no policy)."""
    grants: dict[str, AccessGrant] = {}
    if replication_sources:
        grants["replication_sources"] = RegistryAccess.replication_from(replication_sources)
    if organization_pull:
        grants["organization_pull"] = RegistryAccess.organization_pull(organization_pull)
    return grants


def public_access(access: PublicAccessConfig) -> list[AccessGrant]:
    """The grants of a public repository's ``access`` keys (problems at ``access.<key>``)."""
    return PublicRepositoryAccess.from_settings(
        push_accounts=access.push_accounts,
        push_principals=access.push_principals,
        where=("access",),
    )


def _issues(base: Path, problems: Iterable[Problem]) -> list[Issue]:
    """Problems of ``registry_rules`` (field paths relative to ``base``) as issues."""
    return [Issue((*base, *(p.path or ())), p.message, p.given, p.allowed) for p in problems]


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
    values: Sequence[str | None],
    prefix: Path,
    key: str | None,
    issues: list[Issue],
    normalized: Callable[[str], str] = str,
) -> None:
    """Report the items of the list at ``prefix`` whose ``key`` (compared as ``normalized``)
    an earlier item has too; ``values`` holds each item's key (None: the item is invalid).
    A ``key`` of None compares the items themselves."""
    first: dict[str, int] = {}
    for index, value in enumerate(values):
        if value is None:
            continue
        seen = first.setdefault(normalized(value), index)
        if seen != index:
            issues.append(
                Issue(
                    (*prefix, index) if key is None else (*prefix, index, key),
                    f"duplicate {kind}",
                    given=value,
                    allowed=f"each {key or kind} once",
                    see=(*prefix, seen),
                )
            )


def _check_something_to_roll_out(parts: Parts, issues: list[Issue]) -> None:
    if parts.deployment.targets is None or "targets" in parts.deployment_failed:
        return
    if parts.repositories or parts.public_repositories or has_registry_resources(parts):
        return
    issues.append(
        Issue(
            ("deployment", "targets"),
            "nothing to roll out: the file has no repository, public repository or "
            "registry-wide setting that creates a resource",
            given="an empty registry",
            allowed="at least one repository, public repository or registry-wide setting",
        )
    )


def _check_public_repositories(parts: Parts, issues: list[Issue]) -> None:
    """Each public repository's policy, checked as its construct checks it, and its logo."""
    for index, repository in enumerate(parts.public_repositories):
        if repository is None:
            continue
        path: Path = ("public_repositories", index)
        try:
            grants = public_access(repository.access)
            if grants:
                PublicRepositoryPolicyDocument(
                    grants, where=("access",), partition=LONGEST_PARTITION
                )
        except PolicyDocumentError as error:
            issues += _issues(path, error.problems)
        if repository.logo is not None:
            problems = logo_problems(logo_file(repository.logo, parts.source))
            issues += _issues((*path, "logo"), problems)


def _check_logo_room(parts: Parts, issues: list[Issue]) -> None:
    """A public repository with a logo takes the resources of its logo too, in one stack."""
    logos = [
        index
        for index, repository in enumerate(parts.public_repositories)
        if repository is not None and repository.logo is not None
    ]
    needed = STACK_OVERHEAD + public_repository_resources(logo=True)
    limit = parts.deployment.max_resources_per_stack
    if logos and needed > limit and "max_resources_per_stack" not in parts.deployment_failed:
        issues.append(
            Issue(
                ("deployment", "max_resources_per_stack"),
                f"a public repository with a logo takes {needed - STACK_OVERHEAD} resources in "
                f"one stack (the repository, and the logo's {LOGO_RESOURCES}: its custom "
                "resource, function, role and log group) and 1 CDK metadata resource",
                given=limit,
                allowed=f"a limit of at least {needed}, or no logo "
                f"(public_repositories[{logos[0]}].logo)",
            )
        )


def _check_registry_policy(parts: Parts, issues: list[Issue]) -> None:
    """The registry policy of ``replication_sources`` and ``organization_pull``, checked as
    ``RegistryPolicy`` checks it against ``policy_scope``."""
    grants = registry_policy_grants(parts.replication_sources, parts.organization_pull)
    if not grants:
        return
    keys = list(grants)
    account, region, partition = _registry_place(parts.deployment)
    try:
        RegistryPolicyDocument(
            grants.values(),
            account=account or _STACK_ACCOUNT,
            region=region or _STACK_REGION,
            partition=partition,
            scope=parts.policy_scope or RegistryPolicyScope.V2,
            where=("grants",),
        )
    except PolicyDocumentError as error:
        for problem in error.problems:
            # grants[i].Element: at the key that made grant i; the whole document: at its one
            # key, or at registry when both keys make it.
            at = problem.path or ()
            if len(at) > 1 and isinstance(at[1], int):
                key: Path = (keys[at[1]],)
            else:
                key = tuple(keys) if len(keys) == 1 else ()
            issues += _issues(("registry", *key), [problem.moved(())])


def _registry_place(deployment: DeploymentConfig) -> tuple[str | None, str | None, str]:
    """The account and region of the file's registry (None: unknown here; with targets,
    every registry's are) and the partition its registry policy is measured in."""
    locations = registry_locations(deployment) or [RegistryLocation(None, None)]
    region = registry_region(deployment) or locations[0].region
    partition = partition_of(region) or LONGEST_PARTITION
    if len(locations) > 1:
        return None, None, partition
    return locations[0].account, locations[0].region, partition


def _check_signing(parts: Parts, issues: list[Issue]) -> None:
    signing = parts.signing
    if signing is not None:
        if "region" not in parts.deployment_failed:
            problems = signing_region_problems(parts.deployment.region)
            issues += _issues(("registry", "signing"), problems)
        for index, rule in enumerate(signing.rules):
            problems = signing_rule_problems(rule.signing_profile_arn, rule.repository_filters)
            issues += _issues(("registry", "signing", "rules", index), problems)


def _check_scanning(scanning: ScanningConfig | None, issues: list[Issue]) -> None:
    if scanning is not None:
        rules = [(rule.frequency, rule.filters) for rule in scanning.rules]
        problems = scanning_rules_problems(scanning.type, rules)
        issues += _issues(("registry", "scanning", "rules"), problems)


def _check_replication(
    replication: ReplicationConfig | None,
    locations: Sequence[RegistryLocation],
    issues: list[Issue],
) -> None:
    """The replication rules of every registry the file deploys (``locations``)."""
    if replication is None:
        return
    path: Path = ("registry", "replication", "rules")
    destinations = [(d.account, d.region) for r in replication.rules for d in r.destinations]
    for location in locations:
        issues += _issues(path, unique_destination_problems(destinations, location.account))
        for index, rule in enumerate(replication.rules):
            for number, destination in enumerate(rule.destinations):
                problems = self_replication_problems(
                    destination.account,
                    destination.region,
                    source_account=location.account,
                    source_region=location.region,
                )
                issues += _issues((*path, index, "destinations", number), problems)


def _check_pull_through_cache(parts: Parts, issues: list[Issue]) -> None:
    path: Path = ("registry", "pull_through_cache")
    rules = parts.pull_through_cache
    prefixes = [rule.prefix if rule is not None else None for rule in rules]
    _check_unique("pull-through cache prefix", prefixes, path, "prefix", issues, prefix_key)
    locations = registry_locations(parts.deployment)
    for index, rule in enumerate(rules):
        if rule is not None:
            _check_upstream(rule, (*path, index), locations, issues)


def _check_upstream(
    rule: PullThroughCacheRuleConfig,
    path: Path,
    locations: Sequence[RegistryLocation],
    issues: list[Issue],
) -> None:
    """A pull-through cache rule, in every registry the file deploys (``locations``)."""
    kind = UPSTREAMS[rule.upstream]
    secret = rule.credential_secret
    how = f"a Secrets Manager secret name or ARN starting with {SECRET_NAME_PREFIX}"
    problems = credentials_problems(kind.name, secret, how) or [
        problem
        for location in (locations if secret is not None else ())
        for problem in secret_location_problems(
            secret or "", region=location.region, account=location.account
        )
    ]
    issues += _issues((*path, "credential_secret"), problems)
    url_path = (*path, "upstream_url")
    if kind.url_rule is None and rule.upstream_url is not None:
        with_url = [name for name, other in UPSTREAMS.items() if other.url_rule is not None]
        issues.append(
            Issue(
                url_path,
                f"upstream {kind.name} has a fixed URL; leave upstream_url out",
                given=rule.upstream_url,
                allowed="upstream_url only for " + " and ".join(with_url),
            )
        )
    elif kind.url_rule is not None and rule.upstream_url is None:
        issues.append(
            Issue(
                url_path,
                f"upstream {kind.name} needs an upstream_url",
                allowed=kind.url_rule.syntax,
            )
        )
    elif kind.url_rule is not None and rule.upstream_url is not None:
        problems = kind.url_rule.problems(rule.upstream_url)
        if not problems and kind.name == "ecr":
            account, region = ecr_upstream_registry(rule.upstream_url)
            problems = [
                problem
                for location in locations
                for problem in self_cache_problems(
                    account,
                    region,
                    registry_account=location.account,
                    registry_region=location.region,
                )
            ]
        issues += _issues(url_path, problems)
    if kind.needs_role and rule.custom_role_arn is None:
        issues.append(
            Issue(
                (*path, "custom_role_arn"),
                f"upstream {kind.name} needs a custom_role_arn (the role ECR assumes to pull)",
                allowed="arn:aws:iam::ACCOUNT:role/NAME",
            )
        )
    elif not kind.needs_role and rule.custom_role_arn is not None:
        with_role = [name for name, other in UPSTREAMS.items() if other.needs_role]
        issues.append(
            Issue(
                (*path, "custom_role_arn"),
                f"upstream {kind.name} takes no custom_role_arn",
                given=rule.custom_role_arn,
                allowed="custom_role_arn only for upstream " + " and ".join(with_role),
            )
        )
    upstream_prefix = rule.upstream_repository_prefix
    prefix_path = (*path, "upstream_repository_prefix")
    if upstream_prefix is not None and not kind.takes_repository_prefix:
        with_prefix = [name for name, other in UPSTREAMS.items() if other.takes_repository_prefix]
        issues.append(
            Issue(
                prefix_path,
                f"upstream {kind.name} takes no upstream_repository_prefix",
                given=upstream_prefix,
                allowed="upstream_repository_prefix only for upstream " + " and ".join(with_prefix),
            )
        )
    else:
        issues += _issues(prefix_path, upstream_prefix_problems(rule.prefix, upstream_prefix))


def _check_creation_templates(
    templates: Sequence[CreationTemplateConfig | None], issues: list[Issue]
) -> None:
    path: Path = ("registry", "creation_templates")
    prefixes = [template.prefix if template is not None else None for template in templates]
    _check_unique("creation template prefix", prefixes, path, "prefix", issues, prefix_key)
    for index, template in enumerate(templates):
        if template is not None:
            problems = applied_for_problems(template.applied_for)
            issues += _issues((*path, index, "applied_for"), problems)


def check_registry_room(parts: Parts, template_resources: int) -> list[Issue]:
    """The registry-wide resources share the first stack with CDK's metadata resource: they
    must fit within ``deployment.max_resources_per_stack`` (and CloudFormation's limit).

    One resource each for scanning, replication, the registry policy (``replication_sources``,
    ``organization_pull``), the signing configuration, every pull-time update exclusion and
    every pull-through cache rule, plus ``template_resources`` for the creation templates (a
    template, and the role it creates).
    """
    registry = (
        (parts.scanning is not None)
        + (parts.replication is not None)
        + bool(registry_policy_grants(parts.replication_sources, parts.organization_pull))
        + bool(parts.signing is not None and parts.signing.rules)
        + len(parts.pull_time_update_exclusions)
        + sum(rule is not None for rule in parts.pull_through_cache)
        + template_resources
    )
    needed = STACK_OVERHEAD + registry
    limit = parts.deployment.max_resources_per_stack
    if needed > MAX_RESOURCES:
        return [
            Issue(
                ("registry",),
                f"the registry-wide settings take {registry} resources, and they all live in "
                f"the first stack with 1 CDK metadata resource",
                given=f"{needed} resources",
                allowed=f"at most {MAX_RESOURCES} resources in a stack (CloudFormation's limit)",
            )
        ]
    if needed > limit and "max_resources_per_stack" not in parts.deployment_failed:
        return [
            Issue(
                ("deployment", "max_resources_per_stack"),
                f"the first stack holds the registry-wide settings: {registry} resources and 1 "
                "CDK metadata resource",
                given=limit,
                allowed=f"a limit of at least {needed}",
            )
        ]
    return []


def registry_bytes(parts: Parts, templates: Sequence[ResolvedCreationTemplate]) -> dict[str, int]:
    """What the registry-wide settings add to stack 1's template, by key
    (``TemplateBytes.registry_settings``): for the longest stack name, and an account or
    region not known here as a ``Ref``, so at least what synth writes."""
    account, region, partition = _registry_place(parts.deployment)
    longest = "S" * MAX_STACK_NAME_LENGTH
    if parts.deployment.targets is not None:
        # StackSets deploy environment-agnostic templates; stages name each target's stack
        # constructs with a -ACCOUNT-REGION suffix.
        account = region = None
        longest += f"-{'0' * 12}-{LONGEST_REGION}"
    return TemplateBytes(longest, PARTITION_TOKEN).registry_settings(
        parts, templates, account=account, region=region, measured_in=partition
    )


def check_registry_bytes(
    parts: Parts, templates: Sequence[ResolvedCreationTemplate]
) -> list[Issue]:
    """The registry-wide settings share stack 1's template with what every stack holds
    (``stack_base_bytes``): by ``registry_bytes``, they must leave it within
    CloudFormation's template limit."""
    sizes = registry_bytes(parts, templates)
    deployment, targets = parts.deployment, parts.deployment.targets
    # As the fleet builds stack 1: in deployment.region, or in each target's (stages), or in
    # none (StackSets' instance templates).
    base = stack_base_bytes(
        deployment.region is not None if targets is None else targets.mode is RolloutMode.STAGES
    )
    needed = base + sum(sizes.values())
    if needed <= MAX_TEMPLATE_BYTES:
        return []
    shares = sorted(sizes.items(), key=lambda share: -share[1])
    return [
        Issue(
            ("registry",),
            "stack 1 holds every registry-wide setting, and its template would be larger than "
            "CloudFormation accepts: "
            + ", ".join(f"{key} about {size:,} bytes" for key, size in shares),
            given=f"about {needed:,} bytes (with {base:,} for the stack itself)",
            allowed=f"at most {MAX_TEMPLATE_BYTES:,} bytes: fewer or shorter settings, "
            f"first in {shares[0][0]}",
        )
    ]
