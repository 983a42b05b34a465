"""Connection profiles: which backend cognito-desk talks to and where its credentials come from.

Owns the three profile kinds — :class:`LocalProfile` (the embedded service: data directory, region,
account id, request quotas; its admin key pair lives in the keyring), :class:`AwsProfile` (real AWS: a region and
either an AWS shared-config profile, keyring-stored keys or the environment) and
:class:`EndpointProfile` (any compatible URL, e.g. LocalStack or a moto server) — their conversion
from and to the plain dicts of the settings file, and their validation with messages that say which
field is wrong and how. Profiles carry no secrets: secrets are in :mod:`.secrets`.
"""

from __future__ import annotations

import re
from dataclasses import MISSING, dataclass, fields
from enum import StrEnum
from typing import Any, ClassVar
from urllib.parse import urlsplit

__all__ = [
    "AwsProfile",
    "ConnectionProfile",
    "CredentialSource",
    "EndpointProfile",
    "LocalProfile",
    "ProfileKind",
    "profile_from_dict",
    "profile_problems",
    "profile_to_dict",
]

_NAME = re.compile(r"[\w .@+=-]{1,64}")
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d{1,2}")
_ACCOUNT_ID = re.compile(r"\d{12}")
_AWS_PROFILE_NAME = re.compile(r"[^\s\[\]]{1,128}")
#: Keys that would put a secret in the settings file.
_SECRET_KEYS = frozenset({"secret_access_key", "aws_secret_access_key", "secret_key", "session_token",
                          "aws_session_token", "access_key_id", "aws_access_key_id", "password"})


class ProfileKind(StrEnum):
    LOCAL = "local"
    AWS = "aws"
    ENDPOINT = "endpoint"


class CredentialSource(StrEnum):
    AWS_PROFILE = "aws-profile"   # a named profile of ~/.aws/config (SSO, credential_process, assume-role…)
    KEYRING = "keyring"           # an access key pair entered in cognito-desk, kept in the OS keyring
    ENVIRONMENT = "environment"   # AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN


@dataclass(frozen=True)
class LocalProfile:
    name: str
    region: str = "us-east-1"
    account_id: str = "000000000000"
    #: Empty means the default, shared with ``cognito-desk serve``: ``paths.default_data_dir()``.
    data_dir: str = ""
    #: Request-rate quotas the embedded service enforces when this profile starts it, as ``serve --quotas``
    #: takes them: ``off``, ``aws`` (AWS's defaults) or the path of a TOML quota file.
    quotas: str = "off"
    #: A cognito-idp server standing in for the user pools (moto server, LocalStack): the sign-in and
    #: admin user-pool calls go there, and the embedded service this profile starts fetches user-pool
    #: keys from it. Empty: this connection has no user pools.
    user_pool_endpoint: str = ""

    kind: ClassVar[ProfileKind] = ProfileKind.LOCAL
    #: The embedded service's admin key pair is always in the keyring.
    credentials: ClassVar[CredentialSource] = CredentialSource.KEYRING


@dataclass(frozen=True)
class AwsProfile:
    name: str
    region: str = "us-east-1"
    credentials: CredentialSource = CredentialSource.AWS_PROFILE
    #: The AWS shared-config profile name when ``credentials`` is ``aws-profile``.
    aws_profile: str = "default"

    kind: ClassVar[ProfileKind] = ProfileKind.AWS


@dataclass(frozen=True)
class EndpointProfile:
    name: str
    url: str
    region: str = "us-east-1"
    credentials: CredentialSource = CredentialSource.KEYRING
    aws_profile: str = ""

    kind: ClassVar[ProfileKind] = ProfileKind.ENDPOINT


ConnectionProfile = LocalProfile | AwsProfile | EndpointProfile
_BY_KIND: dict[str, type[LocalProfile | AwsProfile | EndpointProfile]] = {
    ProfileKind.LOCAL: LocalProfile, ProfileKind.AWS: AwsProfile, ProfileKind.ENDPOINT: EndpointProfile,
}


def profile_to_dict(profile: ConnectionProfile) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": profile.kind.value}
    for field in fields(profile):
        value = getattr(profile, field.name)
        data[field.name] = value.value if isinstance(value, StrEnum) else value
    return data


def profile_from_dict(raw: Any, where: str) -> tuple[ConnectionProfile | None, list[str]]:
    """Build a profile from its settings-file dict; ``where`` prefixes problems (``profiles[2]``)."""
    if not isinstance(raw, dict):
        return None, [f"{where}: must be an object, not {type(raw).__name__}"]
    problems: list[str] = []
    kind = raw.get("kind")
    cls = _BY_KIND.get(kind) if isinstance(kind, str) else None
    if cls is None:
        return None, [f"{where}.kind: must be one of {', '.join(k.value for k in ProfileKind)}, not {kind!r}"]
    known = {field.name: field for field in fields(cls)}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key == "kind":
            continue
        if key in _SECRET_KEYS:
            problems.append(f"{where}.{key}: secrets are never kept in the settings file; "
                            "they belong in the OS keyring (remove this field)")
        elif key not in known:
            problems.append(f"{where}.{key}: unknown field for a {kind} profile")
        elif not isinstance(value, str):
            problems.append(f"{where}.{key}: must be a string, not {type(value).__name__}")
        elif key == "credentials":
            try:
                values[key] = CredentialSource(value)
            except ValueError:
                problems.append(f"{where}.credentials: must be one of "
                                f"{', '.join(c.value for c in CredentialSource)}, not {value!r}")
        else:
            values[key] = value
    missing = [name for name, field in known.items()
               if name not in raw and field.default is MISSING and field.default_factory is MISSING]
    problems += [f"{where}.{name}: is required for a {kind} profile" for name in missing]
    if problems:
        return None, problems
    profile = cls(**values)
    return profile, profile_problems(profile, where)


def profile_problems(profile: ConnectionProfile, where: str = "profile") -> list[str]:
    """Everything wrong with one profile, as ``<where>.<field>: <what to do>`` messages."""
    problems: list[str] = []
    if not _NAME.fullmatch(profile.name) or profile.name != profile.name.strip():
        problems.append(f"{where}.name: {profile.name!r} is not a valid profile name (1-64 letters, digits, "
                        "spaces or . @ + = - _, no leading/trailing space, no ':')")
    if not _REGION.fullmatch(profile.region):
        problems.append(f"{where}.region: {profile.region!r} is not an AWS region name "
                        "(expected something like us-east-1 or eu-central-2)")
    if isinstance(profile, LocalProfile):
        if not _ACCOUNT_ID.fullmatch(profile.account_id):
            problems.append(f"{where}.account_id: {profile.account_id!r} must be 12 digits")
        if profile.quotas not in ("off", "aws") and not profile.quotas.strip().endswith(".toml"):
            problems.append(f"{where}.quotas: {profile.quotas!r} must be off, aws (AWS's default request "
                            "quotas) or the path of a .toml quota file")
        url_problem = _url_problem(profile.user_pool_endpoint) if profile.user_pool_endpoint else None
        if url_problem:
            problems.append(f"{where}.user_pool_endpoint: {url_problem}")
        return problems
    if isinstance(profile, EndpointProfile):
        url_problem = _url_problem(profile.url)
        if url_problem:
            problems.append(f"{where}.url: {url_problem}")
    if profile.credentials is CredentialSource.AWS_PROFILE and not _AWS_PROFILE_NAME.fullmatch(
            profile.aws_profile):
        problems.append(f"{where}.aws_profile: name the AWS profile to use (credentials is 'aws-profile'), "
                        f"got {profile.aws_profile!r}")
    return problems


def _url_problem(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return f"{url!r} must start with http:// or https://"
    if not parts.hostname:
        return f"{url!r} has no host name"
    try:
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return f"{url!r} has an invalid port"
    if parts.username or parts.password:
        return f"{url!r} must not carry credentials; they belong in the keyring or an AWS profile"
    if parts.query or parts.fragment:
        return f"{url!r} must not have a query string or fragment"
    return None
