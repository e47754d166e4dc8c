"""Supervised worker processes (受监督的工作进程): each document is read and analysed in a child
process the parent can kill, so no input can stall a batch or take all memory.

The parent sends a worker a chunk of tasks and receives one answer per task. A task that has run
longer than :attr:`Limits.seconds` (plus a short grace, for the worker's own ``SIGALRM`` timer to
answer first with the stage it stopped in) is ended with ``SIGKILL`` — a C call that holds the
interpreter (lxml, pdfminer's decoders) is stopped as surely as Python code — and the worker is
started again for the rest of the chunk. Each worker's address space is capped
(``RLIMIT_AS``, :attr:`Limits.max_memory` beyond what it holds when it starts): a document over it
ends in ``MemoryError``, or the worker dies, and either way the document becomes a ``*.memory``
problem record. Workers are forked once and reused, so a short document costs one message each way.
"""

from __future__ import annotations

import collections
import multiprocessing
import multiprocessing.connection
import os
import signal
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from .limits import Limits

STAGES = ("ingest", "structure", "extract")

# The stage a worker is in, as an index into STAGES; set by the pipeline as it goes (a shared int).
_stage: Any = None


def note_stage(stage: str) -> None:
    """Record the stage the current document is in, for the parent to name if it must kill us."""
    if _stage is not None:
        _stage.value = STAGES.index(stage)


MAX_CHUNK_BYTES = 8 << 20
"""A chunk sent to a worker holds no more task bytes than this (JSON Lines lines are carried whole)."""
MAX_QUEUED_BYTES = 64 << 20
"""Task bytes read ahead of the workers, at most (plus one task)."""


def _size(task: Any) -> int:
    return len(task[3]) if isinstance(task, tuple) and len(task) == 4 and isinstance(task[3], bytes) else 0


def grace(seconds: float) -> float:
    """Extra time past the limit before the parent kills a worker (its own timer answers first)."""
    return min(5.0, 1.0 + 0.1 * seconds)


def _address_space() -> int:
    """This process's virtual memory size in bytes."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _cap_memory(extra: int) -> None:
    import resource

    if not extra:
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = _address_space() + extra
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def _die_with_parent(parent: int) -> None:
    """Be killed when the parent dies (Linux ``PR_SET_PDEATHSIG``): a worker must not outlive a
    ``sqzl`` that was killed, stalled in a document or waiting for one."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # it died before that was set
        os._exit(0)


def _serve(conn: multiprocessing.connection.Connection, parent_end: multiprocessing.connection.Connection,
           parent: int, stage: Any, work: Callable[[Any], Any], max_memory: int) -> None:
    """A worker's loop: chunks of (index, task) in, one (index, result) out per task."""
    global _stage
    _die_with_parent(parent)
    parent_end.close()  # else our own copy of the parent's end would keep us from seeing it close
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it ends us
    try:
        os.setpgid(0, 0)  # a group of our own, so that a kill ends what we started too (soffice for .doc)
    except OSError:
        pass
    _stage = stage
    _cap_memory(max_memory)
    while True:
        try:
            while not conn.poll(1.0):  # a parent gone without a word (and another worker holding its end)
                if os.getppid() != parent:
                    return
            chunk = conn.recv()
        except (EOFError, OSError):
            return
        if chunk is None:
            return
        for index, task in chunk:
            stage.value = 0
            conn.send((index, work(task)))


class _Worker:
    def __init__(self, ctx: Any, work: Callable[[Any], Any], max_memory: int) -> None:
        self.ctx, self.work, self.max_memory = ctx, work, max_memory
        self.pending: collections.deque[tuple[int, Any]] = collections.deque()
        self.since = 0.0
        self.start()

    def start(self) -> None:
        self.stage = self.ctx.RawValue("i", 0)
        self.conn, child = self.ctx.Pipe()
        self.proc = self.ctx.Process(target=_serve, args=(child, self.conn, os.getpid(), self.stage, self.work,
                                                          self.max_memory), daemon=True)
        self.proc.start()
        child.close()

    def send(self, chunk: list[tuple[int, Any]]) -> None:
        self.pending.extend(chunk)
        self.since = time.monotonic()
        try:
            self.conn.send(chunk)
        except OSError:  # it ended before it was given the chunk: no task of it was tried; a new one takes it
            self.kill()
            self.start()
            self.since = time.monotonic()
            self.conn.send(list(self.pending))

    def kill(self) -> str:
        """End the worker; returns the stage its current task was in."""
        stage = STAGES[self.stage.value] if 0 <= self.stage.value < len(STAGES) else "ingest"
        if self.proc.is_alive():
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except OSError:
                self.proc.kill()
        self.proc.join()
        self.conn.close()
        return stage

    def close(self) -> None:
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.proc.join(timeout=2)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()
        self.conn.close()


class Supervisor:
    """``jobs`` long-lived worker processes doing ``work(task)``; answers come back in input order.

    ``lost(task, stage, why)`` makes the answer for a task whose worker was killed at the deadline
    (``why == "timeout"``) or died (``why == "died"``, e.g. killed for memory).
    """

    def __init__(self, work: Callable[[Any], Any], lost: Callable[[Any, str, str, int | None], Any], *,
                 jobs: int, limits: Limits, chunk: int = 32) -> None:
        self.ctx = multiprocessing.get_context("fork")
        self.work, self.lost, self.limits, self.chunk = work, lost, limits, max(1, chunk)
        self.workers = [_Worker(self.ctx, work, limits.max_memory) for _ in range(max(1, jobs))]

    def __enter__(self) -> Supervisor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for w in self.workers:
            if w.pending:
                w.kill()
            else:
                w.close()
        self.workers = []

    def map(self, tasks: Iterable[Any], local: Callable[[Any], Any | None] = lambda t: None) -> Iterator[Any]:
        """Answers for ``tasks`` in order; ``local(task)`` answers a task in the parent (non-None)."""
        source = enumerate(tasks)
        done: dict[int, Any] = {}
        self._answers = done
        queued: collections.deque[tuple[int, Any]] = collections.deque()
        next_out = 0
        exhausted = False
        limit = self.limits.seconds
        wait_limit = limit + grace(limit) if limit and limit > 0 else None
        ahead = self.chunk * len(self.workers) * 2

        queued_bytes = 0

        def fill() -> None:
            nonlocal exhausted, queued_bytes
            while not exhausted and len(queued) < ahead and queued_bytes < MAX_QUEUED_BYTES:
                item = next(source, None)
                if item is None:
                    exhausted = True
                    return
                answer = local(item[1])
                if answer is not None:
                    done[item[0]] = answer
                else:
                    queued.append(item)
                    queued_bytes += _size(item[1])

        def take() -> list[tuple[int, Any]]:
            nonlocal queued_bytes
            chunk: list[tuple[int, Any]] = []
            size = 0
            while queued and len(chunk) < self.chunk and (not chunk or size < MAX_CHUNK_BYTES):
                chunk.append(queued.popleft())
                size += _size(chunk[-1][1])
            queued_bytes -= size
            return chunk

        while True:
            fill()
            for w in self.workers:
                if not w.pending and queued:
                    if not w.proc.is_alive():  # ended while idle: start a new one
                        w.kill()
                        w.start()
                    w.send(take())
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1
            busy = [w for w in self.workers if w.pending]
            if not busy:
                if exhausted and not queued:
                    return
                continue
            now = time.monotonic()
            timeout = None if wait_limit is None else max(0.0, min(w.since + wait_limit for w in busy) - now)
            ready = multiprocessing.connection.wait([w.conn for w in busy], timeout)
            for w in busy:
                if w.conn in ready:
                    try:
                        index, answer = w.conn.recv()
                    except (EOFError, OSError):
                        self._restart(w, "died")
                        continue
                    expected, _ = w.pending.popleft()
                    assert index == expected, (index, expected)
                    done[index] = answer
                    w.since = time.monotonic()
                elif wait_limit is not None and time.monotonic() - w.since >= wait_limit:
                    self._restart(w, "timeout")

    def _restart(self, w: _Worker, why: str) -> None:
        stage = w.kill()
        code = w.proc.exitcode
        index, task = w.pending.popleft()
        rest = list(w.pending)
        w.pending.clear()
        self._answers[index] = self.lost(task, stage, why, code)
        w.start()
        if rest:
            w.send(rest)
