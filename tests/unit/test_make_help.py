"""`make help` lists every target a developer can type (a target without its `## what it does` is invisible)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("make") is None, reason="no make on this machine")
def test_make_help_lists_every_target():
    makefile = (ROOT / "Makefile").read_text()
    targets = set(re.findall(r"^([a-z][a-z0-9-]*):(?!=)", makefile, re.M))
    listed = subprocess.run(
        ["make", "--no-print-directory", "help"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    shown = set(re.findall(r"^  make (\S+)", listed.stdout, re.M))
    assert targets - shown == set()
    assert {"run", "test", "test-e2e", "bench", "help"} <= shown
