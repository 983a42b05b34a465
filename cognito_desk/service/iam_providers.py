"""IAM OpenID Connect and SAML identity providers of the embedded service (the 12 IAM operations).

Handlers take and return botocore shapes (``query.py`` does the wire; ``iam.authorize`` admits only the
admin key). An OIDC provider is keyed by its issuer URL: ``https://`` is required, except ``http://`` for
a loopback host so that local test identity providers work; its ARN is ``…:oidc-provider/`` plus the URL
without scheme and trailing slash, and ``GetOpenIDConnectProvider`` answers the URL without scheme, as
IAM does. Thumbprints are optional (AWS no longer uses them) but must look like SHA-1 hex digests. A SAML
provider keeps its metadata document as uploaded, after :func:`saml_metadata.parse_metadata` accepted it;
without a ``validUntil`` in the metadata it is valid for 100 years, as IAM reports. The identity and STS
code look providers up with :func:`find_oidc_provider`, :func:`find_oidc_provider_by_url` and
:func:`find_saml_provider`.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from ..core import errors
from ..core.hosts import is_loopback_host
from ..core.saml_metadata import parse_metadata
from .context import RequestContext
from .iam import account_arn, request_tags, tagged
from .store import Store

MAX_THUMBPRINTS = 5
MAX_CLIENT_IDS = 100
#: How long IAM keeps a SAML provider valid when its metadata sets no ``validUntil``.
DEFAULT_VALIDITY_YEARS = 100
_THUMBPRINT = re.compile(r"[0-9a-fA-F]{40}")
#: Parameters of newer IAM features (IAM Identity Center, SAML assertion encryption) not emulated.
_UNSUPPORTED = ("ContextProvider", "IdentityCenterInstanceArn", "AddPrivateKey", "RemovePrivateKey",
                "AssertionEncryptionMode", "RemoveContextProvider", "RemoveIdentityCenterInstance")


# --- lookups for the identity and STS code --------------------------------------------------------


def find_oidc_provider(store: Store, arn: str) -> sqlite3.Row | None:
    """The ``iam_oidc_providers`` row with this ARN, or None."""
    return store.query_one("SELECT * FROM iam_oidc_providers WHERE arn = ?", (arn,))


def find_oidc_provider_by_url(store: Store, url: str) -> sqlite3.Row | None:
    """The OIDC provider registered for issuer ``url`` (with scheme; a trailing slash does not matter).

    At most one matches: URLs that differ only in a trailing slash have the same ARN, which is unique.
    """
    return store.query_one("SELECT * FROM iam_oidc_providers WHERE rtrim(url, '/') = ?", (url.rstrip("/"),))


def find_saml_provider(store: Store, arn: str) -> sqlite3.Row | None:
    """The ``iam_saml_providers`` row with this ARN, or None."""
    return store.query_one("SELECT * FROM iam_saml_providers WHERE arn = ?", (arn,))


def provider_path(url: str) -> str:
    """What follows ``oidc-provider/`` in the ARN of issuer ``url``: no scheme, no trailing slash."""
    return url.split("://", 1)[-1].rstrip("/")


# --- checks -------------------------------------------------------------------------------------------


def _refuse_unsupported(params: dict) -> None:
    for name in _UNSUPPORTED:
        if name in params:
            raise errors.InvalidInput(f"{name} is not supported by the cognito-desk IAM emulation.")


def _check_url(url: str) -> None:
    """Refuse what is not an https issuer URL (or http on a loopback host)."""
    invalid = errors.InvalidInput(f"Invalid Open ID Connect Provider URL: {url}")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise invalid from None
    if not parts.hostname or "@" in parts.netloc or port == 0:
        raise invalid
    if "?" in url or "#" in url:
        raise errors.InvalidInput("Invalid Open ID Connect Provider URL: the URL must not have a query or fragment.")
    if parts.scheme != "https" and not (parts.scheme == "http" and is_loopback_host(parts.hostname)):
        raise errors.InvalidInput("Invalid Open ID Connect Provider URL: the URL must begin with https:// "
                                  "(http:// is accepted only for a loopback host).")


def _check_thumbprints(thumbprints: list[str]) -> None:
    if len(thumbprints) > MAX_THUMBPRINTS:
        raise errors.InvalidInput(f"Thumbprint list must contain at most {MAX_THUMBPRINTS} entries.")
    for thumbprint in thumbprints:
        if not _THUMBPRINT.fullmatch(thumbprint):
            raise errors.InvalidInput(f"Thumbprint {thumbprint} is not a 40-character hexadecimal SHA-1 digest.")


def _client_ids(ids: list[str]) -> list[str]:
    """``ids`` without repeats (first one kept), within IAM's quota."""
    unique = list(dict.fromkeys(ids))
    if len(unique) > MAX_CLIENT_IDS:
        raise errors.LimitExceeded(f"Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: {MAX_CLIENT_IDS}")
    return unique


# --- storage of either kind ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Kind:
    """One kind of identity provider: its table, lookup, log note and IAM's message for a missing one."""

    table: str
    find: Callable[[Store, str], sqlite3.Row | None]
    note: str
    not_found: str

    def row(self, ctx: RequestContext, arn: str) -> sqlite3.Row:
        row = self.find(ctx.store, arn)
        if row is None:
            raise errors.NoSuchEntity(f"{self.not_found} {arn}")
        return row

    def insert(self, ctx: RequestContext, values: dict, *, unique: str, exists: str) -> None:
        """Add the provider ``values`` (columns to values, ``arn`` among them) unless ``unique`` is taken."""
        with ctx.store.transaction() as conn:
            if conn.execute(f"SELECT 1 FROM {self.table} WHERE {unique} = ?", (values[unique],)).fetchone():
                raise errors.EntityAlreadyExists(exists)
            conn.execute(f"INSERT INTO {self.table} ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
                         tuple(values.values()))
        ctx.log_notes.append(f"{self.note}={values['arn']}")

    def delete(self, ctx: RequestContext, arn: str) -> dict:
        with ctx.store.transaction() as conn:
            arn = self.row(ctx, arn)["arn"]
            ctx.store.changed(self.table)
            conn.execute(f"DELETE FROM {self.table} WHERE arn = ?", (arn,))
        ctx.log_notes.append(f"{self.note}={arn}")
        return {}


OIDC = _Kind("iam_oidc_providers", find_oidc_provider, "oidc_provider", "OpenIDConnect Provider not found for arn")
SAML = _Kind("iam_saml_providers", find_saml_provider, "saml_provider", "Manifest not found for arn")


# --- OpenID Connect -------------------------------------------------------------------------------


def create_open_id_connect_provider(ctx: RequestContext, params: dict) -> dict:
    _refuse_unsupported(params)
    url = params["Url"]
    _check_url(url)
    thumbprints = params.get("ThumbprintList", [])
    _check_thumbprints(thumbprints)
    client_ids = _client_ids(params.get("ClientIDList", []))
    tags = request_tags(params)
    arn = account_arn(ctx, "oidc-provider/" + provider_path(url))
    OIDC.insert(ctx, {"arn": arn, "url": url, "client_ids": json.dumps(client_ids),
                       "thumbprints": json.dumps(thumbprints), "tags": json.dumps(tags),
                       "created": float(int(ctx.now()))},
                 unique="arn", exists=f"Provider with url {url} already exists.")
    return tagged({"OpenIDConnectProviderArn": arn}, tags)


def get_open_id_connect_provider(ctx: RequestContext, params: dict) -> dict:
    row = OIDC.row(ctx, params["OpenIDConnectProviderArn"])
    return tagged({"Url": row["url"].split("://", 1)[-1], "ClientIDList": json.loads(row["client_ids"]),
                   "ThumbprintList": json.loads(row["thumbprints"]), "CreateDate": row["created"]},
                  json.loads(row["tags"]))


def list_open_id_connect_providers(ctx: RequestContext, params: dict) -> dict:
    rows = ctx.store.query("SELECT arn FROM iam_oidc_providers ORDER BY arn")
    return {"OpenIDConnectProviderList": [{"Arn": row["arn"]} for row in rows]}


def delete_open_id_connect_provider(ctx: RequestContext, params: dict) -> dict:
    return OIDC.delete(ctx, params["OpenIDConnectProviderArn"])


def _update_client_ids(ctx: RequestContext, params: dict, change: Callable[[list[str]], list[str]]) -> dict:
    with ctx.store.transaction() as conn:
        row = OIDC.row(ctx, params["OpenIDConnectProviderArn"])
        client_ids = _client_ids(change(json.loads(row["client_ids"])))
        ctx.store.changed("iam_oidc_providers")
        conn.execute("UPDATE iam_oidc_providers SET client_ids = ? WHERE arn = ?",
                     (json.dumps(client_ids), row["arn"]))
    return {}


def add_client_id_to_open_id_connect_provider(ctx: RequestContext, params: dict) -> dict:
    return _update_client_ids(ctx, params, lambda ids: [*ids, params["ClientID"]])


def remove_client_id_from_open_id_connect_provider(ctx: RequestContext, params: dict) -> dict:
    return _update_client_ids(ctx, params, lambda ids: [i for i in ids if i != params["ClientID"]])


def update_open_id_connect_provider_thumbprint(ctx: RequestContext, params: dict) -> dict:
    thumbprints = params["ThumbprintList"]
    _check_thumbprints(thumbprints)
    with ctx.store.transaction() as conn:
        arn = OIDC.row(ctx, params["OpenIDConnectProviderArn"])["arn"]
        ctx.store.changed("iam_oidc_providers")
        conn.execute("UPDATE iam_oidc_providers SET thumbprints = ? WHERE arn = ?", (json.dumps(thumbprints), arn))
    return {}


# --- SAML ---------------------------------------------------------------------------------------------


def _valid_until(document: str, created: float) -> float:
    """When the provider stops being valid: the metadata's ``validUntil``, else 100 years on."""
    valid_until = parse_metadata(document).valid_until
    if valid_until is not None:
        return valid_until
    start = datetime.fromtimestamp(created, UTC)
    try:
        end = start.replace(year=start.year + DEFAULT_VALIDITY_YEARS)
    except ValueError:  # 29 February
        end = start.replace(year=start.year + DEFAULT_VALIDITY_YEARS, day=28)
    return end.timestamp()


def create_saml_provider(ctx: RequestContext, params: dict) -> dict:
    _refuse_unsupported(params)
    name, document = params["Name"], params["SAMLMetadataDocument"]
    tags = request_tags(params)
    created = float(int(ctx.now()))
    arn = account_arn(ctx, f"saml-provider/{name}")
    SAML.insert(ctx, {"arn": arn, "name": name, "metadata": document, "valid_until": _valid_until(document, created),
                       "tags": json.dumps(tags), "created": created},
                 unique="name", exists=f"SAMLProvider {name} already exists.")
    return tagged({"SAMLProviderArn": arn}, tags)


def get_saml_provider(ctx: RequestContext, params: dict) -> dict:
    row = SAML.row(ctx, params["SAMLProviderArn"])
    return tagged({"SAMLMetadataDocument": row["metadata"], "CreateDate": row["created"],
                   "ValidUntil": row["valid_until"]}, json.loads(row["tags"]))


def list_saml_providers(ctx: RequestContext, params: dict) -> dict:
    rows = ctx.store.query("SELECT arn, valid_until, created FROM iam_saml_providers ORDER BY arn")
    return {"SAMLProviderList": [{"Arn": row["arn"], "ValidUntil": row["valid_until"], "CreateDate": row["created"]}
                                 for row in rows]}


def update_saml_provider(ctx: RequestContext, params: dict) -> dict:
    _refuse_unsupported(params)
    document = params.get("SAMLMetadataDocument")
    with ctx.store.transaction() as conn:
        row = SAML.row(ctx, params["SAMLProviderArn"])
        if document is not None:
            ctx.store.changed("iam_saml_providers")
            conn.execute("UPDATE iam_saml_providers SET metadata = ?, valid_until = ? WHERE arn = ?",
                         (document, _valid_until(document, row["created"]), row["arn"]))
    return {"SAMLProviderArn": row["arn"]}


def delete_saml_provider(ctx: RequestContext, params: dict) -> dict:
    return SAML.delete(ctx, params["SAMLProviderArn"])


ACTIONS: dict[str, Callable[[RequestContext, dict], dict]] = {
    "CreateOpenIDConnectProvider": create_open_id_connect_provider,
    "GetOpenIDConnectProvider": get_open_id_connect_provider,
    "ListOpenIDConnectProviders": list_open_id_connect_providers,
    "DeleteOpenIDConnectProvider": delete_open_id_connect_provider,
    "AddClientIDToOpenIDConnectProvider": add_client_id_to_open_id_connect_provider,
    "RemoveClientIDFromOpenIDConnectProvider": remove_client_id_from_open_id_connect_provider,
    "UpdateOpenIDConnectProviderThumbprint": update_open_id_connect_provider_thumbprint,
    "CreateSAMLProvider": create_saml_provider,
    "GetSAMLProvider": get_saml_provider,
    "ListSAMLProviders": list_saml_providers,
    "UpdateSAMLProvider": update_saml_provider,
    "DeleteSAMLProvider": delete_saml_provider,
}
