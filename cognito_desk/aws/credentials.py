"""Where the AWS credentials that sign admin calls come from.

Owns the :class:`CredentialsProvider` protocol (``await provider.get()`` → botocore
``ReadOnlyCredentials``) and its three sources: a key pair the user entered
(:class:`StaticCredentials`, read from the keyring by the caller), a named profile of the AWS shared
config/credentials files resolved by botocore — static keys, IAM Identity Center (SSO),
``credential_process`` and assume-role chains alike — (:class:`ProfileCredentials`), and the
``AWS_*`` environment variables (:class:`EnvironmentCredentials`). Botocore work that blocks (file
reads, running ``credential_process``, calling STS) runs in a worker thread so the UI loop never waits;
refreshable credentials are refreshed by botocore before they expire. Failures become
:class:`CredentialsError` naming the profile and the files looked at. No repr shows a secret.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol, runtime_checkable

import botocore.session
from botocore.credentials import Credentials, ReadOnlyCredentials, RefreshableCredentials
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ProfileNotFound,
    SSOTokenLoadError,
    UnauthorizedSSOTokenError,
)

from ..core import errors

__all__ = [
    "CredentialsError",
    "CredentialsProvider",
    "EnvironmentCredentials",
    "ProfileCredentials",
    "ProfileNotFoundError",
    "StaticCredentials",
    "list_profiles",
]


class CredentialsError(errors.CognitoDeskError):
    """Credentials could not be obtained; the message says from where and why."""


class ProfileNotFoundError(CredentialsError):
    """The named AWS profile is in none of the shared files."""


@runtime_checkable
class CredentialsProvider(Protocol):
    async def get(self) -> ReadOnlyCredentials:
        """Current credentials (access key, secret key, token), refreshed when needed."""
        ...


class StaticCredentials:
    """A key pair (and optional session token) the user entered."""

    def __init__(self, access_key_id: str, secret_access_key: str, session_token: str | None = None) -> None:
        if not access_key_id or not secret_access_key:
            raise CredentialsError("Both an access key id and a secret access key are needed.")
        self._credentials = ReadOnlyCredentials(access_key_id, secret_access_key, session_token or None)

    async def get(self) -> ReadOnlyCredentials:
        return self._credentials

    def __repr__(self) -> str:
        token = ", session_token='********'" if self._credentials.token else ""
        return (
            f"StaticCredentials(access_key_id={self._credentials.access_key!r}, "
            f"secret_access_key='********'{token})"
        )


class EnvironmentCredentials:
    """``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY`` / ``AWS_SESSION_TOKEN``, read at each call."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = os.environ if environ is None else environ

    async def get(self) -> ReadOnlyCredentials:
        access_key = self._environ.get("AWS_ACCESS_KEY_ID", "")
        secret_key = self._environ.get("AWS_SECRET_ACCESS_KEY", "")
        if not access_key or not secret_key:
            missing = [
                name
                for name, value in (("AWS_ACCESS_KEY_ID", access_key), ("AWS_SECRET_ACCESS_KEY", secret_key))
                if not value
            ]
            raise CredentialsError(
                f"No AWS credentials in the environment: {' and '.join(missing)} "
                f"{'is' if len(missing) == 1 else 'are'} not set."
            )
        return ReadOnlyCredentials(access_key, secret_key, self._environ.get("AWS_SESSION_TOKEN") or None)

    def __repr__(self) -> str:
        return "EnvironmentCredentials()"


class ProfileCredentials:
    """A named profile of the AWS shared config files, resolved by botocore.

    ``config_file`` / ``credentials_file`` override ``AWS_CONFIG_FILE`` /
    ``AWS_SHARED_CREDENTIALS_FILE`` (and the ``~/.aws`` defaults). After the first successful
    :meth:`get`, :attr:`method` names botocore's source (``shared-credentials-file``,
    ``config-file``, ``assume-role``, ``sso``, ``custom-process``…).
    """

    def __init__(
        self,
        profile: str,
        *,
        config_file: str | os.PathLike | None = None,
        credentials_file: str | os.PathLike | None = None,
    ) -> None:
        self.profile = profile
        self._session = _session(config_file, credentials_file, profile)
        self._credentials: Credentials | None = None
        self._lock = asyncio.Lock()

    @property
    def method(self) -> str | None:
        return self._credentials.method if self._credentials is not None else None

    @property
    def files(self) -> tuple[Path, Path]:
        """The config and credentials files botocore reads for this profile."""
        return _files(self._session)

    async def get(self) -> ReadOnlyCredentials:
        async with self._lock:
            if self._credentials is None:
                self._credentials = await asyncio.to_thread(self._resolve)
            credentials = self._credentials
            if isinstance(credentials, RefreshableCredentials) and credentials.refresh_needed():
                return await asyncio.to_thread(self._freeze, credentials)
            return self._freeze(credentials)

    def _resolve(self) -> Credentials:
        try:
            credentials = self._session.get_credentials()
        except ProfileNotFound:
            config, shared = self.files
            raise ProfileNotFoundError(
                f"AWS profile '{self.profile}' was not found in {config} or {shared}."
            ) from None
        except (BotoCoreError, ClientError) as exc:
            raise self._error(exc) from None
        if credentials is None:
            config, shared = self.files
            raise CredentialsError(
                f"AWS profile '{self.profile}' defines no credentials (looked in {config} and {shared}): "
                "add keys, sso_session, credential_process or role_arn + source_profile to it."
            )
        return credentials

    def _freeze(self, credentials: Credentials) -> ReadOnlyCredentials:
        try:
            return credentials.get_frozen_credentials()
        except (BotoCoreError, ClientError) as exc:
            raise self._error(exc) from None

    def _error(self, exc: Exception) -> CredentialsError:
        config, shared = self.files
        if isinstance(exc, (UnauthorizedSSOTokenError, SSOTokenLoadError)):
            return CredentialsError(
                f"AWS profile '{self.profile}' uses IAM Identity Center (SSO) and has no valid SSO session: "
                f"run `aws sso login --profile {self.profile}` and try again (profile read from {config})."
            )
        return CredentialsError(
            f"Could not get credentials for AWS profile '{self.profile}' (files {config}, {shared}): {exc}"
        )

    def __repr__(self) -> str:
        return f"ProfileCredentials(profile={self.profile!r})"


def list_profiles(
    config_file: str | os.PathLike | None = None, credentials_file: str | os.PathLike | None = None
) -> list[str]:
    """Names of the profiles in the shared config and credentials files, sorted (blocking: file reads)."""
    return sorted(_session(config_file, credentials_file).available_profiles)


def _session(
    config_file: str | os.PathLike | None,
    credentials_file: str | os.PathLike | None,
    profile: str | None = None,
) -> botocore.session.Session:
    session = botocore.session.Session(profile=profile)
    if config_file is not None:
        session.set_config_variable("config_file", os.fspath(config_file))
    if credentials_file is not None:
        session.set_config_variable("credentials_file", os.fspath(credentials_file))
    return session


def _files(session: botocore.session.Session) -> tuple[Path, Path]:
    return (
        Path(os.path.expanduser(session.get_config_variable("config_file"))),
        Path(os.path.expanduser(session.get_config_variable("credentials_file"))),
    )
