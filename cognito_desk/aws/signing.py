"""SigV4 signing of outgoing requests.

Signing is botocore's own signer (``SigV4Auth`` over an ``AWSRequest``); this module only builds the
botocore request from the exact bytes that will go on the wire and returns the headers it added
(``Authorization``, ``X-Amz-Date`` and, for temporary credentials, ``X-Amz-Security-Token``), to be
copied onto the httpx request. Where credentials come from is ``credentials.py``'s business.
"""

from __future__ import annotations

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import ReadOnlyCredentials

from .endpoints import Endpoint

#: Headers the signer adds; copied onto the outgoing request.
SIGNED_HEADERS = ("Authorization", "X-Amz-Date", "X-Amz-Security-Token")


def sign(endpoint: Endpoint, credentials: ReadOnlyCredentials, headers: dict[str, str],
         body: bytes) -> dict[str, str]:
    """The SigV4 headers for a ``POST`` of ``body`` with ``headers`` to ``endpoint``'s path ``/``."""
    request = AWSRequest(method="POST", url=endpoint.url + "/", data=body, headers=dict(headers))
    SigV4Auth(credentials, endpoint.service, endpoint.signing_region).add_auth(request)
    return {name: request.headers[name] for name in SIGNED_HEADERS if name in request.headers}
