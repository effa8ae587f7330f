"""Accounts for the live commands' tests: moto's ECR API for what it supports, answers
checked against botocore's service model (as ``Stubber`` checks them) for the operations
moto lacks, every call recorded, and any call that is not a read refused.

The commands make their own boto3 sessions; ``fake_account`` replaces boto3's ``Session``
with one that installs the hooks, so the commands run unchanged.
"""

from __future__ import annotations

import copy
import json
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.validate import validate_parameters
from moto import mock_aws

from ecr_constructs.lifecycle import Lifecycle, LifecyclePolicy
from ecr_constructs.policy import RepositoryAccess
from ecr_constructs.settings import RepositorySettings

REGION = "eu-west-1"
ACCOUNT = "123456789012"
"""moto's account."""
READ = re.compile(r"(Describe|Get|List)[A-Z]\w*|BatchGetRepositoryScanningConfiguration")
NOT_READS = frozenset({"GetAuthorizationToken", "GetDownloadUrlForLayer", "BatchGetImage"})
"""Names that read like reads but hand out credentials or pull images."""
MOTO_LACKS: Mapping[str, Mapping[str, Any]] = {
    "DescribePullThroughCacheRules": {"pullThroughCacheRules": []},
    "DescribeRepositoryCreationTemplates": {
        "registryId": ACCOUNT,
        "repositoryCreationTemplates": [],
    },
    "GetSigningConfiguration": {"registryId": ACCOUNT, "signingConfiguration": {"rules": []}},
    "ListPullTimeUpdateExclusions": {"pullTimeUpdateExclusions": []},
}
"""ECR operations moto 5.2.5 doesn't implement, answered for an account that has none."""


class NotARead(AssertionError):
    """A command sent a call that could change the account."""


@dataclass
class FakeAccount:
    """The account the commands read: ``ecr`` changes it (as a person would), ``calls``
    records what the commands sent, ``answers`` is what they get for what moto lacks."""

    ecr: Any
    calls: list[tuple[str, str]] = field(default_factory=list)
    answers: dict[str, Any] = field(default_factory=lambda: copy.deepcopy(dict(MOTO_LACKS)))
    """Operation (``ecr-public:Operation`` for other services) -> its response, an error code
    to answer with, or a function of the request that returns either."""
    refuse: dict[tuple[str, str], str] = field(default_factory=dict)
    """(operation, repository name) -> error code to answer with, such as AccessDenied."""

    def operations(self, service: str = "ecr") -> Counter[str]:
        return Counter(operation for name, operation in self.calls if name == service)

    def hook(self, model: Any, params: Mapping[str, Any], **_: Any) -> Any:
        service = model.service_model.service_name
        self.calls.append((service, model.name))
        if model.name in NOT_READS or not READ.fullmatch(model.name):
            raise NotARead(f"{service}:{model.name} is not a read")
        body = json.loads(params.get("body") or b"{}")  # the request as sent
        refused = self.refuse.get((model.name, str(body.get("repositoryName", ""))))
        if refused is not None:
            return _error(refused, f"not allowed to {model.name}")
        key = model.name if service == "ecr" else f"{service}:{model.name}"
        if key not in self.answers:
            return None
        answer = self.answers[key]
        answer = copy.deepcopy(answer(body) if callable(answer) else answer)
        if isinstance(answer, str):
            return _error(answer, "none")
        validate_parameters(answer, model.output_shape)
        return AWSResponse(None, 200, {}, None), answer


def _error(code: str, message: str) -> tuple[AWSResponse, dict[str, Any]]:
    body = {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"HTTPStatusCode": 400},
    }
    return AWSResponse(None, 400, {}, None), body


def hook_sessions(monkeypatch: pytest.MonkeyPatch, account: FakeAccount) -> None:
    """Every boto3 session made from now on calls ``account.hook`` before each call."""
    real = boto3.session.Session

    class HookedSession(real):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.events.register("before-call", account.hook)

    monkeypatch.setattr(boto3.session, "Session", HookedSession)


@contextmanager
def fake_account(monkeypatch: pytest.MonkeyPatch, region: str = REGION) -> Iterator[FakeAccount]:
    """A moto account in ``region``; commands run inside read it through the hooks."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_REGION", region)
    with mock_aws():
        account = FakeAccount(boto3.session.Session(region_name=region).client("ecr"))
        hook_sessions(monkeypatch, account)
        yield account


def image_manifest(layer: str, *, size: int = 1) -> str:
    """A Docker image manifest that ``put_image`` accepts: one layer of digest ``layer`` (64
    hex digits), and ``size`` bytes, which moto reports as the image's size (it counts the
    config's)."""
    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {
                "mediaType": "application/vnd.docker.container.image.v1+json",
                "size": size,
                "digest": "sha256:" + "c" * 64,
            },
            "layers": [
                {
                    "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                    "size": 1,
                    "digest": f"sha256:{layer}",
                }
            ],
        }
    )


LIBRARY_LIFECYCLE = LifecyclePolicy.from_presets(
    [
        Lifecycle.protect_tags(prefixes=["prod"]),
        Lifecycle.expire_untagged(after_days=1),
        Lifecycle.keep_last(20),
    ]
).to_dict()
"""A policy as the library renders presets (as a fleet deployed it)."""
CONSOLE_LIFECYCLE = """{
  "rules": [
    {"rulePriority": 10, "description": "clean up feature builds",
     "selection": {"tagStatus": "tagged", "tagPrefixList": ["feature"],
                   "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 14},
     "action": {"type": "expire"}},
    {"rulePriority": 20,
     "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 50},
     "action": {"type": "expire"}}
  ]
}"""
"""A policy typed into the console: gaps in the priorities, a rule without description."""
PULL_POLICY = json.loads(
    json.dumps(
        RepositorySettings(
            access=[RepositoryAccess.pull(accounts=["987654321098"])]
        ).policy_document("aws")
    )
)
"""A repository policy as the pull preset renders it."""
CONSOLE_POLICY = {
    "Version": "2008-10-17",
    "Statement": {
        "Sid": "AllowCrossAccountPull",
        "Effect": "Allow",
        "Principal": {"AWS": ["arn:aws:iam::987654321098:role/deployer", "111122223333"]},
        "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
    },
}
"""A policy typed into the console: old version, one statement, an account ID principal."""
OPEN_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "Anyone", "Effect": "Allow", "Principal": "*", "Action": "ecr:BatchGetImage"},
        {
            "Effect": "Allow",
            "Principal": {"AWS": "AROAEXAMPLEDELETEDROLE"},
            "Action": ["ecr:*"],
        },
    ],
}
"""A policy the library would refuse: anyone may pull, and a deleted role's ID."""


def seed(ecr: Any) -> None:
    """An account clicked together over the years: repositories with assorted settings,
    policies, lifecycle texts and tags; replication, scanning and a registry policy."""

    def repository(name: str, tags: Mapping[str, str], **settings: Any) -> None:
        ecr.create_repository(
            repositoryName=name,
            tags=[{"Key": k, "Value": v} for k, v in tags.items()],
            **settings,
        )

    immutable = {
        "imageTagMutability": "IMMUTABLE",
        "imageScanningConfiguration": {"scanOnPush": True},
        "encryptionConfiguration": {"encryptionType": "KMS"},
    }
    for name in ("payments/api", "payments/worker", "payments/ledger"):
        repository(name, {"team": "payments", "cost-centre": "42"}, **immutable)
        ecr.put_lifecycle_policy(
            repositoryName=name, lifecyclePolicyText=json.dumps(LIBRARY_LIFECYCLE)
        )
        ecr.set_repository_policy(repositoryName=name, policyText=json.dumps(PULL_POLICY))
    repository("payments/ledger-v2", {"team": "payments", "cost-centre": "42"}, **immutable)
    ecr.put_lifecycle_policy(
        repositoryName="payments/ledger-v2", lifecyclePolicyText=json.dumps(LIBRARY_LIFECYCLE)
    )
    for name in ("web/frontend", "web/backend"):
        repository(name, {"team": "web", "owner": name.split("/")[1]})
    repository(
        "data/etl",
        {"team": "data"},
        imageTagMutability="IMMUTABLE_WITH_EXCLUSION",
        imageTagMutabilityExclusionFilters=[{"filter": "latest", "filterType": "WILDCARD"}],
        imageScanningConfiguration={"scanOnPush": True},
        encryptionConfiguration={
            "encryptionType": "KMS",
            "kmsKey": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d",
        },
    )
    ecr.put_lifecycle_policy(repositoryName="data/etl", lifecyclePolicyText=CONSOLE_LIFECYCLE)
    ecr.set_repository_policy(repositoryName="data/etl", policyText=json.dumps(CONSOLE_POLICY))
    repository("legacy-website", {"aws:cloudformation:stack-name": "old-stack"})
    ecr.set_repository_policy(repositoryName="legacy-website", policyText=json.dumps(OPEN_POLICY))
    ecr.put_registry_scanning_configuration(
        scanType="ENHANCED",
        rules=[
            {
                "scanFrequency": "CONTINUOUS_SCAN",
                "repositoryFilters": [{"filter": "payments*", "filterType": "WILDCARD"}],
            },
            {
                "scanFrequency": "SCAN_ON_PUSH",
                "repositoryFilters": [{"filter": "*", "filterType": "WILDCARD"}],
            },
        ],
    )
    ecr.put_replication_configuration(
        replicationConfiguration={
            "rules": [
                {
                    "destinations": [
                        {"region": "eu-central-1", "registryId": ACCOUNT},
                        {"region": "us-east-1", "registryId": "987654321098"},
                    ],
                    "repositoryFilters": [{"filter": "payments", "filterType": "PREFIX_MATCH"}],
                }
            ]
        }
    )
    ecr.put_registry_policy(
        policyText=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "ReplicationFrom",
                        "Effect": "Allow",
                        "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
                        "Action": ["ecr:CreateRepository", "ecr:ReplicateImage"],
                        "Resource": f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/*",
                    }
                ],
            }
        )
    )
