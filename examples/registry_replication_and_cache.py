"""A registry's shared setup: replication of the ``prod`` repositories to another region and
to a disaster-recovery account, everything the destinations need, and pull-through caches
for Docker Hub and ECR Public.

Stacks:
- ``Registry`` (123456789012, eu-west-1): replication, the caches, a workload allowed to pull
  through the Docker Hub cache.
- ``Replicas-us-east-1`` (same account, us-east-1): settings for replicated repositories.
- ``DisasterRecovery`` (210987654321, eu-central-1): the registry policy that lets the source
  account replicate in, and settings for replicated repositories.

Run: python examples/registry_replication_and_cache.py  (templates go to $CDK_OUTDIR or
cdk.out). After deploying ``Registry``, put the Docker Hub user name and access token in the
secret ``ecr-pullthroughcache/docker-hub``.
"""

from __future__ import annotations

import os

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms

from ecr_constructs.lifecycle import Lifecycle
from ecr_constructs.policy import RegistryAccess, RepositoryAccess
from ecr_constructs.registry import (
    AppliedFor,
    CacheRepositoryTemplate,
    PullThroughCache,
    PullThroughCacheCredentials,
    RegistryPolicy,
    RegistryReplication,
    ReplicationDestination,
    RepositoryCreationTemplate,
    Upstream,
)

SOURCE = cdk.Environment(account="123456789012", region="eu-west-1")
SECOND_REGION = cdk.Environment(account=SOURCE.account, region="us-east-1")
DISASTER_RECOVERY = cdk.Environment(account="210987654321", region="eu-central-1")
WORKLOADS_ACCOUNT = "345678901234"  # runs the services that pull the replicas

# Replicas keep the source's settings: immutable tags, KMS, and a lifecycle policy
# (replication copies images, not repository settings).
REPLICA_LIFECYCLE = [
    Lifecycle.protect_tags(prefixes=["prod", "release"]),
    Lifecycle.expire_untagged(after_days=1),
]


def replica_settings(stack: cdk.Stack) -> RepositoryCreationTemplate:
    """What repositories created by replication get in ``stack``'s registry.

    ROOT, not "prod": the replication filter "prod" is a plain name prefix (it matches
    prod-api too), while a template prefix is a namespace ("prod" only matches prod/...).
    Applied for REPLICATION only, ROOT covers every replica and nothing else.
    """
    return RepositoryCreationTemplate(
        stack,
        "Replicas",
        prefix="ROOT",
        applied_for=[AppliedFor.REPLICATION],
        description="Replicas of the prod repositories of 123456789012/eu-west-1",
        lifecycle=REPLICA_LIFECYCLE,
        access=[RepositoryAccess.pull(accounts=[WORKLOADS_ACCOUNT])],
    )


def build(app: cdk.App) -> list[cdk.Stack]:
    registry = cdk.Stack(app, "Registry", env=SOURCE)

    # prod* repositories go to us-east-1 (same account) and to the DR account.
    RegistryReplication.of(registry).add_rule(
        destinations=[
            ReplicationDestination(region=SECOND_REGION.region),
            ReplicationDestination(
                region=DISASTER_RECOVERY.region, account=DISASTER_RECOVERY.account
            ),
        ],
        repository_prefixes=["prod"],
    )

    # Docker Hub needs credentials: a secret named ecr-pullthroughcache/docker-hub that
    # you fill in after deployment. Cached repositories get the default template:
    # MUTABLE tags (so the cache can refresh), KMS, Lifecycle.DEFAULT.
    docker_hub = PullThroughCache(
        registry,
        "DockerHub",
        prefix="docker-hub",
        upstream=Upstream.DOCKER_HUB,
        credentials=PullThroughCacheCredentials.create(),
    )

    # ECR Public needs no credentials; its cached repositories use a customer-managed key
    # and expire untagged images after a week.
    cache_key = kms.Key(
        registry, "CacheKey", enable_key_rotation=True, description="ECR pull-through caches"
    )
    PullThroughCache(
        registry,
        "EcrPublic",
        prefix="ecr-public",
        upstream=Upstream.ECR_PUBLIC,
        repository_template=CacheRepositoryTemplate(
            encryption_key=cache_key,
            lifecycle=[Lifecycle.expire_untagged(after_days=7)],
            resource_tags={"cache": "ecr-public"},
        ),
    )

    # A workload that pulls docker-hub/library/nginx through the cache.
    workload = iam.Role(
        registry, "WebTaskRole", assumed_by=iam.ServicePrincipal("ecs-tasks.amazonaws.com")
    )
    docker_hub.grant_pull(workload)
    for resource, reason in (
        ("*", "ecr:GetAuthorizationToken has no resource; every ECR client needs it"),
        (
            f"arn:<AWS::Partition>:ecr:{SOURCE.region}:{SOURCE.account}:repository/docker-hub/*",
            "the cache creates one repository per upstream image on first pull, under its "
            "prefix; the grant is limited to that prefix",
        ),
    ):
        cdk.Validations.of(workload).acknowledge(
            cdk.Acknowledgment(id=f"AwsSolutions-IAM5[Resource::{resource}]", reason=reason)
        )
    cdk.CfnOutput(registry, "NginxImage", value=docker_hub.image_uri("nginx", tag="stable-alpine"))

    # Same account, other region: only the replica settings.
    second_region = cdk.Stack(app, f"Replicas-{SECOND_REGION.region}", env=SECOND_REGION)
    replica_settings(second_region)

    # The DR account lets the source account replicate into it.
    disaster_recovery = cdk.Stack(app, "DisasterRecovery", env=DISASTER_RECOVERY)
    RegistryPolicy.of(disaster_recovery).add(RegistryAccess.replication_from([SOURCE.account]))
    replica_settings(disaster_recovery)

    return [registry, second_region, disaster_recovery]


if __name__ == "__main__":
    app = cdk.App(outdir=os.environ.get("CDK_OUTDIR", "cdk.out"))
    build(app)
    app.synth()
