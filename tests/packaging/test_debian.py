"""The Linux artifacts: the .deb's layout, Depends and validation, and the .tar.gz, on a small real tree.

The bundle here is a folder with real ELF files (a copy of a system program as the executable), so
``dpkg-shlibdeps`` and ``dpkg-deb`` do their real work in seconds; ``dev.py package`` does the same with the
full PyInstaller bundle.
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import debian
import icons
import pytest

needs_dpkg = pytest.mark.skipif(shutil.which("dpkg-shlibdeps") is None or shutil.which("dpkg-deb") is None,
                                reason="Debian's dpkg-dev is not installed (dev.py package installs it)")
VERSION = importlib.metadata.version("cognito-desk")


@pytest.fixture
def small_bundle(tmp_path) -> Path:
    bundle = tmp_path / "bundle"
    (bundle / "_internal").mkdir(parents=True)
    shutil.copy2(shutil.which("ls"), bundle / "cognito-desk")  # an ELF needing libc6 and libselinux1
    (bundle / "_internal" / "data.txt").write_text("bundled data\n")
    return bundle


@pytest.fixture(scope="module")
def rendered_icons(tmp_path_factory) -> Path:
    """packaging/icons.py run as the build runs it (its own process: it makes a QGuiApplication)."""
    out = tmp_path_factory.mktemp("icons")
    subprocess.run([sys.executable, str(Path(icons.__file__)), str(out)], check=True, capture_output=True,
                   env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    return out


def test_icons_in_every_standard_size(rendered_icons) -> None:
    from PySide6.QtGui import QImage

    for size in icons.SIZES:
        image = QImage(str(rendered_icons / "hicolor" / f"{size}x{size}" / "apps" / f"{debian.APP_ID}.png"))
        assert (image.width(), image.height()) == (size, size)
        assert image.pixelColor(size // 2, size // 2).alpha() == 255  # painted, not blank
    assert (rendered_icons / "hicolor" / "scalable" / "apps" / f"{debian.APP_ID}.svg").is_file()


def test_desktop_entry_and_metainfo_agree_with_the_package() -> None:
    desktop = (debian.LINUX / f"{debian.APP_ID}.desktop").read_text()
    metainfo = (debian.LINUX / f"{debian.APP_ID}.metainfo.xml").read_text()
    assert f"Icon={debian.APP_ID}\n" in desktop and "Exec=cognito-desk %F\n" in desktop
    assert f"<id>{debian.APP_ID}</id>" in metainfo
    assert f'<launchable type="desktop-id">{debian.APP_ID}.desktop</launchable>' in metainfo
    assert f'<release version="{VERSION}"' in metainfo, "add a <release> for the new version to the metainfo"
    mime = (debian.LINUX / f"{debian.APP_ID}.mime.xml").read_text()
    for mime_type in ("application/x.cognito-desk.pools+json", "application/x.cognito-desk.scenario"):
        assert mime_type in desktop and f'type="{mime_type}"' in mime and f"<mediatype>{mime_type}<" in metainfo


def test_every_installer_associates_the_same_file_extensions() -> None:
    packaging = debian.ROOT / "packaging"
    windows = (packaging / "windows" / "cognito-desk.iss").read_text()
    spec = (packaging / "cognito-desk.spec").read_text()
    mime = (debian.LINUX / f"{debian.APP_ID}.mime.xml").read_text()
    for extension in ("cdpool", "cdscenario"):
        assert f'<glob pattern="*.{extension}"/>' in mime
        assert f'Subkey: "Software\\Classes\\.{extension}\\OpenWithProgids"' in windows
        assert f'"public.filename-extension": ["{extension}"]' in spec


def test_validators_accept_the_desktop_entry_and_metainfo() -> None:
    results = debian.validate_desktop_entry(debian.LINUX / f"{debian.APP_ID}.desktop",
                                            debian.LINUX / f"{debian.APP_ID}.metainfo.xml")
    if all("skipped" in line for line in results):
        pytest.skip("neither desktop-file-validate nor appstreamcli is installed")
    assert any(line.endswith(": valid") for line in results)


def test_a_broken_desktop_entry_is_rejected(tmp_path) -> None:
    if shutil.which("desktop-file-validate") is None:
        pytest.skip("desktop-file-validate is not installed (Debian desktop-file-utils)")
    broken = tmp_path / "broken.desktop"
    broken.write_text("[Desktop Entry]\nType=Application\nExec=cognito-desk\n")  # no Name
    with pytest.raises(debian.PackagingError, match=r"desktop-file-validate rejected broken\.desktop"):
        debian.validate_desktop_entry(broken, debian.LINUX / f"{debian.APP_ID}.metainfo.xml")


@needs_dpkg
def test_depends_come_from_the_libraries_the_elf_files_need(small_bundle) -> None:
    depends = debian.shlib_depends(small_bundle)
    packages = [item.split(" ")[0] for item in depends.split(", ")]
    assert "libc6" in packages and "libselinux1" in packages
    assert "libc6 (>= " in depends  # minimum versions from the packages' symbols files


@needs_dpkg
def test_a_library_from_nowhere_is_an_error_naming_it(small_bundle, tmp_path) -> None:
    if shutil.which("gcc") is None:
        pytest.skip("gcc is needed to make an ELF file that links a library no package provides")
    source = tmp_path / "orphan.c"
    source.write_text("int orphan(void) { return 1; }\n")
    subprocess.run(["gcc", "-shared", "-fPIC", "-Wl,-soname,liborphan.so.1", "-o", str(tmp_path / "liborphan.so"),
                    str(source)], check=True)
    main = tmp_path / "main.c"
    main.write_text("int orphan(void);\nint main(void) { return orphan(); }\n")
    subprocess.run(["gcc", "-o", str(small_bundle / "_internal" / "needs-orphan"), str(main),
                    f"-L{tmp_path}", "-lorphan"], check=True)
    with pytest.raises(debian.PackagingError, match=r"provide liborphan\.so\.1"):
        debian.shlib_depends(small_bundle)


@needs_dpkg
def test_deb_layout_control_and_ownership(small_bundle, rendered_icons, tmp_path) -> None:
    tree = debian.stage(small_bundle, rendered_icons, VERSION, "amd64", tmp_path / "tree")
    deb = debian.build_deb(tree, tmp_path / "out")
    assert deb.name == f"cognito-desk_{VERSION}_amd64.deb"
    info = subprocess.run(["dpkg-deb", "--field", str(deb)], capture_output=True, text=True, check=True).stdout
    assert f"Version: {VERSION}\n" in info and "Depends: " in info and "libc6 (>= " in info
    listing = subprocess.run(["dpkg-deb", "--contents", str(deb)], capture_output=True, text=True,
                             check=True).stdout.splitlines()
    assert all(" root/root " in line for line in listing)
    names = {line.split()[5].lstrip(".") + (" -> " + line.split(" -> ")[1] if " -> " in line else "")
             for line in listing}
    for expected in ("/opt/cognito-desk/cognito-desk", "/opt/cognito-desk/_internal/data.txt",
                     "/usr/bin/cognito-desk -> /opt/cognito-desk/cognito-desk",
                     f"/usr/share/applications/{debian.APP_ID}.desktop",
                     f"/usr/share/metainfo/{debian.APP_ID}.metainfo.xml",
                     f"/usr/share/mime/packages/{debian.APP_ID}.xml",
                     f"/usr/share/icons/hicolor/48x48/apps/{debian.APP_ID}.png",
                     f"/usr/share/icons/hicolor/scalable/apps/{debian.APP_ID}.svg",
                     "/usr/share/doc/cognito-desk/copyright", f"/{debian.APPARMOR_PROFILE}"):
        assert expected in names, expected
    modes = {line.split()[5].lstrip("."): line.split()[0] for line in listing}
    assert modes["/opt/cognito-desk/cognito-desk"] == "-rwxr-xr-x"
    assert modes["/opt/cognito-desk/_internal/data.txt"] == "-rw-r--r--"
    control = tmp_path / "control"
    subprocess.run(["dpkg-deb", "--control", str(deb), str(control)], check=True)
    for script in ("postinst", "postrm"):
        assert (control / script).read_text() == (debian.MAINTAINER_SCRIPTS / script).read_text()
        assert (control / script).stat().st_mode & 0o777 == 0o755
    extracted = tmp_path / "extracted"
    subprocess.run(["dpkg-deb", "--extract", str(deb), str(extracted)], check=True)
    assert subprocess.run([str(extracted / "opt" / "cognito-desk" / "cognito-desk"), "/"],
                          capture_output=True).returncode == 0  # the packaged executable runs


def test_tarball_has_one_top_folder_owned_by_root(small_bundle, tmp_path) -> None:
    tarball = debian.build_tarball(small_bundle, VERSION, tmp_path)
    with tarfile.open(tarball) as archive:
        members = archive.getmembers()
    top = {m.name.split("/")[0] for m in members}
    assert top == {tarball.name.removesuffix(".tar.gz")} and tarball.name.startswith(f"cognito-desk-{VERSION}-linux-")
    assert all(m.uid == 0 and m.uname == "root" for m in members)
    assert {m.name.split("/", 1)[1] for m in members if "/" in m.name} == {
        "cognito-desk", "_internal", "_internal/data.txt"}


def maintainer_script(name: str, action: str, root: Path) -> subprocess.CompletedProcess:
    """Run packaging/deb/<name> as dpkg would for an installation under ``root`` (``DPKG_ROOT``)."""
    return subprocess.run([str(debian.MAINTAINER_SCRIPTS / name), action], env={"PATH": "/usr/bin:/bin",
                          "DPKG_ROOT": str(root)}, capture_output=True, text=True, timeout=30)


@pytest.fixture
def installed_root(tmp_path) -> Path:
    root = tmp_path / "root"
    (root / debian.APPARMOR_PROFILE).parent.mkdir(parents=True)
    shutil.copyfile(debian.LINUX / "apparmor" / "cognito-desk", root / debian.APPARMOR_PROFILE)
    (root / "etc" / "apparmor.d").mkdir(parents=True)
    return root


def test_apparmor_profile_is_installed_and_removed_where_apparmor_4_restricts_namespaces(installed_root) -> None:
    (installed_root / "etc" / "apparmor.d" / "abi").mkdir()
    (installed_root / "etc" / "apparmor.d" / "abi" / "4.0").write_text("")
    assert maintainer_script("postinst", "configure", installed_root).returncode == 0
    profile = installed_root / "etc" / "apparmor.d" / "cognito-desk"
    assert profile.read_text() == (debian.LINUX / "apparmor" / "cognito-desk").read_text()
    assert "userns," in profile.read_text() and "/opt/cognito-desk/{cognito-desk," in profile.read_text()
    assert maintainer_script("postrm", "remove", installed_root).returncode == 0
    assert not profile.exists()


def test_no_apparmor_profile_where_apparmor_3_needs_none(installed_root) -> None:
    assert maintainer_script("postinst", "configure", installed_root).returncode == 0
    assert not (installed_root / "etc" / "apparmor.d" / "cognito-desk").exists()
    assert maintainer_script("postrm", "purge", installed_root).returncode == 0  # nothing to remove is fine
