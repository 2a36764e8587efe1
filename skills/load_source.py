"""Step 1, load_source: learn a source's size, identity and encoding, and plan its chunks.

One streaming pass in fixed-size blocks, so memory stays bounded whatever the file size. The
chunk plan cuts the file at line ends into pieces that fit a 32K-token context window with room
for the prompt and the answer (the seed's `chunk_size`).
"""

from __future__ import annotations

import codecs
import hashlib
import os
import shlex
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from training_data_miner.skills.models import Chunk, SourceInfo

BLOCK_BYTES = 8 << 20
CONTEXT_WINDOW_TOKENS = 32_768
CHUNK_TOKEN_BUDGET = 24_000  # leaves ~8K tokens of a 32K window for instructions and output
BYTES_PER_TOKEN = 4  # rough figure for English text and log lines
BOM = codecs.BOM_UTF8


class SourceError(ValueError):
    """A source that cannot be mined; the message says what to do instead."""


def check_source(path: str | os.PathLike[str]) -> Path:
    """The path as a readable regular file, or a SourceError saying why not."""
    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise SourceError(f"source file not found: {p}; pass the path of a 012.txt-style text file") from None
    except PermissionError:
        raise SourceError(f"source file is not readable (permission denied): {p}") from None
    except OSError as exc:
        raise SourceError(f"cannot open source {p}: {exc.strerror}") from None
    if stat.S_ISDIR(st.st_mode):
        raise SourceError(f"source is a directory, not a file: {p}; pass the text file inside it")
    if not stat.S_ISREG(st.st_mode):
        raise SourceError(f"source is not a regular file (FIFO, socket or device): {p}; copy it to a file first")
    if not os.access(p, os.R_OK):
        raise SourceError(f"source file is not readable (permission denied): {p}")
    return p


def open_regular(path: str | os.PathLike[str]) -> BinaryIO:
    """The file opened for reading, if it is a regular file; else a SourceError. Opened without
    blocking and checked on the open descriptor, so that a FIFO (whose open waits for a writer, or
    swapped in after a check by path) never hangs the reader."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise SourceError(f"source file not found: {path}; pass the path of a 012.txt-style text file") from None
    except PermissionError:
        raise SourceError(f"source file is not readable (permission denied): {path}") from None
    except OSError as exc:
        raise SourceError(f"cannot open source {path}: {exc.strerror}") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        what = "a directory" if stat.S_ISDIR(mode) else "not a regular file (FIFO, socket or device)"
        raise SourceError(f"source is {what}: {path}; pass a text file (copy it to one first)")
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def read_blocks(path: Path, block_bytes: int = BLOCK_BYTES) -> Iterator[bytes]:
    """The file in blocks that each end at a line end (or at EOF); a line longer than a block
    makes its block longer, never splits."""
    with open_regular(path) as f:
        carry = b""
        while True:
            data = f.read(block_bytes)
            if not data:
                if carry:
                    yield carry
                return
            data = carry + data if carry else data
            cut = data.rfind(b"\n")
            if cut < 0:
                carry = data
                continue
            carry = data[cut + 1 :]
            yield data[: cut + 1]


class _ReplacementCounter:
    """Counts undecodable bytes while decoding incrementally, across block boundaries."""

    def __init__(self) -> None:
        self.replaced = 0
        name = f"tdm-count-{id(self)}"
        codecs.register_error(name, self._handle)
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors=name)

    def _handle(self, exc: UnicodeDecodeError) -> tuple[str, int]:
        self.replaced += exc.end - exc.start
        return "\ufffd", exc.end


def load_source(
    source_path: str | os.PathLike[str],
    chunk_token_budget: int = CHUNK_TOKEN_BUDGET,
) -> SourceInfo:
    path = check_source(source_path)
    sha = hashlib.sha256()
    total_bytes = lines = longest = 0
    bom = False
    nul = False
    head = b""
    counter: _ReplacementCounter | None = None
    bad_lines = 0
    budget_bytes = chunk_token_budget * BYTES_PER_TOKEN
    chunks: list[Chunk] = []
    chunk_start_line, chunk_bytes = 1, 0
    cur_line_len = 0  # bytes of the line still open at the end of the previous block

    def close_chunk(end_line: int) -> None:
        nonlocal chunk_start_line, chunk_bytes
        if end_line >= chunk_start_line:
            chunks.append(Chunk(index=len(chunks), start_line=chunk_start_line, end_line=end_line,
                                bytes=chunk_bytes, est_tokens=-(-chunk_bytes // BYTES_PER_TOKEN)))
        chunk_start_line, chunk_bytes = end_line + 1, 0

    for block in read_blocks(path):
        if total_bytes == 0:
            bom = block.startswith(BOM)
            head = block[:_HEAD_BYTES]
        sha.update(block)
        total_bytes += len(block)
        if not nul and b"\x00" in block:
            nul = True
        try:
            block.decode("utf-8")
        except UnicodeDecodeError:
            counter = counter or _ReplacementCounter()
            for raw in block.splitlines():
                before = counter.replaced
                counter.decoder.decode(raw)
                counter.decoder.decode(b"", final=True)
                bad_lines += counter.replaced > before
        # Walk line ends in strides of the chunk budget: C-speed finds, no per-line Python loop.
        pos = 0
        n = len(block)
        while pos < n:
            room = budget_bytes - chunk_bytes
            cut = block.rfind(b"\n", pos, pos + room) if room > 0 else -1
            if cut < 0:
                if chunk_bytes:
                    close_chunk(lines)
                    continue
                cut = block.find(b"\n", pos)  # a line longer than the budget is a chunk alone
                cut = n - 1 if cut < 0 else cut
            seg = block[pos : cut + 1]
            nl = seg.count(b"\n")
            if nl:
                first = seg.find(b"\n")
                longest = max(longest, cur_line_len + first + 1, _longest_line(seg, first))
                cur_line_len = len(seg) - seg.rfind(b"\n") - 1
            else:
                cur_line_len += len(seg)
            lines += nl + (0 if seg.endswith(b"\n") else 1)
            chunk_bytes += len(seg)
            pos = cut + 1
        if not block.endswith(b"\n"):
            longest = max(longest, cur_line_len)
    close_chunk(lines)

    if total_bytes == 0:
        raise SourceError(f"source file is empty: {path}; nothing to mine")
    if nul:
        wide = _wide_encoding(head)
        if wide:
            enc = wide.split()[0]
            out = path.with_name(f"{path.stem}.utf8{path.suffix}")
            raise SourceError(
                f"source is {wide} text, not UTF-8: {path}; convert it first, e.g. "
                f"`iconv -f {enc} -t UTF-8 {shlex.quote(str(path))} > {shlex.quote(str(out))}`"
                + (" (Windows PowerShell 5 writes UTF-16LE with `>`; there, "
                   "`Get-Content in.txt | Set-Content -Encoding utf8 out.txt` converts it)" if enc == "UTF-16LE" else "")
            )
        raise SourceError(
            f"source looks binary (it contains NUL bytes): {path}; pass a UTF-8 text log like 012.txt"
        )
    notes = []
    if bom:
        notes.append("UTF-8 byte order mark at the start (skipped)")
    replaced = counter.replaced if counter else 0
    if replaced:
        notes.append(f"{replaced} undecodable byte(s) on {bad_lines} line(s) replaced with U+FFFD")
    else:
        notes.append("valid UTF-8")
    if longest > budget_bytes:
        notes.append(f"longest line is {longest} bytes, more than one chunk's budget; it is a chunk of its own")
    return SourceInfo(
        path=str(path.resolve()),
        name=path.name,
        total_lines=lines,
        bytes=total_bytes,
        sha256=sha.hexdigest(),
        bom=bom,
        replaced_bytes=replaced,
        lines_with_replacements=bad_lines,
        longest_line_bytes=longest,
        chunk_token_budget=chunk_token_budget,
        chunk_size=max((c.end_line - c.start_line + 1 for c in chunks), default=0),
        chunks=chunks,
        encoding_notes=notes,
    )


_HEAD_BYTES = 256
# longest first: the UTF-32 little-endian mark begins with the UTF-16 one
_WIDE_BOMS = ((codecs.BOM_UTF32_LE, "UTF-32LE"), (codecs.BOM_UTF32_BE, "UTF-32BE"),
              (codecs.BOM_UTF16_LE, "UTF-16LE"), (codecs.BOM_UTF16_BE, "UTF-16BE"))


def _wide_encoding(head: bytes) -> str | None:
    """The wide encoding the file's first bytes are in, named with how it was told ("UTF-16LE (byte
    order mark FF FE)"): by a UTF-16 or UTF-32 byte order mark, or, without one, by ASCII text with
    a NUL beside every character. None for anything else."""
    for mark, name in _WIDE_BOMS:
        if head.startswith(mark):
            return f"{name} (byte order mark {mark.hex(' ').upper()})"
    pairs = len(head) // 2 * 2
    if pairs >= 8:
        even, odd = head[0:pairs:2], head[1:pairs:2]
        if not odd.strip(b"\x00") and even.isascii() and b"\x00" not in even:
            return "UTF-16LE (no byte order mark)"
        if not even.strip(b"\x00") and odd.isascii() and b"\x00" not in odd:
            return "UTF-16BE (no byte order mark)"
    return None


def _longest_line(seg: bytes, first_nl: int) -> int:
    """Longest complete line in seg after its first line end (lines are short: split is fine)."""
    rest = seg[first_nl + 1 :]
    if not rest:
        return 0
    return max(map(len, rest.split(b"\n"))) + 1
