"""PullTimeUpdateExclusion(s): one resource per principal, unique per registry, at most 100,
stable logical IDs."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam

from ecr_constructs import PullTimeUpdateExclusion, PullTimeUpdateExclusions, RegistryError
from tests.gates import (
    ACCOUNT,
    REGION,
    assert_cfn_lint_clean,
    cdk_nag_violations,
    new_stack,
    refusal_test,
    template_of,
)

SCANNER = f"arn:aws:iam::{ACCOUNT}:role/security/trivy"
AUDITOR = "arn:aws:iam::210987654321:user/auditor"


def _exclusions(stack: cdk.Stack) -> dict[str, Any]:
    return {
        logical_id: r["Properties"]["PrincipalArn"]
        for logical_id, r in template_of(stack).get("Resources", {}).items()
        if r["Type"] == "AWS::ECR::PullTimeUpdateExclusion"
    }


@pytest.fixture(scope="module")
def built() -> dict[str, Any]:
    stack = new_stack()
    role = iam.Role(stack, "Snyk", assumed_by=iam.AccountRootPrincipal())
    single = PullTimeUpdateExclusion(stack, "Inspector", principal=role)
    several = PullTimeUpdateExclusions(stack, "Scanners", principals=[SCANNER, AUDITOR])
    user = iam.User(stack, "Ci")
    by_user = PullTimeUpdateExclusion(stack, "CiUser", principal=user)
    return {
        "stack": stack,
        "role_id": stack.get_logical_id(role.node.default_child),
        "user_id": stack.get_logical_id(user.node.default_child),
        "single": single,
        "several": several,
        "by_user": by_user,
        "exclusions": _exclusions(stack),
        "template": template_of(stack),
    }


def test_one_resource_per_principal(built: dict[str, Any]) -> None:
    assert sorted(map(str, built["exclusions"].values())) == sorted(
        map(
            str,
            [
                {"Fn::GetAtt": [built["role_id"], "Arn"]},
                SCANNER,
                AUDITOR,
                {"Fn::GetAtt": [built["user_id"], "Arn"]},
            ],
        )
    )
    several: PullTimeUpdateExclusions = built["several"]
    assert [e.principal_arn for e in several.exclusions] == [SCANNER, AUDITOR]
    assert several.exclusions[0].node.path == (
        "Test/Scanners/arn:aws:iam::123456789012:role%2Fsecurity%2Ftrivy"
    )
    assert built["single"].principal_arn == built["single"].resource.principal_arn


def test_gates(built: dict[str, Any]) -> None:
    assert_cfn_lint_clean(built["template"])
    assert cdk_nag_violations(built["stack"]) == []


GRYPE = SCANNER.replace("trivy", "grype")


def test_logical_ids_do_not_depend_on_the_order_of_principals() -> None:
    forward, backward, added = new_stack(), new_stack(), new_stack()
    PullTimeUpdateExclusions(forward, "Scanners", principals=[SCANNER, AUDITOR])
    PullTimeUpdateExclusions(backward, "Scanners", principals=[AUDITOR, SCANNER])
    PullTimeUpdateExclusions(added, "Scanners", principals=[AUDITOR, GRYPE, SCANNER])
    assert _exclusions(forward) == _exclusions(backward)
    assert set(_exclusions(forward).items()) < set(_exclusions(added).items())


def _hundred_and_one(stack: cdk.Stack) -> None:
    for n in range(101):
        PullTimeUpdateExclusion(
            stack, f"E{n}", principal=f"arn:aws:iam::{ACCOUNT}:role/scanner-{n}"
        )


BAD_INPUT = [
    pytest.param(
        lambda stack: PullTimeUpdateExclusion(
            stack, "Root", principal=f"arn:aws:iam::{ACCOUNT}:root"
        ),
        [
            "Test/Root principal: not an IAM role or user ARN (ECR excludes roles and users",
            "given 'arn:aws:iam::123456789012:root'",
            "arn:PARTITION:iam::ACCOUNT:role/NAME",
        ],
        id="account-root",
    ),
    pytest.param(
        lambda stack: PullTimeUpdateExclusion(
            stack, "Session", principal=f"arn:aws:sts::{ACCOUNT}:assumed-role/scanner/i-1"
        ),
        ["Test/Session principal: not an IAM role or user ARN"],
        id="assumed-role-session",
    ),
    pytest.param(
        lambda stack: PullTimeUpdateExclusion(stack, "Account", principal=ACCOUNT),
        ["Test/Account principal: not an IAM role or user ARN", "given '123456789012'"],
        id="account-id",
    ),
    pytest.param(
        lambda stack: PullTimeUpdateExclusion(
            stack, "Long", principal=f"arn:aws:iam::{ACCOUNT}:role/{'r' * 180}"
        ),
        ["Test/Long principal: a pull-time update exclusion principal must be 1 to 200"],
        id="arn-too-long",
    ),
    pytest.param(
        lambda stack: PullTimeUpdateExclusion(stack, "Group", principal=iam.Group(stack, "G")),
        ["Test/Group principal: not an IAM role or user", "an aws_iam.IRole or IUser"],
        id="group-is-not-a-principal",
    ),
    pytest.param(
        lambda stack: (
            PullTimeUpdateExclusion(stack, "First", principal=SCANNER),
            PullTimeUpdateExclusion(stack, "Again", principal=SCANNER),
        ),
        [
            "Test/Again: pull-time update exclusion principal "
            "'arn:aws:iam::123456789012:role/security/trivy' is already used by Test/First in "
            f"registry {ACCOUNT}/{REGION}",
            "one pull-time update exclusion per principal and registry",
        ],
        id="principal-excluded-twice",
    ),
    pytest.param(
        _hundred_and_one,
        [
            "Test/E100: registry 123456789012/eu-west-1 already has 100 pull-time update "
            "exclusion principals",
            "at most 100 per registry",
        ],
        id="more-than-100",
    ),
    pytest.param(
        lambda stack: PullTimeUpdateExclusions(stack, "S", principals=[]),
        ["Test/S principals: principals is a non-empty list", "given []"],
        id="no-principals",
    ),
    pytest.param(
        lambda stack: PullTimeUpdateExclusions(stack, "S", principals=SCANNER),
        ["Test/S principals: principals is a non-empty list"],
        id="principals-as-string",
    ),
    pytest.param(
        lambda stack: PullTimeUpdateExclusions(stack, "S", principals=[SCANNER, SCANNER]),
        ["Test/S principals[1]: this principal is listed twice"],
        id="listed-twice",
    ),
    pytest.param(
        lambda stack: PullTimeUpdateExclusions(stack, "S", principals=[SCANNER, "trivy"]),
        ["Test/S principals[1]: not an IAM role or user ARN", "given 'trivy'"],
        id="one-bad-principal-in-a-list",
    ),
]
test_bad_input_is_refused_with_a_clear_message = refusal_test(BAD_INPUT, RegistryError)


def test_a_refused_list_creates_nothing() -> None:
    stack = new_stack()
    with pytest.raises(RegistryError):
        PullTimeUpdateExclusions(stack, "S", principals=[SCANNER, "trivy"])
    assert stack.node.try_find_child("S") is None
    PullTimeUpdateExclusion(stack, "Scanner", principal=SCANNER)
    assert list(_exclusions(stack).values()) == [SCANNER]


def test_a_list_is_refused_whole_when_one_principal_is_already_excluded() -> None:
    stack = new_stack()
    PullTimeUpdateExclusion(stack, "Trivy", principal=SCANNER)
    with pytest.raises(RegistryError) as raised:
        PullTimeUpdateExclusions(stack, "Scanners", principals=[GRYPE, SCANNER])
    assert str(raised.value).startswith(
        "Test/Scanners/arn:aws:iam::123456789012:role%2Fsecurity%2Ftrivy: pull-time update "
        "exclusion principal 'arn:aws:iam::123456789012:role/security/trivy' is already used "
        "by Test/Trivy"
    )
    assert stack.node.try_find_child("Scanners") is None
    assert list(_exclusions(stack).values()) == [SCANNER]
    PullTimeUpdateExclusions(stack, "Scanners", principals=[GRYPE])


def test_principals_whose_paths_differ_only_in_slashes_and_dashes_are_both_excluded() -> None:
    stack = new_stack()
    nested = "arn:aws:iam::123456789012:role/ci-1/c"
    dashed = "arn:aws:iam::123456789012:role/ci-1--c"
    several = PullTimeUpdateExclusions(stack, "Scanners", principals=[nested, dashed])
    assert [e.principal_arn for e in several.exclusions] == [nested, dashed]
    assert sorted(_exclusions(stack).values()) == sorted([nested, dashed])
