"""Issue 15 §4: what the app writes under its folders is owner-only even under umask 022 — the settings files
(write_atomically), the folders made for them (the config folder was 0755), and an existing loose folder."""

from __future__ import annotations

import os
import stat

import pytest

from cognito_desk.settings.files import OWNER_ONLY, owner_only_umask, private_dir, write_atomically


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_settings_files_and_their_folders_are_owner_only(tmp_path, umask_022):
    target = tmp_path / "config" / "cognito-desk" / "provider-clients.json"
    write_atomically(target, "{}\n")
    assert mode(target) == 0o600
    assert mode(tmp_path / "config") == 0o700 and mode(tmp_path / "config" / "cognito-desk") == 0o700
    write_atomically(target, '{"version": 1}\n')  # replaced: still owner-only
    assert mode(target) == 0o600 and target.read_text() == '{"version": 1}\n'


def test_a_loose_existing_folder_is_narrowed(tmp_path, umask_022):
    loose = tmp_path / "cognito-desk"
    loose.mkdir(mode=0o755)
    loose.chmod(0o755)
    assert mode(private_dir(loose)) == 0o700


def test_the_owner_only_umask_covers_what_others_write(tmp_path, umask_022):
    old = owner_only_umask()
    try:
        assert old == 0o022
        (tmp_path / "Visited Links").write_bytes(b"x")  # as Chromium would, with its default modes
        (tmp_path / "Cookies-dir").mkdir()
    finally:
        os.umask(old)
    assert mode(tmp_path / "Visited Links") & OWNER_ONLY == 0 and mode(tmp_path / "Cookies-dir") == 0o700
