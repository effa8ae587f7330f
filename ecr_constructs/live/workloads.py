"""The images running workloads of an account and region use, read with read-only calls:
ECS (running tasks, and the task definitions of active services), Lambda (every version of
every function packaged as an image, by its resolved URI), App Runner services from ECR and
active Batch job definitions.

Each source is read whole or not at all: a call refused (access denied, a failure after
boto3's retries) leaves that source unchecked, recorded with the call and the reason, and
the other sources are read. A source not offered in the region (App Runner) is skipped.
Failures that stop every call (credentials, the network) raise ``LiveRegistryError``.

Calls: ECS ``ListClusters`` (a page per 100 clusters) and per cluster ``ListTasks`` and
``DescribeTasks`` (a call each per 100 running tasks), ``ListServices`` (per 100 services),
``DescribeServices`` (per 10), then ``DescribeTaskDefinition`` once per task definition
that an active service uses; Lambda ``ListFunctions`` (per 50 versions) and
``GetFunction`` per version packaged as an image; App Runner ``ListServices`` (per 20) and
``DescribeService`` per service; Batch ``DescribeJobDefinitions`` (per 100 active job
definitions). Reads that fan out go through the connection's pool of threads.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from .failures import CallFailed, Unreadable, aws_call
from .pool import read_each
from .session import Connection

READ_CALLS: Mapping[str, frozenset[str]] = {
    "ecs": frozenset(
        {
            "ListClusters",
            "ListTasks",
            "DescribeTasks",
            "ListServices",
            "DescribeServices",
            "DescribeTaskDefinition",
        }
    ),
    "lambda": frozenset({"ListFunctions", "GetFunction"}),
    "apprunner": frozenset({"ListServices", "DescribeService"}),
    "batch": frozenset({"DescribeJobDefinitions"}),
}
"""Every API call this module makes, by service: reads only."""


class InUseCheck(enum.StrEnum):
    """Whether to look for images that running workloads use."""

    AUTO = "auto"
    """Read every source the caller may read; a source refused is reported as not checked."""
    REQUIRE = "require"
    """Read every source; a source refused makes the result incomplete (an error)."""
    OFF = "off"
    """Read no workload: nothing is flagged as in use."""


@dataclass(frozen=True)
class WorkloadImage:
    """An image a workload uses: ``uri`` as the workload names it; ``running_digest`` when
    the service says which digest it runs (an ECS task's container)."""

    uri: str
    used_by: str
    """Who uses it: ``ECS service prod/api (task definition api:12)``."""
    running_digest: str | None = None


@dataclass(frozen=True)
class Workloads:
    """What the workloads of an account and region use, and what could not be checked."""

    images: tuple[WorkloadImage, ...]
    checked: tuple[str, ...]
    """Each source read, with what it found: ``ECS: 2 clusters, 5 running tasks, 3 services``."""
    unchecked: tuple[Unreadable, ...]
    """Each source that could not be read, with the call refused and why."""
    not_offered: tuple[str, ...] = ()
    """Sources skipped because the region doesn't offer them."""


@dataclass(frozen=True)
class _Source:
    name: str
    service: str
    read: Callable[[Connection], tuple[list[WorkloadImage], str]]


def read_workloads(connection: Connection) -> Workloads:
    """Every source of ``SOURCES`` in ``connection``'s account and region."""
    images: list[WorkloadImage] = []
    checked: list[str] = []
    unchecked: list[Unreadable] = []
    not_offered: list[str] = []
    for source in SOURCES:
        offered = connection.session.get_available_regions(
            source.service, partition_name=connection.partition
        )
        if offered and connection.region not in offered:
            not_offered.append(f"{source.name} is not offered in {connection.region}")
            continue
        try:
            found, summary = source.read(connection)
        except _Refused as refused:
            unchecked.append(refused.unreadable)
            continue
        images += found
        checked.append(f"{source.name}: {summary}")
    return Workloads(tuple(images), tuple(checked), tuple(unchecked), tuple(not_offered))


class _Refused(Exception):
    """A call of a source was refused: the source is unchecked."""

    def __init__(self, unreadable: Unreadable) -> None:
        super().__init__(str(unreadable))
        self.unreadable = unreadable


@contextmanager
def _call(operation: str, subject: str, region: str, service: str) -> Iterator[None]:
    """``aws_call``, a refusal raised as ``_Refused`` naming the call."""
    try:
        with aws_call(operation, subject, region, action_prefix=service):
            yield
    except CallFailed as failure:
        raise _Refused(Unreadable(operation, subject, str(failure))) from None


def _pages(client: Any, operation: str, key: str, size: int, **request: Any) -> Iterator[Any]:
    """Every item under ``key`` of every page of ``operation`` (``size`` items a page)."""
    paginator = client.get_paginator(operation)
    for page in paginator.paginate(**request, PaginationConfig={"PageSize": size}):
        yield from page.get(key, [])


def _counted(number: int, singular: str) -> str:
    return f"{number} {singular}{'' if number == 1 else 's'}"


def _batches(items: list[str], size: int) -> list[list[str]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


def _name(arn: str) -> str:
    """The last part of an ARN: ``cluster/prod`` -> ``prod``."""
    return arn.rsplit("/", 1)[-1]


# -- ECS -----------------------------------------------------------------------------------


@dataclass
class _Cluster:
    images: list[WorkloadImage]
    services: dict[str, list[str]]
    """Task definition ARN -> the services using it."""
    tasks: int


def _ecs(connection: Connection) -> tuple[list[WorkloadImage], str]:
    ecs, region = connection.client("ecs"), connection.region
    with _call("ListClusters", "ECS clusters", region, "ecs"):
        clusters = list(_pages(ecs, "list_clusters", "clusterArns", 100))
    read = read_each(connection.workers, lambda arn: _ecs_cluster(ecs, region, arn), clusters)
    images = [image for cluster in read for image in cluster.images]
    users: dict[str, list[str]] = {}
    for cluster in read:
        for definition, services in cluster.services.items():
            users.setdefault(definition, []).extend(services)
    definitions = sorted(users)
    found = read_each(
        connection.workers, lambda arn: _task_definition(ecs, region, arn), definitions
    )
    for definition, uris in zip(definitions, found, strict=True):
        revision = _name(definition)
        images += [
            WorkloadImage(uri, f"{service} (task definition {revision})")
            for service in users[definition]
            for uri in uris
        ]
    service_count = len({service for users_of in users.values() for service in users_of})
    tasks = sum(cluster.tasks for cluster in read)
    return images, ", ".join(
        (
            _counted(len(clusters), "cluster"),
            _counted(tasks, "running task"),
            _counted(service_count, "service"),
        )
    )


def _ecs_cluster(ecs: Any, region: str, arn: str) -> _Cluster:
    cluster = _name(arn)
    subject = f"ECS cluster {cluster!r}"
    images: list[WorkloadImage] = []
    with _call("ListTasks", subject, region, "ecs"):
        task_arns = list(
            _pages(ecs, "list_tasks", "taskArns", 100, cluster=arn, desiredStatus="RUNNING")
        )
    for batch in _batches(task_arns, 100):
        with _call("DescribeTasks", subject, region, "ecs"):
            tasks = ecs.describe_tasks(cluster=arn, tasks=batch).get("tasks", [])
        for task in tasks:
            for container in task.get("containers", []):
                if container.get("image"):
                    images.append(
                        WorkloadImage(
                            str(container["image"]),
                            f"ECS task {cluster}/{_name(task['taskArn'])} "
                            f"(container {container.get('name', '?')})",
                            container.get("imageDigest"),
                        )
                    )
    with _call("ListServices", subject, region, "ecs"):
        service_arns = list(_pages(ecs, "list_services", "serviceArns", 100, cluster=arn))
    services: dict[str, list[str]] = {}
    for batch in _batches(service_arns, 10):
        with _call("DescribeServices", subject, region, "ecs"):
            described = ecs.describe_services(cluster=arn, services=batch).get("services", [])
        for service in described:
            if service.get("status") == "INACTIVE":
                continue
            label = f"ECS service {cluster}/{service['serviceName']}"
            definitions = {service.get("taskDefinition")}
            definitions |= {d.get("taskDefinition") for d in service.get("deployments", [])}
            for definition in sorted(d for d in definitions if d):
                services.setdefault(definition, []).append(label)
    return _Cluster(images, services, len(task_arns))


def _task_definition(ecs: Any, region: str, arn: str) -> list[str]:
    with _call("DescribeTaskDefinition", f"task definition {_name(arn)}", region, "ecs"):
        definition = ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"]
    return [str(c["image"]) for c in definition.get("containerDefinitions", []) if c.get("image")]


# -- Lambda --------------------------------------------------------------------------------


def _lambda(connection: Connection) -> tuple[list[WorkloadImage], str]:
    functions, region = connection.client("lambda"), connection.region
    with _call("ListFunctions", "Lambda functions", region, "lambda"):
        versions = [
            f
            for f in _pages(functions, "list_functions", "Functions", 50, FunctionVersion="ALL")
            if f.get("PackageType") == "Image"
        ]

    def image(version: Mapping[str, Any]) -> WorkloadImage | None:
        name, qualifier = str(version["FunctionName"]), str(version.get("Version", "$LATEST"))
        label = f"Lambda function {name}" + ("" if qualifier == "$LATEST" else f":{qualifier}")
        with _call("GetFunction", label, region, "lambda"):
            code = functions.get_function(FunctionName=name, Qualifier=qualifier).get("Code", {})
        uri = code.get("ResolvedImageUri") or code.get("ImageUri")
        return None if not uri else WorkloadImage(str(uri), label)

    found = read_each(connection.workers, image, versions)
    names = {str(version["FunctionName"]) for version in versions}
    return [i for i in found if i is not None], (
        f"{_counted(len(names), 'image function')}, {_counted(len(versions), 'version')}"
    )


# -- App Runner ----------------------------------------------------------------------------


def _app_runner(connection: Connection) -> tuple[list[WorkloadImage], str]:
    runner, region = connection.client("apprunner"), connection.region
    summaries: list[Mapping[str, Any]] = []
    request: dict[str, Any] = {"MaxResults": 20}
    with _call("ListServices", "App Runner services", region, "apprunner"):
        while True:  # ListServices has no boto3 paginator
            page = runner.list_services(**request)
            summaries += page.get("ServiceSummaryList", [])
            if not page.get("NextToken"):
                break
            request["NextToken"] = page["NextToken"]

    def image(summary: Mapping[str, Any]) -> WorkloadImage | None:
        label = f"App Runner service {summary['ServiceName']}"
        with _call("DescribeService", label, region, "apprunner"):
            service = runner.describe_service(ServiceArn=summary["ServiceArn"])["Service"]
        repository = service.get("SourceConfiguration", {}).get("ImageRepository", {})
        if repository.get("ImageRepositoryType") != "ECR":
            return None
        return WorkloadImage(str(repository["ImageIdentifier"]), label)

    found = read_each(connection.workers, image, summaries)
    return [i for i in found if i is not None], _counted(len(summaries), "service")


# -- Batch ---------------------------------------------------------------------------------


def _batch(connection: Connection) -> tuple[list[WorkloadImage], str]:
    batch, region = connection.client("batch"), connection.region
    with _call("DescribeJobDefinitions", "Batch job definitions", region, "batch"):
        definitions = list(
            _pages(batch, "describe_job_definitions", "jobDefinitions", 100, status="ACTIVE")
        )
    images = [
        WorkloadImage(uri, f"Batch job definition {d['jobDefinitionName']}:{d['revision']}")
        for d in definitions
        for uri in sorted(set(_job_images(d)))
    ]
    return images, _counted(len(definitions), "active job definition")


def _job_images(definition: Mapping[str, Any]) -> Iterator[str]:
    """The images of a job definition: its container, its nodes' containers, its ECS tasks'
    and EKS pods' containers."""
    containers: list[Mapping[str, Any]] = [definition.get("containerProperties") or {}]
    tasks = list((definition.get("ecsProperties") or {}).get("taskProperties", []))
    for node in (definition.get("nodeProperties") or {}).get("nodeRangeProperties", []):
        containers.append(node.get("container") or {})
        tasks += (node.get("ecsProperties") or {}).get("taskProperties", [])
    for task in tasks:
        containers += task.get("containers", [])
    pod = (definition.get("eksProperties") or {}).get("podProperties") or {}
    containers += [*pod.get("containers", []), *pod.get("initContainers", [])]
    for container in containers:
        if container.get("image"):
            yield str(container["image"])


SOURCES = (
    _Source("ECS", "ecs", _ecs),
    _Source("Lambda", "lambda", _lambda),
    _Source("App Runner", "apprunner", _app_runner),
    _Source("Batch", "batch", _batch),
)
"""The sources read, in order."""
