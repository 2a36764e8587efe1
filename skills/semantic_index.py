"""The embedded semantic search: BM25 over chunks of a source's lines, in pure Python, offline.

Chosen on evidence (README, "Semantic search"): on 012_dev.txt, querying each domain with its
description and semantic_queries, 64% of the top-10 chunks hold a line that domain's regexes
match (base rate 9%); bm25s scored 57%, bm25s with a stemmer 56%, and the static embeddings that
ship in the wordllama wheel 54%, and both cost a new dependency and more start-up time. Whole
words beat stemming and prefix matching here, so terms are matched as whole words.

The index is lazy. Building it splits the source into chunks of `CHUNK_LINES` lines; a term's
counts per chunk are made the first time a query asks for it, every new term of a batch of
queries in one pass over the chunks (`prefetch`), and kept. A hit is a chunk, reported as its
line with the most query weight, so that it can become a candidate match.
"""

from __future__ import annotations

import heapq
import math
import os
import re
import threading
from pathlib import Path

from pydantic import BaseModel, Field

from training_data_miner.skills.load_source import BOM, check_source, open_regular

CHUNK_LINES = 8  # of 4, 8 and 12 on 012_dev.txt: 4 found least; 12 a little more, less precisely placed
MAX_INDEX_BYTES = 256 << 20  # the index holds the source in memory, twice (as read, and as words)
SNIPPET_CHARS = 400
K1, B = 1.2, 0.75

_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    "a about against along an and any are as at be been but by can could do does each either far for from "
    "give given gives had has have how if in into is it its left may more most much must no nor not of "
    "on one or other our over own real reach same should so some such than that the their them then there "
    "these they thing things this those through to too under up upon us very via was we were what when "
    "where whether which while who whom why will with within without would yet you your".split()
)


class SemanticIndexError(ValueError):
    """A source the embedded index cannot hold; the message says what to do instead."""


class SearchHit(BaseModel):
    """One search result, from the embedded index or a holo_index endpoint."""

    path: str
    line: int | None = Field(None, description="1-based line number, when the backend gives one")
    snippet: str = ""
    score: float = 0.0
    kind: str = Field("source", description='"source" (embedded index), "code" or "wsp" (holo_index)')


def terms(query: str) -> list[str]:
    """A query's search terms: lowercased words of two or more letters or digits, stop words
    dropped, each once."""
    out: dict[str, None] = {}
    for word in _WORD.findall(query.lower()):
        if len(word) < 2 or word in _STOP:
            continue
        out[word] = None
    return list(out)


# bytes.translate table: ASCII letters (lowercased) and digits kept, newlines kept, all else a space
_WORD_BYTES = bytes(ord(chr(c).lower()) if chr(c).isascii() and chr(c).isalnum() else c if c == 10 else 32
                    for c in range(256))


class SourceIndex:
    """BM25 over fixed chunks of `chunk_lines` lines; a hit points at its chunk's best line.

    Term frequencies are counted lazily, for the terms queries ask for: every new term of a batch
    of queries is counted in one pass over the chunks, then kept for later queries.
    """

    def __init__(self, data: bytes, path: str = "", chunk_lines: int = CHUNK_LINES):
        if data.startswith(BOM):
            data = data[len(BOM) :]
        self.path = path
        self.chunk_lines = chunk_lines
        self.raw_lines = data.split(b"\n")
        if self.raw_lines and self.raw_lines[-1] == b"":
            self.raw_lines.pop()
        words = data.translate(_WORD_BYTES).split(b"\n")
        self._chunks = [b" ".join(words[i : i + chunk_lines]) for i in range(0, len(self.raw_lines), chunk_lines)]
        self._chunk_len: list[int] = []
        self._tf: dict[str, dict[int, int]] = {}  # term -> chunk -> occurrences
        self._scores: dict[str, dict[int, float]] = {}
        self._by_text: dict[bytes, int] | None = None
        self._lock = threading.Lock()  # the MCP server searches from worker threads

    @classmethod
    def from_path(cls, path: str | os.PathLike[str], chunk_lines: int = CHUNK_LINES) -> SourceIndex:
        p = check_source(path)
        with open_regular(p) as f:
            size = os.fstat(f.fileno()).st_size
            if size > MAX_INDEX_BYTES:
                raise SemanticIndexError(
                    f"{p} is {size >> 20} MiB, more than the embedded index holds ({MAX_INDEX_BYTES >> 20} MiB); "
                    "configure a holo_index endpoint (HOLO_INDEX_COMMAND or HOLO_INDEX_URL) or split the source")
            data = f.read()
        return cls(data, str(p), chunk_lines)

    @property
    def total_lines(self) -> int:
        return len(self.raw_lines)

    def line(self, number: int) -> str:
        """Line `number` (1-based) as the scan decodes it."""
        return self.raw_lines[number - 1].decode("utf-8", errors="replace").rstrip("\r")

    def find_line(self, text: str) -> int | None:
        """The first line (1-based) whose stripped text is `text` stripped, if any."""
        if self._by_text is None:
            self._by_text = {}
            for i, raw in enumerate(self.raw_lines):
                self._by_text.setdefault(raw.strip(), i + 1)
        return self._by_text.get(text.strip().encode("utf-8", errors="replace"))

    def prefetch(self, queries: list[str]) -> None:
        """Count every term of `queries` not counted yet, in one pass over the chunks."""
        with self._lock:
            self._count({t.encode() for q in queries for t in terms(q) if t not in self._tf})

    def _count(self, new: set[bytes]) -> None:
        if not new and self._chunk_len:
            return
        counts: dict[bytes, dict[int, int]] = {w: {} for w in new}
        lengths = []
        hits = new.intersection
        for c, text in enumerate(self._chunks):
            ws = text.split()
            lengths.append(len(ws))
            for w in hits(ws):
                counts[w][c] = ws.count(w)
        if not self._chunk_len:
            self._chunk_len = lengths
            self._avg_len = (sum(lengths) / len(lengths)) if lengths else 1.0
        for w, tf in counts.items():
            self._tf[w.decode()] = tf

    def search(self, query: str, limit: int = 5) -> list[SearchHit]:
        """The `limit` best chunks for `query`, best first, each as its best-matching line."""
        if not self._chunks or limit <= 0:
            return []
        self.prefetch([query])
        weights = {t: self._idf(t) for t in terms(query) if self._tf[t]}
        # per-term BM25 contributions summed; the largest dict is copied rather than looped over
        parts = sorted((self._bm25(t) for t in weights), key=len, reverse=True)
        scores: dict[int, float] = dict(parts[0]) if parts else {}
        for part in parts[1:]:
            get = scores.get
            for c, v in part.items():
                scores[c] = get(c, 0.0) + v
        best = heapq.nlargest(limit, scores, key=scores.__getitem__)
        return [self._hit(c, scores[c], weights) for c in best]

    def _idf(self, term: str) -> float:
        n, df = len(self._chunks), len(self._tf[term])
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def _bm25(self, term: str) -> dict[int, float]:
        """chunk -> the term's BM25 score there (cached)."""
        part = self._scores.get(term)
        if part is None:
            idf, lengths, avg = self._idf(term), self._chunk_len, self._avg_len
            part = self._scores[term] = {
                c: idf * f * (K1 + 1) / (f + K1 * (1 - B + B * lengths[c] / avg)) for c, f in self._tf[term].items()
            }
        return part

    def _hit(self, chunk: int, score: float, weights: dict[str, float]) -> SearchHit:
        lo, hi = chunk * self.chunk_lines, min((chunk + 1) * self.chunk_lines, self.total_lines)
        # the chunk's best line: the most query weight on one line, then the earliest
        best, best_w = lo, 0.0
        for i in range(lo, hi):
            present = set(self.raw_lines[i].translate(_WORD_BYTES).split())
            w = sum(weight for t, weight in weights.items() if t.encode() in present)
            if w > best_w:
                best, best_w = i, w
        text = "\n".join(self.line(i + 1) for i in range(lo, hi))
        return SearchHit(path=self.path, line=best + 1, snippet=text[:SNIPPET_CHARS], score=round(score, 4),
                         kind="source")


_CACHE: dict[tuple[str, int, int], SourceIndex] = {}
_CACHE_SIZE = 4
_CACHE_LOCK = threading.Lock()


def index_for(path: str | os.PathLike[str]) -> SourceIndex:
    """The index of `path`, reused while the file is unchanged (a few sources are kept)."""
    p = check_source(path)
    st = p.stat()
    key = (str(Path(p).resolve()), st.st_size, st.st_mtime_ns)
    with _CACHE_LOCK:
        idx = _CACHE.get(key)
        if idx is None:
            idx = SourceIndex.from_path(p)
            if len(_CACHE) >= _CACHE_SIZE:
                _CACHE.pop(next(iter(_CACHE)))
            _CACHE[key] = idx
        return idx
