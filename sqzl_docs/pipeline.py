"""Batch runs: paths → documents or problem records, in input order, for any number of jobs."""

from __future__ import annotations

import functools
import glob
import json
import os
import stat
import sys
from collections.abc import Callable, Collection, Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from . import extract, ingest, structure
from .limits import DEFAULT, Limits, TimeLimitExceeded, checkpoint, time_limit
from .models import Document, Problem
from .output import file_identity
from .workers import Supervisor, note_stage

DOCUMENT_SUFFIXES = tuple(ingest.SUFFIXES)
T = TypeVar("T")


def expand(paths: Iterable[str], *, skip: Collection[tuple[int, int]] = ()) -> Iterator[str | Problem]:
    """Files named, files under directories (recursive, sorted) and glob matches; ``-`` is stdin.

    A directory or glob with no documents in it gives a problem record, and so does whatever in a
    folder cannot be read as a file: a subfolder without read permission, a symbolic link that loops
    or points nowhere, a FIFO, socket or device (reading one could block for ever). Files whose
    (device, inode) is in ``skip`` (the run's own output) are never inputs.
    """
    for raw in paths:
        if raw == "-":
            yield raw
            continue
        p = Path(raw)
        problems: list[Problem] = []
        if p.is_dir():
            found = sorted(_walk(p, skip, problems))
        elif p.exists():
            found = [raw]
        elif glob.has_magic(raw):
            found = sorted(f for f in glob.glob(raw, recursive=True)
                           if os.path.isfile(f) and file_identity(f) not in skip)
        else:
            found = [raw]  # reading it reports that it does not exist
        if not found and not problems:
            yield Problem(source=raw, stage="ingest", code="ingest.no_documents",
                          reason=f"{raw}: no documents ({', '.join(DOCUMENT_SUFFIXES)}) found here")
        yield from problems
        yield from found


def _walk(root: Path, skip: Collection[tuple[int, int]], problems: list[Problem]) -> Iterator[str]:
    """Document files under ``root``, following symbolic links but never round a loop; what cannot
    be read goes to ``problems`` (as ``grep -r`` says "Permission denied" and carries on)."""
    def problem(path: str, code: str, why: str) -> None:
        problems.append(Problem(source=path, stage="ingest", code=code, reason=f"{path}: {why}"))

    def visit(folder: str, ancestors: frozenset[tuple[int, int]]) -> Iterator[str]:
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            problem(folder, "ingest.unreadable", f"cannot read the folder: {exc.strerror or exc}; skipped")
            return
        for entry in entries:
            path = entry.path
            try:
                st = os.stat(path)
            except OSError as exc:
                if entry.is_symlink():
                    problem(path, "ingest.unreadable",
                            f"a symbolic link that cannot be followed ({exc.strerror or exc}); skipped")
                continue
            identity = (st.st_dev, st.st_ino)
            if stat.S_ISDIR(st.st_mode):
                if identity in ancestors:
                    problem(path, "ingest.unreadable",
                            f"a symbolic link that loops back to {os.path.realpath(path)}; not followed")
                    continue
                yield from visit(path, ancestors | {identity})
            elif stat.S_ISREG(st.st_mode):
                if Path(path).suffix.lower() in DOCUMENT_SUFFIXES and identity not in skip:
                    yield path
            else:
                kind = ("a FIFO (named pipe)" if stat.S_ISFIFO(st.st_mode) else
                        "a socket" if stat.S_ISSOCK(st.st_mode) else "a device")
                problem(path, "ingest.not_regular", f"{kind}, not a regular file; skipped (reading it could "
                                                    "block or never end)")

    start = os.stat(root)
    yield from visit(str(root), frozenset({(start.st_dev, start.st_ino)}))


def process_document(doc: Document, limits: Limits = DEFAULT) -> Document | Problem:
    """Structure and extraction for one document that has been read (and checked against the size
    limits by its reader). Never raises, except :class:`TimeLimitExceeded` from a time limit set
    around it."""
    try:
        note_stage("structure")
        checkpoint()
        doc = structure.analyse(doc)
    except TimeLimitExceeded:
        return _timeout(doc.source, "structure", limits)
    except MemoryError:
        return _memory(doc.source, "structure", limits)
    except Exception as exc:  # a bug in one document's analysis must not stop a batch
        return Problem.from_exc(exc, stage="structure", source=doc.source)
    try:
        note_stage("extract")
        checkpoint()
        return extract.run_all(doc, own=True)  # analyse's new document: filled in place
    except TimeLimitExceeded:
        return _timeout(doc.source, "extract", limits)
    except MemoryError:
        return _memory(doc.source, "extract", limits)
    except Exception as exc:
        return Problem.from_exc(exc, stage="extract", source=doc.source)


def _timeout(source: str, stage: str, limits: Limits) -> Problem:
    return Problem(source=source, stage=stage, code=f"{stage}.timeout",  # type: ignore[arg-type]
                   reason=f"{source}: {stage} took longer than the limit of {limits.seconds:g} s per document")


def _memory(source: str, stage: str, limits: Limits, detail: str = "") -> Problem:
    limit = f"the limit of {limits.max_memory:,} bytes per document" if limits.max_memory else "the memory there is"
    return Problem(source=source, stage=stage, code=f"{stage}.memory",  # type: ignore[arg-type]
                   reason=f"{source}: {stage} needed more memory than {limit}{detail}")


def process_path(path: str, *, limits: Limits = DEFAULT, text_field: str | None = None) -> list[Document | Problem]:
    """Everything one (non-JSON Lines) path yields, each document within the time limit. Never raises."""
    out: list[Document | Problem] = []
    try:
        with time_limit(limits.seconds):
            for item in ingest.read(path, limits=limits, text_field=text_field):
                out.append(item if isinstance(item, Problem) else process_document(item, limits))
                note_stage("ingest")
    except TimeLimitExceeded:
        out.append(_timeout(path, "ingest", limits))
    except MemoryError:
        out.append(_memory(path, "ingest", limits))
    except Exception as exc:  # a reader's error, or an unexpected failure, is still a record, not a crash
        out.append(Problem.from_exc(exc, stage="ingest", source=path, where=True))
    return out


def process_stdin(data: bytes, *, limits: Limits = DEFAULT, text_field: str | None = None) -> list[Document | Problem]:
    """Standard input: one document, or JSON Lines (each line within the time limit)."""
    try:
        if data.lstrip()[:1] == b"{":
            from .ingest import jsonl
            return [item if isinstance(item, Problem) else _bounded(item, limits)
                    for item in jsonl.read(data, source="<stdin>", text_field=text_field, limits=limits)]
        ingest.check_size(len(data), "<stdin>", limits)
        with time_limit(limits.seconds):
            return [process_document(ingest.read_bytes(data, source="<stdin>", limits=limits), limits)]
    except TimeLimitExceeded:
        return [_timeout("<stdin>", "ingest", limits)]
    except MemoryError:
        return [_memory("<stdin>", "ingest", limits)]
    except Exception as exc:
        return [Problem.from_exc(exc, stage="ingest", source="<stdin>", where=True)]


def _bounded(doc: Document, limits: Limits) -> Document | Problem:
    """:func:`process_document` within the time limit."""
    try:
        with time_limit(limits.seconds):
            return process_document(doc, limits)
    except TimeLimitExceeded:
        return _timeout(doc.source, "extract", limits)


# A task is one unit of work: a file, one line of a JSON Lines file, or standard input's bytes.
Task = tuple[str, str, int, bytes]


def _lines(f: BinaryIO, source: str, limits: Limits) -> Iterator[Task | Problem]:
    """The lines of a JSON Lines stream as tasks, each read only up to :attr:`Limits.max_bytes` + 1
    bytes: a longer line is skipped in bounded pieces and refused, never held whole."""
    cap = limits.max_bytes + 1 if limits.max_bytes else -1
    number = 0
    while True:
        raw = f.readline(cap)
        if not raw:
            return
        number += 1
        if cap > 0 and len(raw) == cap and not raw.endswith(b"\n"):
            size = len(raw)
            while raw and not raw.endswith(b"\n"):
                raw = f.readline(1 << 20)
                size += len(raw)
            where = f"{source}#L{number}"
            yield Problem(source=where, stage="ingest", code="ingest.too_large",
                          reason=f"{where}: a {size:,}-byte line is over the limit of {limits.max_bytes:,} bytes")
            continue
        if raw.strip():
            yield ("line", source, number, raw)


def _jsonl_tasks(f: BinaryIO, source: str, limits: Limits) -> Iterator[Task | Problem]:
    any_line = False
    for task in _lines(f, source, limits):
        any_line = True
        yield task
    if not any_line:
        yield Problem(source=source, stage="ingest", code="ingest.empty",
                      reason=f"{source}: the JSON Lines file has no records")


def _stdin_tasks(limits: Limits) -> Iterator[Task | Problem]:
    """Standard input: JSON Lines streamed line by line, else one document of at most
    :attr:`Limits.max_bytes` (reading stops one byte past it, as ``head -c`` would)."""
    stream = sys.stdin.buffer
    head = b""
    while not head.lstrip() and (chunk := stream.read1(65536) if hasattr(stream, "read1") else stream.read(65536)):
        head += chunk
        if limits.max_bytes and len(head) > limits.max_bytes:
            break
    if head.lstrip()[:1] == b"{":
        import io

        class _Joined(io.RawIOBase):  # what was read to look, then the rest of stdin
            def readable(self) -> bool:
                return True

            def readinto(self, buf: Any) -> int:
                nonlocal head
                if head:
                    n = min(len(buf), len(head))
                    buf[:n], head = head[:n], head[n:]
                    return n
                data = stream.read1(len(buf)) if hasattr(stream, "read1") else stream.read(len(buf))
                buf[:len(data)] = data
                return len(data)

        for task in _lines(io.BufferedReader(_Joined()), "<stdin>", limits):
            yield task if isinstance(task, Problem) else ("line", "<stdin>", task[2], task[3])
        return
    try:  # a writer that stalls is held to the time limit too (the parent's timer, main thread only)
        with time_limit(limits.seconds):
            data = head + ingest.read_at_most(stream, limits.max_bytes + 1 - len(head) if limits.max_bytes else -1)
    except TimeLimitExceeded:
        yield Problem(source="<stdin>", stage="ingest", code="ingest.timeout",
                      reason=f"<stdin>: reading standard input took longer than the limit of {limits.seconds:g} s")
        return
    if limits.max_bytes and len(data) > limits.max_bytes:
        yield Problem(source="<stdin>", stage="ingest", code="ingest.too_large",
                      reason=f"<stdin>: more than {limits.max_bytes:,} bytes (reading stopped there), over the limit "
                             f"of {limits.max_bytes:,} bytes")
        return
    yield ("stdin", "-", 0, data)


def tasks(paths: Iterable[str], limits: Limits, skip: Collection[tuple[int, int]] = ()) -> Iterator[Task | Problem]:
    """Files to read, and the lines of JSON Lines files one by one (streamed, never all in memory)."""
    for item in expand(paths, skip=skip):
        if isinstance(item, Problem):
            yield item
            continue
        if item == "-":
            yield from _stdin_tasks(limits)
            continue
        if Path(item).suffix.lower() in (".jsonl", ".ndjson") and Path(item).is_file():
            try:
                with open(item, "rb") as f:
                    yield from _jsonl_tasks(f, item, limits)
            except OSError as exc:
                yield Problem(source=item, stage="ingest", code="ingest.not_found",
                              reason=f"{item}: cannot read: {exc.strerror or exc}")
            continue
        yield ("path", item, 0, b"")


# JSON leaves these unescaped, but str.splitlines() (and so many JSON Lines readers) breaks lines at them.
_LINE_BREAKS_JSON_KEEPS = {"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def _one_line(line: str) -> str:
    for char, escape in _LINE_BREAKS_JSON_KEEPS.items():
        if char in line:
            line = line.replace(char, escape)
    return line


def _line(record: Document | Problem, fmt: str) -> tuple[bool, str]:
    """A record as (is_problem, one JSON line) in the output format (jsonl, or gold for documents);
    the line holds no character any reader could take for a line break."""
    from .gold import to_gold

    try:
        if isinstance(record, Problem) or fmt == "jsonl":
            return isinstance(record, Problem), _one_line(record.model_dump_json())
        return False, _one_line(json.dumps(to_gold(record), ensure_ascii=False))
    except (ValueError, TypeError) as exc:  # e.g. a lone surrogate in a record loaded as it was given
        problem = Problem(source=record.source, stage="extract", code="extract.failed",
                          reason=f"{record.source}: the record cannot be written as JSON: {type(exc).__name__}")
        return True, problem.model_dump_json()


def work_json(task: Task, limits: Limits, text_field: str | None, fmt: str) -> list[tuple[bool, str]]:
    """A task's records serialised in the worker."""
    return [_line(r, fmt) for r in work(task, limits, text_field)]


def run_json(paths: Iterable[str], *, fmt: str = "jsonl", jobs: int = 1, limits: Limits = DEFAULT,
             text_field: str | None = None, chunk: int = 32,
             skip: Collection[tuple[int, int]] = ()) -> Iterator[tuple[bool, str]]:
    """Like :func:`run`, with each record as (is_problem, one JSON line), serialised in the workers."""
    yield from execute(paths, functools.partial(work_json, limits=limits, text_field=text_field, fmt=fmt),
                       lambda problem: [_line(problem, fmt)], jobs=jobs, limits=limits, chunk=chunk, skip=skip)


def write_json(paths: list[str], sink: Any, *, fmt: str = "jsonl", jobs: int = 1,
               limits: Limits = DEFAULT, text_field: str | None = None, batch: int = 32,
               on_progress: Any = None, skip: Collection[tuple[int, int]] = ()) -> tuple[int, int]:
    """Write every record as a JSON line to ``sink`` in input order; returns (ok, failed)."""
    ok = failed = 0
    for is_problem, line in run_json(paths, fmt=fmt, jobs=jobs, limits=limits, text_field=text_field, chunk=batch,
                                     skip=skip):
        sink.write(line + "\n")
        failed += is_problem
        ok += not is_problem
        if on_progress:
            on_progress(1)
    return ok, failed


_WARM_TEXT = ("关于推进社区治理的通知\n各区县：\n一、到2022年底，全市社区服务设施覆盖率达到100%。\n"
              "二、市民政局会同市财政局于2023年6月底前完成《社区服务条例》修订。\n市民政局\n2021年5月11日\n")
_warm = False


def warm_up() -> None:
    """Load every table and dictionary (jieba's among them) in this process once, so that worker
    processes forked from it start ready instead of each loading them on its first document."""
    global _warm
    if not _warm:
        _warm = True
        process_document(Document.from_text(_WARM_TEXT, source="<warm-up>"))


def _lost(task: Task, stage: str, why: str, exitcode: int | None, limits: Limits) -> Problem:
    """The record for a task whose worker process was killed at the deadline or died."""
    kind, source, number, _ = task
    where = f"{source}#L{number}" if kind == "line" else "<stdin>" if kind == "stdin" else source
    if why == "timeout":
        return _timeout(where, stage, limits)
    how = f"signal {-exitcode}" if exitcode is not None and exitcode < 0 else f"exit code {exitcode}"
    if limits.max_memory:
        return _memory(where, stage, limits, f" (the worker process reading it ended with {how})")
    return Problem(source=where, stage=stage, code=f"{stage}.failed",  # type: ignore[arg-type]
                   reason=f"{where}: the worker process reading it ended with {how}")


def work(task: Task, limits: Limits, text_field: str | None) -> list[Document | Problem]:
    """Everything one task yields, in this process. Never raises."""
    kind, source, number, raw = task
    note_stage("ingest")
    if kind == "path":
        return process_path(source, limits=limits, text_field=text_field)
    if kind == "stdin":
        return process_stdin(raw, limits=limits, text_field=text_field)
    from .ingest import jsonl

    where = f"{source}#L{number}"
    try:
        with time_limit(limits.seconds):
            record = jsonl.read_line(raw, source=source, number=number, text_field=text_field, limits=limits)
            if record is None:
                return []
            if isinstance(record, Problem) or record.extractors:  # already extracted: a record from `sqzl extract`
                return [record]
            return [process_document(record, limits)]
    except TimeLimitExceeded:
        return [_timeout(where, "ingest", limits)]
    except MemoryError:
        return [_memory(where, "ingest", limits)]
    except Exception as exc:
        return [Problem.from_exc(exc, stage="ingest", source=where)]


def run(paths: Iterable[str], *, jobs: int = 1, limits: Limits = DEFAULT,
        text_field: str | None = None, chunk: int = 32,
        skip: Collection[tuple[int, int]] = ()) -> Iterator[Document | Problem]:
    """Read and analyse every document under ``paths``, streaming: records come out in input order
    for any ``jobs``. Each document is worked on in a supervised worker process
    (:mod:`sqzl_docs.workers`) that is killed at the time limit and capped in memory."""
    def problem_out(problem: Problem) -> list[Document | Problem]:
        return [problem]

    yield from execute(paths, functools.partial(work, limits=limits, text_field=text_field), problem_out,
                       jobs=jobs, limits=limits, chunk=chunk, skip=skip)


def execute(paths: Iterable[str], work_on: Callable[[Task], list[T]], problem_out: Callable[[Problem], list[T]],
            *, jobs: int = 1, limits: Limits = DEFAULT, chunk: int = 32,
            skip: Collection[tuple[int, int]] = ()) -> Iterator[T]:
    """The one executor: the :func:`tasks` under ``paths``, each turned into output by ``work_on`` in a
    supervised worker process, in input order. A problem found while listing the tasks, and the record
    for a task whose worker was killed or died, come out through ``problem_out``."""
    def lost(task: Task, stage: str, why: str, exitcode: int | None) -> list[T]:
        return problem_out(_lost(task, stage, why, exitcode, limits))

    def local(t: Task | Problem) -> list[T] | None:
        return problem_out(t) if isinstance(t, Problem) else None

    warm_up()
    with Supervisor(work_on, lost, jobs=jobs, limits=limits, chunk=chunk) as pool:
        for out in pool.map(tasks(paths, limits, skip), local):
            yield from out
