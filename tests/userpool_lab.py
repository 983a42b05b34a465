"""An offline user-pool lab: moto server's cognito-idp as the user pool, the embedded service trusting it.

:func:`user_pool_lab` starts moto (``running_moto_server(user_pool=True)``: Cognito's role claims in ID tokens,
TOTP codes checked) and an embedded service whose ``provider_endpoints`` fetch user-pool keys from it — by
configuration, as a Local profile's "user pool endpoint" does. :class:`UserPoolLab` then builds, with boto3
as an independent client: a user pool with groups ``admins`` (role A, precedence 1) and ``staff`` (role B,
precedence 2), app clients with and without a secret, the users the journeys need (``alice`` in both groups,
``bob`` in none, ``carol`` with a temporary password, ``dave`` with TOTP, ``erin`` with SMS MFA) and an
identity pool whose Token mapping for that user pool the tests set.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import boto3
from service.moto_server import running_moto_server
from support import RunningService, make_client, start_service

from cognito_desk.admin.trust import cognito_trust_policy

PASSWORD = "Lab-passw0rd!"
TEMPORARY = "Temp-passw0rd!"
AUTH_FLOWS = ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


@dataclass
class UserPoolLab:
    service: RunningService
    moto_url: str
    name: str
    user_pool_id: str = ""
    client_id: str = ""
    secret_client_id: str = ""
    client_secret: str = field(default="", repr=False)
    totp_seed: str = field(default="", repr=False)
    pool_id: str = ""
    roles: dict[str, str] = field(default_factory=dict)

    @property
    def idp(self):
        return boto3.session.Session().client("cognito-idp", endpoint_url=self.moto_url, region_name="us-east-1",
                                              aws_access_key_id="testing", aws_secret_access_key="testing")

    @property
    def provider_name(self) -> str:
        return f"cognito-idp.us-east-1.amazonaws.com/{self.user_pool_id}"

    def build(self) -> UserPoolLab:
        idp, ci, iam = self.idp, make_client(self.service, "cognito-identity"), make_client(self.service, "iam")
        self.user_pool_id = idp.create_user_pool(PoolName=self.name)["UserPool"]["Id"]
        self.client_id = idp.create_user_pool_client(UserPoolId=self.user_pool_id, ClientName="app",
                                                     ExplicitAuthFlows=AUTH_FLOWS)["UserPoolClient"]["ClientId"]
        confidential = idp.create_user_pool_client(UserPoolId=self.user_pool_id, ClientName="server-app",
                                                   GenerateSecret=True, ExplicitAuthFlows=AUTH_FLOWS)
        self.secret_client_id = confidential["UserPoolClient"]["ClientId"]
        self.client_secret = confidential["UserPoolClient"]["ClientSecret"]
        self.pool_id = ci.create_identity_pool(
            IdentityPoolName=self.name, AllowUnauthenticatedIdentities=False,
            CognitoIdentityProviders=[{"ProviderName": self.provider_name, "ClientId": client}
                                      for client in (self.client_id, self.secret_client_id)])["IdentityPoolId"]
        trust = json.dumps(cognito_trust_policy(self.pool_id, "authenticated"))
        self.roles = {name: iam.create_role(RoleName=f"{name}-{self.name}", AssumeRolePolicyDocument=trust)[
            "Role"]["Arn"] for name in ("auth", "A", "B")}
        idp.create_group(UserPoolId=self.user_pool_id, GroupName="admins", RoleArn=self.roles["A"], Precedence=1)
        idp.create_group(UserPoolId=self.user_pool_id, GroupName="staff", RoleArn=self.roles["B"], Precedence=2)
        for user in ("alice", "bob", "dave", "erin"):
            self.user(user)
        for group in ("admins", "staff"):
            idp.admin_add_user_to_group(UserPoolId=self.user_pool_id, Username="alice", GroupName=group)
        idp.admin_create_user(UserPoolId=self.user_pool_id, Username="carol", TemporaryPassword=TEMPORARY,
                              MessageAction="SUPPRESS")
        self._totp("dave")
        idp.admin_set_user_mfa_preference(UserPoolId=self.user_pool_id, Username="erin", SMSMfaSettings={
            "Enabled": True, "PreferredMfa": True})
        self.token_mapping("AuthenticatedRole")
        return self

    def user(self, name: str) -> None:
        idp = self.idp
        idp.admin_create_user(UserPoolId=self.user_pool_id, Username=name, MessageAction="SUPPRESS")
        idp.admin_set_user_password(UserPoolId=self.user_pool_id, Username=name, Password=PASSWORD, Permanent=True)

    def _totp(self, name: str) -> None:
        import pyotp

        idp = self.idp
        tokens = idp.initiate_auth(ClientId=self.client_id, AuthFlow="USER_PASSWORD_AUTH",
                                   AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD})["AuthenticationResult"]
        self.totp_seed = idp.associate_software_token(AccessToken=tokens["AccessToken"])["SecretCode"]
        idp.verify_software_token(AccessToken=tokens["AccessToken"], UserCode=pyotp.TOTP(self.totp_seed).now())
        idp.admin_set_user_mfa_preference(UserPoolId=self.user_pool_id, Username=name, SoftwareTokenMfaSettings={
            "Enabled": True, "PreferredMfa": True})

    def token_mapping(self, ambiguous: str) -> None:
        """A Token mapping for both app clients; ``ambiguous`` is ``AuthenticatedRole`` or ``Deny``."""
        make_client(self.service, "cognito-identity").set_identity_pool_roles(
            IdentityPoolId=self.pool_id, Roles={"authenticated": self.roles["auth"]},
            RoleMappings={f"{self.provider_name}:{client}": {"Type": "Token", "AmbiguousRoleResolution": ambiguous}
                          for client in (self.client_id, self.secret_client_id)})


@contextlib.contextmanager
def user_pool_service(data_dir: Path) -> Iterator[tuple[RunningService, str]]:
    """(embedded service trusting the moto user pools, moto's URL)."""
    with running_moto_server(user_pool=True) as moto_url:
        running = start_service(data_dir, provider_endpoints={"cognito-idp": moto_url})
        try:
            yield running, moto_url
        finally:
            running.thread.stop()
