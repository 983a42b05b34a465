"""How a scenario answers a user pool's challenges: from its references, never from a person.

Owns :class:`ScenarioAnswers`, the :class:`~cognito_desk.flows.userpool.ChallengeAnswerer` of a
``user-pool-password`` scenario: ``NEW_PASSWORD_REQUIRED`` gets the ``new_password`` reference,
``SOFTWARE_TOKEN_MFA`` a code computed with ``pyotp`` from the ``totp_seed`` reference at the moment it is
asked, ``SELECT_MFA_TYPE`` the authenticator app when a seed is there. A challenge the scenario has nothing
for (an SMS or e-mail code, required attributes, a missing reference) stops the run with the challenge named.
The resolved values stay :class:`~cognito_desk.settings.Secret` until the answer is built.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..flows.challenges import (
    ANSWER,
    NEW_PASSWORD,
    NEW_PASSWORD_REQUIRED,
    SELECT_MFA_TYPE,
    SOFTWARE_TOKEN_MFA,
    Challenge,
    UnansweredChallenge,
)
from ..settings import Secret

__all__ = ["ScenarioAnswers"]


class ScenarioAnswers:
    def __init__(self, new_password: Secret | None = None, totp_seed: Secret | None = None) -> None:
        self._new_password = new_password
        self._totp_seed = totp_seed

    async def answer(self, challenge: Challenge) -> Mapping[str, str]:
        if challenge.name == NEW_PASSWORD_REQUIRED and self._new_password and not challenge.required_attributes:
            return {NEW_PASSWORD: self._new_password.reveal()}
        if challenge.name == SOFTWARE_TOKEN_MFA and self._totp_seed:
            import pyotp

            return {"SOFTWARE_TOKEN_MFA_CODE": pyotp.TOTP(self._totp_seed.reveal()).now()}
        if challenge.name == SELECT_MFA_TYPE and self._totp_seed and SOFTWARE_TOKEN_MFA in challenge.mfa_choices:
            return {ANSWER: SOFTWARE_TOKEN_MFA}
        raise UnansweredChallenge(f"The user pool asks for {challenge.name} and the scenario has nothing to answer "
                                  f"it with ({self._needs(challenge)}).", challenge.name)

    @staticmethod
    def _needs(challenge: Challenge) -> str:
        if challenge.name == NEW_PASSWORD_REQUIRED:
            if challenge.required_attributes:
                return f"it also requires {', '.join(challenge.required_attributes)}, which scenarios cannot give"
            return 'add new_password = "env:NAME" to [provider]'
        if challenge.name in (SOFTWARE_TOKEN_MFA, SELECT_MFA_TYPE):
            return 'add totp_seed = "keyring:NAME" to [provider]'
        return "a code sent by text message or e-mail cannot be read by a scenario"
