"""The ``sqzl`` command line: thin wiring over :mod:`sqzl_docs.pipeline` and friends."""

from __future__ import annotations

import contextlib
import functools
import inspect
import json
import os
import sqlite3
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any, Optional, TypeVar

import typer

from . import pipeline
from . import exitcodes
from .limits import DEFAULT as LIMITS
from .limits import Limits
from .models import Document, Problem
from .output import OutputError, RecordSink, file_identity
from .exitcodes import CANNOT_WRITE as EXIT_CANNOT_WRITE
from .exitcodes import INTERNAL_ERROR
from .exitcodes import USAGE as EXIT_USAGE
from .interrupt import Terminated, terminate_on_signals

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
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
# Parameter name → (its Limits field, its option), in the order --help lists them.
_LIMIT_PARAMS = {"max_bytes": ("max_bytes", MaxBytesOpt), "max_pages": ("max_pages", MaxPagesOpt),
                 "max_chars": ("max_chars", MaxCharsOpt), "timeout": ("seconds", TimeoutOpt),
                 "max_zip_entries": ("max_zip_entries", ZipEntriesOpt),
                 "max_unzipped_bytes": ("max_unzipped_bytes", UnzippedOpt),
                 "max_html_depth": ("max_html_depth", HtmlDepthOpt), "max_memory": ("max_memory", MaxMemoryOpt)}

F = TypeVar("F", bound=Callable[..., Any])


def limits_options(fn: F) -> F:
    """Give a command the limit options (``--max-bytes`` … ``--max-memory``, defaults from
    :data:`sqzl_docs.limits.DEFAULT`) and call it with them as one ``limits: Limits`` argument, as
    sqlite-utils shares its option decorators between commands."""
    sig = inspect.signature(fn, eval_str=True)
    kept = [p for p in sig.parameters.values() if p.name != "limits"]
    added = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=option,
                               default=getattr(LIMITS, field)) for name, (field, option) in _LIMIT_PARAMS.items()]

    @functools.wraps(fn)
    def command(*args: Any, **kwargs: Any) -> Any:
        limits = Limits(**{field: kwargs.pop(name) for name, (field, _) in _LIMIT_PARAMS.items()})
        return fn(*args, limits=limits, **kwargs)

    params = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) if p.kind == p.POSITIONAL_OR_KEYWORD else p
              for p in kept] + added
    command.__signature__ = sig.replace(parameters=params)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in params}
    return command  # type: ignore[return-value]


def _version(value: bool) -> None:
    if value:
        from . import __version__

        typer.echo(f"sqzl {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                help="Print the version and exit.")] = False) -> None:
    """Read Chinese government documents, extract what they say and promise."""


@app.command()
@limits_options
def extract(
    paths: Annotated[list[str], typer.Argument(help="Files, directories (recursive), globs; - for stdin.")],
    out: OutOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="jsonl: one record per document; gold: the gold format.")] = "jsonl",
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Worker processes.")] = 1,
    text_field: Annotated[Optional[str], typer.Option(help="JSON Lines: the field holding the text.")] = None,
    quiet: QuietOpt = False,
    engine: Annotated[str, typer.Option(help="local (processes on this machine) or dask.")] = "local",
    scheduler: Annotated[Optional[str], typer.Option(help="Dask scheduler address (default: a local cluster).")] = None,
    limits: Limits = LIMITS,
) -> None:
    """Extract records from documents, one JSON object per line (documents and problem records)."""
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
    sink = _output(out, paths)
    counts: Counter[str] = Counter()
    progress = _progress(quiet)
    try:
        counts["ok"], counts["failed"] = pipeline.write_json(
            paths, sink, fmt=fmt, jobs=jobs, limits=limits, text_field=text_field,
            on_progress=progress.update if progress is not None else None,
            skip={sink.identity} if out else ())
    except OutputError as exc:
        _close_progress(progress)
        typer.echo(f"sqzl: {exc.reason}; {_held(sink)}", err=True)
        raise typer.Exit(EXIT_CANNOT_WRITE) from None
    except (KeyboardInterrupt, Terminated) as exc:
        sink.interrupted()
        _close_progress(progress)
        why = exc if isinstance(exc, Terminated) else "interrupted"
        typer.echo(f"\nsqzl: {why}; {_held(sink)}. Run the command again to read everything.", err=True)
        raise typer.Exit(exc.exit_code if isinstance(exc, Terminated) else 130) from None
    finally:
        _close_progress(progress)
        sink.close()
    if not quiet:
        typer.echo(f"{counts['ok']} ok, {counts['failed']} failed", err=True)
    raise typer.Exit(1 if counts["failed"] else 0)


def _output(out: Path | None, paths: list[str]) -> RecordSink:
    """The run's output: never one of its inputs (``cat``'s "input file is output file"), and, when it
    lies in a folder being read, left out of the inputs, with a note."""
    import fnmatch

    if out is not None:
        same = file_identity(out)
        for raw in paths:
            if same and raw != "-" and not Path(raw).is_dir() and file_identity(raw) == same:
                typer.echo(f"sqzl: {raw}: input file is output file (-o {out}); not overwriting it", err=True)
                raise typer.Exit(EXIT_USAGE)
    try:
        sink = RecordSink(out)
    except OutputError as exc:
        typer.echo(f"sqzl: {exc.reason}", err=True)
        raise typer.Exit(EXIT_USAGE if "does not exist" in exc.reason else EXIT_CANNOT_WRITE) from None
    if out is not None:
        where = out.resolve()
        for raw in paths:
            inside = Path(raw).is_dir() and where.is_relative_to(Path(raw).resolve())
            if inside or fnmatch.fnmatch(str(out), raw):
                typer.echo(f"sqzl: {out} is this run's output: it is not read as an input", err=True)
                break
    return sink


def _held(sink: RecordSink) -> str:
    if sink.path is None:
        return f"{sink.records} records were written to standard output"
    return f"{sink.path} holds {sink.records} whole records (complete up to the last one; no partial line)"


def _close_progress(progress) -> None:  # type: ignore[no-untyped-def]
    if progress is not None:
        progress.close()


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


DB_SUFFIXES = (".db", ".sqlite", ".sqlite3")


def _db(path: Path, busy_timeout: float, *, create: bool = False):  # type: ignore[no-untyped-def]
    """The tracker database to write to (checked, migrated); a missing one is made only when ``create``."""
    from .tracker.schema import connect

    if create:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            from .tracker.schema import classify

            raise classify(exc, path) from exc
    elif not path.is_file():
        _no_database(path)
    return connect(path, busy_timeout=busy_timeout)


def _db_read(path: Path, busy_timeout: float):  # type: ignore[no-untyped-def]
    """The tracker database to read: opened read-only, never migrated."""
    from .tracker.schema import open_read

    if not path.is_file():
        _no_database(path)
    return open_read(path, busy_timeout=busy_timeout)


def _no_database(path: Path) -> None:
    typer.echo(f"no tracker database at {path}: build one with `sqzl track add {path} PATH...`", err=True)
    raise typer.Exit(exitcodes.USAGE)


@contextlib.contextmanager
def _guard(path: Path, busy_timeout: float) -> Iterator[None]:
    """Tracker errors as one line on stderr and an exit code (:mod:`sqzl_docs.exitcodes`): another
    writer holding the lock past the busy timeout, or not a tracker database → 2; cannot write (read-only,
    disk full) → 3; damaged → 4. Whatever this process committed before stays (whole documents)."""
    from .errors import TrackerError
    from .tracker.schema import classify

    try:
        yield
    except (sqlite3.Error, OSError, TrackerError) as exc:
        text = str(exc)
        if isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text):
            typer.echo(f"{path}: another sqzl process is writing to this database; gave up after waiting "
                       f"{busy_timeout:g} s for it (--busy-timeout). Try again when it has finished.", err=True)
            raise typer.Exit(exitcodes.USAGE) from None
        error = classify(exc, path)
        if not isinstance(error, TrackerError):
            raise
        typer.echo(f"sqzl: {error.reason}", err=True)
        raise typer.Exit(error.exit_code) from None


def _split_db(paths: list[str]) -> tuple[Path, list[str]]:
    """``[DB] PATH...``: the first argument names the database when it ends in .db/.sqlite/.sqlite3 or
    is an SQLite file; a first argument that names nothing at all is refused rather than guessed at."""
    from .tracker.schema import SQLITE_MAGIC

    first = Path(paths[0])
    if paths[0].endswith(DB_SUFFIXES):
        return first, paths[1:]
    if first.is_file():
        with first.open("rb") as f:
            if f.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC:
                return first, paths[1:]
    elif paths[0] != "-" and not first.exists() and not any(ch in paths[0] for ch in "*?["):
        raise typer.BadParameter(
            f"{paths[0]} does not exist. To name the tracker database give it a .db, .sqlite or .sqlite3 "
            f"suffix ({paths[0]}.db); without one the database is ./{DEFAULT_DB} and every argument is a "
            "document to add.", param_hint="[DB] PATH...")
    return Path(DEFAULT_DB), paths


def _iso_date(value: Optional[str], option: str) -> Optional[str]:
    import datetime as dt

    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint=option) from None


def _non_empty(value: Optional[str], option: str) -> None:
    if value is not None and not value.strip():
        raise typer.BadParameter("must not be empty", param_hint=option)


@track.command("add")
@limits_options
def track_add(
    paths: Annotated[list[str], typer.Argument(help="[DB] PATH...: a first argument ending in .db, .sqlite or "
                                                    ".sqlite3 (or an SQLite file) names the database (default "
                                                    "sqzl.db).")],
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1)] = 1,
    quiet: QuietOpt = False,
    busy_timeout: BusyOpt = BUSY_TIMEOUT,
    limits: Limits = LIMITS,
) -> None:
    """Extract documents and store them in the tracker (one transaction per document)."""
    from .tracker.store import add

    db_path, paths = _split_db(paths)
    if not paths:
        raise typer.BadParameter("no documents named", param_hint="PATH")
    def refused(problem: Problem) -> None:
        if problem.stage == "track" and not quiet:
            typer.echo(f"refused: {problem.reason}", err=True)

    with _guard(db_path, busy_timeout):
        counts = add(_db(db_path, busy_timeout, create=True), pipeline.run(paths, jobs=jobs, limits=limits),
                     on_problem=refused)
    if not quiet:
        typer.echo(f"{db_path}: {counts['added']} added, {counts['updated']} updated, "
                   f"{counts['unchanged']} unchanged, {counts['failed']} failed", err=True)
    raise typer.Exit(exitcodes.SOME_FAILED if counts["failed"] else exitcodes.OK)


@track.command("link")
def track_link(
    db: Annotated[Path, typer.Argument(help="The tracker database.")] = Path(DEFAULT_DB),
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="Assess as of this date (default today).")] = None,
    busy_timeout: BusyOpt = BUSY_TIMEOUT,
) -> None:
    """Link commitments to later progress statements and record the machine's assessments."""
    import datetime as dt

    from .tracker.link import link

    as_of = _iso_date(as_of, "--as-of")
    with _guard(db, busy_timeout):
        counts = link(_db(db, busy_timeout), as_of=dt.date.fromisoformat(as_of) if as_of else None)
    typer.echo("  ".join(f"{k}: {v}" for k, v in sorted(counts.items())))


@track.command("report")
def track_report(
    db: Annotated[Path, typer.Argument(help="The tracker database (opened read-only).")] = Path(DEFAULT_DB),
    status: Annotated[Optional[str], typer.Option(help="Only this status.")] = None,
    department: Annotated[Optional[str], typer.Option(
        help="Only commitments naming a department whose name contains this text (no wildcards).")] = None,
    due_before: Annotated[Optional[str], typer.Option(help="Only deadlines before this date (YYYY-MM-DD).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
    busy_timeout: BusyOpt = BUSY_TIMEOUT,
) -> None:
    """What was promised, by when, who answers, its status, evidence and rationale (reads only)."""
    from .tracker.review import format_report, report_rows
    from .tracker.schema import STATUSES

    if fmt not in ("table", "csv", "json"):
        raise typer.BadParameter("use table, csv or json", param_hint="--format")
    if status is not None and status not in STATUSES:
        raise typer.BadParameter(f"unknown status {status!r}; one of {', '.join(STATUSES)}", param_hint="--status")
    _non_empty(department, "--department")
    due_before = _iso_date(due_before, "--due-before")
    with _guard(db, busy_timeout):
        rows = report_rows(_db_read(db, busy_timeout), status=status, department=department, due_before=due_before)
    typer.echo(format_report(rows, fmt))


@track.command("check")
def track_check(
    db: Annotated[Path, typer.Argument(help="The tracker database (opened read-only).")] = Path(DEFAULT_DB),
    busy_timeout: BusyOpt = BUSY_TIMEOUT,
) -> None:
    """Check a tracker database without changing it: ours, undamaged (quick_check, foreign keys), current."""
    from .tracker.schema import check

    with _guard(db, busy_timeout):
        if not db.is_file():
            _no_database(db)
        lines = check(db, busy_timeout=busy_timeout)
    typer.echo("\n".join(lines))


@track.command("migrate")
def track_migrate(
    db: Annotated[Path, typer.Argument(help="The tracker database.")] = Path(DEFAULT_DB),
    busy_timeout: BusyOpt = BUSY_TIMEOUT,
) -> None:
    """Bring a tracker database of an older schema version up to date (what `track add` does first)."""
    from .tracker.schema import MIGRATIONS

    with _guard(db, busy_timeout):
        database = _db(db, busy_timeout)
        version = MIGRATIONS.applied(database)[-1].name
    typer.echo(f"{db}: schema {version}")


@track.command("verdict")
def track_verdict(
    db: Annotated[Path, typer.Argument(help="The tracker database.")],
    commitment: Annotated[str, typer.Argument(help="Commitment id (or a unique prefix).")],
    status: Annotated[str, typer.Argument(help="fulfilled, partially_fulfilled, in_progress, overdue, ...")],
    note: Annotated[str, typer.Option(help="The reviewer's reasons (not empty).")],
    evidence: Annotated[Optional[list[str]], typer.Option(help="A verbatim quote from a stored document.")] = None,
    reviewer: Annotated[str, typer.Option(help="Who decides.")] = "reviewer",
    busy_timeout: BusyOpt = BUSY_TIMEOUT,
) -> None:
    """Record a reviewer's verdict (appended; it wins over the machine's and survives every re-run)."""
    from .tracker.review import ReviewError, check_verdict, verdict

    try:
        check_verdict(status, note=note, reviewer=reviewer, evidence=evidence)
        with _guard(db, busy_timeout):
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
    busy_timeout: BusyOpt = BUSY_TIMEOUT,
) -> None:
    """Open the reviewer UI (Datasette): read-only unless --writable. Stops on Ctrl-C, SIGTERM or SIGHUP."""
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
    raise typer.Exit(serve(db, host=host, port=port, password=password, reviewer=reviewer,
                           busy_timeout=busy_timeout))


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
    """The ``sqzl`` command. A signal ends it with 128 + its number (130 for Ctrl-C) and one line on
    stderr; an unexpected error ends it with a short message and exit code 70, never 1 (which says
    that some inputs failed)."""
    try:
        with terminate_on_signals():
            app(prog_name="sqzl")
    except Terminated as exc:
        typer.echo(f"\nsqzl: {exc}", err=True)
        raise SystemExit(exc.exit_code) from None
    except Exception as exc:  # a bug: say so plainly, with the traceback for a report
        import traceback

        traceback.print_exc(file=sys.stderr)
        typer.echo(f"sqzl: internal error: {type(exc).__name__}: {exc} (please report it with the "
                   "traceback above)", err=True)
        raise SystemExit(INTERNAL_ERROR) from None
