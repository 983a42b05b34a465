"""The packaging scripts live in packaging/ (run as scripts, not a package): make them importable here."""

from __future__ import annotations

import sys
from pathlib import Path

PACKAGING = Path(__file__).resolve().parents[2] / "packaging"
sys.path.insert(0, str(PACKAGING))
