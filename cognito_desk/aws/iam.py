"""Async client for the IAM subset the identity-pool editors need (query protocol, 2010-05-08).

Roles with their inline and attached managed policies, the managed policies' versions, the policy
simulator (``SimulateCustomPolicy``, ``SimulatePrincipalPolicy``), and the OIDC and SAML identity
providers that identity pools reference by ARN. Every call is SigV4-signed. Results are plain dicts
of the ``<…Result>`` members with the wire names (``Role``, ``Roles``, ``IsTruncated``, ``Marker`` …);
timestamps are aware UTC ``datetime`` objects, counts ints, flags bools, ``EvalDecisionDetails`` a dict.
Policy documents, which IAM returns URL-encoded, come back decoded and parsed (a dict; the raw string
only if it is not JSON); policy arguments accept a dict or a JSON string.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from .protocols import QueryProtocol, XmlShape, members, paginate
from .transport import ServiceClient

_PROTOCOL = QueryProtocol("2010-05-08")
_SHAPE = XmlShape(
    lists=frozenset({"Roles", "Tags", "PolicyNames", "ClientIDList", "ThumbprintList",
                     "OpenIDConnectProviderList", "SAMLProviderList", "AttachedPolicies", "EvaluationResults",
                     "MatchedStatements", "MissingContextValues", "ResourceSpecificResults"}),
    maps=frozenset({"EvalDecisionDetails"}),
    structures=frozenset({"Role", "RoleLastUsed", "PermissionsBoundary", "Policy", "PolicyVersion",
                          "OrganizationsDecisionDetail", "PermissionsBoundaryDecisionDetail"}),
    timestamps=frozenset({"CreateDate", "UpdateDate", "ValidUntil", "LastUsedDate"}),
    integers=frozenset({"MaxSessionDuration", "AttachmentCount", "PermissionsBoundaryUsageCount", "Line",
                        "Column"}),
    booleans=frozenset({"IsTruncated", "IsAttachable", "IsDefaultVersion", "AllowedByOrganizations",
                        "AllowedByPermissionsBoundary"}),
)
_POLICY_KEYS = frozenset({"AssumeRolePolicyDocument", "PolicyDocument", "Document"})

Policy = Mapping[str, Any] | str


def _policy_text(document: Policy) -> str:
    return document if isinstance(document, str) else json.dumps(document)


def _decode_policies(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: _parse_policy(item)
            if key in _POLICY_KEYS and isinstance(item, str)
            else _decode_policies(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_decode_policies(item) for item in value]
    return value


def _parse_policy(encoded: str) -> Any:
    text = unquote(encoded)
    try:
        return json.loads(text)
    except ValueError:
        return text


def _next_marker(page: Mapping[str, Any]) -> str | None:
    return page.get("Marker") if page.get("IsTruncated") else None


def _context_entries(entries: Sequence[ContextEntry] | None) -> list[dict[str, Any]] | None:
    if not entries:
        return None
    return [{"ContextKeyName": entry.name, "ContextKeyValues": list(entry.values), "ContextKeyType": entry.type}
            for entry in entries]


def _policies(documents: Sequence[Policy] | None) -> list[str] | None:
    return [_policy_text(document) for document in documents] if documents else None


def _simulation(action_names: Sequence[str], resource_arns: Sequence[str] | None,
                context_entries: Sequence[ContextEntry] | None, caller_arn: str | None, marker: str | None,
                max_items: int | None) -> dict[str, Any]:
    """The request members both simulator operations share."""
    return members(ActionNames=list(action_names), ResourceArns=list(resource_arns) if resource_arns else None,
                   CallerArn=caller_arn, ContextEntries=_context_entries(context_entries), Marker=marker,
                   MaxItems=max_items)


@dataclass(frozen=True)
class ContextEntry:
    """One request-context key for the policy simulator: ``ContextKeyType`` is ``string``, ``stringList``,
    ``numeric``, ``boolean``, ``date``, ``ip``, ``binary`` or their ``…List`` forms."""

    name: str
    values: tuple[str, ...]
    type: str = "string"


def _tags(tags: Mapping[str, str] | None) -> list[dict[str, str]] | None:
    return [{"Key": key, "Value": value} for key, value in tags.items()] if tags else None


class IamClient(ServiceClient):
    """The IAM API of one backend connection (always signed)."""

    async def _call(
        self, operation: str, params: Mapping[str, Any], *, idempotent: bool = True
    ) -> dict[str, Any]:
        result = await self.transport.call(_PROTOCOL, operation, params, idempotent=idempotent)
        return _decode_policies(_SHAPE.to_data(result)) or {}

    # --- roles -----------------------------------------------------------------------------------

    async def list_roles(
        self, *, path_prefix: str | None = None, marker: str | None = None, max_items: int | None = None
    ) -> dict[str, Any]:
        return await self._call(
            "ListRoles", members(PathPrefix=path_prefix, Marker=marker, MaxItems=max_items)
        )

    def iter_roles(self, *, path_prefix: str | None = None, page_size: int = 100) -> AsyncIterator[dict[str, Any]]:
        """Every role (optionally under ``path_prefix``), following ``Marker`` paging."""
        return paginate(
            lambda marker: self.list_roles(path_prefix=path_prefix, marker=marker, max_items=page_size),
            "Roles",
            _next_marker,
        )

    async def get_role(self, *, role_name: str) -> dict[str, Any]:
        return await self._call("GetRole", members(RoleName=role_name))

    async def create_role(
        self,
        *,
        role_name: str,
        assume_role_policy_document: Policy,
        path: str | None = None,
        description: str | None = None,
        max_session_duration: int | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        return await self._call(
            "CreateRole",
            members(
                RoleName=role_name,
                AssumeRolePolicyDocument=_policy_text(assume_role_policy_document),
                Path=path,
                Description=description,
                MaxSessionDuration=max_session_duration,
                Tags=_tags(tags),
            ),
            idempotent=False,
        )

    async def update_assume_role_policy(self, *, role_name: str, policy_document: Policy) -> dict[str, Any]:
        return await self._call(
            "UpdateAssumeRolePolicy",
            members(RoleName=role_name, PolicyDocument=_policy_text(policy_document)),
        )

    async def delete_role(self, *, role_name: str) -> dict[str, Any]:
        return await self._call("DeleteRole", members(RoleName=role_name))

    async def put_role_policy(
        self, *, role_name: str, policy_name: str, policy_document: Policy
    ) -> dict[str, Any]:
        return await self._call(
            "PutRolePolicy",
            members(RoleName=role_name, PolicyName=policy_name, PolicyDocument=_policy_text(policy_document)),
        )

    async def get_role_policy(self, *, role_name: str, policy_name: str) -> dict[str, Any]:
        return await self._call("GetRolePolicy", members(RoleName=role_name, PolicyName=policy_name))

    async def list_role_policies(
        self, *, role_name: str, marker: str | None = None, max_items: int | None = None
    ) -> dict[str, Any]:
        return await self._call(
            "ListRolePolicies", members(RoleName=role_name, Marker=marker, MaxItems=max_items)
        )

    def iter_role_policy_names(self, *, role_name: str, page_size: int = 100) -> AsyncIterator[str]:
        """The names of every inline policy of the role, following ``Marker`` paging."""
        return paginate(
            lambda marker: self.list_role_policies(role_name=role_name, marker=marker, max_items=page_size),
            "PolicyNames",
            _next_marker,
        )

    async def delete_role_policy(self, *, role_name: str, policy_name: str) -> dict[str, Any]:
        return await self._call("DeleteRolePolicy", members(RoleName=role_name, PolicyName=policy_name))

    # --- managed policies ------------------------------------------------------------------------

    async def list_attached_role_policies(
        self,
        *,
        role_name: str,
        path_prefix: str | None = None,
        marker: str | None = None,
        max_items: int | None = None,
    ) -> dict[str, Any]:
        return await self._call(
            "ListAttachedRolePolicies",
            members(RoleName=role_name, PathPrefix=path_prefix, Marker=marker, MaxItems=max_items),
        )

    def iter_attached_role_policies(self, *, role_name: str, page_size: int = 100) -> AsyncIterator[dict[str, Any]]:
        """Every ``{"PolicyName", "PolicyArn"}`` attached to the role, following ``Marker`` paging."""
        return paginate(
            lambda marker: self.list_attached_role_policies(role_name=role_name, marker=marker, max_items=page_size),
            "AttachedPolicies",
            _next_marker,
        )

    async def get_policy(self, *, policy_arn: str) -> dict[str, Any]:
        return await self._call("GetPolicy", members(PolicyArn=policy_arn))

    async def get_policy_version(self, *, policy_arn: str, version_id: str) -> dict[str, Any]:
        """``PolicyVersion`` with its ``Document`` decoded and parsed."""
        return await self._call("GetPolicyVersion", members(PolicyArn=policy_arn, VersionId=version_id))

    # --- the policy simulator --------------------------------------------------------------------

    async def simulate_custom_policy(
        self,
        *,
        policy_input_list: Sequence[Policy],
        action_names: Sequence[str],
        resource_arns: Sequence[str] | None = None,
        context_entries: Sequence[ContextEntry] | None = None,
        caller_arn: str | None = None,
        permissions_boundary_policy_input_list: Sequence[Policy] | None = None,
        resource_policy: Policy | None = None,
        marker: str | None = None,
        max_items: int | None = None,
    ) -> dict[str, Any]:
        """IAM's answer for the given identity policies (``EvaluationResults``, ``IsTruncated``, ``Marker``)."""
        return await self._call("SimulateCustomPolicy", members(
            PolicyInputList=_policies(policy_input_list),
            PermissionsBoundaryPolicyInputList=_policies(permissions_boundary_policy_input_list),
            ResourcePolicy=_policy_text(resource_policy) if resource_policy is not None else None,
            **_simulation(action_names, resource_arns, context_entries, caller_arn, marker, max_items)))

    async def simulate_principal_policy(
        self,
        *,
        policy_source_arn: str,
        action_names: Sequence[str],
        policy_input_list: Sequence[Policy] | None = None,
        resource_arns: Sequence[str] | None = None,
        context_entries: Sequence[ContextEntry] | None = None,
        caller_arn: str | None = None,
        marker: str | None = None,
        max_items: int | None = None,
    ) -> dict[str, Any]:
        """IAM's answer for the policies of a user, group or role (plus ``policy_input_list``)."""
        return await self._call("SimulatePrincipalPolicy", members(
            PolicySourceArn=policy_source_arn, PolicyInputList=_policies(policy_input_list),
            **_simulation(action_names, resource_arns, context_entries, caller_arn, marker, max_items)))

    # --- OpenID Connect providers ----------------------------------------------------------------

    async def create_open_id_connect_provider(
        self,
        *,
        url: str,
        client_id_list: Sequence[str] | None = None,
        thumbprint_list: Sequence[str] | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        return await self._call(
            "CreateOpenIDConnectProvider",
            members(
                Url=url,
                ClientIDList=list(client_id_list) if client_id_list else None,
                ThumbprintList=list(thumbprint_list) if thumbprint_list else None,
                Tags=_tags(tags),
            ),
            idempotent=False,
        )

    async def get_open_id_connect_provider(self, *, open_id_connect_provider_arn: str) -> dict[str, Any]:
        return await self._call(
            "GetOpenIDConnectProvider", members(OpenIDConnectProviderArn=open_id_connect_provider_arn)
        )

    async def list_open_id_connect_providers(self) -> dict[str, Any]:
        return await self._call("ListOpenIDConnectProviders", {})

    async def delete_open_id_connect_provider(self, *, open_id_connect_provider_arn: str) -> dict[str, Any]:
        return await self._call(
            "DeleteOpenIDConnectProvider", members(OpenIDConnectProviderArn=open_id_connect_provider_arn)
        )

    async def add_client_id_to_open_id_connect_provider(
        self, *, open_id_connect_provider_arn: str, client_id: str
    ) -> dict[str, Any]:
        return await self._call(
            "AddClientIDToOpenIDConnectProvider",
            members(OpenIDConnectProviderArn=open_id_connect_provider_arn, ClientID=client_id),
        )

    async def remove_client_id_from_open_id_connect_provider(
        self, *, open_id_connect_provider_arn: str, client_id: str
    ) -> dict[str, Any]:
        return await self._call(
            "RemoveClientIDFromOpenIDConnectProvider",
            members(OpenIDConnectProviderArn=open_id_connect_provider_arn, ClientID=client_id),
        )

    async def update_open_id_connect_provider_thumbprint(
        self, *, open_id_connect_provider_arn: str, thumbprint_list: Sequence[str]
    ) -> dict[str, Any]:
        return await self._call(
            "UpdateOpenIDConnectProviderThumbprint",
            members(
                OpenIDConnectProviderArn=open_id_connect_provider_arn, ThumbprintList=list(thumbprint_list)
            ),
        )

    # --- SAML providers --------------------------------------------------------------------------

    async def create_saml_provider(
        self, *, name: str, saml_metadata_document: str, tags: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        return await self._call(
            "CreateSAMLProvider",
            members(Name=name, SAMLMetadataDocument=saml_metadata_document, Tags=_tags(tags)),
            idempotent=False,
        )

    async def get_saml_provider(self, *, saml_provider_arn: str) -> dict[str, Any]:
        return await self._call("GetSAMLProvider", members(SAMLProviderArn=saml_provider_arn))

    async def list_saml_providers(self) -> dict[str, Any]:
        return await self._call("ListSAMLProviders", {})

    async def update_saml_provider(
        self, *, saml_provider_arn: str, saml_metadata_document: str
    ) -> dict[str, Any]:
        return await self._call(
            "UpdateSAMLProvider",
            members(SAMLProviderArn=saml_provider_arn, SAMLMetadataDocument=saml_metadata_document),
        )

    async def delete_saml_provider(self, *, saml_provider_arn: str) -> dict[str, Any]:
        return await self._call("DeleteSAMLProvider", members(SAMLProviderArn=saml_provider_arn))
