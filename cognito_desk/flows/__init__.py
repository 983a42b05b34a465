"""Qt-free sign-in flows: provider logins through a small user-agent protocol, then the Cognito exchange.

Modules: :mod:`.agent` (the user-agent protocol), :mod:`.loopback` (the system browser's RFC 8252 listener),
:mod:`.oauth` / :mod:`.oidc` / :mod:`.saml` (provider logins), :mod:`.userpool` with :mod:`.srp` and
:mod:`.challenges` (user-pool sign-ins by username and password, and their challenges), :mod:`.cognito`
(the enhanced and basic exchange, developer and guest logins, GetCallerIdentity), :mod:`.prediction` (the
role the pool's configuration predicts), :mod:`.run` (one run and its result), :mod:`.timeline` (the calls of a run) and
:mod:`.clients` (saved provider client settings).
"""

from .agent import Arrival, ProviderError, UserAgent
from .clients import ProviderClient, ProviderClientsFile, ProviderKind
from .loopback import LoopbackListener, SystemBrowserAgent
from .run import Flow, RunFailure, RunRequest, RunResult, SignInRun

__all__ = [
    "Arrival",
    "Flow",
    "LoopbackListener",
    "ProviderClient",
    "ProviderClientsFile",
    "ProviderError",
    "ProviderKind",
    "RunFailure",
    "RunRequest",
    "RunResult",
    "SignInRun",
    "SystemBrowserAgent",
    "UserAgent",
]
