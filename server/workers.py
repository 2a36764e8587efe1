"""Whole-run mines on more than one core: groups of domains in forked worker processes.

After load_source a mine's domains are independent, so each group of domains can run in its own
process: the first group here, every other group in a child forked from this process (the loaded
packs, compiled regexes and state are shared copy-on-write; nothing is imported twice). Step 6
needs every domain's training order, which needs every domain's step 5, so a run has two phases
with a barrier between them: `first(group)` runs everywhere, `combine` turns all their results into
what `second(group, combined)` takes. A child sends each result back on a pipe, pickled. A child
that fails or dies is reported as a WorkerFailed for its group, never a hang: its pipe closes.

Forking is only safe in a single-threaded process (a lock held by another thread would stay held
in the child), so `can_fork()` says no inside a threaded server and the caller runs serially.
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
import threading
import traceback
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

G = TypeVar("G")
_LEN = struct.Struct("<Q")


class WorkerFailed(Exception):
    """A worker process raised, or died before it answered."""


def can_fork() -> bool:
    return hasattr(os, "fork") and threading.active_count() == 1


def balance(costs: dict[str, float], n: int) -> list[list[str]]:
    """The names split into at most `n` groups of about equal total cost, each group in the names'
    original order, no empty group. Two groups of a few names: the best split, tried exhaustively;
    otherwise heaviest first, each onto the lightest group so far."""
    names = list(costs)
    n = max(1, min(n, len(names)))
    if n == 2 and len(names) <= 16:
        total = sum(costs.values())
        best = min(range(1, 2 ** (len(names) - 1)),  # the last name always in the second group
                   key=lambda bits: abs(total - 2 * sum(costs[d] for i, d in enumerate(names) if bits >> i & 1)))
        first = [d for i, d in enumerate(names) if best >> i & 1]
        return [first, [d for d in names if d not in first]]
    groups: list[list[str]] = [[] for _ in range(n)]
    loads = [0.0] * n
    for name in sorted(names, key=lambda d: (-costs[d], names.index(d))):
        i = loads.index(min(loads))
        groups[i].append(name)
        loads[i] += costs[name]
    return [sorted(g, key=names.index) for g in groups if g]


def run_in_workers(groups: Sequence[G], first: Callable[[G], Any], combine: Callable[[list[Any]], Any],
                   second: Callable[[G, Any], Any]) -> list[Any]:
    """`second(group, combine([first(g) for g in groups]))` for every group, the groups after the
    first each in a forked child. Returns one result per group, in order; a failed group's result
    (and, if its first phase failed, its entry in combine's list) is a WorkerFailed."""
    children: list[dict[str, int]] = []
    for g in groups[1:]:
        children.append(_spawn(g, first, second, inherited=[fd for c in children for fd in (c["to"], c["from"])]))
    try:
        firsts = [first(groups[0]), *(_recv(c["from"], c["pid"]) for c in children)]
        combined = combine(firsts)
        for c, got in zip(children, firsts[1:]):
            if not isinstance(got, WorkerFailed):
                _send(c["to"], combined)
        seconds = [second(groups[0], combined)]
        seconds += [_recv(c["from"], c["pid"]) if not isinstance(got, WorkerFailed) else got
                    for c, got in zip(children, firsts[1:])]
        return seconds
    except BaseException:
        for c in children:  # this process is failing (Ctrl-C, a bug): its workers stop with it
            try:
                os.kill(c["pid"], signal.SIGTERM)
            except ProcessLookupError:
                pass
        raise
    finally:
        for c in children:
            for fd in (c["to"], c["from"]):
                try:
                    os.close(fd)
                except OSError:
                    pass
            _reap(c["pid"])


def _spawn(group: G, first: Callable[[G], Any], second: Callable[[G, Any], Any],
           inherited: list[int]) -> dict[str, int]:
    down_r, down_w = os.pipe()  # parent -> child
    up_r, up_w = os.pipe()  # child -> parent
    pid = os.fork()
    if pid == 0:  # the child: never returns
        status = 1
        try:
            signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends it at once, quietly
            # only its own pipe ends: a copy of an earlier worker's would hide that worker's EOF
            for fd in (down_w, up_r, *inherited):
                os.close(fd)
            _send(up_w, first(group))
            combined = _recv(down_r)
            if not isinstance(combined, WorkerFailed):  # else the parent is gone: stop
                _send(up_w, second(group, combined))
                status = 0
        except BaseException as exc:  # reported to the parent, which records it for the group
            try:
                _send(up_w, WorkerFailed(f"worker process failed: {type(exc).__name__}: {exc}"))
                traceback.print_exc()
            except BaseException:
                pass
        finally:
            os._exit(status)
    os.close(down_r)
    os.close(up_w)
    return {"pid": pid, "to": down_w, "from": up_r}


def _send(fd: int, obj: Any) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_LEN.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view) :]


def _read(fd: int, n: int) -> bytes:
    parts, got = [], 0
    while got < n:
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            raise EOFError
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


def _recv(fd: int, pid: int | None = None) -> Any:
    """The next object on `fd`, or a WorkerFailed if the writer (process `pid`, when known) went away."""
    try:
        (n,) = _LEN.unpack(_read(fd, _LEN.size))
        return pickle.loads(_read(fd, n))
    except EOFError:
        status = _reap(pid) if pid else None
        how = f" (signal {-status})" if status is not None and status < 0 else (
            f" (exit status {status})" if status else "")
        return WorkerFailed(f"worker process died before it answered{how}")


def _reap(pid: int) -> int | None:
    """Wait for the child; its exit status (negative: the signal that ended it)."""
    try:
        _, st = os.waitpid(pid, 0)
    except ChildProcessError:
        return None
    return os.waitstatus_to_exitcode(st)
