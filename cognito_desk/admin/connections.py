"""The connection dialogs' logic without Qt: a form's state, its checks, and what saving or removing it does.

Owns :class:`ConnectionForm` (what the Add/Edit connection dialog holds for a Local, AWS or Custom endpoint
profile, secrets included as :class:`~cognito_desk.settings.Secret`), :func:`form_problems` (one message per
field, built on :func:`~cognito_desk.settings.profiles.profile_problems` plus the names, keys and AWS profiles
only a form knows about), :func:`plan_save` / :func:`apply_save` (the new settings and which keyring entries
to write or delete — renames and credential changes never leave stale secrets), :func:`remove_connection`
and :func:`copy_name` (remove / duplicate), the region lists from botocore's endpoint data, AWS profile
discovery and the IAM Identity Center (SSO) check whose failure names the exact ``aws sso login`` command
(:func:`check_connection`). :class:`SessionFallbackSecrets` is the app's secret store when the OS keyring is
missing: the keyring first, or memory for this session only when the user chose that.
"""

from __future__ import annotations

import asyncio
import os
import shlex
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

import botocore.session

from ..aws.credentials import CredentialsError, list_profiles
from ..backend import ConnectionReport, LocalServices, open_connection
from ..core import errors
from ..settings import (
    AwsProfile,
    ConnectionProfile,
    CredentialSource,
    EndpointProfile,
    KeyringUnavailable,
    LocalProfile,
    ProfileKind,
    Secret,
    SecretField,
    SecretStore,
    SessionSecrets,
    Settings,
    SettingsFile,
    default_data_dir,
)
from ..settings.profiles import profile_problems

__all__ = [
    "ConnectionForm", "RemovalRefused", "SavePlan", "SessionFallbackSecrets", "SsoLoginRequired", "apply_save",
    "aws_profiles", "check_connection", "connection_to_open", "copy_name", "default_data_dir_hint",
    "form_for_profile", "form_problems", "form_profile", "is_sso_profile",
    "plan_save", "regions", "remove_connection", "sso_login_command", "stored_secrets", "with_session_fallback",
]

_KEY_FIELDS = (SecretField.ACCESS_KEY_ID, SecretField.SECRET_ACCESS_KEY, SecretField.SESSION_TOKEN)
_NO_SECRET = Secret("")


class RemovalRefused(errors.CognitoDeskError):
    """A connection cannot be removed (it is the last one, or unknown)."""


class SsoLoginRequired(CredentialsError):
    """An AWS profile signs through IAM Identity Center and has no valid SSO session; ``command`` fixes it."""

    def __init__(self, aws_profile: str, cause: str) -> None:
        self.aws_profile = aws_profile
        self.command = sso_login_command(aws_profile)
        #: What botocore said, for the record (the message says what to do).
        self.cause = cause
        super().__init__(f"The IAM Identity Center (SSO) session of AWS profile '{aws_profile}' is missing or "
                         f"expired: run `{self.command}` in a terminal, then test again.")


@dataclass(frozen=True)
class ConnectionForm:
    """Everything the connection dialog edits; ``original`` is the edited profile's name (None: a new one)."""

    kind: ProfileKind = ProfileKind.ENDPOINT
    name: str = ""
    region: str = "us-east-1"
    url: str = ""
    credentials: CredentialSource = CredentialSource.KEYRING
    aws_profile: str = ""
    account_id: str = "000000000000"
    data_dir: str = ""
    quotas: str = "off"
    #: Local: a cognito-idp server (moto server) standing in for the user pools; empty for none.
    user_pool_endpoint: str = ""
    access_key_id: str = ""
    secret_access_key: Secret = field(default=_NO_SECRET)
    session_token: Secret = field(default=_NO_SECRET)
    original: str | None = None

    @property
    def uses_keys(self) -> bool:
        """True when the form's profile signs with an access key pair kept in the keyring."""
        return self.kind is not ProfileKind.LOCAL and self.credentials is CredentialSource.KEYRING

    @property
    def uses_aws_profile(self) -> bool:
        return self.kind is not ProfileKind.LOCAL and self.credentials is CredentialSource.AWS_PROFILE

    def with_secrets(self, values: dict[SecretField, Secret]) -> ConnectionForm:
        return replace(self, access_key_id=values[SecretField.ACCESS_KEY_ID].reveal()
                       if values.get(SecretField.ACCESS_KEY_ID) else "",
                       secret_access_key=values.get(SecretField.SECRET_ACCESS_KEY) or _NO_SECRET,
                       session_token=values.get(SecretField.SESSION_TOKEN) or _NO_SECRET)

    def secrets(self) -> dict[SecretField, Secret]:
        """The secrets this form would store (none unless it signs with keyring keys; empty ones left out)."""
        if not self.uses_keys:
            return {}
        values = {SecretField.ACCESS_KEY_ID: Secret(self.access_key_id.strip()),
                  SecretField.SECRET_ACCESS_KEY: self.secret_access_key, SecretField.SESSION_TOKEN: self.session_token}
        return {name: value for name, value in values.items() if value}


def form_for_profile(profile: ConnectionProfile, *, original: str | None = None) -> ConnectionForm:
    """The form showing ``profile`` (secrets not loaded: see :func:`stored_secrets`)."""
    form = ConnectionForm(kind=profile.kind, name=profile.name, region=profile.region, original=original)
    if isinstance(profile, LocalProfile):
        return replace(form, account_id=profile.account_id, data_dir=profile.data_dir, quotas=profile.quotas,
                       user_pool_endpoint=profile.user_pool_endpoint)
    form = replace(form, credentials=profile.credentials, aws_profile=profile.aws_profile)
    return replace(form, url=profile.url) if isinstance(profile, EndpointProfile) else form


def form_profile(form: ConnectionForm) -> ConnectionProfile:
    """The profile the form describes (not checked: see :func:`form_problems`)."""
    name, region = form.name.strip(), form.region.strip()
    if form.kind is ProfileKind.LOCAL:
        return LocalProfile(name, region, form.account_id.strip(), form.data_dir.strip(), form.quotas.strip(),
                            form.user_pool_endpoint.strip())
    aws_profile = form.aws_profile.strip() if form.uses_aws_profile else ""
    if form.kind is ProfileKind.AWS:
        return AwsProfile(name, region, form.credentials, aws_profile)
    return EndpointProfile(name, form.url.strip(), region, form.credentials, aws_profile)


def form_problems(form: ConnectionForm, settings: Settings, *,
                  known_aws_profiles: list[str] | None = None) -> dict[str, str]:
    """Field name → what is wrong with it and how to fix it; empty when the form can be saved."""
    problems: dict[str, str] = {}
    for message in profile_problems(form_profile(form), "profile"):
        where, _, text = message.partition(": ")
        problems.setdefault(where.removeprefix("profile."), text)
    name = form.name.strip()
    if not name:
        problems["name"] = "Enter a name for this connection."
    elif any(p.name.casefold() == name.casefold() and p.name != form.original for p in settings.profiles):
        problems["name"] = f"There is already a connection named {name!r}; choose another name."
    if not form.region.strip():
        problems["region"] = "Choose the region to sign requests for."
    elif form.kind is ProfileKind.AWS and "region" not in problems and form.region.strip() not in regions(True):
        problems["region"] = (f"{form.region.strip()!r} is not a region where Amazon Cognito Identity is offered "
                              "(botocore's endpoint data); pick one from the list.")
    if form.kind is ProfileKind.ENDPOINT and not form.url.strip():
        problems["url"] = "Enter the endpoint URL, e.g. http://127.0.0.1:5000 for a moto server."
    if form.kind is ProfileKind.LOCAL and form.data_dir.strip():
        path = Path(form.data_dir.strip()).expanduser()
        if not path.is_absolute():
            problems["data_dir"] = f"{form.data_dir.strip()!r} must be an absolute path (or empty for the default)."
        elif path.exists() and not path.is_dir():
            problems["data_dir"] = f"{str(path)!r} is a file, not a directory."
    if form.uses_aws_profile:
        wanted = form.aws_profile.strip()
        if not wanted:
            problems["aws_profile"] = "Choose the AWS profile (from ~/.aws/config) to sign with."
        elif known_aws_profiles is not None and wanted not in known_aws_profiles:
            problems["aws_profile"] = (f"There is no AWS profile {wanted!r} in the AWS config or credentials file "
                                       f"(found: {', '.join(known_aws_profiles) or 'none'}).")
    if form.uses_keys:
        problems.update(_key_problems(form))
    return problems


def _key_problems(form: ConnectionForm) -> dict[str, str]:
    problems: dict[str, str] = {}
    key = form.access_key_id.strip()
    shape = _iam_shape("accessKeyIdType")
    if not key:
        problems["access_key_id"] = "Enter the access key ID this connection signs with."
    elif not (shape["min"] <= len(key) <= shape["max"]) or not all(c.isalnum() or c == "_" for c in key):
        problems["access_key_id"] = (f"An access key ID is {shape['min']}-{shape['max']} letters, digits or _ "
                                     f"(IAM's {shape['pattern']}); this one has {len(key)} characters.")
    if not form.secret_access_key:
        problems["secret_access_key"] = "Enter the secret access key that goes with the access key ID."
    elif any(c.isspace() for c in form.secret_access_key.reveal()):
        problems["secret_access_key"] = "The secret access key contains spaces or line breaks; paste it again."
    return problems


@cache
def _iam_shape(name: str) -> dict:
    return dict(botocore.session.get_session().get_service_model("iam").shape_for(name).metadata)


@cache
def regions(cognito_only: bool) -> tuple[str, ...]:
    """Region names from botocore's endpoint data: where Cognito Identity is offered, or every known one."""
    session = botocore.session.get_session()
    names: set[str] = set()
    for partition in ("aws", "aws-cn", "aws-us-gov"):
        if cognito_only:
            names.update(session.get_available_regions("cognito-identity", partition))
        else:
            data = session.get_component("data_loader").load_data("endpoints")
            names.update(*(p["regions"] for p in data["partitions"] if p["partition"] == partition))
    return tuple(sorted(r for r in names if not profile_problems(LocalProfile("r", r))))


def aws_profiles() -> list[str]:
    """The AWS CLI's profile names (``AWS_CONFIG_FILE`` / ``AWS_SHARED_CREDENTIALS_FILE`` honoured; blocking)."""
    return list_profiles()


def is_sso_profile(aws_profile: str) -> bool:
    """True when the AWS profile signs through IAM Identity Center (blocking: reads the config file)."""
    config = botocore.session.Session().full_config.get("profiles", {}).get(aws_profile, {})
    return bool(config.get("sso_session") or config.get("sso_start_url"))


def sso_login_command(aws_profile: str) -> str:
    return f"aws sso login --profile {shlex.quote(aws_profile)}"


async def check_connection(profile: ConnectionProfile, secrets: SecretStore, local: LocalServices) -> ConnectionReport:
    """Open ``profile`` on its own HTTP client, ask STS who it signs as, close it again."""
    try:
        connection = await open_connection(profile, secrets, local)
        try:
            return await connection.test()
        finally:
            await connection.aclose()
    except CredentialsError as exc:
        if isinstance(profile, (AwsProfile, EndpointProfile)) and profile.credentials is \
                CredentialSource.AWS_PROFILE and await asyncio.to_thread(is_sso_profile, profile.aws_profile):
            raise SsoLoginRequired(profile.aws_profile, str(exc)) from None
        raise


def stored_secrets(store: SecretStore, profile: str) -> dict[SecretField, Secret]:
    """The access key pair (and token) kept for ``profile`` (blocking: the keyring)."""
    found = {name: store.get(profile, name) for name in _KEY_FIELDS}
    return {name: value for name, value in found.items() if value}


@dataclass(frozen=True)
class SavePlan:
    """What saving a form changes: the whole new settings, the secrets to write and the ones to delete."""

    settings: Settings
    profile: ConnectionProfile
    write: dict[SecretField, Secret]
    #: (profile name, field) pairs whose stored secret becomes stale.
    delete: tuple[tuple[str, SecretField], ...]


def plan_save(form: ConnectionForm, settings: Settings) -> SavePlan:
    """The settings after saving ``form`` (a rename keeps the position and the active choice)."""
    profile = form_profile(form)
    if form.original is None:
        new = replace(settings, profiles=(*settings.profiles, profile))
    else:
        new = replace(settings, profiles=tuple(profile if p.name == form.original else p for p in settings.profiles),
                      active_profile=profile.name if settings.active_profile == form.original
                      else settings.active_profile)
    write = form.secrets()
    stale = [(profile.name, name) for name in _KEY_FIELDS if name not in write]
    if form.original is not None and form.original != profile.name:
        stale += [(form.original, name) for name in _KEY_FIELDS]
    return SavePlan(new, profile, write, tuple(stale))


def apply_save(plan: SavePlan, settings_file: SettingsFile, target: SecretStore, everywhere: SecretStore) -> Settings:
    """Write the secrets into ``target``, then the settings file, then drop stale secrets (blocking).

    A failure while writing secrets (``KeyringUnavailable``) leaves the settings file untouched.
    """
    for name, value in plan.write.items():
        target.set(plan.profile.name, name, value)
    settings_file.save(plan.settings)
    _forget(everywhere, plan.delete)
    return plan.settings


def remove_connection(settings: Settings, name: str, settings_file: SettingsFile, secrets: SecretStore) -> Settings:
    """Remove the connection ``name`` and its secrets (blocking); the last connection cannot go."""
    if all(p.name != name for p in settings.profiles):
        raise RemovalRefused(f"There is no connection named {name!r}.")
    if len(settings.profiles) == 1:
        raise RemovalRefused(f"{name!r} is the only connection; add another one before removing it.")
    left = tuple(p for p in settings.profiles if p.name != name)
    active = settings.active_profile if settings.active_profile != name else left[0].name
    new = Settings(left, active)
    settings_file.save(new)
    _forget(secrets, tuple((name, field_) for field_ in _KEY_FIELDS))
    return new


def _forget(store: SecretStore, entries: tuple[tuple[str, SecretField], ...]) -> None:
    for profile, name in entries:
        try:
            store.delete(profile, name)
        except KeyringUnavailable:
            continue  # nothing can be read from a keyring that cannot be opened either


def copy_name(settings: Settings, name: str) -> str:
    """A free name for a duplicate of ``name``: ``<name> copy``, ``<name> copy 2``…"""
    taken = {p.name.casefold() for p in settings.profiles}
    for number in range(1, 1000):
        suffix = " copy" if number == 1 else f" copy {number}"
        candidate = name[:64 - len(suffix)].rstrip() + suffix
        if candidate.casefold() not in taken:
            return candidate
    raise RemovalRefused(f"Too many copies of {name!r}.")


class SessionFallbackSecrets:
    """The app's secret store: ``keyring`` first, plus what the user chose to keep for this session only."""

    def __init__(self, keyring: SecretStore) -> None:
        self.keyring = keyring
        self.session = SessionSecrets()
        self.persistent = keyring.persistent

    def check(self) -> None:
        """Raise :class:`KeyringUnavailable` when the keyring cannot keep secrets (blocking)."""
        check = getattr(self.keyring, "check", None)
        if check is not None:
            check()

    def get(self, profile: str, field: SecretField) -> Secret | None:
        if any(self.session.get(profile, name) for name in SecretField):
            return self.session.get(profile, field)  # kept for this session: the keyring is not asked
        return self.keyring.get(profile, field)

    def set(self, profile: str, field: SecretField, value: Secret) -> None:
        self.keyring.set(profile, field, value)
        self.session.delete(profile, field)

    def delete(self, profile: str, field: SecretField) -> None:
        self.session.delete(profile, field)
        self.keyring.delete(profile, field)

    def __repr__(self) -> str:
        return f"SessionFallbackSecrets({self.keyring!r}, {self.session!r})"


def with_session_fallback(store: SecretStore) -> SessionFallbackSecrets:
    return store if isinstance(store, SessionFallbackSecrets) else SessionFallbackSecrets(store)


def default_data_dir_hint() -> str:
    """Where a Local profile with no data directory of its own keeps its data (shared with ``serve``)."""
    return os.fspath(default_data_dir())


def connection_to_open(current: str | None, saved: str, original: str | None) -> str | None:
    """After a save, the connection the window should (re)open: a new one, or the open one that was edited."""
    return saved if original is None or original == current else None
