"""The ECR compliance rules and the pack that groups them (pure Python, no CDK).

Each rule is a small function over one ``AWS::ECR::Repository`` resource of a synthesized
CloudFormation template (``{"Type", "Properties", "DeletionPolicy", ...}``). It returns what
is wrong, or ``None`` when the resource complies. Rules read the template, not the construct
tree, so they see every repository whatever created it (this library, ``aws_ecr.Repository``,
``CfnRepository``, another library, escape-hatch overrides). A value that CloudFormation
computes at deploy time (``Ref``, ``Fn::If``...) can't be verified and is reported as such.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from ...errors import ComplianceError
from ...json_input import JsonInputError, parse_json
from .principals import is_intrinsic, openings, shown

REPOSITORY_TYPE = "AWS::ECR::Repository"
PLUGIN_NAME = "EcrCompliance"
"""The validation plugin's name: CDK acknowledgement IDs are ``EcrCompliance::<rule ID>``."""

Resource = Mapping[str, Any]
RuleCheck = Callable[[Resource], str | None]

_MISSING: Any = object()
_KMS_TYPES = ("KMS", "KMS_DSSE")
_RETAINED = ("Retain", "RetainExceptOnCreate")


@dataclasses.dataclass(frozen=True)
class EcrRule:
    """One rule: a stable ID, what it requires, where in the resource, how to fix it."""

    rule_id: str
    requirement: str
    location: str
    fix: str
    check: RuleCheck
    security_hub: str | None = None
    checkov: str | None = None


@dataclasses.dataclass(frozen=True)
class Finding:
    """One repository breaking one rule.

    ``construct_path`` is the CDK construct path (``Stack/MyRepo/Resource``); for a template
    checked on its own it comes from the ``aws:cdk:path`` metadata, or is the logical ID
    when the template has none.
    """

    rule_id: str
    construct_path: str
    logical_id: str
    message: str

    def __str__(self) -> str:
        return f"{self.construct_path}: [{self.rule_id}] {self.message}"


def _unverifiable(field: str, value: Any) -> str:
    return f"{field} is computed at deploy time ({shown(value)}), so it can't be verified at synth"


def _property(resource: Resource, *path: str) -> Any:
    """The value at ``Properties.<path>``; an intrinsic met on the way; or ``_MISSING``."""
    value: Any = resource.get("Properties", _MISSING)
    for key in path:
        if is_intrinsic(value):
            return value
        if not isinstance(value, Mapping) or key not in value:
            return _MISSING
        value = value[key]
    return value


def _is_true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _check_property(
    resource: Resource,
    path: tuple[str, ...],
    *,
    unset: str,
    accepts: Callable[[Any], bool],
    refused: Callable[[str, Any], str],
) -> str | None:
    """A rule on the value at ``Properties.<path>``: what is wrong when it is ``unset``,
    computed at deploy time, or not what the rule ``accepts``."""
    field = ".".join(path)
    value = _property(resource, *path)
    if value is _MISSING:
        return f"{field} {unset}"
    if is_intrinsic(value):
        return _unverifiable(field, value)
    return None if accepts(value) else refused(field, value)


def scan_on_push(resource: Resource) -> str | None:
    """``ImageScanningConfiguration.ScanOnPush`` is true."""
    return _check_property(
        resource,
        ("ImageScanningConfiguration", "ScanOnPush"),
        unset="is not set, so images are not scanned on push",
        accepts=_is_true,
        refused=lambda field, value: f"{field} is {value!r}, so images are not scanned on push",
    )


class AcceptedTagMutability(enum.StrEnum):
    """What ECR-IMMUTABLE accepts in ``ImageTagMutability``."""

    IMMUTABLE = "IMMUTABLE"
    """Only IMMUTABLE, as Security Hub ECR.2 and checkov CKV_AWS_51 require."""
    IMMUTABLE_WITH_EXCLUSION = "IMMUTABLE_WITH_EXCLUSION"
    """IMMUTABLE, or IMMUTABLE_WITH_EXCLUSION (its excluded tags can move)."""


def tag_immutability(resource: Resource) -> str | None:
    """``ImageTagMutability`` is IMMUTABLE."""
    return _tag_mutability(resource, ("IMMUTABLE",))


def tag_immutability_with_exclusion(resource: Resource) -> str | None:
    """``ImageTagMutability`` is IMMUTABLE or IMMUTABLE_WITH_EXCLUSION."""
    return _tag_mutability(resource, ("IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION"))


def _tag_mutability(resource: Resource, accepted: tuple[str, ...]) -> str | None:
    def refused(field: str, value: Any) -> str:
        if value == "IMMUTABLE_WITH_EXCLUSION":
            return (
                f"{field} is IMMUTABLE_WITH_EXCLUSION, so the excluded tags can move; accept it "
                "with EcrStandardChecks(accepted_tag_mutability=IMMUTABLE_WITH_EXCLUSION)"
            )
        return f"{field} is {value!r}, so a push can move tags to another image"

    return _check_property(
        resource,
        ("ImageTagMutability",),
        unset="is not set (MUTABLE), so a push can move any tag to another image",
        accepts=lambda value: value in accepted,
        refused=refused,
    )


_TAG_MUTABILITY_CHECKS: Mapping[AcceptedTagMutability, RuleCheck] = {
    AcceptedTagMutability.IMMUTABLE: tag_immutability,
    AcceptedTagMutability.IMMUTABLE_WITH_EXCLUSION: tag_immutability_with_exclusion,
}
_NEW_REPOSITORY = (
    "; moving it to KMS means a new repository: CloudFormation replaces a repository whose "
    "encryption changes"
)


def kms_encryption(resource: Resource) -> str | None:
    """``EncryptionConfiguration.EncryptionType`` is KMS (or KMS_DSSE)."""
    return _check_property(
        resource,
        ("EncryptionConfiguration", "EncryptionType"),
        unset="is not set, so images are encrypted with AES256, not AWS KMS" + _NEW_REPOSITORY,
        accepts=lambda value: value in _KMS_TYPES,
        refused=lambda field, value: f"{field} is {value!r}, not KMS{_NEW_REPOSITORY}",
    )


def customer_managed_key(resource: Resource) -> str | None:
    """KMS encryption with a customer managed key in ``EncryptionConfiguration.KmsKey``."""
    not_kms = kms_encryption(resource)
    if not_kms is not None:
        return not_kms
    key = _property(resource, "EncryptionConfiguration", "KmsKey")
    if key is _MISSING or key == "":
        return "EncryptionConfiguration.KmsKey is not set, so the AWS managed key aws/ecr is used"
    if isinstance(key, str) and key.endswith("alias/aws/ecr"):
        return f"EncryptionConfiguration.KmsKey is the AWS managed key ({key})"
    return None


def lifecycle_policy(resource: Resource) -> str | None:
    """``LifecyclePolicy.LifecyclePolicyText`` is set."""
    text = _property(resource, "LifecyclePolicy", "LifecyclePolicyText")
    if text is _MISSING or (isinstance(text, str) and not text.strip()):
        return (
            "LifecyclePolicy.LifecyclePolicyText is not set, so no image is ever expired "
            "and storage grows forever"
        )
    return None


def no_public_principal(resource: Resource) -> str | None:
    """No ``Allow`` statement for principal ``*`` (or a ``NotPrincipal``) without a Condition;
    a principal, effect, condition or statement computed at deploy time that could be ``*``
    (or could drop the condition) can't be verified at synth, and is a finding."""
    field = "RepositoryPolicyText"
    policy = _property(resource, field)
    if policy is _MISSING:
        return None
    if is_intrinsic(policy):
        return _unverifiable(field, policy)
    if isinstance(policy, str):
        try:
            policy = parse_json(policy, source=field)
        except JsonInputError:
            return f"{field} is not valid JSON, so it can't be verified"
    if not isinstance(policy, Mapping):
        return f"{field} is not a policy document, so it can't be verified"
    found = openings(policy)
    problems = []
    verified = [opening.text for opening in found if opening.verified]
    if verified:
        problems.append(f"{field} {', '.join(verified)}, so anyone can use the repository")
    problems += [
        f"{field} {opening.text}, so it can't be verified at synth"
        for opening in found
        if not opening.verified
    ]
    return "; ".join(problems) or None


def retained(resource: Resource) -> str | None:
    """``DeletionPolicy`` and ``UpdateReplacePolicy`` are Retain."""
    problems = []
    for attribute in ("DeletionPolicy", "UpdateReplacePolicy"):
        value = resource.get(attribute, _MISSING)
        if value is _MISSING:
            problems.append(f"{attribute} is not set (Delete)")
        elif is_intrinsic(value):
            problems.append(_unverifiable(attribute, value))
        elif value not in _RETAINED:
            problems.append(f"{attribute} is {value!r}")
    if not problems:
        return None
    return "; ".join(problems) + ", so the repository and its images can be deleted with it"


RULES: Mapping[str, EcrRule] = {
    rule.rule_id: rule
    for rule in (
        EcrRule(
            "ECR-SCAN",
            "images must be scanned on push",
            "Properties.ImageScanningConfiguration.ScanOnPush",
            "set image_scan_on_push=True (ImageScanningConfiguration.ScanOnPush: true)",
            scan_on_push,
            security_hub="ECR.1",
            checkov="CKV_AWS_163",
        ),
        EcrRule(
            "ECR-IMMUTABLE",
            "image tags must be immutable",
            "Properties.ImageTagMutability",
            "set image_tag_mutability=TagMutability.IMMUTABLE (ImageTagMutability: IMMUTABLE)",
            tag_immutability,
            security_hub="ECR.2",
            checkov="CKV_AWS_51",
        ),
        EcrRule(
            "ECR-KMS",
            "the repository must be encrypted with AWS KMS",
            "Properties.EncryptionConfiguration.EncryptionType",
            "set encryption=RepositoryEncryption.KMS (EncryptionType: KMS); "
            "encryption can only be set when the repository is created",
            kms_encryption,
            checkov="CKV_AWS_136",
        ),
        EcrRule(
            "ECR-CMK",
            "the repository must be encrypted with a customer managed KMS key",
            "Properties.EncryptionConfiguration.KmsKey",
            "set encryption_key to your KMS key (EncryptionType: KMS, KmsKey: the key ARN); "
            "encryption can only be set when the repository is created",
            customer_managed_key,
            security_hub="ECR.5",
        ),
        EcrRule(
            "ECR-LIFECYCLE",
            "the repository must have a lifecycle policy",
            "Properties.LifecyclePolicy.LifecyclePolicyText",
            "add lifecycle rules (LifecyclePolicy.LifecyclePolicyText)",
            lifecycle_policy,
            security_hub="ECR.3",
        ),
        EcrRule(
            "ECR-PUBLIC-PRINCIPAL",
            "the repository policy must not allow principal * without a Condition",
            "Properties.RepositoryPolicyText",
            "name the principals, or add a Condition such as aws:PrincipalOrgID",
            no_public_principal,
            checkov="CKV_AWS_32",
        ),
        EcrRule(
            "ECR-RETAIN",
            "the repository must be retained when its stack deletes or replaces it",
            "DeletionPolicy",
            "set removal_policy=RemovalPolicy.RETAIN (DeletionPolicy and "
            "UpdateReplacePolicy: Retain)",
            retained,
        ),
    )
}
"""Every rule, by ID."""

DEFAULT_RULE_IDS: tuple[str, ...] = (
    "ECR-SCAN",
    "ECR-IMMUTABLE",
    "ECR-KMS",
    "ECR-LIFECYCLE",
    "ECR-PUBLIC-PRINCIPAL",
    "ECR-RETAIN",
)
"""The rules a pack runs unless told otherwise: every rule except the stricter ECR-CMK."""


def _known_rule_ids(given: Iterable[str], where: str) -> list[str]:
    if isinstance(given, str):
        raise ComplianceError(
            where,
            "expected a list of rule IDs",
            given=given,
            allowed=f"a list of {', '.join(RULES)}",
        )
    given = list(given)
    unknown = [rule_id for rule_id in given if rule_id not in RULES]
    if unknown:
        raise ComplianceError(
            where,
            "unknown compliance rule" + ("s" if len(unknown) > 1 else ""),
            given=unknown if len(unknown) > 1 else unknown[0],
            allowed=", ".join(RULES),
        )
    return given


class EcrStandardChecks:
    """A pack of ECR compliance rules: which rules run, with which parameters.

    :param rules: rule IDs to run, from ``RULES``. Default: every rule except ECR-CMK
        (``DEFAULT_RULE_IDS``).
    :param exclude: rule IDs to leave out of ``rules``, e.g. ``["ECR-SCAN"]`` when scanning
        is configured at registry level. Default: none.
    :param accepted_tag_mutability: what ECR-IMMUTABLE accepts; ``IMMUTABLE_WITH_EXCLUSION``
        accepts that mode too. Default: ``AcceptedTagMutability.IMMUTABLE``, only IMMUTABLE
        passes.
    """

    def __init__(
        self,
        *,
        rules: Sequence[str] | None = None,
        exclude: Sequence[str] = (),
        accepted_tag_mutability: AcceptedTagMutability = AcceptedTagMutability.IMMUTABLE,
    ) -> None:
        selected = _known_rule_ids(
            DEFAULT_RULE_IDS if rules is None else rules, "EcrStandardChecks.rules"
        )
        excluded = set(_known_rule_ids(exclude, "EcrStandardChecks.exclude"))
        chosen = [rule_id for rule_id in dict.fromkeys(selected) if rule_id not in excluded]
        if not chosen:
            raise ComplianceError(
                "EcrStandardChecks.rules",
                "a pack needs at least one rule",
                given={"rules": list(selected), "exclude": sorted(excluded)},
                allowed=", ".join(RULES),
            )
        try:
            immutability = _TAG_MUTABILITY_CHECKS[AcceptedTagMutability(accepted_tag_mutability)]
        except ValueError:
            raise ComplianceError(
                "EcrStandardChecks.accepted_tag_mutability",
                "not an accepted tag mutability",
                given=accepted_tag_mutability,
                allowed=", ".join(AcceptedTagMutability),
            ) from None
        self.rules: tuple[EcrRule, ...] = tuple(
            dataclasses.replace(RULES[rule_id], check=immutability)
            if rule_id == "ECR-IMMUTABLE"
            else RULES[rule_id]
            for rule_id in chosen
        )

    @property
    def rule_ids(self) -> list[str]:
        """The IDs of the rules this pack runs, in order."""
        return [rule.rule_id for rule in self.rules]

    def check_resource(
        self, resource: Resource, *, logical_id: str, construct_path: str
    ) -> list[Finding]:
        """Every rule this resource breaks ([] for a resource that isn't an ECR repository)."""
        if resource.get("Type") != REPOSITORY_TYPE:
            return []
        findings = []
        for rule in self.rules:
            problem = rule.check(resource)
            if problem is not None:
                findings.append(
                    Finding(rule.rule_id, construct_path, logical_id, _message(rule, problem))
                )
        return findings


def _message(rule: EcrRule, problem: str) -> str:
    control = f" (Security Hub {rule.security_hub})" if rule.security_hub else ""
    return f"{rule.requirement}{control}: {problem}"


def template_findings(
    template: Mapping[str, Any],
    checks: EcrStandardChecks,
    construct_paths: Mapping[str, str] | None = None,
) -> list[Finding]:
    """Findings for every repository in ``template``.

    A resource's construct path is taken from ``construct_paths`` (logical ID to path), else
    from its ``aws:cdk:path`` metadata, else it is the logical ID.
    """
    findings: list[Finding] = []
    resources = template.get("Resources")
    if not isinstance(resources, Mapping):
        return findings
    for logical_id, resource in resources.items():
        if not isinstance(resource, Mapping):
            continue
        metadata = resource.get("Metadata")
        path = (construct_paths or {}).get(logical_id) or (
            metadata.get("aws:cdk:path") if isinstance(metadata, Mapping) else None
        )
        findings.extend(
            checks.check_resource(
                resource, logical_id=logical_id, construct_path=path or logical_id
            )
        )
    return findings


def check_template(
    template: Mapping[str, Any], *, checks: EcrStandardChecks | None = None
) -> list[Finding]:
    """Check a CloudFormation template (a dict) against the pack.

    :param checks: the rules to run. Default: ``EcrStandardChecks()``.
    :returns: one ``Finding`` per broken rule per repository; [] when all comply.
        Acknowledgements live on constructs, so this function sees none: use
        ``check_app``, ``check_stack`` or ``check_assembly`` for them.
    """
    return template_findings(template, checks or EcrStandardChecks())


def acknowledgement_id(rule_id: str) -> str:
    """The CDK acknowledgement ID of a rule: ``EcrCompliance::<rule ID>``."""
    return f"{PLUGIN_NAME}::{rule_id}"
