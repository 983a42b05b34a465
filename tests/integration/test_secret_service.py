"""KeyringSecrets against a real Secret Service (gnome-keyring in a private D-Bus session).

Needs the Debian packages ``dbus`` (dbus-run-session) and ``gnome-keyring``; skipped, with the reason,
when they are missing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

CHILD = textwrap.dedent("""
    import json, keyring
    from cognito_desk.settings import KeyringSecrets, Secret, SecretField
    secrets = KeyringSecrets()
    secrets.check()
    secrets.set("ci", SecretField.SECRET_ACCESS_KEY, Secret("integration-value-42"))
    read = secrets.get("ci", SecretField.SECRET_ACCESS_KEY)
    direct = keyring.get_password("cognito-desk", "profile:ci:secret_access_key")
    secrets.delete("ci", SecretField.SECRET_ACCESS_KEY)
    print(json.dumps({"backend": type(keyring.get_keyring()).__module__,
                      "round_trip": read is not None and read.reveal() == "integration-value-42",
                      "direct": direct == "integration-value-42",
                      "deleted": secrets.get("ci", SecretField.SECRET_ACCESS_KEY) is None}))
""")


def test_round_trip_through_gnome_keyring(tmp_path):
    missing = [tool for tool in ("dbus-run-session", "gnome-keyring-daemon") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"no real Secret Service: {', '.join(missing)} not installed "
                    "(apt-get install dbus gnome-keyring)")
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    home = tmp_path / "home"
    home.mkdir()
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("DBUS_", "PYTHON_KEYRING", "XDG_"))}
    env.update(HOME=str(home), XDG_RUNTIME_DIR=str(tmp_path), PYTHONPATH=str(Path(__file__).parents[2]))
    command = ('eval "$(printf pw | gnome-keyring-daemon --unlock --components=secrets)"; '
               f'exec "{sys.executable}" "{script}"')
    result = subprocess.run(["dbus-run-session", "--", "sh", "-c", command], env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome == {"backend": "keyring.backends.SecretService", "round_trip": True, "direct": True,
                       "deleted": True}
