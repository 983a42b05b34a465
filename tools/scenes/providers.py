"""Identity providers: the pool's providers with a discovery check run against the embedded service's own
OpenID configuration and a SAML metadata summary warning about a certificate that expires soon; the connection's
IAM identity providers view."""

from __future__ import annotations

import base64
import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


def _metadata(entity_id: str, days: int) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "idp.corp.example signing")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=350))
            .not_valid_after(now + datetime.timedelta(days=days)).sign(key, hashes.SHA256()))
    der = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()
    return (f'<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{entity_id}">'
            '<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
            '<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data>'
            f'<ds:X509Certificate>{der}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>'
            '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" '
            'Location="https://idp.corp.example/sso"/></md:IDPSSODescriptor></md:EntityDescriptor>')


def _tab(window, title: str, install):
    for index in range(window.tabs.count()):
        if window.tabs.tabText(index) == title:
            return window.tabs.widget(index)
    return install(window)


async def providers(studio):
    from cognito_desk.ui.providers import install

    window = studio.window
    page = _tab(window, "Identity providers", install)
    await studio.select_pool("QA mobile app")
    window.tabs.setCurrentWidget(page)
    await studio.wait_until(lambda: page.edit is not None, what="the providers")
    page.new_oidc.url.setText(window.connection.endpoint_url.rstrip("/"))
    page.new_oidc.client_ids.setText("qa-mobile")
    page.new_oidc.check()
    await studio.wait_until(lambda: page.new_oidc.report is not None, what="the discovery check")
    page.new_saml.name.setText("corp-idp")
    page.new_saml.metadata.setPlainText(_metadata("urn:corp.example:idp", 12))
    return window


async def _partner_oidc(studio) -> None:
    """An OIDC provider the Partner portal pool trusts (attached through the pool edit, nothing else changed)."""
    from cognito_desk.admin.pools import send_pool_request

    connection = studio.connection
    if (await connection.iam.list_open_id_connect_providers()).get("OpenIDConnectProviderList"):
        return
    answer = await connection.iam.create_open_id_connect_provider(url="https://login.partner.example",
                                                                  client_id_list=["partner-portal"])
    pool = await connection.identity.describe_identity_pool(identity_pool_id=studio.pools["Partner portal"])
    await send_pool_request(connection.identity, "UpdateIdentityPool",
                            {**pool, "OpenIdConnectProviderARNs": [answer["OpenIDConnectProviderArn"]]})


async def iam_providers(studio):
    from cognito_desk.ui.providers import IamProvidersDialog

    connection = studio.connection
    listed = await connection.iam.list_saml_providers()
    if not listed.get("SAMLProviderList"):
        await connection.iam.create_saml_provider(name="corp-idp",
                                                  saml_metadata_document=_metadata("urn:corp.example:idp", 200))
    await _partner_oidc(studio)
    dialog = IamProvidersDialog(studio.ctx.runner, connection, studio.window.connection_state, studio.window)
    dialog.show()
    dialog.reload()
    await studio.wait_until(lambda: len(dialog.providers) == 2, what="the IAM providers")
    dialog.table.selectRow(0)
    studio.cleanup.append(dialog.close)
    return dialog


SCENES = [("providers", providers), ("iam-providers", iam_providers)]
