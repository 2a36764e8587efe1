"""Reviewers' verdicts on mined examples, and what they do to the next mine.

A verdict is GOOD, WEAK or WRONG, with a note, from a reviewer (`person`, or `model:<name>` for a
client's model asked through MCP sampling) at a time. Verdicts are stored per domain under the
data folder (`reviews/{domain}.verdicts.jsonl`), one JSON line each, appended under a lock and
fsynced; the latest verdict on an example is the one that counts.

A verdict is keyed by the example's fingerprint: a hash of what the example says (instruction,
input, output) and of the source text it rests on (its `evidence`, taken from its source line).
Not the example_id, which is only its position in one run, and not the line number, so a verdict
survives a re-mine, and lines added to the source above the example.

The next mine applies the verdicts after the quality filter (`apply_verdicts`):
- an example marked WRONG goes to the rejected file, with the reviewer's note;
- an example marked GOOD is kept even where the filter's heuristics reject it (not an exact copy
  of a kept example); its `quality_score` is then the reviewer's 1.0, its heuristic score stays
  in `quality.score` with the reason it was rejected, because the trainer reads `quality_score`;
- reviewed precision, GOOD / reviewed with a 95% Wilson score interval, is measured over the
  examples the filter kept, the population the heuristics answer for.

`RUBRIC` is the audit protocol a reviewer follows (the project's own wording of it), and what a
model reviewer is given as its system prompt.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

import regex
from pydantic import BaseModel, Field, field_validator

from training_data_miner.skills.files import append_jsonl, read_jsonl
from training_data_miner.skills.filter_quality import reason_key
from training_data_miner.skills.models import (
    Example,
    FilterResult,
    PatternType,
    Rejected,
    ReviewedExample,
    ReviewedPrecision,
    ReviewFeedback,
)

VERDICTS: tuple[str, ...] = ("GOOD", "WEAK", "WRONG")
VerdictName = Literal["GOOD", "WEAK", "WRONG"]
FINGERPRINT_PATTERN = r"^[0-9a-f]{20}$"
REVIEWER_PATTERN = r"^(person|person:\S.{0,98}|model:\S.{0,98})$"
_REVIEWER = regex.compile(REVIEWER_PATTERN)
REVIEWED_WRONG = "Reviewed WRONG"
REVIEWED_GOOD = "Reviewed GOOD"
Z_95 = 1.959964


class Verdict(BaseModel):
    fingerprint: str = Field(pattern=FINGERPRINT_PATTERN)
    domain: str
    verdict: VerdictName
    note: str = Field("", max_length=2000)
    reviewer: str = Field(description="'person' (or 'person:<name>'), or 'model:<name>'")
    time: str = Field(description="when it was given, ISO 8601 UTC")
    example_id: str | None = Field(None, description="the example's id in the run it was judged in")
    source: str | None = None
    pattern: str | None = None

    @field_validator("reviewer")
    @classmethod
    def _reviewer(cls, value: str) -> str:
        if not _REVIEWER.fullmatch(value):
            raise ValueError(f"reviewer {value!r}: expected 'person', 'person:<name>' or 'model:<name>'")
        return value


def fingerprint(example: Example | Mapping[str, Any]) -> str:
    """The example's identity across runs: its instruction, input, output and evidence."""
    ex = example.model_dump(mode="json") if isinstance(example, Example) else example
    blob = json.dumps([ex["instruction"], ex["input"], ex["output"], ex.get("evidence", "")],
                      sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:20]


def verdicts_path(reviews_dir: Path, domain: str) -> Path:
    return Path(reviews_dir) / f"{domain}.verdicts.jsonl"


def new_verdict(example: Example | Mapping[str, Any], domain: str, verdict: str, reviewer: str,
                note: str = "") -> Verdict:
    ex = example.model_dump(mode="json") if isinstance(example, Example) else example
    return Verdict(fingerprint=fingerprint(ex), domain=domain, verdict=verdict, note=" ".join(note.split()),  # type: ignore[arg-type]
                   reviewer=reviewer, time=datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                   example_id=ex.get("example_id"), source=ex.get("source"), pattern=ex.get("pattern"))


def record_verdict(reviews_dir: Path, verdict: Verdict) -> Verdict:
    """Append the verdict to its domain's file; once this returns, it is on disk."""
    append_jsonl(verdicts_path(reviews_dir, verdict.domain), verdict.model_dump(mode="json"))
    return verdict


def read_verdicts(reviews_dir: Path, domain: str) -> dict[str, Verdict]:
    """fingerprint -> the latest verdict on it."""
    latest: dict[str, Verdict] = {}
    for record in read_jsonl(verdicts_path(reviews_dir, domain)):
        v = Verdict.model_validate(record)
        latest[v.fingerprint] = v
    return latest


# -- precision ------------------------------------------------------------------------------------

def wilson(good: int, n: int, z: float = Z_95) -> tuple[float, float] | None:
    """The Wilson score interval of good/n (None for n = 0): unlike p +- z*sqrt(p(1-p)/n) it stays
    inside [0, 1] and is not zero-width at 0/n or n/n, which small review samples often are."""
    if n <= 0:
        return None
    p = good / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return round(max(0.0, centre - half), 3), round(min(1.0, centre + half), 3)


def reviewed_precision(verdicts: Iterable[Verdict | None]) -> ReviewedPrecision:
    """Precision over the verdicts given (None: an example nobody reviewed, not counted)."""
    counts = Counter(v.verdict for v in verdicts if v is not None)
    n = sum(counts.values())
    return ReviewedPrecision(reviewed=n, good=counts["GOOD"], weak=counts["WEAK"], wrong=counts["WRONG"],
                             precision=round(counts["GOOD"] / n, 3) if n else None,
                             interval_95=wilson(counts["GOOD"], n))


def describe(p: ReviewedPrecision | Mapping[str, Any] | None) -> str:
    """One line for people: 'reviewed precision 0.80 (8 GOOD of 10 reviewed; 95% interval 0.49-0.94)'."""
    if p is None:
        return "reviewed precision: not measured (no example reviewed)"
    d = p.model_dump() if isinstance(p, ReviewedPrecision) else dict(p)
    if not d.get("reviewed"):
        return "reviewed precision: not measured (no example reviewed)"
    lo, hi = d["interval_95"]
    return (f"reviewed precision {d['precision']:.2f} ({d['good']} GOOD of {d['reviewed']} reviewed; "
            f"95% interval {lo:.2f}-{hi:.2f})")


# -- feedback into a mine ---------------------------------------------------------------------------

def _reviewed(ex: Example, v: Verdict, filter_reason: str | None = None) -> ReviewedExample:
    return ReviewedExample(example_id=ex.example_id, fingerprint=v.fingerprint, pattern=ex.pattern,
                           source=ex.source, reviewer=v.reviewer, note=v.note, filter_reason=filter_reason)


def wrong_reason(v: Verdict) -> str:
    return f"{REVIEWED_WRONG} by {v.reviewer} on {v.time}: {v.note or '(no note)'}"


def apply_verdicts(fr: FilterResult, examples: list[Example], verdicts: Mapping[str, Verdict],
                   pattern_type: PatternType | None = None) -> FilterResult:
    """The filter's result with the reviewers' verdicts applied (see the module's docstring).
    `examples` are all the run's examples in extraction order (the kept ones' order); with no
    verdicts, `fr` is returned as it is."""
    if not verdicts:
        return fr
    fps = {ex.example_id: fingerprint(ex) for ex in examples}
    counts = Counter(fr.reason_counts)
    kept: list[Example] = []
    rejected: list[Rejected] = []
    dropped: list[ReviewedExample] = []
    for ex in fr.kept:
        v = verdicts.get(fps[ex.example_id])
        if v is not None and v.verdict == "WRONG":
            rejected.append(Rejected(example=ex, reasons=[wrong_reason(v)]))
            dropped.append(_reviewed(ex, v))
            counts[REVIEWED_WRONG] += 1
        else:
            kept.append(ex)
    rescued: dict[str, Example] = {}
    kept_good: list[ReviewedExample] = []
    for r in fr.rejected:
        ex = r.example
        v = verdicts.get(fps[ex.example_id])
        exact_copy = r.duplicate_of is not None and r.similarity == 1.0  # its content is kept already
        if v is not None and v.verdict == "GOOD" and not exact_copy:
            why = r.reasons[0]
            quality = ex.quality.model_copy(update={"reasons": [
                *ex.quality.reasons, f"{REVIEWED_GOOD} by {v.reviewer} on {v.time}: kept although the filter "
                f"rejected it ({why}); quality_score is the reviewer's"]})
            rescued[ex.example_id] = ex.model_copy(update={"quality_score": 1.0, "quality": quality})
            kept_good.append(_reviewed(ex, v, why))
            counts[reason_key(r)] -= 1
            continue
        if v is not None and v.verdict == "WRONG":
            r = r.model_copy(update={"reasons": [*r.reasons, wrong_reason(v)]})
        rejected.append(r)
    if rescued:  # back to the run's order, as the filter orders what it keeps
        keep = {ex.example_id for ex in kept}
        kept = [rescued.get(ex.example_id, ex) for ex in examples if ex.example_id in keep or ex.example_id in rescued]
        if pattern_type is not None:
            kept.sort(key=lambda e: e.kind != pattern_type)
    rejected.sort(key=lambda r: r.example.line)
    seen = set(fps.values())
    wrong = Counter(r.example.pattern for r in rejected
                    if (v := verdicts.get(fps[r.example.example_id])) is not None and v.verdict == "WRONG")
    review = ReviewFeedback(
        precision=reviewed_precision(verdicts.get(fps[ex.example_id]) for ex in fr.kept),
        dropped_wrong=dropped, kept_good=kept_good, wrong_by_pattern=dict(wrong.most_common()),
        unmatched_verdicts=dict(Counter(v.verdict for fp, v in verdicts.items() if fp not in seen)),
    )
    return fr.model_copy(update={
        "kept": kept, "rejected": rejected, "review": review,
        "reason_counts": {k: n for k, n in counts.most_common() if n > 0},
    })


def review_notes(review: ReviewFeedback | None) -> list[str]:
    """What the verdicts did, for the pattern summary's notes."""
    if review is None:
        return []
    notes = [describe(review.precision) + ", over the examples the quality filter kept"]
    if review.dropped_wrong:
        ids = ", ".join(f"{r.example_id} ({r.note or 'no note'})" for r in review.dropped_wrong[:5])
        notes.append(f"{len(review.dropped_wrong)} example(s) the filter kept were dropped: a reviewer marked them "
                     f"WRONG: {ids}{' ...' if len(review.dropped_wrong) > 5 else ''}")
    if review.kept_good:
        ids = ", ".join(f"{r.example_id} ({r.filter_reason})" for r in review.kept_good[:5])
        notes.append(f"{len(review.kept_good)} example(s) kept although the filter rejected them: a reviewer "
                     f"marked them GOOD: {ids}{' ...' if len(review.kept_good) > 5 else ''}")
    gone = sum(review.unmatched_verdicts.values())
    if gone:
        notes.append(f"{gone} verdict(s) match no example of this run (the source or the extractor changed): "
                     + ", ".join(f"{n} {k}" for k, n in sorted(review.unmatched_verdicts.items())))
    return notes


def learning(review: ReviewFeedback | None, limit: int = 50) -> dict[str, Any] | None:
    """learning_feedback's account of the review: precision, and which patterns made the WRONG ones."""
    if review is None:
        return None
    return {
        "reviewed_precision": review.precision.model_dump(mode="json"),
        "wrong_by_pattern": review.wrong_by_pattern,
        "dropped_wrong": [r.model_dump(mode="json", exclude={"filter_reason"}) for r in review.dropped_wrong[:limit]],
        "kept_good": [r.model_dump(mode="json") for r in review.kept_good[:limit]],
    }


# -- precision of a written dataset, as verdicts stand now -------------------------------------------

def reviewed_population(dataset: Mapping[str, Any], rejected: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """The examples the quality filter kept in the run that wrote `dataset`: its examples, less
    those kept only for a GOOD verdict, plus those dropped only for a WRONG one."""
    review = (dataset.get("metadata") or {}).get("review") or {}
    rescued = {r["fingerprint"] for r in review.get("kept_good", [])}
    out = [ex for ex in dataset.get("examples", []) if fingerprint(ex) not in rescued]
    for r in (rejected or {}).get("rejected", []):
        reasons = r.get("reasons") or []
        if reasons and all(str(x).startswith(REVIEWED_WRONG) for x in reasons):
            out.append(r["example"])
    return out


def live_precision(dataset: Mapping[str, Any], rejected: Mapping[str, Any] | None,
                   verdicts: Mapping[str, Verdict]) -> ReviewedPrecision:
    """Reviewed precision of the written dataset's run under the verdicts as they stand now."""
    return reviewed_precision(verdicts.get(fingerprint(ex)) for ex in reviewed_population(dataset, rejected))


# -- a model as reviewer -----------------------------------------------------------------------------

RUBRIC = """\
You review instruction-tuning examples mined from an agent team's decision log. Each example is to
teach a 270M-parameter model one domain's skill. You see the example and the source lines around
the line it was taken from, and nothing else. Judge it as training data, by this rubric:

GOOD: every fact in the output can be found in the source lines; the input holds what is needed to
arrive at the output (or the output is the correct answer to the instruction given the input, using
only the domain's own rules, such as the WSP 15 scoring table); and it teaches the skill its
instruction names.

WEAK: faithful to the source but of little value for training: trivial; an input that is nearly
empty; an output that cannot be derived from the input; a list that is cut short; or a near-copy of
many other examples.

WRONG: unfaithful to the source; or a field is garbled (a sentence fragment, a date cut short such as
"-12-24", link targets, emoji tags, a Status, Date or WSP line taken for a decision); or its label is
wrong; or it does not teach what its instruction says.

Answer with exactly two lines and nothing else:
VERDICT: GOOD or WEAK or WRONG
REASON: one short line saying why"""

SOURCE_WINDOW = 15  # lines each side of the example's line: the ~30 lines the audit protocol reads
SOURCE_LINE_CHARS = 300


def judge_prompt(domain: str, description: str, example: Mapping[str, Any],
                 window: list[tuple[int, str]]) -> str:
    """The user message that asks a model for one verdict: the example and its source lines, the
    example's own line marked with '>>'."""
    line = int(str(example["source"]).rsplit(":line_", 1)[1])
    shown = "\n".join(f"{'>>' if n == line else '  '} {n:>6} | {_clip(text, SOURCE_LINE_CHARS)}" for n, text in window)
    where = f"lines {window[0][0]}-{window[-1][0]}" if window else "no lines (the source could not be read)"
    return (
        f"Domain: {domain}: {description}\n\n"
        f"Example {example.get('example_id', '')} (from {example['source']}):\n"
        f"Instruction: {example['instruction']}\n"
        f"Input: {json.dumps(example['input'], indent=2, ensure_ascii=False)}\n"
        f"Output: {json.dumps(example['output'], indent=2, ensure_ascii=False)}\n\n"
        f"Source {where}; the example's line {line} is marked with >>:\n{shown}\n\n"
        "Judge this example by the rubric. Answer with the two lines VERDICT: and REASON:."
    )


def source_window(lines: list[str], line: int, around: int = SOURCE_WINDOW) -> list[tuple[int, str]]:
    """(number, text) of the lines around `line` (1-based) that exist in `lines`."""
    lo, hi = max(1, line - around), min(len(lines), line + around)
    return [(n, lines[n - 1]) for n in range(lo, hi + 1)]


_VERDICT_LINE = regex.compile(r"verdict\W{0,6}(GOOD|WEAK|WRONG)\b", regex.IGNORECASE)
_WORD = regex.compile(r"\b(GOOD|WEAK|WRONG)\b")
_REASON = regex.compile(r"^\W*reason\W*[:=-]\s*(.+)$", regex.IGNORECASE | regex.MULTILINE)


def parse_judgement(text: str) -> tuple[str, str] | None:
    """(verdict, reason) from a model's answer: its 'VERDICT:' line, or else the one verdict word
    it uses in capitals; None when it gives none, or more than one without a VERDICT line."""
    m = _VERDICT_LINE.search(text)
    if m:
        verdict = m.group(1).upper()
    else:
        words = set(_WORD.findall(text))
        if len(words) != 1:
            return None
        verdict = words.pop()
    reason = _REASON.search(text)
    note = reason.group(1) if reason else _VERDICT_LINE.sub("", text)
    return verdict, _clip(" ".join(note.split()).strip(" .:-*"), 300)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
