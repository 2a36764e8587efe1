"""rx.Alternation finds what its whole pattern finds, on every line of the sample and 012_dev.txt."""

from __future__ import annotations

import importlib

import pytest
import regex
from helpers import SAMPLE, corpus

from training_data_miner.skills.extractors import NAMES, rx

ALTERNATIONS = [(f"{name}.{attr}", value) for name in NAMES
                for attr, value in vars(importlib.import_module(f"training_data_miner.skills.extractors.{name}")).items()
                if isinstance(value, rx.Alternation)]


def _lines(source: str) -> list[str]:
    path = SAMPLE if source == "sample" else corpus()
    return path.read_text(encoding="utf-8", errors="replace").splitlines()


def test_the_extractors_use_alternations():
    assert {name for name, _ in ALTERNATIONS} >= {"wsp_application._NOISE", "wsp_application._PATH",
                                                    "wsp_application._NAMES"}


@pytest.mark.parametrize("source", ["sample", pytest.param("012_dev", marks=pytest.mark.corpus)])
@pytest.mark.parametrize("name,alt", ALTERNATIONS, ids=[n for n, _ in ALTERNATIONS])
def test_same_matches_as_the_whole_pattern(name, alt, source):
    whole = regex.compile(alt.pattern, alt.flags)
    lines = _lines(source)
    found = 0
    for line in lines:
        m, w = alt.search(line), whole.search(line)
        assert (m and (m.span(), m[0])) == (w and (w.span(), w[0])), (name, line)
        assert [x.span() for x in alt.finditer(line)] == [x.span() for x in whole.finditer(line)], (name, line)
        assert alt.sub(" ", line) == whole.sub(" ", line), (name, line)
        found += w is not None
    assert found > 0, f"{name} matched no line: the comparison proved nothing"


def test_leftmost_then_first_alternative():
    alt = rx.Alternation(r"b+", r"ab", r"a")
    assert alt.search("xab")[0] == "ab"  # at the leftmost start, the first alternative that matches there
    assert alt.search("xbab")[0] == "b"  # an earlier start beats an earlier alternative
    assert [m[0] for m in alt.finditer("abbab a")] == ["ab", "b", "ab", "a"]
    assert alt.sub(r"<\g<0>>", "abbab a") == "<ab><b><ab> <a>"
    assert alt.search("xyz") is None and alt.sub("-", "xyz") == "xyz"


def test_lookbehind_sees_before_the_search_position():
    alt = rx.Alternation(r"(?<![\w.])[a-z]+\.py", r"(?<!\w)[0-9]+")
    # after "12", the search goes on from "x.py", whose lookbehind must still see the "2"
    assert [m[0] for m in alt.finditer("12x.py a.py b12 3")] == ["12", "a.py", "3"]


def test_an_alternative_that_matches_empty_is_refused_not_looped():
    with pytest.raises(ValueError, match="empty string"):
        list(rx.Alternation(r"x", r"\b").finditer("ab"))
