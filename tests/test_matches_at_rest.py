"""An execution stores its matches without their context lines; reading them back takes the lines
from the source and gives exactly the matches the scan made, or a clear error if the source changed."""

from __future__ import annotations

import shutil

import pytest

from training_data_miner.server.orchestrator import Orchestrator, Settings
from training_data_miner.skills.load_source import SourceError
from helpers import SAMPLE, corpus


def _identified(tmp_path, source):
    orch = Orchestrator(Settings(data_dir=tmp_path / "data"))
    ex = orch.create(source, None)
    orch.load_source(ex)
    orch.identify_domain_patterns(ex)
    return orch, ex


@pytest.mark.parametrize("source", ["sample", pytest.param("012_dev", marks=pytest.mark.corpus)])
def test_matches_read_back_from_disk_equal_the_scans_matches(tmp_path, source):
    orch, ex = _identified(tmp_path, SAMPLE if source == "sample" else corpus())
    reopened = orch.open(ex.id)  # a fresh Execution: nothing held in memory, everything from disk
    kinds = set()
    for domain in ex.state.domains:
        scanned = ex.read_matches(domain)
        assert scanned, domain
        assert reopened.read_matches(domain) == scanned
        assert reopened.read_matches(domain, 3, 5) == scanned[3:8]
        kinds.update(m.match_kind for m in scanned)
        assert any(m.context_before or m.context_after for m in scanned)
    assert kinds == {"regex", "semantic"}  # both ways of building a window are covered


def test_the_stored_rows_are_small(tmp_path):
    orch, ex = _identified(tmp_path, SAMPLE)
    stored = sum(ex.path("matches", d).stat().st_size for d in ex.state.domains)
    context = sum(len(t) for d in ex.state.domains for m in ex.read_matches(d)
                  for t in (*m.context_before, *m.context_after))
    assert stored < context  # the windows themselves are not written


def test_a_changed_source_is_refused_with_what_to_do(tmp_path):
    src = tmp_path / "012.txt"
    shutil.copy(SAMPLE, src)
    orch, ex = _identified(tmp_path, src)
    with src.open("a", encoding="utf-8") as f:
        f.write("one more line\n")
    with pytest.raises(SourceError, match="source changed since load_source.*start a new execution"):
        orch.open(ex.id).read_matches("mps_scoring")
