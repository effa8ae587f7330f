"""What a template declares for each ``AWS::ECR::Repository`` against what the ECR API says
was deployed, property by property, and whether repositories and images survived.

Both sides are written as CloudFormation properties, with the API's defaults for what a
template leaves out; JSON documents are compared parsed, tags without the ``aws:`` ones.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from .engine import ACCOUNT, REGION

REPOSITORY = "AWS::ECR::Repository"
PSEUDO_PARAMETERS = {
    "AWS::AccountId": ACCOUNT,
    "AWS::Partition": "aws",
    "AWS::Region": REGION,
    "AWS::URLSuffix": "amazonaws.com",
}
PROVEN_BY_DESTROY = {"EmptyOnDelete"}
"""Not readable through the API: the destroy step shows it (a repository with images goes)."""
NOT_APPLIED_BY_ENGINE = {"ImageTagMutabilityExclusionFilters"}
"""ministack drops these; test_api_level.py checks them against moto's ECR API."""

Settings = dict[str, Any]
"""A repository's settings, keyed by CloudFormation property name."""


@dataclass(frozen=True)
class Kept:
    """What must not change while a repository lives: its ARN, creation time and images."""

    arn: str
    created_at: datetime
    images: frozenset[str]


def resolve(value: Any, refs: Mapping[str, str]) -> Any:
    """``value`` with ``Ref``, ``Fn::GetAtt`` (as ``"Logical.Attribute"``) and ``Fn::Join``
    resolved from ``refs`` and the pseudo parameters; any other intrinsic is an error."""
    if isinstance(value, list):
        return [resolve(item, refs) for item in value]
    if not isinstance(value, dict):
        return value
    known = {**PSEUDO_PARAMETERS, **refs}
    if list(value) == ["Ref"]:
        return known[value["Ref"]]
    if list(value) == ["Fn::GetAtt"]:
        return known[".".join(value["Fn::GetAtt"])]
    if list(value) == ["Fn::Join"]:
        separator, parts = value["Fn::Join"]
        return separator.join(resolve(part, refs) for part in parts)
    intrinsic = [key for key in value if key.startswith("Fn::")]
    assert not intrinsic, f"no local resolution for {intrinsic}"
    return {key: resolve(item, refs) for key, item in value.items()}


def repositories_of(template: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Logical ID -> resource of every ``AWS::ECR::Repository`` in a template."""
    return {k: r for k, r in template["Resources"].items() if r["Type"] == REPOSITORY}


def declared(properties: Mapping[str, Any], physical_id: str) -> Settings:
    """The settings a repository's template properties declare (API defaults filled in)."""
    properties = resolve(dict(properties), {})
    lifecycle = properties.get("LifecyclePolicy")
    if lifecycle is not None:
        assert set(lifecycle) == {"LifecyclePolicyText"}, lifecycle
    settings = {
        "RepositoryName": properties.get("RepositoryName", physical_id),
        "ImageTagMutability": properties.get("ImageTagMutability", "MUTABLE"),
        "ImageScanningConfiguration": {
            "ScanOnPush": properties.get("ImageScanningConfiguration", {}).get("ScanOnPush", False)
        },
        "EncryptionConfiguration": {
            "EncryptionType": "AES256",
            **properties.get("EncryptionConfiguration", {}),
        },
        "LifecyclePolicy": _parsed(lifecycle and lifecycle["LifecyclePolicyText"]),
        "RepositoryPolicyText": _parsed(properties.get("RepositoryPolicyText")),
        "Tags": {t["Key"]: t["Value"] for t in properties.get("Tags", [])},
    }
    unknown = set(properties) - set(settings) - PROVEN_BY_DESTROY - NOT_APPLIED_BY_ENGINE
    assert not unknown, f"{physical_id}: no read-back for {sorted(unknown)}"
    return settings


def deployed(ecr: Any, name: str) -> Settings:
    """A repository's settings as the ECR API reports them."""
    (repository,) = ecr.describe_repositories(repositoryNames=[name])["repositories"]
    encryption = repository["encryptionConfiguration"]
    tags = ecr.list_tags_for_resource(resourceArn=repository["repositoryArn"])["tags"]
    return {
        "RepositoryName": repository["repositoryName"],
        "ImageTagMutability": repository["imageTagMutability"],
        "ImageScanningConfiguration": {
            "ScanOnPush": repository["imageScanningConfiguration"]["scanOnPush"]
        },
        "EncryptionConfiguration": {
            "EncryptionType": encryption["encryptionType"],
            **({"KmsKey": encryption["kmsKey"]} if "kmsKey" in encryption else {}),
        },
        "LifecyclePolicy": _parsed(
            _unless_missing(ecr.get_lifecycle_policy, name, "lifecyclePolicyText")
        ),
        "RepositoryPolicyText": _parsed(
            _unless_missing(ecr.get_repository_policy, name, "policyText")
        ),
        "Tags": {t["Key"]: t["Value"] for t in tags if not t["Key"].startswith("aws:")},
    }


def read_stack(
    ecr: Any, template: Mapping[str, Any], physical_ids: Mapping[str, str]
) -> dict[str, Settings]:
    """Physical name -> deployed settings of every repository of a deployed template."""
    return {physical_ids[k]: deployed(ecr, physical_ids[k]) for k in repositories_of(template)}


def mismatches(
    template: Mapping[str, Any],
    physical_ids: Mapping[str, str],
    observed: Mapping[str, Settings],
) -> list[str]:
    """One line per property where the API differs from the template."""
    problems = []
    for logical_id, resource in repositories_of(template).items():
        name = physical_ids.get(logical_id)
        if name is None or name not in observed:
            problems.append(f"{logical_id}: not deployed")
            continue
        expected = declared(resource.get("Properties", {}), name)
        for prop, value in expected.items():
            if observed[name][prop] != value:
                problems.append(
                    f"{logical_id} ({name}) {prop}: template says {value!r}, "
                    f"ECR says {observed[name][prop]!r}"
                )
    return problems


def assert_as_declared(
    template: Mapping[str, Any],
    physical_ids: Mapping[str, str],
    observed: Mapping[str, Settings],
) -> None:
    problems = mismatches(template, physical_ids, observed)
    assert not problems, "\n".join(problems)


def kept_state(ecr: Any) -> dict[str, Kept]:
    """Every repository of the registry: name -> ARN, creation time and image digests."""
    state = {}
    for page in ecr.get_paginator("describe_repositories").paginate():
        for repository in page["repositories"]:
            name = repository["repositoryName"]
            images = ecr.list_images(repositoryName=name)["imageIds"]
            state[name] = Kept(
                arn=repository["repositoryArn"],
                created_at=repository["createdAt"],
                images=frozenset(image["imageDigest"] for image in images),
            )
    return state


def assert_kept(
    before: Mapping[str, Kept], after: Mapping[str, Kept], names: Iterable[str]
) -> None:
    """Each named repository is still there: same ARN and creation time (not recreated),
    every image it had still in it."""
    problems = []
    for name in names:
        was, now = before[name], after.get(name)
        if now is None:
            problems.append(f"{name}: gone")
        elif (now.arn, now.created_at) != (was.arn, was.created_at):
            problems.append(f"{name}: recreated ({was} -> {now})")
        elif not was.images <= now.images:
            problems.append(f"{name}: lost images {sorted(was.images - now.images)}")
    assert not problems, "\n".join(problems)


def repository_ids(
    templates: Mapping[str, Mapping[str, Any]], physical_ids: Mapping[str, Mapping[str, str]]
) -> dict[str, str]:
    """``stack/logical ID`` -> physical name of every repository of deployed templates."""
    return {
        f"{stack}/{logical_id}": physical_ids[stack][logical_id]
        for stack, template in templates.items()
        for logical_id in repositories_of(template)
    }


def assert_not_replaced(
    before: Mapping[str, str],
    after: Mapping[str, str],
    kept_before: Mapping[str, Kept],
    kept_after: Mapping[str, Kept],
) -> None:
    """Every repository resource deployed before and after (``repository_ids``) is the same
    repository: same name, ARN and creation time, every image still there."""
    common = sorted(before.keys() & after.keys())
    assert common, "no repository in both versions"
    moved = [f"{key}: {before[key]} -> {after[key]}" for key in common if before[key] != after[key]]
    assert not moved, "replaced:\n" + "\n".join(moved)
    assert_kept(kept_before, kept_after, [before[key] for key in common])


def _parsed(document: str | dict[str, Any] | None) -> Any:
    return json.loads(document) if isinstance(document, str) else document


def _unless_missing(read: Any, name: str, field: str) -> str | None:
    try:
        text: str = read(repositoryName=name)[field]
    except ClientError as error:
        if error.response["Error"]["Code"].endswith("NotFoundException"):
            return None
        raise
    return text
