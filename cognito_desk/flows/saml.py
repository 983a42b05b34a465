"""SAML 2.0 logins: SP-initiated (an AuthnRequest by the redirect binding) or IdP-initiated, ``SAMLResponse`` caught.

The IdP posts its response to the ACS URL (for AWS ``https://signin.aws.amazon.com/saml``); the user agent
stops that POST and hands over the form, so the response never reaches the ACS and is sent to Cognito
instead. A SAML response names its recipient, and Cognito insists it is the AWS sign-in endpoint: no
loopback listener can stand in for it, so a SAML login needs an agent that catches the configured ACS
itself (the embedded browser, or a test's HTTP client). The response is read here without trust — status,
``InResponseTo`` (it must answer this login's AuthnRequest), NameID, attributes, the Role attribute's
roles for the provider, and the assertion's expiry; its signature is Cognito's to check.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import zlib
from datetime import UTC, datetime

from lxml import etree

from ..core.providers import ROLE_ATTRIBUTE, roles_for
from .agent import ProviderError, UserAgent
from .clients import ProviderClient
from .oauth import PROVIDER_LOGIN, ProviderLogin, authorization_url
from .timeline import Timeline

__all__ = ["SamlAssertion", "authn_request", "read_response", "saml_login"]

PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol"
ASSERTION = "urn:oasis:names:tc:SAML:2.0:assertion"
_NS = {"samlp": PROTOCOL, "saml": ASSERTION}
SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)


def authn_request(client: ProviderClient, request_id: str, now: datetime) -> str:
    """The AuthnRequest XML this login sends (HTTP-POST binding requested for the answer)."""
    root = etree.Element(f"{{{PROTOCOL}}}AuthnRequest", nsmap={"samlp": PROTOCOL, "saml": ASSERTION}, attrib={
        "ID": request_id, "Version": "2.0", "IssueInstant": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Destination": client.saml_sso_url, "AssertionConsumerServiceURL": client.saml_acs_url,
        "ProtocolBinding": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"})
    etree.SubElement(root, f"{{{ASSERTION}}}Issuer").text = client.saml_sp_entity_id
    etree.SubElement(root, f"{{{PROTOCOL}}}NameIDPolicy", attrib={"AllowCreate": "true"})
    return etree.tostring(root, encoding="unicode")


def _redirect_binding(xml: str) -> str:
    compressor = zlib.compressobj(wbits=-15)
    return base64.b64encode(compressor.compress(xml.encode()) + compressor.flush()).decode("ascii")


class SamlAssertion:
    """What a base64 ``SAMLResponse`` says, read without trust."""

    def __init__(self, encoded: str) -> None:
        try:
            document = etree.fromstring(base64.b64decode(encoded, validate=False), _PARSER)
        except (binascii.Error, ValueError, etree.XMLSyntaxError) as exc:
            raise ProviderError(f"The SAMLResponse is not base64 SAML XML: {exc}", error="invalid_response") from None
        if document.tag != f"{{{PROTOCOL}}}Response":
            raise ProviderError("The SAMLResponse is not a samlp:Response.", error="invalid_response")
        status = document.find("samlp:Status/samlp:StatusCode", _NS)
        self.status = status.get("Value", "") if status is not None else ""
        self.in_response_to = document.get("InResponseTo")
        assertion = document.find("saml:Assertion", _NS)
        self.encrypted = assertion is None and document.find("saml:EncryptedAssertion", _NS) is not None
        self.name_id = (assertion.findtext("saml:Subject/saml:NameID", namespaces=_NS) or "").strip() \
            if assertion is not None else ""
        self.attributes: dict[str, list[str]] = {}
        for attribute in [] if assertion is None else assertion.iterfind(".//saml:Attribute", _NS):
            values = [(value.text or "").strip() for value in attribute.iterfind("saml:AttributeValue", _NS)]
            self.attributes.setdefault(attribute.get("Name", ""), []).extend(values)
        conditions = None if assertion is None else assertion.find("saml:Conditions", _NS)
        not_after = conditions.get("NotOnOrAfter") if conditions is not None else None
        self.expires_at = (datetime.fromisoformat(not_after.replace("Z", "+00:00")).astimezone(UTC).timestamp()
                           if not_after else None)

    def roles_for(self, provider_arn: str) -> tuple[str, ...]:
        """Role ARNs the Role attribute pairs with ``provider_arn`` (``role,provider`` in either order)."""
        return roles_for(provider_arn, self.attributes.get(ROLE_ATTRIBUTE, []))


def read_response(encoded: str, request_id: str | None) -> SamlAssertion:
    """The response's content, refused when the IdP reported a failure or answered another request."""
    response = SamlAssertion(encoded)
    if response.status and response.status != SUCCESS:
        raise ProviderError(f"The IdP answered with status {response.status.rsplit(':', 1)[-1]}.",
                            error=response.status)
    if request_id is not None and response.in_response_to not in (None, request_id):
        raise ProviderError("The SAMLResponse answers another AuthnRequest than this login's: it was not used.",
                            error="in_response_to_mismatch")
    if response.encrypted:
        raise ProviderError("The assertion is encrypted; Cognito identity pools need it unencrypted.",
                            error="encrypted_assertion")
    return response


async def saml_login(agent: UserAgent, client: ProviderClient, timeline: Timeline) -> ProviderLogin:
    """Sign in at the IdP in ``agent`` and capture the ``SAMLResponse`` posted to the ACS."""
    request_id = "_" + secrets.token_hex(20) if client.saml_sso_url else None

    def start(target: str) -> str:
        if target != client.saml_acs_url:
            raise ProviderError(f"The IdP posts its response to {client.saml_acs_url}, which only the embedded "
                                "browser can catch: use the embedded browser for SAML.", error="acs_unreachable")
        if request_id is None:
            return client.saml_idp_initiated_url
        query = {"SAMLRequest": _redirect_binding(authn_request(client, request_id, datetime.now(UTC)))}
        return authorization_url(client.saml_sso_url, query)

    with timeline.call("SAML sign-in", PROVIDER_LOGIN):
        arrival = await agent.navigate(start, client.saml_acs_url)
    encoded = arrival.form.get("SAMLResponse") or arrival.params().get("SAMLResponse")
    if not encoded:
        raise ProviderError(f"The IdP reached {client.saml_acs_url} without a SAMLResponse.", error="no_response")
    response = read_response(encoded, request_id)
    claims: dict[str, object] = {**response.attributes, "NameID": response.name_id}
    return ProviderLogin(client.logins_key, encoded, "SAMLResponse", claims=claims, expires_at=response.expires_at,
                         saml_roles=response.roles_for(client.saml_provider_arn))
