"""The tracker's trust boundary (issues 14 and 16): forged records, foreign and damaged databases,
files that cannot be written, and option values that would mislead; each with a clear message and
its exit code (:mod:`sqzl_docs.exitcodes`)."""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import sqzl_docs
from sqzl_docs.errors import CannotWrite, DamagedDatabase, NotATracker
from sqzl_docs.cli import app
from sqzl_docs import exitcodes
from sqzl_docs.models import Span
from sqzl_docs.tracker import link, review, schema, store

from .conftest import RAW

SEEDS = [RAW / "000_a8a32f0196afeb02.txt", RAW / "003_bae5fa7c6a583b1e.txt"]
JUDGED = "推广老旧小区治理经验"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tracker of the seed pair, linked, with one reviewer's verdict; one file (WAL checkpointed)."""
    path = tmp_path_factory.mktemp("trust") / "base.db"
    db = schema.connect(path)
    store.add(db, [sqzl_docs.parse(p) for p in SEEDS])
    link.link(db, as_of=dt.date(2023, 12, 28))
    cid = next(db.query("SELECT id FROM commitments WHERE text = ?", [JUDGED]))["id"]
    review.verdict(db, cid, "in_progress", note="现场会已召开", reviewer="张三")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path


@pytest.fixture()
def tracker(base: Path, tmp_path: Path) -> Path:
    path = tmp_path / "t.db"
    shutil.copy(base, path)
    return path


def sqzl(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


def status_of(path: Path, text: str) -> dict[str, str]:
    conn = sqlite3.connect(path)
    row = conn.execute("SELECT status, assessor FROM commitment_status WHERE commitment = ?", [text]).fetchone()
    conn.close()
    return {"status": row[0], "assessor": row[1]} if row else {}


# ---------------------------------------------------------------- forged records


def test_a_forged_record_reusing_a_stored_doc_id_is_refused_and_changes_nothing(tracker: Path, tmp_path: Path
                                                                                ) -> None:
    doc = sqzl_docs.parse(SEEDS[0])
    forged = doc.model_copy(update={
        "text": doc.text.replace("社区", "小区"), "commitments": [], "progress": [], "metrics": [],
        "departments": [], "doc_numbers": [], "citations": [],
        "extractors": {**doc.extractors, "commitments": 99}})
    lines = tmp_path / "forged.jsonl"
    lines.write_text(forged.model_dump_json() + "\n", encoding="utf-8")
    before = sqlite3.connect(tracker).execute("SELECT text FROM documents WHERE id = ?", [doc.doc_id]).fetchone()
    code, _, err = sqzl("track", "add", tracker, lines)
    assert code == exitcodes.SOME_FAILED and "refused" in err and "stored with another text" in err
    conn = sqlite3.connect(tracker)
    assert conn.execute("SELECT text FROM documents WHERE id = ?", [doc.doc_id]).fetchone() == before
    assert conn.execute("SELECT count(*) FROM commitments WHERE retired_at IS NOT NULL").fetchone() == (0,)
    assert conn.execute("SELECT code FROM problems").fetchall() == [("track.text_changed",)]
    conn.close()
    assert status_of(tracker, JUDGED) == {"status": "in_progress", "assessor": "human:张三"}


def test_records_whose_ids_or_spans_do_not_match_their_text_are_refused(tracker: Path) -> None:
    own = sqzl_docs.parse_text("到2025年建成社区服务中心100个。")
    plain = sqzl_docs.Document.from_text("到2025年，建成社区服务中心100个。")
    seed = sqzl_docs.parse(SEEDS[0])
    c = seed.commitments[0]
    moved = c.model_copy(update={"span": Span(start=c.span.start, end=c.span.end, text="伪造的承诺")})
    bad = [
        plain.model_copy(update={"text": "到2025年，建成社区服务中心1000个。"}),  # sha256 is of another text
        plain.model_copy(update={"doc_id": "0" * 16}),  # doc_id is not the start of sha256
        seed.model_copy(update={"commitments": [moved, *seed.commitments[1:]]}),  # a span that quotes nothing
    ]
    db = schema.connect(tracker)
    n_docs = db["documents"].count
    assert store.add(db, bad)["failed"] == 3
    assert db["documents"].count == n_docs
    assert [r["code"] for r in db.query("SELECT code FROM problems ORDER BY id")] == ["track.forged_record"] * 3
    assert store.add(db, [own])["added"] == 1


def test_sqzl_s_own_output_is_accepted_as_it_is(tracker: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    assert sqzl("extract", *SEEDS, "-q", "-o", out)[0] == 0
    code, _, err = sqzl("track", "add", tracker, out)
    assert code == exitcodes.OK and "2 unchanged" in err
    jsonl = tmp_path / "replies.jsonl"
    jsonl.write_text(json.dumps({"id": 7, "text": "关于社区治理的答复\n到2025年，建成社区服务中心100个。"},
                                ensure_ascii=False) + "\n", encoding="utf-8")
    assert sqzl("extract", jsonl, "-q", "-o", tmp_path / "j.jsonl")[0] == 0
    assert sqzl("track", "add", tracker, tmp_path / "j.jsonl")[0] == exitcodes.OK


# ---------------------------------------------------------------- foreign and older databases


@pytest.fixture()
def foreign(tmp_path: Path) -> Path:
    path = tmp_path / "f.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.executemany("INSERT INTO notes (body) VALUES (?)", [("备忘" * 50,)] * 40)
    conn.commit()
    conn.close()
    return path


COMMANDS = [["report"], ["check"], ["link"], ["migrate"], ["add", str(SEEDS[0])],
            ["verdict", "abc", "fulfilled", "--note", "x"]]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_another_application_s_database_is_refused_untouched(foreign: Path, command: list[str]) -> None:
    before = digest(foreign)
    code, _, err = sqzl("track", command[0], foreign, *command[1:])
    assert code == exitcodes.USAGE and "not a sqzl tracker database" in one_line(err)
    assert digest(foreign) == before
    assert sorted(p.name for p in foreign.parent.iterdir()) == ["f.db"]  # no -wal, no -shm


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_a_file_that_is_not_sqlite_is_refused_untouched(tmp_path: Path, command: list[str]) -> None:
    path = tmp_path / "notes.db"
    path.write_text("社区治理笔记\n", encoding="utf-8")
    code, _, err = sqzl("track", command[0], path, *command[1:])
    assert code == exitcodes.USAGE and "not an SQLite file" in one_line(err)
    assert path.read_text(encoding="utf-8") == "社区治理笔记\n"


def test_read_commands_never_migrate_an_older_tracker(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    shutil.copy(Path(__file__).parent / "fixtures" / "tracker" / "schema_v1.db", path)
    before = digest(path)
    for command in ("report", "check"):
        code, _, err = sqzl("track", command, path)
        assert code == exitcodes.USAGE and f"sqzl track migrate {path}" in one_line(err)
        assert digest(path) == before
    assert sqzl("track", "migrate", path)[0] == exitcodes.OK
    assert sqzl("track", "report", path)[0] == exitcodes.OK
    code, out, _ = sqzl("track", "check", path)
    assert code == exitcodes.OK and "quick_check: ok" in out


def test_report_opens_read_only(tracker: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_writers(path: Path) -> sqlite3.Connection:
        raise AssertionError("report opened the database for writing")

    monkeypatch.setattr(schema, "_connect_rw", no_writers)
    before = digest(tracker)
    code, out, _ = sqzl("track", "report", tracker, "--format", "json")
    assert code == exitcodes.OK and json.loads(out)
    assert digest(tracker) == before
    db = schema.open_read(tracker)
    with pytest.raises(sqlite3.OperationalError, match="readonly|read-only|query_only"):
        db.execute("INSERT INTO runs (command) VALUES ('x')")


def test_a_new_tracker_is_marked_as_ours(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    assert sqzl("track", "add", path, SEEDS[0], "-q")[0] == exitcodes.OK
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == schema.APPLICATION_ID
    conn.close()
    code, out, _ = sqzl("track", "check", path)
    assert code == exitcodes.OK and "a sqzl tracker database" in out


# ---------------------------------------------------------------- damage


def _damage(path: Path) -> None:
    """40 bytes flipped in the header of the database's third page."""
    page = sqlite3.connect(path).execute("PRAGMA page_size").fetchone()[0]
    data = bytearray(path.read_bytes())
    for i in range(2 * page, 2 * page + 40):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))
    assert sqlite3.connect(path).execute("PRAGMA quick_check").fetchall() != [("ok",)]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_a_damaged_database_is_reported_and_never_written(tracker: Path, command: list[str]) -> None:
    _damage(tracker)
    before = digest(tracker)
    code, _, err = sqzl("track", command[0], tracker, *command[1:])
    line = one_line(err)
    assert code == exitcodes.DAMAGED, err
    assert "damaged" in line and ".recover" in line and "backup" in line
    assert digest(tracker) == before


# ---------------------------------------------------------------- cannot write


@pytest.mark.parametrize("command", [["add", str(SEEDS[0]), str(RAW / "001_c27b6c35cbead82c.txt")], ["link"],
                                     ["verdict", "{cid}", "fulfilled", "--note", "核实"]], ids=lambda c: c[0])
def test_a_read_only_database_is_one_line_and_exit_3(tracker: Path, command: list[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    cid = next(schema.open_read(tracker).query("SELECT id FROM commitments WHERE text = ?", [JUDGED]))["id"]
    # a read-only file as SQLite sees it (chmod does not stop root, and CI runs as root)
    monkeypatch.setattr(schema, "_connect_rw",
                        lambda path: sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True))
    before = digest(tracker)
    code, _, err = sqzl("track", command[0], tracker, *(a.format(cid=cid) for a in command[1:]))
    assert code == exitcodes.CANNOT_WRITE and "read-only" in one_line(err)
    assert digest(tracker) == before


def test_write_errors_are_classified() -> None:
    for exc in (sqlite3.OperationalError("database or disk is full"), sqlite3.OperationalError("disk I/O error"),
                sqlite3.OperationalError("attempt to write a readonly database"),
                OSError(errno.ENOSPC, "No space left on device"), PermissionError(errno.EACCES, "Permission denied")):
        assert isinstance(schema.classify(exc, "t.db"), CannotWrite), exc
    assert isinstance(schema.classify(sqlite3.DatabaseError("database disk image is malformed"), "t.db"),
                      DamagedDatabase)
    assert isinstance(schema.classify(sqlite3.DatabaseError("file is not a database"), "t.db"), NotATracker)
    locked = sqlite3.OperationalError("database is locked")
    assert schema.classify(locked, "t.db") is locked


FULL_DISK = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG, as on a full disk
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
from sqzl_docs.cli import main
sys.argv = ["sqzl", *sys.argv[2:]]
main()
"""


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_a_full_disk_is_one_line_exit_3_and_leaves_whole_documents(tracker: Path) -> None:
    limit = tracker.stat().st_size + 20_000  # room for a document or two, not for the corpus
    proc = subprocess.run([sys.executable, "-c", FULL_DISK, str(limit), "track", "add", str(tracker), str(RAW)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == exitcodes.CANNOT_WRITE, proc.stderr
    assert "cannot write" in one_line(proc.stderr)
    conn = sqlite3.connect(tracker)
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    n = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    assert 2 <= n < len(list(RAW.glob("*.txt")))
    conn.close()
    assert status_of(tracker, JUDGED)["assessor"] == "human:张三"


# ---------------------------------------------------------------- option values (issue 14)


def test_department_is_a_plain_substring_not_a_like_pattern(tracker: Path) -> None:
    def ids(*args: str) -> set[str]:
        code, out, _ = sqzl("track", "report", tracker, "--format", "json", *args)
        assert code == exitcodes.OK
        return {r["id"] for r in json.loads(out)}

    assert ids("--department", "民政")
    assert ids("--department", "%") == set()
    assert ids("--department", "_") == set()
    assert sqzl("track", "report", tracker, "--department", "")[0] == exitcodes.USAGE


@pytest.mark.parametrize("args", [
    ["report", "{db}", "--status", "overdu"],
    ["report", "{db}", "--due-before", "2022-13-01"],
    ["link", "{db}", "--as-of", "yesterday"],
    ["verdict", "{db}", "{cid}", "fulfilled", "--note", ""],
    ["verdict", "{db}", "{cid}", "fulfilled", "--note", "   "],
    ["verdict", "{db}", "{cid}", "fulfilled", "--note", "核实", "--evidence", ""],
    ["verdict", "{db}", "{cid}", "fulfilled", "--note", "核实", "--reviewer", ""],
], ids=lambda a: " ".join(a[2:]))
def test_bad_option_values_are_usage_errors(tracker: Path, args: list[str]) -> None:
    cid = next(schema.open_read(tracker).query("SELECT id FROM commitments WHERE text = ?", [JUDGED]))["id"]
    before = digest(tracker)
    code, out, err = sqzl("track", *(a.format(db=tracker, cid=cid) for a in args))
    assert code == exitcodes.USAGE, out + err
    assert "total 0" not in out
    assert digest(tracker) == before


def test_add_refuses_a_first_argument_that_names_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = sqzl("track", "add", "mytracker", SEEDS[0])
    assert code == exitcodes.USAGE and "mytracker.db" in err
    assert list(tmp_path.iterdir()) == []  # no ./sqzl.db


def test_add_takes_an_sqlite_file_without_a_suffix_as_the_database(tracker: Path, tmp_path: Path) -> None:
    plain = tmp_path / "mytracker"
    shutil.copy(tracker, plain)
    code, _, err = sqzl("track", "add", plain, SEEDS[0])
    assert code == exitcodes.OK and "1 unchanged" in err


def test_a_commitment_id_prefix_is_plain_text(tracker: Path) -> None:
    db = schema.connect(tracker)
    for prefix in ("%", "_", "   "):
        with pytest.raises(review.ReviewError, match="0 commitments|give a commitment id"):
            review.verdict(db, prefix, "fulfilled", note="核实")


def test_a_tracker_in_a_read_only_directory_is_read_immutable(tracker: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = schema._connect_ro
    tried: list[str] = []

    def read_only_directory(uri: str) -> sqlite3.Connection:  # no -shm can be made beside the file
        tried.append(uri)
        if "immutable=1" not in uri:
            raise sqlite3.OperationalError("unable to open database file")
        return real(uri)

    monkeypatch.setattr(schema, "_connect_ro", read_only_directory)
    code, out, _ = sqzl("track", "report", tracker, "--format", "json")
    assert code == exitcodes.OK and json.loads(out) and len(tried) == 2
