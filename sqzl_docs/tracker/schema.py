"""The tracker's SQLite schema, as named migrations (sqlite-utils ``Migrations``); never edit one
after release, add another.

Every table links to its document by a foreign key; ids are deterministic (content hash of the
document, and a hash of the document id and the item's text for what was extracted from it), so
re-adding a document changes nothing and a new extractor version updates the machine rows in place.
``assessments`` is append-only: triggers refuse UPDATE and DELETE.

Crash and concurrency safety: every write is one transaction that takes the write lock up front
(``BEGIN IMMEDIATE``, see :func:`write`), migrations included, so a killed process leaves the database
as it was before the transaction, and a second writer waits for the first (up to the busy timeout)
instead of failing half-way or applying a migration twice.

Trust (信任边界): a tracker database is marked as ours (``PRAGMA application_id`` 'sqzl', set by
migration m003; older trackers are known by their migrations table). Nothing here migrates, switches
to WAL or writes to a file that is not a tracker, nor to one that fails ``PRAGMA quick_check``;
commands that only read open the file read-only (``mode=ro``) and never migrate (:func:`open_read`).
"""

from __future__ import annotations

import contextlib
import errno
import sqlite3
import time
import urllib.parse
import weakref
from collections.abc import Iterator
from pathlib import Path

import sqlite_utils
from sqlite_utils import Database

from ..errors import CannotWrite, DamagedDatabase, NeedsMigration, NotATracker, TrackerError

MIGRATIONS = sqlite_utils.Migrations("sqzl_tracker")
APPLICATION_ID = 0x73717A6C  # "sqzl", in the database header (PRAGMA application_id)
SQLITE_MAGIC = b"SQLite format 3\x00"

STATUSES = ("not_assessed", "no_evidence", "in_progress", "partially_fulfilled", "fulfilled", "overdue",
            "not_verifiable")


@MIGRATIONS()
def m001_initial(db: Database) -> None:
    db["documents"].create({
        "id": str, "source": str, "sha256": str, "title": str, "doc_type": str, "issuer": str,
        "jurisdiction": str, "doc_number": str, "published": str, "written": str, "doc_date": str,
        "text": str, "text_seg": str, "extractor_version": str, "added_at": str, "run_id": int,
    }, pk="id")
    db["commitments"].create({
        "id": str, "document_id": str, "parent_id": str, "text": str, "text_seg": str, "item_text": str,
        "start": int, "end": int, "section_path": str, "action": str, "deadline_start": str,
        "deadline_end": str, "deadline_source": str, "departments": str, "departments_defaulted": int,
        "strength": str, "keywords": str, "testable": int, "testability_reasons": str,
        "target_text": str, "target_value": float, "target_unit": str, "target_qualifier": str,
        "target_subject": str, "doc_date": str, "extractor_version": str,
    }, pk="id", foreign_keys=[("document_id", "documents", "id")])
    db["progress"].create({
        "id": str, "document_id": str, "text": str, "text_seg": str, "start": int, "end": int,
        "departments": str, "keywords": str, "doc_date": str, "extractor_version": str,
    }, pk="id", foreign_keys=[("document_id", "documents", "id")])
    db["metrics"].create({
        "id": str, "document_id": str, "text": str, "start": int, "end": int, "value": float, "unit": str,
        "qualifier": str, "from_value": float, "subject": str, "per": str,
    }, pk="id", foreign_keys=[("document_id", "documents", "id")])
    db["departments"].create({
        "id": str, "document_id": str, "name": str, "canonical": str, "role": str, "start": int, "end": int,
    }, pk="id", foreign_keys=[("document_id", "documents", "id")])
    db["doc_numbers"].create({
        "id": str, "document_id": str, "text": str, "canonical": str, "own": int, "repaired": int,
        "start": int, "end": int,
    }, pk="id", foreign_keys=[("document_id", "documents", "id")])
    db["citations"].create({
        "id": str, "document_id": str, "title": str, "doc_number": str, "start": int, "end": int,
    }, pk="id", foreign_keys=[("document_id", "documents", "id")])
    db["runs"].create({
        "id": int, "command": str, "started_at": str, "finished_at": str, "version": str, "n_ok": int,
        "n_failed": int,
    }, pk="id")
    db["problems"].create({
        "id": int, "run_id": int, "source": str, "stage": str, "code": str, "reason": str,
    }, pk="id", foreign_keys=[("run_id", "runs", "id")])
    db["evidence"].create({
        "id": str, "commitment_id": str, "progress_id": str, "document_id": str, "quote": str, "start": int,
        "end": int, "score": float, "reasons": str, "relation": str, "strength": str, "reported_value": float,
        "created_by": str, "created_at": str,
    }, pk="id", foreign_keys=[("commitment_id", "commitments", "id"), ("progress_id", "progress", "id"),
                              ("document_id", "documents", "id")])
    db["assessments"].create({
        "id": int, "commitment_id": str, "status": str, "as_of": str, "evidence_ids": str, "rationale": str,
        "evidence_strength": str, "ratio": float, "late": int, "assessor": str, "review_state": str,
        "note": str, "created_at": str,
    }, pk="id", foreign_keys=[("commitment_id", "commitments", "id")])
    for table, columns in (("commitments", ["document_id"]), ("progress", ["document_id"]),
                           ("metrics", ["document_id"]), ("departments", ["document_id"]),
                           ("evidence", ["commitment_id"]), ("assessments", ["commitment_id"]),
                           ("departments", ["name"]), ("commitments", ["deadline_end"])):
        db[table].create_index(columns, if_not_exists=True)
    db.execute("""CREATE TRIGGER assessments_append_only_update BEFORE UPDATE ON assessments
                  BEGIN SELECT RAISE(ABORT, 'assessments are append-only'); END""")
    db.execute("""CREATE TRIGGER assessments_append_only_delete BEFORE DELETE ON assessments
                  BEGIN SELECT RAISE(ABORT, 'assessments are append-only'); END""")
    db.execute("""CREATE VIEW commitment_status AS
        WITH ranked AS (
          SELECT a.*, ROW_NUMBER() OVER (
            PARTITION BY a.commitment_id
            ORDER BY CASE WHEN a.assessor LIKE 'human:%' THEN 0 ELSE 1 END, a.id DESC) AS rn
          FROM assessments a)
        SELECT c.id AS commitment_id, c.text AS commitment, c.target_text, d.title AS document,
               d.issuer, c.document_id, c.deadline_end AS deadline, substr(c.deadline_end, 1, 4) AS deadline_year,
               c.departments,
               COALESCE(r.status, 'not_assessed') AS status, r.assessor, r.review_state, r.rationale,
               r.as_of, r.evidence_strength, r.id AS assessment_id
        FROM commitments c JOIN documents d ON d.id = c.document_id
        LEFT JOIN ranked r ON r.commitment_id = c.id AND r.rn = 1""")
    for table in ("documents", "commitments", "progress"):
        db[table].enable_fts(["text_seg"], create_triggers=True, tokenize="unicode61")


@MIGRATIONS()
def m002_retired_commitments(db: Database) -> None:
    """Commitments a new extractor version no longer finds are retired, not deleted (their assessment
    history points at them): ``retired_at``, and ``superseded_by`` naming the commitment that replaces
    one (see :mod:`.supersede`). ``commitment_status`` leaves retired commitments out. Rows left behind
    by an earlier extractor version (an extractor version other than their document's) are retired now."""
    from .supersede import retire

    db["commitments"].add_column("retired_at", str)
    db["commitments"].add_column("superseded_by", str)
    db.execute("DROP VIEW commitment_status")
    db.execute("""CREATE VIEW commitment_status AS
        WITH ranked AS (
          SELECT a.*, ROW_NUMBER() OVER (
            PARTITION BY a.commitment_id
            ORDER BY CASE WHEN a.assessor LIKE 'human:%' THEN 0 ELSE 1 END, a.id DESC) AS rn
          FROM assessments a)
        SELECT c.id AS commitment_id, c.text AS commitment, c.target_text, d.title AS document,
               d.issuer, c.document_id, c.deadline_end AS deadline, substr(c.deadline_end, 1, 4) AS deadline_year,
               c.departments,
               COALESCE(r.status, 'not_assessed') AS status, r.assessor, r.review_state, r.rationale,
               r.as_of, r.evidence_strength, r.id AS assessment_id
        FROM commitments c JOIN documents d ON d.id = c.document_id
        LEFT JOIN ranked r ON r.commitment_id = c.id AND r.rn = 1
        WHERE c.retired_at IS NULL""")
    for doc in list(db.query("SELECT id, extractor_version FROM documents ORDER BY id")):
        keep = {r["id"] for r in db.query("SELECT id FROM commitments WHERE document_id = ? AND extractor_version = ?",
                                          [doc["id"], doc["extractor_version"]])}
        retire(db, doc["id"], keep)


@MIGRATIONS()
def m003_application_id(db: Database) -> None:
    """Mark the file as a sqzl tracker: ``PRAGMA application_id`` = 'sqzl' (0x73717A6C), which
    ``file(1)`` and read commands can see without writing to it."""
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")



@MIGRATIONS()
def m004_targets_and_sources(db: Database) -> None:
    """Issue 12: a per-target row's ``indicator`` (国内生产总值增长); a document's ``sources`` (every file
    it was read from: the same document in DOCX and PDF is stored once) and ``text_key`` (the hash of its
    normalised text, to know it again); evidence from any sentence of a later document, not only from
    progress records (``progress_id`` may be NULL), with its ``kind`` (done, under_way, shortfall …).
    ``commitment_status`` also gives the document's source and date, the target and its indicator."""
    db["commitments"].add_column("indicator", str)
    db["documents"].add_column("sources", str)
    db["documents"].add_column("text_key", str)
    db["documents"].create_index(["text_key"], if_not_exists=True)
    db["evidence"].add_column("kind", str)
    db["evidence"].create_index(["document_id"], if_not_exists=True)
    db.execute("UPDATE documents SET sources = json_array(source) WHERE sources IS NULL")
    db.execute("DROP VIEW commitment_status")
    db.execute("""CREATE VIEW commitment_status AS
        WITH ranked AS (
          SELECT a.*, ROW_NUMBER() OVER (
            PARTITION BY a.commitment_id
            ORDER BY CASE WHEN a.assessor LIKE 'human:%' THEN 0 ELSE 1 END, a.id DESC) AS rn
          FROM assessments a)
        SELECT c.id AS commitment_id, c.text AS commitment, c.target_text, d.title AS document,
               d.issuer, c.document_id, c.deadline_end AS deadline, substr(c.deadline_end, 1, 4) AS deadline_year,
               c.departments,
               COALESCE(r.status, 'not_assessed') AS status, r.assessor, r.review_state, r.rationale,
               r.as_of, r.evidence_strength, r.id AS assessment_id,
               d.source, d.doc_date, c.indicator, c.target_value, c.target_unit, c.target_qualifier, r.ratio
        FROM commitments c JOIN documents d ON d.id = c.document_id
        LEFT JOIN ranked r ON r.commitment_id = c.id AND r.rn = 1
        WHERE c.retired_at IS NULL""")


BUSY_TIMEOUT = 30.0  # seconds a tracker connection waits for another process's write lock


def connect(path: str | Path, *, busy_timeout: float = BUSY_TIMEOUT) -> Database:
    """Open (or create) a tracker database to write to: busy timeout set, checked (a tracker or a new
    file, undamaged), schema migrated. Raises :class:`NotATracker`, :class:`DamagedDatabase` or
    :class:`CannotWrite`."""
    _sniff(Path(path))
    try:
        db = Database(_connect_rw(Path(path)))
        db.execute(f"PRAGMA busy_timeout = {max(0, int(busy_timeout * 1000))}")
        verify(db, path)
        migrate(db)
    except sqlite3.Error as exc:
        raise classify(exc, path) from exc
    return db


def _connect_rw(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(str(path))


def open_read(path: str | Path, *, busy_timeout: float = BUSY_TIMEOUT) -> Database:
    """Open a tracker database for reading only (``mode=ro``): never migrated, never written. Refuses a
    file that is not a tracker (:class:`NotATracker`), a damaged one (:class:`DamagedDatabase`) and one
    of an older schema version (:class:`NeedsMigration`)."""
    db = _open_ro(Path(path), busy_timeout)
    _refuse_pending(db, Path(path))
    return db


def check(path: str | Path, *, busy_timeout: float = BUSY_TIMEOUT) -> list[str]:
    """What ``sqzl track check`` reports on a sound, current tracker database (read-only). Raises
    :class:`NotATracker`, :class:`DamagedDatabase` (quick_check or foreign keys) or :class:`NeedsMigration`."""
    path = Path(path)
    db = _open_ro(path, busy_timeout)
    try:
        fk = db.execute("PRAGMA foreign_key_check").fetchall()
    except sqlite3.Error as exc:
        raise classify(exc, path) from exc
    if fk:
        raise damaged(path, [f"foreign key check: row {r[1]} of {r[0]} points at a missing {r[2]} row" for r in fk])
    _refuse_pending(db, path)
    counts = {t: db[t].count for t in ("documents", "commitments", "progress", "assessments", "problems")}
    version = MIGRATIONS.applied(db)[-1].name
    return [f"{path}: a sqzl tracker database (schema {version}); PRAGMA quick_check: ok; foreign keys: ok",
            "  ".join(f"{k}: {v:,}" for k, v in counts.items())]


def _open_ro(path: Path, busy_timeout: float) -> Database:
    if not path.is_file():
        raise NotATracker(f"no tracker database at {path}")
    _sniff(path)
    uri = "file:" + urllib.parse.quote(str(path.resolve())) + "?mode=ro"
    try:
        try:
            conn = _connect_ro(uri)
        except sqlite3.OperationalError as exc:
            # a WAL file in a read-only directory, with no -wal or -shm beside it: no process can be
            # writing to it, so it is read as an immutable file
            if "unable to open" not in str(exc) or Path(f"{path}-wal").exists():
                raise
            conn = _connect_ro(uri + "&immutable=1")
        conn.execute(f"PRAGMA busy_timeout = {max(0, int(busy_timeout * 1000))}")
        db = Database(conn)
        verify(db, path, new=False)
    except sqlite3.Error as exc:
        raise classify(exc, path) from exc
    return db


def _connect_ro(uri: str) -> sqlite3.Connection:
    conn = sqlite3.connect(uri, uri=True)
    conn.execute("PRAGMA query_only = 1")
    conn.execute("PRAGMA application_id").fetchone()  # opens the file (and its -shm) now
    return conn


def _refuse_pending(db: Database, path: Path) -> None:
    pending = MIGRATIONS.pending(db)
    if pending:
        raise NeedsMigration(f"{path} is a tracker database of an older schema version (missing "
                             f"{', '.join(m.name for m in pending)}); commands that only read never change it: "
                             f"run `sqzl track migrate {path}` first")


def _sniff(path: Path) -> None:
    """A non-empty file that does not start with SQLite's magic string is not a tracker."""
    try:
        with path.open("rb") as f:
            head = f.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        return
    except IsADirectoryError:
        raise NotATracker(f"{path} is a directory, not a tracker database") from None
    except PermissionError as exc:
        raise CannotWrite(f"cannot open {path}: {exc.strerror}") from None
    if head and head != SQLITE_MAGIC:
        raise NotATracker(f"{path} is not a tracker database (not an SQLite file); nothing was written to it")


def kind(db: Database) -> str:
    """'tracker' (ours), 'empty' (a new file) or 'foreign' (another application's SQLite database)."""
    app_id = db.execute("PRAGMA application_id").fetchone()[0]
    if app_id == APPLICATION_ID:
        return "tracker"
    if app_id:
        return "foreign"
    names = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
    if not names:
        return "empty"
    if MIGRATIONS.migrations_table in names and db.execute(
            f"SELECT 1 FROM [{MIGRATIONS.migrations_table}] WHERE migration_set = ? LIMIT 1",
            [MIGRATIONS.name]).fetchone():
        return "tracker"  # written before m003 marked trackers
    return "foreign"


def quick_check(db: Database) -> list[str]:
    """What ``PRAGMA quick_check`` finds wrong (empty when the file is sound)."""
    try:
        rows = [r[0] for r in db.execute("PRAGMA quick_check").fetchall()]
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    return [] if rows == ["ok"] else rows


def verify(db: Database, path: str | Path | None = None, *, new: bool = True) -> None:
    """Refuse a file that is not a tracker (nor, when ``new``, an empty file to make one of) or is
    damaged, before anything reads or writes it."""
    path = path or _file(db)
    try:
        found = kind(db)
    except sqlite3.DatabaseError as exc:
        raise classify(exc, path) from exc
    if found == "empty" and not new:
        raise NotATracker(f"{path} is an empty SQLite file, not a tracker database")
    if found == "foreign":
        raise NotATracker(f"{path} is not a sqzl tracker database (another application's SQLite file: "
                          "no sqzl application id or migrations); nothing was changed")
    problems = quick_check(db)
    if problems:
        raise damaged(path, problems)
    _VERIFIED[db] = True


_VERIFIED: weakref.WeakKeyDictionary[Database, bool] = weakref.WeakKeyDictionary()  # checked once per connection


def damaged(path: str | Path | None, problems: list[str]) -> DamagedDatabase:
    """The error for a damaged file: what is wrong (the first findings, on one line) and how to recover."""
    problems = [line.strip() for p in problems for line in p.splitlines()
                if line.strip() and not line.startswith("*** in database")] or ["damaged"]
    shown = "; ".join(problems[:3]) + (f" (and {len(problems) - 3} more)" if len(problems) > 3 else "")
    return DamagedDatabase(
        f"{path} is damaged (PRAGMA quick_check: {shown}); nothing was written to it. To recover, restore a "
        f"backup, or salvage what is readable: `sqlite3 {path} .recover | sqlite3 recovered.db`, then "
        "`sqzl track check recovered.db`")


def classify(exc: BaseException, path: str | Path | None) -> BaseException:
    """The tracker error an SQLite or OS error means (locked-out errors and others are returned as
    they are): read-only, full disk or a file-size limit → :class:`CannotWrite`; damage →
    :class:`DamagedDatabase`; not a database → :class:`NotATracker`."""
    if isinstance(exc, TrackerError):
        return exc
    text = str(exc)
    if isinstance(exc, OSError) and exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC,
                                                  errno.EFBIG, errno.EDQUOT):
        return CannotWrite(f"cannot write to {path}: {exc.strerror or exc}")
    if isinstance(exc, sqlite3.Error):
        if "readonly" in text or "read-only" in text:
            return CannotWrite(f"cannot write to {path}: the file or its directory is read-only ({text})")
        if "disk is full" in text or "disk I/O error" in text:
            return CannotWrite(f"cannot write to {path}: {text} (a full disk or a file-size limit); the "
                               "document being stored was rolled back, the ones before it are kept")
        if "unable to open" in text:
            return CannotWrite(f"cannot open {path} for writing ({text}): is the directory writable?")
        if "malformed" in text:
            return damaged(path, [text])
        if "not a database" in text:
            return NotATracker(f"{path} is not a tracker database ({text})")
    return exc


def _file(db: Database) -> str:
    row = db.execute("PRAGMA database_list").fetchone()
    return str(row[2]) if row and row[2] else ":memory:"


@contextlib.contextmanager
def write(db: Database) -> Iterator[Database]:
    """One write transaction with the write lock taken first (``BEGIN IMMEDIATE``): it waits for another
    writer up to the busy timeout, never fails part-way on a stale snapshot, and commits whole or not at all."""
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        with contextlib.suppress(sqlite3.Error):  # the error that stopped the write is the one to report
            db.conn.rollback()
        raise
    db.conn.commit()


def _enable_wal(db: Database) -> None:
    """Switch to WAL. Two connections switching a new file at once can deadlock on the lock upgrade,
    and SQLite then answers "locked" at once, without waiting: retry, within the busy timeout."""
    timeout = db.execute("PRAGMA busy_timeout").fetchone()[0] / 1000
    deadline = time.monotonic() + timeout
    while True:
        try:
            db.enable_wal()
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def migrate(db: Database) -> None:
    """Bring a database up to the current schema; WAL so readers never wait on the writer. Pending
    migrations are applied under the write lock, so two processes opening a new file migrate it once.
    The busy timeout is the connection's (:func:`connect` sets it; Python's sqlite3 default is 5 s).
    Refuses another application's database and a damaged one before writing anything (:func:`verify`,
    once per connection)."""
    if db not in _VERIFIED:
        verify(db)
    _enable_wal(db)
    db.execute("PRAGMA foreign_keys = ON")
    if MIGRATIONS.pending(db):
        with write(db):
            MIGRATIONS.apply(db)  # checks again under the lock
