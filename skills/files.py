"""Writing files so that a reader, or a writer killed halfway, never sees half of one: atomic
replacement, appended JSON lines under a lock, a per-domain writer lock, and the readable JSON
layout every written dataset uses. Below every writer (the steps, the hand-off, the metrics)."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def umask() -> int:
    """The process's umask, read without changing it (os.umask can only be read by setting it,
    which would race with other threads creating files)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return _STARTUP_UMASK


def _startup_umask() -> int:
    old = os.umask(0o022)
    os.umask(old)
    return old


_STARTUP_UMASK = _startup_umask()  # at import, before any thread runs: the fallback of umask()


def file_mode() -> int:
    """The mode a new file gets from open(): 0666 less the umask."""
    return 0o666 & ~umask()


def atomic_write_text(path: Path, text: str, sync: bool = True) -> None:
    """Write to a temporary file beside `path`, fsync (unless `sync` is False: a file that can be
    made again), then rename over it: a reader (or a killed writer) sees the old file or the new
    one, never half of one. The file gets the mode open() would give it (mkstemp makes 0600, which
    a trainer running as another user could not read). Temporary files that a killed writer
    left behind are swept first (their names carry the writer's pid)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    sweep_stale(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, file_mode())
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            if sync:
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def sweep_stale(path: Path) -> None:
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
    never interleave, and fsync it before returning: a line is on disk once this returns. A tail
    left without its newline by a writer killed mid-write (never acknowledged: it did not return)
    is cut off first, so every line of the file parses."""
    path.parent.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o666)  # the umask decides the mode
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        _cut_torn_tail(fd)
        view = memoryview(line)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)  # closing releases the lock


def _cut_torn_tail(fd: int) -> None:
    """Truncate the file after its last newline, if anything follows it (a torn last line)."""
    size = os.fstat(fd).st_size
    if not size or os.pread(fd, 1, size - 1) == b"\n":
        return
    end = size
    while end > 0:
        start = max(0, end - 4096)
        newline = os.pread(fd, end - start, start).rfind(b"\n")
        if newline >= 0:
            os.ftruncate(fd, start + newline + 1)
            return
        end = start
    os.ftruncate(fd, 0)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """The records of a JSON-lines file written by `append_jsonl` (none if it does not exist). A
    torn last line (its writer killed mid-write, before it returned) is skipped."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    lines = data.split(b"\n")
    if lines[-1]:  # no newline at the end: the last line is torn
        lines.pop()
    return [json.loads(line) for line in lines if line.strip()]


@contextmanager
def domain_lock(out_dir: Path, domain: str) -> Iterator[None]:
    """Serialise writers of one domain's files, so a dataset, its validation set and its summary
    always come from the same run."""
    out_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(out_dir / f".{domain}.lock", os.O_WRONLY | os.O_CREAT, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


# -- a set of files that always belong together -----------------------------------------------------
# A domain's dataset, validation set, summary and rejected examples are one set: renaming them one
# by one let a writer killed between two renames leave a dataset beside another run's validation
# set. Each set is written into a folder of its own, runs/<key>/<run>/, and published by switching
# one symlink, runs/<key>/current, with a single rename; the names readers open,
# <out_dir>/<file>, are symlinks through `current` that never change once made.

RUNS_DIR = "runs"
CURRENT = "current"
KEPT_RUNS = 2  # the published run and the one before it (a reader may still be reading it)


def set_folder(out_dir: Path, key: str) -> Path:
    """The folder the published set of `key` is in (runs/<key>/current, resolved once): read every
    file of a set from here to be sure they are one run's, even while a writer publishes another."""
    return (Path(out_dir) / RUNS_DIR / key / CURRENT).resolve()


def publish_set(out_dir: Path, key: str, run: str, files: dict[str, str],
                before_switch: Callable[[], None] | None = None) -> Path:
    """Write `files` (name -> text) as one set and publish it in place of the set before (hold the
    key's lock, `domain_lock`). `before_switch` is called last before the switch: raising there
    (a cancelled call) leaves the previous set published and this one unseen. Returns its folder."""
    out_dir = Path(out_dir)
    runs = out_dir / RUNS_DIR / key
    runs.mkdir(parents=True, exist_ok=True)
    for name in files:
        sweep_stale(out_dir / name)  # a switch link a killed writer left
    _adopt_plain_files(out_dir, runs, list(files))
    folder = runs / f"{run}.{os.getpid()}.{os.urandom(3).hex()}"
    folder.mkdir(mode=0o777)  # the umask applies, as to every other folder made
    previous = _current_target(runs)
    made: list[Path] = []
    try:
        for name, text in files.items():
            _write_synced(folder / name, text)
        _fsync_dir(folder)
        # The names readers open are made before the first switch, while they lead nowhere: all of
        # them then appear at once, with the switch (made after it, a writer killed between two of
        # them would leave a set with names missing).
        for name in files:
            if _link(out_dir / name, f"{RUNS_DIR}/{key}/{CURRENT}/{name}"):
                made.append(out_dir / name)
        if before_switch is not None:
            before_switch()
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)  # never published (a killed writer's is pruned later)
        if previous is None:
            for path in made:  # names that would lead nowhere
                path.unlink(missing_ok=True)
        raise
    _switch(runs / CURRENT, folder.name)
    _fsync_dir(runs)
    _prune(runs, {folder.name, previous})
    return folder


def _write_synced(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _switch(link: Path, target: str) -> None:
    """Point the symlink `link` at `target` with one rename (a reader sees the old target or the new)."""
    tmp = link.with_name(f".{link.name}.{os.getpid()}.{os.urandom(3).hex()}.tmp")
    os.symlink(target, tmp)
    try:
        os.replace(tmp, link)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _link(path: Path, target: str) -> bool:
    """`path` as a symlink to `target`, made once (the switch of `current` does the rest). True
    if it was made now."""
    try:
        if os.readlink(path) == target:
            return False
    except OSError:  # missing, or a plain file (adopted into a run folder by now)
        pass
    _switch(path, target)
    return True


def _current_target(runs: Path) -> str | None:
    try:
        return os.readlink(runs / CURRENT)
    except OSError:
        return None


def _adopt_plain_files(out_dir: Path, runs: Path, names: list[str]) -> None:
    """Files written before sets were published this way are plain files, not symlinks: they are
    hard-linked into a run folder of their own, published, and only then each replaced by its
    symlink (which reaches the same file), so no reader ever sees them mixed with a new set."""
    plain = [n for n in names if (out_dir / n).is_file() and not (out_dir / n).is_symlink()]
    if not plain:
        return
    if _current_target(runs) is None:
        folder = runs / f"adopted.{os.getpid()}.{os.urandom(3).hex()}"
        folder.mkdir(mode=0o777)
        for n in plain:
            os.link(out_dir / n, folder / n)
        _fsync_dir(folder)
        _switch(runs / CURRENT, folder.name)
        _fsync_dir(runs)
    key = runs.name
    for n in plain:
        _link(out_dir / n, f"{RUNS_DIR}/{key}/{CURRENT}/{n}")


def _prune(runs: Path, keep: set[str | None]) -> None:
    """Run folders other than `keep` (left by earlier runs, or by writers killed before their
    switch), and switch links a killed writer left."""
    for entry in runs.iterdir():
        if entry.name in keep or entry.name == CURRENT:
            continue
        if entry.is_symlink():
            if entry.name.startswith(f".{CURRENT}."):
                pid = entry.name.split(".")[2]
                if not (pid.isdigit() and _alive(int(pid))):
                    entry.unlink(missing_ok=True)
            continue
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
