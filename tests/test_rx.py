"""rx.Gated: a gated pattern finds what its pattern finds, and skips the texts without its words."""

from __future__ import annotations

import re

from training_data_miner.skills.extractors import rx


def test_a_gate_changes_no_match_where_a_word_is_present():
    gated = rx.Gated(r"\bviolat\w+\s+WSP\s+\d+", ("violat",), re.IGNORECASE)
    for text in ("This VIOLATED WSP 3 twice", "no match here", "violations of WSP x", "Violates WSP 49; violated WSP 3"):
        assert (gated.search(text) and gated.search(text).span()) == (gated.regex.search(text) and
                                                                     gated.regex.search(text).span())
        assert [m.span() for m in gated.finditer(text)] == [m.span() for m in gated.regex.finditer(text)]
        assert gated.sub("-", text) == gated.regex.sub("-", text)


def test_a_text_without_the_words_is_not_searched():
    # a gate whose words the pattern does not need shows the skip: the pattern would match
    gated = rx.Gated(r"WSP \d+", ("complian",))
    assert gated.regex.search("WSP 22") is not None
    assert gated.search("WSP 22") is None and list(gated.finditer("WSP 22")) == []
    assert gated.sub("-", "WSP 22") == "WSP 22"
    assert gated.search("WSP 22 compliance") is not None


def test_the_lower_case_of_a_source_text_can_be_given():
    gated = rx.Gated(r"WSP# compliant", ("compliant",))
    line = "Root now WSP 3 compliant"
    tokenized = "Root now WSP# compliant"
    assert gated.search(tokenized, line.lower()).group(0) == "WSP# compliant"
    assert gated.search(tokenized, "root now") is None  # the given lower case decides
