"""Where the MCP server may read sources from: the allowed roots, and the checks that keep a
caller's path inside them.

A caller over MCP is a model reading untrusted text, so a source path is refused when it climbs
with `..`, is absolute outside every root, or is (or passes through) a symlink that leads out.
Relative paths are looked up under each root in turn.
"""

from __future__ import annotations

import errno
import hashlib
import os
import threading
from collections import OrderedDict
from pathlib import Path

from training_data_miner.server import logs

from training_data_miner.skills.load_source import SourceError, open_regular

log = logs.get_logger("training_data_miner")

MAX_PATH_CHARS = 4096
NAME_MAX = 255  # bytes in one path component, on the file systems the server runs on


class OutsideRoots(SourceError):
    """A path the server refuses to read; the message names the allowed roots."""


def allowed_roots(data_dir: Path, extra: list[str] | None = None) -> list[Path]:
    """`--root` folders if given, else the data directory and the working directory, resolved.
    A working directory of `/` (how some desktop clients start servers) is not a root: it would
    allow every file on the machine."""
    if extra:
        roots = []
        for r in extra:
            p = Path(r).expanduser().resolve()
            if not p.is_dir():
                raise OutsideRoots(f"--root {r}: not a directory")
            roots.append(p)
        return roots
    roots = [data_dir.resolve()]
    cwd = Path.cwd().resolve()
    if cwd == Path(cwd.anchor):
        log.warning("working directory is the file system root; not using it as a source root (pass --root)")
    elif cwd not in roots:
        roots.append(cwd)
    return roots


def _inside(path: Path, roots: list[Path]) -> bool:
    return any(path == r or path.is_relative_to(r) for r in roots)


def confine(path: str, roots: list[Path]) -> Path:
    """The real path of a source file inside the roots, or OutsideRoots / SourceError saying why not."""
    where = ", ".join(map(str, roots))
    if len(path) > MAX_PATH_CHARS:
        raise OutsideRoots(f"source path is {len(path)} characters, more than {MAX_PATH_CHARS}; pass a real file path")
    if not path or "\x00" in path:
        raise OutsideRoots("source path is empty or contains a NUL byte; pass a file path")
    given = Path(path).expanduser()
    if ".." in given.parts:
        raise OutsideRoots(f"refused {path!r}: '..' is not allowed in a source path; "
                           f"pass a path inside the allowed roots ({where})")
    long = next((p for p in given.parts if len(os.fsencode(p)) > NAME_MAX), None)
    if long is not None:
        raise SourceError(f"source path {_clip(path)} has a component of {len(os.fsencode(long))} bytes, more than "
                          f"the {NAME_MAX} a file name can have; pass the path of a real file")
    if given.is_absolute():
        if not _inside(Path(os.path.normpath(given)), roots):
            raise OutsideRoots(f"refused {path!r}: absolute path outside the allowed roots ({where}); "
                               "pass a path inside one of them, or start the server with --root for its folder")
        candidates = [given]
    else:
        candidates = [root / given for root in roots]
    for candidate in candidates:
        try:
            os.stat(candidate)
        except FileNotFoundError:
            if not candidate.is_symlink():
                continue  # not in this root; a dangling symlink is judged by where it leads, below
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise SourceError(f"source path {_clip(path)} is a symlink loop (its links never reach a file); "
                                  "pass the path of a real file") from None
            if exc.errno == errno.ENAMETOOLONG:
                raise SourceError(f"source path {_clip(path)} is too long for the file system once joined to "
                                  "its root and its links followed; pass a shorter path to a real file") from None
            if exc.errno != errno.ENOTDIR:
                raise SourceError(f"cannot open source {_clip(path)}: {exc.strerror}") from None
            continue
        real = candidate.resolve()
        if not _inside(real, roots):
            # The target is not named: it is outside, and what lies there is not the caller's to learn.
            raise OutsideRoots(f"refused {path!r}: it is a symlink, or inside one, that leads outside "
                               f"the allowed roots ({where})")
        return real
    raise SourceError(f"source file not found: {path!r} (looked in {where}); "
                      "pass the path of a 012.txt-style text file inside one of these roots")


def _clip(path: str, limit: int = 120) -> str:
    return repr(path if len(path) <= limit else path[: limit - 1] + "…")


class SourceChanged(SourceError):
    """An execution's source no longer has the sha256 load_source recorded."""


def check_recorded(path: str, sha256: str | None, roots: list[Path]) -> Path:
    """The real path of a source an execution recorded, if it is still inside the roots and still
    has the recorded sha256 (when one was recorded). OutsideRoots names neither the path nor its
    target: the caller did not give it, and what lies outside is not the caller's to learn."""
    where = ", ".join(map(str, roots))
    outside = OutsideRoots(f"its source is outside the allowed roots ({where})")
    if not Path(path).is_absolute():  # recorded as a CLI was given it: relative to a directory unknown here
        raise outside
    try:
        real = confine(path, roots)
    except OutsideRoots:
        raise outside from None
    if sha256 is not None and file_sha256(real) != sha256:
        raise SourceChanged(f"source changed since load_source: {real} no longer has sha256 {sha256[:12]}...; "
                            "start a new execution with load_source")
    return real


_SHA: OrderedDict[tuple[int, ...], str] = OrderedDict()
_SHA_SIZE = 64
_SHA_LOCK = threading.Lock()


def file_sha256(path: Path) -> str:
    """The file's sha256, remembered while the open file keeps its identity (device, inode, size,
    modification and change times), so re-checking an unchanged source costs a stat. A path that
    now leads to another file (a swapped symlink) is another inode, so it is hashed again."""
    with open_regular(path) as f:
        st = os.fstat(f.fileno())
        key = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
        with _SHA_LOCK:
            known = _SHA.get(key)
        if known is not None:
            return known
        sha = hashlib.sha256()
        for block in iter(lambda: f.read(1 << 20), b""):
            sha.update(block)
    with _SHA_LOCK:
        _SHA[key] = sha.hexdigest()
        while len(_SHA) > _SHA_SIZE:
            _SHA.popitem(last=False)
    return sha.hexdigest()
