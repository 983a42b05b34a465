"""Async client for the 23 operations of Amazon Cognito Identity (``cognito-identity`` 2014-06-30).

Methods are snake_case and keyword-driven; top-level arguments map to the wire members
(``identity_pool_id`` → ``IdentityPoolId``) and ``None`` means "leave out". Nested values
(``cognito_identity_providers``, ``role_mappings``, ``logins`` …) are passed and returned in their wire
shape, PascalCase keys included. Results are plain dicts exactly as on the wire (like boto3's, minus
``ResponseMetadata``) except that ``CreationDate``, ``LastModifiedDate`` and ``Expiration`` are aware
UTC ``datetime`` objects; operations without output return ``{}``. ``GetId``,
``GetCredentialsForIdentity``, ``GetOpenIdToken`` and ``UnlinkIdentity`` go out unsigned, the rest
SigV4-signed. The ``iter_*`` methods page through ``NextToken`` for the caller. The optional settings that
``create_identity_pool`` and ``update_identity_pool`` share are declared once, as :class:`PoolSettings`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any, TypedDict, Unpack

from .protocols import JsonProtocol, convert_timestamps, members, paginate
from .transport import ServiceClient

_PROTOCOL = JsonProtocol("AWSCognitoIdentityService")
_TIMESTAMPS = frozenset({"CreationDate", "LastModifiedDate", "Expiration"})
MAX_PAGE_SIZE = 60


class PoolSettings(TypedDict, total=False):
    """The optional settings ``create_identity_pool`` and ``update_identity_pool`` both take."""

    allow_classic_flow: bool | None
    supported_login_providers: Mapping[str, str] | None
    developer_provider_name: str | None
    open_id_connect_provider_arns: Sequence[str] | None
    cognito_identity_providers: Sequence[Mapping[str, Any]] | None
    saml_provider_arns: Sequence[str] | None
    identity_pool_tags: Mapping[str, str] | None


#: The wire member of each :class:`PoolSettings` key, in wire order.
_POOL_SETTINGS = {
    "allow_classic_flow": "AllowClassicFlow",
    "supported_login_providers": "SupportedLoginProviders",
    "developer_provider_name": "DeveloperProviderName",
    "open_id_connect_provider_arns": "OpenIdConnectProviderARNs",
    "cognito_identity_providers": "CognitoIdentityProviders",
    "saml_provider_arns": "SamlProviderARNs",
    "identity_pool_tags": "IdentityPoolTags",
}


def _pool_members(name: str, allow_unauthenticated: bool, settings: Mapping[str, Any]) -> dict[str, Any]:
    """The wire members of a pool's settings; an unknown keyword is a ``TypeError``, as in a signature."""
    unknown = sorted(settings.keys() - _POOL_SETTINGS.keys())
    if unknown:
        raise TypeError(f"unexpected keyword argument(s): {', '.join(unknown)}")
    return members(
        IdentityPoolName=name,
        AllowUnauthenticatedIdentities=allow_unauthenticated,
        **{wire: settings.get(key) for key, wire in _POOL_SETTINGS.items()},
    )


def _next_token(page: Mapping[str, Any]) -> str | None:
    return page.get("NextToken")


class CognitoIdentityClient(ServiceClient):
    """The cognito-identity API of one backend connection."""

    async def _call(
        self, operation: str, params: Mapping[str, Any], *, signed: bool = True, idempotent: bool = True
    ) -> dict[str, Any]:
        result = await self.transport.call(_PROTOCOL, operation, params, signed=signed, idempotent=idempotent)
        return convert_timestamps(result, _TIMESTAMPS)

    # --- pool administration ---------------------------------------------------------------------

    async def create_identity_pool(
        self, *, identity_pool_name: str, allow_unauthenticated_identities: bool, **settings: Unpack[PoolSettings]
    ) -> dict[str, Any]:
        return await self._call(
            "CreateIdentityPool",
            _pool_members(identity_pool_name, allow_unauthenticated_identities, settings),
            idempotent=False,
        )

    async def describe_identity_pool(self, *, identity_pool_id: str) -> dict[str, Any]:
        return await self._call("DescribeIdentityPool", members(IdentityPoolId=identity_pool_id))

    async def update_identity_pool(
        self,
        *,
        identity_pool_id: str,
        identity_pool_name: str,
        allow_unauthenticated_identities: bool,
        **settings: Unpack[PoolSettings],
    ) -> dict[str, Any]:
        """Full replacement: every optional member left out is cleared on the server (read-modify-write)."""
        return await self._call(
            "UpdateIdentityPool",
            {
                "IdentityPoolId": identity_pool_id,
                **_pool_members(identity_pool_name, allow_unauthenticated_identities, settings),
            },
        )

    async def delete_identity_pool(self, *, identity_pool_id: str) -> dict[str, Any]:
        return await self._call("DeleteIdentityPool", members(IdentityPoolId=identity_pool_id))

    async def list_identity_pools(
        self, *, max_results: int = MAX_PAGE_SIZE, next_token: str | None = None
    ) -> dict[str, Any]:
        return await self._call("ListIdentityPools", members(MaxResults=max_results, NextToken=next_token))

    def iter_identity_pools(self, page_size: int = MAX_PAGE_SIZE) -> AsyncIterator[dict[str, Any]]:
        """Every ``{IdentityPoolId, IdentityPoolName}`` of the account and region, page by page."""
        return paginate(
            lambda token: self.list_identity_pools(max_results=page_size, next_token=token),
            "IdentityPools",
            _next_token,
        )

    async def set_identity_pool_roles(
        self,
        *,
        identity_pool_id: str,
        roles: Mapping[str, str],
        role_mappings: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        return await self._call(
            "SetIdentityPoolRoles",
            members(IdentityPoolId=identity_pool_id, Roles=roles, RoleMappings=role_mappings),
        )

    async def get_identity_pool_roles(self, *, identity_pool_id: str) -> dict[str, Any]:
        return await self._call("GetIdentityPoolRoles", members(IdentityPoolId=identity_pool_id))

    async def set_principal_tag_attribute_map(
        self,
        *,
        identity_pool_id: str,
        identity_provider_name: str,
        use_defaults: bool | None = None,
        principal_tags: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        return await self._call(
            "SetPrincipalTagAttributeMap",
            members(
                IdentityPoolId=identity_pool_id,
                IdentityProviderName=identity_provider_name,
                UseDefaults=use_defaults,
                PrincipalTags=principal_tags,
            ),
        )

    async def get_principal_tag_attribute_map(
        self, *, identity_pool_id: str, identity_provider_name: str
    ) -> dict[str, Any]:
        return await self._call(
            "GetPrincipalTagAttributeMap",
            members(IdentityPoolId=identity_pool_id, IdentityProviderName=identity_provider_name),
        )

    async def tag_resource(self, *, resource_arn: str, tags: Mapping[str, str]) -> dict[str, Any]:
        return await self._call("TagResource", members(ResourceArn=resource_arn, Tags=tags))

    async def untag_resource(self, *, resource_arn: str, tag_keys: Sequence[str]) -> dict[str, Any]:
        return await self._call("UntagResource", members(ResourceArn=resource_arn, TagKeys=list(tag_keys)))

    async def list_tags_for_resource(self, *, resource_arn: str) -> dict[str, Any]:
        return await self._call("ListTagsForResource", members(ResourceArn=resource_arn))

    # --- identity administration -----------------------------------------------------------------

    async def describe_identity(self, *, identity_id: str) -> dict[str, Any]:
        return await self._call("DescribeIdentity", members(IdentityId=identity_id))

    async def list_identities(
        self,
        *,
        identity_pool_id: str,
        max_results: int = MAX_PAGE_SIZE,
        next_token: str | None = None,
        hide_disabled: bool | None = None,
    ) -> dict[str, Any]:
        return await self._call(
            "ListIdentities",
            members(
                IdentityPoolId=identity_pool_id,
                MaxResults=max_results,
                NextToken=next_token,
                HideDisabled=hide_disabled,
            ),
        )

    def iter_identities(
        self, identity_pool_id: str, hide_disabled: bool = False, page_size: int = MAX_PAGE_SIZE
    ) -> AsyncIterator[dict[str, Any]]:
        """Every ``IdentityDescription`` of the pool, page by page."""
        return paginate(
            lambda token: self.list_identities(
                identity_pool_id=identity_pool_id,
                max_results=page_size,
                next_token=token,
                hide_disabled=hide_disabled,
            ),
            "Identities",
            _next_token,
        )

    async def delete_identities(self, *, identity_ids_to_delete: Sequence[str]) -> dict[str, Any]:
        return await self._call("DeleteIdentities", members(IdentityIdsToDelete=list(identity_ids_to_delete)))

    # --- public identity flow (unsigned) ---------------------------------------------------------

    async def get_id(
        self, *, identity_pool_id: str, logins: Mapping[str, str] | None = None, account_id: str | None = None
    ) -> dict[str, Any]:
        return await self._call(
            "GetId",
            members(IdentityPoolId=identity_pool_id, Logins=logins, AccountId=account_id),
            signed=False,
            idempotent=False,
        )

    async def get_open_id_token(
        self, *, identity_id: str, logins: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        return await self._call(
            "GetOpenIdToken", members(IdentityId=identity_id, Logins=logins), signed=False
        )

    async def get_credentials_for_identity(
        self, *, identity_id: str, logins: Mapping[str, str] | None = None, custom_role_arn: str | None = None
    ) -> dict[str, Any]:
        return await self._call(
            "GetCredentialsForIdentity",
            members(IdentityId=identity_id, Logins=logins, CustomRoleArn=custom_role_arn),
            signed=False,
        )

    async def unlink_identity(
        self, *, identity_id: str, logins: Mapping[str, str], logins_to_remove: Sequence[str]
    ) -> dict[str, Any]:
        return await self._call(
            "UnlinkIdentity",
            members(IdentityId=identity_id, Logins=logins, LoginsToRemove=list(logins_to_remove)),
            signed=False,
        )

    # --- developer-authenticated identities ------------------------------------------------------

    async def get_open_id_token_for_developer_identity(
        self,
        *,
        identity_pool_id: str,
        logins: Mapping[str, str],
        identity_id: str | None = None,
        principal_tags: Mapping[str, str] | None = None,
        token_duration: int | None = None,
    ) -> dict[str, Any]:
        return await self._call(
            "GetOpenIdTokenForDeveloperIdentity",
            members(
                IdentityPoolId=identity_pool_id,
                Logins=logins,
                IdentityId=identity_id,
                PrincipalTags=principal_tags,
                TokenDuration=token_duration,
            ),
            idempotent=identity_id is not None,
        )

    async def lookup_developer_identity(
        self,
        *,
        identity_pool_id: str,
        identity_id: str | None = None,
        developer_user_identifier: str | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> dict[str, Any]:
        return await self._call(
            "LookupDeveloperIdentity",
            members(
                IdentityPoolId=identity_pool_id,
                IdentityId=identity_id,
                DeveloperUserIdentifier=developer_user_identifier,
                MaxResults=max_results,
                NextToken=next_token,
            ),
        )

    def iter_developer_identities(
        self,
        identity_pool_id: str,
        *,
        identity_id: str | None = None,
        developer_user_identifier: str | None = None,
        page_size: int = MAX_PAGE_SIZE,
    ) -> AsyncIterator[str]:
        """Every developer user identifier of the identity (given by id or by one of its identifiers)."""
        return paginate(
            lambda token: self.lookup_developer_identity(
                identity_pool_id=identity_pool_id,
                identity_id=identity_id,
                developer_user_identifier=developer_user_identifier,
                max_results=page_size,
                next_token=token,
            ),
            "DeveloperUserIdentifierList",
            _next_token,
        )

    async def merge_developer_identities(
        self,
        *,
        source_user_identifier: str,
        destination_user_identifier: str,
        developer_provider_name: str,
        identity_pool_id: str,
    ) -> dict[str, Any]:
        return await self._call(
            "MergeDeveloperIdentities",
            members(
                SourceUserIdentifier=source_user_identifier,
                DestinationUserIdentifier=destination_user_identifier,
                DeveloperProviderName=developer_provider_name,
                IdentityPoolId=identity_pool_id,
            ),
        )

    async def unlink_developer_identity(
        self,
        *,
        identity_id: str,
        identity_pool_id: str,
        developer_provider_name: str,
        developer_user_identifier: str,
    ) -> dict[str, Any]:
        return await self._call(
            "UnlinkDeveloperIdentity",
            members(
                IdentityId=identity_id,
                IdentityPoolId=identity_pool_id,
                DeveloperProviderName=developer_provider_name,
                DeveloperUserIdentifier=developer_user_identifier,
            ),
        )
