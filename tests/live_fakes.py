"""Accounts for the live commands' tests: moto's ECR API for what it supports, answers
checked against botocore's service model (as ``Stubber`` checks them) for the operations
moto lacks, every call recorded, and any call that is not a read refused; the GET of a
public repository's logo answered from memory (no network).

The commands make their own boto3 sessions; ``fake_account`` replaces boto3's ``Session``
with one that installs the hooks, so the commands run unchanged.
"""

from __future__ import annotations

import copy
import io
import json
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from typing import Any, BinaryIO
from urllib.error import HTTPError
from urllib.request import Request

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.validate import validate_parameters
from moto import mock_aws

from ecr_constructs.lifecycle import Lifecycle, LifecyclePolicy
from ecr_constructs.live import logos
from ecr_constructs.policy import RegistryAccess, RegistryPolicyDocument, RepositoryAccess
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
    "GetAccountSetting": {"name": "REGISTRY_POLICY_SCOPE", "value": "V2"},
}
"""ECR operations moto 5.2.5 doesn't implement, answered for an account that has none (and
is on ECR's default registry policy scope)."""


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
    logos: dict[str, bytes] = field(default_factory=dict)
    """URL -> the image a GET of it answers (``logoUrl``); any other URL answers 404."""
    downloads: list[str] = field(default_factory=list)
    """The URLs the commands sent a GET to."""

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

    def open_url(self, request: Request, timeout: float) -> BinaryIO:
        """What ``urlopen`` answers: the network, for the logos' URLs."""
        assert request.get_method() == "GET" and timeout > 0
        url = request.full_url
        self.downloads.append(url)
        if url not in self.logos:
            raise HTTPError(url, 404, "Not Found", Message(), None)
        return io.BytesIO(self.logos[url])


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
        monkeypatch.setattr(logos, "urlopen", account.open_url)
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


ORGANIZATION = "o-a1b2c3d4e5"
ORGANIZATION_PUSH_POLICY = json.loads(
    json.dumps(
        RepositorySettings(
            access=[RepositoryAccess.organization_push([ORGANIZATION])]
        ).policy_document("aws")
    )
)
"""A repository policy as the organisation push preset renders it."""
REGISTRY_POLICY = RegistryPolicyDocument(
    [
        RegistryAccess.replication_from(["111111111111"]),
        RegistryAccess.organization_pull([ORGANIZATION]),
    ],
    account=ACCOUNT,
    region=REGION,
).to_dict()
"""A V2 registry policy: replication from another account, pull by the organisation."""
SIGNING_PROFILE = f"arn:aws:signer:{REGION}:{ACCOUNT}:/signing-profiles/images"
SIGNING = {
    "registryId": ACCOUNT,
    "signingConfiguration": {
        "rules": [
            {
                "signingProfileArn": SIGNING_PROFILE,
                "repositoryFilters": [
                    {"filter": "payments/*", "filterType": "WILDCARD_MATCH"},
                    {"filter": "data/*", "filterType": "WILDCARD_MATCH"},
                ],
            },
            {"signingProfileArn": f"arn:aws:signer:{REGION}:{ACCOUNT}:/signing-profiles/all"},
        ]
    },
}
"""Signing rules: one for two namespaces, one for every repository."""
EXCLUDED = [f"arn:aws:iam::{ACCOUNT}:role/scanner", f"arn:aws:iam::{ACCOUNT}:role/ci/mirror"]
"""Principals whose pulls don't count (``ListPullTimeUpdateExclusions``), as ECR lists them."""
ECR_CACHE_RULE = {
    "ecrRepositoryPrefix": "team-a-mirror",
    "upstreamRegistryUrl": "210987654321.dkr.ecr.eu-central-1.amazonaws.com",
    "upstreamRegistry": "ecr",
    "customRoleArn": f"arn:aws:iam::{ACCOUNT}:role/ecr-cache",
    "upstreamRepositoryPrefix": "team-a",
    "registryId": ACCOUNT,
}
"""An ECR-to-ECR cache of another account's team-a/ namespace."""


def seed(account: FakeAccount) -> None:
    """An account clicked together over the years: repositories with assorted settings,
    policies, lifecycle texts and tags; replication, scanning, a registry policy, an
    ECR-to-ECR pull-through cache, signing and pull-time update exclusions (what moto lacks,
    or refuses as a V2 registry policy, answered in ``account.answers``)."""
    ecr = account.ecr

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
    repository(
        "platform/base-image",
        {"team": "platform"},
        imageTagMutability="IMMUTABLE",
        imageScanningConfiguration={"scanOnPush": True},
    )
    ecr.put_lifecycle_policy(
        repositoryName="platform/base-image", lifecyclePolicyText=json.dumps(LIBRARY_LIFECYCLE)
    )
    ecr.set_repository_policy(
        repositoryName="platform/base-image", policyText=json.dumps(ORGANIZATION_PUSH_POLICY)
    )
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
    answers = {
        "GetRegistryPolicy": {
            "registryId": ACCOUNT,
            "policyText": json.dumps(REGISTRY_POLICY, indent=2),
        },
        "DescribePullThroughCacheRules": {"pullThroughCacheRules": [ECR_CACHE_RULE]},
        "GetSigningConfiguration": SIGNING,
        "ListPullTimeUpdateExclusions": {"pullTimeUpdateExclusions": EXCLUDED},
    }
    account.answers.update(copy.deepcopy(answers))  # tests change them, never the constants
