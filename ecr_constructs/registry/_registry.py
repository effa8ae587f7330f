"""What the registry-wide constructs share: which registry a stack deploys to, the
bookkeeping that keeps singletons single (and in one stack) and prefixes, principals and
repository names unique per registry, and justified cdk-nag acknowledgements for wildcard
resources. The rules themselves are in ``registry_rules``."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

import aws_cdk as cdk
import jsii
from constructs import Construct, IConstruct

from ..errors import Problem, RegistryError
from ..naming import is_token
from ..registry_rules import ROOT, CountRule, prefix_key

_INDEX_ID = "EcrConstructsRegistryIndex"


def registry_key(stack: cdk.Stack) -> str:
    """``ACCOUNT/REGION`` for a stack with a concrete environment, else the stack's own path.

    Two stacks with the same concrete environment share one registry; an
    environment-agnostic stack can't be matched with any other.
    """
    account, region = stack.account, stack.region
    if is_token(account) or is_token(region):
        return f"{stack.node.path} (environment-agnostic)"
    return f"{account}/{region}"


def concrete_environment(stack: cdk.Stack) -> tuple[str, str] | None:
    """The stack's (account, region) when both are known at synth time."""
    account, region = stack.account, stack.region
    if is_token(account) or is_token(region):
        return None
    return account, region


class RegistryIndex(Construct):
    """One per app (at the construct tree's root): who owns what in each registry.

    ``singletons`` maps (kind, registry) to the construct that is the registry's only one;
    ``claims`` maps (kind, registry, key) to the path of the construct that claimed the key
    (a namespace prefix, a principal) for itself; ``names`` maps (kind, registry, name) to
    the path of the construct that owns the name.
    """

    def __init__(self, scope: Construct) -> None:
        super().__init__(scope, _INDEX_ID)
        self.singletons: dict[tuple[str, str], Construct] = {}
        self.claims: dict[tuple[str, str, str], str] = {}
        self.names: dict[tuple[str, str, str], str] = {}

    @classmethod
    def of(cls, scope: IConstruct) -> RegistryIndex:
        root = scope.node.root
        found = root.node.try_find_child(_INDEX_ID)
        if isinstance(found, RegistryIndex):
            return found
        return cls(root)  # type: ignore[arg-type]

    def check_singleton(self, kind: str, stack: cdk.Stack, path: str) -> None:
        """Refuse a second ``kind`` for ``stack``'s registry, named by ``path`` (call before
        creating it)."""
        registry = registry_key(stack)
        existing = self.singletons.get((kind, registry))
        if existing is not None:
            home = cdk.Stack.of(existing)
            raise RegistryError(
                path,
                f"a registry has one {kind}; {existing.node.path} already configures registry "
                f"{registry}, and a second one would overwrite it at deploy",
                given=path,
                allowed=f"one {kind} per account and region: get it with {kind}.of(stack) "
                f"for stack {home.node.path}",
            )

    def add_singleton(self, kind: str, owner: Construct) -> None:
        self.singletons[(kind, registry_key(cdk.Stack.of(owner)))] = owner

    def singleton(self, kind: str, stack: cdk.Stack) -> Construct | None:
        """The registry's ``kind`` when it lives in ``stack``; None when there is none yet.

        Raises ``RegistryError`` naming both construct paths when another stack of the same
        account and region has it: each stack would deploy its own, the second overwriting
        the first.
        """
        found = self.singletons.get((kind, registry_key(stack)))
        if found is not None and cdk.Stack.of(found) is not stack:
            self.check_singleton(kind, stack, child_path(stack, kind))
        return found

    def check_claim(
        self,
        claimed: Claimed,
        stack: cdk.Stack,
        path: str,
        key: str,
        *,
        given: str,
        pending: int = 0,
    ) -> None:
        """Refuse ``key`` for the construct at ``path`` if another construct claimed it in
        ``stack``'s registry, or if the registry would then hold more than the limit (with
        ``pending`` more about to be claimed)."""
        registry = registry_key(stack)
        kind, (name, names) = claimed.kind, claimed.what
        existing = self.claims.get((kind, registry, key))
        if existing is not None:
            raise RegistryError(
                path,
                f"{kind} {name} {key!r} is already used by {existing} in registry {registry}",
                given=given,
                allowed=f"one {kind} per {name} and registry",
            )
        used = pending + sum(1 for k in self.claims if k[0] == kind and k[1] == registry)
        if claimed.limit is not None and used >= claimed.limit.high:
            raise RegistryError(
                path,
                f"registry {registry} already has {used} {kind} {names}",
                given=given,
                allowed=f"at most {claimed.limit.high} per registry",
            )

    def claim(self, claimed: Claimed, stack: cdk.Stack, path: str, key: str, *, given: str) -> None:
        """``check_claim``, then record that the construct at ``path`` uses ``key`` (call
        before creating the construct)."""
        self.check_claim(claimed, stack, path, key, given=given)
        self.claims[(claimed.kind, registry_key(stack), key)] = path

    def claim_prefix(
        self, kind: str, stack: cdk.Stack, path: str, prefix: str, *, limit: CountRule | None = None
    ) -> None:
        """``claim`` a namespace prefix (``team`` and ``team/`` are the same prefix)."""
        claimed = Claimed(kind, ("prefix", "prefixes"), limit)
        self.claim(claimed, stack, path, prefix_key(prefix), given=prefix)

    def claim_names(self, kind: str, stack: cdk.Stack, paths: Mapping[str, str]) -> None:
        """Record that the constructs at ``paths`` (by name) own these ``kind`` names in
        ``stack``'s registry; refuse a name another construct owns, naming both (call before
        creating the constructs). Tokens are not compared."""
        registry = registry_key(stack)
        problems = []
        for name, path in paths.items():
            if is_token(name):
                continue
            existing = self.names.setdefault((kind, registry, name), path)
            if existing != path:
                problems.append(
                    Problem(
                        path,
                        f"{kind} {name!r} is already defined by {existing} in registry {registry}",
                        given=name,
                        allowed=f"each {kind} name once per account and region",
                    )
                )
        if problems:
            raise RegistryError.from_problems(problems)


@dataclass(frozen=True)
class Claimed:
    """What constructs of ``kind`` claim for themselves in a registry (``what``, singular and
    plural: prefixes, principals), at most ``limit`` per registry."""

    kind: str
    what: tuple[str, str]
    limit: CountRule | None = None


class RegistrySingleton(Construct):
    """A construct that a registry (an account and region) has at most one of: get it, or
    create it on first use, with ``of``; a second one for the same registry is refused."""

    KIND: ClassVar[str]
    """The construct's name in errors, and the ID ``of`` creates it with in the stack."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        stack = cdk.Stack.of(scope)
        index = RegistryIndex.of(scope)
        index.check_singleton(self.KIND, stack, child_path(scope, construct_id))
        super().__init__(scope, construct_id)
        index.add_singleton(self.KIND, self)
        self._stack = stack

    @classmethod
    def _existing(cls, scope: IConstruct) -> Self | None:
        """The one of ``scope``'s registry, if it was created in ``scope``'s stack; refused
        (``RegistryError`` naming both paths) when another stack has it."""
        stack = cdk.Stack.of(scope)
        found = RegistryIndex.of(stack).singleton(cls.KIND, stack)
        return found if isinstance(found, cls) else None

    @classmethod
    def of(cls, scope: IConstruct) -> Self:
        """The one of ``scope``'s registry, created on first use (with the ID ``KIND``,
        directly under ``scope``'s stack).

        A registry's singleton lives in one stack: calling ``of`` from another stack of the
        same account and region raises ``RegistryError`` naming both paths.
        """
        return cls._existing(scope) or cls(cdk.Stack.of(scope), cls.KIND)


def child_path(scope: IConstruct, construct_id: str) -> str:
    """The path a construct will have, before it is created (to name it in errors)."""
    path = scope.node.path
    return f"{path}/{construct_id}" if path else construct_id


def repository_arn_pattern(
    stack: cdk.Stack, prefix: str, *, account: str | None = None, region: str | None = None
) -> str:
    """The ARN of every repository under ``prefix`` (``ROOT``: every repository) in the
    registry of ``account`` and ``region`` (default: the stack's)."""
    names = "*" if prefix == ROOT else f"{prefix_key(prefix)}/*"
    account = account or stack.account
    region = region or stack.region
    return f"arn:{stack.partition}:ecr:{region}:{account}:repository/{names}"


def _flatten(value: Any) -> str:
    """A resolved CloudFormation value as cdk-nag writes it in a finding."""
    if isinstance(value, str):
        return value.replace("${", "<").replace("}", ">")
    if isinstance(value, dict):
        if "Fn::Join" in value:
            delimiter, items = value["Fn::Join"]
            return str(delimiter).join(_flatten(item) for item in items)
        if "Ref" in value:
            return f"<{_flatten(value['Ref'])}>"
        if "Fn::GetAtt" in value:
            resource, attribute = value["Fn::GetAtt"]
            return f"<{_flatten(resource)}.{_flatten(attribute)}>"
    return json.dumps(value, separators=(",", ":"))


def acknowledge_wildcard_resources(
    scope: IConstruct, resources: Iterable[str], reason: str
) -> None:
    """Acknowledge cdk-nag AwsSolutions-IAM5 for exactly these wildcard resources on ``scope``.

    cdk-nag reports one finding per wildcard resource; acknowledging each by its exact id
    keeps any other wildcard that someone adds later visible.
    """
    stack = cdk.Stack.of(scope)
    validations = cdk.Validations.of(scope)
    for resource in resources:
        finding = _flatten(stack.resolve(resource))
        validations.acknowledge(
            cdk.Acknowledgment(id=f"AwsSolutions-IAM5[Resource::{finding}]", reason=reason)
        )


@jsii.implements(cdk.IStableAnyProducer)
class _Producer:
    def __init__(self, produce: Callable[[], Any]) -> None:
        self._produce = produce

    def produce(self) -> Any:
        return self._produce()


def lazy(produce: Callable[[], Any]) -> cdk.IResolvable:
    """A value computed once, when the stack is synthesized (after every rule was added)."""
    return cdk.Lazy.any(_Producer(produce))
