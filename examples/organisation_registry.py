"""The example organisation registry: the app `cdk synth` runs (see cdk.json).

Every repository, public repository and registry-wide setting of registry.yaml, built by
RepositoryFleet. The shard map beside it (registry.shards.json) keeps each repository in
the stack it was first placed in. It is locked while the app runs and updated, when
repositories came or went, only once the synthesized assembly holds the new placement.
"""

import os
from pathlib import Path

import aws_cdk as cdk

from ecr_constructs.standards import RepositoryFleet

app = cdk.App(outdir=os.environ.get("CDK_OUTDIR", "cdk.out"))
with RepositoryFleet.from_file(app, Path(__file__).with_name("registry.yaml")) as fleet:
    fleet.commit_shard_map(app.synth())
