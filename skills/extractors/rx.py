"""The `regex` module's functions with compiled patterns memoised, and gated patterns.

`regex.sub(pattern_string, ...)` re-parses its flags and looks up its cache on every call (about
10 us); extractors call these hundreds of thousands of times per run, so they go through here.
A `Gated` pattern is skipped on the texts that cannot match it.
"""

from __future__ import annotations

import re
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


class Gated:
    """A pattern tried only on a text whose lower case holds one of `words`.

    Every match of the pattern must hold one of the words (as the pattern is written); then a text
    without any cannot match, and the `in` tests (C-speed) skip the regular expression on most
    lines without changing a result (an extractor's tests hold its gates against their patterns on
    every line of the sample and 012_dev.txt, prepared as the extractor prepares them). `low`, when given, is the lower case of
    a text the searched one was derived from by blanking parts (it holds every word the text
    does): one lower-casing serves several patterns.
    """

    def __init__(self, pattern: str, words: tuple[str, ...], flags: int = 0):
        self.regex = re.compile(pattern, flags)
        self.words = words

    def open(self, low: str) -> bool:
        return any(map(low.__contains__, self.words))  # no Python frame per word

    def search(self, text: str, low: str | None = None) -> re.Match[str] | None:
        return self.regex.search(text) if self.open(text.lower() if low is None else low) else None

    def finditer(self, text: str, low: str | None = None) -> Iterator[re.Match[str]]:
        return self.regex.finditer(text) if self.open(text.lower() if low is None else low) else iter(())

    def sub(self, repl: str, text: str, low: str | None = None) -> str:
        return self.regex.sub(repl, text) if self.open(text.lower() if low is None else low) else text
