"""AWS's default request-rate quotas of the Cognito Identity API: requests per second, per account and Region.

Owns :data:`AWS_REQUEST_QUOTAS` (operation → requests per second) and :func:`describe_quota`, the sentence an
explanation of ``TooManyRequestsException`` gives. The embedded service enforces these values with
``cognito-desk serve --quotas aws`` (``service.quotas``); the app's error explanation names them, so both read
one table.

Documented values (the identity-pools table of AWS's "Quotas in Amazon Cognito" page, :data:`QUOTAS_PAGE`; AWS
notes they are the lowest default of any Region, some Regions allow more; all are adjustable): GetId 25,
GetOpenIdToken 200, GetCredentialsForIdentity 200, GetOpenIdTokenForDeveloperIdentity 50, ListIdentities 5,
DeleteIdentities 10, TagResource 5, UntagResource 5, ListTagsForResource 10.

AWS documents no rate for the other 14 operations. The values chosen here follow the documented operation of
the same kind, so that an app that stays inside them stays inside the documented ones too:

* reads of pool configuration and identities (DescribeIdentityPool, ListIdentityPools, GetIdentityPoolRoles,
  GetPrincipalTagAttributeMap, DescribeIdentity, LookupDeveloperIdentity): 10 per second, the documented rate
  of ListTagsForResource, the one control-plane read AWS lists;
* writes (CreateIdentityPool, UpdateIdentityPool, DeleteIdentityPool, SetIdentityPoolRoles,
  SetPrincipalTagAttributeMap, MergeDeveloperIdentities, UnlinkDeveloperIdentity): 5 per second, the documented
  rate of TagResource and UntagResource;
* UnlinkIdentity, the one other operation an app calls unsigned: 25 per second, GetId's rate (the lowest
  documented rate of the public flow).
"""

from __future__ import annotations

QUOTAS_PAGE = "https://docs.aws.amazon.com/cognito/latest/developerguide/quotas.html"

DOCUMENTED: dict[str, float] = {
    "GetId": 25,
    "GetOpenIdToken": 200,
    "GetCredentialsForIdentity": 200,
    "GetOpenIdTokenForDeveloperIdentity": 50,
    "ListIdentities": 5,
    "DeleteIdentities": 10,
    "TagResource": 5,
    "UntagResource": 5,
    "ListTagsForResource": 10,
}
#: Undocumented reads: ListTagsForResource's documented rate.
READ_RATE = 10
#: Undocumented writes: TagResource's and UntagResource's documented rate.
WRITE_RATE = 5
CHOSEN: dict[str, float] = {
    **dict.fromkeys(("DescribeIdentityPool", "ListIdentityPools", "GetIdentityPoolRoles",
                     "GetPrincipalTagAttributeMap", "DescribeIdentity", "LookupDeveloperIdentity"), READ_RATE),
    **dict.fromkeys(("CreateIdentityPool", "UpdateIdentityPool", "DeleteIdentityPool", "SetIdentityPoolRoles",
                     "SetPrincipalTagAttributeMap", "MergeDeveloperIdentities", "UnlinkDeveloperIdentity"),
                    WRITE_RATE),
    "UnlinkIdentity": DOCUMENTED["GetId"],
}
#: Every cognito-identity operation's default quota, in requests per second per account and Region.
AWS_REQUEST_QUOTAS: dict[str, float] = {**DOCUMENTED, **CHOSEN}


def describe_quota(operation: str | None) -> str:
    """What AWS allows ``operation`` by default, in one sentence (documented or not)."""
    if operation in DOCUMENTED:
        return (f"AWS allows {operation} {DOCUMENTED[operation]:g} requests per second per account and Region "
                "by default (documented quota).")
    if operation in CHOSEN:
        return (f"AWS does not publish {operation}'s request-rate quota; expect about {CHOSEN[operation]:g} "
                "per second per account and Region, like the documented operations of its kind.")
    return ("Every Cognito Identity operation has a request-rate quota per account and Region "
            f"(GetId's, the lowest of the sign-in flow, is {DOCUMENTED['GetId']:g} per second).")
