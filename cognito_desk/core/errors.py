"""The error tree of cognito-desk, in one place.

Every error the embedded service answers with, and every error the client layer raises, is an
:class:`AwsError` subclass named exactly after the AWS error code (``__type`` in the JSON protocols,
``<Code>`` in the query protocols). The service raises them; the protocol layer turns them into
wire bodies; the client layer turns wire bodies back into them with :func:`error_for`.

    CognitoDeskError
     └── AwsError                       code, message, status, request_id
          ├── cognito-identity:   InvalidParameterException, NotAuthorizedException,
          │                       ResourceNotFoundException, ResourceConflictException, ...
          ├── front end:          ValidationException, SerializationException,
          │                       UnknownOperationException, MissingAuthenticationTokenException,
          │                       UnrecognizedClientException, InvalidSignatureException, ...
          ├── STS (query):        AccessDenied, InvalidIdentityToken, ExpiredTokenException, ...
          └── IAM (query):        NoSuchEntity, EntityAlreadyExists, InvalidInput, ...

HTTP status: the real cognito-identity service answers 400 for every client error (reference
§1.5), 500 for ``InternalErrorException``; the query services use their documented codes.
"""

from __future__ import annotations


class CognitoDeskError(Exception):
    """Base of every error this package raises on purpose."""


class AwsError(CognitoDeskError):
    """An error with an AWS error code, as sent on the wire."""

    code: str = "AwsError"
    status: int = 400
    #: The operation that was answered with this error, when the client layer raised it (None in the service).
    operation: str | None = None
    #: ``Sender`` or ``Receiver`` in query-protocol error bodies.
    fault: str = "Sender"

    def __init__(
        self,
        message: str = "",
        *,
        code: str | None = None,
        status: int | None = None,
        request_id: str | None = None,
        notes: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        #: The embedded service's decision notes for the request (its ``x-cognito-desk-notes`` header):
        #: why a role was refused, which trust-policy condition failed. Empty from other backends.
        self.notes = notes
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.request_id = request_id

    def __str__(self) -> str:
        return f"{self.code}: {self.message}" if self.message else self.code

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r}, status={self.status})"


_REGISTRY: dict[str, type[AwsError]] = {}


def _define(code: str, status: int = 400, fault: str = "Sender") -> type[AwsError]:
    cls = type(code, (AwsError,), {"code": code, "status": status, "fault": fault, "__module__": __name__})
    _REGISTRY[code] = cls
    return cls


# --- cognito-identity (model error shapes) -------------------------------------------------
InvalidParameterException = _define("InvalidParameterException")
NotAuthorizedException = _define("NotAuthorizedException")
ResourceNotFoundException = _define("ResourceNotFoundException")
ResourceConflictException = _define("ResourceConflictException")
TooManyRequestsException = _define("TooManyRequestsException")
LimitExceededException = _define("LimitExceededException")
ExternalServiceException = _define("ExternalServiceException")
InvalidIdentityPoolConfigurationException = _define("InvalidIdentityPoolConfigurationException")
ConcurrentModificationException = _define("ConcurrentModificationException")
DeveloperUserAlreadyRegisteredException = _define("DeveloperUserAlreadyRegisteredException")
InternalErrorException = _define("InternalErrorException", 500, "Receiver")

# --- AWS front end, shared by the JSON services ---------------------------------------------
ValidationException = _define("ValidationException")
SerializationException = _define("SerializationException")
UnknownOperationException = _define("UnknownOperationException")
MissingAuthenticationTokenException = _define("MissingAuthenticationTokenException", 403)
UnrecognizedClientException = _define("UnrecognizedClientException")
InvalidSignatureException = _define("InvalidSignatureException", 403)
AccessDeniedException = _define("AccessDeniedException", 400)

# --- query protocols (STS, IAM) front end ----------------------------------------------------
MissingAuthenticationToken = _define("MissingAuthenticationToken", 403)
InvalidClientTokenId = _define("InvalidClientTokenId", 403)
SignatureDoesNotMatch = _define("SignatureDoesNotMatch", 403)
InvalidAction = _define("InvalidAction")
MalformedQueryString = _define("MalformedQueryString", 404)
MissingParameter = _define("MissingParameter")
ValidationError = _define("ValidationError")

# --- STS -------------------------------------------------------------------------------------
AccessDenied = _define("AccessDenied", 403)
InvalidIdentityToken = _define("InvalidIdentityToken")
ExpiredTokenException = _define("ExpiredTokenException")
IDPRejectedClaim = _define("IDPRejectedClaim", 403)
IDPCommunicationError = _define("IDPCommunicationError")
MalformedPolicyDocument = _define("MalformedPolicyDocument")
PackedPolicyTooLarge = _define("PackedPolicyTooLarge")
RegionDisabledException = _define("RegionDisabledException", 403)
ExpiredToken = _define("ExpiredToken", 400)

# --- IAM -------------------------------------------------------------------------------------
NoSuchEntity = _define("NoSuchEntity", 404)
EntityAlreadyExists = _define("EntityAlreadyExists", 409)
InvalidInput = _define("InvalidInput")
LimitExceeded = _define("LimitExceeded", 409)
DeleteConflict = _define("DeleteConflict", 409)
ServiceFailure = _define("ServiceFailure", 500, "Receiver")

# Codes that mean "over a request-rate quota, try later" (cognito-identity, STS/IAM and EC2-style spellings); the
# clients retry them with backoff. Not LimitExceededException: in Cognito Identity it means a resource quota
# (1,000 pools per Region), which no retry can fix.
THROTTLING_CODES = frozenset({"TooManyRequestsException", "ThrottlingException", "Throttling", "RequestLimitExceeded"})


def error_for(code: str, message: str = "", *, status: int | None = None,
              request_id: str | None = None, notes: tuple[str, ...] = ()) -> AwsError:
    """Build the error instance for a code read off the wire (unknown codes keep their name)."""
    cls = _REGISTRY.get(code)
    if cls is None:
        return AwsError(message, code=code, status=status, request_id=request_id, notes=notes)
    return cls(message, status=status, request_id=request_id, notes=notes)
