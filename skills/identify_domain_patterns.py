"""Step 2, identify_domain_patterns: every requested domain's patterns in one pass over the file.

A Hyperscan database of all patterns (compiled in prefilter mode, so it may report extra lines but
never misses one) finds candidate lines in each block at memory speed; the `regex` module then
confirms each candidate line and takes the captures, with a per-pattern time limit. A pattern the
fast engine cannot compile falls back to `regex` on every line and behaves the same, only slower.
"""

from __future__ import annotations

import hashlib
import os
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import regex

from skills.load_source import BOM, check_source, read_blocks
from skills.models import IdentifyResult, Match, PatternError
from skills.packs import DomainPack

try:  # Optional fast path; the scan is correct without it.
    import hyperscan
except ImportError:  # pragma: no cover - exercised only where the wheel is missing
    hyperscan = None

_HS_VERSION = getattr(hyperscan, "__version__", "") if hyperscan else ""

CONTEXT_LINES = 5
MAX_LINE_CHARS = 4000  # longer lines are cut to a window around the match (truncated=True)
MAX_CONTEXT_CHARS = 1000
PATTERN_TIMEOUT_S = 1.0


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
    db: object = field(init=False, default=None)

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
        # UTF8: `.` is one code point, as in `regex`; no UCP: classes are ASCII on both sides.
        base = hyperscan.HS_FLAG_UTF8 | hyperscan.HS_FLAG_MULTILINE | hyperscan.HS_FLAG_PREFILTER
        exprs = [p.rx.pattern.encode("utf-8") for p in self.patterns]
        flags = [base | (hyperscan.HS_FLAG_CASELESS if p.rx.flags & regex.IGNORECASE else 0) for p in self.patterns]
        key = hashlib.sha256(repr((hyperscan.__name__, _HS_VERSION, exprs, flags)).encode()).hexdigest()[:32]
        cached = _cache_dir() / f"hs-{key}.db" if _cache_dir() else None
        if cached is not None and cached.is_file():
            try:
                blob = cached.read_bytes()
                ids = [int(i) for i in blob[: blob.index(b"\n")].split(b",") if i]
                self.db = hyperscan.loadb(blob[blob.index(b"\n") + 1 :])
                self._mark_fast(ids)
                return
            except Exception:  # a stale or damaged cache entry is rebuilt below
                pass
        ids = list(range(len(exprs)))
        try:
            db = _hs_compile(exprs, ids, flags)
        except Exception:
            # probe alone: one pattern the fast engine rejects must not cost the others their fast path
            ids = [i for i in ids if _hs_ok(exprs[i], flags[i])]
            db = _hs_compile([exprs[i] for i in ids], ids, [flags[i] for i in ids]) if ids else None
        self.db = db
        self._mark_fast(ids)
        if db is not None and cached is not None:
            try:
                tmp = cached.with_suffix(f".{os.getpid()}.tmp")
                tmp.write_bytes(",".join(map(str, ids)).encode() + b"\n" + hyperscan.dumpb(db))
                os.replace(tmp, cached)
            except OSError:
                pass  # the cache only saves start-up time

    def _mark_fast(self, ids: list[int]) -> None:
        for i in ids:
            self.patterns[i].fast = True
        self.fallback = [i for i, p in enumerate(self.patterns) if not p.fast]

    @property
    def max_before(self) -> int:
        return max((p.before for p in self.patterns), default=0)

    @property
    def max_after(self) -> int:
        return max((p.after for p in self.patterns), default=0)

    # -- scanning ---------------------------------------------------------------------------

    def candidates(self, block: bytes) -> dict[int, set[int]]:
        """0-based line index within the block -> ids of patterns that may match on it."""
        found: dict[int, set[int]] = defaultdict(set)
        if self.db is not None:
            ends: list[tuple[int, int]] = []

            def on_match(pid: int, _frm: int, to: int, _flags: int, _ctx: object) -> None:
                ends.append((to, pid))

            self.db.scan(block, match_event_handler=on_match)
            ends.sort()
            line = pos = 0
            for to, pid in ends:
                # a match ending right at a line end belongs to that line
                end = to - 1 if to > 0 and block[to - 1 : to] == b"\n" else to
                line += block.count(b"\n", pos, end)
                pos = end
                found[line].add(pid)
        if self.fallback:
            for idx, _ in enumerate(block.split(b"\n")):
                for pid in self.fallback:
                    found[idx].add(pid)
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


def _hs_compile(exprs: list[bytes], ids: list[int], flags: list[int]):
    db = hyperscan.Database()
    db.compile(expressions=exprs, ids=ids, elements=len(exprs), flags=flags)
    return db


def _hs_ok(expr: bytes, flag: int) -> bool:
    try:
        _hs_compile([expr], [0], [flag])
        return True
    except Exception:
        return False


def _valid_utf8(data: bytes) -> bytes:
    """The block as valid UTF-8 (the fast engine's UTF-8 mode requires it); undecodable bytes
    become U+FFFD, and line ends stay where they were."""
    try:
        data.decode("utf-8")
        return data
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace").encode("utf-8")


def _decode(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace").rstrip("\r")


def _clip(text: str, limit: int) -> tuple[str, bool]:
    return (text, False) if len(text) <= limit else (text[:limit], True)


class _Block:
    """A block's lines, with the tail of the block before it and the head of the one after it,
    so that context windows cross block boundaries."""

    def __init__(self, data: bytes, first_line: int, prev_tail: list[bytes], next_head: list[bytes]):
        self.data = data
        self.first_line = first_line
        self.lines = data.split(b"\n")
        if self.lines and self.lines[-1] == b"":
            self.lines.pop()
        self.prev_tail = prev_tail
        self.next_head = next_head

    def raw(self, idx: int) -> bytes | None:
        if idx < 0:
            k = len(self.prev_tail) + idx
            return self.prev_tail[k] if k >= 0 else None
        if idx < len(self.lines):
            return self.lines[idx]
        k = idx - len(self.lines)
        return self.next_head[k] if k < len(self.next_head) else None

    def window(self, idx: int, before: int, after: int) -> tuple[list[str], list[str], bool]:
        cut = False
        b_lines, a_lines = [], []
        for j in range(idx - before, idx):
            raw = self.raw(j)
            if raw is not None:
                t, c = _clip(_decode(raw), MAX_CONTEXT_CHARS)
                b_lines.append(t)
                cut |= c
        for j in range(idx + 1, idx + 1 + after):
            raw = self.raw(j)
            if raw is None:
                break
            t, c = _clip(_decode(raw), MAX_CONTEXT_CHARS)
            a_lines.append(t)
            cut |= c
        return b_lines, a_lines, cut


def _lookahead(blocks: Iterable[bytes]) -> Iterator[tuple[bytes, bytes | None]]:
    it = iter(blocks)
    prev = next(it, None)
    for cur in it:
        yield prev, cur
        prev = cur
    if prev is not None:
        yield prev, None


def scan(
    source_path: str | os.PathLike[str],
    scanner: Scanner,
    source_name: str | None = None,
    block_bytes: int | None = None,
) -> Iterator[Match | PatternError]:
    """Matches in file order, one pass; a pattern that times out on a line yields a PatternError
    and the scan goes on with the other patterns."""
    path = check_source(source_path)
    first_line = 1
    prev_tail: list[bytes] = []
    kwargs = {"block_bytes": block_bytes} if block_bytes else {}
    head_n, tail_n = scanner.max_after, scanner.max_before
    for data, nxt in _lookahead(read_blocks(Path(path), **kwargs)):
        if first_line == 1 and data.startswith(BOM):
            data = data[len(BOM) :]
        data = _valid_utf8(data)
        next_head = nxt.split(b"\n", head_n)[:head_n] if nxt is not None else []
        block = _Block(data, first_line, prev_tail, next_head)
        cands = scanner.candidates(data)
        for idx in sorted(cands):
            if idx >= len(block.lines):
                continue
            text = _decode(block.lines[idx])
            hits: dict[str, Match] = {}
            for pid in sorted(cands[idx]):
                p = scanner.patterns[pid]
                try:
                    m = p.rx.search(text, timeout=scanner.timeout)
                except TimeoutError:
                    yield PatternError(domain=p.domain, pattern=p.name, lines_affected=1,
                                       error=f"timed out after {scanner.timeout}s on line {first_line + idx}")
                    continue
                if m is None:
                    continue
                if p.domain in hits:  # one match per domain and line; it lists every pattern
                    hits[p.domain].also_matched.append(p.name)
                    continue
                before, after, cut = block.window(idx, p.before, p.after)
                line_text, clipped = text, False
                if len(text) > MAX_LINE_CHARS:
                    start = max(0, min(m.start(), len(text) - MAX_LINE_CHARS))
                    line_text, clipped = text[start : start + MAX_LINE_CHARS], True
                hits[p.domain] = Match(
                    domain=p.domain, pattern=p.name, line=first_line + idx, text=line_text,
                    groups=_groups(m), context_before=before, context_after=after,
                    truncated=cut or clipped,
                )
            yield from hits.values()
        first_line += len(block.lines)
        prev_tail = block.lines[-tail_n:] if tail_n else []


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
) -> IdentifyResult:
    """All matches of all `packs`, grouped by domain, with per-pattern line counts."""
    scanner = scanner or Scanner(packs, context=context, timeout=timeout)
    matches: dict[str, list[Match]] = {p.name: [] for p in packs}
    counts: dict[str, dict[str, int]] = {p.name: {s.name: 0 for s in p.patterns} for p in packs}
    errors: dict[tuple[str, str], PatternError] = {}
    for item in scan(source_path, scanner):
        if isinstance(item, PatternError):
            key = (item.domain, item.pattern)
            if key in errors:
                errors[key].lines_affected += 1
            else:
                errors[key] = item
            continue
        matches[item.domain].append(item)
        for name in (item.pattern, *item.also_matched):
            counts[item.domain][name] += 1
    return IdentifyResult(source=str(source_path), matches=matches, counts=counts,
                          pattern_errors=list(errors.values()))
