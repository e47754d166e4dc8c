"""The ``sqzl`` command line: thin wiring over :mod:`sqzl_docs.pipeline` and friends."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Optional

import typer

from . import pipeline
from .limits import DEFAULT as LIMITS
from .limits import Limits
from .models import Document, Problem

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Read Chinese government documents, extract what they say and promise.")

OutOpt = Annotated[Optional[Path], typer.Option("--out", "-o", help="Write JSON Lines here (default: stdout).")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or summary on stderr.")]
# Limits for hostile input (each 0 = off); every breach is an error record for that file, and the batch goes on.
MaxBytesOpt = Annotated[int, typer.Option(help="Refuse files (and JSON Lines lines) larger than this many bytes.",
                                          rich_help_panel="Limits")]
MaxPagesOpt = Annotated[int, typer.Option(help="Refuse PDFs with more pages.", rich_help_panel="Limits")]
MaxCharsOpt = Annotated[int, typer.Option(help="Refuse documents with more characters of text.",
                                          rich_help_panel="Limits")]
TimeoutOpt = Annotated[float, typer.Option("--timeout", help="Seconds allowed per document (read, structure, extract).",
                                           rich_help_panel="Limits")]
ZipEntriesOpt = Annotated[int, typer.Option(help="Refuse DOCX packages with more zip entries.",
                                            rich_help_panel="Limits")]
UnzippedOpt = Annotated[int, typer.Option(help="Refuse DOCX packages that unpack to more bytes (zip bombs).",
                                          rich_help_panel="Limits")]
HtmlDepthOpt = Annotated[int, typer.Option(help="Refuse HTML pages nesting elements deeper.", rich_help_panel="Limits")]
MaxMemoryOpt = Annotated[int, typer.Option(help="Bytes of memory one document may take in its worker process.",
                                           rich_help_panel="Limits")]


@app.command()
def extract(
    paths: Annotated[list[str], typer.Argument(help="Files, directories (recursive), globs; - for stdin.")],
    out: OutOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="jsonl: one record per document; gold: the gold format.")] = "jsonl",
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Worker processes.")] = 1,
    text_field: Annotated[Optional[str], typer.Option(help="JSON Lines: the field holding the text.")] = None,
    quiet: QuietOpt = False,
    engine: Annotated[str, typer.Option(help="local (processes on this machine) or dask.")] = "local",
    scheduler: Annotated[Optional[str], typer.Option(help="Dask scheduler address (default: a local cluster).")] = None,
    max_bytes: MaxBytesOpt = LIMITS.max_bytes,
    max_pages: MaxPagesOpt = LIMITS.max_pages,
    max_chars: MaxCharsOpt = LIMITS.max_chars,
    timeout: TimeoutOpt = LIMITS.seconds,
    max_zip_entries: ZipEntriesOpt = LIMITS.max_zip_entries,
    max_unzipped_bytes: UnzippedOpt = LIMITS.max_unzipped_bytes,
    max_html_depth: HtmlDepthOpt = LIMITS.max_html_depth,
    max_memory: MaxMemoryOpt = LIMITS.max_memory,
) -> None:
    """Extract records from documents, one JSON object per line (documents and problem records)."""
    limits = Limits(max_bytes=max_bytes, max_pages=max_pages, max_chars=max_chars, seconds=timeout,
                    max_zip_entries=max_zip_entries, max_unzipped_bytes=max_unzipped_bytes,
                    max_html_depth=max_html_depth, max_memory=max_memory)
    if fmt not in ("jsonl", "gold"):
        raise typer.BadParameter(f"unknown format {fmt!r}; use jsonl or gold", param_hint="--format")
    if engine == "dask":
        if out is None:
            raise typer.BadParameter("the dask engine writes shards into a directory: give -o DIR", param_hint="-o")
        from .engines.dask_engine import extract as dask_extract

        shards = dask_extract(paths, out, scheduler=scheduler, jobs=max(jobs, 2), fmt=fmt, limits=limits,
                              text_field=text_field)
        if not quiet:
            typer.echo(f"{len(shards)} shards in {out}", err=True)
        return
    if engine != "local":
        raise typer.BadParameter("use local or dask", param_hint="--engine")
    sink = out.open("w", encoding="utf-8") if out else sys.stdout
    counts: Counter[str] = Counter()
    progress = _progress(quiet)
    try:
        counts["ok"], counts["failed"] = pipeline.write_json(
            paths, sink, fmt=fmt, jobs=jobs, limits=limits, text_field=text_field,
            on_progress=progress.update if progress else None)
    finally:
        if progress:
            progress.close()
        if out:
            sink.close()
    if not quiet:
        typer.echo(f"{counts['ok']} ok, {counts['failed']} failed", err=True)
    raise typer.Exit(1 if counts["failed"] else 0)


@app.command(name="eval")
def evaluate(
    gold_dir: Annotated[Path, typer.Argument(help="A directory of gold files (corpora/gold).")],
    paths: Annotated[Optional[list[str]], typer.Argument(help="Documents to score (default: ../raw beside GOLD_DIR).")] = None,
    json_out: Annotated[Optional[Path], typer.Option("--json", help="Also write the scores as JSON here.")] = None,
    misses: Annotated[bool, typer.Option(help="List every missed, extra or wrong item.")] = False,
) -> None:
    """Score extraction against gold files: P/R/F1 per field and header accuracy, as a table and JSON."""
    from .evaluate import evaluate as score
    from .evaluate import raw_paths

    docs = [r for r in pipeline.run(raw_paths(gold_dir, paths or [])) if isinstance(r, Document)]
    report = score(gold_dir, docs)
    typer.echo(report.table())
    if misses:
        for m in report.misses:
            typer.echo(f"{m['document']}\t{m['field']}\t{m['kind']}\t{m['item']}")
    if json_out:
        json_out.write_text(json.dumps(report.as_dict(), ensure_ascii=False, indent=1), encoding="utf-8")


@app.command()
def summary(path: Annotated[Path, typer.Argument(help="A JSON Lines file written by sqzl extract.")]) -> None:
    """Print a table of what an extract run found: per document, reader, size, title, sections, closing."""
    from .report import summary_table

    typer.echo(summary_table(_read_records(path)))


@app.command()
def schema(
    directory: Annotated[Path, typer.Argument(help="Where to write the JSON Schema files.")] = Path("schemas"),
    check: Annotated[bool, typer.Option(help="Only check that the files are up to date.")] = False,
) -> None:
    """Write (or check) the JSON Schema of the public records."""
    from .schemas import check_schemas, write_schemas

    if check:
        stale = check_schemas(directory)
        for name in stale:
            typer.echo(f"out of date: {directory / name}", err=True)
        raise typer.Exit(1 if stale else 0)
    for written in write_schemas(directory):
        typer.echo(str(written))


track = typer.Typer(no_args_is_help=True, help="The commitment tracker: store, link, report, review, serve.")
app.add_typer(track, name="track")
DEFAULT_DB = "sqzl.db"
BusyOpt = Annotated[float, typer.Option(
    "--busy-timeout", envvar="SQZL_BUSY_TIMEOUT", min=0,
    help="Seconds to wait while another sqzl process is writing to the database.")]
BUSY_TIMEOUT = 30.0  # = tracker.schema.BUSY_TIMEOUT, not imported so that --help stays light


def _db(path: Path, busy_timeout: float, *, create: bool = False):  # type: ignore[no-untyped-def]
    from .tracker.schema import connect

    if create:
        path.parent.mkdir(parents=True, exist_ok=True)
    elif not path.is_file():
        typer.echo(f"no tracker database at {path}: build one with `sqzl track add {path} PATH...`", err=True)
        raise typer.Exit(2)
    return connect(path, busy_timeout=busy_timeout)


@contextlib.contextmanager
def _locked_out(path: Path, busy_timeout: float) -> Iterator[None]:
    """Another process holding the write lock past the busy timeout: a clear message and exit code 2.
    Whatever this process committed before stays (whole documents)."""
    try:
        yield
    except sqlite3.OperationalError as exc:
        if "locked" not in str(exc) and "busy" not in str(exc):
            raise
        typer.echo(f"{path}: another sqzl process is writing to this database; gave up after waiting "
                   f"{busy_timeout:g} s for it (--busy-timeout). Try again when it has finished.", err=True)
        raise typer.Exit(2) from None


@track.command("add")
def track_add(
    paths: Annotated[list[str], typer.Argument(help="[DB] PATH...: a .db first names the database (default sqzl.db).")],
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1)] = 1,
    quiet: QuietOpt = False,
    busy_timeout: BusyOpt = BUSY_TIMEOUT,
    max_bytes: MaxBytesOpt = LIMITS.max_bytes,
    max_pages: MaxPagesOpt = LIMITS.max_pages,
    max_chars: MaxCharsOpt = LIMITS.max_chars,
    timeout: TimeoutOpt = LIMITS.seconds,
    max_zip_entries: ZipEntriesOpt = LIMITS.max_zip_entries,
    max_unzipped_bytes: UnzippedOpt = LIMITS.max_unzipped_bytes,
    max_html_depth: HtmlDepthOpt = LIMITS.max_html_depth,
    max_memory: MaxMemoryOpt = LIMITS.max_memory,
) -> None:
    """Extract documents and store them in the tracker (one transaction per document)."""
    limits = Limits(max_bytes=max_bytes, max_pages=max_pages, max_chars=max_chars, seconds=timeout,
                    max_zip_entries=max_zip_entries, max_unzipped_bytes=max_unzipped_bytes,
                    max_html_depth=max_html_depth, max_memory=max_memory)
    from .tracker.store import add

    db_path = Path(DEFAULT_DB)
    if paths and paths[0].endswith((".db", ".sqlite", ".sqlite3")):
        db_path, paths = Path(paths[0]), paths[1:]
    if not paths:
        raise typer.BadParameter("no documents named", param_hint="PATH")
    with _locked_out(db_path, busy_timeout):
        counts = add(_db(db_path, busy_timeout, create=True), pipeline.run(paths, jobs=jobs, limits=limits))
    if not quiet:
        typer.echo(f"{db_path}: {counts['added']} added, {counts['updated']} updated, "
                   f"{counts['unchanged']} unchanged, {counts['failed']} failed", err=True)
    raise typer.Exit(1 if counts["failed"] else 0)


@track.command("link")
def track_link(
    db: Annotated[Path, typer.Argument(help="The tracker database.")] = Path(DEFAULT_DB),
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="Assess as of this date (default today).")] = None,
    busy_timeout: BusyOpt = BUSY_TIMEOUT,
) -> None:
    """Link commitments to later progress statements and record the machine's assessments."""
    import datetime as dt

    from .tracker.link import link

    with _locked_out(db, busy_timeout):
        counts = link(_db(db, busy_timeout), as_of=dt.date.fromisoformat(as_of) if as_of else None)
    typer.echo("  ".join(f"{k}: {v}" for k, v in sorted(counts.items())))


@track.command("report")
def track_report(
    db: Annotated[Path, typer.Argument(help="The tracker database.")] = Path(DEFAULT_DB),
    status: Annotated[Optional[str], typer.Option(help="Only this status.")] = None,
    department: Annotated[Optional[str], typer.Option(help="Only commitments naming this department.")] = None,
    due_before: Annotated[Optional[str], typer.Option(help="Only deadlines before this date.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
    busy_timeout: BusyOpt = BUSY_TIMEOUT,
) -> None:
    """What was promised, by when, who answers, its status, evidence and rationale."""
    from .tracker.review import format_report, report_rows

    if fmt not in ("table", "csv", "json"):
        raise typer.BadParameter("use table, csv or json", param_hint="--format")
    with _locked_out(db, busy_timeout):
        rows = report_rows(_db(db, busy_timeout), status=status, department=department, due_before=due_before)
    typer.echo(format_report(rows, fmt))


@track.command("verdict")
def track_verdict(
    db: Annotated[Path, typer.Argument(help="The tracker database.")],
    commitment: Annotated[str, typer.Argument(help="Commitment id (or a unique prefix).")],
    status: Annotated[str, typer.Argument(help="fulfilled, partially_fulfilled, in_progress, overdue, ...")],
    note: Annotated[str, typer.Option(help="The reviewer's reasons.")],
    evidence: Annotated[Optional[list[str]], typer.Option(help="A verbatim quote from a stored document.")] = None,
    reviewer: Annotated[str, typer.Option(help="Who decides.")] = "reviewer",
    busy_timeout: BusyOpt = BUSY_TIMEOUT,
) -> None:
    """Record a reviewer's verdict (appended; it wins over the machine's and survives every re-run)."""
    from .tracker.review import ReviewError, verdict

    try:
        with _locked_out(db, busy_timeout):
            row = verdict(_db(db, busy_timeout), commitment, status, note=note, reviewer=reviewer, evidence=evidence)
    except ReviewError as exc:
        raise typer.BadParameter(str(exc)) from exc
    typer.echo(f"assessment {row} recorded")


@track.command("serve")
def track_serve(
    db: Annotated[Path, typer.Argument(help="The tracker database.")] = Path(DEFAULT_DB),
    host: Annotated[str, typer.Option(help="Bind address (localhost unless told otherwise).")] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8001,
    writable: Annotated[bool, typer.Option(
        "--writable", help="Let the logged-in reviewer record verdicts (password from $SQZL_SERVE_PASSWORD "
                           "or a hidden prompt); nothing else is writable.")] = False,
    reviewer: Annotated[str, typer.Option(help="The login name in --writable mode (verdicts: human:NAME).")]
        = "reviewer",
) -> None:
    """Open the reviewer UI (Datasette): read-only unless --writable."""
    import getpass

    from .tracker.serve import PASSWORD_ENV, REVIEWER_RE, is_loopback, serve

    if not REVIEWER_RE.fullmatch(reviewer):
        raise typer.BadParameter("letters, digits, '_', '.' and '-' only", param_hint="--reviewer")
    if not db.is_file():
        typer.echo(f"no tracker database at {db}", err=True)
        raise typer.Exit(2)
    if not is_loopback(host):
        typer.echo(f"warning: serving on {host}, not localhost: anyone who can reach this machine can read the "
                   "tracker, unpublished reviewer notes included, over plain HTTP (unencrypted, passwords too).",
                   err=True)
    password = None
    if writable:
        password = os.environ.get(PASSWORD_ENV) or (
            getpass.getpass(f"password for reviewer {reviewer}: ") if sys.stdin.isatty() else "")
        if not password:
            typer.echo(f"--writable needs a password: set {PASSWORD_ENV} or run in a terminal to be asked; "
                       "not starting.", err=True)
            raise typer.Exit(2)
    raise typer.Exit(serve(db, host=host, port=port, password=password, reviewer=reviewer))


def _read_records(path: Path) -> list[Document | Problem]:
    from pydantic import TypeAdapter

    from .models import Record

    adapter: TypeAdapter[Document | Problem] = TypeAdapter(Record)
    with path.open(encoding="utf-8") as f:
        return [adapter.validate_python(json.loads(line)) for line in f if line.strip()]


def _progress(quiet: bool):  # type: ignore[no-untyped-def]
    if quiet or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(unit="doc", file=sys.stderr, leave=False)


def main() -> None:
    app()
