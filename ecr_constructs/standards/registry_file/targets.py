"""Where a registry file's registries are: one account and region, or every target of
``deployment.targets``; and the rules of ``deployment.targets`` itself.

A rule that compares a value with the registry's own account or region (a replication
destination, an ECR upstream, a secret's ARN, a KMS key) is checked against each registry
the file deploys (:func:`registry_locations`), an account unknown (None) where
organizational units stand for many.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ...cloudformation import MAX_ORGANIZATIONAL_UNITS, MAX_STACK_INSTANCES
from ...errors import Path
from ...naming import partition_of
from .locations import Issue
from .models import (
    PUBLIC_REPOSITORY_REGION,
    DeploymentConfig,
    PublicRepositoryConfig,
    RepositoryConfig,
    RolloutMode,
    StandardConfig,
    TargetsConfig,
)

_TARGETS: Path = ("deployment", "targets")
_STACKSETS_ONLY = (
    "max_concurrent_percentage",
    "failure_tolerance_percentage",
    "region_order",
    "call_as",
)


@dataclass(frozen=True)
class RegistryLocation:
    """A registry the file deploys: its account and region (None: not known here)."""

    account: str | None
    region: str | None


def registry_locations(deployment: DeploymentConfig) -> list[RegistryLocation]:
    """Every registry the file deploys: ``deployment.account`` and ``region`` without
    targets; each target account in each target region with them (an account of None for
    organizational units, whose accounts are known only to AWS Organizations)."""
    targets = deployment.targets
    if targets is None:
        return [RegistryLocation(deployment.account, deployment.region)]
    accounts: Sequence[str | None] = targets.accounts or [None]
    return [RegistryLocation(a, r) for a in accounts for r in targets.regions]


def registry_region(deployment: DeploymentConfig) -> str | None:
    """The one region every registry of the file is in; None when there are several, or
    none is known."""
    regions = {location.region for location in registry_locations(deployment)}
    return regions.pop() if len(regions) == 1 else None


def public_region_issues(
    deployment: DeploymentConfig, failed: frozenset[str], public: Sequence[object]
) -> list[Issue]:
    """Public repositories need a registry in us-east-1 (ECR Public exists only there)."""
    if not public:
        return []
    targets = deployment.targets
    if targets is not None:
        if "targets.regions" in failed or PUBLIC_REPOSITORY_REGION in targets.regions:
            return []
        return [
            Issue(
                ("public_repositories",),
                "public repositories exist only in us-east-1; add us-east-1 to "
                "deployment.targets.regions",
                given=list(targets.regions),
                allowed="deployment.targets.regions with us-east-1",
            )
        ]
    if "region" in failed or deployment.region == PUBLIC_REPOSITORY_REGION:
        return []
    return [
        Issue(
            ("public_repositories",),
            "public repositories exist only in us-east-1; set deployment.region: us-east-1",
            given=deployment.region or "deployment.region not set",
            allowed="deployment.region us-east-1",
        )
    ]


def target_issues(
    deployment: DeploymentConfig,
    failed: frozenset[str],
    *,
    standards: dict[str, StandardConfig | None],
    repositories: Sequence[RepositoryConfig | None],
    public_repositories: Sequence[PublicRepositoryConfig | None],
) -> list[Issue]:
    """Every problem of ``deployment.targets`` with the rest of the file; ``failed`` names
    the deployment keys whose values were invalid (``targets.regions``...)."""
    targets = deployment.targets
    if targets is None or "targets" in failed:
        return []
    issues = _deployment_issues(deployment, targets, failed)
    issues += _mode_issues(targets, failed)
    issues += _scale_issues(targets)
    issues += _partition_issues(deployment, targets, failed)
    if len(targets.regions) > 1:
        issues += _kms_key_issues(len(targets.regions), standards, repositories)
    if targets.mode is RolloutMode.STACKSETS:
        issues += [
            Issue(
                ("public_repositories", index, "logo"),
                "a logo is deployed as a CDK file asset, which a StackSet can't take to "
                "other accounts",
                given=repository.logo,
                allowed="no logo with mode stacksets (set it in the console), or mode stages",
            )
            for index, repository in enumerate(public_repositories)
            if repository is not None and repository.logo is not None
        ]
    return issues


def _deployment_issues(
    deployment: DeploymentConfig, targets: TargetsConfig, failed: frozenset[str]
) -> list[Issue]:
    issues = []
    given = _given_target_kinds(targets, failed)
    if not given:
        issues.append(
            Issue(
                _TARGETS,
                "targets need organizational_units or accounts",
                allowed="organizational_units: [ou-...] (a service-managed StackSet) or "
                "accounts: ['123456789012', ...]",
            )
        )
    elif len(given) == 2:
        issues.append(
            Issue(
                (*_TARGETS, "accounts"),
                "accounts and organizational_units together: a StackSet is either "
                "service-managed (organizational units) or self-managed (accounts)",
                given=list(targets.accounts),
                allowed="one of organizational_units and accounts",
            )
        )
    if not targets.regions and "targets.regions" not in failed:
        issues.append(
            Issue(
                (*_TARGETS, "regions"),
                "required key is missing",
                allowed="the regions every target account gets the registry in",
            )
        )
    for key, what in (("account", "account"), ("region", "region")):
        value = getattr(deployment, key)
        if key in failed:
            continue
        if targets.mode is RolloutMode.STACKSETS and value is None:
            issues.append(
                Issue(
                    ("deployment", key),
                    f"required with deployment.targets: the {what} the StackSets live in "
                    "(the management account or a delegated administrator for StackSets)",
                    allowed=f"the {what} to deploy the StackSets from",
                )
            )
        elif targets.mode is RolloutMode.STAGES and value is not None:
            issues.append(
                Issue(
                    ("deployment", key),
                    f"mode stages deploys to each target account and region; "
                    f"deployment.{key} would name no stack",
                    given=value,
                    allowed=f"no deployment.{key} with mode stages (or mode stacksets, whose "
                    f"StackSets live in deployment.{key})",
                )
            )
    return issues


def _given_target_kinds(targets: TargetsConfig, failed: frozenset[str]) -> set[str]:
    """Which of organizational_units and accounts the file gives (valid or not)."""
    return {
        name
        for name in ("organizational_units", "accounts")
        if getattr(targets, name) or f"targets.{name}" in failed
    }


def _mode_issues(targets: TargetsConfig, failed: frozenset[str]) -> list[Issue]:
    issues = []
    if targets.mode is RolloutMode.STAGES:
        if targets.organizational_units:
            issues.append(
                Issue(
                    (*_TARGETS, "organizational_units"),
                    "mode stages needs account IDs: the CDK deploys to named environments",
                    given=list(targets.organizational_units),
                    allowed="accounts: ['123456789012', ...], or mode stacksets",
                )
            )
        for key in _STACKSETS_ONLY:
            value = getattr(targets, key)
            if value not in (None, ()):
                issues.append(
                    Issue(
                        (*_TARGETS, key),
                        f"{key} is a StackSets setting; mode stages has no StackSet",
                        given=list(value) if isinstance(value, tuple) else value,
                        allowed=f"no {key} with mode stages, or mode stacksets",
                    )
                )
    elif _given_target_kinds(targets, failed) == {"accounts"} and targets.call_as is not None:
        issues.append(
            Issue(
                (*_TARGETS, "call_as"),
                "call_as is for service-managed StackSets (organizational_units); a "
                "self-managed StackSet (accounts) is always created as its own account",
                given=targets.call_as.value,
                allowed="no call_as with accounts",
            )
        )
    if "targets.regions" not in failed:
        issues += [
            Issue(
                (*_TARGETS, "region_order", index),
                "not one of deployment.targets.regions",
                given=region,
                allowed=", ".join(targets.regions),
            )
            for index, region in enumerate(targets.region_order)
            if region not in targets.regions
        ]
    return issues


def _scale_issues(targets: TargetsConfig) -> list[Issue]:
    issues = []
    units = len(targets.organizational_units)
    if units > MAX_ORGANIZATIONAL_UNITS:
        issues.append(
            Issue(
                (*_TARGETS, "organizational_units"),
                "more organizational units than one StackSets operation takes "
                "(CreateStackInstances)",
                given=units,
                allowed=f"at most {MAX_ORGANIZATIONAL_UNITS}: target a parent OU, or the root",
            )
        )
    instances = len(targets.accounts) * len(targets.regions)
    if targets.mode is RolloutMode.STACKSETS and instances > MAX_STACK_INSTANCES:
        issues.append(
            Issue(
                (*_TARGETS, "accounts"),
                "more stack instances than a StackSet holds",
                given=f"{len(targets.accounts):,} accounts x {len(targets.regions)} regions "
                f"= {instances:,}",
                allowed=f"at most {MAX_STACK_INSTANCES:,} stack instances per StackSet "
                "(CloudFormation's quota): fewer accounts or regions, or organizational_units",
            )
        )
    return issues


def _partition_issues(
    deployment: DeploymentConfig, targets: TargetsConfig, failed: frozenset[str]
) -> list[Issue]:
    """An account exists in one partition: every region of a rollout (and the StackSets'
    own) is in the same one."""
    home = deployment.region if targets.mode is RolloutMode.STACKSETS else None
    first = partition_of(home) if home is not None and "region" not in failed else None
    issues = []
    for index, region in enumerate(targets.regions):
        partition = partition_of(region)
        if partition is None:  # not a region: refused as such
            continue
        if first is None:
            first = partition
        elif partition != first:
            issues.append(
                Issue(
                    (*_TARGETS, "regions", index),
                    f"a rollout stays in one partition, and this region is in {partition}",
                    given=region,
                    allowed=f"regions of partition {first}"
                    + (f" (deployment.region {home})" if home is not None else ""),
                )
            )
    return issues


def _kms_key_issues(
    regions: int,
    standards: dict[str, StandardConfig | None],
    repositories: Sequence[RepositoryConfig | None],
) -> list[Issue]:
    """A KMS key is in one region; each region's repositories need a key of their own."""
    owners: list[tuple[Path, StandardConfig | RepositoryConfig | None]] = [
        *((("standards", name), standard) for name, standard in standards.items()),
        *((("repositories", index), repository) for index, repository in enumerate(repositories)),
    ]
    return [
        Issue(
            (*path, "kms_key_arn"),
            f"a KMS key is in one region, and the registry is deployed to {regions} regions",
            given=owner.kms_key_arn,
            allowed="no kms_key_arn (each region's AWS-managed key), or one target region",
        )
        for path, owner in owners
        if owner is not None and owner.kms_key_arn is not None
    ]
