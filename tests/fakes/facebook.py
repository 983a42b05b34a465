"""Fake Facebook Graph API: ``GET /me?fields=id`` and ``GET /app`` for access tokens it issued.

Unknown tokens get the Graph API's documented error shape: HTTP 400 with
``{"error": {"message", "type": "OAuthException", "code": 190, "fbtrace_id"}}``.
"""

from __future__ import annotations

import secrets
from typing import Any

from . import FakeHttpServer


class FakeFacebook(FakeHttpServer):
    def __init__(self) -> None:
        super().__init__()
        self._tokens: dict[str, tuple[str, str]] = {}

    def issue_token(self, user_id: str, app_id: str) -> str:
        token = "EAA" + secrets.token_urlsafe(48)
        self._tokens[token] = (user_id, app_id)
        return token

    def endpoint_overrides(self) -> dict[str, str]:
        return {"graph.facebook.com": self.url}

    def answer(self, method: str, path: str, query: dict[str, str], headers: dict[str, str]) -> tuple[int, Any]:
        token = query.get("access_token")
        if token is None:
            return 400, _error("An active access token must be used to query information about the current user.",
                               2500)
        if token not in self._tokens:
            return 400, _error("Invalid OAuth access token - Cannot parse access token", 190)
        user_id, app_id = self._tokens[token]
        if path == "/me":
            fields = query.get("fields", "id,name").split(",")
            return 200, {k: v for k, v in {"id": user_id, "name": "Test User"}.items() if k in fields}
        if path == "/app":
            return 200, {"id": app_id, "name": "Test App", "link": f"https://www.facebook.com/games/?app_id={app_id}"}
        return 404, _error(f"Unknown path components: {path}", 2500)


def _error(message: str, code: int) -> dict:
    return {"error": {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AbCdEf"}}
