"""skills/extractors/mojibake.py: symbols mangled into cp932 characters, on hand-written text."""

from __future__ import annotations

from training_data_miner.skills.extractors.mojibake import unmangle


def _mangled(text: str) -> str:
    """The text as the log holds it: its UTF-8 bytes read as cp932."""
    return text.encode("utf-8").decode("cp932", errors="replace")


def test_a_symbol_whose_bytes_all_survived_is_put_back() -> None:
    for sym in ("\U0001F7E2", "\U0001F7E1", "\u2500\u2500"):  # green and yellow circles, box drawing
        assert _mangled(sym) != sym
        assert unmangle(f"| V1 | Bridge | {_mangled(sym)} Complete |") == f"| V1 | Bridge | {sym} Complete |"


def test_a_symbol_whose_last_byte_was_lost_is_told_by_its_lead_bytes_or_dropped() -> None:
    # check, cross and arrow are what these lead bytes stand for in the log; another symbol is dropped
    assert unmangle("Phase 1 COMPLETE \u7b28\u30fb**Next**") == "Phase 1 COMPLETE \u2705 **Next**"
    assert unmangle("[U+2701]E**DONE** and [U+2741]E**FAILED**") == "\u2705 **DONE** and \u274C **FAILED**"
    assert unmangle("PoC \u2181EProto") == "PoC \u2192 Proto"
    assert unmangle("[U+1F901]EMeeting") == " Meeting"


def test_real_text_is_left_alone() -> None:
    for text in ("\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8", "Caf\u00e9 \u2705 done", "a \u30fb b", "plain"):
        assert unmangle(text) == text
