"""A rollout's instance template, the stack every target account and region gets, deployed on
the local engine: no engine here deploys StackSets themselves, so the template a StackSet
would deploy is created as a stack, read back through the ECR API, and deleted, keeping its
retained repositories and their images."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aws_cdk as cdk
import pytest
import yaml

from ecr_constructs.standards import RegistryRollout, parse_registry

from .engine import ACCOUNT, REGION, Engine
from .images import push_images
from .readback import (
    Kept,
    Settings,
    assert_as_declared,
    assert_kept,
    kept_state,
    read_stack,
    repositories_of,
)
from .stacks import Stacks

pytestmark = pytest.mark.deploy

STACK = "StackSet-ecr-baseline-instance"
ROLLOUT = {
    "version": 1,
    "standards": {
        "baseline": {
            "lifecycle": [
                {"protect_tags": {"prefixes": ["prod"]}},
                {"expire_untagged": {"after_days": 1}},
                {"keep_last": {"count": 20}},
            ],
            "access": {"pull_organizations": ["o-a1b2c3d4e5"]},
            "tags": {"managed-by": "ecr-baseline"},
        }
    },
    "defaults": {"standard": "baseline"},
    "repositories": [
        {"name": "rollout/base-python"},
        {"name": "rollout/build-tools", "tag_mutability": "MUTABLE"},
    ],
    "deployment": {
        "stack_name": "ecr-baseline",
        "account": "111111111111",
        "region": REGION,
        "targets": {"accounts": [ACCOUNT], "regions": [REGION]},
    },
}


@dataclass
class Deployed:
    template: dict[str, Any]
    physical_ids: dict[str, str]
    settings: dict[str, Settings]
    before_delete: dict[str, Kept]
    after_delete: dict[str, Kept]


@pytest.fixture(scope="module")
def deployed(engine: Engine) -> Deployed:
    app = cdk.App()
    with RegistryRollout(app, config=parse_registry(yaml.safe_dump(ROLLOUT))) as rollout:
        (template,) = rollout.instance_templates.values()
    stacks, ecr = Stacks(engine.client("cloudformation")), engine.client("ecr")
    stacks.create(STACK, template)  # cfn-lint clean first
    physical_ids = stacks.physical_ids(STACK)
    settings = read_stack(ecr, template, physical_ids)
    for name in settings:
        push_images(ecr, name, count=2)
    before = kept_state(ecr)
    stacks.delete(STACK)
    return Deployed(template, physical_ids, settings, before, kept_state(ecr))


def test_the_instance_template_holds_only_repositories(deployed: Deployed) -> None:
    types = {r["Type"] for r in deployed.template["Resources"].values()}
    assert types == {"AWS::ECR::Repository"}
    assert len(repositories_of(deployed.template)) == 2


def test_every_setting_of_the_instance_template_lands(deployed: Deployed) -> None:
    assert set(deployed.settings) == {"rollout/base-python", "rollout/build-tools"}
    assert_as_declared(deployed.template, deployed.physical_ids, deployed.settings)


def test_deleting_the_instance_keeps_the_repositories_and_their_images(
    deployed: Deployed,
) -> None:
    assert_kept(deployed.before_delete, deployed.after_delete, deployed.settings)
