"""Resolving a registry file: built-in defaults < extends chain < standard < repository."""

from __future__ import annotations

import re
import textwrap

import pytest

from ecr_constructs.errors import ConfigError
from ecr_constructs.lifecycle import Lifecycle, LifecyclePolicy, LifecyclePolicyWarning
from ecr_constructs.policy import AccessGrant
from ecr_constructs.standards import (
    RegistryConfig,
    ResolvedRepository,
    load_registry,
    parse_registry,
    resolve_registry,
)

from .registry_files import EXAMPLE, problems_of

# -- resolution: built-in defaults < extends chain < standard < repository ----------------

RESOLUTION = textwrap.dedent(
    """\
    version: 1
    standards:
      base:
        encryption: KMS
        lifecycle:
          - expire_untagged: {after_days: 1}
          - keep_last: {count: 30}
        access:
          pull_accounts: ["111111111111"]
          push_principals: ["arn:aws:iam::123456789012:role/ci"]
        tags: {team: platform, tier: base}
      service:
        extends: base
        tag_mutability: IMMUTABLE_WITH_EXCLUSION
        tag_mutability_exclusions: [latest]
        tags: {tier: service}
      sandbox:
        extends: service
        tag_mutability: MUTABLE
        tag_mutability_exclusions: []
        removal_policy: DESTROY
        empty_on_delete: true
        lifecycle:
          - keep_last: {count: 5}
    defaults:
      standard: service
    repositories:
      - name: uses-default
      - name: overrides
        scan_on_push: false
        tags: {owner: team-a}
        access:
          pull_accounts: ["222222222222"]
      - name: sandboxed
        standard: sandbox
      - name: plain
        standard: base
        encryption: AES256
    """
)


@pytest.fixture(scope="module")
def resolved() -> dict[str, ResolvedRepository]:
    loaded = parse_registry(RESOLUTION)
    return {repository.name: repository for repository in loaded.repositories}


def test_a_repository_without_standard_gets_defaults_standard_through_its_chain(
    resolved: dict[str, ResolvedRepository],
) -> None:
    assert resolved["uses-default"].standard == "service"
    repository = resolved["uses-default"].settings
    assert repository.tag_mutability == "IMMUTABLE_WITH_EXCLUSION"
    assert repository.tag_mutability_exclusions == ("latest",)
    assert repository.encryption == "KMS"  # from base, two levels up
    assert repository.scan_on_push is True  # built-in default
    assert repository.removal_policy == "RETAIN"  # built-in default
    assert dict(repository.tags) == {"team": "platform", "tier": "service"}  # tags merge


def test_repository_keys_override_and_tags_merge(
    resolved: dict[str, ResolvedRepository],
) -> None:
    repository = resolved["overrides"].settings
    assert repository.scan_on_push is False
    assert dict(repository.tags) == {"team": "platform", "tier": "service", "owner": "team-a"}


def test_each_access_list_replaces_only_the_inherited_list_of_the_same_name(
    resolved: dict[str, ResolvedRepository],
) -> None:
    def principals(repository: ResolvedRepository, sid: str) -> tuple[str, ...]:
        (grant,) = [grant for grant in repository.settings.access if grant.sid == sid]
        return grant.principals

    assert all(isinstance(grant, AccessGrant) for grant in resolved["overrides"].settings.access)
    assert principals(resolved["overrides"], "Pull") == ("arn:{partition}:iam::222222222222:root",)
    assert principals(resolved["overrides"], "Push") == ("arn:aws:iam::123456789012:role/ci",)
    assert principals(resolved["uses-default"], "Pull") == (
        "arn:{partition}:iam::111111111111:root",
    )


def test_lifecycle_lists_replace_and_are_composed_once_per_list(
    resolved: dict[str, ResolvedRepository],
) -> None:
    inherited = resolved["uses-default"].settings.lifecycle
    assert inherited == LifecyclePolicy.from_presets(
        [Lifecycle.expire_untagged(after_days=1), Lifecycle.keep_last(30)]
    )
    assert resolved["overrides"].settings.lifecycle is inherited
    sandboxed = resolved["sandboxed"].settings.lifecycle
    assert sandboxed == LifecyclePolicy.from_presets([Lifecycle.keep_last(5)])


def test_a_chain_of_standards_applies_base_first(
    resolved: dict[str, ResolvedRepository],
) -> None:
    sandboxed = resolved["sandboxed"].settings
    assert (sandboxed.tag_mutability, sandboxed.tag_mutability_exclusions) == ("MUTABLE", ())
    assert (sandboxed.removal_policy, sandboxed.empty_on_delete) == ("DESTROY", True)
    assert sandboxed.encryption == "KMS"
    plain = resolved["plain"]
    assert (plain.standard, plain.settings.encryption, plain.settings.tag_mutability) == (
        "base",
        "AES256",
        "IMMUTABLE",
    )


def test_without_any_standard_the_secure_defaults_apply() -> None:
    (resolved,) = parse_registry("version: 1\nrepositories: [{name: my-app}]\n").repositories
    assert resolved.standard is None
    repository = resolved.settings
    assert (repository.scan_on_push, repository.tag_mutability, repository.encryption) == (
        True,
        "IMMUTABLE",
        "KMS",
    )
    assert (repository.removal_policy, repository.empty_on_delete) == ("RETAIN", False)
    assert repository.kms_key_arn is None
    assert repository.lifecycle == LifecyclePolicy.from_presets(Lifecycle.DEFAULT)
    assert repository.access == ()
    assert dict(repository.tags) == {}


def test_a_broken_standard_is_reported_once_not_per_repository() -> None:
    text = textwrap.dedent(
        """\
        version: 1
        standards:
          base:
            empty_on_delete: true
        defaults: {standard: base}
        repositories:
          - name: one
          - name: two
        """
    )
    assert [p.where for p in problems_of(text)] == [
        "registry.yaml:4: standards.base.empty_on_delete"
    ]


def test_every_cycle_is_reported_once() -> None:
    text = "version: 1\nstandards:\n  a: {extends: b}\n  b: {extends: a}\n  c: {extends: a}\n"
    (problem,) = problems_of(text)
    assert str(problem).startswith("registry.yaml:3: standards.a.extends: extends forms a cycle")


def test_creation_templates_resolve_their_standard() -> None:
    docker_hub, root = load_registry(EXAMPLE).creation_templates
    assert (docker_hub.prefix, docker_hub.applied_for) == ("docker-hub", ("PULL_THROUGH_CACHE",))
    assert docker_hub.standard == "cache"
    assert docker_hub.settings.tag_mutability == "MUTABLE"
    assert docker_hub.settings.lifecycle.rules
    assert root.prefix == "ROOT"


def test_a_config_built_in_python_is_checked_when_resolved() -> None:
    config = RegistryConfig.model_validate(
        {"version": 1, "repositories": [{"name": "my-app", "standard": "missing"}]}
    )
    with pytest.raises(ConfigError) as caught:
        resolve_registry(config)
    (problem,) = caught.value.problems
    assert problem.where == "RegistryConfig: repositories[0].standard"


def test_lifecycle_warnings_carry_their_location() -> None:
    text = textwrap.dedent(
        """\
        version: 1
        repositories:
          - name: my-app
            lifecycle:
              - raw:
                  selection:
                    tagStatus: tagged
                    tagPrefixList: [a, b]
                    countType: imageCountMoreThan
                    countNumber: 1
                  action: {type: expire}
        """
    )
    where = "registry.yaml:8: repositories[0].lifecycle[0].raw.selection.tagPrefixList"
    with pytest.warns(LifecyclePolicyWarning, match=re.escape(where)):
        loaded = parse_registry(text)
    (warning,) = loaded.warnings
    assert warning.where == where
    assert warning.message.startswith("has 2 entries")


def test_the_example_registry_loads() -> None:
    loaded = load_registry(EXAMPLE)
    config = loaded.config
    repositories = loaded.repositories
    assert len(repositories) == 15
    assert len({repository.name for repository in repositories}) == 15
    assert {r.standard for r in repositories} == {"production", "development"}
    assert config.public_repositories[0].name == "acme-cli"
    registry = config.registry
    assert registry.scanning is not None and registry.scanning.type == "ENHANCED"
    assert registry.replication is not None and len(registry.replication.rules) == 2
    assert [rule.upstream for rule in registry.pull_through_cache] == [
        "docker-hub",
        "ecr-public",
        "quay",
        "ecr",
    ]
    assert registry.pull_through_cache[3].upstream_repository_prefix == "base-images"
    assert registry.replication_sources == ("111111111111",)
    assert registry.policy_scope == "V2"
    assert registry.signing is not None and len(registry.signing.rules) == 1
    assert registry.pull_time_update_exclusions == ("arn:aws:iam::123456789012:role/image-scanner",)
    assert (config.deployment.region, config.deployment.max_resources_per_stack) == (
        "us-east-1",
        400,
    )
    assert loaded.warnings == ()


def test_a_thousand_repositories_load_and_share_their_lifecycle_policy() -> None:
    teams = "\n".join(
        f"  - {{name: team-{n % 20}/service-{n}, standard: {'svc' if n % 3 else 'dev'}, "
        f"tags: {{team: team-{n % 20}}}}}"
        for n in range(1000)
    )
    text = (
        textwrap.dedent(
            """\
        version: 1
        standards:
          svc:
            lifecycle: [{expire_untagged: {after_days: 1}}, {keep_last: {count: 10}}]
            access: {pull_accounts: ["111111111111"]}
          dev:
            extends: svc
            tag_mutability: MUTABLE
        repositories:
        """
        )
        + teams
        + "\n"
    )
    loaded = parse_registry(text)
    assert len(loaded.repositories) == 1000
    assert len({id(r.settings.lifecycle) for r in loaded.repositories}) == 1  # composed once


def test_the_complete_file_of_the_documentation_loads() -> None:
    docs = (EXAMPLE.parent.parent / "docs" / "registry-file.md").read_text()
    example = docs.split("## A complete file", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    loaded = parse_registry(example, "docs.yaml")
    names = [repository.name for repository in loaded.repositories]
    assert names == ["my-app", "team-a/service-x"]
    assert loaded.config.registry.creation_templates[0].standard == "cache"


def test_null_clears_an_inherited_kms_key() -> None:
    text = textwrap.dedent(
        """\
        version: 1
        standards:
          keyed: {kms_key_arn: "arn:aws:kms:us-east-1:123456789012:key/abc"}
        repositories:
          - {name: with-key, standard: keyed}
          - {name: without-key, standard: keyed, kms_key_arn: null}
        """
    )
    with_key, without_key = (r.settings for r in parse_registry(text).repositories)
    assert with_key.kms_key_arn == "arn:aws:kms:us-east-1:123456789012:key/abc"
    assert (without_key.kms_key_arn, without_key.encryption) == (None, "KMS")
