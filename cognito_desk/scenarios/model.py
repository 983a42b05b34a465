"""The scenario file: one login to replay and what must hold afterwards, as a small reviewable TOML document.

Owns :class:`Scenario` (name, persona, connection by profile name or endpoint, pool, flow, the provider
client settings inline, the login-page :class:`Step` list and the :class:`Expectations`), :func:`load_scenario`
/ :func:`parse_scenario` (TOML through the standard library's ``tomllib``; every mistake raised as
:class:`ScenarioError` naming the file and the key) and :func:`dump_scenario` (the same format written back,
for "Save as scenario"). Secrets are references only (``env:NAME`` / ``keyring:NAME``, see
:mod:`.references`): a literal password or token is refused when the file is read. The schema::

    version = 1
    name = "alice gets the QA role"
    persona = "alice"                 # whose identity "same" / "new" compares with
    pool_id = "us-east-1:…"
    flow = "enhanced"                 # or "basic"
    custom_role_arn = ""              # optional CustomRoleArn

    [connection]                      # a profile of settings.json, or an endpoint (CI); the command line wins
    profile = "Local"
    # endpoint = "http://127.0.0.1:7766"
    # region = "us-east-1"

    [provider]                        # the provider client (flows.clients.ProviderClient fields)
    name = "corp"
    kind = "oidc"
    issuer = "http://127.0.0.1:4000"
    client_id = "qa-desk"
    scopes = ["openid", "email", "profile"]
    # client_secret = "env:QA_CLIENT_SECRET"

    # kind = "user-pool-password"     # a user pool's InitiateAuth instead of a login page (no [[steps]]):
    # user_pool_id = "us-east-1_AbC123"; client_id = "<app client>"; auth_flow = "srp"  # or "password"
    # username = "alice"; password = "env:ALICE_PASSWORD"
    # totp_seed = "keyring:alice-totp"    # optional: SOFTWARE_TOKEN_MFA codes computed from it
    # new_password = "env:NEW_PW"         # optional: the answer to NEW_PASSWORD_REQUIRED

    [[steps]]                         # the provider's login page: fill / click / wait_for / wait_url
    fill = "input[name=login]"
    value = "alice"
    [[steps]]
    fill = "input[name=password]"
    value = "env:ALICE_PASSWORD"
    [[steps]]
    click = "button[type=submit]"
    timeout = 10                      # seconds, per step (default 15)

    [expect]
    outcome = "success"               # or an AWS error code, e.g. "NotAuthorizedException"
    role_arn = "arn:aws:iam::000000000000:role/qa"
    identity = "same"                 # "same" as the persona's previous run (a first run is the baseline), or "new"
    credentials_valid_minutes = 30
    claims = ["email", "department"]
    max_duration_seconds = 20
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from ..core import errors
from ..flows.clients import ProviderClient, ProviderClientsError, ProviderKind
from ..flows.run import Flow
from ..settings.documents import DocumentError, check_nesting, read_document_text, too_deep
from .references import ReferenceError, check_not_literal, is_reference

__all__ = ["Expectations", "Scenario", "ScenarioError", "Step", "dump_scenario", "load_scenario",
           "parse_scenario"]

VERSION = 1
DEFAULT_STEP_TIMEOUT = 15.0
STEP_ACTIONS = ("fill", "click", "wait_for", "wait_url")
IDENTITY_CHOICES = ("same", "new")
_PROVIDER_FIELDS = {f.name for f in fields(ProviderClient)} - {"connection"}
#: The secrets of a user-pool-password provider: references only (``env:`` / ``keyring:``).
USER_POOL_REFERENCES = ("password", "totp_seed", "new_password")


class ScenarioError(errors.CognitoDeskError):
    """A scenario file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Step:
    """One action on the provider's login page. ``target`` is a CSS selector, or for ``wait_url`` a URL prefix."""

    action: str
    target: str
    value: str = ""
    timeout: float = DEFAULT_STEP_TIMEOUT

    def describe(self) -> str:
        what = {"fill": "fill {0!r}", "click": "click {0!r}", "wait_for": "wait for selector {0!r}",
                "wait_url": "wait for URL {0!r}"}[self.action].format(self.target)
        return what + (f" with {self.value}" if self.action == "fill" and is_reference(self.value) else "")


@dataclass(frozen=True)
class Expectations:
    outcome: str = "success"
    role_arn: str = ""
    identity: str = ""
    credentials_valid_minutes: float | None = None
    claims: tuple[str, ...] = ()
    max_duration_seconds: float | None = None


@dataclass(frozen=True)
class Scenario:
    name: str
    pool_id: str
    provider: ProviderClient
    persona: str = ""
    flow: Flow = Flow.ENHANCED
    custom_role_arn: str = ""
    connection_profile: str = ""
    endpoint: str = ""
    region: str = "us-east-1"
    #: ``env:NAME`` / ``keyring:NAME`` of a confidential client's secret.
    client_secret: str = ""
    #: A user-pool-password provider's references by key (``password``, ``totp_seed``, ``new_password``).
    user_pool_refs: dict[str, str] = field(default_factory=dict)
    steps: tuple[Step, ...] = ()
    expect: Expectations = field(default_factory=Expectations)
    path: Path | None = None

    @property
    def label(self) -> str:
        return self.name or (self.path.stem if self.path else "scenario")


def _table(raw: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise ScenarioError(f"{where}: [{key}] must be a table")
    return value


def _text(raw: dict[str, Any], key: str, where: str, default: str = "") -> str:
    value = raw.get(key, default)
    if not isinstance(value, str):
        raise ScenarioError(f"{where}: {key} must be a string, not {type(value).__name__}")
    return value


def _number(raw: dict[str, Any], key: str, where: str) -> float | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ScenarioError(f"{where}: {key} must be a non-negative number, not {value!r}")
    return float(value)


def _unknown(raw: dict[str, Any], known: set[str], where: str) -> None:
    extra = sorted(set(raw) - known)
    if extra:
        raise ScenarioError(f"{where}: unknown key{'s' if len(extra) > 1 else ''} {', '.join(extra)} "
                            f"(known: {', '.join(sorted(known))})")


def _step(raw: Any, where: str) -> Step:
    if not isinstance(raw, dict):
        raise ScenarioError(f"{where} must be a table")
    _unknown(raw, {*STEP_ACTIONS, "value", "timeout"}, where)
    actions = [a for a in STEP_ACTIONS if a in raw]
    if len(actions) != 1:
        raise ScenarioError(f"{where} needs exactly one of {', '.join(STEP_ACTIONS)} (found {actions or 'none'})")
    action = actions[0]
    target = _text(raw, action, where).strip()
    if not target:
        raise ScenarioError(f"{where}: {action} needs a CSS selector" + (" (or URL)" if action == "wait_url" else ""))
    if action != "fill" and "value" in raw:
        raise ScenarioError(f"{where}: only a fill step takes a value")
    value = _text(raw, "value", where)
    if action == "fill":
        check_not_literal(value, f"{where}.value", hint=target)
    timeout = _number(raw, "timeout", where)
    return Step(action, target, value, DEFAULT_STEP_TIMEOUT if timeout is None else timeout)


def _expectations(raw: dict[str, Any], where: str) -> Expectations:
    _unknown(raw, {f.name for f in fields(Expectations)}, where)
    identity = _text(raw, "identity", where)
    if identity and identity not in IDENTITY_CHOICES:
        raise ScenarioError(f"{where}: identity must be \"same\" or \"new\", not {identity!r}")
    outcome = _text(raw, "outcome", where, "success").strip() or "success"
    if outcome != "success" and not outcome.isidentifier():
        raise ScenarioError(f"{where}: outcome must be \"success\" or an AWS error code, not {outcome!r}")
    claims = raw.get("claims", [])
    if not isinstance(claims, list) or not all(isinstance(c, str) for c in claims):
        raise ScenarioError(f"{where}: claims must be a list of claim names")
    role = _text(raw, "role_arn", where)
    if role and ":role/" not in role:
        raise ScenarioError(f"{where}: role_arn {role!r} is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)")
    return Expectations(outcome, role, identity, _number(raw, "credentials_valid_minutes", where), tuple(claims),
                        _number(raw, "max_duration_seconds", where))


def _provider(raw: dict[str, Any], where: str) -> tuple[ProviderClient, str, dict[str, str]]:
    secret = _text(raw, "client_secret", where)
    if secret:
        check_not_literal(secret, f"{where}.client_secret", always=True)
    refs = {key: _text(raw, key, where) for key in USER_POOL_REFERENCES if key in raw}
    for key, value in refs.items():
        check_not_literal(value, f"{where}.{key}", always=True)
    values = {k: v for k, v in raw.items() if k != "client_secret" and k not in USER_POOL_REFERENCES}
    _unknown(values, _PROVIDER_FIELDS, where)
    for key, value in values.items():
        if isinstance(value, str):
            check_not_literal(value, f"{where}.{key}", hint=key)
    try:
        client = ProviderClient.from_dict({"connection": "", **values})
    except ProviderClientsError as exc:
        raise ScenarioError(f"{where}: {exc}") from None
    problems = client.problems()
    if client.kind is ProviderKind.USER_POOL_PASSWORD and not client.username.strip():
        problems.append("A user-pool-password provider needs the username.")
    if client.kind is ProviderKind.USER_POOL_PASSWORD and not refs.get("password"):
        problems.append('A user-pool-password provider needs password = "env:NAME" or "keyring:NAME".')
    elif refs and client.kind is not ProviderKind.USER_POOL_PASSWORD:
        problems.append(f"{', '.join(refs)} belong to a user-pool-password provider only.")
    if problems:
        raise ScenarioError(f"{where}: {' '.join(problems)}")
    return client, secret, refs


def parse_scenario(text: str, path: Path | None = None) -> Scenario:
    """The scenario in ``text`` (``path`` only names it in messages and labels)."""
    where = str(path) if path else "scenario"
    try:
        raw = check_nesting(tomllib.loads(text), where)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{where} is not valid TOML: {exc}") from None
    except RecursionError:
        raise ScenarioError(str(too_deep(where))) from None
    except DocumentError as exc:
        raise ScenarioError(str(exc)) from None
    try:
        return _scenario(raw, where, path)
    except ReferenceError as exc:
        raise ScenarioError(str(exc)) from None


def _scenario(raw: dict[str, Any], where: str, path: Path | None) -> Scenario:
    _unknown(raw, {"version", "name", "persona", "pool_id", "flow", "custom_role_arn", "connection", "provider",
                   "steps", "expect"}, where)
    if raw.get("version", VERSION) != VERSION:
        raise ScenarioError(f"{where}: version {raw.get('version')!r} is not supported (this program reads {VERSION})")
    connection = _table(raw, "connection", where)
    _unknown(connection, {"profile", "endpoint", "region"}, f"{where} [connection]")
    pool_id = _text(raw, "pool_id", where).strip()
    if not pool_id:
        raise ScenarioError(f"{where}: pool_id is missing")
    try:
        flow = Flow(_text(raw, "flow", where, Flow.ENHANCED.value))
    except ValueError:
        raise ScenarioError(f"{where}: flow must be \"enhanced\" or \"basic\", not {raw.get('flow')!r}") from None
    if "provider" not in raw:
        raise ScenarioError(f"{where}: the [provider] table is missing")
    provider, secret, refs = _provider(_table(raw, "provider", where), f"{where} [provider]")
    steps_raw = raw.get("steps", [])
    if not isinstance(steps_raw, list):
        raise ScenarioError(f"{where}: steps must be an array of tables ([[steps]])")
    return Scenario(
        name=_text(raw, "name", where).strip(), pool_id=pool_id, provider=provider,
        persona=_text(raw, "persona", where).strip(), flow=flow,
        custom_role_arn=_text(raw, "custom_role_arn", where).strip(),
        connection_profile=_text(connection, "profile", where), endpoint=_text(connection, "endpoint", where),
        region=_text(connection, "region", where, "us-east-1"), client_secret=secret, user_pool_refs=refs,
        steps=tuple(_step(step, f"{where} steps[{i}]") for i, step in enumerate(steps_raw, start=1)),
        expect=_expectations(_table(raw, "expect", where), f"{where} [expect]"), path=path)


def load_scenario(path: str | Path) -> Scenario:
    """The scenario file at ``path``, refused past the document limits (``settings.documents``)."""
    path = Path(path)
    try:
        text = read_document_text(path, "scenario file")
    except DocumentError as exc:
        raise ScenarioError(str(exc)) from None
    return parse_scenario(text, path)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{text}"'


def _toml_key(key: str) -> str:
    return key if key.replace("_", "").replace("-", "").isalnum() else _toml_value(key)


def _lines(values: dict[str, Any]) -> list[str]:
    return [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in values.items() if v not in ("", None, (), [], {})]


def dump_scenario(scenario: Scenario) -> str:
    """The TOML text of ``scenario`` (defaults left out), which :func:`parse_scenario` reads back equal."""
    head = {"version": VERSION, "name": scenario.name, "persona": scenario.persona, "pool_id": scenario.pool_id,
            "flow": scenario.flow.value, "custom_role_arn": scenario.custom_role_arn}
    out = _lines(head)
    connection = {"profile": scenario.connection_profile, "endpoint": scenario.endpoint,
                  "region": scenario.region if scenario.region != "us-east-1" else ""}
    if any(connection.values()):
        out += ["", "[connection]", *_lines(connection)]
    defaults = ProviderClient("", "", scenario.provider.kind).to_dict()
    provider = {k: v for k, v in scenario.provider.to_dict().items()
                if k != "connection" and (k in ("name", "kind") or v != defaults[k])}
    out += ["", "[provider]", *_lines({**provider, "client_secret": scenario.client_secret,
                                       **scenario.user_pool_refs})]
    for step in scenario.steps:
        out += ["", "[[steps]]", *_lines({step.action: step.target, "value": step.value})]
        if step.timeout != DEFAULT_STEP_TIMEOUT:
            out.append(f"timeout = {_toml_value(step.timeout)}")
    expect = scenario.expect
    out += ["", "[expect]", *_lines({"outcome": expect.outcome, "role_arn": expect.role_arn,
                                     "identity": expect.identity,
                                     "credentials_valid_minutes": expect.credentials_valid_minutes,
                                     "claims": list(expect.claims),
                                     "max_duration_seconds": expect.max_duration_seconds})]
    return "\n".join(out) + "\n"

