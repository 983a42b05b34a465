"""Fake Login with Amazon: ``GET /auth/o2/tokeninfo?access_token=`` and ``GET /user/profile`` (bearer token).

Unknown tokens get LWA's documented error shape: HTTP 400 with ``{"error": "invalid_token",
"error_description": …}``.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from . import FakeHttpServer


class FakeAmazon(FakeHttpServer):
    def __init__(self) -> None:
        super().__init__()
        self._tokens: dict[str, tuple[str, str, float]] = {}

    def issue_token(self, user_id: str, client_id: str, *, expires_in: int = 3600) -> str:
        token = "Atza|" + secrets.token_urlsafe(48)
        self._tokens[token] = (user_id, client_id, time.time() + expires_in)
        return token

    def endpoint_overrides(self) -> dict[str, str]:
        return {"www.amazon.com": self.url}

    def _lookup(self, token: str | None) -> tuple[str, str, float] | None:
        entry = self._tokens.get(token or "")
        return entry if entry and entry[2] > time.time() else None

    def answer(self, method: str, path: str, query: dict[str, str], headers: dict[str, str]) -> tuple[int, Any]:
        if path == "/auth/o2/tokeninfo":
            entry = self._lookup(query.get("access_token"))
            if entry is None:
                return 400, {"error": "invalid_token",
                             "error_description": "The request has an invalid parameter : access_token"}
            user_id, client_id, expires = entry
            return 200, {"iss": "https://www.amazon.com", "user_id": user_id, "aud": client_id,
                         "app_id": "amzn1.application." + client_id[-8:], "exp": int(expires - time.time()),
                         "iat": int(time.time())}
        if path == "/user/profile":
            scheme, _, token = headers.get("authorization", "").partition(" ")
            entry = self._lookup(token) if scheme.lower() == "bearer" else None
            if entry is None:
                return 400, {"error": "invalid_token", "error_description": "The access token is invalid"}
            return 200, {"user_id": entry[0], "name": "Test User", "email": "user@example.com"}
        return 404, {"error": "not_found"}
