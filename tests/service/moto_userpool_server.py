"""moto server as the offline user pool, with the ID-token role claims real Cognito adds and moto 5.2 does not.

Run as a script (``python moto_userpool_server.py -H 127.0.0.1 -p PORT``; :func:`moto_server.running_moto_server`
does with ``user_pool=True``). Real Cognito puts ``cognito:roles`` (the IAM roles of the user's groups) and
``cognito:preferred_role`` in a user's ID token; moto's ``create_id_token`` only adds ``cognito:groups``. This
launcher extends moto's per-user extra claims in its own process, following AWS's documented group rule
(developer guide, "Adding groups to a user pool"): the preferred role is that of the group with the lowest
``Precedence`` (groups without one come last); when several groups share that lowest precedence with
different roles, ``cognito:preferred_role`` is not set. Nothing in cognito-desk is patched: the app and the
embedded service see a user-pool server whose tokens look like AWS's.
"""

from __future__ import annotations

import sys
from typing import Any

from moto.cognitoidp import models
from moto.server import main

_extra_claims = models.CognitoIdpUserPool.get_user_extra_data_by_client_id


def _rank(group: Any) -> float:
    return float("inf") if group.precedence is None else group.precedence


def _with_role_claims(self: Any, client_id: str, username: str) -> dict[str, Any]:
    claims = _extra_claims(self, client_id, username)
    groups = sorted(self._get_user(username).groups, key=_rank)
    with_roles = [group for group in groups if group.role_arn]
    if with_roles:
        claims["cognito:roles"] = list(dict.fromkeys(group.role_arn for group in with_roles))
        best = _rank(with_roles[0])
        tied = {group.role_arn for group in with_roles if _rank(group) == best}
        if len(tied) == 1:
            claims["cognito:preferred_role"] = tied.pop()
    return claims


models.CognitoIdpUserPool.get_user_extra_data_by_client_id = _with_role_claims

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
