"""Managed signing of production images, pull-time update exclusions for the scanners, an
organisation-wide registry policy, and notifications of what happens to the images.

Run: python examples/signing_and_exclusions.py  (templates go to $CDK_OUTDIR or cdk.out)

- ECR signs every push to ``prod*`` with an AWS Signer profile; the CI role that pushes may
  sign with it.
- Unpulled images are archived after 90 days. Two vulnerability scanners pull every image
  every day: excluded from pull-time updates, their pulls don't keep images "in use".
- One registry statement lets every account of the organisation pull every repository
  (registry policy scope V2, ECR's default).
- Archived images, failed replications into this registry and pushes of ``latest`` are
  reported to an encrypted SNS topic that only this account's EventBridge rules may publish to.
"""

import os

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_signer as signer

from ecr_constructs import (
    ActionResult,
    GitHubActionsPushRole,
    Lifecycle,
    NotificationTopic,
    PullTimeUpdateExclusions,
    RegistryAccess,
    RegistryPolicy,
    Repository,
    SigningConfiguration,
)

ORGANIZATION = "o-a1b2c3d4e5"
SECURITY_ACCOUNT = "210987654321"  # runs a second scanner that pulls every image

app = cdk.App(outdir=os.environ.get("CDK_OUTDIR", "cdk.out"))
stack = cdk.Stack(
    app, "SigningAndExclusions", env=cdk.Environment(account="123456789012", region="eu-west-1")
)

service = Repository(
    stack,
    "Service",
    repository_name="prod-api",
    lifecycle=[
        Lifecycle.protect_tags(prefixes=["prod", "release"]),
        Lifecycle.archive_unpulled(90),
    ],
)

# Sign every push to prod* with a Notation profile; the pushing role must be allowed to sign.
profile = signer.SigningProfile(
    stack, "SigningProfile", platform=signer.Platform.NOTATION_OCI_SHA384_ECDSA
)
signing = SigningConfiguration.of(stack)
signing.add_rule(signing_profile=profile, repository_filters=["prod*"])
ci = GitHubActionsPushRole(
    stack, "GitHubPush", repository="example-org/api", repositories=[service.repository]
)
signing.grant_sign(ci.role)

# The scanners' daily pulls must not count as use, or nothing would ever be archived.
scanner = iam.Role(
    stack,
    "Scanner",
    assumed_by=iam.ServicePrincipal("ecs-tasks.amazonaws.com"),
    description="A third-party vulnerability scanner that pulls every image daily",
)
service.grant_pull(scanner)
cdk.Validations.of(scanner).acknowledge(
    cdk.Acknowledgment(
        id="AwsSolutions-IAM5[Resource::*]",
        reason="ecr:GetAuthorizationToken has no resource-level permissions",
    )
)
PullTimeUpdateExclusions(
    stack,
    "ScannerPulls",
    principals=[scanner, f"arn:aws:iam::{SECURITY_ACCOUNT}:role/security/image-scanner"],
)

# Every account of the organisation may pull every repository of this registry.
registry_policy = RegistryPolicy.of(stack)
registry_policy.add(RegistryAccess.organization_pull([ORGANIZATION]))
cdk.Validations.of(registry_policy).acknowledge(
    cdk.Acknowledgment(
        id="AwsSolutions-ECR1",
        reason="Principal * is limited to the organization by aws:PrincipalOrgID",
    )
)

# What happens to the images, to one encrypted topic.
alerts = NotificationTopic(stack, "Alerts").topic
service.on_image_archived("Archived", topic=alerts)
service.on_image_replicated("ReplicationFailed", result=ActionResult.FAILED, topic=alerts)
service.on_image_pushed("LatestPushed", tags=["latest"], topic=alerts)
cdk.CfnOutput(stack, "AlertsTopic", value=alerts.topic_arn)

app.synth()
