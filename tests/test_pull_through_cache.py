"""PullThroughCache: rules per upstream, credentials, ECR upstream role, URIs, grants and the
default creation template of cached repositories."""

from __future__ import annotations

import dataclasses
import inspect
import json
from collections.abc import Callable
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_secretsmanager as secretsmanager

from ecr_constructs.errors import EcrConstructsError
from ecr_constructs.events import ActionResult, NotificationTopic
from ecr_constructs.lifecycle import Lifecycle, LifecyclePolicy
from ecr_constructs.registry import (
    CacheRepositoryTemplate,
    PullThroughCache,
    PullThroughCacheCredentials,
    RepositoryCreationTemplate,
    Upstream,
)
from tests.gates import (
    ACCOUNT,
    REGION,
    assert_cfn_lint_clean,
    cdk_nag_violations,
    new_stack,
    refusal_test,
    template_of,
)

UPSTREAM_ACCOUNT = "210987654321"
PARTITION_ARN = {"Ref": "AWS::Partition"}


def _arn(suffix: str) -> dict[str, Any]:
    return {"Fn::Join": ["", ["arn:", PARTITION_ARN, suffix]]}


def _by_type(template: dict[str, Any], type_name: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == type_name}


def _rule(template: dict[str, Any], prefix: str) -> dict[str, Any]:
    rules = _by_type(template, "AWS::ECR::PullThroughCacheRule").values()
    (rule,) = [r for r in rules if r["Properties"]["EcrRepositoryPrefix"] == prefix]
    return rule


def _template(template: dict[str, Any], prefix: str) -> dict[str, Any]:
    templates = _by_type(template, "AWS::ECR::RepositoryCreationTemplate").values()
    (found,) = [t for t in templates if t["Properties"]["Prefix"] == prefix]
    return found


class Built:
    def __init__(self) -> None:
        stack = new_stack()
        self.stack = stack
        self.docker = PullThroughCache(
            stack,
            "DockerHub",
            prefix="docker-hub",
            upstream=Upstream.DOCKER_HUB,
            credentials=PullThroughCacheCredentials.create(),
        )
        self.public = PullThroughCache(
            stack,
            "EcrPublic",
            prefix="ecr-public",
            upstream=Upstream.ECR_PUBLIC,
            repository_template=None,
        )
        self.github = PullThroughCache(
            stack,
            "GitHub",
            prefix="ghcr",
            upstream=Upstream.GITHUB,
            credentials=PullThroughCacheCredentials.from_secret_name("ecr-pullthroughcache/gh"),
        )
        self.gitlab = PullThroughCache(
            stack,
            "GitLab",
            prefix="gitlab",
            upstream=Upstream.GITLAB,
            credentials=PullThroughCacheCredentials.create(
                secret_name="ecr-pullthroughcache/team-a/gitlab",
                removal_policy=cdk.RemovalPolicy.DESTROY,
            ),
        )
        self.azure = PullThroughCache(
            stack,
            "Azure",
            prefix="azure",
            upstream=Upstream.azure("MyRegistry"),
            credentials=PullThroughCacheCredentials.from_secret_arn(
                f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:ecr-pullthroughcache/azure-AbCdEf"
            ),
        )
        imported = secretsmanager.Secret.from_secret_name_v2(
            stack, "ChainguardSecret", "ecr-pullthroughcache/chainguard"
        )
        self.chainguard = PullThroughCache(
            stack,
            "Chainguard",
            prefix="cgr",
            upstream=Upstream.CHAINGUARD,
            credentials=PullThroughCacheCredentials.from_secret(imported),
        )
        self.key = kms.Key(stack, "CacheKey", enable_key_rotation=True)
        self.quay = PullThroughCache(
            stack,
            "Quay",
            prefix="quay",
            upstream=Upstream.QUAY,
            repository_template=CacheRepositoryTemplate(
                lifecycle=[Lifecycle.expire_untagged(after_days=7)],
                encryption_key=self.key,
                image_tag_mutability=ecr.TagMutability.IMMUTABLE_WITH_EXCLUSION,
                image_tag_mutability_exclusions=["latest"],
                description="Quay images",
                resource_tags={"cache": "quay"},
            ),
        )
        self.k8s = PullThroughCache(stack, "K8s", prefix="k8s", upstream=Upstream.K8S)
        self.central = PullThroughCache(
            stack,
            "Central",
            prefix="central",
            upstream=Upstream.ecr(
                account=UPSTREAM_ACCOUNT, region="us-east-1", repository_prefix="platform"
            ),
        )
        self.own_role = iam.Role(
            stack,
            "OwnCacheRole",
            assumed_by=iam.ServicePrincipal("pullthroughcache.ecr.amazonaws.com"),
        )
        self.root = PullThroughCache(
            stack,
            "Everything",
            prefix="ROOT",
            upstream=Upstream.ecr(account=ACCOUNT, region="us-west-2", role=self.own_role),
            repository_template=None,
        )
        self.workload = iam.Role(
            stack, "Workload", assumed_by=iam.ServicePrincipal("ecs-tasks.amazonaws.com")
        )
        self.grant = self.docker.grant_pull(self.workload)
        self.template = template_of(stack)


@pytest.fixture(scope="module")
def built() -> Built:
    return Built()


UPSTREAMS = [
    (Upstream.ECR_PUBLIC, "ecr-public", "public.ecr.aws", False),
    (Upstream.K8S, "k8s", "registry.k8s.io", False),
    (Upstream.QUAY, "quay", "quay.io", False),
    (Upstream.DOCKER_HUB, "docker-hub", "registry-1.docker.io", True),
    (Upstream.GITHUB, "github-container-registry", "ghcr.io", True),
    (Upstream.GITLAB, "gitlab-container-registry", "registry.gitlab.com", True),
    (Upstream.CHAINGUARD, "chainguard", "cgr.dev", True),
    (Upstream.azure("myregistry"), "azure-container-registry", "myregistry.azurecr.io", True),
    (
        Upstream.ecr(account=UPSTREAM_ACCOUNT, region="us-east-1"),
        "ecr",
        f"{UPSTREAM_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com",
        False,
    ),
]


@pytest.mark.parametrize(("upstream", "name", "url", "needs_credentials"), UPSTREAMS)
def test_upstream_catalogue(
    upstream: Upstream, name: str, url: str, needs_credentials: bool
) -> None:
    assert (upstream.registry, upstream.url, upstream.needs_credentials) == (
        name,
        url,
        needs_credentials,
    )


def test_fixed_upstreams_by_registry_name() -> None:
    assert Upstream.from_registry_name("docker-hub") is Upstream.DOCKER_HUB
    assert Upstream.from_registry_name("ecr-public") is Upstream.ECR_PUBLIC


def test_rules_per_upstream(built: Built) -> None:
    t = built.template
    assert _rule(t, "ecr-public")["Properties"] == {
        "EcrRepositoryPrefix": "ecr-public",
        "UpstreamRegistry": "ecr-public",
        "UpstreamRegistryUrl": "public.ecr.aws",
    }
    docker = _rule(t, "docker-hub")
    assert docker["Properties"]["UpstreamRegistryUrl"] == "registry-1.docker.io"
    assert docker["Properties"]["CredentialArn"] == {
        "Ref": built.stack.get_logical_id(
            built.docker.secret.node.default_child  # type: ignore[union-attr,arg-type]
        )
    }
    assert _rule(t, "ghcr")["Properties"]["CredentialArn"] == _arn(
        f":secretsmanager:{REGION}:{ACCOUNT}:secret:ecr-pullthroughcache/gh"
    )
    assert _rule(t, "azure")["Properties"] == {
        "CredentialArn": (
            f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:ecr-pullthroughcache/azure-AbCdEf"
        ),
        "EcrRepositoryPrefix": "azure",
        "UpstreamRegistry": "azure-container-registry",
        "UpstreamRegistryUrl": "myregistry.azurecr.io",
    }
    assert _rule(t, "cgr")["Properties"]["CredentialArn"] == _arn(
        f":secretsmanager:{REGION}:{ACCOUNT}:secret:ecr-pullthroughcache/chainguard"
    )
    assert "CredentialArn" not in _rule(t, "k8s")["Properties"]


def test_created_secret_holds_no_credential_and_is_retained(built: Built) -> None:
    secrets = _by_type(built.template, "AWS::SecretsManager::Secret")
    by_name = {s["Properties"]["Name"]: s for s in secrets.values()}
    docker = by_name["ecr-pullthroughcache/docker-hub"]
    assert docker["DeletionPolicy"] == "Retain"
    assert "SecretString" not in docker["Properties"]
    generate = docker["Properties"]["GenerateSecretString"]
    assert json.loads(generate["SecretStringTemplate"]) == {"username": "REPLACE_ME"}
    assert generate["GenerateStringKey"] == "accessToken"
    assert "KmsKeyId" not in docker["Properties"]  # ECR reads only aws/secretsmanager secrets
    assert by_name["ecr-pullthroughcache/team-a/gitlab"]["DeletionPolicy"] == "Delete"


def test_ecr_upstream_gets_a_least_privilege_role(built: Built) -> None:
    t = built.template
    central = _rule(t, "central")["Properties"]
    assert central["UpstreamRegistry"] == "ecr"
    assert central["UpstreamRegistryUrl"] == f"{UPSTREAM_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com"
    assert central["UpstreamRepositoryPrefix"] == "platform"
    role_id = central["CustomRoleArn"]["Fn::GetAtt"][0]
    role = t["Resources"][role_id]["Properties"]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "Service": "pullthroughcache.ecr.amazonaws.com"
    }
    (policy,) = role["Policies"]
    sign_in, copy = policy["PolicyDocument"]["Statement"]
    assert (sign_in["Action"], sign_in["Resource"]) == ("ecr:GetAuthorizationToken", "*")
    assert copy["Resource"] == [
        _arn(f":ecr:us-east-1:{UPSTREAM_ACCOUNT}:repository/platform/*"),
        _arn(f":ecr:{REGION}:{ACCOUNT}:repository/central/*"),
    ]
    assert "ecr:BatchImportUpstreamImage" in copy["Action"]
    assert "ecr:PutImage" in copy["Action"]


def test_ecr_upstream_with_a_given_role_and_root_prefix(built: Built) -> None:
    root = _rule(built.template, "ROOT")["Properties"]
    assert root["CustomRoleArn"] == {
        "Fn::GetAtt": [built.stack.get_logical_id(built.own_role.node.default_child), "Arn"]  # type: ignore[arg-type]
    }
    assert "UpstreamRepositoryPrefix" not in root
    assert built.root.role is built.own_role


def test_default_template_for_cached_repositories(built: Built) -> None:
    docker = _template(built.template, "docker-hub")
    props = docker["Properties"]
    assert props["AppliedFor"] == ["PULL_THROUGH_CACHE"]
    assert props["ImageTagMutability"] == "MUTABLE"
    assert props["EncryptionConfiguration"] == {"EncryptionType": "KMS"}
    assert props["Description"] == "Images cached from registry-1.docker.io"
    assert props["LifecyclePolicy"] == LifecyclePolicy.from_presets(Lifecycle.DEFAULT).to_json()
    assert "CustomRoleArn" in props  # KMS needs the template role
    rule = _rule(built.template, "docker-hub")
    template_id = built.stack.get_logical_id(built.docker.repository_template.resource)  # type: ignore[union-attr]
    assert rule["DependsOn"] == [template_id]


def test_template_settings_override_the_defaults(built: Built) -> None:
    props = _template(built.template, "quay")["Properties"]
    assert props["ImageTagMutability"] == "IMMUTABLE_WITH_EXCLUSION"
    assert props["ImageTagMutabilityExclusionFilters"] == [
        {
            "ImageTagMutabilityExclusionFilterType": "WILDCARD",
            "ImageTagMutabilityExclusionFilterValue": "latest",
        }
    ]
    assert props["Description"] == "Quay images"
    assert props["ResourceTags"] == [{"Key": "cache", "Value": "quay"}]
    key_id = built.stack.get_logical_id(built.key.node.default_child)  # type: ignore[arg-type]
    assert props["EncryptionConfiguration"] == {
        "EncryptionType": "KMS",
        "KmsKey": {"Fn::GetAtt": [key_id, "Arn"]},
    }
    assert json.loads(props["LifecyclePolicy"])["rules"][0]["selection"]["countNumber"] == 7


def test_template_can_be_turned_off(built: Built) -> None:
    assert built.public.repository_template is None
    prefixes = {
        t["Properties"]["Prefix"]
        for t in _by_type(built.template, "AWS::ECR::RepositoryCreationTemplate").values()
    }
    assert prefixes == {"docker-hub", "ghcr", "gitlab", "azure", "cgr", "quay", "k8s", "central"}


def test_image_uris(built: Built) -> None:
    host = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com"
    assert (
        built.docker.image_uri("nginx", tag="latest") == f"{host}/docker-hub/library/nginx:latest"
    )
    assert built.docker.image_uri("bitnami/redis") == f"{host}/docker-hub/bitnami/redis"
    assert built.public.image_uri("docker/library/alpine", tag="3.20") == (
        f"{host}/ecr-public/docker/library/alpine:3.20"
    )
    digest = "sha256:" + "a" * 64
    assert built.root.image_uri("team/app", digest=digest) == f"{host}/team/app@{digest}"
    assert built.k8s.image_uri("pause", tag="3.9", dual_stack=True) == (
        f"{ACCOUNT}.dkr-ecr.{REGION}.on.aws/k8s/pause:3.9"
    )
    assert built.docker.repository_name("nginx") == "docker-hub/library/nginx"


def test_image_uri_in_an_environment_agnostic_stack_resolves_at_deploy() -> None:
    stack = cdk.Stack(cdk.App(), "Agnostic")
    cache = PullThroughCache(stack, "Public", prefix="ecr-public", upstream=Upstream.ECR_PUBLIC)
    resolved = stack.resolve(cache.image_uri("nginx/nginx", tag="1"))
    assert resolved == {
        "Fn::Join": [
            "",
            [
                {"Ref": "AWS::AccountId"},
                ".dkr.ecr.",
                {"Ref": "AWS::Region"},
                ".",
                {"Ref": "AWS::URLSuffix"},
                "/ecr-public/nginx/nginx:1",
            ],
        ]
    }
    assert_cfn_lint_clean(template_of(stack))


def test_grant_pull_lets_a_workload_fill_and_read_the_cache(built: Built) -> None:
    assert built.grant.success
    policies = _by_type(built.template, "AWS::IAM::Policy")
    (policy,) = [p for k, p in policies.items() if k.startswith("WorkloadDefaultPolicy")]
    token, pull = policy["Properties"]["PolicyDocument"]["Statement"]
    assert (token["Action"], token["Resource"]) == ("ecr:GetAuthorizationToken", "*")
    assert sorted(pull["Action"]) == [
        "ecr:BatchCheckLayerAvailability",
        "ecr:BatchGetImage",
        "ecr:BatchImportUpstreamImage",
        "ecr:CreateRepository",
        "ecr:GetDownloadUrlForLayer",
    ]
    assert pull["Resource"] == _arn(f":ecr:{REGION}:{ACCOUNT}:repository/docker-hub/*")
    assert built.root.repository_arn_pattern.endswith(f":ecr:{REGION}:{ACCOUNT}:repository/*")


def test_template_passes_cfn_lint(built: Built) -> None:
    assert_cfn_lint_clean(built.template)


def test_cdk_nag_only_reports_the_workloads_own_grant(built: Built) -> None:
    # The secret (rotation) and the roles the library creates are acknowledged with reasons;
    # what grant_pull adds to the caller's role is the caller's to review.
    partition = "<AWS::Partition>"
    assert cdk_nag_violations(built.stack) == [
        "AwsSolutions-IAM5[Resource::*]: ['Test/Workload/DefaultPolicy/Resource']",
        f"AwsSolutions-IAM5[Resource::arn:{partition}:ecr:{REGION}:{ACCOUNT}:repository/"
        "docker-hub/*]: ['Test/Workload/DefaultPolicy/Resource']",
    ]


def test_cache_sync_events_for_this_cache() -> None:
    stack = new_stack()
    cache = PullThroughCache(
        stack, "Quay", prefix="quay/", upstream=Upstream.QUAY, repository_template=None
    )
    topic = NotificationTopic(stack, "Alerts").topic
    failed = cache.on_cache_sync("SyncFailed", result=ActionResult.FAILED, topic=topic)
    every = cache.on_cache_sync("Syncs")
    template = template_of(stack)
    props = template["Resources"][stack.get_logical_id(failed.node.default_child)]["Properties"]
    assert props["EventPattern"] == {
        "source": ["aws.ecr"],
        "detail-type": ["ECR Pull Through Cache Action"],
        "detail": {
            "sync-status": [{"anything-but": ["SUCCESS"]}],
            "ecr-repository-prefix": ["quay"],
        },
    }
    assert props["Description"] == "ECR pull-through cache sync: failed"
    assert len(props["Targets"]) == 1
    every_props = template["Resources"][stack.get_logical_id(every.node.default_child)]
    assert every_props["Properties"]["EventPattern"]["detail"] == {
        "ecr-repository-prefix": ["quay"]
    }
    assert_cfn_lint_clean(template)
    assert cdk_nag_violations(stack) == []


def test_rule_limit_is_fifty_per_registry() -> None:
    stack = new_stack()
    for n in range(50):
        PullThroughCache(
            stack, f"C{n}", prefix=f"cache{n}", upstream=Upstream.K8S, repository_template=None
        )
    with pytest.raises(EcrConstructsError) as raised:
        PullThroughCache(
            stack, "C50", prefix="cache50", upstream=Upstream.K8S, repository_template=None
        )
    assert str(raised.value) == (
        "Test/C50: registry 123456789012/eu-west-1 already has 50 pull-through cache rule "
        "prefixes (given 'cache50'; allowed: at most 50 per registry)"
    )


def _cache(**kwargs: Any) -> Callable[[cdk.Stack], object]:
    def build(stack: cdk.Stack) -> object:
        props: dict[str, Any] = {"prefix": "cache", "upstream": Upstream.ECR_PUBLIC, **kwargs}
        return PullThroughCache(stack, "Cache", **props)

    return build


def _duplicate_prefix(stack: cdk.Stack) -> None:
    PullThroughCache(stack, "First", prefix="hub", upstream=Upstream.QUAY)
    PullThroughCache(stack, "Cache", prefix="hub/", upstream=Upstream.K8S)


def _encrypted_secret(stack: cdk.Stack) -> None:
    key = kms.Key(stack, "SecretKey", enable_key_rotation=True)
    secret = secretsmanager.Secret(
        stack, "Secret", secret_name="ecr-pullthroughcache/hub", encryption_key=key
    )
    PullThroughCache(
        stack,
        "Cache",
        prefix="hub",
        upstream=Upstream.DOCKER_HUB,
        credentials=PullThroughCacheCredentials.from_secret(secret),
    )


DOCKER = Upstream.DOCKER_HUB
BAD_INPUT = [
    pytest.param(
        _cache(prefix="a"),
        ["Test/Cache prefix", "2 to 30 characters", "given 'a'", "2..30 characters, or ROOT"],
        id="prefix-too-short",
    ),
    pytest.param(
        _cache(prefix="a" * 31),
        ["Test/Cache prefix", "2 to 30 characters", "a" * 31],
        id="prefix-too-long",
    ),
    pytest.param(
        _cache(prefix="Docker_Hub"),
        ["Test/Cache prefix", "not a valid repository namespace", "'Docker_Hub'", "lowercase"],
        id="prefix-uppercase",
    ),
    pytest.param(
        _duplicate_prefix,
        ["Test/Cache", "prefix 'hub' is already used by Test/First", "given 'hub/'"],
        id="duplicate-prefix",
    ),
    pytest.param(
        _cache(upstream=DOCKER),
        ["Test/Cache credentials", "docker-hub needs credentials", "create()"],
        id="docker-hub-without-credentials",
    ),
    pytest.param(
        _cache(credentials=PullThroughCacheCredentials.create()),
        ["Test/Cache credentials", "ecr-public takes no credentials", "no credentials"],
        id="ecr-public-with-credentials",
    ),
    pytest.param(
        _cache(
            upstream=Upstream.ecr(account=UPSTREAM_ACCOUNT, region="us-east-1"),
            credentials=PullThroughCacheCredentials.from_secret_name("ecr-pullthroughcache/x"),
        ),
        ["Test/Cache credentials", "ECR upstreams use an IAM role"],
        id="ecr-upstream-with-credentials",
    ),
    pytest.param(
        _cache(
            upstream=DOCKER,
            credentials=PullThroughCacheCredentials.create(secret_name="dockerhub"),
        ),
        ["Test/Cache credentials", "'ecr-pullthroughcache/'", "given 'dockerhub'"],
        id="created-secret-wrong-name",
    ),
    pytest.param(
        _cache(
            upstream=DOCKER,
            credentials=PullThroughCacheCredentials.from_secret_name("ecr-pullthroughcache/"),
        ),
        ["Test/Cache credentials", "given 'ecr-pullthroughcache/'", "ecr-pullthroughcache/<name>"],
        id="secret-name-only-prefix",
    ),
    pytest.param(
        _cache(
            upstream=DOCKER,
            credentials=PullThroughCacheCredentials.from_secret_arn(
                f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:dockerhub-AbCdEf"
            ),
        ),
        ["Test/Cache credentials", "'ecr-pullthroughcache/'", "given 'dockerhub-AbCdEf'"],
        id="secret-arn-wrong-name",
    ),
    pytest.param(
        _cache(
            upstream=DOCKER,
            credentials=PullThroughCacheCredentials.from_secret_arn("ecr-pullthroughcache/hub"),
        ),
        ["Test/Cache credentials", "not a Secrets Manager secret ARN", "arn:PARTITION"],
        id="secret-arn-not-an-arn",
    ),
    pytest.param(
        _cache(
            upstream=DOCKER,
            credentials=PullThroughCacheCredentials.from_secret_arn(
                f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:ecr-pullthroughcache/hub"
            ),
        ),
        [
            "Test/Cache credentials",
            "the secret must be in the registry's region",
            "given 'us-east-1'",
            f"a secret in region {REGION}",
        ],
        id="secret-in-another-region",
    ),
    pytest.param(
        _encrypted_secret,
        ["Test/Cache credentials", "aws/secretsmanager key", "Test/SecretKey", "without"],
        id="secret-with-customer-key",
    ),
    pytest.param(
        _cache(upstream="docker-hub"),
        ["Test/Cache upstream", "not an Upstream", "given 'docker-hub'", "Upstream.DOCKER_HUB"],
        id="upstream-as-string",
    ),
    pytest.param(
        lambda stack: Upstream.azure("my-registry"),
        ["Upstream.azure", "Azure Container Registry name", "'my-registry'", "5..50 letters"],
        id="azure-name",
    ),
    pytest.param(
        lambda stack: Upstream.ecr(account="2109", region="us-east-1"),
        ["Upstream.ecr account", "12 digits", "'2109'"],
        id="ecr-upstream-account",
    ),
    pytest.param(
        lambda stack: Upstream.ecr(account=UPSTREAM_ACCOUNT, region="useast1"),
        ["Upstream.ecr region", "not an AWS region", "'useast1'"],
        id="ecr-upstream-region",
    ),
    pytest.param(
        lambda stack: Upstream.ecr(
            account=UPSTREAM_ACCOUNT, region="us-east-1", repository_prefix="x"
        ),
        ["Upstream.ecr repository_prefix", "2 to 30 characters", "given 'x'"],
        id="ecr-upstream-prefix",
    ),
    pytest.param(
        _cache(
            prefix="ROOT",
            upstream=Upstream.ecr(
                account=UPSTREAM_ACCOUNT, region="us-east-1", repository_prefix="team"
            ),
        ),
        ["Test/Cache upstream", "needs a cache prefix other than ROOT", "given 'team'"],
        id="upstream-prefix-with-root-cache",
    ),
    pytest.param(
        _cache(upstream=Upstream.ecr(account=ACCOUNT, region=REGION)),
        [
            "Test/Cache upstream",
            "can't cache from itself",
            "account 123456789012, region eu-west-1",
        ],
        id="ecr-upstream-is-this-registry",
    ),
    pytest.param(
        lambda stack: Upstream.from_registry_name("azure-container-registry"),
        ["Upstream.from_registry_name", "not a fixed upstream", "Upstream.azure(name)"],
        id="registry-name-needs-factory",
    ),
    pytest.param(
        lambda stack: _cache()(stack).image_uri("Nginx"),  # type: ignore[attr-defined]
        ["Test/Cache image path", "repository name is not valid", "'cache/Nginx'"],
        id="bad-image-path",
    ),
    pytest.param(
        _cache(
            repository_template=CacheRepositoryTemplate(
                image_tag_mutability=ecr.TagMutability.MUTABLE,
                image_tag_mutability_exclusions=["x"],
            )
        ),
        ["Test/Cache/RepositoryTemplate image_tag_mutability_exclusions", "only apply with"],
        id="template-exclusions-without-mode",
    ),
    pytest.param(
        _cache(
            repository_template=CacheRepositoryTemplate(
                lifecycle=[Lifecycle.keep_last(10), Lifecycle.expire_untagged(after_days=1)]
            )
        ),
        ["Test/Cache/RepositoryTemplate lifecycle[", "keep_last(10)"],
        id="template-bad-lifecycle",
    ),
]


test_bad_input_is_refused_with_a_clear_message = refusal_test(BAD_INPUT)


def test_cache_template_exclusions_make_it_mutable_with_exclusion() -> None:
    stack = new_stack()
    PullThroughCache(
        stack,
        "Cache",
        prefix="cache",
        upstream=Upstream.QUAY,
        repository_template=CacheRepositoryTemplate(image_tag_mutability_exclusions=["x"]),
    )
    props = _template(template_of(stack), "cache")["Properties"]
    assert props["ImageTagMutability"] == "MUTABLE_WITH_EXCLUSION"


def test_cache_template_settings_mirror_the_creation_template() -> None:
    settings = {f.name for f in dataclasses.fields(CacheRepositoryTemplate)}
    parameters = set(inspect.signature(RepositoryCreationTemplate.__init__).parameters)
    assert settings | {"self", "scope", "construct_id", "prefix", "applied_for"} == parameters


def test_environment_agnostic_stack_passes_cfn_lint_and_cdk_nag() -> None:
    # The acknowledged wildcard resources hold Refs to the account and region here.
    stack = cdk.Stack(cdk.App(), "Agnostic")
    PullThroughCache(
        stack,
        "Central",
        prefix="central",
        upstream=Upstream.ecr(account=UPSTREAM_ACCOUNT, region="us-east-1"),
    )
    PullThroughCache(
        stack,
        "DockerHub",
        prefix="docker-hub",
        upstream=Upstream.DOCKER_HUB,
        credentials=PullThroughCacheCredentials.create(),
    )
    assert_cfn_lint_clean(template_of(stack))
    assert cdk_nag_violations(stack) == []
