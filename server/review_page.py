"""The review page and the report page, for people in a browser.

`/review` shows a domain's examples one under another, each readable: its instruction, input and
output, its quality score and reasons, and the source lines around its line (that line marked). A
person marks each GOOD, WEAK or WRONG (keys 1/2/3, j/k to move, n for the note) and the verdict is
stored at once (skills/review.py). It shows a random sample of N (the seed in the URL, so a reload
shows the same sample) or all, filtered by label, pattern or verdict. Examples a reviewer marked
that the last mine rejected are shown too, so a WRONG mark can be read again and undone.

`/report` shows, per domain, what was kept and rejected and why, the label distribution, the
quality-score histogram and the reviewed precision, as SVG drawn here: one HTML file with nothing
to fetch (`training-data-miner report --out FILE.html` writes the same page).

Plain server-rendered HTML with a little inline JavaScript (its CSP nonce per response), no build
step. `training-data-miner review` serves these pages alone on 127.0.0.1; `serve --http` serves
them beside /mcp, behind the same token, Host/Origin and size guards (server/http_security.py).
Source lines are read only inside the roots, and only while the source still has the sha256 the
dataset recorded, as for every MCP read.
"""

from __future__ import annotations

import hashlib
import html
import json
import secrets
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import anyio.to_thread
import regex
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from training_data_miner.server.orchestrator import Settings
from training_data_miner.server.roots import OutsideRoots, check_recorded
from training_data_miner.skills.files import atomic_write_text
from training_data_miner.skills.filter_quality import reason_key
from training_data_miner.skills.identify_domain_patterns import source_lines
from training_data_miner.skills.load_source import SourceError
from training_data_miner.skills.models import Rejected
from training_data_miner.skills.review import (
    FINGERPRINT_PATTERN,
    REVIEWED_WRONG,
    VERDICTS,
    Verdict,
    describe,
    fingerprint,
    live_precision,
    new_verdict,
    read_verdicts,
    record_verdict,
)
from training_data_miner.skills.validate import read_dataset

PAGE_PATHS = ("/review", "/report")  # what `serve --http` routes here instead of to the MCP app
DEFAULT_SAMPLE = 20
MAX_SAMPLE = 2000
PAGE_AROUND = 8  # source lines shown each side of an example's line
NOTE_CHARS = 1000
REVIEWER = "person"


def is_page_path(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in PAGE_PATHS)


class PageError(ValueError):
    """A request the pages cannot answer; the message says what to do."""


@dataclass
class Entry:
    example: dict[str, Any]
    fingerprint: str
    rejected: list[str] | None = None  # the last mine's reasons, for a reviewed example it rejected

    @property
    def line(self) -> int:
        return int(str(self.example["source"]).rsplit(":line_", 1)[1])


@dataclass
class DomainData:
    domain: str
    dataset: dict[str, Any]
    rejected: dict[str, Any] | None
    verdicts: dict[str, Verdict]
    entries: list[Entry] = field(default_factory=list)


class Pages:
    """What the pages read and write: the datasets and verdicts under `settings`, the sources
    inside `roots`; `domains` (None: every domain with a dataset) limits what is shown."""

    def __init__(self, settings: Settings, roots: list[Path], domains: list[str] | None = None):
        self.settings = settings
        self.roots = roots
        self.only = list(domains) if domains else None

    def domains(self) -> list[str]:
        out = self.settings.out
        found = sorted(p.name.removesuffix("_training_data.json") for p in out.glob("*_training_data.json")
                       if p.exists()) \
            if out.is_dir() else []
        return [d for d in found if self.only is None or d in self.only]

    def check_domains(self) -> None:
        """For `review --domain D`: every D must have a dataset."""
        missing = [d for d in self.only or [] if d not in self.domains()]
        if missing:
            raise PageError(f"no dataset for {', '.join(missing)} in {self.settings.out}; mine it first "
                            f"(training-data-miner mine SOURCE --domain {missing[0]})")

    def load(self, domain: str) -> DomainData:
        if domain not in self.domains():
            raise PageError(f"no dataset for domain {domain!r} in {self.settings.out}; "
                            f"domains with one: {', '.join(self.domains()) or 'none yet (run mine first)'}")
        out = self.settings.out
        dataset = read_dataset(out / f"{domain}_training_data.json")
        try:
            rejected: dict[str, Any] | None = read_dataset(out / f"{domain}_rejected_examples.json")
        except ValueError:
            rejected = None
        data = DomainData(domain, dataset, rejected, read_verdicts(self.settings.reviews, domain))
        data.entries = [Entry(ex, fingerprint(ex)) for ex in dataset.get("examples", [])]
        for r in (rejected or {}).get("rejected", []):
            fp = fingerprint(r["example"])
            if fp in data.verdicts:
                data.entries.append(Entry(r["example"], fp, list(r.get("reasons") or [])))
        return data

    def record(self, domain: str, fp: str, verdict: str, note: str) -> Verdict:
        data = self.load(domain)
        entry = next((e for e in data.entries if e.fingerprint == fp), None)
        if entry is None:
            raise PageError(f"no example with fingerprint {fp} in {domain}'s dataset; reload the page "
                            "(the dataset may have been mined again)")
        return record_verdict(self.settings.reviews, new_verdict(entry.example, domain, verdict, REVIEWER, note))

    def source(self, dataset: dict[str, Any], wanted: set[int]) -> tuple[dict[int, str], str | None]:
        """The source lines `wanted` of the dataset's source, or {} and why they are not shown."""
        src = (dataset.get("metadata") or {}).get("source_file") or {}
        path, sha, total = src.get("path"), src.get("sha256"), src.get("total_lines") or 0
        if not path or not sha:
            return {}, "the dataset does not record its source file"
        try:  # as an MCP read: inside the roots and unchanged, the path not named if it is outside
            real = check_recorded(path, sha, self.roots)
            return source_lines(real, {n for n in wanted if 1 <= n <= total}, sha), None
        except OutsideRoots as exc:
            return {}, f"source lines not shown: {exc}; start the page with --root for the source's folder"
        except SourceError as exc:  # changed since the mine, or gone
            return {}, f"source lines not shown: {exc}"


# -- the review page --------------------------------------------------------------------------------

@dataclass
class View:
    domain: str
    n: int | None  # None: all
    seed: int | None
    label: str = ""
    pattern: str = ""
    verdict: str = ""  # "", "none", GOOD, WEAK, WRONG

    def query(self, **change: Any) -> str:
        params = {"domain": self.domain, "n": "all" if self.n is None else self.n, "seed": self.seed,
                  "label": self.label, "pattern": self.pattern, "verdict": self.verdict, **change}
        return "/review?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})


def parse_view(params: dict[str, str], domains: list[str]) -> View:
    if not domains:
        raise PageError("no datasets yet: run `training-data-miner mine SOURCE` first, then reload")
    domain = params.get("domain") or domains[0]
    if domain not in domains:
        raise PageError(f"domain {domain!r} has no dataset here; choose one of {', '.join(domains)}")
    raw_n = params.get("n", str(DEFAULT_SAMPLE)).strip().lower()
    if raw_n == "all":
        n = None
    elif raw_n.isdigit() and 1 <= int(raw_n) <= MAX_SAMPLE:
        n = int(raw_n)
    else:
        raise PageError(f"n: expected a number from 1 to {MAX_SAMPLE}, or 'all'; got {raw_n!r}")
    seed = params.get("seed")
    if seed is not None and not seed.isdigit():
        raise PageError(f"seed: expected a whole number; got {seed!r}")
    verdict = params.get("verdict", "")
    if verdict not in ("", "none", *VERDICTS):
        raise PageError(f"verdict: expected one of none, {', '.join(VERDICTS)}, or nothing; got {verdict!r}")
    return View(domain, n, int(seed) if seed is not None else None, params.get("label", ""),
                params.get("pattern", ""), verdict)


def chosen(data: DomainData, view: View) -> list[Entry]:
    """The entries the view shows: filtered, then a sample of n drawn with the view's seed, in
    source order."""
    def keep(e: Entry) -> bool:
        v = data.verdicts.get(e.fingerprint)
        return ((not view.label or str(e.example.get("label")) == view.label)
                and (not view.pattern or e.example.get("pattern") == view.pattern)
                and (not view.verdict or (v is None if view.verdict == "none" else v is not None and v.verdict == view.verdict)))
    pool = [e for e in data.entries if keep(e)]
    if view.n is not None and len(pool) > view.n:
        # the n examples whose seeded hash is smallest: the same sample on every reload, and after a
        # re-mine too (bar the examples it adds or drops), whatever the order of the files
        pool = sorted(pool, key=lambda e: hashlib.sha256(f"{view.seed}:{e.fingerprint}".encode()).digest())[:view.n]
    return sorted(pool, key=lambda e: (e.line, e.example.get("example_id", "")))


def review_page(pages: Pages, view: View, nonce: str) -> str:
    data = pages.load(view.domain)
    shown = chosen(data, view)
    wanted = {n for e in shown for n in range(e.line - PAGE_AROUND, e.line + PAGE_AROUND + 1)}
    lines, why_not = pages.source(data.dataset, wanted)
    counts = Counter(v.verdict for e in data.entries if (v := data.verdicts.get(e.fingerprint)) is not None)
    precision = live_precision(data.dataset, data.rejected, data.verdicts)
    labels = sorted({str(e.example.get("label")) for e in data.entries if e.example.get("label") is not None})
    patterns = sorted({str(e.example.get("pattern")) for e in data.entries})
    nav = " ".join(f'<a href="{_e(View(d, view.n, view.seed).query())}"'
                   f'{" aria-current=page" if d == view.domain else ""}>{_e(d)}</a>' for d in pages.domains())
    body = [
        f"<header><nav><b>training-data-miner</b> review: {nav} · <a href=\"/report\">report</a></nav>",
        _filters(view, labels, patterns),
        f'<p class="stats">{data.dataset.get("total_examples", 0)} examples in the dataset; '
        f'{sum(counts.values())} reviewed ({", ".join(f"{k} {counts[k]}" for k in VERDICTS)}); '
        f'{_e(describe(precision))}. Showing {len(shown)}'
        f'{"" if view.n is None else f" (a random sample, seed {view.seed})"}.</p>',
        '<p class="keys">Keys: <kbd>1</kbd> GOOD · <kbd>2</kbd> WEAK · <kbd>3</kbd> WRONG · <kbd>j</kbd> next · '
        '<kbd>k</kbd> previous · <kbd>n</kbd> write a note (<kbd>Enter</kbd> or <kbd>Esc</kbd> to leave it). '
        'A verdict is saved at once; the next mine drops WRONG examples and keeps GOOD ones.</p>',
        f'<p id="status" role="status">{_e(why_not or "")}</p></header><main>',
    ]
    if not shown:
        body.append("<p>No example matches these filters.</p>")
    for i, e in enumerate(shown):
        body.append(_card(i, e, data.verdicts.get(e.fingerprint), lines))
    body.append("</main>")
    script = _SCRIPT.replace("__DOMAIN__", json.dumps(view.domain).replace("<", "\\u003c"))
    return _document(f"Review: {view.domain}", "\n".join(body), _REVIEW_CSS, f'<script nonce="{nonce}">{script}</script>')


def _filters(view: View, labels: list[str], patterns: list[str]) -> str:
    def select(name: str, current: str, options: list[tuple[str, str]]) -> str:
        opts = "".join(f'<option value="{_e(v)}"{" selected" if v == current else ""}>{_e(t)}</option>'
                       for v, t in options)
        return f'<label>{name} <select name="{name}">{opts}</select></label>'
    return (
        '<form method="get" action="/review" class="filters">'
        f'<input type="hidden" name="domain" value="{_e(view.domain)}">'
        f'<label>show <input name="n" size="5" value="{"all" if view.n is None else view.n}" '
        'title="a number for a random sample of that many, or all"></label> '
        + select("label", view.label, [("", "any"), *[(x, x) for x in labels]]) + " "
        + select("pattern", view.pattern, [("", "any"), *[(x, x) for x in patterns]]) + " "
        + select("verdict", view.verdict, [("", "any"), ("none", "not reviewed"), *[(v, v) for v in VERDICTS]])
        + ' <button type="submit">show</button></form>'
    )


def _card(i: int, e: Entry, v: Verdict | None, lines: dict[int, str]) -> str:
    ex = e.example
    q = ex.get("quality") or {}
    meta = " · ".join(_e(str(x)) for x in (ex.get("source"), f"pattern {ex.get('pattern')}",
                                             f"label {ex.get('label')}", ex.get("kind")) if x)
    reasons = "".join(f"<li>{_e(str(r))}</li>" for r in q.get("reasons") or [])
    criteria = ", ".join(f"{_e(k)} {val:.2f}" for k, val in (q.get("criteria") or {}).items())
    src = "".join(f'<span class="{"hit" if n == e.line else "ln"}"><i>{n}</i>{_e(lines[n])}</span>'
                  for n in range(e.line - PAGE_AROUND, e.line + PAGE_AROUND + 1) if n in lines)
    rejected = (f'<p class="rejected">Rejected by the last mine: {_e("; ".join(e.rejected))}</p>'
                if e.rejected is not None else "")
    return (
        f'<article class="ex" id="ex-{i}" data-fp="{e.fingerprint}" data-verdict="{v.verdict if v else ""}">'
        f'<header><h2>{_e(str(ex.get("example_id", "")))}</h2><span class="meta">{meta}</span>'
        f'<span class="verdict">{_verdict_text(v)}</span></header>{rejected}'
        f'<p class="instruction">{_e(str(ex.get("instruction", "")))}</p>'
        f'<div class="io"><section><h3>Input</h3>{_value(ex.get("input"))}</section>'
        f'<section><h3>Output</h3>{_value(ex.get("output"))}</section></div>'
        f'<p class="quality">Quality {float(ex.get("quality_score", 0)):.2f}'
        f'{f" ({criteria})" if criteria else ""}; evidence: <q>{_e(str(ex.get("evidence", "")))}</q></p>'
        + (f'<ul class="reasons">{reasons}</ul>' if reasons else "")
        + (f'<pre class="src">{src}</pre>' if src else "")
        + '<footer><button data-v="GOOD">1 GOOD</button> <button data-v="WEAK">2 WEAK</button> '
        f'<button data-v="WRONG">3 WRONG</button> <input class="note" maxlength="{NOTE_CHARS}" '
        f'placeholder="note: why (n)" aria-label="note" value="{_e(v.note if v else "")}"></footer></article>'
    )


def _verdict_text(v: Verdict | None) -> str:
    return "not reviewed" if v is None else _e(f"{v.verdict} by {v.reviewer}, {v.time}")


def _value(v: Any) -> str:
    """A JSON value as readable HTML: objects as term lists, lists as lists, text as written."""
    if isinstance(v, dict):
        if not v:
            return '<span class="empty">{}</span>'
        return "<dl>" + "".join(f"<dt>{_e(str(k))}</dt><dd>{_value(x)}</dd>" for k, x in v.items()) + "</dl>"
    if isinstance(v, list):
        if not v:
            return '<span class="empty">[]</span>'
        return "<ol>" + "".join(f"<li>{_value(x)}</li>" for x in v) + "</ol>"
    if isinstance(v, str):
        return f'<span class="text">{_e(v)}</span>'
    return f'<span class="scalar">{_e(json.dumps(v))}</span>'


# -- the report page -----------------------------------------------------------------------------------

def report_page(pages: Pages) -> str:
    domains = pages.domains()
    parts = ['<header><nav><b>training-data-miner</b> report · '
             + " · ".join(f'<a href="#d-{_e(d)}">{_e(d)}</a>' for d in domains)
             + ' · <a href="/review">review</a></nav></header><main>']
    if not domains:
        parts.append("<p>No datasets yet: run <code>training-data-miner mine SOURCE</code> first.</p>")
    for d in domains:
        parts.append(_domain_report(pages.load(d)))
    parts.append("</main>")
    return _document("Mining report", "\n".join(parts), _REPORT_CSS)


def _domain_report(data: DomainData) -> str:
    ds, rej = data.dataset, data.rejected or {}
    kept = ds.get("examples", [])
    rejected = rej.get("rejected", [])
    meta = ds.get("metadata") or {}
    src = meta.get("source_file") or {}
    reasons = list((rej.get("reason_counts") or {}).items())
    labels = sorted(Counter(str(e.get("label")) if e.get("label") is not None else "(none)" for e in kept).items())
    precision = live_precision(ds, data.rejected, data.verdicts)
    label_field = (meta.get("coverage_analysis") or {}).get("label_field", "label")
    examples = {}
    for r in rejected:
        examples.setdefault(_reason_of(r), r["example"])
    rows = "".join(f'<tr><td>{_e(k)}</td><td class="n">{n}</td><td>{_e(_example_ref(examples.get(k)))}</td></tr>'
                   for k, n in reasons)
    d = data.domain
    return (
        f'<section class="domain" id="d-{_e(d)}"><h2>{_e(d)}</h2>'
        f'<p class="figures"><b>{len(kept)}</b> kept · <b>{len(rejected)}</b> rejected · quality threshold '
        f'{ds.get("quality_threshold")} · source <code>{_e(Path(str(src.get("path", "?"))).name)}</code> '
        f'({src.get("total_lines", "?")} lines) · written {_e(str(ds.get("created", "?")))} · '
        f'{_e(describe(precision))}</p>'
        '<div class="charts">'
        + _figure(bar_chart("rejections", "Why examples were rejected", reasons, "#b4541f"),
                  "Rejected examples by reason")
        + _figure(bar_chart("labels", f"Kept examples by {label_field}", labels, "#2d6a9f"),
                  f"Label distribution of the kept examples ({_e(label_field)})")
        + _figure(quality_histogram([e.get("quality_score", 0) for e in kept],
                                    [r["example"].get("quality_score", 0) for r in rejected],
                                    ds.get("quality_threshold")), "Quality score: kept and rejected")
        + _figure(precision_chart(precision), "Reviewed precision (GOOD / reviewed, 95% Wilson interval)")
        + "</div>"
        + (f'<table><caption>Why examples were rejected</caption><tr><th>reason</th><th>examples</th>'
           f'<th>for instance</th></tr>{rows}</table>' if rows else "<p>No example was rejected.</p>")
        + "</section>"
    )


def _reason_of(r: dict[str, Any]) -> str:
    reasons = r.get("reasons") or [""]
    if reasons and all(str(x).startswith(REVIEWED_WRONG) for x in reasons):
        return REVIEWED_WRONG
    return reason_key(Rejected.model_validate(r))


def _example_ref(ex: dict[str, Any] | None) -> str:
    return "" if ex is None else f"{ex.get('example_id')} ({ex.get('source')})"


def _figure(svg: str, caption: str) -> str:
    return f"<figure>{svg}<figcaption>{caption}</figcaption></figure>"


# -- charts: inline SVG ------------------------------------------------------------------------------

CHART_WIDTH = 440
LABEL_WIDTH = 170
ROW = 22


def _svg(kind: str, title: str, height: int, body: str, **data: Any) -> str:
    extra = "".join(f' data-{k}="{_e(str(v))}"' for k, v in data.items())
    return (f'<svg class="chart" data-chart="{kind}"{extra} xmlns="http://www.w3.org/2000/svg" role="img" '
            f'aria-label="{_e(title)}" width="{CHART_WIDTH}" height="{height}" viewBox="0 0 {CHART_WIDTH} {height}">'
            f"<title>{_e(title)}</title>{body}</svg>")


def bar_chart(kind: str, title: str, rows: list[tuple[str, int]], colour: str) -> str:
    """Horizontal bars, one per (label, count), scaled to the largest."""
    if not rows:
        return _svg(kind, title, 40, f'<text x="8" y="24" class="none">none</text>', bars=0)
    top = max(n for _, n in rows) or 1
    room = CHART_WIDTH - LABEL_WIDTH - 50
    parts = []
    for i, (label, n) in enumerate(rows):
        y = 6 + i * ROW
        w = max(1.0, room * n / top) if n else 0.0
        short = label if len(label) <= 26 else label[:25] + "…"
        parts.append(f'<text x="{LABEL_WIDTH - 6}" y="{y + 14}" text-anchor="end"><title>{_e(label)}</title>{_e(short)}</text>'
                     f'<rect class="bar" data-label="{_e(label)}" data-value="{n}" x="{LABEL_WIDTH}" y="{y + 2}" '
                     f'width="{w:.1f}" height="{ROW - 6}" fill="{colour}"/>'
                     f'<text x="{LABEL_WIDTH + w + 5:.1f}" y="{y + 14}">{n}</text>')
    return _svg(kind, title, 12 + len(rows) * ROW, "".join(parts), bars=len(rows))


HIST_BINS = [round(0.5 + 0.05 * i, 2) for i in range(11)]  # 0.50 ... 1.00; below 0.5 is one bin


def quality_histogram(kept: list[float], rejected: list[float], threshold: float | None) -> str:
    """Examples per quality score (scores are multiples of 0.05), kept and rejected stacked."""
    def bin_of(q: float) -> int:
        return 0 if q < 0.5 - 1e-9 else 1 + min(10, round((q - 0.5) / 0.05))
    k, r = Counter(map(bin_of, kept)), Counter(map(bin_of, rejected))
    names = ["<.5", *[f"{b:.2f}".removeprefix("0") for b in HIST_BINS]]
    top = max([k[i] + r[i] for i in range(len(names))] + [1])
    height, base, left = 200, 170, 40
    step = (CHART_WIDTH - left - 10) / len(names)
    parts = [f'<line x1="{left}" y1="{base}" x2="{CHART_WIDTH - 10}" y2="{base}" stroke="#444"/>',
             f'<text x="{left - 4}" y="{base - 140 + 4}" text-anchor="end">{top}</text>',
             f'<text x="{left - 4}" y="{base + 4}" text-anchor="end">0</text>']
    for i, name in enumerate(names):
        x = left + i * step
        hk, hr = 140 * k[i] / top, 140 * r[i] / top
        parts.append(f'<rect class="bar kept" data-bin="{name}" data-value="{k[i]}" x="{x + 2:.1f}" y="{base - hk:.1f}" '
                     f'width="{step - 4:.1f}" height="{hk:.1f}" fill="#2f8f5b"><title>{name}: {k[i]} kept</title></rect>'
                     f'<rect class="bar rejected" data-bin="{name}" data-value="{r[i]}" x="{x + 2:.1f}" '
                     f'y="{base - hk - hr:.1f}" width="{step - 4:.1f}" height="{hr:.1f}" fill="#b9b9b9">'
                     f'<title>{name}: {r[i]} rejected</title></rect>')
        parts.append(f'<text x="{x + step / 2:.1f}" y="{base + 16}" text-anchor="middle">{name}</text>')
    if threshold is not None:
        tx = left + bin_of(float(threshold)) * step
        parts.append(f'<line class="threshold" x1="{tx:.1f}" y1="{base - 150}" x2="{tx:.1f}" y2="{base}" '
                     f'stroke="#b4541f" stroke-dasharray="4 3"/><text x="{tx + 3:.1f}" y="{base - 142}">'
                     f'threshold {threshold}</text>')
    parts.append(f'<text x="{CHART_WIDTH - 10}" y="{height - 2}" text-anchor="end" class="legend">'
                 '<tspan fill="#2f8f5b">■ kept</tspan> <tspan fill="#888">■ rejected</tspan></text>')
    return _svg("quality", "Quality score histogram, kept and rejected", height, "".join(parts),
                kept=len(kept), rejected=len(rejected))


def precision_chart(p: Any) -> str:
    """GOOD, WEAK and WRONG shares of the reviewed examples, and the precision with its interval."""
    if not p.reviewed:
        return _svg("precision", "Reviewed precision", 60,
                    '<text x="8" y="24" class="none">no example reviewed yet</text>'
                    '<text x="8" y="44" class="none">training-data-miner review, or review_examples over MCP</text>',
                    reviewed=0)
    left, width = 20, CHART_WIDTH - 40
    x, parts = float(left), []
    for name, n, colour in (("GOOD", p.good, "#2f8f5b"), ("WEAK", p.weak, "#d0a23c"), ("WRONG", p.wrong, "#b23b3b")):
        w = width * n / p.reviewed
        if n:
            parts.append(f'<rect class="bar" data-label="{name}" data-value="{n}" x="{x:.1f}" y="14" width="{w:.1f}" '
                         f'height="22" fill="{colour}"><title>{name}: {n}</title></rect>'
                         + (f'<text x="{x + 4:.1f}" y="30" fill="#fff">{name} {n}</text>' if w > 60 else ""))
        x += w
    lo, hi = p.interval_95
    px, lx, hx = (left + width * v for v in (p.precision, lo, hi))
    parts += [f'<line x1="{left}" y1="64" x2="{left + width}" y2="64" stroke="#444"/>',
              *[f'<text x="{left + width * t:.1f}" y="80" text-anchor="middle">{t:.1f}</text>' for t in (0, .2, .4, .6, .8, 1)],
              f'<line class="interval" x1="{lx:.1f}" y1="56" x2="{hx:.1f}" y2="56" stroke="#222" stroke-width="2"/>',
              f'<circle class="estimate" cx="{px:.1f}" cy="56" r="5" fill="#222"/>',
              f'<text x="{left}" y="100" class="value">precision {p.precision:.2f} (n={p.reviewed}; '
              f'95% interval {lo:.2f}-{hi:.2f})</text>']
    return _svg("precision", "Reviewed precision", 110, "".join(parts), reviewed=p.reviewed,
                precision=p.precision)


# -- documents --------------------------------------------------------------------------------------

def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _document(title: str, body: str, css: str, script: str = "") -> str:
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{_BASE_CSS}{css}</style>'
            f"</head><body>{body}{script}</body></html>\n")


_BASE_CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d1d1d;background:#f6f6f3}
header{padding:10px 18px;background:#fff;border-bottom:1px solid #ddd}nav a{margin:0 4px}
nav a[aria-current]{font-weight:bold;text-decoration:none;color:#1d1d1d}main{padding:10px 18px}
code,pre,kbd{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px}
kbd{border:1px solid #bbb;border-radius:3px;padding:0 4px;background:#fafafa}
"""

_REVIEW_CSS = """
.filters label{margin-right:10px}.stats,.keys{margin:6px 0;color:#444}#status{min-height:1.3em;margin:4px 0;color:#8a3b12}
article.ex{background:#fff;border:1px solid #ddd;border-left:6px solid #ddd;border-radius:4px;margin:12px 0;padding:10px 14px}
article.ex.current{border-color:#2d6a9f;box-shadow:0 0 0 2px #2d6a9f33}
article.ex[data-verdict=GOOD]{border-left-color:#2f8f5b}article.ex[data-verdict=WEAK]{border-left-color:#d0a23c}
article.ex[data-verdict=WRONG]{border-left-color:#b23b3b}
article.ex>header{display:flex;gap:12px;align-items:baseline;padding:0;border:0;flex-wrap:wrap}
article.ex h2{font-size:16px;margin:0}.meta{color:#555;font-size:13px}
.verdict{margin-left:auto;font-weight:bold;font-size:13px}
[data-verdict=GOOD] .verdict{color:#2f8f5b}[data-verdict=WEAK] .verdict{color:#9b7413}[data-verdict=WRONG] .verdict{color:#b23b3b}
.instruction{font-weight:600;margin:8px 0}.io{display:grid;grid-template-columns:1fr 1fr;gap:14px}
.io h3{font-size:13px;margin:4px 0;color:#555;text-transform:uppercase;letter-spacing:.04em}
dl{margin:0;display:grid;grid-template-columns:max-content 1fr;gap:2px 10px}dt{color:#555;font-size:13px}dd{margin:0}
.text{white-space:pre-wrap}ol{margin:0;padding-left:22px}.quality{margin:8px 0 2px;font-size:13px;color:#333}
.reasons{margin:0 0 6px;font-size:13px;color:#8a3b12}.rejected{color:#8a3b12;font-size:13px}
pre.src{background:#fbfbf8;border:1px solid #e3e3dc;padding:6px 0;overflow-x:auto}
pre.src span{display:block;padding:0 8px;white-space:pre}pre.src i{display:inline-block;width:4.5em;color:#999;font-style:normal}
pre.src .hit{background:#fff3b0;font-weight:bold}footer{display:flex;gap:6px;align-items:center}
footer button{font-weight:600}footer .note{flex:1;padding:4px}
"""

_REPORT_CSS = """
section.domain{background:#fff;border:1px solid #ddd;border-radius:4px;margin:14px 0;padding:10px 16px}
section.domain h2{margin:4px 0}.figures{color:#333}.charts{display:flex;flex-wrap:wrap;gap:16px}
figure{margin:0}figcaption{font-size:13px;color:#555}svg.chart{font:12px system-ui,sans-serif;background:#fcfcfa}
svg .none{fill:#777}table{border-collapse:collapse;margin:10px 0;font-size:13px}caption{text-align:left;font-weight:600}
td,th{border:1px solid #ddd;padding:3px 8px;text-align:left}td.n{text-align:right}
"""

_SCRIPT = r"""
const DOMAIN = __DOMAIN__;
const cards = [...document.querySelectorAll("article.ex")];
const status = document.getElementById("status");
let cur = 0;
function show(i) {
  if (!cards.length) return;
  cur = Math.max(0, Math.min(cards.length - 1, i));
  cards.forEach((c, j) => c.classList.toggle("current", j === cur));
  cards[cur].scrollIntoView({block: "nearest"});
}
async function mark(card, verdict) {
  const note = card.querySelector(".note").value;
  card.querySelector(".verdict").textContent = verdict + " (saving)";
  try {
    const r = await fetch("/review/verdict", {method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify({domain: DOMAIN, fingerprint: card.dataset.fp, verdict: verdict, note: note})});
    const body = await r.json();
    if (!r.ok) throw new Error(body.error || r.statusText);
    card.dataset.verdict = body.verdict;
    card.querySelector(".verdict").textContent = body.verdict + " by " + body.reviewer + ", " + body.time;
    status.textContent = card.querySelector("h2").textContent + ": " + body.verdict + " saved";
  } catch (err) {
    card.querySelector(".verdict").textContent = verdict + " NOT saved";
    status.textContent = "not saved: " + err.message;
  }
}
document.addEventListener("keydown", (e) => {
  const t = e.target;
  if (t.matches("input, select, textarea")) {
    if (e.key === "Escape" || (e.key === "Enter" && t.classList.contains("note"))) { e.preventDefault(); t.blur(); }
    return;
  }
  if (e.ctrlKey || e.metaKey || e.altKey || !cards.length) return;
  const verdict = {"1": "GOOD", "2": "WEAK", "3": "WRONG"}[e.key];
  if (verdict) { e.preventDefault(); const card = cards[cur]; show(cur + 1); mark(card, verdict); }
  else if (e.key === "j") show(cur + 1);
  else if (e.key === "k") show(cur - 1);
  else if (e.key === "n") { e.preventDefault(); cards[cur].querySelector(".note").focus(); }
});
cards.forEach((c, i) => {
  c.addEventListener("click", () => show(i));
  c.querySelectorAll("button[data-v]").forEach((b) => b.addEventListener("click", (e) => {
    e.stopPropagation(); show(i + 1); mark(c, b.dataset.v);
  }));
});
show(0);
"""


# -- HTTP -------------------------------------------------------------------------------------------

def _headers(nonce: str | None = None) -> dict[str, str]:
    script = f"'nonce-{nonce}'" if nonce else "'none'"
    return {"Content-Security-Policy": f"default-src 'none'; style-src 'unsafe-inline'; script-src {script}; "
                                       "connect-src 'self'; img-src 'self' data:; form-action 'self'; "
                                       "base-uri 'none'; frame-ancestors 'none'",
            "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}


def _error(message: str, status: int = 400) -> HTMLResponse:
    return HTMLResponse(_document("Error", f"<main><p>{_e(message)}</p><p><a href=\"/review\">review</a> · "
                                  "<a href=\"/report\">report</a></p></main>", ""), status, headers=_headers())


def create_app(pages: Pages, security: Any) -> Starlette:
    """The pages as an ASGI app; `security` is the TransportSecuritySettings of the MCP endpoint
    (Host and Origin against DNS rebinding, JSON only for a POST), checked on every request."""
    from mcp.server.transport_security import TransportSecurityMiddleware

    guard = TransportSecurityMiddleware(security)

    async def review(request: Request) -> Response:
        if (refused := await guard.validate_request(request)) is not None:
            return refused
        params = dict(request.query_params)
        try:
            view = parse_view(params, await anyio.to_thread.run_sync(pages.domains))
            if view.n is not None and view.seed is None:  # a sample: its seed goes in the URL, so reloads keep it
                return RedirectResponse(view.query(seed=secrets.randbelow(1_000_000)), 303, headers=_headers())
            nonce = secrets.token_urlsafe(16)
            page = await anyio.to_thread.run_sync(review_page, pages, view, nonce)
        except (PageError, ValueError) as exc:
            return _error(str(exc), 404 if "no dataset" in str(exc) else 400)
        return HTMLResponse(page, headers=_headers(nonce))

    async def verdict(request: Request) -> Response:
        if (refused := await guard.validate_request(request, is_post=True)) is not None:
            return refused
        try:
            body = await request.json()
        except ValueError:
            return JSONResponse({"error": "send a JSON object: {domain, fingerprint, verdict, note}"}, 400)
        if not isinstance(body, dict):
            return JSONResponse({"error": "send a JSON object: {domain, fingerprint, verdict, note}"}, 400)
        domain, fp, name, note = (body.get(k) for k in ("domain", "fingerprint", "verdict", "note"))
        note = note if isinstance(note, str) else ""
        if name not in VERDICTS:
            return JSONResponse({"error": f"verdict: expected one of {', '.join(VERDICTS)}; got {json.dumps(name)}"}, 400)
        if not isinstance(fp, str) or not regex.fullmatch(FINGERPRINT_PATTERN, fp):
            return JSONResponse({"error": "fingerprint: expected 20 hex digits (an example's data-fp)"}, 400)
        if not isinstance(domain, str) or len(note) > NOTE_CHARS:
            return JSONResponse({"error": f"domain must be a string and the note at most {NOTE_CHARS} characters"}, 400)
        try:
            v = await anyio.to_thread.run_sync(pages.record, domain, fp, name, note)
        except PageError as exc:
            return JSONResponse({"error": str(exc)}, 404)
        return JSONResponse(v.model_dump(mode="json"), headers={"Cache-Control": "no-store"})

    async def report(request: Request) -> Response:
        if (refused := await guard.validate_request(request)) is not None:
            return refused
        return HTMLResponse(await anyio.to_thread.run_sync(report_page, pages), headers=_headers())

    async def home(request: Request) -> Response:
        return RedirectResponse("/review", 303)

    return Starlette(routes=[Route("/review", review), Route("/review/verdict", verdict, methods=["POST"]),
                             Route("/report", report), Route("/", home)])


def beside(mcp_app: Any, pages_app: Any) -> Any:
    """One ASGI app: the pages' paths to `pages_app`, everything else (/mcp, lifespan) to `mcp_app`."""
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and is_page_path(scope.get("path", "")):
            await pages_app(scope, receive, send)
        else:
            await mcp_app(scope, receive, send)
    return app


def write_report(pages: Pages, out: Path) -> int:
    """The report page as one self-contained HTML file (atomically); its size in bytes."""
    text = report_page(pages)
    atomic_write_text(out, text)
    return len(text.encode("utf-8"))


def serve_pages(settings: Settings, roots: list[str] | None, domains: list[str] | None, port: int,
                log_level: str = "warning") -> None:
    """`training-data-miner review`: the pages alone, on 127.0.0.1."""
    import uvicorn

    from training_data_miner.server.http_security import MAX_REQUEST_BYTES, Guard, transport_security
    from training_data_miner.server.roots import allowed_roots

    pages = Pages(settings, allowed_roots(settings.data_dir, roots), domains)
    pages.check_domains()
    app = Guard(create_app(pages, transport_security("127.0.0.1")), max_bytes=MAX_REQUEST_BYTES)
    # for the person at the terminal, on stderr (this command never speaks MCP on stdout)
    sys.stderr.write(f"review page: http://127.0.0.1:{port}/review  report: http://127.0.0.1:{port}/report "
                     "(Ctrl-C stops it)\n")
    sys.stderr.flush()
    uvicorn.run(app, host="127.0.0.1", port=port, log_config=None, access_log=False, log_level=log_level)
