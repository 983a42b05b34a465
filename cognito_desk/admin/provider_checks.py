"""Checking an identity provider before it is saved: OpenID discovery for OIDC, metadata for SAML.

Owns :func:`check_oidc_discovery` — fetch ``<issuer>/.well-known/openid-configuration`` and its JWKS with the
connection's ``httpx.AsyncClient`` and report the issuer, endpoints, signing algorithms and key IDs, with every
mismatch the service would trip over later (issuer in the document ≠ the URL, no keys, ``http`` on a non-loopback
host, unreachable or non-JSON answers) — and :func:`summarize_saml_metadata`, which reads a SAML IdP metadata
document the way IAM does (``core.saml_metadata.parse_metadata``: entity ID, signing certificates,
``validUntil``) and adds what a person checks: SSO endpoints, certificate subjects and expiry, warning when a
signing certificate expires within 30 days or has expired.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx
from cryptography import x509
from lxml import etree

from cognito_desk.core.providers import issuers_for_key, with_or_without_slash
from cognito_desk.core.saml_metadata import DS, MD, parse_metadata
from cognito_desk.core.tokens import format_utc

EXPIRY_WARNING_DAYS = 30
ENDPOINT_FIELDS = ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri", "end_session_endpoint")
_TIMEOUT = httpx.Timeout(10.0)


@dataclass
class DiscoveryReport:
    """What an issuer's discovery document and JWKS say; ``problems`` stop a save, ``warnings`` do not."""

    url: str
    issuer: str | None = None
    endpoints: dict[str, str] = field(default_factory=dict)
    algorithms: list[str] = field(default_factory=list)
    key_ids: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


async def _get_json(http: httpx.AsyncClient, url: str, what: str, report: DiscoveryReport) -> dict | None:
    try:
        response = await http.get(url, timeout=_TIMEOUT, follow_redirects=True)
    except httpx.HTTPError as exc:
        report.problems.append(f"The {what} at {url} cannot be fetched: {type(exc).__name__}: {exc}")
        return None
    if response.status_code != 200:
        report.problems.append(f"The {what} at {url} answered HTTP {response.status_code}.")
        return None
    try:
        body = response.json()
    except ValueError:
        report.problems.append(f"The {what} at {url} is not JSON.")
        return None
    if not isinstance(body, dict):
        report.problems.append(f"The {what} at {url} is not a JSON object.")
        return None
    return body


def _check_url(url: str, report: DiscoveryReport) -> bool:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        report.problems.append(f"{url!r} is not an https:// issuer URL.")
        return False
    if parts.query or parts.fragment:
        report.problems.append("An issuer URL has no query string or fragment.")
    key = url.split("://", 1)[1].rstrip("/")
    if url.rstrip("/") not in {i.rstrip("/") for i in issuers_for_key(key)}:
        report.problems.append(f"{url} uses http on a non-loopback host: issuers must use https "
                               "(http is accepted on 127.0.0.1 / localhost only).")
    return True


async def check_oidc_discovery(http: httpx.AsyncClient, issuer_url: str) -> DiscoveryReport:
    """Run the discovery check for ``issuer_url`` (never raises for the provider's faults: see ``problems``)."""
    url = (issuer_url or "").strip()
    report = DiscoveryReport(url)
    if not _check_url(url, report):
        return report
    document = await _get_json(http, url.rstrip("/") + "/.well-known/openid-configuration",
                               "discovery document", report)
    if document is None:
        return report
    report.issuer = document.get("issuer") if isinstance(document.get("issuer"), str) else None
    if report.issuer is None:
        report.problems.append("The discovery document has no issuer.")
    elif report.issuer not in with_or_without_slash(url):
        report.problems.append(f"The discovery document's issuer is {report.issuer!r}, not {url!r}: tokens "
                               "would be refused (Issuer doesn't match providerName).")
    report.endpoints = {name: document[name] for name in ENDPOINT_FIELDS if isinstance(document.get(name), str)}
    algorithms = document.get("id_token_signing_alg_values_supported")
    report.algorithms = [a for a in algorithms if isinstance(a, str)] if isinstance(algorithms, list) else []
    if "none" in report.algorithms:
        report.warnings.append("The provider offers unsigned id_tokens (alg none); Cognito refuses them.")
    jwks_uri = report.endpoints.get("jwks_uri")
    if not jwks_uri:
        report.problems.append("The discovery document has no jwks_uri: token signatures cannot be checked.")
        return report
    jwks = await _get_json(http, jwks_uri, "JWKS", report)
    if jwks is None:
        return report
    keys = [k for k in jwks.get("keys") or [] if isinstance(k, dict)]
    signing = [k for k in keys if k.get("use", "sig") == "sig"]
    report.key_ids = [f"{k.get('kid', '(no kid)')} ({k.get('kty', '?')}{', ' + k['alg'] if k.get('alg') else ''})"
                      for k in signing]
    if not signing:
        report.problems.append(f"The JWKS at {jwks_uri} has no signing keys: every token would be refused.")
    elif len(signing) > 1 and any("kid" not in k for k in signing):
        report.warnings.append("Several keys and at least one without a kid: tokens may not find their key.")
    return report


@dataclass(frozen=True)
class CertificateSummary:
    subject: str
    not_after: float
    status: str  # "valid" | "expiring" | "expired"

    def describe(self) -> str:
        return f"{self.subject}, expires {format_utc(self.not_after)} ({self.status})"


@dataclass
class MetadataSummary:
    entity_id: str
    sso_endpoints: list[tuple[str, str]]  # (binding, location)
    certificates: list[CertificateSummary]
    valid_until: float | None
    warnings: list[str]


def _certificate(pem: str, now: float) -> CertificateSummary:
    certificate = x509.load_pem_x509_certificate(pem.encode("ascii"))
    not_after = certificate.not_valid_after_utc.timestamp()
    days = (not_after - now) / 86400
    status = "expired" if days <= 0 else "expiring" if days < EXPIRY_WARNING_DAYS else "valid"
    return CertificateSummary(certificate.subject.rfc4514_string(), not_after, status)


def _sso_endpoints(xml: str, entity_id: str) -> list[tuple[str, str]]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.fromstring(xml.encode("utf-8"), parser)
    names = {"md": MD, "ds": DS}
    descriptor = next((d for d in root.iter(f"{{{MD}}}EntityDescriptor") if d.get("entityID") == entity_id), root)
    return [(service.get("Binding", ""), service.get("Location", ""))
            for service in descriptor.iterfind("md:IDPSSODescriptor/md:SingleSignOnService", names)]


def summarize_saml_metadata(xml: str, *, now: float) -> MetadataSummary:
    """Read a SAML IdP metadata document; raises ``InvalidInput`` ("Could not parse metadata…") as IAM does."""
    metadata = parse_metadata(xml)
    certificates = [_certificate(pem, now) for pem in metadata.certificates]
    warnings = []
    for certificate in certificates:
        if certificate.status == "expired":
            warnings.append(f"The signing certificate {certificate.subject} expired on "
                            f"{format_utc(certificate.not_after)}: responses signed with it are refused.")
        elif certificate.status == "expiring":
            days = int((certificate.not_after - now) // 86400)
            warnings.append(f"The signing certificate {certificate.subject} expires in {days} days "
                            f"({format_utc(certificate.not_after)}): update the metadata when the IdP rolls it.")
    if metadata.valid_until is not None and metadata.valid_until <= now:
        warnings.append(f"The metadata's validUntil ({format_utc(metadata.valid_until)}) has passed: the service "
                        "refuses sign-ins through this provider.")
    endpoints = _sso_endpoints(xml, metadata.entity_id)
    if not endpoints:
        warnings.append("The metadata lists no SingleSignOnService endpoint.")
    return MetadataSummary(metadata.entity_id, endpoints, certificates, metadata.valid_until, warnings)

