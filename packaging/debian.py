"""The Linux artifacts: a ``.tar.gz`` of the bundle and a ``.deb`` built with Debian's own tools.

Owns the package layout — the bundle in ``/opt/cognito-desk``, the launcher ``/usr/bin/cognito-desk`` (a
symlink PyInstaller's bootloader follows to its real folder), the ``.desktop`` file, AppStream metainfo,
the MIME types of exported pools and scenarios, hicolor icons in the standard sizes and the copyright
file — and its ``Depends``, computed by ``dpkg-shlibdeps`` from the ELF files of the bundle (the shared
libraries they need that the bundle does not carry, mapped to Debian packages and minimum versions
through the packages' shlibs/symbols files). The desktop file and metainfo are validated with
``desktop-file-validate`` and ``appstreamcli validate`` when those tools are installed (they are in
the ``dev.py package`` Debian step). Debian's triggers refresh the desktop, MIME and icon caches; the only
maintainer scripts (``packaging/deb/``) install and remove an AppArmor profile where AppArmor 4 restricts
user namespaces (Ubuntu 23.10+), without which Chromium's sandbox cannot start there. Nothing in the
package is writable by the app: its data goes to the user's directories.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINUX = ROOT / "resources" / "linux"
MAINTAINER_SCRIPTS = ROOT / "packaging" / "deb"
APPARMOR_PROFILE = Path("usr/share/cognito-desk/apparmor/cognito-desk")  # postinst copies it to /etc/apparmor.d
APP_ID = "io.github.cognitodesk.CognitoDesk"
INSTALL_DIR = Path("/opt/cognito-desk")
MAINTAINER = "cognito-desk developers <cognito-desk@users.noreply.github.com>"
SUMMARY = "Manage Amazon Cognito identity pools and test real sign-ins"
DESCRIPTION = """\
 A desktop application for Amazon Cognito identity pools: manage pools, identity
 providers, IAM roles and role-mapping rules, run real sign-ins in an embedded
 browser and see the identity, the assumed role and why. Comes with an embedded
 local service that speaks the Cognito Identity wire protocol, so it works
 offline from the first launch."""
ELF_MAGIC = b"\x7fELF"


class PackagingError(Exception):
    """A step of building or validating a package failed; the message says which and why."""


def elf_files(root: Path) -> list[Path]:
    """Every ELF executable and shared library under ``root`` (symlinks skipped)."""
    found = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as handle:
                if handle.read(4) == ELF_MAGIC:
                    found.append(path)
    return found


def shlib_depends(root: Path) -> str:
    """The ``Depends`` value for the ELF files under ``root``, by ``dpkg-shlibdeps``.

    Libraries the bundle carries are private (``-l`` for each of their folders); a needed library that is
    neither in the bundle nor installed from a Debian package is an error that names it.
    """
    if shutil.which("dpkg-shlibdeps") is None:
        raise PackagingError("dpkg-shlibdeps is missing: install Debian's dpkg-dev")
    elves = elf_files(root)
    if not elves:
        raise PackagingError(f"no ELF files under {root}")
    private = sorted({str(p.parent) for p in elves if ".so" in p.name})
    with tempfile.TemporaryDirectory() as work:
        (Path(work) / "debian").mkdir()
        (Path(work) / "debian" / "control").write_text(
            "Source: cognito-desk\n\nPackage: cognito-desk\nArchitecture: any\n")
        result = subprocess.run(["dpkg-shlibdeps", "-O", "--ignore-missing-info", "--warnings=0",
                                 *(f"-l{folder}" for folder in private), *(f"-e{elf}" for elf in elves)],
                                cwd=work, capture_output=True, text=True)
    if result.returncode != 0:
        missing = sorted(set(re.findall(r"cannot find library (\S+) needed by", result.stderr)))
        hint = f": install the Debian packages that provide {', '.join(missing)}" if missing else ""
        raise PackagingError(f"dpkg-shlibdeps failed{hint}\n{result.stderr[-2000:]}")
    match = re.search(r"^shlibs:Depends=(.*)$", result.stdout, re.MULTILINE)
    if not match:
        raise PackagingError(f"dpkg-shlibdeps printed no Depends: {result.stdout!r}")
    return match.group(1).strip()


def validate_desktop_entry(desktop: Path, metainfo: Path) -> list[str]:
    """Run the freedesktop validators that are installed; returns what was validated, raises on failure."""
    done = []
    for tool, args in (("desktop-file-validate", [str(desktop)]),
                       ("appstreamcli", ["validate", "--no-net", str(metainfo)])):
        if shutil.which(tool) is None:
            done.append(f"{tool}: not installed, skipped")
            continue
        result = subprocess.run([tool, *args], capture_output=True, text=True)
        if result.returncode != 0:
            raise PackagingError(f"{tool} rejected {Path(args[-1]).name}:\n{result.stdout}{result.stderr}")
        done.append(f"{tool}: valid")
    return done


def installed_size_kib(root: Path) -> int:
    return sum(-(-p.lstat().st_size // 1024) for p in root.rglob("*") if p.is_file() or p.is_symlink())


def control_file(version: str, architecture: str, depends: str, installed_kib: int) -> str:
    return (f"Package: cognito-desk\nVersion: {version}\nArchitecture: {architecture}\n"
            f"Maintainer: {MAINTAINER}\nInstalled-Size: {installed_kib}\nDepends: {depends}\n"
            "Suggests: gnome-keyring\nSection: devel\nPriority: optional\n"
            f"Description: {SUMMARY}\n{DESCRIPTION}\n")


def copyright_file() -> str:
    return ("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
            "Upstream-Name: cognito-desk\n\nFiles: *\nCopyright: the cognito-desk developers\n"
            "License: Apache-2.0\n On Debian systems the full text of the Apache License 2.0 is in\n"
            " /usr/share/common-licenses/Apache-2.0. The bundle under /opt/cognito-desk also carries\n"
            " Qt, Qt for Python and Chromium (QtWebEngine) under their own licenses (LGPL-3.0 and\n"
            " others; see the dist-info folders in /opt/cognito-desk/_internal).\n")


def stage(bundle: Path, icons: Path, version: str, architecture: str, tree: Path) -> Path:
    """Lay out the package tree in ``tree`` (replaced) and write its control file; returns ``tree``."""
    if tree.exists():
        shutil.rmtree(tree)
    opt = tree / INSTALL_DIR.relative_to("/")
    shutil.copytree(bundle, opt, symlinks=True)
    share = tree / "usr" / "share"
    (tree / "usr" / "bin").mkdir(parents=True)
    (tree / "usr" / "bin" / "cognito-desk").symlink_to(INSTALL_DIR / "cognito-desk")
    for source, target in ((LINUX / f"{APP_ID}.desktop", share / "applications" / f"{APP_ID}.desktop"),
                           (LINUX / f"{APP_ID}.metainfo.xml", share / "metainfo" / f"{APP_ID}.metainfo.xml"),
                           (LINUX / f"{APP_ID}.mime.xml", share / "mime" / "packages" / f"{APP_ID}.xml")):
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    shutil.copytree(icons / "hicolor", share / "icons" / "hicolor")
    (tree / APPARMOR_PROFILE).parent.mkdir(parents=True)
    shutil.copyfile(LINUX / "apparmor" / "cognito-desk", tree / APPARMOR_PROFILE)
    (share / "doc" / "cognito-desk").mkdir(parents=True)
    (share / "doc" / "cognito-desk" / "copyright").write_text(copyright_file())
    for path in tree.rglob("*"):  # Debian's modes: 0755 folders and executables, 0644 everything else
        if not path.is_symlink():
            executable = path.is_dir() or bool(path.stat().st_mode & 0o111)
            path.chmod(0o755 if executable else 0o644)
    depends = shlib_depends(opt)
    (tree / "DEBIAN").mkdir()
    (tree / "DEBIAN" / "control").write_text(control_file(version, architecture, depends, installed_size_kib(tree)))
    for script in ("postinst", "postrm"):
        shutil.copyfile(MAINTAINER_SCRIPTS / script, tree / "DEBIAN" / script)
        (tree / "DEBIAN" / script).chmod(0o755)
    return tree


def build_deb(tree: Path, out_dir: Path) -> Path:
    """``dpkg-deb --build`` the staged tree (files owned by root) into ``out_dir``.

    zstd (dpkg 1.21.18+, Debian 12, Ubuntu 21.10+; the libc6 dependency rules out older systems anyway):
    level 9 is within a few percent of xz's size and about twenty times faster on these 2-core machines.
    """
    fields = dict(line.split(": ", 1) for line in (tree / "DEBIAN" / "control").read_text().splitlines()
                  if ": " in line and not line.startswith(" "))
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"cognito-desk_{fields['Version']}_{fields['Architecture']}.deb"
    subprocess.run(["dpkg-deb", "--root-owner-group", "-Zzstd", "-z9", "--threads-max=2", "--build", str(tree),
                    str(target)], check=True, stdout=subprocess.DEVNULL)
    return target


def build_tarball(bundle: Path, version: str, out_dir: Path) -> Path:
    """The bundle as ``cognito-desk-<version>-linux-<machine>.tar.gz`` with one top folder."""
    out_dir.mkdir(parents=True, exist_ok=True)
    name = f"cognito-desk-{version}-linux-{os.uname().machine}"
    target = out_dir / f"{name}.tar.gz"
    with tarfile.open(target, "w:gz", compresslevel=9) as archive:
        archive.add(bundle, arcname=name, filter=_root_owned)
    return target


def _root_owned(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    return info
