"""Loading the registry file: every problem at once, each with file, line and field path."""

from __future__ import annotations

import json
import re
import textwrap
import time
from pathlib import Path

import pytest

from ecr_constructs.errors import ConfigError, Problem
from ecr_constructs.lifecycle import LifecyclePolicy, LifecyclePolicyWarning, LifecyclePreset
from ecr_constructs.policy import AccessGrant
from ecr_constructs.standards import (
    RegistryConfig,
    ResolvedRepository,
    load_registry_config,
    parse_registry_config,
)

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "registry.yaml"
MARK = "# <"


def problems_of(text: str, source_name: str = "registry.yaml") -> tuple[Problem, ...]:
    with pytest.raises(ConfigError) as caught:
        parse_registry_config(text, source_name)
    return caught.value.problems


def marked(text: str) -> tuple[str, int]:
    """The YAML text and the line number of the line marked ``# <``."""
    text = textwrap.dedent(text).lstrip("\n")
    lines = [number for number, line in enumerate(text.splitlines(), 1) if MARK in line]
    assert len(lines) == 1, "mark exactly one line"
    return text, lines[0]


def one_line(items: list[str]) -> str:
    return "[" + ", ".join(items) + "]"


REGIONS = one_line([f"{{region: us-east-{n}}}" for n in range(1, 27)])
PREFIXES = one_line([f"p{n:03d}" for n in range(101)])
CACHE_RULES = one_line([f"{{prefix: cache{n:02d}, upstream: quay}}" for n in range(51)])
ELEVEN_RULES = one_line(["{destinations: [{region: eu-west-1}]}"] * 11)

# (id, YAML with the expected line marked "# <", field path, fragment of the message)
BAD_INPUT = [
    (
        "unknown-top-key",
        "version: 1\nreposotories: []  # <\n",
        "reposotories",
        "unknown key; did you mean 'repositories'?",
    ),
    ("missing-version", "repositories: []  # <\n", "version", "required key is missing"),
    ("version-2", "version: 2  # <\n", "version", "not an allowed value (given 2; allowed: 1)"),
    ("version-string", "version: '1'  # <\n", "version", "expected the number 1"),
    (
        "repo-key-typo",
        """
        version: 1
        repositories:
          - name: my-app
            scan_on_psh: true  # <
        """,
        "repositories[0].scan_on_psh",
        "unknown key; did you mean 'scan_on_push'?",
    ),
    (
        "repo-name-invalid",
        """
        version: 1
        repositories:
          - name: My_App  # <
        """,
        "repositories[0].name",
        "repository name is not valid (given 'My_App'",
    ),
    (
        "repo-name-short",
        """
        version: 1
        repositories:
          - name: a  # <
        """,
        "repositories[0].name",
        "must be 2 to 256 characters long",
    ),
    (
        "repo-name-missing",
        """
        version: 1
        repositories:
          - scan_on_push: true  # <
        """,
        "repositories[0].name",
        "required key is missing",
    ),
    (
        "repo-name-duplicate",
        """
        version: 1
        repositories:
          - name: my-app
          - name: other
          - name: my-app  # <
        """,
        "repositories[2].name",
        "duplicate repository name (first at repositories[0], line 3) (given 'my-app'",
    ),
    (
        "public-name-duplicate",
        """
        version: 1
        public_repositories:
          - name: tool
          - name: tool  # <
        deployment: {region: us-east-1}
        """,
        "public_repositories[1].name",
        "duplicate public repository name",
    ),
    (
        "scan-on-push-string",
        """
        version: 1
        repositories:
          - name: my-app
            scan_on_push: "yes"  # <
        """,
        "repositories[0].scan_on_push",
        "expected true or false (given 'yes')",
    ),
    (
        "tag-mutability-value",
        """
        version: 1
        standards:
          base:
            tag_mutability: IMMUTABLE_  # <
        """,
        "standards.base.tag_mutability",
        "not an allowed value (given 'IMMUTABLE_'; allowed: 'MUTABLE', 'IMMUTABLE'",
    ),
    (
        "encryption-value",
        """
        version: 1
        standards:
          base:
            encryption: KMS_DSSE  # <
        """,
        "standards.base.encryption",
        "given 'KMS_DSSE'; allowed: 'AES256' or 'KMS'",
    ),
    (
        "null-setting",
        """
        version: 1
        standards:
          base:
            scan_on_push:  # <
        """,
        "standards.base.scan_on_push",
        "null is not allowed here",
    ),
    (
        "unknown-standard",
        """
        version: 1
        standards:
          production: {}
        repositories:
          - name: my-app
            standard: prod  # <
        """,
        "repositories[0].standard",
        "unknown standard; did you mean 'production'? (given 'prod'; allowed: production)",
    ),
    (
        "unknown-default-standard",
        """
        version: 1
        defaults:
          standard: missing  # <
        """,
        "defaults.standard",
        "unknown standard (given 'missing'; allowed: none defined)",
    ),
    (
        "unknown-extends",
        """
        version: 1
        standards:
          development:
            extends: prodution  # <
          production: {}
        """,
        "standards.development.extends",
        "did you mean 'production'?",
    ),
    (
        "extends-cycle",
        """
        version: 1
        standards:
          a:
            extends: b  # <
          b:
            extends: c
          c:
            extends: a
        """,
        "standards.a.extends",
        "extends forms a cycle: a -> b -> c -> a",
    ),
    (
        "extends-itself",
        """
        version: 1
        standards:
          a:
            extends: a  # <
        """,
        "standards.a.extends",
        "extends forms a cycle: a -> a",
    ),
    (
        "standard-name-invalid",
        """
        version: 1
        standards:
          my standard: {}  # <
        """,
        'standards["my standard"]',
        "not a valid standard name",
    ),
    (
        "exclusions-without-mode",
        """
        version: 1
        standards:
          base:
            tag_mutability: IMMUTABLE
            tag_mutability_exclusions: [latest]  # <
        """,
        "standards.base.tag_mutability_exclusions",
        "only apply with IMMUTABLE_WITH_EXCLUSION or MUTABLE_WITH_EXCLUSION "
        "(given 'tag_mutability IMMUTABLE'",
    ),
    (
        "mode-without-exclusions",
        """
        version: 1
        standards:
          base:
            tag_mutability: IMMUTABLE_WITH_EXCLUSION  # <
        """,
        "standards.base.tag_mutability",
        "IMMUTABLE_WITH_EXCLUSION needs 1 to 5 tag_mutability_exclusions",
    ),
    (
        "exclusions-inherited",
        """
        version: 1
        standards:
          base:
            tag_mutability: IMMUTABLE_WITH_EXCLUSION
            tag_mutability_exclusions: [latest]
        repositories:
          - name: my-app
            standard: base
            tag_mutability: MUTABLE  # <
        """,
        "repositories[0].tag_mutability",
        "given 'tag_mutability_exclusions [latest] (from standards.base)'",
    ),
    (
        "exclusions-six",
        """
        version: 1
        standards:
          base:
            tag_mutability: IMMUTABLE_WITH_EXCLUSION
            tag_mutability_exclusions: [a, b, c, d, e, f]  # <
        """,
        "standards.base.tag_mutability_exclusions",
        "too many items (given 6; allowed: at most 5)",
    ),
    (
        "exclusion-filter-invalid",
        """
        version: 1
        standards:
          base:
            tag_mutability: IMMUTABLE_WITH_EXCLUSION
            tag_mutability_exclusions:
              - latest
              - "release candidate"  # <
        """,
        "standards.base.tag_mutability_exclusions[1]",
        "not a valid tag mutability exclusion filter",
    ),
    (
        "empty-on-delete-retain",
        """
        version: 1
        repositories:
          - name: my-app
            empty_on_delete: true  # <
        """,
        "repositories[0].empty_on_delete",
        "empty_on_delete needs removal_policy DESTROY (given 'removal_policy RETAIN (the default)'",
    ),
    (
        "kms-key-with-aes",
        """
        version: 1
        standards:
          plain: {encryption: AES256}
        repositories:
          - name: my-app
            standard: plain
            kms_key_arn: arn:aws:kms:us-east-1:123456789012:key/abc  # <
        """,
        "repositories[0].kms_key_arn",
        "kms_key_arn needs encryption KMS (given 'encryption AES256 (from standards.plain)'",
    ),
    (
        "kms-key-not-arn",
        """
        version: 1
        repositories:
          - name: my-app
            kms_key_arn: alias/my-key  # <
        """,
        "repositories[0].kms_key_arn",
        "not a KMS key ARN",
    ),
    (
        "kms-key-other-region",
        """
        version: 1
        repositories:
          - name: my-app
            kms_key_arn: arn:aws:kms:eu-west-1:123456789012:key/abc  # <
        deployment: {region: us-east-1}
        """,
        "repositories[0].kms_key_arn",
        "the KMS key must be in the repository's region (given 'eu-west-1'",
    ),
    (
        "tag-value-number",
        """
        version: 1
        repositories:
          - name: my-app
            tags:
              cost-center: 1234  # <
        """,
        "repositories[0].tags.cost-center",
        "expected a string; quote it (given 1234)",
    ),
    (
        "tag-key-reserved",
        """
        version: 1
        repositories:
          - name: my-app
            tags:
              "aws:team": x  # <
        """,
        'repositories[0].tags["aws:team"]',
        "tag keys starting with 'aws:' are reserved",
    ),
    (
        "tag-key-not-string",
        """
        version: 1
        repositories:
          - name: my-app
            tags:
              1: x  # <
        """,
        "repositories[0].tags.1",
        "keys must be strings; quote the key",
    ),
    (
        "public-outside-us-east-1",
        """
        version: 1
        public_repositories:  # <
          - name: tool
        deployment: {region: eu-west-1}
        """,
        "public_repositories",
        "public repositories exist only in us-east-1; set deployment.region: us-east-1 "
        "(given 'eu-west-1'",
    ),
    (
        "public-without-region",
        """
        version: 1
        public_repositories:  # <
          - name: tool
        """,
        "public_repositories",
        "given 'deployment.region not set'",
    ),
    (
        "public-architecture",
        """
        version: 1
        public_repositories:
          - name: tool
            architectures: [amd64]  # <
        deployment: {region: us-east-1}
        """,
        "public_repositories[0].architectures[0]",
        "not an allowed value (given 'amd64'; allowed: 'ARM', 'ARM 64', 'x86' or 'x86-64')",
    ),
    (
        "scanning-three-rules",
        """
        version: 1
        registry:
          scanning:
            type: BASIC
            rules:  # <
              - {frequency: SCAN_ON_PUSH, filters: [a]}
              - {frequency: SCAN_ON_PUSH, filters: [b]}
              - {frequency: SCAN_ON_PUSH, filters: [c]}
        """,
        "registry.scanning.rules",
        "a registry scanning configuration has at most 2 rules (given 3; allowed: 0..2 rules)",
    ),
    (
        "scanning-frequency-for-type",
        """
        version: 1
        registry:
          scanning:
            type: BASIC
            rules:
              - frequency: CONTINUOUS_SCAN  # <
                filters: ["*"]
        """,
        "registry.scanning.rules[0].frequency",
        "CONTINUOUS_SCAN is not available with BASIC scanning (given 'CONTINUOUS_SCAN'; "
        "allowed: SCAN_ON_PUSH or MANUAL)",
    ),
    (
        "scanning-manual-enhanced",
        """
        version: 1
        registry:
          scanning:
            type: ENHANCED
            rules:
              - frequency: MANUAL  # <
                filters: ["*"]
        """,
        "registry.scanning.rules[0].frequency",
        "allowed: SCAN_ON_PUSH or CONTINUOUS_SCAN",
    ),
    (
        "scanning-same-frequency-twice",
        """
        version: 1
        registry:
          scanning:
            type: BASIC
            rules:
              - {frequency: SCAN_ON_PUSH, filters: [a*]}
              - {frequency: SCAN_ON_PUSH, filters: [b*]}  # <
        """,
        "registry.scanning.rules[1].frequency",
        "two rules with the same frequency: give one rule per frequency (given 'SCAN_ON_PUSH'",
    ),
    (
        "scanning-manual-overlaps-on-push",
        """
        version: 1
        registry:
          scanning:
            type: BASIC
            rules:  # <
              - {frequency: SCAN_ON_PUSH, filters: ["*"]}
              - {frequency: MANUAL, filters: [legacy*]}
        """,
        "registry.scanning.rules",
        "a MANUAL filter overlaps a SCAN_ON_PUSH filter",
    ),
    (
        "scanning-filter",
        """
        version: 1
        registry:
          scanning:
            type: ENHANCED
            rules:
              - frequency: SCAN_ON_PUSH
                filters: ["Prod*"]  # <
        """,
        "registry.scanning.rules[0].filters[0]",
        "not a valid WILDCARD repository filter (given 'Prod*'",
    ),
    (
        "scanning-frequency-missing",
        """
        version: 1
        registry:
          scanning:
            type: ENHANCED
            rules:
              - filters: ["*"]  # <
        """,
        "registry.scanning.rules[0].frequency",
        "required key is missing",
    ),
    (
        "replication-eleven-rules",
        f"""
        version: 1
        registry:
          replication:
            rules: {ELEVEN_RULES}  # <
        """,
        "registry.replication.rules",
        "a replication configuration has at most 10 rules (given 11; allowed: 1..10 rules)",
    ),
    (
        "replication-27-destinations",
        f"""
        version: 1
        registry:
          replication:
            rules:  # <
              - destinations: [{{region: eu-west-1}}]
              - destinations: {REGIONS}
        """,
        "registry.replication.rules",
        "at most 25 unique destinations (given 27; allowed: 1..25 unique destinations)",
    ),
    (
        "replication-101-prefixes",
        f"""
        version: 1
        registry:
          replication:
            rules:
              - destinations: [{{region: eu-west-1}}]
                repository_prefixes: {PREFIXES}  # <
        """,
        "registry.replication.rules[0].repository_prefixes",
        "a replication rule has at most 100 prefix filters (given 101; allowed: 0..100",
    ),
    (
        "replication-to-itself",
        """
        version: 1
        registry:
          replication:
            rules:
              - destinations:
                  - {region: eu-west-1}  # <
        deployment: {region: eu-west-1}
        """,
        "registry.replication.rules[0].destinations[0]",
        "a registry can't replicate to itself (given 'account (this account), region eu-west-1'",
    ),
    (
        "replication-account",
        """
        version: 1
        registry:
          replication:
            rules:
              - destinations:
                  - {region: eu-west-1, account: "12345678901"}  # <
        """,
        "registry.replication.rules[0].destinations[0].account",
        "an AWS account ID must be 12 digits (given '12345678901'",
    ),
    (
        "replication-account-unquoted",
        """
        version: 1
        registry:
          replication:
            rules:
              - destinations:
                  - {region: eu-west-1, account: 123456789012}  # <
        """,
        "registry.replication.rules[0].destinations[0].account",
        "expected a string; quote it",
    ),
    (
        "replication-no-destination",
        """
        version: 1
        registry:
          replication:
            rules:
              - destinations: []  # <
        """,
        "registry.replication.rules[0].destinations",
        "too few items (given 0; allowed: at least 1)",
    ),
    (
        "cache-needs-secret",
        """
        version: 1
        registry:
          pull_through_cache:
            - prefix: docker-hub  # <
              upstream: docker-hub
        """,
        "registry.pull_through_cache[0].credential_secret",
        "upstream docker-hub needs credentials (allowed: a Secrets Manager secret",
    ),
    (
        "cache-takes-no-secret",
        """
        version: 1
        registry:
          pull_through_cache:
            - prefix: quay
              upstream: quay
              credential_secret: ecr-pullthroughcache/quay  # <
        """,
        "registry.pull_through_cache[0].credential_secret",
        "upstream quay takes no credentials (given 'ecr-pullthroughcache/quay'",
    ),
    (
        "cache-secret-name",
        """
        version: 1
        registry:
          pull_through_cache:
            - prefix: docker-hub
              upstream: docker-hub
              credential_secret: docker-hub-token  # <
        """,
        "registry.pull_through_cache[0].credential_secret",
        "not a pull-through cache secret",
    ),
    (
        "cache-secret-other-region",
        """
        version: 1
        registry:
          pull_through_cache:
            - prefix: docker-hub
              upstream: docker-hub
              credential_secret:  # <
                arn:aws:secretsmanager:eu-west-1:123456789012:secret:ecr-pullthroughcache/hub
        deployment: {region: us-east-1}
        """,
        "registry.pull_through_cache[0].credential_secret",
        "the secret must be in the registry's region (given 'eu-west-1'",
    ),
    (
        "cache-prefix-duplicate",
        """
        version: 1
        registry:
          pull_through_cache:
            - {prefix: mirror, upstream: quay}
            - {prefix: mirror, upstream: k8s}  # <
        """,
        "registry.pull_through_cache[1].prefix",
        "duplicate pull-through cache prefix (first at registry.pull_through_cache[0], line 4)",
    ),
    (
        "cache-prefix-duplicate-with-slash",
        """
        version: 1
        registry:
          pull_through_cache:
            - {prefix: mirror, upstream: quay}
            - {prefix: mirror/, upstream: k8s}  # <
        """,
        "registry.pull_through_cache[1].prefix",
        "duplicate pull-through cache prefix (first at registry.pull_through_cache[0], line 4)",
    ),
    (
        "cache-prefix-long",
        """
        version: 1
        registry:
          pull_through_cache:
            - prefix: a-very-long-cache-prefix-name-x  # <
              upstream: quay
        """,
        "registry.pull_through_cache[0].prefix",
        "a pull-through cache prefix must be 2 to 30 characters long, or ROOT (given",
    ),
    (
        "cache-51-rules",
        f"""
        version: 1
        registry:
          pull_through_cache: {CACHE_RULES}  # <
        """,
        "registry.pull_through_cache",
        "a registry has at most 50 pull-through cache rules (given 51; allowed: 0..50",
    ),
    (
        "cache-upstream-typo",
        """
        version: 1
        registry:
          pull_through_cache:
            - prefix: hub
              upstream: dockerhub  # <
        """,
        "registry.pull_through_cache[0].upstream",
        "unknown upstream; did you mean 'docker-hub'? (given 'dockerhub'",
    ),
    (
        "cache-ecr-needs-role",
        """
        version: 1
        registry:
          pull_through_cache:
            - prefix: central  # <
              upstream: ecr
              upstream_url: 111122223333.dkr.ecr.us-west-2.amazonaws.com
        """,
        "registry.pull_through_cache[0].custom_role_arn",
        "upstream ecr needs a custom_role_arn",
    ),
    (
        "cache-azure-url",
        """
        version: 1
        registry:
          pull_through_cache:
            - prefix: azure
              upstream: azure-container-registry
              credential_secret: ecr-pullthroughcache/azure
              upstream_url: myregistry.docker.io  # <
        """,
        "registry.pull_through_cache[0].upstream_url",
        "not a valid azure-container-registry URL",
    ),
    (
        "template-prefix-duplicate",
        """
        version: 1
        registry:
          creation_templates:
            - prefix: ROOT
              applied_for: [REPLICATION]
              custom_role_arn: arn:aws:iam::123456789012:role/c
            - prefix: ROOT  # <
              applied_for: [CREATE_ON_PUSH]
              custom_role_arn: arn:aws:iam::123456789012:role/c
        """,
        "registry.creation_templates[1].prefix",
        "duplicate creation template prefix",
    ),
    (
        "template-applied-for-twice",
        """
        version: 1
        registry:
          creation_templates:
            - prefix: ROOT
              applied_for: [REPLICATION, REPLICATION]  # <
              custom_role_arn: "arn:aws:iam::123456789012:role/c"
        """,
        "registry.creation_templates[0].applied_for",
        "applied_for lists a value twice",
    ),
    (
        "template-needs-role",
        """
        version: 1
        registry:
          creation_templates:
            - prefix: ROOT  # <
              applied_for: [PULL_THROUGH_CACHE]
        """,
        "registry.creation_templates[0].custom_role_arn",
        "the template's standard uses KMS encryption, so ECR needs a custom_role_arn",
    ),
    (
        "template-unknown-standard",
        """
        version: 1
        registry:
          creation_templates:
            - prefix: ROOT
              applied_for: [PULL_THROUGH_CACHE]
              standard: cach  # <
        """,
        "registry.creation_templates[0].standard",
        "unknown standard",
    ),
    (
        "replication-sources-account",
        """
        version: 1
        registry:
          replication_sources: ["11111111111"]  # <
        """,
        "registry.replication_sources[0]",
        "an AWS account ID must be 12 digits",
    ),
    (
        "registry-key-typo",
        """
        version: 1
        registry:
          scaning: {type: BASIC}  # <
        """,
        "registry.scaning",
        "unknown key; did you mean 'scanning'?",
    ),
    (
        "registry-section-twice",
        """
        version: 1
        registry:
          scanning: {type: BASIC}
          scanning: {type: ENHANCED}  # <
        """,
        "registry.scanning",
        "duplicate key (first at line 3)",
    ),
    (
        "max-resources-above-500",
        """
        version: 1
        deployment:
          max_resources_per_stack: 501  # <
        """,
        "deployment.max_resources_per_stack",
        "out of range (given 501; allowed: <= 500)",
    ),
    (
        "max-resources-string",
        """
        version: 1
        deployment:
          max_resources_per_stack: "400"  # <
        """,
        "deployment.max_resources_per_stack",
        "expected a whole number (given '400')",
    ),
    (
        "stack-name",
        """
        version: 1
        deployment:
          stack_name: 1-registry  # <
        """,
        "deployment.stack_name",
        "not a valid CloudFormation stack name",
    ),
    (
        "region",
        """
        version: 1
        deployment:
          region: Europe  # <
        """,
        "deployment.region",
        "not an AWS region (given 'Europe'",
    ),
    (
        "deployment-key-typo",
        """
        version: 1
        deployment:
          acount: "123456789012"  # <
        """,
        "deployment.acount",
        "unknown key; did you mean 'account'?",
    ),
    (
        "lifecycle-preset-typo",
        """
        version: 1
        repositories:
          - name: my-app
            lifecycle:
              - keep_lst: {count: 10}  # <
        """,
        "repositories[0].lifecycle[0].keep_lst",
        "unknown key; did you mean 'keep_last'?",
    ),
    (
        "lifecycle-argument-typo",
        """
        version: 1
        repositories:
          - name: my-app
            lifecycle:
              - keep_last: {count: 10, prefixs: [dev]}  # <
        """,
        "repositories[0].lifecycle[0].keep_last.prefixs",
        "unknown key; did you mean 'prefixes'? (allowed: count, patterns, prefixes)",
    ),
    (
        "lifecycle-argument-missing",
        """
        version: 1
        repositories:
          - name: my-app
            lifecycle:
              - keep_last: {}  # <
        """,
        "repositories[0].lifecycle[0].keep_last.count",
        "required key is missing",
    ),
    (
        "lifecycle-count-zero",
        """
        version: 1
        standards:
          base:
            lifecycle:
              - keep_last: {count: 0}  # <
        """,
        "standards.base.lifecycle[0].keep_last.count",
        "must be at least 1 (given 0",
    ),
    (
        "lifecycle-archive-minimum",
        """
        version: 1
        standards:
          base:
            lifecycle:
              - expire_archived: {after_days: 30}  # <
        """,
        "standards.base.lifecycle[0].expire_archived.after_days",
        "at least 90",
    ),
    (
        "lifecycle-two-presets",
        """
        version: 1
        standards:
          base:
            lifecycle:
              - keep_last: {count: 10}  # <
                expire_untagged: {after_days: 1}
        """,
        "standards.base.lifecycle[0]",
        "each lifecycle item names exactly one preset",
    ),
    (
        "lifecycle-any-rule-not-last",
        """
        version: 1
        standards:
          base:
            lifecycle:
              - keep_last: {count: 10}  # <
              - expire_untagged: {after_days: 1}
        """,
        "standards.base.lifecycle[0]",
        "selects every image (tagStatus any)",
    ),
    (
        "lifecycle-raw-selection",
        """
        version: 1
        standards:
          base:
            lifecycle:
              - raw:
                  selection: {tagStatus: tagged, countType: imageCountMoreThan, countNumber: 1}  # <
                  action: {type: expire}
        """,
        "standards.base.lifecycle[0].raw.selection",
        "tagStatus tagged needs tagPrefixList",
    ),
    (
        "lifecycle-empty",
        """
        version: 1
        repositories:
          - name: my-app
            lifecycle: []  # <
        """,
        "repositories[0].lifecycle",
        "a lifecycle policy has 1 to 50 rules",
    ),
    (
        "access-account",
        """
        version: 1
        standards:
          base:
            access:
              pull_accounts: ["123456789012", "98765432109"]  # <
        """,
        "standards.base.access.pull_accounts[1]",
        "not an AWS account ID (given '98765432109'; allowed: a 12-digit AWS account ID)",
    ),
    (
        "access-principal",
        """
        version: 1
        repositories:
          - name: my-app
            access:
              push_principals:
                - arn:aws:iam::123456789012:rol/ci  # <
        """,
        "repositories[0].access.push_principals[0]",
        "not an IAM principal",
    ),
    (
        "access-organization",
        """
        version: 1
        repositories:
          - name: my-app
            access:
              pull_organizations: [o-bad]  # <
        """,
        "repositories[0].access.pull_organizations[0]",
        "not an AWS Organizations ID",
    ),
    (
        "access-key-typo",
        """
        version: 1
        repositories:
          - name: my-app
            access:
              pull_acounts: ["123456789012"]  # <
        """,
        "repositories[0].access.pull_acounts",
        "did you mean 'pull_accounts'?",
    ),
    (
        "repositories-not-list",
        """
        version: 1
        repositories:  # <
          name: my-app
        """,
        "repositories",
        "expected a list",
    ),
    (
        "standards-not-mapping",
        """
        version: 1
        standards: [production]  # <
        """,
        "standards",
        "expected a mapping",
    ),
    (
        "yaml-tag",
        """
        version: 1
        deployment:
          region: !Ref AWS::Region  # <
        """,
        "deployment.region",
        "unsupported YAML tag !Ref",
    ),
    ("empty-file", "# <\n", "(top level)", "the file is empty"),
    ("top-level-list", "- version: 1  # <\n", "(top level)", "expected a mapping at the top level"),
]


@pytest.mark.parametrize(
    ("text", "path", "fragment"),
    [pytest.param(text, path, fragment, id=case) for case, text, path, fragment in BAD_INPUT],
)
def test_bad_input_names_file_line_path_and_what_is_wrong(
    text: str, path: str, fragment: str
) -> None:
    source, line = marked(text)
    found = problems_of(source)
    where = f"registry.yaml:{line}: {path}"
    assert [p.where for p in found] == [where] * len(found), [str(p) for p in found]
    assert any(fragment in str(p) for p in found), [str(p) for p in found]


def test_the_bad_input_table_is_large() -> None:
    assert len(BAD_INPUT) >= 40


def test_every_mistake_of_a_file_is_reported_at_once() -> None:
    text = textwrap.dedent(
        """\
        version: 1
        standards:
          production:
            scan_on_psh: true
            lifecycle:
              - keep_last: {count: 0}
        defaults:
          standard: produciton
        repositories:
          - name: my-app
          - name: Bad_Name
          - name: my-app
            standard: production
            empty_on_delete: true
        registry:
          pull_through_cache:
            - {prefix: docker-hub, upstream: docker-hub}
        deployment:
          max_resources_per_stack: 600
        """
    )
    found = [str(p) for p in problems_of(text)]
    assert found == [
        "registry.yaml:4: standards.production.scan_on_psh: unknown key; did you mean "
        "'scan_on_push'? (allowed: access, empty_on_delete, encryption, extends, kms_key_arn, "
        "lifecycle, removal_policy, scan_on_push, tag_mutability, tag_mutability_exclusions, "
        "tags)",
        "registry.yaml:6: standards.production.lifecycle[0].keep_last.count: must be at least 1 "
        "(given 0; allowed: >= 1)",
        "registry.yaml:8: defaults.standard: unknown standard; did you mean 'production'? "
        "(given 'produciton'; allowed: production)",
        "registry.yaml:11: repositories[1].name: repository name is not valid (given "
        "'Bad_Name'; allowed: lowercase letters and digits, . _ - between them, segments "
        "separated by /)",
        "registry.yaml:12: repositories[2].name: duplicate repository name (first at "
        "repositories[0], line 10) (given 'my-app'; allowed: each name once)",
        "registry.yaml:14: repositories[2].empty_on_delete: empty_on_delete needs "
        "removal_policy DESTROY (given 'removal_policy RETAIN (the default)'; allowed: "
        "removal_policy DESTROY, or empty_on_delete false)",
        "registry.yaml:17: registry.pull_through_cache[0].credential_secret: upstream "
        "docker-hub needs credentials (allowed: a Secrets Manager secret name or ARN starting "
        "with ecr-pullthroughcache/)",
        "registry.yaml:19: deployment.max_resources_per_stack: out of range (given 600; "
        "allowed: <= 500)",
    ]


def test_a_problem_in_one_section_does_not_hide_cross_section_rules() -> None:
    # deployment is invalid (max_resources_per_stack), yet its region still decides.
    text = textwrap.dedent(
        """\
        version: 1
        public_repositories:
          - name: tool
        deployment:
          max_resources_per_stack: 0
          region: eu-west-1
        """
    )
    assert [p.where for p in problems_of(text)] == [
        "registry.yaml:2: public_repositories",
        "registry.yaml:5: deployment.max_resources_per_stack",
    ]


def test_the_error_is_one_config_error_with_one_problem_per_line() -> None:
    text = "version: 1\nrepositories:\n  - name: A\n  - name: B\n"
    with pytest.raises(ConfigError) as caught:
        parse_registry_config(text, "teams.yml")
    lines = str(caught.value).splitlines()
    assert len(lines) == len(caught.value.problems) == 2
    assert lines[0].startswith("teams.yml:3: repositories[0].name: ")
    assert lines[1].startswith("teams.yml:4: repositories[1].name: ")


@pytest.mark.parametrize(
    ("typo", "suggestion"),
    [
        ("scan_on_psh", "scan_on_push"),
        ("tag_mutabilty", "tag_mutability"),
        ("lifecyle", "lifecycle"),
        ("removal_polcy", "removal_policy"),
        ("standrd", "standard"),
    ],
)
def test_a_misspelt_key_suggests_the_nearest_valid_key(typo: str, suggestion: str) -> None:
    (problem,) = problems_of(f"version: 1\nrepositories:\n  - name: my-app\n    {typo}: x\n")
    assert problem.where == f"registry.yaml:4: repositories[0].{typo}"
    assert problem.message == f"unknown key; did you mean {suggestion!r}?"


def test_a_key_far_from_every_valid_key_suggests_nothing() -> None:
    (problem,) = problems_of("version: 1\nrepositories:\n  - name: my-app\n    colour: red\n")
    assert problem.message == "unknown key"
    assert "scan_on_push" in (problem.allowed or "")


def test_yaml_syntax_error_is_one_problem_with_line_and_column() -> None:
    (problem,) = problems_of("version: 1\nrepositories: [\n  {name: a\n")
    assert problem.where.startswith("registry.yaml:")
    line, column = problem.where.split(":")[1:3]
    assert (int(line), int(column)) >= (3, 1)
    assert problem.message.startswith("not valid YAML: ")


def test_yaml_duplicate_keys_are_errors_at_the_second_occurrence() -> None:
    text = "version: 1\nrepositories:\n  - name: my-app\n    name: other\n"
    (problem,) = problems_of(text)
    assert str(problem).startswith(
        "registry.yaml:4: repositories[0].name: duplicate key (first at line 3)"
    )


def test_yaml_anchors_and_merge_keys_work_and_explicit_keys_win() -> None:
    text = textwrap.dedent(
        """\
        version: 1
        standards:
          base: &base
            tag_mutability: MUTABLE
            tags: {team: platform}
          derived:
            <<: *base
            tag_mutability: IMMUTABLE
        repositories:
          - {name: my-app, standard: derived}
        """
    )
    (repository,) = parse_registry_config(text).resolved_repositories()
    assert repository.tag_mutability == "IMMUTABLE"
    assert dict(repository.tags) == {"team": "platform"}


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
    config = parse_registry_config(RESOLUTION)
    return {repository.name: repository for repository in config.resolved_repositories()}


def test_a_repository_without_standard_gets_defaults_standard_through_its_chain(
    resolved: dict[str, ResolvedRepository],
) -> None:
    repository = resolved["uses-default"]
    assert repository.standard == "service"
    assert repository.tag_mutability == "IMMUTABLE_WITH_EXCLUSION"
    assert repository.tag_mutability_exclusions == ("latest",)
    assert repository.encryption == "KMS"  # from base, two levels up
    assert repository.scan_on_push is True  # built-in default
    assert repository.removal_policy == "RETAIN"  # built-in default
    assert dict(repository.tags) == {"team": "platform", "tier": "service"}  # tags merge


def test_repository_keys_override_and_tags_merge(
    resolved: dict[str, ResolvedRepository],
) -> None:
    repository = resolved["overrides"]
    assert repository.scan_on_push is False
    assert dict(repository.tags) == {"team": "platform", "tier": "service", "owner": "team-a"}


def test_each_access_list_replaces_only_the_inherited_list_of_the_same_name(
    resolved: dict[str, ResolvedRepository],
) -> None:
    def principals(repository: ResolvedRepository, sid: str) -> tuple[str, ...]:
        (grant,) = [grant for grant in repository.access if grant.sid == sid]
        return grant.principals

    assert all(isinstance(grant, AccessGrant) for grant in resolved["overrides"].access)
    assert principals(resolved["overrides"], "Pull") == ("arn:{partition}:iam::222222222222:root",)
    assert principals(resolved["overrides"], "Push") == ("arn:aws:iam::123456789012:role/ci",)
    assert principals(resolved["uses-default"], "Pull") == (
        "arn:{partition}:iam::111111111111:root",
    )


def test_lifecycle_lists_replace_and_are_composed_once_per_list(
    resolved: dict[str, ResolvedRepository],
) -> None:
    inherited = resolved["uses-default"]
    assert inherited.lifecycle is not None
    assert [preset.name for preset in inherited.lifecycle] == [
        "expire_untagged(1)",
        "keep_last(30)",
    ]
    assert all(isinstance(preset, LifecyclePreset) for preset in inherited.lifecycle)
    assert isinstance(inherited.lifecycle_policy, LifecyclePolicy)
    assert resolved["overrides"].lifecycle_policy is inherited.lifecycle_policy
    sandboxed = resolved["sandboxed"]
    assert sandboxed.lifecycle is not None
    assert [preset.name for preset in sandboxed.lifecycle] == ["keep_last(5)"]
    assert sandboxed.lifecycle_policy is not None
    assert len(sandboxed.lifecycle_policy.rules) == 1


def test_a_chain_of_standards_applies_base_first(
    resolved: dict[str, ResolvedRepository],
) -> None:
    sandboxed = resolved["sandboxed"]
    assert (sandboxed.tag_mutability, sandboxed.tag_mutability_exclusions) == ("MUTABLE", ())
    assert (sandboxed.removal_policy, sandboxed.empty_on_delete) == ("DESTROY", True)
    assert sandboxed.encryption == "KMS"
    plain = resolved["plain"]
    assert (plain.standard, plain.encryption, plain.tag_mutability) == (
        "base",
        "AES256",
        "IMMUTABLE",
    )


def test_without_any_standard_the_secure_defaults_apply() -> None:
    (repository,) = parse_registry_config(
        "version: 1\nrepositories: [{name: my-app}]\n"
    ).resolved_repositories()
    assert repository.standard is None
    assert (repository.scan_on_push, repository.tag_mutability, repository.encryption) == (
        True,
        "IMMUTABLE",
        "KMS",
    )
    assert (repository.removal_policy, repository.empty_on_delete) == ("RETAIN", False)
    assert repository.kms_key_arn is None
    assert repository.lifecycle is None and repository.lifecycle_policy is None
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
    config = load_registry_config(EXAMPLE)
    docker_hub, root = config.resolved_creation_templates()
    assert (docker_hub.prefix, docker_hub.applied_for) == ("docker-hub", ("PULL_THROUGH_CACHE",))
    assert docker_hub.standard == "cache"
    assert docker_hub.settings.tag_mutability == "MUTABLE"
    assert docker_hub.settings.lifecycle_policy is not None
    assert root.prefix == "ROOT"


# -- other inputs --------------------------------------------------------------------------


def test_json_input_loads_and_reports_paths_without_lines(tmp_path: Path) -> None:
    path = tmp_path / "registry.json"
    path.write_text(
        json.dumps({"version": 1, "repositories": [{"name": "my-app", "tags": {"team": "web"}}]})
    )
    (repository,) = load_registry_config(path).resolved_repositories()
    assert (repository.name, dict(repository.tags)) == ("my-app", {"team": "web"})
    bad = '{"version": 1, "repositories": [{"name": "my-app", "scan_on_psh": true}]}'
    (problem,) = problems_of(bad, "registry.json")
    assert str(problem) == (
        "registry.json: repositories[0].scan_on_psh: unknown key; did you mean 'scan_on_push'? "
        f"(allowed: {problem.allowed})"
    )


def test_json_duplicate_keys_and_syntax_errors() -> None:
    (duplicate,) = problems_of('{"version": 1, "version": 1}', "registry.json")
    assert (duplicate.where, duplicate.message) == ("registry.json: version", "duplicate key")
    (syntax,) = problems_of('{"version": 1,\n "repositories": [}', "registry.json")
    assert syntax.where == "registry.json:2:19"
    assert syntax.message.startswith("not valid JSON: ")


def test_file_problems_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_registry_config(tmp_path / "missing.yaml")
    other = tmp_path / "registry.toml"
    other.write_text("version = 1")
    with pytest.raises(ConfigError, match=r"unsupported file type \(given '.toml'"):
        load_registry_config(other)


def test_a_config_built_in_python_is_checked_when_resolved() -> None:
    config = RegistryConfig.model_validate(
        {"version": 1, "repositories": [{"name": "my-app", "standard": "missing"}]}
    )
    with pytest.raises(ConfigError) as caught:
        config.resolved_repositories()
    (problem,) = caught.value.problems
    assert problem.where == "RegistryConfig: repositories[0].standard"


def test_models_are_frozen_and_strict() -> None:
    config = parse_registry_config("version: 1\nrepositories: [{name: my-app}]\n")
    with pytest.raises(ValueError, match="frozen"):
        config.repositories[0].name = "other"  # type: ignore[misc]


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
        config = parse_registry_config(text)
    (warning,) = config.warnings
    assert warning.where == where
    assert warning.message.startswith("has 2 entries")


def test_the_example_registry_loads() -> None:
    config = load_registry_config(EXAMPLE)
    repositories = config.resolved_repositories()
    assert len(repositories) == 15
    assert len({repository.name for repository in repositories}) == 15
    assert {r.standard for r in repositories} == {"production", "development"}
    assert all(r.lifecycle_policy is not None for r in repositories)
    assert config.public_repositories[0].name == "acme-cli"
    registry = config.registry
    assert registry.scanning is not None and registry.scanning.type == "ENHANCED"
    assert registry.replication is not None and len(registry.replication.rules) == 2
    assert [rule.upstream for rule in registry.pull_through_cache] == [
        "docker-hub",
        "ecr-public",
        "quay",
    ]
    assert registry.replication_sources == ("111111111111",)
    assert (config.deployment.region, config.deployment.max_resources_per_stack) == (
        "us-east-1",
        400,
    )
    assert config.warnings == ()


def test_a_thousand_repositories_load_quickly() -> None:
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
    started = time.perf_counter()
    config = parse_registry_config(text)
    assert len(config.resolved_repositories()) == 1000
    assert time.perf_counter() - started < 5


def test_the_complete_file_of_the_documentation_loads() -> None:
    docs = (EXAMPLE.parent.parent / "docs" / "registry-file.md").read_text()
    example = docs.split("## A complete file", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    config = parse_registry_config(example, "docs.yaml")
    names = [repository.name for repository in config.resolved_repositories()]
    assert names == ["my-app", "team-a/service-x"]
    assert config.registry.creation_templates[0].standard == "cache"


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
    with_key, without_key = parse_registry_config(text).resolved_repositories()
    assert with_key.kms_key_arn == "arn:aws:kms:us-east-1:123456789012:key/abc"
    assert (without_key.kms_key_arn, without_key.encryption) == (None, "KMS")
