"""RegistryReplication: rules merged into one ReplicationConfiguration, limits enforced."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import aws_cdk as cdk
import pytest
from constructs import Construct

from ecr_constructs.errors import RegistryError
from ecr_constructs.registry import RegistryReplication, ReplicationDestination
from tests.gates import (
    ACCOUNT,
    REGION,
    assert_cfn_lint_clean,
    new_stack,
    refusal_test,
    template_of,
)

OTHER_ACCOUNT = "210987654321"


def _replication_resources(template: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        r
        for r in template.get("Resources", {}).values()
        if r["Type"] == "AWS::ECR::ReplicationConfiguration"
    ]


@pytest.fixture(scope="module")
def built() -> tuple[cdk.Stack, dict[str, Any], RegistryReplication]:
    stack = new_stack()
    replication = RegistryReplication.of(stack)
    replication.add_rule(
        destinations=[ReplicationDestination(region="us-east-1")],
        repository_prefixes=["prod", "release/"],
    )
    # Another part of the app adds the same rule, listed in another order: kept once.
    RegistryReplication.of(stack).add_rule(
        destinations=[ReplicationDestination(region="us-east-1")],
        repository_prefixes=["release/", "prod"],
    )
    # A rule added later, from a nested construct, still lands in the one resource.
    team = Construct(stack, "TeamA")
    RegistryReplication.of(team).add_rule(
        destinations=[
            ReplicationDestination(region="eu-west-1", account=OTHER_ACCOUNT),
            ReplicationDestination(region="eu-west-1", account=OTHER_ACCOUNT),
            ReplicationDestination(region="ap-northeast-1"),
        ]
    )
    return stack, template_of(stack), replication


def test_one_configuration_with_every_rule(built: Any) -> None:
    _, template, _ = built
    resources = _replication_resources(template)
    assert len(resources) == 1
    assert resources[0]["Properties"] == {
        "ReplicationConfiguration": {
            "Rules": [
                {
                    "Destinations": [{"Region": "us-east-1", "RegistryId": ACCOUNT}],
                    "RepositoryFilters": [
                        {"Filter": "prod", "FilterType": "PREFIX_MATCH"},
                        {"Filter": "release/", "FilterType": "PREFIX_MATCH"},
                    ],
                },
                {
                    "Destinations": [
                        {"Region": "eu-west-1", "RegistryId": OTHER_ACCOUNT},
                        {"Region": "ap-northeast-1", "RegistryId": ACCOUNT},
                    ]
                },
            ]
        }
    }


def test_template_passes_cfn_lint(built: Any) -> None:
    _, template, _ = built
    assert_cfn_lint_clean(template)


def test_of_returns_the_registry_singleton(built: Any) -> None:
    stack, _, replication = built
    assert RegistryReplication.of(stack) is replication
    assert replication.node.path == "Test/RegistryReplication"
    assert len(replication.rules) == 2
    assert replication.resource is not None


def test_cross_account_destinations_lists_accounts_needing_a_registry_policy(built: Any) -> None:
    _, _, replication = built
    assert replication.cross_account_destinations == (OTHER_ACCOUNT,)


def test_identical_rule_returns_the_existing_rule() -> None:
    stack = new_stack()
    replication = RegistryReplication.of(stack)
    first = replication.add_rule(destinations=[ReplicationDestination(region="us-east-1")])
    again = replication.add_rule(destinations=[ReplicationDestination(region="us-east-1")])
    assert again is first
    assert first.destinations == ((ACCOUNT, "us-east-1"),)
    assert first.repository_prefixes == ()


def test_nothing_is_synthesized_without_rules() -> None:
    stack = new_stack()
    replication = RegistryReplication.of(stack)
    assert replication.resource is None
    assert _replication_resources(template_of(stack)) == []


def test_a_second_stack_of_the_same_registry_is_refused_with_both_paths() -> None:
    stack = new_stack()
    twin = cdk.Stack(
        stack.node.root,  # type: ignore[arg-type]
        "Twin",
        env=cdk.Environment(account=ACCOUNT, region=REGION),
    )
    first = RegistryReplication.of(stack)
    with pytest.raises(RegistryError) as raised:
        RegistryReplication.of(twin)
    assert str(raised.value) == (
        "Twin/RegistryReplication: a registry has one RegistryReplication; "
        "Test/RegistryReplication already configures registry 123456789012/eu-west-1, and a "
        "second one would overwrite it at deploy (given 'Twin/RegistryReplication'; allowed: "
        "one RegistryReplication per account and region: get it with "
        "RegistryReplication.of(stack) for stack Test)"
    )
    assert twin.node.try_find_child("RegistryReplication") is None
    assert RegistryReplication.of(stack) is first


def test_a_second_configuration_for_one_registry_is_refused() -> None:
    stack = new_stack()
    RegistryReplication.of(stack)
    with pytest.raises(RegistryError) as raised:
        RegistryReplication(stack, "Another")
    message = str(raised.value)
    assert "Test/Another" in message
    assert "Test/RegistryReplication already configures registry 123456789012/eu-west-1" in message
    assert "RegistryReplication.of(stack)" in message


def test_environment_agnostic_stack_uses_its_own_account_and_lints() -> None:
    app = cdk.App()
    stack = cdk.Stack(app, "Agnostic")
    # The source region is unknown: replicating to any region is accepted.
    RegistryReplication.of(stack).add_rule(
        destinations=[ReplicationDestination(region="us-west-2")]
    )
    template = template_of(stack)
    (resource,) = _replication_resources(template)
    destination = resource["Properties"]["ReplicationConfiguration"]["Rules"][0]["Destinations"]
    assert destination == [{"Region": "us-west-2", "RegistryId": {"Ref": "AWS::AccountId"}}]
    assert_cfn_lint_clean(template)


def test_limits_at_their_maximum_are_accepted() -> None:
    stack = new_stack()
    replication = RegistryReplication.of(stack)
    regions = [f"us-east-{n}" for n in range(1, 10)]
    # 10 rules, 25 unique destinations, 100 prefixes in one rule.
    for i, region in enumerate(regions):
        replication.add_rule(
            destinations=[ReplicationDestination(region=region)],
            repository_prefixes=[f"team{i}"],
        )
    replication.add_rule(
        destinations=[
            ReplicationDestination(region=f"eu-central-{n}", account=OTHER_ACCOUNT)
            for n in range(1, 17)
        ],
        repository_prefixes=[f"p{n:03d}" for n in range(100)],
    )
    template = template_of(stack)
    rules = _replication_resources(template)[0]["Properties"]["ReplicationConfiguration"]["Rules"]
    assert len(rules) == 10
    assert len(rules[-1]["RepositoryFilters"]) == 100
    assert_cfn_lint_clean(template)


def _add(**kwargs: Any) -> Callable[[cdk.Stack], object]:
    return lambda stack: RegistryReplication.of(stack).add_rule(**kwargs)


def _many_rules(stack: cdk.Stack) -> None:
    replication = RegistryReplication.of(stack)
    for n in range(11):
        replication.add_rule(
            destinations=[ReplicationDestination(region="us-east-1")],
            repository_prefixes=[f"team{n}"],
        )


def _many_destinations(stack: cdk.Stack) -> None:
    replication = RegistryReplication.of(stack)
    replication.add_rule(
        destinations=[
            ReplicationDestination(region="us-east-1", account=f"{n:012d}") for n in range(1, 25)
        ]
    )
    replication.add_rule(
        destinations=[
            ReplicationDestination(region="us-east-2", account="000000000001"),
            ReplicationDestination(region="us-east-2", account="000000000002"),
        ]
    )


BAD_INPUT = [
    pytest.param(
        _add(destinations=[ReplicationDestination(region="eu-west-1")]),
        [
            "Test/RegistryReplication rule 1 destinations[0]",
            "can't replicate to itself",
            "account 123456789012, region eu-west-1",
            "another region, or another account",
        ],
        id="destination-is-source",
    ),
    pytest.param(
        _add(destinations=[ReplicationDestination(region="Europe")]),
        ["rule 1 destinations[0].region", "not an AWS region", "'Europe'", "eu-west-1"],
        id="bad-region",
    ),
    pytest.param(
        _add(destinations=[ReplicationDestination(region="us-east-1", account="12345")]),
        ["rule 1 destinations[0].account", "12 digits", "'12345'"],
        id="bad-account",
    ),
    pytest.param(
        _add(destinations=[]),
        ["rule 1", "needs a list of destinations", "given []", "ReplicationDestination(region"],
        id="no-destinations",
    ),
    pytest.param(
        _add(destinations=ReplicationDestination(region="us-east-1")),
        ["rule 1", "needs a list of destinations", "ReplicationDestination(region="],
        id="destination-not-in-list",
    ),
    pytest.param(
        _add(destinations=[{"region": "us-east-1"}]),
        ["rule 1 destinations[0]", "not a ReplicationDestination", "{'region': 'us-east-1'}"],
        id="dict-destination",
    ),
    pytest.param(
        _add(destinations=[ReplicationDestination(region="us-east-1")], repository_prefixes="prod"),
        ["rule 1 repository_prefixes", "a list of prefixes", "given 'prod'", "['prod']"],
        id="prefixes-as-string",
    ),
    pytest.param(
        _add(
            destinations=[ReplicationDestination(region="us-east-1")],
            repository_prefixes=["Prod"],
        ),
        ["rule 1 repository_prefixes[0]", "not a repository name prefix", "'Prod'", "lowercase"],
        id="uppercase-prefix",
    ),
    pytest.param(
        _add(
            destinations=[ReplicationDestination(region="us-east-1")],
            repository_prefixes=["p"],
        ),
        ["rule 1 repository_prefixes[0]", "2 to 256 characters", "given 'p'", "2..256"],
        id="short-prefix",
    ),
    pytest.param(
        _add(
            destinations=[ReplicationDestination(region="us-east-1")],
            repository_prefixes=[f"p{n:03d}" for n in range(101)],
        ),
        ["rule 1 repository_prefixes", "at most 100 prefix filters", "given 101", "0..100"],
        id="too-many-prefixes",
    ),
    pytest.param(
        _many_rules,
        ["rule 11", "at most 10 rules", "given 11", "1..10 rules"],
        id="too-many-rules",
    ),
    pytest.param(
        _many_destinations,
        ["rule 2", "at most 25 unique destinations", "given 26", "1..25 unique"],
        id="too-many-destinations",
    ),
]


test_bad_input_is_refused_with_a_clear_message = refusal_test(BAD_INPUT)
