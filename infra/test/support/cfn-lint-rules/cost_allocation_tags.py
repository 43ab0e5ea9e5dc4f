"""
cfn-lint rules of aws-cpp-stack (loaded with --append-rules): every resource that CloudFormation
lets us tag carries the cost allocation tags Application and Stage.

Whether a type can be tagged is read from the CloudFormation resource schemas cfn-lint ships,
region by region (the `tagging.taggable` flag and the tag property):
- E9101: the resource has no Application or Stage tag although its type is taggable in every
  region: a missing tag, to fix.
- W9102: the same, for a type taggable in some regions only (Tags would fail the deployment
  in the others): to be named as an exception, with its reason.
Types that are taggable in no region are not reported.
"""

from cfnlint.helpers import REGIONS
from cfnlint.rules import CloudFormationLintRule, RuleMatch
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER, ResourceNotFoundError

REQUIRED_TAGS = ("Application", "Stage")


def tag_keys(tags):
    """Keys of a Tags value: a list of {Key, Value} or a map of key to value."""
    if isinstance(tags, list):
        return {tag.get("Key") for tag in tags if isinstance(tag, dict)}
    if isinstance(tags, dict):
        return set(tags.keys())
    return set()


def tag_property(schema):
    """The property that holds the tags, or None when the type is not taggable."""
    tagging = schema.get("tagging", {})
    if not tagging.get("taggable"):
        return None
    name = tagging.get("tagProperty", "/properties/Tags").split("/")[-1]
    return name if name in schema.get("properties", {}) else None


_TAGGABILITY = {}


def taggability(resource_type):
    """(regions where the type is taggable, regions where it is not, its tag property)."""
    if resource_type not in _TAGGABILITY:
        taggable, untaggable, prop = [], [], None
        for region in REGIONS:
            try:
                schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema(region, resource_type).schema
            except ResourceNotFoundError:
                continue
            name = tag_property(schema)
            (taggable if name else untaggable).append(region)
            prop = prop or name
        _TAGGABILITY[resource_type] = (taggable, untaggable, prop)
    return _TAGGABILITY[resource_type]


def untagged_resources(cfn):
    """(logical id, type, missing tags, regions where the type is not taggable) of each resource
    without the tags whose type is taggable in at least one region."""
    for name, resource in cfn.get_resources().items():
        resource_type = resource.get("Type", "")
        if not isinstance(resource_type, str) or not resource_type.startswith("AWS::"):
            continue
        taggable, untaggable, prop = taggability(resource_type)
        if not taggable:
            continue
        present = tag_keys((resource.get("Properties") or {}).get(prop))
        missing = [key for key in REQUIRED_TAGS if key not in present]
        if missing:
            yield name, resource_type, missing, untaggable


class CostAllocationTags(CloudFormationLintRule):
    id = "E9101"
    shortdesc = "Taggable resources carry the Application and Stage tags"
    description = "A resource whose type is taggable in every region has the cost allocation tags"
    tags = ["resources", "tags"]

    def match(self, cfn):
        return [
            RuleMatch(["Resources", name, "Properties"], f"{resource_type} {name} has no {' or '.join(missing)} tag")
            for name, resource_type, missing, untaggable in untagged_resources(cfn)
            if not untaggable
        ]


class CostAllocationTagsSomeRegions(CloudFormationLintRule):
    id = "W9102"
    shortdesc = "Untagged resources of a type taggable in some regions only"
    description = "Resources without the cost allocation tags whose type cannot be tagged in every region"
    tags = ["resources", "tags"]

    def match(self, cfn):
        return [
            RuleMatch(
                ["Resources", name, "Properties"],
                f"{resource_type} {name} has no {' or '.join(missing)} tag; the type is not taggable in "
                f"{', '.join(sorted(untaggable))}",
            )
            for name, resource_type, missing, untaggable in untagged_resources(cfn)
            if untaggable
        ]
