"""Emoji and symbols mangled on their way into the log, put back where the bytes allow.

The log holds text that was UTF-8, decoded once as cp932 (Japanese Windows) and written out again:
"🟢" (F0 9F 9F A2) became a private-use character and "泙", "─" (E2 94 80) became "笏" and a
control character. Where a byte did not decode, cp932 wrote "・" (81 45) instead and the symbol's
last byte is lost: "✅" (E2 9C 85) became "笨・"; written out as UTF-8 and escaped again, the same
loss shows as a symbol whose last byte is 0x81 followed by "E" ("[U+2701]E", "ↁE" for "→").

`unmangle` reverses the first kind exactly (a run of such characters whose cp932 bytes are valid
UTF-8 for symbols only); for the second it keeps what the bytes left tell: the three marks whose
lead bytes say which they were in these logs (check, cross, arrow), and nothing for the others.
Real CJK text is left alone: its cp932 bytes are not UTF-8 symbols.
"""

from __future__ import annotations

import unicodedata

import regex

# what cp932 makes of UTF-8 bytes: kanji, kana, private-use characters, halfwidth forms and C1 controls
_RUN = regex.compile(r"[\p{Han}\p{Co}\u3000-\u30FF\uFF61-\uFF9F\u0080-\u009F]+")
_LOST = "\u30FB"  # "・": where cp932 could not decode a byte
# a symbol whose UTF-8 ends in 0x81 before an "E" (escaped or not): the 81 45 of a "・", re-read
_LOST_ESCAPED = regex.compile(r"\[U\+(2[0-9A-Fa-f]{3}|1F[0-9A-Fa-f]{3})\]E|([\u2000-\u2BFF])E")
# the lead bytes of a symbol whose last byte was lost -> the symbol they stand for in these logs
_GUESS = {b"\xe2\x9c": "\u2705", b"\xe2\x9d": "\u274C", b"\xe2\x86": "\u2192"}


def _symbols(text: str) -> bool:
    return bool(text) and all(unicodedata.category(c)[0] == "S" or c in "\uFE0F\u200D" or "\u2500" <= c <= "\u257F"
                              for c in text)


def _from_lost(lead: bytes) -> str | None:
    """What the lead bytes of a symbol with its last byte lost stand for: a guess for a known
    mark, "" for another symbol, None when they do not start a multi-byte UTF-8 symbol."""
    if len(lead) not in (2, 3) or lead[0] not in (0xE2, 0xE3, 0xF0):
        return None
    return _GUESS.get(lead, "")


def _run(m: regex.Match[str]) -> str:
    run = m.group(0)
    out: list[str] = []
    for k, part in enumerate(run.split(_LOST)):
        lost = k < run.count(_LOST)  # this part ends where a byte was lost
        try:
            raw = part.encode("cp932")
        except UnicodeEncodeError:
            return run
        # the part's whole symbols, then what is left of the one whose last byte was lost
        cut = len(raw)
        if lost:
            for n in (3, 2):  # a 4-byte emoji leaves 3 lead bytes, a 3-byte symbol 2
                if len(raw) >= n and _from_lost(raw[-n:]) is not None:
                    cut = len(raw) - n
                    break
            else:
                return run
        try:
            whole = raw[:cut].decode("utf-8")
        except UnicodeDecodeError:
            return run
        if whole and not _symbols(whole):
            return run
        out.append(whole)
        if lost:  # (the byte after the lost one went with it: most often a space)
            out.append((_from_lost(raw[cut:]) or "") + " ")
    return "".join(out)


def _escaped(m: regex.Match[str]) -> str:
    ch = chr(int(m.group(1), 16)) if m.group(1) else m.group(2)
    raw = ch.encode("utf-8")
    if raw[-1:] != b"\x81":
        return m.group(0)
    got = _from_lost(raw[:-1])
    return m.group(0) if got is None else got + " "


def unmangle(text: str) -> str:
    """The text with its mangled symbols put back (or dropped where nothing tells what they were)."""
    if "[U+" in text or not text.isascii():
        text = _LOST_ESCAPED.sub(_escaped, text)
    if not text.isascii():
        text = _RUN.sub(_run, text)
    return text
