"""``deployment.targets``: bad input, every problem with the file, its line, the field path
and what is allowed; and the rules that compare values with the registry's own account and
region, applied to every target."""

from __future__ import annotations

import textwrap

import pytest

from .registry_files import assert_problems_at_mark, one_line, problems_of

HOME = 'deployment:\n  account: "111111111111"\n  region: us-east-1\n'
OU = "ou-abcd-12345678"
FIFTY_ONE_OUS = one_line([f"ou-abcd-{n:08d}" for n in range(51)])
KEY = "arn:aws:kms:eu-west-1:123456789012:key/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d"
SECRET = "arn:aws:secretsmanager:eu-west-1:222222222222:secret:ecr-pullthroughcache/hub-AbCdEf"


def targets(lines: str, *, head: str = "version: 1\nrepositories:\n  - name: app\n") -> str:
    """A file whose deployment has ``lines`` (indented under ``targets:``)."""
    return head + HOME + "  targets:\n" + textwrap.indent(textwrap.dedent(lines), "    ")


# (id, YAML with the expected line marked "# <", field path, fragment of the message)
BAD_TARGETS = [
    (
        "ou-malformed",
        targets("organizational_units: [ou-12]  # <\nregions: [eu-west-1]\n"),
        "deployment.targets.organizational_units[0]",
        "not an organizational unit ID (given 'ou-12'; allowed: ou-xxxx-yyyyyyyy",
    ),
    (
        "ou-uppercase",
        targets("organizational_units: [OU-ABCD-12345678]  # <\nregions: [eu-west-1]\n"),
        "deployment.targets.organizational_units[0]",
        "not an organizational unit ID (given 'OU-ABCD-12345678'",
    ),
    (
        "ou-listed-twice",
        targets(f"organizational_units: [{OU}, {OU}]  # <\nregions: [eu-west-1]\n"),
        "deployment.targets.organizational_units",
        "listed twice (given 'ou-abcd-12345678'; allowed: each value once)",
    ),
    (
        "ou-more-than-an-operation-takes",
        targets(f"organizational_units: {FIFTY_ONE_OUS}  # <\nregions: [eu-west-1]\n"),
        "deployment.targets.organizational_units",
        "more organizational units than one StackSets operation takes (CreateStackInstances) "
        "(given 51; allowed: at most 50",
    ),
    (
        "account-malformed",
        targets("accounts: ['12345']  # <\nregions: [eu-west-1]\n"),
        "deployment.targets.accounts[0]",
        "an AWS account ID must be 12 digits (given '12345'",
    ),
    (
        "account-unquoted",
        targets("accounts: [222222222222]  # <\nregions: [eu-west-1]\n"),
        "deployment.targets.accounts[0]",
        "expected a string; quote it",
    ),
    (
        "accounts-and-ous-together",
        targets(
            f"organizational_units: [{OU}]\naccounts: ['222222222222']  # <\nregions: [eu-west-1]\n"
        ),
        "deployment.targets.accounts",
        "accounts and organizational_units together",
    ),
    (
        "neither-accounts-nor-ous",
        "version: 1\n" + HOME + "  targets:  # <\n    regions: [eu-west-1]\n",
        "deployment.targets",
        "targets need organizational_units or accounts (allowed: organizational_units: "
        "[ou-...] (a service-managed StackSet)",
    ),
    (
        "nothing-to-roll-out",
        "version: 1\n"
        + HOME
        + f"  targets:  # <\n    organizational_units: [{OU}]\n    regions: [eu-west-1]\n"
        + "registry:\n  signing: {rules: []}\n",
        "deployment.targets",
        "nothing to roll out: the file has no repository, public repository or registry-wide "
        "setting that creates a resource",
    ),
    (
        "empty-region-list",
        targets(f"organizational_units: [{OU}]\nregions: []  # <\n"),
        "deployment.targets.regions",
        "too few items (given 0; allowed: at least 1)",
    ),
    (
        "regions-missing",
        "version: 1\n" + HOME + f"  targets:  # <\n    organizational_units: [{OU}]\n",
        "deployment.targets.regions",
        "required key is missing",
    ),
    (
        "region-unknown",
        targets(f"organizational_units: [{OU}]\nregions: [eu-west-1, mars]  # <\n"),
        "deployment.targets.regions[1]",
        "not an AWS region (given 'mars'",
    ),
    (
        "regions-in-two-partitions",
        targets(f"organizational_units: [{OU}]\nregions: [eu-west-1, cn-north-1]  # <\n"),
        "deployment.targets.regions[1]",
        "a rollout stays in one partition, and this region is in aws-cn (given 'cn-north-1'; "
        "allowed: regions of partition aws (deployment.region us-east-1))",
    ),
    (
        "mode-unknown",
        targets(f"mode: pipelines  # <\norganizational_units: [{OU}]\nregions: [eu-west-1]\n"),
        "deployment.targets.mode",
        "not an allowed value (given 'pipelines'; allowed: 'stacksets' or 'stages')",
    ),
    (
        "concurrency-zero",
        targets(
            f"organizational_units: [{OU}]\nregions: [eu-west-1]\n"
            "max_concurrent_percentage: 0  # <\n"
        ),
        "deployment.targets.max_concurrent_percentage",
        "out of range (given 0; allowed: >= 1)",
    ),
    (
        "failure-tolerance-over-100",
        targets(
            f"organizational_units: [{OU}]\nregions: [eu-west-1]\n"
            "failure_tolerance_percentage: 101  # <\n"
        ),
        "deployment.targets.failure_tolerance_percentage",
        "out of range (given 101; allowed: <= 100)",
    ),
    (
        "region-order-outside-regions",
        targets(
            f"organizational_units: [{OU}]\nregions: [eu-west-1, us-east-1]\n"
            "region_order: [us-east-1, ap-south-1]  # <\n"
        ),
        "deployment.targets.region_order[1]",
        "not one of deployment.targets.regions (given 'ap-south-1'; allowed: eu-west-1, us-east-1)",
    ),
    (
        "call-as-unknown",
        targets(f"organizational_units: [{OU}]\nregions: [eu-west-1]\ncall_as: ADMIN  # <\n"),
        "deployment.targets.call_as",
        "not an allowed value (given 'ADMIN'; allowed: 'DELEGATED_ADMIN' or 'SELF')",
    ),
    (
        "call-as-with-accounts",
        targets("accounts: ['222222222222']\nregions: [eu-west-1]\ncall_as: SELF  # <\n"),
        "deployment.targets.call_as",
        "call_as is for service-managed StackSets (organizational_units)",
    ),
    (
        "stacksets-without-home-account",
        "version: 1\ndeployment:  # <\n  region: us-east-1\n  targets:\n"
        f"    organizational_units: [{OU}]\n    regions: [eu-west-1]\n",
        "deployment.account",
        "required with deployment.targets: the account the StackSets live in",
    ),
    (
        "stages-with-organizational-units",
        "version: 1\ndeployment:\n  targets:\n    mode: stages\n"
        f"    organizational_units: [{OU}]  # <\n    regions: [eu-west-1]\n",
        "deployment.targets.organizational_units",
        "mode stages needs account IDs: the CDK deploys to named environments",
    ),
    (
        "stages-with-operation-preferences",
        "version: 1\ndeployment:\n  targets:\n    mode: stages\n    accounts: ['222222222222']\n"
        "    regions: [eu-west-1]\n    failure_tolerance_percentage: 10  # <\n",
        "deployment.targets.failure_tolerance_percentage",
        "failure_tolerance_percentage is a StackSets setting; mode stages has no StackSet",
    ),
    (
        "stages-with-home-region",
        "version: 1\ndeployment:\n  region: us-east-1  # <\n  targets:\n    mode: stages\n"
        "    accounts: ['222222222222']\n    regions: [eu-west-1]\n",
        "deployment.region",
        "mode stages deploys to each target account and region; deployment.region would name "
        "no stack",
    ),
    (
        "public-repositories-without-us-east-1",
        targets(
            f"organizational_units: [{OU}]\nregions: [eu-west-1]\n",
            head="version: 1\npublic_repositories:  # <\n  - name: tool\n",
        ),
        "public_repositories",
        "public repositories exist only in us-east-1; add us-east-1 to "
        "deployment.targets.regions (given ['eu-west-1']",
    ),
    (
        "public-logo-in-a-stackset",
        targets(
            f"organizational_units: [{OU}]\nregions: [us-east-1]\n",
            head="version: 1\npublic_repositories:\n  - name: tool\n    logo: logo.png  # <\n",
        ),
        "public_repositories[0].logo",
        "a logo is deployed as a CDK file asset, which a StackSet can't take to other accounts",
    ),
    (
        "kms-key-in-several-regions",
        targets(
            f"organizational_units: [{OU}]\nregions: [eu-west-1, us-east-1]\n",
            head=f"version: 1\nstandards:\n  s:\n    kms_key_arn: {KEY}  # <\n",
        ),
        "standards.s.kms_key_arn",
        "a KMS key is in one region, and the registry is deployed to 2 regions",
    ),
    (
        "kms-key-in-another-region",
        targets(
            f"organizational_units: [{OU}]\nregions: [us-east-1]\n",
            head=f"version: 1\nrepositories:\n  - name: app\n    kms_key_arn: {KEY}  # <\n",
        ),
        "repositories[0].kms_key_arn",
        "the KMS key must be in the repository's region (given 'eu-west-1'; allowed: a key in "
        "us-east-1)",
    ),
    (
        "replication-to-a-target-region-itself",
        targets(
            f"organizational_units: [{OU}]\nregions: [eu-west-1, us-east-1]\n",
            head="version: 1\nregistry:\n  replication:\n    rules:\n"
            "      - destinations: [{region: eu-west-1}]  # <\n",
        ),
        "registry.replication.rules[0].destinations[0]",
        "a registry can't replicate to itself (given 'account (this account), region eu-west-1'",
    ),
    (
        "replication-to-a-target-account-itself",
        targets(
            "accounts: ['222222222222', '333333333333']\nregions: [eu-west-1]\n",
            head="version: 1\nregistry:\n  replication:\n    rules:\n"
            "      - destinations: [{region: eu-west-1, account: '333333333333'}]  # <\n",
        ),
        "registry.replication.rules[0].destinations[0]",
        "a registry can't replicate to itself (given 'account 333333333333, region eu-west-1'",
    ),
    (
        "cache-secret-of-one-target-account",
        targets(
            "accounts: ['222222222222', '333333333333']\nregions: [eu-west-1]\n",
            head="version: 1\nregistry:\n  pull_through_cache:\n    - prefix: hub\n"
            f"      upstream: docker-hub\n      credential_secret: {SECRET}  # <\n",
        ),
        "registry.pull_through_cache[0].credential_secret",
        "the secret must be in the registry's account (given '222222222222'; allowed: a secret "
        "in account 333333333333)",
    ),
]


@pytest.mark.parametrize(
    ("text", "path", "fragment"),
    [pytest.param(text, path, fragment, id=case) for case, text, path, fragment in BAD_TARGETS],
)
def test_bad_targets_name_file_line_path_and_what_is_allowed(
    text: str, path: str, fragment: str
) -> None:
    assert_problems_at_mark(text, path, fragment)


def test_the_bad_targets_table_is_large() -> None:
    assert len(BAD_TARGETS) >= 15


def test_every_problem_of_the_targets_is_reported_at_once() -> None:
    text = targets(
        f"organizational_units: [ou-12, {OU}]\naccounts: ['222222222222']\nregions: []\n"
        "max_concurrent_percentage: 0\ncall_as: SELF\n",
        head="version: 1\npublic_repositories:\n  - name: tool\n",
    )
    paths = {p.path for p in problems_of(text)}
    assert paths == {
        ("deployment", "targets", "organizational_units", 0),
        ("deployment", "targets", "accounts"),
        ("deployment", "targets", "regions"),
        ("deployment", "targets", "max_concurrent_percentage"),
    }


@pytest.mark.slow
def test_more_stack_instances_than_a_stackset_holds_are_refused() -> None:
    accounts = one_line([f"'{n:012d}'" for n in range(1, 33_335)])
    text = targets(f"accounts: {accounts}\nregions: [eu-west-1, us-east-1, us-west-2]\n")
    (problem,) = problems_of(text)
    assert problem.path == ("deployment", "targets", "accounts")
    assert problem.where == "registry.yaml:8: deployment.targets.accounts"
    assert (
        "more stack instances than a StackSet holds (given '33,334 accounts x 3 regions = "
        "100,002'; allowed: at most 100,000 stack instances per StackSet" in str(problem)
    )


@pytest.mark.parametrize("region", ["${Token[X]}", "mars-1"])
def test_a_value_that_is_not_a_region_is_refused_once(region: str) -> None:
    found = problems_of(targets(f"organizational_units: [{OU}]\nregions: ['{region}']\n"))
    assert [(p.where, p.given) for p in found] == [
        ("registry.yaml:9: deployment.targets.regions[0]", region)
    ]
