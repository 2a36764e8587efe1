"""The `regex` module's functions with compiled patterns memoised.

`regex.sub(pattern_string, ...)` re-parses its flags and looks up its cache on every call (about
10 us); extractors call these hundreds of thousands of times per run, so they go through here.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

import regex


@lru_cache(maxsize=None)
def compile(pattern: str, flags: int = 0) -> regex.Pattern[str]:  # noqa: A001 - mirrors regex.compile
    return regex.compile(pattern, flags)


def sub(pattern, repl, string, count=0, flags=0):
    return compile(pattern, flags).sub(repl, string, count)


def subn(pattern, repl, string, count=0, flags=0):
    return compile(pattern, flags).subn(repl, string, count)


def match(pattern, string, flags=0):
    return compile(pattern, flags).match(string)


def search(pattern, string, flags=0):
    return compile(pattern, flags).search(string)


def fullmatch(pattern, string, flags=0):
    return compile(pattern, flags).fullmatch(string)


def findall(pattern, string, flags=0):
    return compile(pattern, flags).findall(string)


def finditer(pattern, string, flags=0):
    return compile(pattern, flags).finditer(string)


def split(pattern, string, maxsplit=0, flags=0):
    return compile(pattern, flags).split(string, maxsplit)


class Alternation:
    """`A|B|C` as one pattern per alternative, searched in turn: the same matches as the whole
    pattern, several times faster where `regex` cannot optimise the alternation (it tries every
    alternative at every position when they share no literal prefix; measured on `_NOISE` and
    `_PATH` of wsp_application: 25 -> 4 and 36 -> 15 us per line).

    A search of the whole pattern returns, at the leftmost position where any alternative matches,
    the first alternative that matches there; so does `search` here: the match with the smallest
    (start, alternative index). `finditer` repeats that from the end of each match. Every
    alternative must be unable to match the empty string (a `finditer` that meets an empty match raises).
    """

    def __init__(self, *alternatives: str, flags: int = 0):
        self.parts = tuple(regex.compile(a, flags) for a in alternatives)
        self.pattern = "|".join(f"(?:{a})" for a in alternatives)  # the whole pattern, for comparison
        self.flags = flags

    def search(self, string: str, pos: int = 0) -> regex.Match[str] | None:
        best = None
        for p in self.parts:
            m = p.search(string, pos)
            if m is not None and (best is None or m.start() < best.start()):
                best = m
                if m.start() == pos:
                    break  # nothing starts earlier, and the earlier alternatives did not match here
        return best

    def finditer(self, string: str) -> Iterator[regex.Match[str]]:
        pos = 0
        while (m := self.search(string, pos)) is not None:
            if m.end() == m.start():
                raise ValueError(f"{m.re.pattern!r} matched the empty string: Alternation needs alternatives that cannot")
            yield m
            pos = m.end()

    def sub(self, repl: str, string: str) -> str:
        """Every match replaced by `repl` expanded for it (backreferences as in `regex.sub`)."""
        out, last = [], 0
        for m in self.finditer(string):
            out += (string[last : m.start()], m.expand(repl))
            last = m.end()
        return "".join(out) + string[last:] if out else string
