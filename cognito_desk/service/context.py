"""What a request handler is given: the service's settings, its store and the caller.

``ServiceSettings`` is the one configuration object of a service instance (built by
``cli.py serve`` or by the GUI's composition root). ``RequestContext`` is made per request by
``app.py`` and handed to every operation handler; handlers add their decision notes to
``ctx.log_notes`` so that the request log line can say, for example, which role was chosen.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .limits import Limits
from .quotas import QuotaTable

if TYPE_CHECKING:
    from .keys import TokenKeys
    from .store import Store


@dataclass(frozen=True)
class ServiceSettings:
    region: str = "us-east-1"
    account_id: str = "000000000000"
    #: Admin key pair; ``secret_access_key`` is never logged.
    access_key_id: str = ""
    secret_access_key: str = field(default="", repr=False)
    #: Base URL of the listening socket; set once the port is known.
    base_url: str = "http://127.0.0.1"
    #: The URL clients reach the service at when it is behind a proxy (``--public-url``): the discovery
    #: document's ``jwks_uri`` is built from it (else from ``base_url``), never from a request's Host header.
    public_url: str | None = None
    #: Send the decision notes header (``x-cognito-desk-notes``) at all; ``cognito-desk serve`` turns it off on
    #: a non-loopback interface unless ``--notes`` is given.
    notes: bool = True
    #: Web origins besides loopback ones that may read the notes header cross-origin (``--cors-origin``).
    cors_origins: tuple[str, ...] = ()
    #: Seconds between purges of expired credentials while the service runs.
    purge_interval: float = 300.0
    #: Request size, time and connection limits (``limits.py``).
    limits: Limits = field(default_factory=lambda: Limits())
    #: Request-rate quotas of the cognito-identity operations (``quotas.py``); None: not limited.
    quotas: QuotaTable | None = None
    #: Answer with the Smithy model's status codes (403/404/409/429) instead of AWS's observed 400.
    model_status_codes: bool = False
    #: The clock (tests may move it).
    clock: Callable[[], float] = time.time
    #: Base-URL overrides for internet identity providers (Google, Facebook, Amazon, Apple, user
    #: pools), so tests and offline labs can point them at local servers; see providers/.
    provider_endpoints: Mapping[str, str] = field(default_factory=dict)

    @property
    def partition(self) -> str:
        if self.region.startswith("cn-"):
            return "aws-cn"
        if self.region.startswith("us-gov-"):
            return "aws-us-gov"
        return "aws"


@dataclass
class Principal:
    """Who signed a request: the admin key, or temporary credentials this service vended."""

    access_key_id: str
    arn: str
    is_admin: bool
    credentials: dict | None = None


@dataclass
class RequestContext:
    settings: ServiceSettings
    store: Store
    keys: TokenKeys
    request_id: str
    principal: Principal | None = None
    #: The operation name once known (query.py sets it for STS/IAM actions).
    operation: str | None = None
    #: Token validation for external identity providers (``providers.ProviderVerifier``).
    providers: Any = None
    log_notes: list[str] = field(default_factory=list)

    def now(self) -> float:
        return self.settings.clock()
