"""Batch runs: paths → documents or problem records, in input order, for any number of jobs."""

from __future__ import annotations

import collections
import functools
import glob
import itertools
import json
import os
import stat
import sys
from collections.abc import Collection, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from . import extract, ingest, structure
from .errors import SqzlError
from .limits import DEFAULT, Limits, TimeLimitExceeded, checkpoint, time_limit
from .models import Document, Problem

DOCUMENT_SUFFIXES = tuple(ingest.SUFFIXES)


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
                           if os.path.isfile(f) and _identity(f) not in skip)
        else:
            found = [raw]  # reading it reports that it does not exist
        if not found and not problems:
            yield Problem(source=raw, stage="ingest", code="ingest.no_documents",
                          reason=f"{raw}: no documents ({', '.join(DOCUMENT_SUFFIXES)}) found here")
        yield from problems
        yield from found


def _identity(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


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
        checkpoint()
        doc = structure.analyse(doc)
    except TimeLimitExceeded:
        return _timeout(doc.source, "structure", limits)
    except Exception as exc:  # a bug in one document's analysis must not stop a batch
        return Problem(source=doc.source, stage="structure", code="structure.failed",
                       reason=f"{type(exc).__name__}: {exc}")
    try:
        checkpoint()
        return extract.run_all(doc)
    except TimeLimitExceeded:
        return _timeout(doc.source, "extract", limits)
    except Exception as exc:
        return Problem(source=doc.source, stage="extract", code="extract.failed",
                       reason=f"{type(exc).__name__}: {exc}")


def _timeout(source: str, stage: str, limits: Limits) -> Problem:
    return Problem(source=source, stage=stage, code=f"{stage}.timeout",  # type: ignore[arg-type]
                   reason=f"{source}: {stage} took longer than the limit of {limits.seconds:g} s per document")


def process_path(path: str, *, limits: Limits = DEFAULT, text_field: str | None = None) -> list[Document | Problem]:
    """Everything one (non-JSON Lines) path yields, each document within the time limit. Never raises."""
    out: list[Document | Problem] = []
    try:
        with time_limit(limits.seconds):
            for item in ingest.read(path, limits=limits, text_field=text_field):
                out.append(item if isinstance(item, Problem) else process_document(item, limits))
    except TimeLimitExceeded:
        out.append(_timeout(path, "ingest", limits))
    except SqzlError as exc:
        out.append(Problem(source=path, stage="ingest", code=exc.code, reason=exc.reason))
    except Exception as exc:  # an unexpected reader failure is still a record, not a crash
        out.append(Problem(source=path, stage="ingest", code="ingest.failed",
                           reason=f"{path}: {type(exc).__name__}: {exc}"))
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
    except SqzlError as exc:
        return [Problem(source="<stdin>", stage="ingest", code=exc.code, reason=exc.reason)]
    except Exception as exc:
        return [Problem(source="<stdin>", stage="ingest", code="ingest.failed", reason=f"<stdin>: {type(exc).__name__}: {exc}")]


def _bounded(doc: Document, limits: Limits) -> Document | Problem:
    """:func:`process_document` within the time limit."""
    try:
        with time_limit(limits.seconds):
            return process_document(doc, limits)
    except TimeLimitExceeded:
        return _timeout(doc.source, "extract", limits)


# A task is one unit of work: a file, or one line of a JSON Lines file.
Task = tuple[str, str, int, bytes]


def _tasks(paths: Iterable[str], limits: Limits, skip: Collection[tuple[int, int]] = ()) -> Iterator[Task | Problem]:
    """Files to read, and the lines of JSON Lines files one by one (streamed, never all in memory)."""
    for item in expand(paths, skip=skip):
        if isinstance(item, Problem) or item == "-":
            yield item if isinstance(item, Problem) else ("stdin", "-", 0, b"")
            continue
        if Path(item).suffix.lower() in (".jsonl", ".ndjson") and Path(item).is_file():
            try:
                lines = 0
                with open(item, "rb") as f:
                    for number, raw in enumerate(f, start=1):
                        if raw.strip():
                            lines += 1
                            yield ("line", item, number, raw[:limits.max_bytes + 1] if limits.max_bytes else raw)
                if not lines:
                    yield Problem(source=item, stage="ingest", code="ingest.empty",
                                  reason=f"{item}: the JSON Lines file has no records")
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


def _work_json(task: Task, limits: Limits, text_field: str | None, fmt: str) -> list[tuple[bool, str]]:
    """A task's records serialised in the worker."""
    return [_line(r, fmt) for r in _work(task, limits, text_field)]


def run_json(paths: Iterable[str], *, fmt: str = "jsonl", jobs: int = 1, limits: Limits = DEFAULT,
             text_field: str | None = None, skip: Collection[tuple[int, int]] = ()) -> Iterator[tuple[bool, str]]:
    """Like :func:`run`, with each record as (is_problem, one JSON line)."""
    for record in run(paths, jobs=jobs, limits=limits, text_field=text_field, skip=skip):
        yield _line(record, fmt)


def _batch_to_file(batch: list[Task | Problem], limits: Limits, text_field: str | None, fmt: str,
                   directory: str) -> tuple[str, int, int]:
    """Work a batch of tasks in a worker and write its JSON lines to a file there: the main process
    then only copies files, instead of receiving every record through a pipe."""
    import tempfile

    ok = failed = 0
    fd, path = tempfile.mkstemp(suffix=".jsonl", dir=directory)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        for task in batch:
            lines = [_line(task, fmt)] if isinstance(task, Problem) else _work_json(task, limits, text_field, fmt)
            for is_problem, line in lines:
                f.write(line + "\n")
                failed += is_problem
                ok += not is_problem
    return path, ok, failed


def write_json(paths: list[str], sink: Any, *, fmt: str = "jsonl", jobs: int = 1,
               limits: Limits = DEFAULT, text_field: str | None = None, batch: int = 64,
               on_progress: Any = None, skip: Collection[tuple[int, int]] = ()) -> tuple[int, int]:
    """Write every record as a JSON line to ``sink`` in input order; returns (ok, failed). With
    several jobs, workers write batches to temporary files that are copied into ``sink`` in order."""
    ok = failed = 0
    if jobs <= 1 or "-" in paths:
        for is_problem, line in run_json(paths, fmt=fmt, jobs=jobs, limits=limits, text_field=text_field,
                                         skip=skip):
            sink.write(line + "\n")
            failed += is_problem
            ok += not is_problem
            if on_progress:
                on_progress(1)
        return ok, failed
    import shutil
    import tempfile

    tasks = _tasks(paths, limits, skip)
    with tempfile.TemporaryDirectory(prefix="sqzl-") as tmp, ProcessPoolExecutor(max_workers=jobs) as pool:
        work = functools.partial(_batch_to_file, limits=limits, text_field=text_field, fmt=fmt, directory=tmp)
        pending: collections.deque[Any] = collections.deque()
        batches = iter(lambda: list(itertools.islice(tasks, batch)), [])
        for b in itertools.islice(batches, jobs * 4):  # a bounded number in flight, no barrier between them
            pending.append(pool.submit(work, b))
        while pending:
            path, n_ok, n_failed = pending.popleft().result()
            nxt = next(batches, None)
            if nxt:
                pending.append(pool.submit(work, nxt))
            with open(path, encoding="utf-8") as f:
                shutil.copyfileobj(f, sink)
            os.unlink(path)
            ok += n_ok
            failed += n_failed
            if on_progress:
                on_progress(n_ok + n_failed)
    return ok, failed


def _work(task: Task, limits: Limits, text_field: str | None) -> list[Document | Problem]:
    kind, source, number, raw = task
    if kind == "path":
        return process_path(source, limits=limits, text_field=text_field)
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
    except Exception as exc:
        return [Problem(source=where, stage="ingest", code="ingest.failed", reason=f"{type(exc).__name__}: {exc}")]


def run(paths: Iterable[str], *, jobs: int = 1, limits: Limits = DEFAULT,
        text_field: str | None = None, window: int = 512,
        skip: Collection[tuple[int, int]] = ()) -> Iterator[Document | Problem]:
    """Read and analyse every document under ``paths``, streaming: records come out in input order
    for any ``jobs``, and at most ``window`` tasks per worker are in flight, so memory stays flat."""
    tasks = _tasks(paths, limits, skip)
    work = functools.partial(_work, limits=limits, text_field=text_field)

    def local(task: Task | Problem) -> list[Document | Problem]:
        if isinstance(task, Problem):
            return [task]
        if task[0] == "stdin":
            return process_stdin(sys.stdin.buffer.read(), limits=limits, text_field=text_field)
        return work(task)

    if jobs <= 1:
        for task in tasks:
            yield from local(task)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        while True:
            batch = list(itertools.islice(tasks, window * jobs))
            if not batch:
                break
            remote = [t for t in batch if not isinstance(t, Problem) and t[0] != "stdin"]
            results = iter(pool.map(work, remote, chunksize=max(1, min(32, len(remote) // (jobs * 4) or 1))))
            for task in batch:
                if isinstance(task, Problem) or task[0] == "stdin":
                    yield from local(task)
                else:
                    yield from next(results)
