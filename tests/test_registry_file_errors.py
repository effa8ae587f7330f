"""The registry file's bad input: every problem at once, each with file, line and field path."""

from __future__ import annotations

import textwrap

import pytest

from ecr_constructs.errors import ConfigError
from ecr_constructs.standards import (
    parse_registry_config,
)

from .registry_files import assert_problems_at_mark, one_line, problems_of

REGIONS = one_line([f"{{region: us-east-{n}}}" for n in range(1, 27)])
PREFIXES = one_line([f"p{n:03d}" for n in range(101)])
CACHE_RULES = one_line([f"{{prefix: cache{n:02d}, upstream: quay}}" for n in range(51)])
ELEVEN_RULES = one_line(["{destinations: [{region: eu-west-1}]}"] * 11)
PROFILE = "arn:aws:signer:us-east-1:123456789012:/signing-profiles/prod_images"
ELEVEN_SIGNING_RULES = one_line([f"{{signing_profile_arn: '{PROFILE}'}}"] * 11)
SIGNING_FILTERS = one_line([f"team-{n:03d}/*" for n in range(101)])
ECR_UPSTREAM = (
    "upstream: ecr, upstream_url: 210987654321.dkr.ecr.us-west-2.amazonaws.com, "
    "custom_role_arn: 'arn:aws:iam::123456789012:role/cache'"
)
EXCLUDED = one_line([f"'arn:aws:iam::123456789012:role/scanner-{n}'" for n in range(101)])

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
            encryption: KMS2  # <
        """,
        "standards.base.encryption",
        "given 'KMS2'; allowed: 'AES256', 'KMS' or 'KMS_DSSE'",
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
        "(given 'IMMUTABLE with 1 exclusion filters'",
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
        "IMMUTABLE_WITH_EXCLUSION needs 1 to 5 exclusion filters "
        "(tag_mutability_exclusions: the default)",
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
        "(tag_mutability_exclusions from standards.base) (given 'MUTABLE with 1 exclusion filters'",
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
        "too many exclusion filters (given '6 filters'; allowed: 1..5 filters)",
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
        "empty_on_delete deletes images only when the repository is destroyed "
        "(removal_policy: the default)",
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
        "a KMS key needs KMS encryption (encryption from standards.plain) "
        "(given 'encryption AES256'",
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
        "not a valid tag key (given 'aws:team'; allowed: 1..127 letters, digits, spaces and "
        "_ . : / = + - @, not starting with aws:)",
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
        "every repository has a lifecycle policy; an empty list leaves it without one",
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
    (
        "signing-rules-missing",
        """
        version: 1
        registry:
          signing: {}  # <
        """,
        "registry.signing.rules",
        "required key is missing",
    ),
    (
        "signing-profile-arn",
        f"""
        version: 1
        registry:
          signing:
            rules:
              - signing_profile_arn: {PROFILE}/v1  # <
        """,
        "registry.signing.rules[0].signing_profile_arn",
        f"not an AWS Signer signing profile ARN (given '{PROFILE}/v1'; allowed: an AWS Signer "
        "profile ARN",
    ),
    (
        "signing-filter",
        f"""
        version: 1
        registry:
          signing:
            rules:
              - signing_profile_arn: {PROFILE}
                repository_filters: ["prod*", "Team-A/*"]  # <
        """,
        "registry.signing.rules[0].repository_filters[1]",
        "not a valid WILDCARD_MATCH repository filter (given 'Team-A/*'",
    ),
    (
        "signing-eleven-rules",
        f"""
        version: 1
        registry:
          signing:
            rules: {ELEVEN_SIGNING_RULES}  # <
        """,
        "registry.signing.rules",
        "a signing configuration has at most 10 rules (given 11; allowed: 0..10 rules)",
    ),
    (
        "signing-101-filters",
        f"""
        version: 1
        registry:
          signing:
            rules: [{{signing_profile_arn: {PROFILE}, repository_filters: {SIGNING_FILTERS}}}]  # <
        """,
        "registry.signing.rules[0].repository_filters",
        "a signing rule has at most 100 repository filters (given 101",
    ),
    (
        "exclusion-account-root",
        """
        version: 1
        registry:
          pull_time_update_exclusions:
            - arn:aws:iam::123456789012:root  # <
        """,
        "registry.pull_time_update_exclusions[0]",
        "not an IAM role or user ARN (ECR excludes roles and users, not accounts or sessions)",
    ),
    (
        "exclusion-listed-twice",
        """
        version: 1
        registry:
          pull_time_update_exclusions:
            - arn:aws:iam::123456789012:role/scanner
            - arn:aws:iam::123456789012:role/ci
            - arn:aws:iam::123456789012:role/scanner  # <
        """,
        "registry.pull_time_update_exclusions[2]",
        "duplicate pull-time update exclusion principal (first at "
        "registry.pull_time_update_exclusions[0], line 4) "
        "(given 'arn:aws:iam::123456789012:role/scanner'",
    ),
    (
        "exclusions-101",
        f"""
        version: 1
        registry:
          pull_time_update_exclusions: {EXCLUDED}  # <
        """,
        "registry.pull_time_update_exclusions",
        "a registry has at most 100 pull-time update exclusions (given 101",
    ),
    (
        "policy-scope-value",
        """
        version: 1
        registry:
          policy_scope: V3  # <
        """,
        "registry.policy_scope",
        "not an allowed value (given 'V3'; allowed: 'V2' or 'V1')",
    ),
    (
        "organization-pull-id",
        """
        version: 1
        registry:
          organization_pull: ["o-a1b2c3d4e5", "o-abc"]  # <
        """,
        "registry.organization_pull[1]",
        "not an AWS Organizations ID (given 'o-abc'; allowed: an AWS Organizations ID matching",
    ),
    (
        "organization-pull-with-scope-v1",
        """
        version: 1
        registry:
          policy_scope: V1
          replication_sources: ["111111111111"]
          organization_pull: ["o-a1b2c3d4e5"]  # <
        """,
        "registry.organization_pull",
        "ECR rejects this action in a registry policy of scope V1, which honours only "
        "replication and pull-through cache actions; an account on ECR's default scope V2",
    ),
    (
        "upstream-prefix-not-ecr",
        """
        version: 1
        registry:
          pull_through_cache:
            - prefix: docker-hub
              upstream: docker-hub
              credential_secret: ecr-pullthroughcache/docker-hub
              upstream_repository_prefix: library  # <
        """,
        "registry.pull_through_cache[0].upstream_repository_prefix",
        "upstream docker-hub takes no upstream_repository_prefix (given 'library'; allowed: "
        "upstream_repository_prefix only for upstream ecr)",
    ),
    (
        "upstream-prefix-with-root-cache",
        f"""
        version: 1
        registry:
          pull_through_cache:
            - {{prefix: ROOT, {ECR_UPSTREAM},
               upstream_repository_prefix: platform}}  # <
        """,
        "registry.pull_through_cache[0].upstream_repository_prefix",
        "an upstream repository prefix needs a cache prefix other than ROOT (given 'platform'",
    ),
    (
        "upstream-prefix-syntax",
        f"""
        version: 1
        registry:
          pull_through_cache:
            - {{prefix: central, {ECR_UPSTREAM},
               upstream_repository_prefix: Platform}}  # <
        """,
        "registry.pull_through_cache[0].upstream_repository_prefix",
        "an upstream repository prefix is not a valid repository namespace (given 'Platform'",
    ),
    (
        "cache-ecr-from-itself",
        """
        version: 1
        registry:
          pull_through_cache:
            - prefix: central
              upstream: ecr
              upstream_url: 123456789012.dkr.ecr.us-east-1.amazonaws.com  # <
              custom_role_arn: arn:aws:iam::123456789012:role/cache
        deployment: {account: "123456789012", region: us-east-1}
        """,
        "registry.pull_through_cache[0].upstream_url",
        "a registry can't cache from itself (given 'account 123456789012, region us-east-1'; "
        "allowed: another region, or another account)",
    ),
    (
        "public-access-account",
        """
        version: 1
        public_repositories:
          - name: tool
            access:
              push_accounts: ["987654321098", "98765"]  # <
        deployment: {region: us-east-1}
        """,
        "public_repositories[0].access.push_accounts[1]",
        "not an AWS account ID (given '98765'; allowed: a 12-digit AWS account ID)",
    ),
    (
        "public-access-principal",
        """
        version: 1
        public_repositories:
          - name: tool
            access:
              push_principals: ["arn:aws:iam::1234:role/ci"]  # <
        deployment: {region: us-east-1}
        """,
        "public_repositories[0].access.push_principals[0]",
        "the account in an IAM ARN must be 12 digits",
    ),
    (
        "public-access-pull-key",
        """
        version: 1
        public_repositories:
          - name: tool
            access:
              pull_accounts: ["987654321098"]  # <
        deployment: {region: us-east-1}
        """,
        "public_repositories[0].access.pull_accounts",
        "unknown key; did you mean 'push_accounts'? (allowed: push_accounts, push_principals)",
    ),
    (
        "public-logo-missing",
        """
        version: 1
        public_repositories:
          - name: tool
            logo: no-such-logo.png  # <
        deployment: {region: us-east-1}
        """,
        "public_repositories[0].logo",
        "no such file (given 'no-such-logo.png'; allowed: a path to a PNG or JPEG file of at "
        "most 512,000 bytes)",
    ),
    (
        "public-logo-folder",
        """
        version: 1
        public_repositories:
          - name: tool
            logo: examples  # <
        deployment: {region: us-east-1}
        """,
        "public_repositories[0].logo",
        "not a file (given 'examples'",
    ),
    (
        "push-organizations-id",
        """
        version: 1
        standards:
          shared:
            access:
              push_organizations: ["o-1"]  # <
        """,
        "standards.shared.access.push_organizations[0]",
        "not an AWS Organizations ID (given 'o-1'",
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
    assert_problems_at_mark(text, path, fragment)


def test_the_bad_input_table_is_large() -> None:
    assert len(BAD_INPUT) >= 60


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
        "'scan_on_push'? (allowed: access, empty_on_delete, encryption, exemptions, extends, "
        "kms_key_arn, lifecycle, removal_policy, scan_on_push, tag_mutability, "
        "tag_mutability_exclusions, tags)",
        "registry.yaml:6: standards.production.lifecycle[0].keep_last.count: must be at least 1 "
        "(given 0; allowed: >= 1)",
        "registry.yaml:8: defaults.standard: unknown standard; did you mean 'production'? "
        "(given 'produciton'; allowed: production)",
        "registry.yaml:11: repositories[1].name: repository name is not valid (given "
        "'Bad_Name'; allowed: lowercase letters and digits, . _ - between them, segments "
        "separated by /)",
        "registry.yaml:12: repositories[2].name: duplicate repository name (first at "
        "repositories[0], line 10) (given 'my-app'; allowed: each name once)",
        "registry.yaml:14: repositories[2].empty_on_delete: empty_on_delete deletes images only "
        "when the repository is destroyed (removal_policy: the default) (given 'empty_on_delete "
        "with removal_policy RETAIN'; allowed: removal_policy DESTROY, or no empty_on_delete)",
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
