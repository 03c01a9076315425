"""The API entry point must not import the image stack (it would slow every cold start)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_app_import_does_not_load_pillow_or_numpy() -> None:
    code = (
        "import sys, app; print(','.join(m for m in ('PIL', 'numpy', 'moto') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
