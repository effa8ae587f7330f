"""What ``cdk import`` needs to adopt existing resources into a registry file's stacks:
the shard map (which stack each repository lives in) and, per stack, a resource mapping.

A resource mapping is the file ``cdk import STACK --resource-mapping FILE`` reads: a JSON
object from each resource's logical ID to the properties that identify the existing
resource (``{"RepositoryName": "team-a/api"}``). The stacks are the ones ``synth`` builds
from the file (``RepositoryFleet``), so the logical IDs are theirs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from botocore import xform_name

from ..standards.fleet.placement import ShardMap
from ..standards.registry_file.loading import LoadedRegistry

IDENTIFIERS: Mapping[str, str] = {
    "AWS::ECR::Repository": "RepositoryName",
    "AWS::ECR::PublicRepository": "RepositoryName",
    "AWS::ECR::PullThroughCacheRule": "EcrRepositoryPrefix",
    "AWS::ECR::RepositoryCreationTemplate": "Prefix",
}
"""Resource types that exist once per name and must be imported rather than created, and
the property that identifies each. (Registry-wide singletons are not imported: creating
them writes the registry's one configuration.)"""

ResourceMapping = dict[str, dict[str, str]]


@dataclass(frozen=True)
class ImportPlan:
    shard_map: ShardMap
    mappings: dict[str, ResourceMapping]
    """Stack name -> resource mapping, in stack order."""


def import_plan(loaded: LoadedRegistry) -> ImportPlan:
    """The shard map and resource mappings of ``loaded``'s stacks, placed afresh."""
    import aws_cdk as cdk

    from ..standards.fleet.fleet import RepositoryFleet

    app = cdk.App()
    fleet = RepositoryFleet(app, config=loaded, shard_map=ShardMap())
    mappings: dict[str, ResourceMapping] = {}
    for fleet_stack in fleet.stacks:
        stack = fleet_stack.stack
        mapping: ResourceMapping = {}
        for construct in stack.node.find_all():
            if not isinstance(construct, cdk.CfnResource):
                continue
            key = IDENTIFIERS.get(construct.cfn_resource_type)
            if key is None:
                continue
            logical_id = stack.resolve(stack.get_logical_id(construct))
            mapping[str(logical_id)] = {key: str(getattr(construct, xform_name(key)))}
        mappings[fleet_stack.name] = dict(sorted(mapping.items()))
    return ImportPlan(fleet.shard_map, mappings)
