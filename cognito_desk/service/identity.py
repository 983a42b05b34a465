"""The 23 cognito-identity operations: name → handler, and which ones must be SigV4-signed.

Handlers live in ``pools.py`` (pool administration) and ``identities.py`` (identities, public
flow, developer identities); this table is what ``app.py`` routes ``X-Amz-Target`` through.
The four public operations are sent unsigned by the SDKs (model ``authtype: none``); the other 19
need the admin key's signature (reference §1.3).
"""

from __future__ import annotations

from collections.abc import Callable

from . import identities, pools

OPERATIONS: dict[str, Callable] = {
    "CreateIdentityPool": pools.create_identity_pool,
    "DescribeIdentityPool": pools.describe_identity_pool,
    "UpdateIdentityPool": pools.update_identity_pool,
    "DeleteIdentityPool": pools.delete_identity_pool,
    "ListIdentityPools": pools.list_identity_pools,
    "SetIdentityPoolRoles": pools.set_identity_pool_roles,
    "GetIdentityPoolRoles": pools.get_identity_pool_roles,
    "SetPrincipalTagAttributeMap": pools.set_principal_tag_attribute_map,
    "GetPrincipalTagAttributeMap": pools.get_principal_tag_attribute_map,
    "TagResource": pools.tag_resource,
    "UntagResource": pools.untag_resource,
    "ListTagsForResource": pools.list_tags_for_resource,
    "DescribeIdentity": identities.describe_identity,
    "ListIdentities": identities.list_identities,
    "DeleteIdentities": identities.delete_identities,
    "GetId": identities.get_id,
    "GetOpenIdToken": identities.get_open_id_token,
    "GetCredentialsForIdentity": identities.get_credentials_for_identity,
    "UnlinkIdentity": identities.unlink_identity,
    "GetOpenIdTokenForDeveloperIdentity": identities.get_open_id_token_for_developer_identity,
    "LookupDeveloperIdentity": identities.lookup_developer_identity,
    "MergeDeveloperIdentities": identities.merge_developer_identities,
    "UnlinkDeveloperIdentity": identities.unlink_developer_identity,
}

PUBLIC = frozenset({"GetId", "GetCredentialsForIdentity", "GetOpenIdToken", "UnlinkIdentity"})
SIGNED = frozenset(OPERATIONS) - PUBLIC
