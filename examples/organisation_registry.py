"""The example organisation registry: the app `cdk synth` runs (see cdk.json)."""

import os

import aws_cdk as cdk

from ecr_constructs import Lifecycle, Repository, RepositoryAccess, TagStrategy

app = cdk.App(outdir=os.environ.get("CDK_OUTDIR", "cdk.out"))
stack = cdk.Stack(
    app, "OrganisationRegistry", env=cdk.Environment(account="123456789012", region="us-east-1")
)
production = [
    Lifecycle.protect_tags(prefixes=["prod", "release"]),
    Lifecycle.expire_untagged(after_days=1),
    Lifecycle.keep_last(20, patterns=TagStrategy.SEMVER),
    Lifecycle.expire_tagged(prefixes=["dev", "feature"], after_days=7),
]
for name in ["payments/api", "payments/worker", "search/indexer", "web/frontend"]:
    Repository(
        stack,
        name.replace("/", "-"),
        repository_name=name,
        lifecycle=production,
        access=[RepositoryAccess.organization_pull(["o-a1b2c3d4e5"])],
        tags={"team": name.split("/")[0]},
    )
app.synth()
