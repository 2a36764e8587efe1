"""load_source: size, identity, encoding notes and the chunk plan, in one streaming pass."""

from __future__ import annotations

import codecs
import hashlib
import os
import shutil
import subprocess

import pytest
from helpers import corpus

from training_data_miner.skills.load_source import BYTES_PER_TOKEN, SourceError, load_source, read_blocks


@pytest.mark.corpus
def test_counts_lines_bytes_and_sha256_of_the_corpus():
    info = load_source(corpus())
    data = corpus().read_bytes()
    assert info.total_lines == data.count(b"\n") + (0 if data.endswith(b"\n") else 1) == 50_000
    assert info.bytes == len(data)
    assert info.sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.corpus
def test_chunk_plan_covers_every_line_once_within_the_token_budget():
    info = load_source(corpus(), chunk_token_budget=8_000)
    assert info.chunks[0].start_line == 1 and info.chunks[-1].end_line == info.total_lines
    for a, b in zip(info.chunks, info.chunks[1:]):
        assert b.start_line == a.end_line + 1
    assert sum(c.bytes for c in info.chunks) == info.bytes
    for c in info.chunks:
        single_line = c.start_line == c.end_line
        assert c.bytes <= 8_000 * BYTES_PER_TOKEN or single_line
    assert info.chunk_size == max(c.end_line - c.start_line + 1 for c in info.chunks)


def test_bom_is_noted(tmp_path):
    p = tmp_path / "bom.txt"
    p.write_bytes(b"\xef\xbb\xbfMPS Score: 12\n")
    info = load_source(p)
    assert info.bom is True
    assert any("byte order mark" in n for n in info.encoding_notes)


def test_undecodable_bytes_are_counted_not_fatal(tmp_path):
    p = tmp_path / "latin1.txt"
    p.write_bytes(b"caf\xe9 ok\nfine line\nbad \xff\xfe end\n")
    info = load_source(p)
    assert info.replaced_bytes == 3
    assert info.lines_with_replacements == 2
    assert info.total_lines == 3


def test_last_line_without_newline_is_counted(tmp_path):
    p = tmp_path / "t.txt"
    p.write_bytes(b"a\nb")
    assert load_source(p).total_lines == 2


def test_a_line_longer_than_a_chunk_is_a_chunk_of_its_own(tmp_path):
    p = tmp_path / "long.txt"
    p.write_bytes(b"short\n" + b"x" * 50_000 + b"\nshort again\n")
    info = load_source(p, chunk_token_budget=1_000)
    assert info.longest_line_bytes == 50_001
    assert [(c.start_line, c.end_line) for c in info.chunks] == [(1, 1), (2, 2), (3, 3)]


def test_blocks_end_at_line_ends_even_with_tiny_blocks(tmp_path):
    p = tmp_path / "t.txt"
    p.write_bytes(b"one\ntwo two\n" + b"z" * 100 + b"\nlast")
    blocks = list(read_blocks(p, block_bytes=8))
    assert b"".join(blocks) == p.read_bytes()
    assert all(b.endswith(b"\n") for b in blocks[:-1])


@pytest.mark.parametrize("make,message", [
    (lambda d: d / "missing.txt", "not found"),
    (lambda d: d, "is a directory"),
])
def test_bad_paths_get_clear_errors(tmp_path, make, message):
    with pytest.raises(SourceError, match=message):
        load_source(make(tmp_path))


def test_empty_file_is_refused(tmp_path):
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    with pytest.raises(SourceError, match="empty"):
        load_source(p)


def test_binary_file_is_refused(tmp_path):
    p = tmp_path / "blob.bin"
    p.write_bytes(b"MPS Score: 12\n\x00\x01\x02")
    with pytest.raises(SourceError, match="binary"):
        load_source(p)


TEXT = "## WSP 15 scoring\nMPS: C=4, I=5, D=3, P=4 -> 16 (P0)\n"


@pytest.mark.parametrize("codec,bom,named", [
    ("utf-16-le", codecs.BOM_UTF16_LE, "UTF-16LE (byte order mark FF FE)"),
    ("utf-16-be", codecs.BOM_UTF16_BE, "UTF-16BE (byte order mark FE FF)"),
    ("utf-32-le", codecs.BOM_UTF32_LE, "UTF-32LE (byte order mark FF FE 00 00)"),
    ("utf-16-le", b"", "UTF-16LE (no byte order mark)"),
    ("utf-16-be", b"", "UTF-16BE (no byte order mark)"),
])
def test_a_utf16_or_utf32_source_is_named_with_a_conversion_that_works(tmp_path, codec, bom, named):
    p = tmp_path / "012 log.txt"
    p.write_bytes(bom + (TEXT * 3).encode(codec))
    with pytest.raises(SourceError) as err:
        load_source(p)
    message = str(err.value)
    assert message.startswith(f"source is {named} text, not UTF-8: {p}; convert it first")
    if shutil.which("iconv") is None:
        pytest.skip("no iconv here to run the advice")
    command = message.split("`")[1]
    subprocess.run(command, shell=True, check=True)  # the advice, as written
    info = load_source(tmp_path / "012 log.utf8.txt")
    assert info.total_lines == 6 and info.replaced_bytes == 0


def test_a_binary_file_with_nuls_is_not_taken_for_utf16(tmp_path):
    p = tmp_path / "blob.bin"
    p.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(SourceError, match="looks binary"):
        load_source(p)


def test_fifo_is_refused_without_blocking(tmp_path):
    p = tmp_path / "pipe"
    os.mkfifo(p)
    with pytest.raises(SourceError, match="not a regular file"):
        load_source(p)
