"""identify_domain_patterns: one pass for all domains, line numbers, context, fast == slow path."""

from __future__ import annotations

import itertools

import pytest
import regex

from helpers import PACKS, SAMPLE, corpus, source_lines

from training_data_miner.skills.identify_domain_patterns import Scanner, identify_domain_patterns, prefilter_expression, scan
from training_data_miner.skills.models import Match, PatternError
from training_data_miner.skills.packs import DomainPack, PatternSpec


def _key(m):
    return (m.domain, m.line, m.pattern, tuple(m.also_matched), m.text, tuple(m.context_before),
            tuple(m.context_after))


def test_line_numbers_are_1_based_and_context_is_5_lines(tmp_path):
    lines = [f"filler {i}" for i in range(1, 21)]
    lines[9] = "[0102-MPS] Batch 002 Score: 11 (Priority: P2)"  # line 10
    src = tmp_path / "s.txt"
    src.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")
    res = identify_domain_patterns(src, [PACKS["mps_scoring"]], context=5)
    (m,) = res.matches["mps_scoring"]
    assert m.line == 10
    assert m.text == lines[9]
    assert PACKS["mps_scoring"].context_before is None  # the pack asks for nothing more: the scan's 5
    ctx = 5
    assert m.context_before == lines[9 - ctx : 9]
    assert m.context_after == lines[10 : 10 + ctx]


def test_context_is_configurable(tmp_path):
    src = tmp_path / "s.txt"
    src.write_text("a\nb\nc\nRetire the poller. Priority: P2 (MPS: 12)\nd\ne\nf\n", encoding="utf-8")
    pack = PACKS["mps_scoring"].model_copy(update={"context_before": None, "context_after": None})
    (m,) = identify_domain_patterns(src, [pack], context=2).matches["mps_scoring"]
    assert m.context_before == ["b", "c"] and m.context_after == ["d", "e"]


@pytest.mark.corpus
def test_every_match_is_on_its_line_of_the_corpus():
    packs = list(PACKS.values())
    res = identify_domain_patterns(corpus(), packs)
    lines = source_lines(corpus())
    total = 0
    for domain, matches in res.matches.items():
        for m in matches:
            assert m.text in lines[m.line - 1], (domain, m.line)
            total += 1
    assert total > 1000
    assert set(res.matches) == set(PACKS)


@pytest.mark.corpus
def test_fast_prefilter_and_regex_only_paths_find_the_same_matches():
    packs = list(PACKS.values())
    fast = Scanner(packs)
    slow = Scanner(packs, use_fast=False)
    assert len(fast.dbs) == len(fast.patterns) and not fast.fallback
    assert slow.dbs == [] and len(slow.fallback) == len(slow.patterns)
    a = [_key(m) for m in scan(corpus(), fast)]
    b = [_key(m) for m in scan(corpus(), slow)]
    assert a == b
    assert len(a) > 1000


def test_every_subset_of_domains_finds_each_domains_matches_as_the_regex_only_path(tmp_path):
    # A domain's matches must not depend on which other domains share the scan (worker processes
    # scan groups of domains). Hyperscan once missed lines when some patterns shared a database.
    packs = list(PACKS.values())
    want: dict[str, list] = {p.name: [] for p in packs}
    for m in scan(SAMPLE, Scanner(packs, use_fast=False)):
        want[m.domain].append(_key(m))
    for r in range(1, len(packs) + 1):
        for subset in itertools.combinations(packs, r):
            got: dict[str, list] = {p.name: [] for p in subset}
            for m in scan(SAMPLE, Scanner(list(subset))):
                got[m.domain].append(_key(m))
            assert got == {p.name: want[p.name] for p in subset}, [p.name for p in subset]


@pytest.mark.corpus
def test_block_boundaries_do_not_change_matches_or_context():
    packs = list(PACKS.values())
    scanner = Scanner(packs)
    whole = [_key(m) for m in scan(corpus(), scanner)]
    small = [_key(m) for m in scan(corpus(), scanner, block_bytes=64 * 1024)]
    assert whole == small


def test_blocks_of_fewer_lines_than_the_context_still_give_whole_windows(tmp_path):
    # Lines longer than a block: every block holds one or two lines, so a window's context comes
    # from several blocks before and after. Long lines are clipped in the context, and say so.
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()[:400]
    filler = "filler " * 450  # 3,150 characters, longer than MAX_CONTEXT_CHARS
    text = "\n".join(x for i, line in enumerate(lines) for x in ((line, filler) if i % 3 == 0 else (line,)))
    src = tmp_path / "long.txt"
    src.write_text(text, encoding="utf-8")  # no line end at the end of the file either
    scanner = Scanner(list(PACKS.values()))
    whole = [(*_key(m), m.truncated) for m in scan(src, scanner)]
    tiny = [(*_key(m), m.truncated) for m in scan(src, scanner, block_bytes=2048)]
    assert whole == tiny
    assert len(whole) > 20 and any(k[-1] for k in whole)
    source = text.lstrip("\ufeff").split("\n")
    size = {(p.domain, p.name): (p.before, p.after) for p in scanner.patterns}
    for m in scan(src, scanner, block_bytes=2048):
        before, after = size[(m.domain, m.pattern)]
        assert m.context_before == [t[:1000] for t in source[max(0, m.line - 1 - before) : m.line - 1]]
        assert m.context_after == [t[:1000] for t in source[m.line : m.line + after]]


def test_a_pattern_the_fast_engine_rejects_falls_back_and_still_matches(tmp_path):
    # A backreference: Hyperscan cannot compile it outside prefilter mode and an empty-matching
    # pattern not even there; `regex` handles both.
    pack = DomainPack(
        name="echo", description="repeated words", extractor="generic", label="matched",
        recommended_use="test", instructions={"default": "Find the repeated word."},
        wardrobe={"wardrobe_id": "w", "use_cases": ["t"]},
        patterns=[PatternSpec(name="empty_ok", regex=r"(?:zzz)?"), PatternSpec(name="twice", regex=r"\b(\w+) \1\b")],
    )
    src = tmp_path / "s.txt"
    src.write_text("no repeat here\nthe the end\n", encoding="utf-8")
    scanner = Scanner([pack])
    assert scanner.fallback  # at least the empty-matching pattern runs on `regex` alone
    res = identify_domain_patterns(src, [pack], scanner=scanner)
    assert res.counts["echo"]["twice"] == 1
    twice = [m for m in res.matches["echo"] if "twice" in (m.pattern, *m.also_matched)]
    assert [m.line for m in twice] == [2]


def test_catastrophic_pattern_times_out_and_the_run_goes_on(tmp_path):
    pack = DomainPack(
        name="evil", description="catastrophic backtracking", extractor="generic", label="matched",
        recommended_use="test", instructions={"default": "x"}, wardrobe={"wardrobe_id": "w", "use_cases": ["t"]},
        patterns=[PatternSpec(name="redos", regex=r"(a+)+$"), PatternSpec(name="plain", regex=r"MPS")],
    )
    src = tmp_path / "s.txt"
    src.write_text("a" * 5000 + "!\nMPS line\n", encoding="utf-8")
    # On the regex-only path the time limit is what saves the run; the fast prefilter (a DFA)
    # never even hands this line to `regex`, since the pattern cannot match it.
    res = identify_domain_patterns(src, [pack], scanner=Scanner([pack], timeout=0.2, use_fast=False))
    assert res.counts["evil"]["plain"] == 1
    (err,) = res.pattern_errors
    assert isinstance(err, PatternError) and err.pattern == "redos" and "timed out" in err.error
    fast = identify_domain_patterns(src, [pack], scanner=Scanner([pack], timeout=0.2))
    assert fast.counts["evil"] == {"redos": 0, "plain": 1} and fast.pattern_errors == []


def test_long_lines_are_cut_around_the_match_and_flagged(tmp_path):
    src = tmp_path / "s.txt"
    src.write_text("x" * 20_000 + " [0102-MPS] Batch 009 Score: 9 (Priority: P3) " + "y" * 20_000 + "\n",
                   encoding="utf-8")
    (m,) = identify_domain_patterns(src, [PACKS["mps_scoring"]]).matches["mps_scoring"]
    assert m.truncated and len(m.text) <= 4000
    assert "Batch 009 Score: 9" in m.text


def test_the_fast_engine_gets_bounded_repeats_opened_and_classes_untouched():
    assert prefilter_expression(r"^\s*#[^\n]{0,60}?(?:occam)[^\n]{0,60}?$") == r"^\s*#[^\n]{0,}?(?:occam)[^\n]{0,}?$"
    assert prefilter_expression(r"x{1,3}y{2,9}") == r"x{1,3}y{2,}"  # short repeats stay exact
    assert prefilter_expression(r"[{0,60}]\{0,60\}[^]{0,60}]") == r"[{0,60}]\{0,60\}[^]{0,60}]"
    # a superset: whatever the pattern matches, the opened one matches too
    for pattern, text in [(r"a[^\n]{0,10}b", "a0123456789b"), (r"(?:ab){2,20}c", "ababc")]:
        assert regex.search(pattern, text) and regex.search(prefilter_expression(pattern), text)
    assert not regex.search(r"a.{0,10}b", "a" + "x" * 20 + "b")
    assert regex.search(prefilter_expression(r"a.{0,10}b"), "a" + "x" * 20 + "b")


def test_trusted_builds_what_model_construct_builds():
    # The scan builds each Match with `trusted` (3x faster); a pydantic upgrade that changed what
    # an instance holds would show here.
    from training_data_miner.skills.models import Example, trusted

    for m in itertools.islice(scan(SAMPLE, Scanner(list(PACKS.values()))), 50):
        fields = dict(m.__dict__)
        a, b = trusted(Match, dict(fields)), Match.model_construct(**fields)
        assert a == b and a.model_dump_json() == b.model_dump_json()
        assert a.model_fields_set == b.model_fields_set and a.__pydantic_extra__ == b.__pydantic_extra__
        assert a.__pydantic_private__ == b.__pydantic_private__
        assert Match.model_validate(a.model_dump()) == a
    from training_data_miner.skills.extract_examples import extract_examples

    from training_data_miner.skills.structure import Structure

    pack = PACKS["mps_scoring"]
    ex = extract_examples(identify_domain_patterns(SAMPLE, [pack]).matches[pack.name], pack, SAMPLE.name,
                          Structure.read(SAMPLE))[0]
    copy = trusted(Example, {**ex.__dict__, "example_id": "x_1"})
    assert copy == ex.model_copy(update={"example_id": "x_1"}) and Example.model_validate(copy.model_dump()) == copy
    with pytest.raises(AssertionError, match="query"):
        trusted(Match, {k: v for k, v in fields.items() if k != "query"})  # every field must be given


def test_undecodable_bytes_and_crlf_in_matched_lines_and_context(tmp_path):
    src = tmp_path / "bad.txt"
    src.write_bytes(b"intro \xff line\r\n"
                    b"- Applied WSP 22 to modules/ai_intelligence/banter \xe9\xfe (ModLog updated)\r\n"
                    b"after \xc3 line\r\n" + b"filler\n" * 3)
    packs = [PACKS["wsp_application"]]
    fast = list(scan(src, Scanner(packs)))
    assert [(m.line, m.text, m.context_before, m.context_after[:1]) for m in fast] == [
        (2, "- Applied WSP 22 to modules/ai_intelligence/banter \ufffd\ufffd (ModLog updated)",
         ["intro \ufffd line"], ["after \ufffd line"])]
    assert [_key(m) for m in scan(src, Scanner(packs, use_fast=False))] == [_key(m) for m in fast]
