"""Switching from ``aws_ecr.Repository`` to this library's ``Repository`` on the local
CloudFormation engine, as docs/migrating.md tells it.

Three stacks of ``aws_ecr.Repository`` are deployed and given images. Then:
- the documented way (same construct IDs and name, ``encryption=AES_256``) updates a named
  and a generated-name repository in place: same ARN and creation time, images intact, the
  settings CloudFormation can change in place moved to the secure defaults;
- the undocumented way (the defaults, KMS) is refused for a named repository, and replaces
  a generated-name one with a new, empty repository, the old one left behind with the images.
``cdk diff`` says which is which before anything is deployed, and the compliance check tells
an AES256 repository that KMS means a new repository.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ecr as ecr

from ecr_constructs import Repository, RepositoryAccess
from ecr_constructs.standards import check_template

from .engine import ACCOUNT, REGION, Engine
from .readback import (
    assert_as_declared,
    assert_kept,
    assert_not_replaced,
    repositories_of,
    repository_ids,
)
from .stacks import Stacks, new_app, synthesized
from .test_cdk_cli import cli
from .test_round_trip import Step, create_with_images, observe

pytestmark = pytest.mark.deploy

DOCUMENTED = "deploy-migration"
"""A named and a generated-name repository, switched the documented way."""
DEFAULTS_NAMED = "deploy-migration-defaults-named"
DEFAULTS_GENERATED = "deploy-migration-defaults-generated"
"""One repository each, switched with the library's defaults."""
NAMED = "migration/service"
NAMED_WITH_DEFAULTS = "migration/defaults"
PULLER = "987654321098"
TAGS = {"team": "payments"}


def build(outdir: Path, *, switched: bool) -> dict[str, dict[str, Any]]:
    """The three stacks, with ``aws_ecr.Repository`` or, ``switched``, this library's."""
    app = new_app(outdir)
    env = cdk.Environment(account=ACCOUNT, region=REGION)
    documented = cdk.Stack(app, DOCUMENTED, env=env)
    defaults_named = cdk.Stack(app, DEFAULTS_NAMED, env=env)
    defaults_generated = cdk.Stack(app, DEFAULTS_GENERATED, env=env)
    if not switched:
        ecr.Repository(documented, "Service", repository_name=NAMED)
        ecr.Repository(documented, "Builds")
        ecr.Repository(defaults_named, "Service", repository_name=NAMED_WITH_DEFAULTS)
        ecr.Repository(defaults_generated, "Builds")
        return synthesized(app)
    Repository(
        documented,
        "Service",
        repository_name=NAMED,
        encryption=ecr.RepositoryEncryption.AES_256,
        access=[RepositoryAccess.pull(accounts=[PULLER])],
        tags=TAGS,
    )
    Repository(documented, "Builds", encryption=ecr.RepositoryEncryption.AES_256)
    Repository(defaults_named, "Service", repository_name=NAMED_WITH_DEFAULTS)
    Repository(defaults_generated, "Builds")
    return synthesized(app)


def ids(step: Step, stack: str) -> dict[str, str]:
    """``stack/logical ID`` -> repository name, for one stack of a step."""
    return repository_ids({stack: step.templates[stack]}, step.physical_ids)


@dataclass
class Diff:
    exit_code: int
    output: str


@dataclass
class Migration:
    before: Step
    after: Step
    diffs: dict[str, Diff]


def cdk_diff(engine: Engine, outdir: Path, stack: str) -> Diff:
    """``cdk diff`` of a synthesized stack against the deployed one, failing on a change that
    replaces a resource, as docs/migrating.md recommends for CI."""
    completed = cli(engine, "diff", "--app", str(outdir), stack, "--fail-on", "destructive")
    return Diff(completed.returncode, completed.stdout + completed.stderr)


@pytest.fixture(scope="module")
def migration(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Migration]:
    folder = tmp_path_factory.mktemp("migration")
    stacks, ecr_client = Stacks(engine.client("cloudformation")), engine.client("ecr")

    before = Step(build(folder / "before", switched=False))
    create_with_images(before, stacks, ecr_client)

    after = Step(build(folder / "after", switched=True))
    diffs = {name: cdk_diff(engine, folder / "after", name) for name in after.templates}
    stacks.update(DOCUMENTED, after.templates[DOCUMENTED])
    after.refusal = stacks.update(
        DEFAULTS_NAMED, after.templates[DEFAULTS_NAMED], expect="UPDATE_ROLLBACK_COMPLETE"
    )
    stacks.update(DEFAULTS_GENERATED, after.templates[DEFAULTS_GENERATED])
    observe(after, stacks, ecr_client)
    yield Migration(before, after, diffs)
    for name in after.templates:
        stacks.delete(name)


def test_this_librarys_repositories_have_aws_ecrs_logical_ids(migration: Migration) -> None:
    before, after = migration.before.templates, migration.after.templates
    assert {name: set(repositories_of(after[name])) for name in after} == {
        name: set(repositories_of(before[name])) for name in before
    }


def test_the_documented_way_keeps_both_repositories_with_their_images(
    migration: Migration,
) -> None:
    before, after = migration.before, migration.after
    kept = ids(before, DOCUMENTED)
    assert len(kept) == 2
    assert NAMED in kept.values()
    assert all(len(before.kept[name].images) == 2 for name in kept.values())
    assert_not_replaced(kept, ids(after, DOCUMENTED), before.kept, after.kept)


def test_the_documented_way_moves_the_in_place_settings_to_the_secure_defaults(
    migration: Migration,
) -> None:
    before, after = migration.before, migration.after
    assert_as_declared(after.templates[DOCUMENTED], after.physical_ids[DOCUMENTED], after.settings)
    for name in ids(before, DOCUMENTED).values():
        was, now = before.settings[name], after.settings[name]
        assert (was["ImageTagMutability"], now["ImageTagMutability"]) == ("MUTABLE", "IMMUTABLE")
        assert was["ImageScanningConfiguration"] == {"ScanOnPush": False}
        assert now["ImageScanningConfiguration"] == {"ScanOnPush": True}
        assert was["LifecyclePolicy"] is None
        assert now["LifecyclePolicy"]["rules"]
        assert was["EncryptionConfiguration"] == now["EncryptionConfiguration"]
        assert now["EncryptionConfiguration"] == {"EncryptionType": "AES256"}
    was, now = before.settings[NAMED], after.settings[NAMED]
    assert (was["RepositoryPolicyText"], was["Tags"]) == (None, {})
    assert now["RepositoryPolicyText"]["Statement"][0]["Principal"] == {
        "AWS": f"arn:aws:iam::{PULLER}:root"
    }
    assert now["Tags"] == TAGS


def test_the_defaults_are_refused_for_a_named_repository_and_nothing_is_lost(
    migration: Migration,
) -> None:
    before, after = migration.before, migration.after
    assert "custom-named resource requires replacing" in migration.after.refusal
    assert NAMED_WITH_DEFAULTS in migration.after.refusal
    assert after.settings[NAMED_WITH_DEFAULTS] == before.settings[NAMED_WITH_DEFAULTS]
    assert_as_declared(
        before.templates[DEFAULTS_NAMED], after.physical_ids[DEFAULTS_NAMED], after.settings
    )
    assert_not_replaced(
        ids(before, DEFAULTS_NAMED), ids(after, DEFAULTS_NAMED), before.kept, after.kept
    )


def test_the_defaults_replace_a_generated_name_repository_with_an_empty_one(
    migration: Migration,
) -> None:
    before, after = migration.before, migration.after
    ((key, old),) = ids(before, DEFAULTS_GENERATED).items()
    new = ids(after, DEFAULTS_GENERATED)[key]
    assert new != old
    assert after.kept[new].images == frozenset()
    assert after.settings[new]["EncryptionConfiguration"] == {"EncryptionType": "KMS"}
    # the old repository is retained, images and all, but no stack knows it any more
    assert_kept(before.kept, after.kept, [old])


def test_cdk_diff_shows_no_replacement_the_documented_way(migration: Migration) -> None:
    diff = migration.diffs[DOCUMENTED]
    assert diff.exit_code == 0, diff.output
    changed = [line for line in diff.output.splitlines() if line.startswith("[~] AWS::ECR")]
    assert len(changed) == 2, diff.output
    assert not any(line.endswith(" replace") for line in changed)
    assert "requires replacement" not in diff.output
    assert "ImageTagMutability" in diff.output


@pytest.mark.parametrize("stack", [DEFAULTS_NAMED, DEFAULTS_GENERATED])
def test_cdk_diff_shows_the_defaults_require_replacement(migration: Migration, stack: str) -> None:
    diff = migration.diffs[stack]
    assert diff.exit_code == 1, diff.output
    (changed,) = (line for line in diff.output.splitlines() if line.startswith("[~] AWS::ECR"))
    assert changed.endswith(" replace")
    assert "EncryptionConfiguration (requires replacement)" in diff.output


def test_the_compliance_check_tells_an_aes256_repository_that_kms_means_a_new_one(
    migration: Migration,
) -> None:
    for template in (migration.before.templates[DOCUMENTED], migration.after.templates[DOCUMENTED]):
        findings = [f for f in check_template(template) if f.rule_id == "ECR-KMS"]
        assert len(findings) == 2
        assert all("moving it to KMS means a new repository" in f.message for f in findings)
