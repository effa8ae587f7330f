"""The compliance check: rule pairs on template dicts, then one app checked two ways."""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_kms as kms
from constructs import Construct
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

from ecr_constructs.errors import ComplianceError, EcrConstructsError
from ecr_constructs.standards import (
    DEFAULT_RULE_IDS,
    PLUGIN_NAME,
    RULES,
    AcceptedTagMutability,
    EcrCompliance,
    EcrCompliancePlugin,
    EcrStandardChecks,
    Finding,
    check_app,
    check_assembly,
    check_stack,
    check_template,
)
from ecr_constructs.standards.compliance.rules import (
    tag_immutability,
    tag_immutability_with_exclusion,
)
from tests.gates import ACCOUNT, REGION, assert_cfn_lint_clean, checkov_results

LIFECYCLE_TEXT = json.dumps(
    {
        "rules": [
            {
                "rulePriority": 1,
                "selection": {
                    "tagStatus": "any",
                    "countType": "imageCountMoreThan",
                    "countNumber": 10,
                },
                "action": {"type": "expire"},
            }
        ]
    }
)
ORG_PULL_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "OrgPull",
            "Effect": "Allow",
            "Principal": "*",
            "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abcdef1234"}},
        }
    ],
}
COMPLIANT_PROPERTIES: dict[str, Any] = {
    "ImageScanningConfiguration": {"ScanOnPush": True},
    "ImageTagMutability": "IMMUTABLE",
    "EncryptionConfiguration": {"EncryptionType": "KMS", "KmsKey": {"Fn::GetAtt": ["Key", "Arn"]}},
    "LifecyclePolicy": {"LifecyclePolicyText": LIFECYCLE_TEXT},
    "RepositoryPolicyText": ORG_PULL_POLICY,
}


def repository(
    properties: dict[str, Any] | None = None, *, remove: tuple[str, ...] = (), **attributes: Any
) -> dict[str, Any]:
    """A compliant repository resource, with ``properties`` replaced and ``remove`` removed."""
    resource: dict[str, Any] = {
        "Type": "AWS::ECR::Repository",
        "Properties": {**copy.deepcopy(COMPLIANT_PROPERTIES), **(properties or {})},
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        **attributes,
    }
    for name in remove:
        resource["Properties"].pop(name, None)
        resource.pop(name, None)
    return resource


def public(statement: dict[str, Any]) -> dict[str, Any]:
    return {"RepositoryPolicyText": {"Version": "2012-10-17", "Statement": [statement]}}


KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
ALLOW_ANYONE = {"Effect": "Allow", "Principal": "*", "Action": "ecr:BatchGetImage"}

PARTITION_ROOT = {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, f":iam::{ACCOUNT}:root"]]}
UNVERIFIABLE = ", so it can't be verified at synth"
# Principals, effects, conditions and statements that CloudFormation computes at deploy time:
# followed where synth can tell (a branch, literal text around a value), else a finding.
INTRINSIC_PRINCIPAL_PAIRS = (
    [
        (
            "ECR-PUBLIC-PRINCIPAL",
            repository(public({**ALLOW_ANYONE, "Principal": {"AWS": p}})),
            None,
        )
        for p in (
            PARTITION_ROOT,
            [PARTITION_ROOT, f"arn:aws:iam::{ACCOUNT}:role/ci"],
            {"Fn::Sub": "arn:${AWS::Partition}:iam::${Account}:root"},
            {"Fn::GetAtt": ["CiRole", "Arn"]},
            {"Fn::If": ["Prod", PARTITION_ROOT, {"Ref": "AWS::AccountId"}]},
            {"Fn::Join": [":", [{"Ref": "Parameter"}, "*"]]},  # ":" makes it more than "*"
        )
    ]
    + [
        (
            "ECR-PUBLIC-PRINCIPAL",
            repository(public({**ALLOW_ANYONE, "Principal": principal})),
            message,
        )
        for principal, message in (
            (
                {"AWS": {"Fn::If": ["Open", "*", PARTITION_ROOT]}},
                'Statement[0] Principal ({"AWS": {"Fn::If": ["Open", "*", ',
            ),
            ({"AWS": {"Ref": "PullPrincipal"}}, '({"AWS": {"Ref": "PullPrincipal"}}) is computed'),
            ({"Fn::Join": ["", [{"Ref": "Star"}]]}, 'Statement[0] Principal ({"Fn::Join"'),
            ({"Fn::Sub": "${Who}"}, 'Principal ({"Fn::Sub": "${Who}"}) is computed at deploy time'),
            ({"Fn::Join": ["", ["*"]]}, "Statement[0] allows principal *, so anyone can"),
            ({"Fn::If": ["Open", "*", "*"]}, "Statement[0] allows principal *, so anyone can"),
        )
    ]
    + [
        (
            "ECR-PUBLIC-PRINCIPAL",
            repository(
                {"RepositoryPolicyText": {"Version": "2012-10-17", "Statement": statements}}
            ),
            message,
        )
        for statements, message in (
            (
                {"Fn::If": ["Prod", [], [ALLOW_ANYONE]]},
                "RepositoryPolicyText Statement is computed",
            ),
            ({"Fn::If": ["Prod", [], {"Ref": "AWS::NoValue"}]}, None),
            ({"Ref": "Statements"}, 'Statement is computed at deploy time ({"Ref": "Statements"})'),
            (
                [{"Fn::If": ["Open", ALLOW_ANYONE, {"Ref": "AWS::NoValue"}]}],
                "Statement[0] is computed",
            ),
            (
                [{"Fn::If": ["Prod", {**ALLOW_ANYONE, "Effect": "Deny"}, {"Ref": "AWS::NoValue"}]}],
                None,
            ),
            (
                [{**ALLOW_ANYONE, "Effect": {"Ref": "Effect"}}],
                'Effect ({"Ref": "Effect"}) is computed',
            ),
            (
                [
                    {
                        **ORG_PULL_POLICY["Statement"][0],
                        "Condition": {
                            "Fn::If": ["Org", {"Bool": {"aws:x": "true"}}, {"Ref": "AWS::NoValue"}]
                        },
                    }
                ],
                "Statement[0] (OrgPull) Condition",
            ),
            (
                [{**ORG_PULL_POLICY["Statement"][0], "Principal": {"Ref": "Anyone"}}],
                None,  # any principal with a Condition passes, as principal * does
            ),
            (
                [
                    {
                        **ALLOW_ANYONE,
                        "Principal": {"Ref": "Who"},
                        "Condition": {"StringEquals": {"Fn::If": ["C", {}, {}]}},
                    }
                ],
                'Statement[0] Principal ({"Ref": "Who"}) and Condition',
            ),
        )
    ]
)

# (rule, resource, expected message fragment; None when the resource complies)
PAIRS = [
    ("ECR-SCAN", repository(), None),
    ("ECR-SCAN", repository({"ImageScanningConfiguration": {"ScanOnPush": "true"}}), None),
    ("ECR-SCAN", repository(remove=("ImageScanningConfiguration",)), "ScanOnPush is not set"),
    ("ECR-SCAN", repository({"ImageScanningConfiguration": {"ScanOnPush": False}}), "is False"),
    ("ECR-SCAN", repository({"ImageScanningConfiguration": {"ScanOnPush": "false"}}), "'false'"),
    (
        "ECR-SCAN",
        repository({"ImageScanningConfiguration": {"ScanOnPush": {"Ref": "Scan"}}}),
        'computed at deploy time ({"Ref": "Scan"})',
    ),
    ("ECR-IMMUTABLE", repository(), None),
    ("ECR-IMMUTABLE", repository(remove=("ImageTagMutability",)), "is not set (MUTABLE)"),
    ("ECR-IMMUTABLE", repository({"ImageTagMutability": "MUTABLE"}), "is 'MUTABLE'"),
    (
        "ECR-IMMUTABLE",
        repository({"ImageTagMutability": "IMMUTABLE_WITH_EXCLUSION"}),
        "accepted_tag_mutability=IMMUTABLE_WITH_EXCLUSION",
    ),
    ("ECR-KMS", repository(), None),
    ("ECR-KMS", repository({"EncryptionConfiguration": {"EncryptionType": "KMS"}}), None),
    ("ECR-KMS", repository({"EncryptionConfiguration": {"EncryptionType": "KMS_DSSE"}}), None),
    ("ECR-KMS", repository(remove=("EncryptionConfiguration",)), "encrypted with AES256"),
    ("ECR-KMS", repository({"EncryptionConfiguration": {"EncryptionType": "AES256"}}), "'AES256'"),
    ("ECR-CMK", repository(), None),
    (
        "ECR-CMK",
        repository(
            {
                "EncryptionConfiguration": {
                    "EncryptionType": "KMS",
                    "KmsKey": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{KEY_ID}",
                }
            }
        ),
        None,
    ),
    ("ECR-CMK", repository(remove=("EncryptionConfiguration",)), "encrypted with AES256"),
    (
        "ECR-CMK",
        repository({"EncryptionConfiguration": {"EncryptionType": "KMS"}}),
        "KmsKey is not set, so the AWS managed key aws/ecr is used",
    ),
    (
        "ECR-CMK",
        repository(
            {
                "EncryptionConfiguration": {
                    "EncryptionType": "KMS",
                    "KmsKey": f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/aws/ecr",
                }
            }
        ),
        "is the AWS managed key",
    ),
    ("ECR-LIFECYCLE", repository(), None),
    (
        "ECR-LIFECYCLE",
        repository({"LifecyclePolicy": {"LifecyclePolicyText": {"Fn::Sub": LIFECYCLE_TEXT}}}),
        None,
    ),
    ("ECR-LIFECYCLE", repository(remove=("LifecyclePolicy",)), "LifecyclePolicyText is not set"),
    (
        "ECR-LIFECYCLE",
        repository({"LifecyclePolicy": {"RegistryId": ACCOUNT}}),
        "LifecyclePolicyText is not set",
    ),
    (
        "ECR-LIFECYCLE",
        repository({"LifecyclePolicy": {"LifecyclePolicyText": "  "}}),
        "LifecyclePolicyText is not set",
    ),
    ("ECR-PUBLIC-PRINCIPAL", repository(), None),
    ("ECR-PUBLIC-PRINCIPAL", repository(remove=("RepositoryPolicyText",)), None),
    ("ECR-PUBLIC-PRINCIPAL", repository(public({**ALLOW_ANYONE, "Effect": "Deny"})), None),
    (
        "ECR-PUBLIC-PRINCIPAL",
        repository(public({**ALLOW_ANYONE, "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}})),
        None,
    ),
    ("ECR-PUBLIC-PRINCIPAL", repository(public(ALLOW_ANYONE)), "Statement[0] allows principal *"),
    (
        "ECR-PUBLIC-PRINCIPAL",
        repository(public({**ALLOW_ANYONE, "Sid": "Open", "Principal": {"AWS": "*"}})),
        "Statement[0] (Open) allows principal *",
    ),
    (
        "ECR-PUBLIC-PRINCIPAL",
        repository(public({**ALLOW_ANYONE, "Principal": {"AWS": [f"{ACCOUNT}", "*"]}})),
        "Statement[0] allows principal *, so anyone can use the repository",
    ),
    (
        "ECR-PUBLIC-PRINCIPAL",
        repository(
            {
                "RepositoryPolicyText": json.dumps(
                    {"Statement": {**ALLOW_ANYONE, "Principal": {"AWS": "*"}}}
                )
            }
        ),
        "Statement[0] allows principal *",
    ),
    (
        "ECR-PUBLIC-PRINCIPAL",
        repository(
            public(
                {
                    "Effect": "Allow",
                    "NotPrincipal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                    "Action": "ecr:*",
                }
            )
        ),
        "RepositoryPolicyText Statement[0] allows every NotPrincipal",
    ),
    (
        "ECR-PUBLIC-PRINCIPAL",
        repository(
            {
                "RepositoryPolicyText": {
                    "Statement": [ORG_PULL_POLICY["Statement"][0], {**ALLOW_ANYONE, "Sid": "Oops"}]
                }
            }
        ),
        "RepositoryPolicyText Statement[1] (Oops) allows principal *,",
    ),
    (
        "ECR-PUBLIC-PRINCIPAL",
        repository({"RepositoryPolicyText": "{not json"}),
        "not valid JSON, so it can't be verified",
    ),
    (
        "ECR-PUBLIC-PRINCIPAL",
        repository({"RepositoryPolicyText": "[" * 5000 + "]" * 5000}),
        "not valid JSON, so it can't be verified",
    ),
    *INTRINSIC_PRINCIPAL_PAIRS,
    (
        "ECR-PUBLIC-PRINCIPAL",
        repository({"RepositoryPolicyText": {"Fn::Sub": "${Policy}"}}),
        "computed at deploy time",
    ),
    ("ECR-RETAIN", repository(), None),
    (
        "ECR-RETAIN",
        repository(DeletionPolicy="RetainExceptOnCreate", UpdateReplacePolicy="Retain"),
        None,
    ),
    (
        "ECR-RETAIN",
        repository(remove=("DeletionPolicy", "UpdateReplacePolicy")),
        "DeletionPolicy is not set (Delete); UpdateReplacePolicy is not set (Delete)",
    ),
    (
        "ECR-RETAIN",
        repository(DeletionPolicy="Retain", UpdateReplacePolicy="Delete"),
        "UpdateReplacePolicy is 'Delete'",
    ),
]


@pytest.mark.parametrize(("rule_id", "resource", "fragment"), PAIRS)
def test_rule_pairs(rule_id: str, resource: dict[str, Any], fragment: str | None) -> None:
    findings = check_template(
        {"Resources": {"Repo": resource}}, checks=EcrStandardChecks(rules=[rule_id])
    )
    if fragment is None:
        assert findings == []
    else:
        assert [(f.rule_id, f.logical_id) for f in findings] == [(rule_id, "Repo")]
        assert fragment in findings[0].message
        assert findings[0].message.startswith(RULES[rule_id].requirement)


def test_every_rule_has_a_compliant_and_a_non_compliant_case() -> None:
    complies = {(rule_id, fragment is None) for rule_id, _, fragment in PAIRS}
    assert complies == {(rule_id, ok) for rule_id in RULES for ok in (True, False)}


def test_compliant_repository_passes_every_rule() -> None:
    checks = EcrStandardChecks(rules=list(RULES))
    assert check_template({"Resources": {"Repo": repository()}}, checks=checks) == []


def test_immutable_with_exclusion_is_an_accepted_tag_mutability() -> None:
    template = {
        "Resources": {"Repo": repository({"ImageTagMutability": "IMMUTABLE_WITH_EXCLUSION"})}
    }
    lenient = EcrStandardChecks(
        rules=["ECR-IMMUTABLE"],
        accepted_tag_mutability=AcceptedTagMutability.IMMUTABLE_WITH_EXCLUSION,
    )
    assert check_template(template, checks=lenient) == []
    strict = EcrStandardChecks(rules=["ECR-IMMUTABLE"])
    assert [f.rule_id for f in check_template(template, checks=strict)] == ["ECR-IMMUTABLE"]
    template["Resources"]["Repo"]["Properties"]["ImageTagMutability"] = "MUTABLE_WITH_EXCLUSION"
    assert [f.rule_id for f in check_template(template, checks=lenient)] == ["ECR-IMMUTABLE"]
    resource = repository({"ImageTagMutability": "IMMUTABLE_WITH_EXCLUSION"})
    assert tag_immutability_with_exclusion(resource) is None
    assert "so the excluded tags can move" in str(tag_immutability(resource))
    with pytest.raises(ComplianceError) as caught:
        EcrStandardChecks(accepted_tag_mutability="MUTABLE")  # type: ignore[arg-type]
    assert str(caught.value) == (
        "EcrStandardChecks.accepted_tag_mutability: not an accepted tag mutability "
        "(given 'MUTABLE'; allowed: IMMUTABLE, IMMUTABLE_WITH_EXCLUSION)"
    )


def test_template_paths_come_from_cdk_metadata_else_the_logical_id() -> None:
    bare = repository(remove=("ImageScanningConfiguration",))
    template = {
        "Resources": {
            "WithPath": {**bare, "Metadata": {"aws:cdk:path": "App/Stack/Repo/Resource"}},
            "WithoutPath": bare,
            "Bucket": {"Type": "AWS::S3::Bucket"},
        }
    }
    findings = check_template(template, checks=EcrStandardChecks(rules=["ECR-SCAN"]))
    assert findings == [
        Finding("ECR-SCAN", "App/Stack/Repo/Resource", "WithPath", findings[0].message),
        Finding("ECR-SCAN", "WithoutPath", "WithoutPath", findings[0].message),
    ]
    assert str(findings[0]).startswith("App/Stack/Repo/Resource: [ECR-SCAN] images must be")
    assert check_template({}) == []


def test_default_pack_is_every_rule_but_the_customer_managed_key() -> None:
    assert EcrStandardChecks().rule_ids == list(DEFAULT_RULE_IDS)
    assert set(RULES) - set(DEFAULT_RULE_IDS) == {"ECR-CMK"}
    pack = EcrStandardChecks(rules=["ECR-CMK", "ECR-SCAN", "ECR-CMK"], exclude=["ECR-SCAN"])
    assert pack.rule_ids == ["ECR-CMK"]


def test_rule_table_is_stable(snapshot: SnapshotAssertion) -> None:
    table = [
        {
            "id": rule.rule_id,
            "requirement": rule.requirement,
            "location": rule.location,
            "securityHub": rule.security_hub,
            "checkov": rule.checkov,
        }
        for rule in RULES.values()
    ]
    assert table == snapshot.use_extension(JSONSnapshotExtension)


ALL = ", ".join(RULES)


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (
            {"rules": ["ECR-SCAN", "ECR-TAGS"]},
            f"EcrStandardChecks.rules: unknown compliance rule (given 'ECR-TAGS'; allowed: {ALL})",
        ),
        (
            {"rules": ["scan", "ECR-TAGS"]},
            "EcrStandardChecks.rules: unknown compliance rules (given ['scan', 'ECR-TAGS']",
        ),
        (
            {"exclude": ["ECR-NOPE"]},
            "EcrStandardChecks.exclude: unknown compliance rule (given 'ECR-NOPE'; "
            f"allowed: {ALL})",
        ),
        (
            {"rules": ["ECR-SCAN"], "exclude": ["ECR-SCAN"]},
            "EcrStandardChecks.rules: a pack needs at least one rule (given "
            "{'rules': ['ECR-SCAN'], 'exclude': ['ECR-SCAN']}; allowed: ",
        ),
        ({"rules": []}, "a pack needs at least one rule (given {'rules': [], 'exclude': []}"),
        (
            {"exclude": "ECR-SCAN"},
            "EcrStandardChecks.exclude: expected a list of rule IDs (given 'ECR-SCAN'; allowed: "
            f"a list of {ALL})",
        ),
    ],
)
def test_pack_rejects_bad_rules(arguments: dict[str, Any], expected: str) -> None:
    with pytest.raises(ComplianceError) as caught:
        EcrStandardChecks(**arguments)
    assert expected in str(caught.value)
    assert isinstance(caught.value, EcrConstructsError)


@pytest.mark.parametrize(
    ("rule_id", "reason", "expected"),
    [
        (
            "ECR-TAGS",
            "because",
            f"S/Repo: unknown compliance rule to acknowledge (given 'ECR-TAGS'; allowed: {ALL})",
        ),
        (
            "ECR-SCAN",
            "",
            "S/Repo: acknowledging ECR-SCAN needs a reason (given ''; allowed: a non-empty "
            "explanation",
        ),
        ("ECR-SCAN", "   ", "S/Repo: acknowledging ECR-SCAN needs a reason (given '   '"),
    ],
)
def test_acknowledge_rejects_bad_input(rule_id: str, reason: str, expected: str) -> None:
    app = cdk.App()
    construct = Construct(cdk.Stack(app, "S"), "Repo")
    with pytest.raises(ComplianceError) as caught:
        EcrCompliance.acknowledge(construct, rule_id, reason)
    assert expected in str(caught.value)
    assert construct.node.metadata == []


# One app, built twice: checked with check_app, and synthesized with the plugin.

ENV = cdk.Environment(account=ACCOUNT, region=REGION)
PLAIN = "Plain/Plain/Resource"
ACKED = "Others/Acked/Resource"
GENERIC = "Others/FromAnotherLibrary"
NESTED = "Others/Nested/Inner"
STAGED = "Prod/Stack/Repo/Resource"


def build_app(app: cdk.App) -> None:
    plain = cdk.Stack(app, "Plain", env=ENV)
    ecr.Repository(plain, "Plain")

    compliant = cdk.Stack(app, "Compliant", env=ENV)
    key = kms.Key(compliant, "Key", enable_key_rotation=True)
    good = ecr.CfnRepository(
        compliant,
        "Good",
        image_scanning_configuration={"scanOnPush": True},
        image_tag_mutability="IMMUTABLE",
        encryption_configuration={"encryptionType": "KMS", "kmsKey": key.key_arn},
        lifecycle_policy={"lifecyclePolicyText": LIFECYCLE_TEXT},
        repository_policy_text=ORG_PULL_POLICY,
    )
    good.apply_removal_policy(cdk.RemovalPolicy.RETAIN)

    others = cdk.Stack(app, "Others", env=ENV)
    acked = ecr.Repository(others, "Acked")
    EcrCompliance.acknowledge(acked, "ECR-SCAN", "scanned by the registry's ENHANCED scanning")
    generic = cdk.CfnResource(
        others,
        "FromAnotherLibrary",
        type="AWS::ECR::Repository",
        properties={
            "ImageTagMutability": "IMMUTABLE",
            "EncryptionConfiguration": {"EncryptionType": "KMS"},
            "LifecyclePolicy": {"LifecyclePolicyText": LIFECYCLE_TEXT},
            "RepositoryPolicyText": public(ALLOW_ANYONE)["RepositoryPolicyText"],
        },
    )
    generic.add_property_override("ImageScanningConfiguration.ScanOnPush", True)
    generic.apply_removal_policy(cdk.RemovalPolicy.RETAIN)
    ecr.CfnRepository(
        cdk.NestedStack(others, "Nested"),
        "Inner",
        image_scanning_configuration={"scanOnPush": True},
        image_tag_mutability="MUTABLE",
        encryption_configuration={"encryptionType": "KMS"},
        lifecycle_policy={"lifecyclePolicyText": LIFECYCLE_TEXT},
    )

    stage = cdk.Stage(app, "Prod")
    cdk.Validations.of(stage).acknowledge(
        cdk.Acknowledgment(id=f"{PLUGIN_NAME}::ECR-KMS", reason="AES256 accepted in Prod")
    )
    ecr.Repository(
        cdk.Stack(stage, "Stack", env=ENV),
        "Repo",
        image_scan_on_push=True,
        image_tag_mutability=ecr.TagMutability.IMMUTABLE,
        lifecycle_rules=[ecr.LifecycleRule(max_image_count=10)],
    )


BROKEN = {(rule, PLAIN) for rule in ("ECR-SCAN", "ECR-IMMUTABLE", "ECR-KMS", "ECR-LIFECYCLE")} | {
    ("ECR-IMMUTABLE", ACKED),
    ("ECR-KMS", ACKED),
    ("ECR-LIFECYCLE", ACKED),
    ("ECR-PUBLIC-PRINCIPAL", GENERIC),
    ("ECR-RETAIN", NESTED),
    ("ECR-IMMUTABLE", NESTED),
}
ACKNOWLEDGED = {("ECR-SCAN", ACKED), ("ECR-KMS", STAGED)}


@pytest.fixture(scope="module")
def app() -> cdk.App:
    built = cdk.App()
    build_app(built)
    return built


@pytest.fixture(scope="module")
def findings(app: cdk.App) -> list[Finding]:
    return check_app(app)


@pytest.fixture(scope="module")
def plugin_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, Any]]:
    outdir = tmp_path_factory.mktemp("cdk.out")
    plugged = cdk.App(outdir=str(outdir))
    build_app(plugged)
    cdk.Validations.of(plugged).add_plugins(EcrCompliancePlugin())
    with pytest.raises(RuntimeError, match="ValidationFailed") as caught:
        plugged.synth()
    report = json.loads((outdir / "validation-report.json").read_text())
    return str(caught.value), report


def test_synthesized_templates_are_cfn_lint_clean(app: cdk.App) -> None:
    directory = Path(app.synth().directory)
    templates = sorted(directory.rglob("*.template.json"))
    assert len(templates) == 5  # Plain, Compliant, Others and its nested stack, Prod/Stack
    for template in templates:
        assert_cfn_lint_clean(json.loads(template.read_text()))


def test_checkov_agrees_the_compliant_repository_complies(app: cdk.App) -> None:
    compliant = app.node.find_child("Compliant")
    assert isinstance(compliant, cdk.Stack)
    template = json.loads(Path(app.synth().directory, compliant.template_file).read_text())
    results = checkov_results(template)
    ecr_checks = {"CKV_AWS_32", "CKV_AWS_51", "CKV_AWS_136", "CKV_AWS_163"}
    assert ecr_checks <= results["passed"]
    assert not ecr_checks & results["failed"]


def test_check_app_flags_every_broken_rule_with_its_construct_path(
    findings: list[Finding], snapshot: SnapshotAssertion
) -> None:
    assert {(f.rule_id, f.construct_path) for f in findings} == BROKEN
    assert len(findings) == len(BROKEN)
    # the plain aws_ecr.Repository defaults: MUTABLE, no scan, AES256, no lifecycle policy
    plain = {f.rule_id: f for f in findings if f.construct_path == PLAIN}
    assert "ImageTagMutability is not set (MUTABLE)" in plain["ECR-IMMUTABLE"].message
    assert plain["ECR-SCAN"].logical_id.startswith("Plain")
    assert [dataclasses.asdict(f) for f in findings] == snapshot.use_extension(
        JSONSnapshotExtension
    )


def test_compliant_cfn_repository_and_overrides_pass(findings: list[Finding]) -> None:
    paths = {f.construct_path for f in findings}
    assert not any(path.startswith("Compliant/") for path in paths)
    # ScanOnPush set through an escape-hatch override is seen: the template is checked
    assert ("ECR-SCAN", GENERIC) not in {(f.rule_id, f.construct_path) for f in findings}


def test_acknowledgement_silences_one_rule_on_one_resource(findings: list[Finding]) -> None:
    pairs = {(f.rule_id, f.construct_path) for f in findings}
    assert not pairs & ACKNOWLEDGED
    assert ("ECR-SCAN", PLAIN) in pairs  # the same rule elsewhere is still flagged
    assert {rule for rule, path in pairs if path == ACKED} == {
        "ECR-IMMUTABLE",
        "ECR-KMS",
        "ECR-LIFECYCLE",
    }


def test_check_stack_limits_to_one_stack_with_its_nested_stacks(app: cdk.App) -> None:
    others = app.node.find_child("Others")
    assert isinstance(others, cdk.Stack)
    pairs = {(f.rule_id, f.construct_path) for f in check_stack(others)}
    assert pairs == {pair for pair in BROKEN if pair[1].startswith("Others/")}
    nested = others.node.find_child("Nested")
    assert isinstance(nested, cdk.NestedStack)
    assert {f.construct_path for f in check_stack(nested)} == {NESTED}
    staged = app.node.find_child("Prod").node.find_child("Stack")
    assert isinstance(staged, cdk.Stack)
    assert check_stack(staged) == []  # the Stage's acknowledgement applies


def test_check_assembly_reads_cdk_out_without_stage_acknowledgements(app: cdk.App) -> None:
    pairs = {(f.rule_id, f.construct_path) for f in check_assembly(app.synth().directory)}
    assert pairs == BROKEN | {("ECR-KMS", STAGED)}
    strict = check_assembly(app.synth().directory, checks=EcrStandardChecks(rules=["ECR-CMK"]))
    assert {f.construct_path for f in strict} == {PLAIN, ACKED, GENERIC, NESTED, STAGED}


def test_plugin_fails_synth_and_reports_the_same_findings(
    plugin_run: tuple[str, dict[str, Any]], findings: list[Finding]
) -> None:
    message, report = plugin_run
    assert f"{PLAIN} " in message and "Acknowledge with 'EcrCompliance::ECR-SCAN'" in message
    (plugin_report,) = report["pluginReports"]
    assert plugin_report["pluginName"] == PLUGIN_NAME
    assert plugin_report["conclusion"] == "failure"
    reported = {
        (violation["ruleName"], construct["constructPath"])
        for violation in plugin_report["violations"]
        for construct in violation["violatingConstructs"]
    }
    assert reported == {(f.rule_id, f.construct_path) for f in findings}
    violation = next(
        v
        for v in plugin_report["violations"]
        if v["ruleName"] == "ECR-IMMUTABLE" and "not set" in v["description"]
    )
    assert violation["description"].startswith("[ECR-IMMUTABLE] image tags must be immutable")
    assert violation["ruleMetadata"] == {"securityHubControl": "ECR.2", "checkov": "CKV_AWS_51"}
    assert violation["suggestedFix"] == RULES["ECR-IMMUTABLE"].fix
    nested = next(
        c
        for v in plugin_report["violations"]
        for c in v["violatingConstructs"]
        if c["constructPath"] == NESTED
    )
    assert nested["cloudFormationResource"]["templatePath"].endswith(".nested.template.json")
    assert nested["cloudFormationResource"]["logicalId"] == "Inner"


def test_plugin_reports_acknowledged_findings_as_suppressed_with_reason(
    plugin_run: tuple[str, dict[str, Any]],
) -> None:
    _, report = plugin_run
    suppressed = {
        (violation["ruleName"], construct["constructPath"], violation["reason"])
        for violation in report["pluginReports"][0]["suppressedViolations"]
        for construct in violation["violatingConstructs"]
    }
    assert suppressed == {
        ("ECR-SCAN", ACKED, "scanned by the registry's ENHANCED scanning"),
        ("ECR-KMS", STAGED, "AES256 accepted in Prod"),
    }


def test_plugin_describes_itself_and_checks_a_template_missing_from_the_manifest(
    tmp_path: Path,
) -> None:
    plugin = EcrCompliancePlugin(checks=EcrStandardChecks(rules=["ECR-CMK", "ECR-RETAIN"]))
    assert plugin.name == "EcrCompliance"
    assert plugin.rule_ids == ["ECR-CMK", "ECR-RETAIN"]
    (tmp_path / "manifest.json").write_text(json.dumps({"version": "55.0.0", "artifacts": {}}))
    template = tmp_path / "Loose.template.json"
    template.write_text(json.dumps({"Resources": {"Repo": repository(remove=("DeletionPolicy",))}}))
    report = plugin.validate(SimpleNamespace(template_paths=[str(template)]))
    assert not report.success
    (violation,) = report.violations
    assert violation.rule_name == "ECR-RETAIN"
    assert violation.description.startswith("[ECR-RETAIN] the repository must be retained")
    (resource,) = violation.violating_resources
    assert (resource.resource_logical_id, resource.template_path) == ("Repo", str(template))
    assert resource.locations == ["DeletionPolicy"]


def test_synth_passes_when_every_finding_is_acknowledged() -> None:
    app = cdk.App()
    repo = ecr.Repository(cdk.Stack(app, "Registry", env=ENV), "Legacy")
    EcrCompliance.acknowledge(repo, "ECR-SCAN", "scanned at registry level")
    checks = EcrStandardChecks(rules=["ECR-SCAN"])
    cdk.Validations.of(app).add_plugins(EcrCompliancePlugin(checks=checks))
    app.synth()  # raises ValidationFailed on any unacknowledged finding
    assert check_app(app, checks=checks) == []
