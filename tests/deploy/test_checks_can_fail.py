"""The round trip's checks fail when they should: deliberately broken templates against what
the engine deployed. A property dropped, renamed or changed between template and API; a
retained repository or an image that disappears; a repository that is replaced."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aws_cdk as cdk
import pytest

from ecr_constructs import Lifecycle, Repository, RepositoryAccess

from .engine import ACCOUNT, REGION, Engine
from .images import push_images
from .readback import (
    Settings,
    assert_as_declared,
    assert_kept,
    assert_not_replaced,
    kept_state,
    mismatches,
    read_stack,
    repository_ids,
)
from .stacks import Stacks, new_app, synthesized

pytestmark = pytest.mark.deploy

STACK = "deploy-checks"
NAMED = "checks/named"


@dataclass
class Deployed:
    template: dict[str, Any]
    physical_ids: dict[str, str]
    settings: dict[str, Settings]


@pytest.fixture(scope="module")
def stacks(engine: Engine) -> Stacks:
    return Stacks(engine.client("cloudformation"))


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A named repository with every setting, and the secure defaults with a generated name."""
    app = new_app(tmp_path_factory.mktemp("checks"))
    stack = cdk.Stack(app, STACK, env=cdk.Environment(account=ACCOUNT, region=REGION))
    Repository(
        stack,
        "Named",
        repository_name=NAMED,
        lifecycle=[Lifecycle.expire_untagged(after_days=1), Lifecycle.keep_last(10)],
        access=[RepositoryAccess.pull(accounts=["987654321098"])],
        tags={"owner": "team-a"},
    )
    Repository(stack, "Generated")
    return synthesized(app)[STACK]


@pytest.fixture(scope="module")
def deployed(engine: Engine, stacks: Stacks, template: dict[str, Any]) -> Deployed:
    stacks.create(STACK, template)
    physical_ids = stacks.physical_ids(STACK)
    settings = read_stack(engine.client("ecr"), template, physical_ids)
    return Deployed(template, physical_ids, settings)


def properties(template: dict[str, Any], prefix: str) -> dict[str, Any]:
    (found,) = (r for k, r in template["Resources"].items() if k.startswith(prefix))
    result: dict[str, Any] = found["Properties"]
    return result


def _change_lifecycle(template: dict[str, Any]) -> None:
    lifecycle = properties(template, "Named")["LifecyclePolicy"]
    text = lifecycle["LifecyclePolicyText"]
    assert '"countNumber":10' in text
    lifecycle["LifecyclePolicyText"] = text.replace('"countNumber":10', '"countNumber":11')


def _declare_a_policy_the_api_lacks(template: dict[str, Any]) -> None:
    policy = properties(template, "Named")["RepositoryPolicyText"]
    properties(template, "Generated")["RepositoryPolicyText"] = policy


def _change_a_principal(template: dict[str, Any]) -> None:
    policy = properties(template, "Named")["RepositoryPolicyText"]
    text = json.dumps(policy)
    assert "987654321098" in text
    properties(template, "Named")["RepositoryPolicyText"] = json.loads(
        text.replace("987654321098", "987654321099")
    )


def _change_a_tag_value(template: dict[str, Any]) -> None:
    properties(template, "Named")["Tags"] = [{"Key": "owner", "Value": "team-b"}]


def _rename_a_tag(template: dict[str, Any]) -> None:
    properties(template, "Named")["Tags"] = [{"Key": "Owner", "Value": "team-a"}]


def _turn_scanning_off(template: dict[str, Any]) -> None:
    properties(template, "Named")["ImageScanningConfiguration"] = {"ScanOnPush": False}


def _change_encryption(template: dict[str, Any]) -> None:
    properties(template, "Generated")["EncryptionConfiguration"] = {"EncryptionType": "AES256"}


def _change_tag_mutability(template: dict[str, Any]) -> None:
    properties(template, "Named")["ImageTagMutability"] = "MUTABLE"


def _change_the_name(template: dict[str, Any]) -> None:
    properties(template, "Named")["RepositoryName"] = "checks/renamed"


def _rename_a_property(template: dict[str, Any]) -> None:
    named = properties(template, "Named")
    named["ImageScanConfiguration"] = named.pop("ImageScanningConfiguration")


BROKEN: list[Any] = [
    pytest.param(_change_lifecycle, "LifecyclePolicy", id="lifecycle-text-differs"),
    pytest.param(_declare_a_policy_the_api_lacks, "RepositoryPolicyText", id="policy-dropped"),
    pytest.param(_change_a_principal, "RepositoryPolicyText", id="policy-principal-differs"),
    pytest.param(_change_a_tag_value, "Tags", id="tag-value-differs"),
    pytest.param(_rename_a_tag, "Tags", id="tag-key-renamed"),
    pytest.param(_turn_scanning_off, "ImageScanningConfiguration", id="scan-differs"),
    pytest.param(_change_encryption, "EncryptionConfiguration", id="encryption-differs"),
    pytest.param(_change_tag_mutability, "ImageTagMutability", id="mutability-differs"),
    pytest.param(_change_the_name, "RepositoryName", id="name-differs"),
    pytest.param(_rename_a_property, "no read-back for ['ImageScanConfiguration']", id="renamed"),
]


def test_the_deployed_template_matches_its_read_back(deployed: Deployed) -> None:
    assert mismatches(deployed.template, deployed.physical_ids, deployed.settings) == []


@pytest.mark.parametrize(("breaking", "fragment"), BROKEN)
def test_a_broken_template_fails_the_read_back(
    deployed: Deployed, breaking: Callable[[dict[str, Any]], None], fragment: str
) -> None:
    broken = copy.deepcopy(deployed.template)
    breaking(broken)
    with pytest.raises(AssertionError) as raised:
        assert_as_declared(broken, deployed.physical_ids, deployed.settings)
    assert fragment in str(raised.value)


def test_a_repository_destroyed_with_its_stack_fails_the_retention_check(
    engine: Engine, stacks: Stacks, template: dict[str, Any]
) -> None:
    """The named repository, broken to DeletionPolicy Delete with EmptyOnDelete: gone with
    its stack and images. The retained repository beside it passes the same check."""
    ecr, name = engine.client("ecr"), "deploy-checks-retention"
    broken = copy.deepcopy(template)
    (named,) = (r for k, r in broken["Resources"].items() if k.startswith("Named"))
    named["Properties"]["RepositoryName"] = "checks/destroyed"
    named["Properties"]["EmptyOnDelete"] = True
    named["DeletionPolicy"] = named["UpdateReplacePolicy"] = "Delete"
    stacks.create(name, broken)
    retained = stacks.physical_ids(name)[next(k for k in broken["Resources"] if "Generated" in k)]
    for repository in ("checks/destroyed", retained):
        push_images(ecr, repository, count=2)
    before = kept_state(ecr)
    stacks.delete(name)
    after = kept_state(ecr)

    assert_kept(before, after, [retained])
    with pytest.raises(AssertionError, match="checks/destroyed: gone"):
        assert_kept(before, after, ["checks/destroyed"])


def test_a_lost_image_fails_the_retention_check(engine: Engine, deployed: Deployed) -> None:
    ecr = engine.client("ecr")
    digest, _ = push_images(ecr, NAMED, count=2)
    before = kept_state(ecr)
    ecr.batch_delete_image(repositoryName=NAMED, imageIds=[{"imageDigest": digest}])
    with pytest.raises(AssertionError, match=f"{NAMED}: lost images"):
        assert_kept(before, kept_state(ecr), [NAMED])


def test_a_replaced_repository_fails_the_replacement_check(
    engine: Engine, stacks: Stacks, template: dict[str, Any]
) -> None:
    """A change of encryption replaces the repository with the generated name (the engine
    refuses it only for named ones): a new repository, under a new name."""
    ecr, name = engine.client("ecr"), "deploy-checks-replacement"
    generated = {k: r for k, r in template["Resources"].items() if k.startswith("Generated")}
    alone = template | {"Resources": generated}
    stacks.create(name, alone)
    before_ids = repository_ids({name: alone}, {name: stacks.physical_ids(name)})
    push_images(ecr, next(iter(before_ids.values())), count=1)
    before = kept_state(ecr)
    broken = copy.deepcopy(alone)
    _change_encryption(broken)
    stacks.update(name, broken)
    after_ids = repository_ids({name: broken}, {name: stacks.physical_ids(name)})
    with pytest.raises(AssertionError, match="replaced"):
        assert_not_replaced(before_ids, after_ids, before, kept_state(ecr))
    stacks.delete(name)
