"""Create, update, refuse, destroy: the project's templates on a local CloudFormation engine
(ministack), every setting read back through the ECR API at each step.

Deployed: the secure-default repository, the README's repository (the ECR guide's
lifecycle policy, cross-account pull), a DESTROY + ``empty_on_delete`` repository, and a
``RepositoryFleet`` of four repositories with two standards from a registry file. Then the
file changes (a standard's lifecycle preset, a tag, a repository added, a RETAIN one
removed), an encryption change the engine must refuse, and the stacks are deleted.

Engine gap: tag-mutability exclusion filters are not applied by ministack; they are checked
against moto in test_api_level.py.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest

from ecr_constructs import Lifecycle, Repository, RepositoryAccess, RepositoryFleet

from .engine import ACCOUNT, REGION, Engine
from .images import push_images
from .readback import (
    Kept,
    Settings,
    assert_as_declared,
    assert_kept,
    assert_not_replaced,
    kept_state,
    read_stack,
    repositories_of,
    repository_ids,
)
from .stacks import Stacks, new_app, synthesized

pytestmark = pytest.mark.deploy

REPOSITORIES_STACK = "deploy-round-trip"
FLEET_STACK = "deploy-round-trip-fleet"
DESTROYED = "round-trip/scratch"
FLEET_FILE = """\
version: 1
standards:
  production:
    tag_mutability: IMMUTABLE_WITH_EXCLUSION
    tag_mutability_exclusions: [latest]
    lifecycle:
      - protect_tags: {prefixes: [prod, release]}
      - expire_untagged: {after_days: 1}
      - keep_last: {count: 50}
    access:
      pull_accounts: ["987654321098"]
    tags: {tier: production}
  development:
    extends: production
    tag_mutability: MUTABLE
    tag_mutability_exclusions: []
    lifecycle:
      - expire_untagged: {after_days: 1}
      - keep_last: {count: 20}
    access: {}
    tags: {tier: development}
defaults:
  standard: production
repositories:
  - name: round-trip/payments-api
    tags: {owner: payments}
  - name: round-trip/payments-worker
  - name: round-trip/sandbox
    standard: development
    tags: {owner: team-a}
  - name: round-trip/legacy
""" + (f'deployment: {{stack_name: {FLEET_STACK}, account: "{ACCOUNT}", region: {REGION}}}\n')
UPDATED_FILE = (
    FLEET_FILE.replace("keep_last: {count: 50}", "keep_last: {count: 30}")
    .replace("{owner: team-a}", "{owner: team-b}")
    .replace("  - name: round-trip/legacy\n", "  - name: round-trip/payments-web\n")
)
REENCRYPTED_FILE = UPDATED_FILE.replace(
    "    tags: {owner: payments}\n", "    tags: {owner: payments}\n    encryption: AES256\n"
)

UPDATED_TAGS = {"team": "platform", "cost-centre": "42"}


@dataclass
class Step:
    """One step of the round trip: the templates deployed and what the API says."""

    templates: dict[str, dict[str, Any]]
    physical_ids: dict[str, dict[str, str]] = field(default_factory=dict)
    settings: dict[str, Settings] = field(default_factory=dict)
    kept: dict[str, Kept] = field(default_factory=dict)
    refusal: str = ""

    def repository_ids(self) -> dict[str, str]:
        return repository_ids(self.templates, self.physical_ids)


def build(folder: Path, registry_file: str, my_app_tags: dict[str, str]) -> dict[str, Any]:
    """The round trip's templates, with the registry file and the tags at one version."""
    (folder / "registry.yaml").write_text(registry_file)
    app = new_app(folder / "cdk.out")
    stack = cdk.Stack(app, REPOSITORIES_STACK, env=cdk.Environment(account=ACCOUNT, region=REGION))
    Repository(stack, "SecureDefaults")
    Repository(
        stack,
        "MyApp",
        repository_name="round-trip/my-app",
        lifecycle=[
            Lifecycle.protect_tags(prefixes=["prod", "release"]),
            Lifecycle.expire_untagged(after_days=1),
            Lifecycle.expire_tagged(prefixes=["dev", "feature"], after_days=7),
            Lifecycle.keep_last(10),
        ],
        access=[RepositoryAccess.pull(accounts=["987654321098"])],
        tags=my_app_tags,
    )
    Repository(
        stack,
        "Scratch",
        repository_name=DESTROYED,
        removal_policy=cdk.RemovalPolicy.DESTROY,
        empty_on_delete=True,
    )
    with RepositoryFleet.from_file(app, folder / "registry.yaml") as fleet:
        templates = synthesized(app)
        fleet.commit_shard_map(app.synth())  # the assembly synthesized just now
    return templates


def observe(step: Step, stacks: Stacks, ecr: Any) -> None:
    """Record the step's stacks' physical IDs, the API's settings and the registry's state."""
    for name, template in step.templates.items():
        step.physical_ids[name] = stacks.physical_ids(name)
        step.settings.update(read_stack(ecr, template, step.physical_ids[name]))
    step.kept = kept_state(ecr)


def create_with_images(step: Step, stacks: Stacks, ecr: Any) -> None:
    """Create the step's stacks, record them, push two images to each repository, and wait
    for the next second: creation times have whole seconds, and a recreation must show."""
    for name, template in step.templates.items():
        stacks.create(name, template)
    observe(step, stacks, ecr)
    for name in step.settings:
        push_images(ecr, name, count=2)
    step.kept = kept_state(ecr)
    _next_second()


@dataclass
class RoundTrip:
    created: Step
    updated: Step
    refused: Step
    destroyed: Step


@pytest.fixture(scope="module")
def round_trip(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> RoundTrip:
    folder = tmp_path_factory.mktemp("round-trip")
    stacks, ecr = Stacks(engine.client("cloudformation")), engine.client("ecr")

    created = Step(build(folder, FLEET_FILE, {"team": "platform"}))
    create_with_images(created, stacks, ecr)

    updated = Step(build(folder, UPDATED_FILE, UPDATED_TAGS))
    for name, template in updated.templates.items():
        if template != created.templates[name]:
            stacks.update(name, template)
    observe(updated, stacks, ecr)

    refused = Step(build(folder, REENCRYPTED_FILE, UPDATED_TAGS))
    refused.refusal = stacks.update(
        FLEET_STACK, refused.templates[FLEET_STACK], expect="UPDATE_ROLLBACK_COMPLETE"
    )
    observe(refused, stacks, ecr)

    destroyed = Step(updated.templates)
    for name in destroyed.templates:
        stacks.delete(name)
    destroyed.kept = kept_state(ecr)
    return RoundTrip(created, updated, refused, destroyed)


def _next_second() -> None:
    time.sleep(1 - time.time() % 1 + 0.01)


def retained(step: Step) -> set[str]:
    """Physical names of the RETAIN repositories of a step's templates."""
    return {
        step.physical_ids[stack][logical_id]
        for stack, template in step.templates.items()
        for logical_id, resource in repositories_of(template).items()
        if resource["DeletionPolicy"] == "Retain"
    }


def test_create_lands_every_setting_of_the_templates(round_trip: RoundTrip) -> None:
    created = round_trip.created
    assert set(created.templates) == {REPOSITORIES_STACK, FLEET_STACK}
    assert len(created.settings) == 7
    for name, template in created.templates.items():
        assert_as_declared(template, created.physical_ids[name], created.settings)


def test_create_deploys_the_secure_defaults(round_trip: RoundTrip) -> None:
    ids = round_trip.created.physical_ids[REPOSITORIES_STACK]
    (name,) = (ids[logical_id] for logical_id in ids if logical_id.startswith("SecureDefaults"))
    settings = round_trip.created.settings[name]
    assert settings["ImageTagMutability"] == "IMMUTABLE"
    assert settings["ImageScanningConfiguration"] == {"ScanOnPush": True}
    assert settings["EncryptionConfiguration"] == {"EncryptionType": "KMS"}
    assert settings["LifecyclePolicy"]["rules"]
    assert settings["RepositoryPolicyText"] is None


def test_update_lands_the_changed_file(round_trip: RoundTrip) -> None:
    updated = round_trip.updated
    for name, template in updated.templates.items():
        assert_as_declared(template, updated.physical_ids[name], updated.settings)
    counts = [
        rule["selection"]["countNumber"]
        for rule in updated.settings["round-trip/payments-api"]["LifecyclePolicy"]["rules"]
    ]
    assert counts[-1] == 30
    assert updated.settings["round-trip/sandbox"]["Tags"]["owner"] == "team-b"
    assert updated.settings["round-trip/my-app"]["Tags"] == UPDATED_TAGS
    assert "round-trip/payments-web" in updated.settings


def test_update_keeps_the_repository_removed_from_the_file_with_its_images(
    round_trip: RoundTrip,
) -> None:
    assert "round-trip/legacy" not in round_trip.updated.settings
    assert_kept(round_trip.created.kept, round_trip.updated.kept, ["round-trip/legacy"])


def test_update_replaces_no_repository(round_trip: RoundTrip) -> None:
    before, after = round_trip.created, round_trip.updated
    assert len(before.repository_ids().keys() & after.repository_ids().keys()) == 6
    assert_not_replaced(before.repository_ids(), after.repository_ids(), before.kept, after.kept)


def test_engine_refuses_to_replace_a_named_repository_and_nothing_is_lost(
    round_trip: RoundTrip,
) -> None:
    refused, updated = round_trip.refused, round_trip.updated
    assert "custom-named resource requires replacing" in refused.refusal
    assert "round-trip/payments-api" in refused.refusal
    assert refused.settings["round-trip/payments-api"]["EncryptionConfiguration"] == {
        "EncryptionType": "KMS"
    }
    for name, template in updated.templates.items():
        assert_as_declared(template, refused.physical_ids[name], refused.settings)
    assert_not_replaced(
        updated.repository_ids(), refused.repository_ids(), updated.kept, refused.kept
    )


def test_destroy_keeps_retained_repositories_with_their_images(round_trip: RoundTrip) -> None:
    names = retained(round_trip.created) | retained(round_trip.updated)
    assert len(names) == 7
    assert DESTROYED not in names
    assert_kept(round_trip.created.kept | round_trip.updated.kept, round_trip.destroyed.kept, names)


def test_destroy_deletes_the_destroy_repository_with_its_images(round_trip: RoundTrip) -> None:
    assert len(round_trip.created.kept[DESTROYED].images) == 2
    assert DESTROYED not in round_trip.destroyed.kept
