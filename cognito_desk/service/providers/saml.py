"""SAML 2.0 logins: a base64 ``Response`` under the full ARN of an IAM SAML provider attached to the pool.

Checks, modeled on IAM's SAML federation (reference §4.4, §5.5): the response decodes and parses (no DTD,
no entities, no network); an XML signature made with one of the metadata's certificates covers the Response
or the Assertion (signxml; SHA-1 is accepted as IAM does, HMAC is not); from then on ONLY the element signxml
returns as signed is read — never the document around it — which defeats signature-wrapping attacks. The
Assertion's Issuer must be the metadata's entity id, an AudienceRestriction must name ``urn:amazon:webservices``
(or the AWS sign-in SAML endpoint), a bearer SubjectConfirmationData must name the sign-in endpoint as
Recipient, ``NotBefore``/``NotOnOrAfter`` (Conditions and SubjectConfirmationData) hold with 5 minutes of skew,
the response Destination (when given) is the sign-in endpoint, and the metadata's ``validUntil`` is not past.
Sign-in endpoints: ``https://signin.aws.amazon.com/saml`` and ``https://<region>.signin.aws.amazon.com/saml``.
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime

from lxml import etree
from signxml import SignatureConfiguration, XMLVerifier
from signxml.algorithms import SignatureMethod
from signxml.exceptions import SignXMLException

from ...core import errors
from ...core.providers import NAME, NAME_IDENTIFIER, NOT_SUPPORTED, ROLE_ATTRIBUTE, SAML, roles_for
from ...core.saml_metadata import parse_metadata
from ..logins import ValidatedLogin
from ..store import Store
from .signed_jwt import SKEW_SECONDS, TokenExpired

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
_NS = {"samlp": SAMLP, "saml": SAML}
SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
AWS_AUDIENCE = "urn:amazon:webservices"
_PARSER_OPTIONS = {"resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": False}
_SIGNATURE_CONFIG = {
    "location": ".//",
    "expect_references": 1,
    "signature_methods": frozenset(m for m in SignatureMethod if not m.name.startswith("HMAC")),
}


def _refuse(reason: str) -> errors.AwsError:
    return errors.NotAuthorizedException(f"Invalid login token. {reason}")


def sign_in_endpoints(region: str) -> frozenset[str]:
    return frozenset({"https://signin.aws.amazon.com/saml", f"https://{region}.signin.aws.amazon.com/saml"})


def _parse(token: str) -> bytes:
    try:
        document = base64.b64decode("".join(token.split()), validate=True)
    except (binascii.Error, ValueError):
        raise _refuse("The SAML response is not valid base64.") from None
    if b"<!DOCTYPE" in document:
        raise _refuse("The SAML response carries a document type declaration (DTD), which is not allowed.")
    try:
        root = etree.fromstring(document, etree.XMLParser(**_PARSER_OPTIONS))
    except (etree.XMLSyntaxError, ValueError):
        raise _refuse("The SAML response is not well-formed XML.") from None
    if root.tag != f"{{{SAMLP}}}Response":
        raise _refuse("The SAML token is not a SAML 2.0 Response.")
    return document


def _signed_element(document: bytes, certificates: list[str], now: float) -> etree._Element:
    config = SignatureConfiguration(**_SIGNATURE_CONFIG, verification_time=datetime.fromtimestamp(now, UTC))
    for certificate in certificates:
        try:
            signed = XMLVerifier().verify(document, x509_cert=certificate, expect_config=config).signed_xml
        except (SignXMLException, ValueError):
            continue
        if signed is not None:
            return signed
    raise _refuse("Couldn't verify the SAML response's signature with the SAML provider's certificates.")


def _instant(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        instant = datetime.fromisoformat(text.strip())
    except ValueError:
        raise _refuse(f"The SAML time {text!r} is not an ISO 8601 date and time.") from None
    return (instant if instant.tzinfo else instant.replace(tzinfo=UTC)).timestamp()


def _check_window(element: etree._Element, now: float) -> None:
    not_before = _instant(element.get("NotBefore"))
    if not_before is not None and now + SKEW_SECONDS < not_before:
        raise _refuse(f"The SAML assertion is not valid before {int(not_before)} (now {int(now)}).")
    not_on_or_after = _instant(element.get("NotOnOrAfter"))
    if not_on_or_after is not None and now >= not_on_or_after + SKEW_SECONDS:
        raise TokenExpired(now, int(not_on_or_after))


def _assertion(signed: etree._Element) -> etree._Element:
    if signed.tag == f"{{{SAML}}}Assertion":
        return signed
    if signed.tag == f"{{{SAMLP}}}Response":
        assertions = signed.findall("saml:Assertion", _NS)
        if len(assertions) == 1:
            return assertions[0]
        raise _refuse("The signed SAML response must hold exactly one (unencrypted) Assertion.")
    raise _refuse("The SAML signature covers neither the Response nor the Assertion.")


def _check_response(response: etree._Element, endpoints: frozenset[str]) -> None:
    status = response.find("samlp:Status/samlp:StatusCode", _NS)
    if status is None or status.get("Value") != SUCCESS:
        raise _refuse("The SAML response's status is not Success.")
    destination = response.get("Destination")
    if destination is not None and destination not in endpoints:
        raise _refuse(f"The SAML response's Destination is not {min(endpoints)}.")


def _check_subject(assertion: etree._Element, endpoints: frozenset[str], now: float) -> str:
    name_id = assertion.findtext("saml:Subject/saml:NameID", namespaces=_NS)
    if not name_id or not name_id.strip():
        raise _refuse("The SAML assertion has no Subject NameID.")
    problem: errors.AwsError = _refuse("The SAML assertion has no bearer SubjectConfirmation.")
    for confirmation in assertion.iterfind("saml:Subject/saml:SubjectConfirmation", _NS):
        data = confirmation.find("saml:SubjectConfirmationData", _NS)
        if confirmation.get("Method") != BEARER or data is None:
            continue
        if data.get("Recipient") not in endpoints:
            problem = _refuse(f"The SAML assertion's Recipient is not {min(endpoints)}.")
            continue
        try:
            _check_window(data, now)
        except errors.NotAuthorizedException as exc:
            problem = exc
            continue
        return name_id.strip()
    raise problem


def _check_conditions(assertion: etree._Element, endpoints: frozenset[str], now: float) -> None:
    conditions = assertion.find("saml:Conditions", _NS)
    if conditions is None:
        raise _refuse("The SAML assertion has no Conditions.")
    _check_window(conditions, now)
    restrictions = conditions.findall("saml:AudienceRestriction", _NS)
    accepted = endpoints | {AWS_AUDIENCE}
    if not restrictions or any(
            not {(a.text or "").strip() for a in r.findall("saml:Audience", _NS)} & accepted for r in restrictions):
        raise _refuse(f"The SAML assertion's audience is not {AWS_AUDIENCE}.")


def _attributes(assertion: etree._Element) -> dict[str, list[str]]:
    attributes: dict[str, list[str]] = {}
    for attribute in assertion.iterfind("saml:AttributeStatement/saml:Attribute", _NS):
        values = [(value.text or "").strip() for value in attribute.findall("saml:AttributeValue", _NS)]
        attributes.setdefault(attribute.get("Name", ""), []).extend(values)
    return attributes


def validate(store: Store, arn: str, token: str, region: str, now: float) -> ValidatedLogin:
    """Validate a base64 SAML response for the IAM SAML provider ``arn``."""
    row = store.query_one("SELECT metadata, valid_until FROM iam_saml_providers WHERE arn = ?", (arn,))
    if row is None:
        raise errors.NotAuthorizedException(NOT_SUPPORTED)
    try:
        metadata = parse_metadata(row["metadata"])
    except errors.AwsError as exc:
        raise _refuse(f"The SAML provider's metadata cannot be used ({exc.message}).") from None
    valid_until = min((t for t in (metadata.valid_until, row["valid_until"]) if t is not None), default=None)
    if valid_until is not None and now >= valid_until:
        raise _refuse(f"The SAML provider's metadata expired at {int(valid_until)} (now {int(now)}).")
    document = _parse(token)
    signed = _signed_element(document, metadata.certificates, now)
    endpoints = sign_in_endpoints(region)
    response = signed if signed.tag == f"{{{SAMLP}}}Response" else etree.fromstring(
        document, etree.XMLParser(**_PARSER_OPTIONS))
    _check_response(response, endpoints)
    assertion = _assertion(signed)
    if (assertion.findtext("saml:Issuer", namespaces=_NS) or "").strip() != metadata.entity_id:
        raise _refuse("The SAML assertion's Issuer doesn't match the SAML provider's metadata.")
    name_id = _check_subject(assertion, endpoints, now)
    _check_conditions(assertion, endpoints, now)
    attributes = _attributes(assertion)
    tags = {"username": (attributes.get(NAME_IDENTIFIER) or [name_id])[0]}
    if attributes.get(NAME):
        tags["name"] = attributes[NAME][0]
    return ValidatedLogin(
        provider_name=arn, subject=name_id, claims={**attributes, "NameID": name_id},
        amr=(arn, f"{arn}:SAML:{name_id}"), mapping_keys=(arn,),
        saml_roles=roles_for(arn, attributes.get(ROLE_ATTRIBUTE, [])), default_tags=tags)
