"""Access presets: who may pull, push, replicate or cache, as immutable `AccessGrant` objects."""

from __future__ import annotations

from collections.abc import Iterable

from ..errors import Problem, Where, child
from ..registry_rules import CACHE_PREFIX, ROOT
from ._grant import AccessGrant, custom, describe, literal, principal_templates, raise_if
from ._values import (
    account_problem,
    check_each,
    check_some,
    organization_problem,
    principal_problem,
    region_problem,
)

PULL_ACTIONS = (
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
)
PUSH_ACTIONS = tuple(
    sorted(
        (
            *PULL_ACTIONS,
            "ecr:CompleteLayerUpload",
            "ecr:InitiateLayerUpload",
            "ecr:PutImage",
            "ecr:UploadLayerPart",
        )
    )
)
LAMBDA_PULL_ACTIONS = ("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")
REPLICATION_ACTIONS = ("ecr:CreateRepository", "ecr:ReplicateImage")
PULL_THROUGH_CACHE_ACTIONS = ("ecr:BatchImportUpstreamImage", "ecr:CreateRepository")
PUBLIC_PUSH_ACTIONS = (
    "ecr-public:BatchCheckLayerAvailability",
    "ecr-public:CompleteLayerUpload",
    "ecr-public:InitiateLayerUpload",
    "ecr-public:PutImage",
    "ecr-public:UploadLayerPart",
)

Strings = Iterable[str]


def _principal_grant(
    kind: str,
    sid: str,
    actions: tuple[str, ...],
    accounts: object,
    principals: object,
    *,
    where: Where,
    where_accounts: Where,
    where_principals: Where,
) -> tuple[AccessGrant | None, list[Problem]]:
    """A grant to accounts and principals together, or every problem with them."""
    good_accounts, problems = check_each(accounts, where_accounts, "account IDs", account_problem)
    good_principals, more = check_each(
        principals, where_principals, "IAM principals", principal_problem
    )
    problems += more
    if not problems and not good_accounts and not good_principals:
        problems.append(
            Problem.of(
                where,
                "names nobody",
                given={"accounts": [], "principals": []},
                allowed="at least one account or principal",
            )
        )
    if problems:
        return None, problems
    return AccessGrant(
        name=f"{kind} by {describe(good_accounts + good_principals)}",
        sid=sid,
        actions=actions,
        principals=principal_templates(good_accounts, good_principals),
    ), []


def _organization_grant(
    organization_ids: object,
    where: Where,
    *,
    kind: str,
    sid: str,
    actions: tuple[str, ...],
    resources: tuple[str, ...] = (),
) -> tuple[AccessGrant | None, list[Problem]]:
    """``actions`` for every principal of the organizations: Principal ``*`` limited by
    ``aws:PrincipalOrgID``."""
    ids, problems = check_some(organization_ids, where, "organization IDs", organization_problem)
    if problems:
        return None, problems
    unique = tuple(sorted(set(ids)))
    return AccessGrant(
        name=f"{kind} by organization {describe(unique)}",
        sid=sid,
        actions=actions,
        anyone=True,
        condition=(("StringEquals", "aws:PrincipalOrgID", tuple(literal(i) for i in unique)),),
        resources=resources,
    ), []


def _organization_pull(
    organization_ids: object, where: Where
) -> tuple[AccessGrant | None, list[Problem]]:
    return _organization_grant(
        organization_ids, where, kind="pull", sid="OrganizationPull", actions=PULL_ACTIONS
    )


def _organization_push(
    organization_ids: object, where: Where
) -> tuple[AccessGrant | None, list[Problem]]:
    return _organization_grant(
        organization_ids, where, kind="push", sid="OrganizationPush", actions=PUSH_ACTIONS
    )


def _lambda_pull(accounts: object, where: Where) -> tuple[AccessGrant | None, list[Problem]]:
    ids, problems = check_some(accounts, where, "account IDs", account_problem)
    if problems:
        return None, problems
    unique = tuple(sorted(set(ids)))
    return AccessGrant(
        name=f"Lambda pull from {describe(unique)}",
        sid="LambdaPull",
        actions=LAMBDA_PULL_ACTIONS,
        service="lambda.amazonaws.com",
        condition=(
            (
                "StringLike",
                "aws:sourceArn",
                tuple(f"arn:{{partition}}:lambda:*:{literal(a)}:function:*" for a in unique),
            ),
        ),
    ), []


def _one(result: tuple[AccessGrant | None, list[Problem]]) -> AccessGrant:
    grant, problems = result
    raise_if(problems)
    assert grant is not None
    return grant


class RepositoryAccess:
    """Presets for a private repository's policy. Each returns an immutable `AccessGrant`.

    Accounts are 12-digit IDs; principals are IAM ARNs (``root``, ``role/...``, ``user/...``)
    or account IDs. Bad input raises `PolicyDocumentError` listing every problem.
    """

    custom = staticmethod(custom)

    @staticmethod
    def pull(*, accounts: Strings = (), principals: Strings = ()) -> AccessGrant:
        """Pull images: ``ecr:BatchCheckLayerAvailability``, ``BatchGetImage``,
        ``GetDownloadUrlForLayer``."""
        return _one(
            _principal_grant(
                "pull",
                "Pull",
                PULL_ACTIONS,
                accounts,
                principals,
                where="RepositoryAccess.pull",
                where_accounts="RepositoryAccess.pull(accounts)",
                where_principals="RepositoryAccess.pull(principals)",
            )
        )

    @staticmethod
    def push(*, accounts: Strings = (), principals: Strings = ()) -> AccessGrant:
        """Push and pull images (a push needs the pull actions too)."""
        return _one(
            _principal_grant(
                "push",
                "Push",
                PUSH_ACTIONS,
                accounts,
                principals,
                where="RepositoryAccess.push",
                where_accounts="RepositoryAccess.push(accounts)",
                where_principals="RepositoryAccess.push(principals)",
            )
        )

    @staticmethod
    def organization_pull(organization_ids: Strings) -> AccessGrant:
        """Pull by every principal in the organizations: Principal ``{"AWS": "*"}`` with
        ``StringEquals aws:PrincipalOrgID``."""
        return _one(_organization_pull(organization_ids, "RepositoryAccess.organization_pull"))

    @staticmethod
    def organization_push(organization_ids: Strings) -> AccessGrant:
        """Push (and pull) by every principal in the organizations: Principal
        ``{"AWS": "*"}`` with ``StringEquals aws:PrincipalOrgID``.

        Every role of every account in the organization may push new images (and, with
        MUTABLE tags, move tags): prefer ``push(principals=[...])`` for named CI roles.
        """
        return _one(_organization_push(organization_ids, "RepositoryAccess.organization_push"))

    @staticmethod
    def lambda_pull(accounts: Strings) -> AccessGrant:
        """Let Lambda functions of the accounts pull their container image: service principal
        ``lambda.amazonaws.com``, ``StringLike aws:sourceArn
        arn:PARTITION:lambda:*:ACCOUNT:function:*`` (the document's partition)."""
        return _one(_lambda_pull(accounts, "RepositoryAccess.lambda_pull"))

    @staticmethod
    def from_settings(
        *,
        pull_accounts: Strings = (),
        push_accounts: Strings = (),
        pull_principals: Strings = (),
        push_principals: Strings = (),
        pull_organizations: Strings = (),
        push_organizations: Strings = (),
        lambda_pull_accounts: Strings = (),
        where: Where = "access",
    ) -> list[AccessGrant]:
        """The grants for a registry file's ``access:`` keys, in this order: pull, push,
        organization pull, organization push, Lambda pull (empty keys grant nothing).

        Problems name ``{where}.{key}[index]``; all are raised together.
        """
        grants: list[AccessGrant] = []
        problems: list[Problem] = []
        results: list[tuple[AccessGrant | None, list[Problem]]] = []
        for kind, sid, actions, accounts, principals in (
            ("pull", "Pull", PULL_ACTIONS, pull_accounts, pull_principals),
            ("push", "Push", PUSH_ACTIONS, push_accounts, push_principals),
        ):
            if _is_empty(accounts) and _is_empty(principals):
                continue
            results.append(
                _principal_grant(
                    kind,
                    sid,
                    actions,
                    accounts,
                    principals,
                    where=child(where, kind),
                    where_accounts=child(where, f"{kind}_accounts"),
                    where_principals=child(where, f"{kind}_principals"),
                )
            )
        if not _is_empty(pull_organizations):
            results.append(
                _organization_pull(pull_organizations, child(where, "pull_organizations"))
            )
        if not _is_empty(push_organizations):
            results.append(
                _organization_push(push_organizations, child(where, "push_organizations"))
            )
        if not _is_empty(lambda_pull_accounts):
            results.append(_lambda_pull(lambda_pull_accounts, child(where, "lambda_pull_accounts")))
        for grant, found in results:
            problems += found
            if grant is not None:
                grants.append(grant)
        raise_if(problems)
        return grants


def _is_empty(values: object) -> bool:
    return values is None or (not isinstance(values, str) and not values)


class RegistryAccess:
    """Presets for the private registry's policy (``AWS::ECR::RegistryPolicy``).

    The registry's account and region come from the document at render time, so they may
    be CDK tokens. ``custom`` statements are checked like the presets, against the document's
    registry policy scope.
    """

    custom = staticmethod(custom)

    @staticmethod
    def replication_from(accounts: Strings, *, regions: Strings | None = None) -> AccessGrant:
        """Let source accounts replicate into this registry: ``ecr:CreateRepository`` and
        ``ecr:ReplicateImage`` on ``arn:PARTITION:ecr:REGION:ACCOUNT:repository/*``.

        Default: REGION is the registry's own region; ``regions`` lists others instead.
        """
        ids, problems = check_some(
            accounts, "RegistryAccess.replication_from(accounts)", "account IDs", account_problem
        )
        region_templates: tuple[str, ...] = ("{region}",)
        if regions is not None:
            names, more = check_some(
                regions, "RegistryAccess.replication_from(regions)", "regions", region_problem
            )
            problems += more
            region_templates = tuple(literal(r) for r in sorted(set(names)))
        raise_if(problems)
        return AccessGrant(
            name=f"replication from {describe(ids)}",
            sid="ReplicationFrom",
            actions=REPLICATION_ACTIONS,
            principals=principal_templates(ids, ()),
            resources=tuple(
                f"arn:{{partition}}:ecr:{r}:{{account}}:repository/*" for r in region_templates
            ),
        )

    @staticmethod
    def organization_pull(organization_ids: Strings) -> AccessGrant:
        """Let every principal of the organizations pull from every repository of this
        registry: the pull actions on ``arn:PARTITION:ecr:REGION:ACCOUNT:repository/*``,
        Principal ``{"AWS": "*"}`` with ``StringEquals aws:PrincipalOrgID``.

        Needs registry policy scope V2 (ECR's default): scope V1 refuses pull actions in a
        registry policy. The principals still need ``ecr:GetAuthorizationToken`` in their
        own account (``aws_ecr.AuthorizationToken.grant_read``).
        """
        return _one(
            _organization_grant(
                organization_ids,
                "RegistryAccess.organization_pull",
                kind="pull of every repository",
                sid="OrganizationPull",
                actions=PULL_ACTIONS,
                resources=("arn:{partition}:ecr:{region}:{account}:repository/*",),
            )
        )

    @staticmethod
    def pull_through_cache(principals: Strings, *, prefixes: Strings | None = None) -> AccessGrant:
        """Let principals fill pull-through caches: ``ecr:BatchImportUpstreamImage`` and
        ``ecr:CreateRepository`` on ``repository/PREFIX/*`` for each cache prefix.

        Default: every repository (``repository/*``); so does the prefix ``ROOT``.
        """
        who, problems = check_some(
            principals,
            "RegistryAccess.pull_through_cache(principals)",
            "IAM principals",
            principal_problem,
        )
        paths: tuple[str, ...] = ("*",)
        if prefixes is not None:
            names, more = check_some(
                prefixes,
                "RegistryAccess.pull_through_cache(prefixes)",
                "cache prefixes",
                _prefix_problem,
            )
            problems += more
            paths = tuple("*" if p == ROOT else f"{literal(p)}/*" for p in sorted(set(names)))
        raise_if(problems)
        return AccessGrant(
            name=f"pull-through cache by {describe(who)}",
            sid="PullThroughCache",
            actions=PULL_THROUGH_CACHE_ACTIONS,
            principals=principal_templates((), who),
            resources=tuple(
                f"arn:{{partition}}:ecr:{{region}}:{{account}}:repository/{p}" for p in paths
            ),
        )


def _prefix_problem(value: object, where: Where) -> Problem | None:
    return next(iter(CACHE_PREFIX.problems(value, where)), None)


class PublicRepositoryAccess:
    """Presets for an ECR Public repository's policy (anyone may pull a public image)."""

    custom = staticmethod(custom)

    @staticmethod
    def push(*, accounts: Strings = (), principals: Strings = ()) -> AccessGrant:
        """Push images: ``ecr-public:BatchCheckLayerAvailability``, ``CompleteLayerUpload``,
        ``InitiateLayerUpload``, ``PutImage``, ``UploadLayerPart``."""
        return _one(
            _principal_grant(
                "public push",
                "PublicPush",
                PUBLIC_PUSH_ACTIONS,
                accounts,
                principals,
                where="PublicRepositoryAccess.push",
                where_accounts="PublicRepositoryAccess.push(accounts)",
                where_principals="PublicRepositoryAccess.push(principals)",
            )
        )

    @staticmethod
    def from_settings(
        *,
        push_accounts: Strings = (),
        push_principals: Strings = (),
        where: Where = "access",
    ) -> list[AccessGrant]:
        """The grants for a registry file's public ``access:`` keys: one push grant, or none
        when both keys are empty.

        Problems name ``{where}.{key}[index]``; all are raised together.
        """
        if _is_empty(push_accounts) and _is_empty(push_principals):
            return []
        return [
            _one(
                _principal_grant(
                    "public push",
                    "PublicPush",
                    PUBLIC_PUSH_ACTIONS,
                    push_accounts,
                    push_principals,
                    where=child(where, "push"),
                    where_accounts=child(where, "push_accounts"),
                    where_principals=child(where, "push_principals"),
                )
            )
        ]
