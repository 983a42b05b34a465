"""An exported pool as a CloudFormation template: the pool, its roles, their attachment and principal tags.

:func:`cloudformation_template` turns an export document (see :mod:`.transfer`) into a template with an
``AWS::Cognito::IdentityPool``, one ``AWS::IAM::Role`` per exported role (its trust policy naming the new
pool through ``Ref`` instead of the exported pool ID), an ``AWS::Cognito::IdentityPoolRoleAttachment`` with
the default roles and role mappings (exported roles by ``Fn::GetAtt``, others by ARN) and one
``AWS::Cognito::IdentityPoolPrincipalTag`` per provider with a principal-tag map.
"""

from __future__ import annotations

import re
from typing import Any

from .diff import map_leaves
from .transfer import check_document

_POOL_PROPERTIES = ("IdentityPoolName", "AllowUnauthenticatedIdentities", "AllowClassicFlow",
                    "SupportedLoginProviders", "DeveloperProviderName", "OpenIdConnectProviderARNs",
                    "CognitoIdentityProviders", "SamlProviderARNs")
_ROLE_PROPERTIES = ("RoleName", "Path", "Description", "MaxSessionDuration")
_NOT_ALNUM = re.compile(r"[^A-Za-z0-9]+")
POOL = "IdentityPool"


def _logical_id(prefix: str, name: str, taken: set[str]) -> str:
    base = prefix + "".join(part[:1].upper() + part[1:] for part in _NOT_ALNUM.split(name) if part)
    candidate, number = base[:255], 2
    while candidate in taken:
        candidate, number = f"{base[:250]}{number}", number + 1
    taken.add(candidate)
    return candidate


def _refer_to_pool(value: Any, pool_id: str) -> Any:
    """``value`` with the exported pool ID replaced by a reference to the template's pool."""
    def refer(leaf: Any) -> Any:
        if isinstance(leaf, str) and pool_id and pool_id in leaf:
            return {"Ref": POOL} if leaf == pool_id else {"Fn::Sub": leaf.replace(pool_id, "${" + POOL + "}")}
        return leaf
    return map_leaves(value, refer)


def cloudformation_template(document: dict[str, Any]) -> dict[str, Any]:
    """The CloudFormation template (a dict; dump it as JSON) that recreates the exported pool."""
    check_document(document)
    pool = document["describe-identity-pool"]
    pool_id = pool.get("IdentityPoolId", "")
    properties = {key: pool[key] for key in _POOL_PROPERTIES if key in pool}
    tags = {**pool.get("IdentityPoolTags", {}), **(document.get("list-tags-for-resource") or {}).get("Tags", {})}
    if tags:
        properties["IdentityPoolTags"] = [{"Key": key, "Value": value} for key, value in tags.items()]
    resources: dict[str, Any] = {POOL: {"Type": "AWS::Cognito::IdentityPool", "Properties": properties}}
    taken = {POOL}
    role_refs: dict[str, Any] = {}
    for answer in document.get("get-role", []):
        role = answer["Role"]
        logical = _logical_id("Role", role["RoleName"], taken)
        role_properties = {key: role[key] for key in _ROLE_PROPERTIES if role.get(key)}
        role_properties["AssumeRolePolicyDocument"] = _refer_to_pool(role["AssumeRolePolicyDocument"], pool_id)
        resources[logical] = {"Type": "AWS::IAM::Role", "Properties": role_properties}
        role_refs[role["Arn"]] = {"Fn::GetAtt": [logical, "Arn"]}
    roles_answer = document.get("get-identity-pool-roles") or {}
    if roles_answer.get("Roles") or roles_answer.get("RoleMappings"):
        attachment: dict[str, Any] = {"IdentityPoolId": {"Ref": POOL}}
        if roles_answer.get("Roles"):
            attachment["Roles"] = {kind: role_refs.get(arn, arn) for kind, arn in roles_answer["Roles"].items()}
        mappings = {}
        for provider, mapping in roles_answer.get("RoleMappings", {}).items():
            entry = {"IdentityProvider": provider, "Type": mapping["Type"]}
            if "AmbiguousRoleResolution" in mapping:
                entry["AmbiguousRoleResolution"] = mapping["AmbiguousRoleResolution"]
            rules = (mapping.get("RulesConfiguration") or {}).get("Rules")
            if rules:
                entry["RulesConfiguration"] = {"Rules": [{**rule, "RoleARN": role_refs.get(rule["RoleARN"],
                                                                                          rule["RoleARN"])}
                                                         for rule in rules]}
            mappings[_logical_id("Provider", provider, set(mappings))] = entry
        if mappings:
            attachment["RoleMappings"] = mappings
        resources["RoleAttachment"] = {"Type": "AWS::Cognito::IdentityPoolRoleAttachment", "Properties": attachment}
    for answer in document.get("get-principal-tag-attribute-map", []):
        tag_properties: dict[str, Any] = {"IdentityPoolId": {"Ref": POOL},
                                          "IdentityProviderName": answer["IdentityProviderName"],
                                          "UseDefaults": bool(answer.get("UseDefaults"))}
        if answer.get("PrincipalTags"):
            tag_properties["PrincipalTags"] = answer["PrincipalTags"]
        resources[_logical_id("PrincipalTags", answer["IdentityProviderName"], taken)] = {
            "Type": "AWS::Cognito::IdentityPoolPrincipalTag", "Properties": tag_properties}
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"Identity pool {pool['IdentityPoolName']}, exported by cognito-desk",
        "Resources": resources,
        "Outputs": {"IdentityPoolId": {"Value": {"Ref": POOL}}},
    }
