"""SigningConfiguration: one per registry, rules from anywhere, limits from ECR's API and
CloudFormation's schema, and the grant pushers need to sign."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_signer as signer
from constructs import Construct

from ecr_constructs import RegistryError, SigningConfiguration, SigningRule
from ecr_constructs.registry_rules import SIGNING_PLATFORM, signing_rule_problems
from tests.gates import (
    ACCOUNT,
    REGION,
    assert_cfn_lint_clean,
    cdk_nag_violations,
    new_stack,
    refusal_test,
    template_of,
)

TEAM_PROFILE = f"arn:aws:signer:{REGION}:{ACCOUNT}:/signing-profiles/team_a"
LATER_PROFILE = f"arn:aws:signer:{REGION}:{ACCOUNT}:/signing-profiles/later"


def _configurations(template: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        r["Properties"]
        for r in template.get("Resources", {}).values()
        if r["Type"] == "AWS::ECR::SigningConfiguration"
    ]


@pytest.fixture(scope="module")
def built() -> dict[str, Any]:
    stack = new_stack()
    profile = signer.SigningProfile(
        stack, "Profile", platform=signer.Platform.NOTATION_OCI_SHA384_ECDSA
    )
    signing = SigningConfiguration.of(stack)
    prod = signing.add_rule(signing_profile=profile, repository_filters=["prod*", "prod*", "api"])
    # Elsewhere in the app: every repository, signed with another team's profile, by ARN.
    team = SigningConfiguration.of(Construct(stack, "Team")).add_rule(signing_profile=TEAM_PROFILE)
    again = signing.add_rule(signing_profile=profile, repository_filters=["api", "prod*"])
    pusher = iam.Role(stack, "Pusher", assumed_by=iam.AccountRootPrincipal())
    signing.grant_sign(pusher)
    signing.add_rule(signing_profile=LATER_PROFILE, repository_filters=["late/*"])
    return {
        "stack": stack,
        "signing": signing,
        "prod": prod,
        "team": team,
        "again": again,
        "profile_id": stack.get_logical_id(profile.node.default_child),
        "template": template_of(stack),
    }


def test_one_configuration_with_every_rule(built: dict[str, Any]) -> None:
    profile_arn = {"Fn::GetAtt": [built["profile_id"], "ProfileVersionArn"]}
    (configuration,) = _configurations(built["template"])
    rules = configuration["Rules"]
    assert rules[1:] == [
        {"SigningProfileArn": TEAM_PROFILE},
        {
            "SigningProfileArn": LATER_PROFILE,
            "RepositoryFilters": [{"Filter": "late/*", "FilterType": "WILDCARD_MATCH"}],
        },
    ]
    assert rules[0]["RepositoryFilters"] == [
        {"Filter": "prod*", "FilterType": "WILDCARD_MATCH"},
        {"Filter": "api", "FilterType": "WILDCARD_MATCH"},
    ]
    # The profile's ARN without its version, as the schema requires.
    assert rules[0]["SigningProfileArn"] != profile_arn
    assert built["signing"].node.path == "Test/SigningConfiguration"
    assert built["again"] is built["prod"]
    assert built["team"] == SigningRule(signing_profile_arn=TEAM_PROFILE, repository_filters=())
    assert len(built["signing"].rules) == 3


def test_profile_construct_gives_its_unversioned_arn(built: dict[str, Any]) -> None:
    (configuration,) = _configurations(built["template"])
    arn = configuration["Rules"][0]["SigningProfileArn"]
    assert arn == {"Fn::GetAtt": [built["profile_id"], "Arn"]}


def test_grant_sign_covers_every_profile_including_later_rules(built: dict[str, Any]) -> None:
    policies = [
        r["Properties"]["PolicyDocument"]["Statement"]
        for r in built["template"]["Resources"].values()
        if r["Type"] == "AWS::IAM::Policy"
    ]
    assert policies == [
        [
            {
                "Action": "signer:SignPayload",
                "Effect": "Allow",
                "Resource": [
                    {"Fn::GetAtt": [built["profile_id"], "Arn"]},
                    TEAM_PROFILE,
                    LATER_PROFILE,
                ],
            }
        ]
    ]


def test_gates(built: dict[str, Any]) -> None:
    assert_cfn_lint_clean(built["template"])
    assert cdk_nag_violations(built["stack"]) == []


def test_nothing_is_synthesized_without_rules() -> None:
    stack = new_stack()
    assert SigningConfiguration.of(stack).resource is None
    assert _configurations(template_of(stack)) == []


def test_one_per_registry_and_in_one_stack() -> None:
    stack = new_stack()
    first = SigningConfiguration.of(stack)
    assert SigningConfiguration.of(Construct(stack, "Elsewhere")) is first
    with pytest.raises(RegistryError, match=r"Test/Second: a registry has one Signing"):
        SigningConfiguration(stack, "Second")
    twin = cdk.Stack(
        stack.node.root,  # type: ignore[arg-type]
        "Twin",
        env=cdk.Environment(account=ACCOUNT, region=REGION),
    )
    with pytest.raises(RegistryError) as raised:
        SigningConfiguration.of(twin)
    assert str(raised.value).startswith(
        "Twin/SigningConfiguration: a registry has one SigningConfiguration; "
        "Test/SigningConfiguration already configures registry 123456789012/eu-west-1"
    )


def test_the_rule_check_is_pure_and_shared() -> None:
    assert signing_rule_problems(TEAM_PROFILE, []) == []
    assert signing_rule_problems(TEAM_PROFILE, ["a*", "b/*"]) == []
    problems = signing_rule_problems("arn:aws:signer:x", ["Prod", "ok"])
    assert [p.where for p in problems] == ["signing_profile_arn", "repository_filters[0]"]
    assert SIGNING_PLATFORM == "Notation-OCI-SHA384-ECDSA"


def _add(**props: Any) -> Any:
    return lambda stack: SigningConfiguration.of(stack).add_rule(**props)


def _lambda_profile(stack: cdk.Stack) -> Any:
    profile = signer.SigningProfile(
        stack, "Lambda", platform=signer.Platform.AWS_LAMBDA_SHA384_ECDSA
    )
    return SigningConfiguration.of(stack).add_rule(signing_profile=profile)


def _eleven_rules(stack: cdk.Stack) -> None:
    signing = SigningConfiguration.of(stack)
    for n in range(11):
        signing.add_rule(signing_profile=TEAM_PROFILE, repository_filters=[f"r{n}"])


BAD_INPUT = [
    pytest.param(
        _add(signing_profile=f"{TEAM_PROFILE}/Ab12Cd34"),
        [
            "Test/SigningConfiguration rule 1 signing_profile_arn: not an AWS Signer signing "
            "profile ARN",
            "no version",
        ],
        id="versioned-profile-arn",
    ),
    pytest.param(
        _add(signing_profile=f"arn:aws:signer:{REGION}:{ACCOUNT}:/signing-profiles/{'p' * 190}"),
        ["signing_profile_arn: a signing profile ARN must be 1 to 200 characters long"],
        id="profile-arn-too-long",
    ),
    pytest.param(
        _add(signing_profile=f"arn:aws:iam::{ACCOUNT}:role/signer"),
        ["not an AWS Signer signing profile ARN", "arn:PARTITION:signer:"],
        id="not-a-signer-arn",
    ),
    pytest.param(
        _add(signing_profile=42),
        ["rule 1 signing_profile: not an AWS Signer signing profile", "given 42"],
        id="profile-not-a-profile",
    ),
    pytest.param(
        _lambda_profile,
        [
            "rule 1 signing_profile: the signing profile's platform can't sign container images",
            "given 'AWSLambda-SHA384-ECDSA'",
            "Notation-OCI-SHA384-ECDSA",
        ],
        id="lambda-platform-profile",
    ),
    pytest.param(
        _add(signing_profile=TEAM_PROFILE, repository_filters="prod*"),
        ["rule 1 repository_filters: repository_filters is a list", "given 'prod*'"],
        id="filters-as-string",
    ),
    pytest.param(
        _add(signing_profile=TEAM_PROFILE, repository_filters=["Prod*"]),
        ["repository_filters[0]: not a valid WILDCARD_MATCH repository filter", "'Prod*'"],
        id="filter-uppercase",
    ),
    pytest.param(
        _add(signing_profile=TEAM_PROFILE, repository_filters=["team-a/"]),
        ["repository_filters[0]: not a valid WILDCARD_MATCH repository filter"],
        id="filter-trailing-slash",
    ),
    pytest.param(
        _add(signing_profile=TEAM_PROFILE, repository_filters=["a" * 257]),
        ["repository_filters[0]: a signing repository filter must be 1 to 256 characters long"],
        id="filter-too-long",
    ),
    pytest.param(
        _add(signing_profile=TEAM_PROFILE, repository_filters=[f"r{n}" for n in range(101)]),
        ["repository_filters: a signing rule has at most 100 repository filters", "given 101"],
        id="too-many-filters",
    ),
    pytest.param(
        _eleven_rules,
        ["rule 11: a signing configuration has at most 10 rules", "given 11"],
        id="too-many-rules",
    ),
    pytest.param(
        lambda stack: SigningConfiguration.of(stack).grant_sign(
            iam.Role(stack, "R", assumed_by=iam.AccountRootPrincipal())
        ),
        ["Test/SigningConfiguration grant_sign: the signing configuration has no rule yet"],
        id="grant-before-rules",
    ),
]
test_bad_input_is_refused_with_a_clear_message = refusal_test(BAD_INPUT, RegistryError)


CHINA_PROFILE = f"arn:aws-cn:signer:cn-north-1:{ACCOUNT}:/signing-profiles/team_a"


def test_no_signing_in_the_china_regions() -> None:
    """Neither AWS Signer nor ``AWS::ECR::SigningConfiguration`` exists there: a stack in a
    China Region is refused, and so is a profile of one."""
    with pytest.raises(RegistryError) as caught:
        SigningConfiguration.of(new_stack(region="cn-north-1")).add_rule(
            signing_profile=TEAM_PROFILE
        )
    (problem,) = caught.value.problems
    assert problem.where == "Test/SigningConfiguration"
    assert problem.message == "ECR managed signing is not available in the China Regions"
    assert problem.given == "cn-north-1"
    with pytest.raises(RegistryError) as caught:
        SigningConfiguration.of(new_stack()).add_rule(signing_profile=CHINA_PROFILE)
    (problem,) = caught.value.problems
    assert problem.where == "Test/SigningConfiguration rule 1 signing_profile_arn"
    assert problem.given == CHINA_PROFILE
    assert signing_rule_problems(CHINA_PROFILE, [])[0].message == problem.message


def test_refused_rule_leaves_the_configuration_unchanged() -> None:
    stack = new_stack()
    signing = SigningConfiguration.of(stack)
    signing.add_rule(signing_profile=TEAM_PROFILE)
    with pytest.raises(RegistryError):
        signing.add_rule(signing_profile=TEAM_PROFILE, repository_filters=["Bad"])
    assert len(signing.rules) == 1


def test_token_arn_passes_unchecked() -> None:
    stack = new_stack()
    arn = cdk.Fn.import_value("SigningProfileArn")
    SigningConfiguration.of(stack).add_rule(signing_profile=arn)
    (configuration,) = _configurations(template_of(stack))
    assert configuration["Rules"] == [
        {"SigningProfileArn": {"Fn::ImportValue": "SigningProfileArn"}}
    ]


def test_a_registry_file_signing_nothing_synthesizes_nothing(tmp_path: Path) -> None:
    from ecr_constructs.standards import RepositoryFleet

    file = tmp_path / "registry.yaml"
    file.write_text(
        f"version: 1\ndeployment: {{account: '{ACCOUNT}', region: {REGION}}}\n"
        "registry:\n  signing: {rules: []}\n"
    )
    app = cdk.App(outdir=str(tmp_path / "out"))
    with RepositoryFleet.from_file(app, file) as fleet:
        assembly = app.synth()
        assert fleet.commit_shard_map(assembly) is True
    assert (fleet.stacks, assembly.stacks) == ([], [])
