"""Build and check the Linux artifacts: ``python packaging/linux.py bundle|self-test|package``.

    bundle      build the PyInstaller bundle (reused when its inputs are unchanged) and print its size
    self-test   bundle, then run its --self-test installed outside the source tree as a normal user
    package     bundle, self-test, then build/packages/: the .tar.gz and the .deb (validated)

``dev.py package`` and ``dev.py test`` run this with the project's venv Python, after installing the
Debian tools it uses. Exit status 0 only when every step succeeded.
"""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bundle as bundles  # sibling modules of this script
import debian
from bundle_selftest import self_test_bundle

PACKAGES = bundles.BUILD / "packages"
MB = 1_000_000
STARTED = time.perf_counter()


def say(message: str) -> None:
    print(f"[package {time.perf_counter() - STARTED:5.0f} s] {message}", flush=True)


def build_bundle() -> Path:
    bundle = bundles.build()
    total, largest = bundles.measure(bundle)
    say(f"bundle {bundle}: {total / MB:.0f} MB unpacked; largest: "
        + ", ".join(f"{Path(name).name} {size / MB:.0f} MB" for name, size in largest[:4]))
    return bundle


def self_test(bundle: Path) -> bool:
    report = self_test_bundle(bundle)
    print(report.output, end="", flush=True)
    sandbox_line = next((line for line in report.output.splitlines() if "chromium sandbox:" in line), "")
    reported = sandbox_line.split(": ", 1)[1] if sandbox_line else "not reported"
    say(f"ran {report.install_dir} --self-test as {report.user}, outside the source tree; Chromium sandbox: "
        + (reported if report.sandbox == "on" else f"{report.sandbox}; {reported}"))
    if report.changed:
        say("the app wrote inside its install folder: " + "; ".join(report.changed[:10]))
    if report.returncode != 0:
        say(f"the bundle's self-test failed (exit {report.returncode}); its stderr ends with:\n"
            + report.errors[-3000:])
    return report.passed


def package(bundle: Path) -> None:
    version = importlib.metadata.version("cognito-desk")
    architecture = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True,
                                  check=True).stdout.strip()
    for line in debian.validate_desktop_entry(debian.LINUX / f"{debian.APP_ID}.desktop",
                                              debian.LINUX / f"{debian.APP_ID}.metainfo.xml"):
        say(line)
    tarball = debian.build_tarball(bundle, version, PACKAGES)
    say(f"{tarball} ({tarball.stat().st_size / MB:.0f} MB)")
    tree = debian.stage(bundle, bundles.BUILD / "icons", version, architecture,
                        bundles.BUILD / "deb" / f"cognito-desk_{version}_{architecture}")
    deb = debian.build_deb(tree, PACKAGES)
    say(f"{deb} ({deb.stat().st_size / MB:.0f} MB); Depends: "
        + (tree / "DEBIAN" / "control").read_text().split("Depends: ", 1)[1].split("\n", 1)[0])


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in ("bundle", "self-test", "package"):
        print(__doc__, file=sys.stderr)
        return 2
    bundle = build_bundle()
    if argv[0] == "bundle":
        return 0
    if not self_test(bundle):
        return 1
    if argv[0] == "package":
        try:
            package(bundle)
        except debian.PackagingError as exc:
            say(f"packaging failed: {exc}")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
