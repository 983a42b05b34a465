"""The challenges a user pool sets during ``InitiateAuth``, as forms: what each asks for and the answer it takes.

Owns :class:`Challenge` (the name and parameters ``InitiateAuth`` / ``RespondToAuthChallenge`` returned),
its :meth:`~Challenge.fields` (a new password and the required attributes the pool lists for
``NEW_PASSWORD_REQUIRED``; a code for ``SOFTWARE_TOKEN_MFA``, ``SMS_MFA`` and ``EMAIL_OTP``; the MFA type to
use for ``SELECT_MFA_TYPE``), :meth:`~Challenge.problems` (what is still missing from typed values) and
:meth:`~Challenge.responses` (the ``ChallengeResponses`` map, ``USERNAME`` included). The tester's challenge
widgets and the scenario runner answer through this one model; a challenge not listed in
:data:`ANSWERABLE` is named by :class:`UnansweredChallenge`, never skipped.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from .agent import ProviderError

__all__ = ["ANSWERABLE", "Challenge", "ChallengeField", "UnansweredChallenge"]

NEW_PASSWORD_REQUIRED = "NEW_PASSWORD_REQUIRED"
SOFTWARE_TOKEN_MFA = "SOFTWARE_TOKEN_MFA"
SMS_MFA = "SMS_MFA"
EMAIL_OTP = "EMAIL_OTP"
SELECT_MFA_TYPE = "SELECT_MFA_TYPE"
PASSWORD_VERIFIER = "PASSWORD_VERIFIER"
#: Challenges a person (or a scenario) answers; PASSWORD_VERIFIER is answered by the SRP client itself.
ANSWERABLE = (NEW_PASSWORD_REQUIRED, SOFTWARE_TOKEN_MFA, SMS_MFA, EMAIL_OTP, SELECT_MFA_TYPE)
CODE_CHALLENGES = {SOFTWARE_TOKEN_MFA: "SOFTWARE_TOKEN_MFA_CODE", SMS_MFA: "SMS_MFA_CODE",
                   EMAIL_OTP: "EMAIL_OTP_CODE"}
NEW_PASSWORD = "NEW_PASSWORD"
ANSWER = "ANSWER"
ATTRIBUTE_PREFIX = "userAttributes."
MFA_TYPES = (SOFTWARE_TOKEN_MFA, SMS_MFA, EMAIL_OTP)


class UnansweredChallenge(ProviderError):
    """The user pool set a challenge this run cannot answer (unknown to the app, or nobody to answer it)."""

    def __init__(self, message: str, challenge: str) -> None:
        super().__init__(message, error=challenge)
        self.challenge = challenge


@dataclass(frozen=True)
class ChallengeField:
    """One value a challenge asks for: ``key`` as in the responses, a label, masked or not, fixed choices."""

    key: str
    label: str
    secret: bool = False
    choices: tuple[str, ...] = ()


def _json_list(raw: str | None) -> tuple[str, ...]:
    try:
        value = json.loads(raw) if raw else []
    except ValueError:
        return ()
    return tuple(str(item) for item in value) if isinstance(value, list) else ()


@dataclass(frozen=True)
class Challenge:
    name: str
    parameters: Mapping[str, str] = field(default_factory=dict)
    #: The username the sign-in started with (``USERNAME`` in the parameters wins).
    username: str = ""

    @property
    def answerable(self) -> bool:
        return self.name in ANSWERABLE

    @property
    def user(self) -> str:
        """The ``USERNAME`` the responses must carry (the pool's own name for the user when it sent one)."""
        return str(self.parameters.get("USERNAME") or self.parameters.get("USER_ID_FOR_SRP") or self.username)

    @property
    def required_attributes(self) -> tuple[str, ...]:
        """NEW_PASSWORD_REQUIRED: the attributes the pool requires and the user has not set (names, no prefix)."""
        return tuple(name.removeprefix(ATTRIBUTE_PREFIX)
                     for name in _json_list(self.parameters.get("requiredAttributes")))

    @property
    def mfa_choices(self) -> tuple[str, ...]:
        """SELECT_MFA_TYPE: the MFA types the user may choose between."""
        return _json_list(self.parameters.get("MFAS_CAN_CHOOSE")) or MFA_TYPES

    @property
    def destination(self) -> str:
        """Where an SMS or e-mail code went (masked by the pool), when it says."""
        return str(self.parameters.get("CODE_DELIVERY_DESTINATION", ""))

    def describe(self) -> str:
        """One sentence for the screen: what the pool is asking for."""
        if self.name == NEW_PASSWORD_REQUIRED:
            extra = f" and {', '.join(self.required_attributes)}" if self.required_attributes else ""
            return f"The user must choose a new password{extra} before signing in."
        if self.name == SOFTWARE_TOKEN_MFA:
            return "Enter the 6-digit code from the user's authenticator app."
        if self.name in (SMS_MFA, EMAIL_OTP):
            where = f" sent to {self.destination}" if self.destination else ""
            return f"Enter the code{where} ({'text message' if self.name == SMS_MFA else 'e-mail'})."
        if self.name == SELECT_MFA_TYPE:
            return "Choose how the user proves a second factor."
        return f"The user pool set the challenge {self.name}, which cognito-desk cannot answer."

    def fields(self) -> list[ChallengeField]:
        if self.name == NEW_PASSWORD_REQUIRED:
            return [ChallengeField(NEW_PASSWORD, "New password", secret=True),
                    *(ChallengeField(ATTRIBUTE_PREFIX + name, name) for name in self.required_attributes)]
        if self.name in CODE_CHALLENGES:
            return [ChallengeField(CODE_CHALLENGES[self.name], "Code")]
        if self.name == SELECT_MFA_TYPE:
            return [ChallengeField(ANSWER, "Second factor", choices=self.mfa_choices)]
        return []

    def problems(self, values: Mapping[str, str]) -> list[str]:
        """What keeps ``values`` from answering this challenge, one sentence each."""
        if not self.answerable:
            return [self.describe()]
        found = [f"{f.label} is missing." for f in self.fields() if not str(values.get(f.key, "")).strip()]
        code_key = CODE_CHALLENGES.get(self.name)
        code = str(values.get(code_key, "")).strip() if code_key else ""
        if code and not code.isdigit():
            found.append("The code is digits only.")
        if self.name == SELECT_MFA_TYPE and values.get(ANSWER) and values[ANSWER] not in self.mfa_choices:
            found.append(f"{values[ANSWER]} is not one of {', '.join(self.mfa_choices)}.")
        return found

    def responses(self, values: Mapping[str, str]) -> dict[str, str]:
        """The ``ChallengeResponses`` for ``values`` (raises ValueError listing :meth:`problems`)."""
        problems = self.problems(values)
        if problems:
            raise ValueError(" ".join(problems))
        answer = {f.key: str(values[f.key]).strip() if not f.secret else str(values[f.key]) for f in self.fields()}
        return {"USERNAME": self.user, **answer}
