"""Writing files so that a reader, or a writer killed halfway, never sees half of one: atomic
replacement, appended JSON lines under a lock, a per-domain writer lock, and the readable JSON
layout every written dataset uses. Below every writer (the steps, the hand-off, the metrics)."""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def atomic_write_text(path: Path, text: str, sync: bool = True) -> None:
    """Write to a temporary file beside `path`, fsync (unless `sync` is False: a file that can be
    made again), then rename over it: a reader (or a killed writer) sees the old file or the new
    one, never half of one. Temporary files that a killed writer
    left behind are swept first (their names carry the writer's pid)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _sweep_stale(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            if sync:
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _sweep_stale(path: Path) -> None:
    for tmp in path.parent.glob(f".{path.name}.*.tmp"):
        pid = tmp.name[len(path.name) + 2 :].split(".", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            tmp.unlink(missing_ok=True)  # its writer is gone
        except PermissionError:
            pass  # alive, someone else's


def dumps_readable(obj: Any) -> str:
    """JSON laid out for people: indented like `json.dumps(indent=2)`, except that a top-level list
    of objects (a dataset's examples, the rejected examples) has one compact object per line.
    `indent` forces Python's pure-Python encoder; this layout lets the C encoder do the bulk."""
    if not isinstance(obj, dict) or not obj:
        return json.dumps(obj, indent=2, ensure_ascii=False)
    parts = []
    for k, v in obj.items():
        key = json.dumps(k if isinstance(k, str) else str(k), ensure_ascii=False)
        if isinstance(v, list) and v and all(isinstance(i, dict) for i in v):
            body = ",\n    ".join(json.dumps(i, ensure_ascii=False) for i in v)
            parts.append(f"  {key}: [\n    {body}\n  ]")
        else:  # encoded strings hold no raw newline, so re-indenting the lines is safe
            parts.append(f"  {key}: " + json.dumps(v, indent=2, ensure_ascii=False).replace("\n", "\n  "))
    return "{\n" + ",\n".join(parts) + "\n}"


def atomic_write_json(path: Path, obj: Any) -> int:
    text = dumps_readable(obj) + "\n"
    atomic_write_text(path, text)
    return len(text.encode("utf-8"))


def append_jsonl(path: Path, record: dict[str, Any]) -> None:
    """Append one JSON line under an exclusive lock with a single write(2), so concurrent writers
    never interleave and a killed writer leaves whole lines only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        view = memoryview(line)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)  # closing releases the lock


@contextmanager
def domain_lock(out_dir: Path, domain: str) -> Iterator[None]:
    """Serialise writers of one domain's files, so a dataset, its validation set and its summary
    always come from the same run."""
    out_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(out_dir / f".{domain}.lock", os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
