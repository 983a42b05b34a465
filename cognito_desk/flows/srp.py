"""The client side of Cognito's ``USER_SRP_AUTH`` (SRP-6a): the public value ``SRP_A`` and the password proof.

The arithmetic is ``pycognito``'s (``pycognito.aws_srp``, a maintained port of the Amplify JS
``AuthenticationHelper``): its :class:`AWSSRP` computes ``A = g^a mod N`` and the HKDF key from the server's
``B`` and salt, and hashes ``SECRET_HASH``. Only its computations are used — no boto3 client is made or
called (a placeholder client that refuses every call is passed in); the requests themselves go through
the app's own async cognito-idp client. This module assembles the ``PASSWORD_VERIFIER`` answer: the
Cognito timestamp format and the HMAC-SHA256 signature over pool-id suffix, ``USER_ID_FOR_SRP``, the
server's secret block and the timestamp. pycognito is imported when a sign-in starts, not when the app does.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

__all__ = ["SrpProof", "secret_hash"]


class _NoBotoClient:
    """Stands in for the boto3 client pycognito would otherwise build: the calls are the app's own."""

    def __getattr__(self, name: str) -> Any:
        raise RuntimeError(f"pycognito tried to call cognito-idp {name} itself; the app makes the calls")


def secret_hash(username: str, client_id: str, client_secret: str) -> str:
    """``Base64(HMAC-SHA256(client secret, username + client id))``, as an app client with a secret requires."""
    from pycognito.aws_srp import AWSSRP

    return AWSSRP.get_secret_hash(username, client_id, client_secret)


class SrpProof:
    """One SRP exchange for ``username`` on ``pool_id``; ``small_a`` fixes the private value (tests only)."""

    def __init__(self, pool_id: str, client_id: str, username: str, password: str, *,
                 small_a: int | None = None) -> None:
        from pycognito.aws_srp import AWSSRP

        if "_" not in pool_id:
            raise ValueError(f"{pool_id!r} is not a user pool id (<region>_<id>)")
        self._srp = AWSSRP(username, password, pool_id, client_id, client=_NoBotoClient())
        if small_a is not None:
            self._srp.small_a_value = small_a
            self._srp.large_a_value = self._srp.calculate_a()
        self._pool_suffix = pool_id.split("_", 1)[1]
        self._password = password

    @property
    def srp_a(self) -> str:
        """The client's public value ``A`` in hex, for ``AuthParameters.SRP_A``."""
        from pycognito.aws_srp import long_to_hex

        return long_to_hex(self._srp.large_a_value)

    def answer(self, challenge: Mapping[str, str], now: datetime | None = None) -> dict[str, str]:
        """The ``PASSWORD_VERIFIER`` challenge responses (``USERNAME``, ``TIMESTAMP``, the claim and signature)."""
        from pycognito.aws_srp import AWSSRP, hex_to_long

        try:
            user_id, salt, server_b, secret_block = (challenge["USER_ID_FOR_SRP"], challenge["SALT"],
                                                     challenge["SRP_B"], challenge["SECRET_BLOCK"])
        except KeyError as exc:
            raise ValueError(f"the PASSWORD_VERIFIER challenge lacks {exc.args[0]}") from None
        timestamp = AWSSRP.get_cognito_formatted_timestamp(now or datetime.now(UTC))
        key = self._srp.get_password_authentication_key(user_id, self._password, hex_to_long(server_b), salt)
        message = (self._pool_suffix.encode() + user_id.encode() + base64.standard_b64decode(secret_block)
                   + timestamp.encode())
        signature = base64.standard_b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()
        return {"USERNAME": challenge.get("USERNAME", user_id), "TIMESTAMP": timestamp,
                "PASSWORD_CLAIM_SECRET_BLOCK": secret_block, "PASSWORD_CLAIM_SIGNATURE": signature}
