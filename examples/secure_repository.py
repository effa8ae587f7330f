"""One repository with the guide's lifecycle policies and cross-account pull access.

Run: python examples/secure_repository.py  (templates go to $CDK_OUTDIR or cdk.out)
"""

import os

import aws_cdk as cdk

from ecr_constructs import Lifecycle, Repository, RepositoryAccess

app = cdk.App(outdir=os.environ.get("CDK_OUTDIR", "cdk.out"))
stack = cdk.Stack(
    app, "SecureRepository", env=cdk.Environment(account="123456789012", region="eu-west-1")
)
Repository(
    stack,
    "MyApp",
    repository_name="my-app",
    lifecycle=[  # list order is precedence
        Lifecycle.protect_tags(prefixes=["prod", "release"]),
        Lifecycle.expire_untagged(after_days=1),
        Lifecycle.expire_tagged(prefixes=["dev", "feature"], after_days=7),
        Lifecycle.keep_last(10),
    ],
    access=[
        RepositoryAccess.pull(accounts=["987654321098"]),
        RepositoryAccess.lambda_pull(accounts=["123456789012"]),
    ],
)
app.synth()
