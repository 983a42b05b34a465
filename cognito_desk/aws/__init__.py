"""Qt-free async clients for the backend: cognito-identity, STS, IAM and cognito-idp over one ``httpx.AsyncClient``.

The same clients serve the embedded service, real AWS in any region and any compatible endpoint; only
the :class:`Endpoints` and the credentials provider change. Build one ``httpx.AsyncClient`` per backend
connection and inject it into each client together with that service's :class:`Endpoint`::

    endpoints = custom_endpoints("http://127.0.0.1:4566", "us-east-1")   # or aws_endpoints("eu-west-1")
    identity = CognitoIdentityClient(http, endpoints.cognito_identity, credentials)
    pool = await identity.create_identity_pool(identity_pool_name="QA", allow_unauthenticated_identities=True)

Errors: AWS answers raise the ``core.errors`` class of their code; everything else a
:class:`BackendError` (see ``transport.py`` for the tree, retries and cancellation).
"""

from .cognito_identity import CognitoIdentityClient
from .cognito_idp import CognitoIdpClient
from .credentials import CredentialsProvider
from .endpoints import Endpoint, Endpoints, aws_endpoints, custom_endpoints
from .iam import ContextEntry, IamClient
from .retry import RetryPolicy
from .sts import StsClient
from .transport import (
    DEFAULT_TIMEOUT,
    BackendError,
    ConnectionFailed,
    MalformedResponse,
    NoCredentials,
    RequestTimedOut,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "BackendError",
    "CognitoIdentityClient",
    "CognitoIdpClient",
    "ConnectionFailed",
    "ContextEntry",
    "CredentialsProvider",
    "Endpoint",
    "Endpoints",
    "IamClient",
    "MalformedResponse",
    "NoCredentials",
    "RequestTimedOut",
    "RetryPolicy",
    "StsClient",
    "aws_endpoints",
    "custom_endpoints",
]
