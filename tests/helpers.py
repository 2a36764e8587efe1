"""Shared test helpers: run the real scan and extractors over text written to a real file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from training_data_miner.skills.extract_examples import extract_examples
from training_data_miner.skills.identify_domain_patterns import annotate, identify_domain_patterns
from training_data_miner.skills.models import Example
from training_data_miner.skills.packs import load_packs
from training_data_miner.skills.structure import Structure

# ../shared (read-only, beside the project; TDM_SHARED names another folder, e.g. an empty one to run
# the suite as a clone without it would)
SHARED = Path(os.environ.get("TDM_SHARED") or Path(__file__).resolve().parents[2] / "shared")
_CORPUS = SHARED / "corpus" / "012_dev.txt"
SKIP_REASON = f"needs {_CORPUS}: put the shared folder beside the project, or set TDM_SHARED"
# The test being run (set by conftest), so that `corpus()` can check its marker.
running: pytest.Item | None = None
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample" / "012_sample.txt"
PACKS = load_packs()


def mine_text(tmp_path: Path, domain: str, text: str, name: str = "012.txt") -> list[Example]:
    """Every example the domain makes of `text` (identify + extract, as a run does)."""
    src = tmp_path / name
    src.write_text(text, encoding="utf-8")
    return mine_file(src, domain)


def mine_file(src: Path, domain: str) -> list[Example]:
    """Every example the domain makes of the file `src`: identify, the source's structure, extract."""
    pack = PACKS[domain]
    res = identify_domain_patterns(src, [pack])
    structure = Structure.read(src)
    annotate(res.matches[domain], structure)
    return extract_examples(res.matches[domain], pack, src.name, structure)


def source_lines(path: Path) -> list[str]:
    """The file's lines as the miner numbers them (1-based: index 0 is line 1)."""
    text = path.read_bytes().decode("utf-8", errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    return [line.rstrip("\r") for line in text.split("\n")]


def has_corpus() -> bool:
    return _CORPUS.is_file()


def corpus() -> Path:
    """../shared/corpus/012_dev.txt, the one way a test gets it: skips the test, with the reason,
    when the file is not there. A test that reads it carries the `corpus` marker (conftest adds it
    to those that take the dev_corpus fixture, and skips marked tests before they start; `-m
    corpus` selects them); one without the marker fails here."""
    if not has_corpus():
        pytest.skip(SKIP_REASON)
    if running is not None and running.get_closest_marker("corpus") is None:
        pytest.fail(f"{running.nodeid} reads the corpus: mark it @pytest.mark.corpus")
    return _CORPUS


def gold_report(datasets: Path, domain: str) -> dict:
    """../shared/gold/score.py's figures for one domain's dataset in `datasets` against the dev gold
    (precision, recall, label_accuracy, recall_by_label, examples); skips without ../shared/gold."""
    import importlib.util

    gold = SHARED / "gold"
    if not (gold / "score.py").is_file():
        pytest.skip(f"needs {gold}/score.py: put the shared folder beside the project, or set TDM_SHARED")
    spec = importlib.util.spec_from_file_location("gold_score", gold / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.score(datasets, gold / "dev", 0)[domain]


_KEPT: dict[str, list[Example]] = {}


def corpus_kept(domain: str) -> list[Example]:
    """The domain's kept examples on 012_dev.txt (identify, extract, filter), each checked to rest
    on its source line; skips when the corpus is not beside the project."""
    from training_data_miner.skills.filter_quality import filter_quality

    path = corpus()
    if domain not in _KEPT:
        _KEPT[domain] = filter_quality(mine_file(path, domain)).kept
        lines = source_lines(path)
        for ex in _KEPT[domain]:
            assert ex.evidence in lines[ex.line - 1], ex.source
    return _KEPT[domain]


def examples_from_match(domain: str, text: str, pattern: str, before: tuple[str, ...] = (),
                        after: tuple[str, ...] = (), line: int = 100) -> list[Example]:
    """The domain's examples of one hand-made match (its line and context), as a run makes them."""
    from training_data_miner.skills.models import Match

    match = Match(domain=domain, pattern=pattern, line=line, text=text,
                  context_before=list(before), context_after=list(after))
    return extract_examples([match], PACKS[domain], "012.txt")


def one_example(domain: str, text: str, pattern: str, **kw) -> Example:
    """The one example a hand-made match makes (see `examples_from_match`); fails if not exactly one."""
    exs = examples_from_match(domain, text, pattern, **kw)
    assert len(exs) == 1, exs
    return exs[0]
