"""The Principal tags form of one pool and provider, and the session tags a login would carry under it.

Owns :class:`PrincipalTagMap` (``UseDefaults`` on/off or a custom tag → claim map; from a
``GetPrincipalTagAttributeMap`` answer, to a ``SetPrincipalTagAttributeMap`` request, with botocore's model
constraints checked by the service's own validator) and :func:`session_tags` — which tags a login's claims
produce: the provider's default tags (``client`` and ``username``, the keys this service uses) when
``UseDefaults`` is on, else each mapped claim's value (the first element of an array claim, JSON text for other
non-strings; absent claims give no tag) — :func:`cognito_desk.core.tags.session_tags`, the function the
embedded service uses (the preview tests compare the two on real sign-ins).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from cognito_desk.admin.rules import Problem, validator
from cognito_desk.core import errors
from cognito_desk.core.tags import session_tags as core_session_tags


@dataclass
class PrincipalTagMap:
    """What ``SetPrincipalTagAttributeMap`` stores for one provider of a pool."""

    provider: str
    use_defaults: bool = False
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        """Whether logins of this provider get any session tags at all."""
        return self.use_defaults or bool(self.tags)

    @classmethod
    def from_api(cls, answer: Mapping) -> PrincipalTagMap:
        return cls(answer["IdentityProviderName"], bool(answer.get("UseDefaults")),
                   dict(answer.get("PrincipalTags") or {}))

    def to_request(self, pool_id: str) -> dict:
        return {"IdentityPoolId": pool_id, "IdentityProviderName": self.provider, "UseDefaults": self.use_defaults,
                "PrincipalTags": dict(self.tags)}

    def problems(self, pool_id: str) -> list[Problem]:
        try:
            validator().validate("SetPrincipalTagAttributeMap", self.to_request(pool_id))
        except errors.AwsError as exc:
            return [Problem(exc.code, exc.message)]
        return []


def session_tags(tag_map: PrincipalTagMap | None, claims: Mapping[str, object],
                 default_tags: Mapping[str, str]) -> dict[str, str]:
    """The session tags a login with ``claims`` gets under ``tag_map`` (None: the provider has no map)."""
    if tag_map is None:
        return {}
    return core_session_tags(tag_map.use_defaults, tag_map.tags, claims, default_tags)
