"""Size and cold start of the Linux bundle, beside the source checkout as the baseline, in one run.

* **Size** — the PyInstaller bundle (built by ``packaging/bundle.py`` unless it is up to date): bytes
  unpacked (regular files; symlinks share their target), the ``.tar.gz`` that ``dev.py package`` ships
  (taken from ``build/packages`` when newer than the bundle, else made in a temporary folder the same
  way), and what dominates, by part. Targets of issue 12: ≤ 400 MB unpacked, ≤ 160 MB compressed.
* **Cold start** — process start → main window painted (and → Local connection ready with the pool
  list), offscreen, for the bundle copied to a folder outside the source tree (as installed) and for
  ``python -m cognito_desk`` from the source checkout. Every sample is a fresh process on an empty config
  and data dir, samples alternate between the two; the file cache is warm after the first sample (the
  benchmark does not drop the machine's caches: others share it). Uses bench/startup.py's sampling.

Usage::

    python bench/bundle.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "packaging"))

import bundle as bundles  # noqa: E402  (packaging/bundle.py)
import debian  # noqa: E402  (packaging/debian.py)
from startup import sample  # noqa: E402  (bench/startup.py)

MB = 1_000_000
#: Parts of the bundle, first match wins (relative paths).
PARTS = (
    ("QtWebEngine (Chromium)", ("libQt6WebEngine", "qtwebengine", "QtWebEngineProcess", "icudtl.dat",
                                "v8_context_snapshot")),
    ("ICU data and libraries (Qt Core)", ("libicu",)),
    ("Qt libraries and plugins", ("PySide6/Qt/",)),
    ("Qt for Python bindings", ("PySide6/", "shiboken6/")),
    ("Python runtime and app code", ("libpython", "python3.", "base_library.zip", "cognito-desk")),
)


def part_of(relative: str) -> str:
    for name, markers in PARTS:
        if any(marker in relative for marker in markers):
            return name
    return "Python packages (cryptography, lxml, uvloop, botocore…)"


def tarball_size(bundle: Path) -> int:
    shipped = sorted(Path(bundles.BUILD / "packages").glob("cognito-desk-*-linux-*.tar.gz"))
    if shipped and shipped[-1].stat().st_mtime > bundles.DIGEST_FILE.stat().st_mtime:
        return shipped[-1].stat().st_size
    with tempfile.TemporaryDirectory() as temp:
        return debian.build_tarball(bundle, "bench", Path(temp)).stat().st_size


def report_size(bundle: Path) -> None:
    sizes = bundles.file_sizes(bundle)
    total = sum(sizes.values())
    by_part: dict[str, int] = {}
    for path, size in sizes.items():
        part = part_of(str(path.relative_to(bundle)))
        by_part[part] = by_part.get(part, 0) + size
    compressed = tarball_size(bundle)
    print(f"bundle size: {total / MB:.0f} MB unpacked (target <= 400: {'PASS' if total <= 400 * MB else 'FAIL'}), "
          f"{compressed / MB:.0f} MB .tar.gz (target <= 160: {'PASS' if compressed <= 160 * MB else 'FAIL'}), "
          f"{len(sizes)} files")
    for part, size in sorted(by_part.items(), key=lambda item: item[1], reverse=True):
        print(f"  {part:56} {size / MB:6.1f} MB  {100 * size / total:4.1f} %")


def report_start(bundle: Path, runs: int) -> None:
    base = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    base.update(QT_QPA_PLATFORM="offscreen", COGNITO_DESK_QUIT_WHEN_READY="1")
    with tempfile.TemporaryDirectory(prefix="cognito-desk-bench-") as temp:
        installed = Path(temp) / "opt" / "cognito-desk"
        shutil.copytree(bundle, installed, symlinks=True)
        commands = {"installed bundle": [str(installed / "cognito-desk")],
                    "source checkout": [sys.executable, "-m", "cognito_desk"]}
        results: dict[str, list[dict[str, float]]] = {name: [] for name in commands}
        for run in range(runs):
            for name, command in commands.items():
                fresh = Path(temp) / f"{name}-{run}".replace(" ", "-")
                env = {**base, "COGNITO_DESK_CONFIG_DIR": str(fresh / "config"),
                       "COGNITO_DESK_DATA_DIR": str(fresh / "data")}
                results[name].append(sample(command, env))
    print(f"cold start, {runs} runs each, offscreen, fresh config and data dir: median (best) in seconds")
    for name, samples in results.items():
        for mark in ("painted", "ready"):
            values = [s[mark] for s in samples if mark in s]
            if values:
                print(f"  {name:18} {mark:8} {statistics.median(values):6.3f} ({min(values):.3f})")
    bundle_painted = statistics.median(s["painted"] for s in results["installed bundle"])
    source_painted = statistics.median(s["painted"] for s in results["source checkout"])
    print(f"  painted: bundle / source checkout = {bundle_painted / source_painted:.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    bundle = bundles.build()
    report_size(bundle)
    report_start(bundle, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
