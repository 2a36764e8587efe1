"""Step 2, identify_domain_patterns: every requested domain's patterns in one pass over the file.

A Hyperscan database of all patterns (compiled in prefilter mode, so it may report extra lines but
never misses one) finds candidate lines in each block at memory speed; the `regex` module then
confirms each candidate line and takes the captures, with a per-pattern time limit. A pattern the
fast engine cannot compile falls back to `regex` on every line and behaves the same, only slower.

Semantic matching (`augment_semantic`) then adds, per domain, lines the regexes missed that a
search for the domain's description and semantic_queries finds; they carry match_kind "semantic"
and go through the same extraction and quality filter.
"""

from __future__ import annotations

import hashlib
import os
import time
from bisect import bisect_left
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import compress, count, islice
from pathlib import Path
from typing import Any, Protocol

import regex

from training_data_miner.skills.load_source import BOM, SourceError, check_source, read_clipped
from training_data_miner.skills.models import CapReached, IdentifyResult, Match, PatternError, trusted
from training_data_miner.skills.packs import DomainPack
from training_data_miner.skills.semantic_index import SearchHit
from training_data_miner.skills.structure import Structure

try:  # Optional fast path; the scan is correct without it.
    import hyperscan
except ImportError:  # pragma: no cover - exercised only where the wheel is missing
    hyperscan = None

_HS_VERSION = getattr(hyperscan, "__version__", "") if hyperscan else ""

CONTEXT_LINES = 5
MAX_LINE_CHARS = 4000  # longer lines are cut to a window around the match (truncated=True)
MAX_CONTEXT_CHARS = 1000
# A pattern whose confirmation of one line takes longer is dropped for the rest of the scan (and
# reported): a call is never held up by it for more than this, and a cancellation waits at most this.
# `regex` counts CPU time: on a machine loaded 3x over, 0.25 s took 0.85 s of wall time.
PATTERN_TIMEOUT_S = 0.25
# Caps on what one scan keeps (settable: Settings, `mine`/`serve --max-matches...`): `pattern_regex="^"`
# over 200,000 lines would otherwise make a match of every line for every domain. 012_dev.txt x4 has
# 20,500 matches in all, its busiest pattern 4,100.
MAX_MATCHES_PER_PATTERN = 20_000
MAX_MATCHES = 100_000
CHECK_EVERY_S = 0.1  # how often the scan calls its checkpoint (cancellation, time budget, progress)
# The fast engine compiles a bounded repeat as that many copies: `.{12000}` took ~50 s. Its prefilter
# lowers repeats to at most FAST_REPEAT (a superset still), and a pattern whose repeats still weigh
# more than MAX_FAST_WEIGHT (nested ones multiply) runs on `regex` alone; 256 compiles in ~0.3 s.
FAST_REPEAT = 32
MAX_FAST_WEIGHT = 256
# The compiled databases cached on disk (the six packs' 44 take 0.8 MB); least recently used go first.
CACHE_MAX_BYTES = 64 << 20
# The scan holds a block as bytes, as text and as lines, plus the windows its matches keep alive:
# 2 MB blocks scan as fast as 8 MB ones and keep a 1 GB stream's largest process at ~90 MB, not ~210.
SCAN_BLOCK_BYTES = 2 << 20


@dataclass
class _Compiled:
    domain: str
    name: str
    rx: regex.Pattern[str]
    before: int
    after: int
    fast: bool = False


@dataclass
class Scanner:
    """All patterns of the requested domains, compiled once; reusable across files."""

    packs: list[DomainPack]
    context: int = CONTEXT_LINES
    timeout: float = PATTERN_TIMEOUT_S
    use_fast: bool = True
    patterns: list[_Compiled] = field(init=False)
    fallback: list[int] = field(init=False)
    dbs: list = field(init=False, default_factory=list)  # the fast engine's databases, one per pattern

    def __post_init__(self) -> None:
        self.patterns = []
        for pack in self.packs:
            before = self.context if pack.context_before is None else max(self.context, pack.context_before)
            after = self.context if pack.context_after is None else max(self.context, pack.context_after)
            for spec in pack.patterns:
                self.patterns.append(_Compiled(pack.name, spec.name, spec.compiled(), before, after))
        self.fallback = list(range(len(self.patterns)))
        if self.use_fast and hyperscan is not None:
            self._compile_fast()

    def _compile_fast(self) -> None:
        # One database per pattern: Hyperscan scanning several patterns in one database was seen to
        # miss lines one of them matches alone (a `^#` title next to a caseless README pattern and a
        # `^\s*\|` table row), and a prefilter must never miss. Separate scans cost ~30% more.
        # UTF8: `.` is one code point, as in `regex`; no UCP: classes are ASCII on both sides.
        base = hyperscan.HS_FLAG_UTF8 | hyperscan.HS_FLAG_MULTILINE | hyperscan.HS_FLAG_PREFILTER
        self.dbs = []
        for pid, p in enumerate(self.patterns):
            flag = base | (hyperscan.HS_FLAG_CASELESS if p.rx.flags & regex.IGNORECASE else 0)
            expr = prefilter_expression(p.rx.pattern)
            if repeat_weight(expr) > MAX_FAST_WEIGHT:
                continue  # its compile could take minutes and cannot be interrupted: `regex` alone
            db = _hs_database(expr.encode("utf-8"), flag, pid)
            if db is not None:
                self.dbs.append((pid, db))
                p.fast = True
        self.fallback = [i for i, p in enumerate(self.patterns) if not p.fast]

    @property
    def max_before(self) -> int:
        return max((p.before for p in self.patterns), default=0)

    @property
    def max_after(self) -> int:
        return max((p.after for p in self.patterns), default=0)

    # -- scanning ---------------------------------------------------------------------------

    def candidates(self, block: bytes, dropped: set[int] | frozenset[int] = frozenset()) -> dict[int, set[int]]:
        """0-based line index within the block -> ids of patterns that may match on it (the
        `dropped` patterns left out)."""
        found: dict[int, set[int]] = defaultdict(set)
        if self.dbs:
            ends: list[tuple[int, int]] = []

            def on_match(pid: int, _frm: int, to: int, _flags: int, _ctx: object) -> None:
                ends.append((to, pid))

            for pid, db in self.dbs:
                if pid not in dropped:
                    db.scan(block, match_event_handler=on_match)
            ends.sort()
            line = pos = 0
            for to, pid in ends:
                # a match ending right at a line end belongs to that line
                end = to - 1 if to > 0 and block[to - 1 : to] == b"\n" else to
                line += block.count(b"\n", pos, end)
                pos = end
                found[line].add(pid)
        fallback = [pid for pid in self.fallback if pid not in dropped]
        if fallback:
            for idx in range(block.count(b"\n") + (not block.endswith(b"\n"))):
                found[idx].update(fallback)
        return found


def _cache_dir() -> Path | None:
    """Where compiled pattern databases are kept (compiling big bounded repeats takes seconds)."""
    root = os.environ.get("TDM_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "training-data-miner")
    try:
        os.makedirs(root, exist_ok=True)
    except OSError:
        return None
    return Path(root)


_REPEAT = regex.compile(r"\{(\d+)(,(\d*))?\}")


def prefilter_expression(pattern: str, at_least: int = 8, most: int = FAST_REPEAT) -> str:
    """The pattern for the fast engine only, with its repeats loosened: `{m,n}` with n >= at_least
    opened to `{m,}`, and every repeat's minimum lowered to at most `most` (`.{12000}` becomes
    `.{32,}`). It matches a superset of what the pattern matches, so the prefilter still never
    misses a line (`regex` confirms each candidate with the exact pattern), and Hyperscan compiles
    and scans it far faster: one pack pattern with two `[^\n]{0,60}?` took 106 ms per 4.6 MB,
    opened 7 ms. Braces inside a character class or escaped are left alone."""
    out: list[str] = []
    for kind, text, m in _tokens(pattern):
        if kind == "repeat" and m is not None:
            low, comma, high = int(m.group(1)), m.group(2), m.group(3)
            if comma and high and int(high) < at_least:
                out.append(text)  # a short bounded repeat: exact
            elif comma or low > most:
                out.append("{%d,}" % min(low, most))
            else:
                out.append(text)
        else:
            out.append(text)
    return "".join(out)


def repeat_weight(pattern: str) -> int:
    """About how many positions the fast engine unrolls `pattern` into: each atom counts once, times
    every bounded repeat around it (a repeat's minimum, or its maximum when bounded). What makes a
    Hyperscan compile slow: `.{1000}` weighs 1000 and took ~4 s, `(?:.{32,}){32,}` 1024 and ~2.6 s."""
    stack: list[list[int]] = [[0, 0]]  # per open group: [weight so far, weight of its last atom]
    for kind, _text, m in _tokens(pattern):
        frame = stack[-1]
        if kind == "open":
            stack.append([0, 0])
        elif kind == "close" and len(stack) > 1:
            inner = stack.pop()[0]
            stack[-1][0] += inner
            stack[-1][1] = inner
        elif kind == "repeat" and m is not None:
            times = int(m.group(3)) if m.group(3) else int(m.group(1))
            frame[0] += frame[1] * (max(times, 1) - 1)
            frame[1] *= max(times, 1)
        elif kind == "atom":
            frame[0] += 1
            frame[1] = 1
    while len(stack) > 1:  # an unclosed group (the pattern is invalid anyway)
        inner = stack.pop()[0]
        stack[-1][0] += inner
    return stack[0][0]


def _tokens(pattern: str) -> Iterator[tuple[str, str, regex.Match[str] | None]]:
    """The pattern as (kind, text, repeat match): "atom" (a character, an escape or a class), "open",
    "close", "repeat" (`{m}`, `{m,}`, `{m,n}`) and "other" (`|`, `*`, `+`, `?`, anchors)."""
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            j = i + 2
            if j <= n and pattern[i + 1 : j] in ("p", "P", "x", "N", "g") and j < n and pattern[j] == "{":
                j = pattern.find("}", j) + 1 or n  # \p{L}, \x{263a}, \N{...}
            yield "atom", pattern[i:j], None
            i = j
        elif c == "[":
            j = i + 1
            if j < n and pattern[j] == "^":
                j += 1
            if j < n and pattern[j] == "]":  # `[]...]` and `[^]...]`: a leading `]` is a literal
                j += 1
            while j < n and pattern[j] != "]":
                j += 2 if pattern[j] == "\\" else 1
            yield "atom", pattern[i : j + 1], None
            i = j + 1
        elif c == "(":
            j = i + 1
            if j < n and pattern[j] == "?":  # (?:, (?P<name>, (?=, (?i) ... : the group's own syntax
                k = j + 1
                if k < n and pattern[k] == "P" and k + 1 < n and pattern[k + 1] == "<":
                    k = pattern.find(">", k) + 1 or n
                elif k < n and pattern[k] == "<" and k + 1 < n and pattern[k + 1] not in "=!":
                    k = pattern.find(">", k) + 1 or n
                else:
                    while k < n and pattern[k] not in ":)":
                        k += 1
                    k += k < n and pattern[k] == ":"
                j = k
            yield "open", pattern[i:j], None
            i = j
        elif c == ")":
            yield "close", c, None
            i += 1
        elif c == "{":
            m = _REPEAT.match(pattern, i)
            if m:
                yield "repeat", m.group(0), m
                i = m.end()
            else:
                yield "atom", c, None
                i += 1
        elif c in "|*+?^$.":
            yield ("atom" if c == "." else "other"), c, None
            i += 1
        else:
            yield "atom", c, None
            i += 1


def _hs_database(expr: bytes, flag: int, pid: int):
    """The pattern's compiled database (from the cache when it is there), or None when the fast
    engine cannot compile it (the pattern then runs on `regex` alone)."""
    key = hashlib.sha256(repr((_HS_VERSION, expr, flag, pid)).encode()).hexdigest()[:32]
    root = _cache_dir()
    cached = root / f"hs-{key}.db" if root else None
    if cached is not None and cached.is_file():
        try:
            db = hyperscan.loadb(cached.read_bytes(), hyperscan.HS_MODE_BLOCK)
            db.scratch = hyperscan.Scratch(db)  # a loaded database comes without one
            os.utime(cached)  # used: the last entry the bound removes
            return db
        except Exception:  # a stale or damaged cache entry is rebuilt below
            pass
    db = hyperscan.Database()
    try:
        db.compile(expressions=[expr], ids=[pid], elements=1, flags=[flag])
    except Exception:
        return None
    if cached is not None:
        try:
            tmp = cached.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(hyperscan.dumpb(db))
            os.replace(tmp, cached)
            _bound_cache(cached.parent)
        except OSError:
            pass  # the cache only saves start-up time
    return db


def _bound_cache(root: Path) -> None:
    """Keep the cache under its size (TDM_CACHE_MAX_BYTES, default CACHE_MAX_BYTES): every distinct
    pattern_regex adds entries, so the least recently used go first."""
    try:
        limit = int(os.environ.get("TDM_CACHE_MAX_BYTES") or CACHE_MAX_BYTES)
    except ValueError:
        limit = CACHE_MAX_BYTES
    entries = []
    for f in root.glob("hs-*.db"):
        try:
            st = f.stat()
        except OSError:  # removed by another process meanwhile
            continue
        entries.append((st.st_mtime, st.st_size, f))
    total = sum(size for _, size, _ in entries)
    for _, size, f in sorted(entries, key=lambda e: e[0]):
        if total <= limit:
            break
        f.unlink(missing_ok=True)
        total -= size


def _valid_utf8(data: bytes) -> tuple[bytes, str]:
    """The block as valid UTF-8 (the fast engine's UTF-8 mode requires it), and decoded;
    undecodable bytes become U+FFFD, and line ends stay where they were."""
    try:
        return data, data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace")
        return text.encode("utf-8"), text


def _decode(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace").rstrip("\r")


def _clip(text: str, limit: int) -> tuple[str, bool]:
    return (text, False) if len(text) <= limit else (text[:limit], True)


class _Block:
    """A block's lines, with the tail of the block before it and the head of the one after it,
    so that context windows cross block boundaries.

    The block is decoded once, up front (it is valid UTF-8); a context window is then two list
    slices. Lines longer than MAX_CONTEXT_CHARS are rare: their indexes are found in C (no Python
    loop over every line), clipped copies made for them only, and whether a window holds one is a
    bisection."""

    def __init__(self, decoded: str, prev_tail: list[str], next_head: list[bytes]):
        # '\n' is never part of a multi-byte sequence, so decoding then splitting equals splitting
        # then decoding line by line.
        body = decoded.split("\n")
        if body[-1] == "":
            body.pop()
        if "\r" in decoded:
            body = [t.rstrip("\r") for t in body]
        self.n = len(body)  # lines of the block itself
        self.base = len(prev_tail)
        full = prev_tail + body
        full += [_decode(r) for r in next_head]
        self.text = full  # decoded, unclipped: candidate lines are confirmed on these
        self.long = list(compress(count(), map(MAX_CONTEXT_CHARS.__lt__, map(len, full))))
        self.ctx = full
        if self.long:
            self.ctx = list(full)
            for i in self.long:
                self.ctx[i] = full[i][:MAX_CONTEXT_CHARS]

    def line_text(self, idx: int) -> str:
        return self.text[self.base + idx]

    def tail(self, n: int) -> list[str]:
        """The last `n` lines up to the block's end, decoded and unclipped (the next block's context
        before): from the blocks before it too when this one has fewer."""
        end = self.base + self.n
        return self.text[max(0, end - n) : end] if n else []

    def _any_long(self, lo: int, hi: int) -> bool:
        i = bisect_left(self.long, lo)
        return i < len(self.long) and self.long[i] < hi

    def window(self, idx: int, before: int, after: int) -> tuple[list[str], list[str], bool]:
        k = self.base + idx
        lo = max(0, k - before)
        hi = min(len(self.ctx), k + 1 + after)
        cut = bool(self.long) and (self._any_long(lo, k) or self._any_long(k + 1, hi))
        return self.ctx[lo:k], self.ctx[k + 1 : hi], cut


def _first_lines(data: bytes, k: int) -> list[bytes]:
    """The first `k` lines of a block (fewer if it has fewer)."""
    parts = data.split(b"\n", k)
    if len(parts) > k:
        return parts[:k]
    if parts[-1] == b"":
        parts.pop()  # the block ends with a line end: no line follows it
    return parts


def _lookahead(blocks: Iterable[bytes], n: int) -> Iterator[tuple[bytes, list[bytes]]]:
    """Each block with the `n` lines that follow it, from as many later blocks as that takes (a
    block of a few very long lines may hold fewer than `n`)."""
    it = iter(blocks)
    ahead: deque[bytes] = deque()
    cur = next(it, None)
    while cur is not None:
        head: list[bytes] = []
        i = 0
        while len(head) < n:
            if i == len(ahead):
                nxt = next(it, None)
                if nxt is None:
                    break
                ahead.append(nxt)
            head += _first_lines(ahead[i], n - len(head))
            i += 1
        yield cur, head
        cur = ahead.popleft() if ahead else next(it, None)


def scan(
    source_path: str | os.PathLike[str],
    scanner: Scanner,
    source_name: str | None = None,
    block_bytes: int | None = None,
    max_per_pattern: int | None = None,
    max_total: int | None = None,
    checkpoint: Callable[[int], None] | None = None,
) -> Iterator[Match | PatternError | CapReached]:
    """Matches in file order, one pass. A pattern that times out on a line yields a PatternError
    and is not used again in this scan; one that matches `max_per_pattern` lines yields a CapReached
    and is not used again; at `max_total` matches the scan yields a CapReached and stops.
    `checkpoint(line)` is called about every CHECK_EVERY_S (raising there stops the scan)."""
    path = check_source(source_path)
    first_line = 1
    prev_tail: list[str] = []
    head_n, tail_n = scanner.max_after, scanner.max_before
    dropped: set[int] = set()
    lines_of: list[int] = [0] * len(scanner.patterns)  # lines each pattern matched
    total = 0
    due = time.monotonic() + CHECK_EVERY_S
    for data, next_head in _lookahead(read_clipped(Path(path), block_bytes or SCAN_BLOCK_BYTES), head_n):
        if first_line == 1 and data.startswith(BOM):
            data = data[len(BOM) :]
        data, decoded = _valid_utf8(data)
        block = _Block(decoded, prev_tail, next_head)
        cands = scanner.candidates(data, dropped)
        for idx in sorted(cands):
            if idx >= block.n:
                continue
            text = block.line_text(idx)
            line = first_line + idx
            hits: dict[str, Match] = {}
            capped: list[int] = []
            for pid in sorted(cands[idx]):
                if pid in dropped:
                    continue
                if checkpoint is not None and time.monotonic() >= due:  # between two slow patterns too
                    checkpoint(line)
                    due = time.monotonic() + CHECK_EVERY_S
                p = scanner.patterns[pid]
                try:
                    m = p.rx.search(text, timeout=scanner.timeout)
                except TimeoutError:
                    dropped.add(pid)
                    yield PatternError(domain=p.domain, pattern=p.name, lines_affected=1,
                                       error=f"timed out after {scanner.timeout}s on line {line}; "
                                             "not used for the rest of the scan")
                    continue
                if m is None:
                    continue
                lines_of[pid] += 1
                if max_per_pattern is not None and lines_of[pid] >= max_per_pattern:
                    dropped.add(pid)
                    capped.append(pid)
                if p.domain in hits:  # one match per domain and line; it lists every pattern
                    hits[p.domain].also_matched.append(p.name)
                    continue
                before, after, cut = block.window(idx, p.before, p.after)
                line_text, clipped = text, False
                if len(text) > MAX_LINE_CHARS:
                    start = max(0, min(m.start(), len(text) - MAX_LINE_CHARS))
                    line_text, clipped = text[start : start + MAX_LINE_CHARS], True
                # built without re-validation: every field is already of its declared type
                hits[p.domain] = trusted(Match, {
                    "domain": p.domain, "pattern": p.name, "also_matched": [], "line": line,
                    "text": line_text, "groups": _groups(m), "context_before": before, "context_after": after,
                    "truncated": cut or clipped, "match_kind": "regex", "query": None,
                    "document": None, "doc_kind": None, "heading_path": [], "block": None,
                })
            for match in hits.values():
                if max_total is not None and total >= max_total:
                    yield CapReached(limit=max_total, line=line, message=(
                        f"the call's cap of {max_total} matches was reached at line {line}: lines from "
                        f"{line} on were not scanned; raise --max-matches or mine fewer domains or a "
                        "narrower pattern_regex"))
                    return
                total += 1
                yield match
            for pid in capped:
                p = scanner.patterns[pid]
                yield CapReached(domain=p.domain, pattern=p.name, limit=max_per_pattern or 0, line=line, message=(
                    f"{p.domain}/{p.name} reached its cap of {max_per_pattern} matching lines at line {line}: "
                    "later lines were not matched against it; raise --max-matches-per-pattern or narrow the pattern"))
        first_line += block.n
        prev_tail = block.tail(tail_n)
        if checkpoint is not None and time.monotonic() >= due:
            checkpoint(first_line - 1)
            due = time.monotonic() + CHECK_EVERY_S


def _groups(m: regex.Match[str]) -> dict[str, str | None]:
    named = m.groupdict()
    if named:
        return named
    return {str(i): g for i, g in enumerate(m.groups(), 1)}


def identify_domain_patterns(
    source_path: str | os.PathLike[str],
    packs: list[DomainPack],
    context: int = CONTEXT_LINES,
    timeout: float = PATTERN_TIMEOUT_S,
    scanner: Scanner | None = None,
    on_match: Callable[[Match], None] | None = None,
    on_error: Callable[[PatternError], None] | None = None,
    max_per_pattern: int | None = MAX_MATCHES_PER_PATTERN,
    max_total: int | None = MAX_MATCHES,
    checkpoint: Callable[[int], None] | None = None,
    keep: bool = True,
) -> IdentifyResult:
    """All matches of all `packs`, grouped by domain, with per-pattern line counts and the caps the
    scan reached. `on_match` sees each match as the scan finds it (an execution writes it to disk),
    `on_error` each pattern's failure (logs); with `keep` False the matches are not held (the
    result's lists stay empty). `checkpoint(line)`: see `scan`."""
    scanner = scanner or Scanner(packs, context=context, timeout=timeout)
    matches: dict[str, list[Match]] = {p.name: [] for p in packs}
    counts: dict[str, dict[str, int]] = {p.name: {s.name: 0 for s in p.patterns} for p in packs}
    errors: list[PatternError] = []
    caps: list[CapReached] = []
    for item in scan(source_path, scanner, max_per_pattern=max_per_pattern, max_total=max_total,
                     checkpoint=checkpoint):
        if isinstance(item, PatternError):
            errors.append(item)
            if on_error:
                on_error(item)
            continue
        if isinstance(item, CapReached):
            caps.append(item)
            continue
        if keep:
            matches[item.domain].append(item)
        for name in (item.pattern, *item.also_matched):
            counts[item.domain][name] += 1
        if on_match:
            on_match(item)
    return IdentifyResult(source=str(source_path), matches=matches, counts=counts, pattern_errors=errors,
                          caps_reached=caps)


# -- semantic augmentation ------------------------------------------------------------------------

SEMANTIC_LIMIT = 20  # hits asked for per query; measured on 012_dev.txt (see README "Semantic search")
SEMANTIC_PATTERN = "semantic"  # the `pattern` of a semantic match: it matched no regex
MIN_WORDS = 3  # a shorter line (a rule, a bare heading) is no candidate on its own


class SourceLines(Protocol):
    """What augmentation reads of the source: its lines by number (skills.semantic_index.SourceIndex)."""

    @property
    def total_lines(self) -> int: ...

    def line(self, number: int) -> str: ...

    def find_line(self, text: str) -> int | None: ...


Search = Callable[[str, int], list[SearchHit]]


def semantic_queries(pack: DomainPack) -> list[str]:
    """What a domain is searched with: its description, then its semantic_queries."""
    return [pack.description, *pack.semantic_queries]


def augment_semantic(
    pack: DomainPack,
    regex_lines: Iterable[int],
    source: SourceLines,
    search: Search,
    source_name: str,
    context: int = CONTEXT_LINES,
    limit: int = SEMANTIC_LIMIT,
) -> list[Match]:
    """Lines the domain's regexes missed (`regex_lines` are the lines they matched) that a semantic
    search for the domain finds, as matches
    with match_kind "semantic" and the same context windows as regex matches, in search order.

    A hit counts when it lands in this source: its path names the source (or is empty) and its
    line is in range, or its snippet's first line is a line of the source. Hits elsewhere (a
    holo_index endpoint also searches code and WSP documents) are not candidates."""
    before = context if pack.context_before is None else max(context, pack.context_before)
    after = context if pack.context_after is None else max(context, pack.context_after)
    taken = set(regex_lines)
    out: list[Match] = []
    for query in semantic_queries(pack):
        for hit in search(query, limit):
            line = _hit_line(hit, source, source_name)
            if line is None or line in taken:
                continue
            text = source.line(line)
            if len(_WORDS.findall(text)) < MIN_WORDS:
                continue
            taken.add(line)
            out.append(_semantic_match(pack.name, query, source, line, text, before, after))
    return out


_WORDS = regex.compile(r"[A-Za-z0-9]+")


def _hit_line(hit: SearchHit, source: SourceLines, source_name: str) -> int | None:
    if hit.line is not None and 1 <= hit.line <= source.total_lines and (
            hit.kind == "source" or not hit.path or Path(hit.path.replace("\\", "/")).name == source_name):
        return hit.line
    first = next((s for s in hit.snippet.splitlines() if s.strip()), "")
    return source.find_line(first) if len(first.strip()) >= 12 else None


def _semantic_match(domain: str, query: str, source: SourceLines, line: int, text: str,
                    before: int, after: int) -> Match:
    cut = False
    ctx_before, ctx_after = [], []
    for n in range(max(1, line - before), line):
        t, c = _clip(source.line(n), MAX_CONTEXT_CHARS)
        ctx_before.append(t)
        cut |= c
    for n in range(line + 1, min(source.total_lines, line + after) + 1):
        t, c = _clip(source.line(n), MAX_CONTEXT_CHARS)
        ctx_after.append(t)
        cut |= c
    text, clipped = _clip(text, MAX_LINE_CHARS)
    return Match(domain=domain, pattern=SEMANTIC_PATTERN, line=line, text=text, context_before=ctx_before,
                 context_after=ctx_after, truncated=cut or clipped, match_kind="semantic", query=query)


# -- matches at rest -------------------------------------------------------------------------------
# An execution keeps its matches as rows whose context windows are two line counts, not the lines
# (a window of 20 lines around each of 10,000 matches would be tens of MB per run). Reading them
# back takes the lines from the source, which must still be the file load_source hashed.


def match_row(m: Match) -> dict[str, object]:
    """A match as it is stored: every field but the context lines, which become their counts."""
    return {"domain": m.domain, "pattern": m.pattern, "also_matched": m.also_matched, "line": m.line,
            "text": m.text, "groups": m.groups, "lines_before": len(m.context_before),
            "lines_after": len(m.context_after), "truncated": m.truncated, "match_kind": m.match_kind,
            "query": m.query, "document": m.document, "doc_kind": m.doc_kind, "heading_path": m.heading_path,
            "block": m.block}


def annotate(matches: Iterable[Match], structure: Structure) -> None:
    """Each match gets where its line sits: its document, heading path and block (in place)."""
    for m in matches:
        m.__dict__.update(structure.at(m.line).describe(m.line))


def matches_from_rows(source_path: str | os.PathLike[str], sha256: str, rows: list[dict]) -> list[Match]:
    """Stored rows back to matches, their context windows read from the source (decoded and
    clipped exactly as the scan did). Raises SourceError if the source changed since it was hashed."""
    wanted: set[int] = set()
    for r in rows:
        line = r["line"]
        wanted.update(range(line - r["lines_before"], line))
        wanted.update(range(line + 1, line + 1 + r["lines_after"]))
    lines = source_lines(source_path, wanted, sha256)
    out = []
    for r in rows:
        r = dict(r)
        line, before, after = r["line"], r.pop("lines_before"), r.pop("lines_after")
        out.append(Match.model_validate({**r, "context_before": [lines[n] for n in range(line - before, line)],
                                         "context_after": [lines[n] for n in range(line + 1, line + 1 + after)]}))
    return out


def source_lines(source_path: str | os.PathLike[str], wanted: set[int], sha256: str) -> dict[int, str]:
    """Lines `wanted` (1-based) as context lines: decoded, '\\r' stripped, clipped. One streaming
    pass that also checks the file's sha256; only blocks holding a wanted line are split."""
    path = check_source(source_path)
    todo = sorted(wanted)
    out: dict[int, str] = {}
    sha = hashlib.sha256()
    first, k = 1, 0
    for block in read_clipped(path, sha=sha):
        n = block.count(b"\n") + (0 if block.endswith(b"\n") else 1)
        if k < len(todo) and todo[k] < first + n:
            data = block[len(BOM):] if first == 1 and block.startswith(BOM) else block
            raw = data.split(b"\n")
            while k < len(todo) and todo[k] < first + n:
                out[todo[k]] = _clip(_decode(raw[todo[k] - first]), MAX_CONTEXT_CHARS)[0]
                k += 1
        first += n
    if sha.hexdigest() != sha256:
        raise SourceError(f"source changed since load_source: {path} no longer has sha256 {sha256[:12]}...; "
                          "start a new execution with load_source")
    if k < len(todo):
        raise SourceError(f"source {path} has no line {todo[k]}; start a new execution with load_source")
    return out


def stream_with_context(source_path: str | os.PathLike[str], sha256: str, rows: Iterable[dict],
                        reach: int) -> Iterator[Match]:
    """Stored rows, in ascending line order, as matches with their context windows, in one pass
    over the source that holds only the last `reach` lines (at least a row's lines_before +
    lines_after + 1): how a run too big to hold its matches reads them back. Raises SourceError,
    after the last match, if the source changed since it was hashed."""
    path = check_source(source_path)
    sha = hashlib.sha256()
    lines = _context_lines(path, sha)
    window: deque[str] = deque(maxlen=max(reach, 1))
    last = 0  # the last line read into the window
    for r in rows:
        line, before, after = r["line"], r["lines_before"], r["lines_after"]
        while last < line + after:
            text = next(lines, None)
            if text is None:
                raise SourceError(f"source {path} has no line {last + 1}; start a new execution with load_source")
            window.append(text)
            last += 1
        first = last - len(window) + 1  # line number of window[0]
        if line - before < first:
            raise ValueError(f"a window of {before}+{after} lines does not fit in {reach}")
        ctx = list(islice(window, line - before - first, line + after - first + 1))
        r = dict(r)
        del r["lines_before"], r["lines_after"]
        yield Match.model_validate({**r, "context_before": ctx[:before], "context_after": ctx[before + 1 :]})
    for _ in lines:  # the rest of the file, for its hash
        pass
    if sha.hexdigest() != sha256:
        raise SourceError(f"source changed since load_source: {path} no longer has sha256 {sha256[:12]}...; "
                          "start a new execution with load_source")


def _context_lines(path: Path, sha: Any) -> Iterator[str]:
    """The source's lines as context lines (decoded, '\\r' stripped, clipped), hashing every byte."""
    first = True
    for block in read_clipped(path, sha=sha):
        if first and block.startswith(BOM):
            block = block[len(BOM) :]
        first = False
        parts = block.split(b"\n")
        if parts[-1] == b"":
            parts.pop()
        for raw in parts:
            yield _clip(_decode(raw), MAX_CONTEXT_CHARS)[0]
