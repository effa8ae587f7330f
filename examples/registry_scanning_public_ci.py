"""Enhanced scanning with findings notifications, a public repository, and a GitHub Actions
role that pushes to both a private and the public repository.

Run: python examples/registry_scanning_public_ci.py  (templates go to $CDK_OUTDIR or cdk.out)

ECR Public lives in us-east-1, so this stack does too. Before deploying, subscribe to the
findings topic (``FindingsTopic`` output), and if the account already has GitHub's OIDC
provider, pass ``oidc_provider=GitHubActionsPushRole.existing_provider(stack)``.
"""

import os

import aws_cdk as cdk

from ecr_constructs import Repository
from ecr_constructs.ci import GitHubActionsPushRole
from ecr_constructs.events import FindingSeverity, image_push_rule
from ecr_constructs.public import Architecture, OperatingSystem, PublicRepository
from ecr_constructs.registry import (
    RegistryScanning,
    ScanFindingsNotifications,
    ScanFrequency,
    ScanningRule,
    ScanType,
)

app = cdk.App(outdir=os.environ.get("CDK_OUTDIR", "cdk.out"))
stack = cdk.Stack(
    app,
    "RegistryScanningPublicCi",
    env=cdk.Environment(account=os.environ.get("CDK_DEFAULT_ACCOUNT"), region="us-east-1"),
)

# Amazon Inspector rescans production images whenever a new CVE appears; the rest on push.
RegistryScanning(
    stack,
    "Scanning",
    scan_type=ScanType.ENHANCED,
    rules=[
        ScanningRule(ScanFrequency.CONTINUOUS_SCAN, ["prod-*"]),
        ScanningRule(ScanFrequency.SCAN_ON_PUSH, ["*"]),
    ],
)
# HIGH and CRITICAL findings, from either scanner, to a new KMS-encrypted topic.
findings = ScanFindingsNotifications(stack, "Findings", severity=FindingSeverity.HIGH)
cdk.CfnOutput(stack, "FindingsTopic", value=findings.topic.topic_arn)

service = Repository(stack, "Service", repository_name="prod-web")
# Tell the same topic when a new "latest" lands in the production repository.
image_push_rule(
    stack, "LatestPushed", repository_names=["prod-web"], tags=["latest"], topic=findings.topic
)

cli = PublicRepository(
    stack,
    "Cli",
    repository_name="example-cli",
    description="The example command-line tool",
    about_text="# example-cli\n\nA small tool, published from GitHub Actions.",
    usage_text="```\ndocker run --rm public.ecr.aws/example/example-cli --help\n```",
    operating_systems=[OperatingSystem.LINUX],
    architectures=[Architecture.X86_64, Architecture.ARM_64],
    tags={"team": "platform"},
)

# Workflows on main, or jobs in the "release" environment, of example-org/example-cli.
ci = GitHubActionsPushRole(
    stack,
    "GitHubPush",
    repository="example-org/example-cli",
    branches=["main"],
    environments=["release"],
    repositories=[service.repository],
    public_repositories=[cli],
)
cdk.CfnOutput(stack, "PushRoleArn", value=ci.role_arn)

app.synth()
