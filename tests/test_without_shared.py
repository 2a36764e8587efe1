"""A clone without ../shared beside it: every test that reads the corpus is skipped with the reason,
and none fails or errors for want of it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.timeout(600)
def test_without_the_shared_folder_every_corpus_test_skips_with_the_reason(tmp_path):
    empty = tmp_path / "no-shared"
    empty.mkdir()
    r = subprocess.run([sys.executable, "-m", "pytest", "-m", "corpus", "-q", "-rs", "-p", "no:cacheprovider",
                        str(ROOT / "tests")], cwd=ROOT, capture_output=True, text=True, timeout=540,
                       env={**os.environ, "TDM_SHARED": str(empty)})
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-2000:]
    summary = r.stdout.strip().splitlines()[-1]
    counts = dict((kind, int(n)) for n, kind in re.findall(r"(\d+) (\w+)", summary))
    assert set(counts) == {"skipped", "deselected"}, summary  # nothing passed, failed or errored
    reasons = [line for line in r.stdout.splitlines() if line.startswith("SKIPPED")]
    assert sum(int(re.match(r"SKIPPED \[(\d+)\]", line)[1]) for line in reasons) == counts["skipped"] >= 25
    assert all(f"needs {empty / 'corpus' / '012_dev.txt'}" in line for line in reasons), reasons
