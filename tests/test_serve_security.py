"""`sqzl track serve` security, against real Datasette processes over HTTP (no browser needed).

Both modes: SQL given by a user never writes (the statements below, typed into Datasette's SQL box, fail
and leave the file as it was), and the server listens on 127.0.0.1 only. Writable mode: the verdict
query is refused without login, with a wrong password and without the CSRF token; logged in, it appends
exactly one assessment attributed to the reviewer; the password is on no command line and in no file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import http.cookiejar
import json
import re
import shutil
import socket
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
import sqlite_utils
from typer.testing import CliRunner

import sqzl_docs
from sqzl_docs.cli import app
from sqzl_docs.tracker import link, serve, store

from .conftest import RAW

pytestmark = pytest.mark.slow  # `make test-fast` leaves these out

PASSWORD = "correct horse 电池 staple"
REVIEWER = "ana"
ROW = "(commitment_id, status, assessor) VALUES ('x', 'fulfilled', 'human:mallory')"
# What a user might type into the SQL box. The first group never gets past Datasette's "SELECT only"
# check; the WITH forms do, so SQLite's read-only connection itself must refuse them.
WRITES = [
    f"INSERT INTO assessments {ROW}",
    "UPDATE commitments SET text = 'changed'",
    "DELETE FROM documents",
    "DROP TABLE evidence",
    "ATTACH DATABASE '{tmp}/attached.db' AS evil",
    "PRAGMA writable_schema=1",
    "CREATE TABLE evil (x)",
    "SELECT 1; DELETE FROM documents",
    f"WITH x AS (SELECT 1) INSERT INTO assessments {ROW}",
    f"WITH x AS (SELECT 1) REPLACE INTO assessments {ROW}",
    "WITH x AS (SELECT 1) UPDATE commitments SET text = 'changed'",
    "WITH x AS (SELECT 1) DELETE FROM documents",
    "SELECT * FROM pragma_writable_schema",
    "SELECT load_extension('{tmp}/evil')",
]


class Client:
    """An HTTP client that keeps cookies and does not follow redirects."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            return None

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), self._NoRedirect)

    def request(self, path: str, form: dict[str, str] | None = None, **headers: str) -> tuple[int, str]:
        data = urlencode(form).encode() if form is not None else None
        try:
            with self.opener.open(urllib.request.Request(self.base + path, data=data, headers=headers),
                                  timeout=30) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def cookies(self) -> set[str]:
        return {c.name for c in self.jar}

    def post_form(self, path: str, fields: dict[str, str], *, form_page: str | None = None,
                  **headers: str) -> tuple[int, str]:
        """POST as a browser does: fetch the form page first, send back its CSRF token (cookie + field)."""
        _, page = self.request(form_page or path)
        token = re.search(r'name="csrftoken" value="([^"]+)"', page)
        assert token and "ds_csrftoken" in self.cookies(), "the form carries a CSRF token"
        return self.request(path, {**fields, "csrftoken": token.group(1)}, **headers)

    def login(self, password: str, username: str = REVIEWER) -> tuple[int, str]:
        return self.post_form("/-/login", {"username": username, "password": password})


def fingerprint(path: Path) -> tuple[str, ...]:
    """Everything in the database (schema and rows) and the bytes of its files."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        dump = "\n".join(con.iterdump())
    finally:
        con.close()
    files = [path, path.with_name(path.name + "-wal")]
    return (hashlib.sha256(dump.encode()).hexdigest(),
            *(hashlib.sha256(p.read_bytes() if p.exists() else b"").hexdigest() for p in files))


def count(path: Path, sql: str = "SELECT count(*) FROM assessments") -> int:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return int(con.execute(sql).fetchone()[0])
    finally:
        con.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, db: Path, workdir: Path, *, writable: bool, reviewer: str = REVIEWER,
                 password: str = PASSWORD) -> None:
        self.db, self.port, self.writable = db, _free_port(), writable
        workdir.mkdir()
        self.workdir = workdir
        self.cmd = serve.command(db, port=self.port, writable=writable, reviewer=reviewer, workdir=workdir)
        env = serve.environment(password) if writable else None
        self.proc = subprocess.Popen(self.cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.base = f"http://127.0.0.1:{self.port}"

    def wait(self) -> None:
        for _ in range(150):
            try:
                urllib.request.urlopen(self.base + "/-/versions.json", timeout=1).read()
                return
            except OSError:
                assert self.proc.poll() is None, "datasette exited"
                time.sleep(0.2)
        pytest.fail("datasette did not start")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)

    def query(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        """Read the served database (read-only, beside the server)."""
        con = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True)
        try:
            return con.execute(sql, params).fetchall()
        finally:
            con.close()


@contextlib.contextmanager
def serving(built: Path, tmp: Path, **server: str) -> Iterator[dict[str, Server]]:
    """One read-only and one writable server, each on its own copy of ``built`` under ``tmp``; stopped
    on leaving."""
    running: dict[str, Server] = {}
    try:
        for mode in ("readonly", "writable"):
            (tmp / mode).mkdir()
            shutil.copy(built, tmp / mode / "tracker.db")
            running[mode] = Server(tmp / mode / "tracker.db", tmp / mode / "work", writable=mode == "writable",
                                   **server)
        for s in running.values():
            s.wait()
        yield running
    finally:
        for s in running.values():
            s.stop()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed pair's tracker, linked; copy it before serving it."""
    path = tmp_path_factory.mktemp("built") / "built.db"
    db = sqlite_utils.Database(path)
    store.add(db, [sqzl_docs.parse(RAW / "000_a8a32f0196afeb02.txt"), sqzl_docs.parse(RAW / "003_bae5fa7c6a583b1e.txt")])
    link.link(db, as_of=dt.date(2023, 12, 28))
    db.close()
    return path


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory, built: Path) -> Iterator[dict[str, Server]]:
    """One read-only and one writable server, each on its own copy of the seed pair's tracker."""
    with serving(built, tmp_path_factory.mktemp("serve")) as running:
        yield running


@pytest.mark.parametrize(("mode", "logged_in"), [("readonly", False), ("writable", False), ("writable", True)])
def test_user_sql_never_writes(servers: dict[str, Server], mode: str, logged_in: bool) -> None:
    server = servers[mode]
    client = Client(server.base)
    if logged_in:
        assert client.login(PASSWORD)[0] == 302 and "ds_actor" in client.cookies()
    tmp = server.db.parent
    for sql in WRITES:
        sql = sql.replace("{tmp}", str(tmp))
        before = fingerprint(server.db)
        status, body = client.request("/tracker.json?" + urlencode({"sql": sql}))
        assert status >= 400, (sql, status, body[:200])
        assert fingerprint(server.db) == before, sql
        assert not (tmp / "attached.db").exists()
    # The reads behind them do run: the SQL box works, only writes fail.
    status, body = client.request("/tracker.json?" + urlencode({"sql": "SELECT count(*) AS n FROM documents"}))
    assert status == 200 and json.loads(body)["rows"] == [[2]]


@pytest.mark.parametrize("mode", ["readonly", "writable"])
def test_no_other_write_paths(servers: dict[str, Server], mode: str) -> None:
    """POSTing SQL, a read-only canned query, and Datasette 1.0's write API paths: all refused."""
    server = servers[mode]
    client = Client(server.base)
    client.login(PASSWORD)  # read-only mode has no account: no login
    assert ("ds_actor" in client.cookies()) == server.writable
    before = fingerprint(server.db)
    insert = f"INSERT INTO assessments {ROW}"
    for path, fields in [("/tracker", {"sql": insert}), ("/tracker/overdue", {"sql": insert}),
                         ("/tracker/assessments", {"commitment_id": "x"}),
                         ("/tracker/assessments/-/insert", {"row": "{}"}),
                         ("/tracker/-/create", {"table": "evil"}), ("/tracker/assessments/1/-/delete", {})]:
        status, _ = client.post_form(path, fields, form_page="/-/login")
        assert status >= 400, path
    assert fingerprint(server.db) == before
    metadata = json.loads(client.request("/-/metadata.json")[1])
    writes = [name for name, q in metadata["databases"]["tracker"]["queries"].items() if q.get("write")]
    assert writes == (["record_verdict"] if server.writable else [])


@pytest.mark.parametrize("mode", ["readonly", "writable"])
def test_listens_on_localhost_only(servers: dict[str, Server], mode: str) -> None:
    server = servers[mode]
    assert server.cmd[server.cmd.index("--host") + 1] == "127.0.0.1"
    if not Path("/proc/net/tcp").exists():
        pytest.skip("no /proc/net/tcp")
    listening = [line.split()[1] for name in ("/proc/net/tcp", "/proc/net/tcp6") if Path(name).exists()
                 for line in Path(name).read_text().splitlines()[1:]
                 if line.split()[3] == "0A" and int(line.split()[1].split(":")[1], 16) == server.port]
    assert listening == ["0100007F:%04X" % server.port]


def test_verdict_needs_the_reviewer_logged_in(servers: dict[str, Server]) -> None:
    server = servers["writable"]
    fields = {"commitment_id": _commitment(server.db), "status": "fulfilled", "note": "anonymous"}
    before = fingerprint(server.db)
    anonymous = Client(server.base)
    assert anonymous.request("/tracker/record_verdict")[0] == 403
    assert anonymous.request("/tracker/record_verdict", fields)[0] == 403  # no cookies: past CSRF, then denied
    assert anonymous.post_form("/tracker/record_verdict", fields, form_page="/-/login")[0] == 403
    wrong = Client(server.base)
    status, page = wrong.login("not the password")
    assert status == 200 and "Invalid username or password" in page and "ds_actor" not in wrong.cookies()
    assert wrong.request("/tracker/record_verdict", fields)[0] == 403
    other = Client(server.base)
    assert other.login(PASSWORD, username="root")[0] == 200 and "ds_actor" not in other.cookies()
    assert fingerprint(server.db) == before


def test_logged_in_reviewer_appends_exactly_one_verdict(servers: dict[str, Server]) -> None:
    server = servers["writable"]
    cid = _commitment(server.db)
    client = Client(server.base)
    assert client.login(PASSWORD)[0] == 302
    before, n = fingerprint(server.db), count(server.db)
    # Logged in but without the CSRF token: refused.
    status, _ = client.request("/tracker/record_verdict", {"commitment_id": cid, "status": "fulfilled", "note": "x"})
    assert status == 403
    # Unknown status, unknown commitment, empty note: nothing recorded.
    for bad in ({"commitment_id": cid, "status": "done", "note": "x"},
                {"commitment_id": cid + "0", "status": "fulfilled", "note": "x"},
                {"commitment_id": cid, "status": "fulfilled", "note": " "},
                {"commitment_id": cid, "status": "fulfilled', 'x') --", "note": "x"}):
        status, body = client.post_form("/tracker/record_verdict", bad, accept="application/json")
        assert status == 200 and json.loads(body)["message"] == "Query executed, 0 rows affected", bad
    assert fingerprint(server.db) == before
    status, body = client.post_form("/tracker/record_verdict", {  # a stray `sql` field is ignored
        "commitment_id": cid, "status": "partially_fulfilled", "note": "审核：进度过半", "sql": "DELETE FROM documents"},
        accept="application/json")
    assert status == 200 and json.loads(body) == {"ok": True, "message": "Query executed, 1 row affected",
                                                   "redirect": None}
    assert count(server.db) == n + 1 and count(server.db, "SELECT count(*) FROM documents") == 2
    assert _last(server.db) == (cid, "partially_fulfilled", f"human:{REVIEWER}", "human_confirmed", "审核：进度过半")
    assert count(server.db, f"SELECT count(*) FROM commitment_status WHERE commitment_id = '{cid}' "
                            f"AND status = 'partially_fulfilled' AND assessor = 'human:{REVIEWER}'") == 1


def test_password_is_on_no_command_line_and_in_no_file(servers: dict[str, Server]) -> None:
    server = servers["writable"]
    cmdline = Path(f"/proc/{server.proc.pid}/cmdline").read_bytes().decode() if Path("/proc").exists() \
        else " ".join(server.cmd)
    env = serve.environment(PASSWORD)
    assert PASSWORD not in cmdline and env[serve.HASH_ENV] not in cmdline and "-i" not in server.cmd
    assert PASSWORD not in env[serve.HASH_ENV] and env[serve.HASH_ENV].startswith("pbkdf2_sha256$")
    for f in (f for f in server.workdir.rglob("*") if f.is_file()):
        assert f.stat().st_mode & 0o077 == 0
        assert PASSWORD not in f.read_text() and "pbkdf2" not in f.read_text()
    client = Client(server.base)
    for page in ("/-/metadata.json", "/-/plugins.json", "/-/settings.json"):
        assert "pbkdf2" not in client.request(page)[1]


def test_cli_refuses_writable_without_password_and_warns_off_localhost(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "t.db"
    db.write_bytes(b"")
    calls = []
    monkeypatch.setattr(serve, "serve", lambda db, **kw: calls.append(kw) or 0)
    monkeypatch.delenv(serve.PASSWORD_ENV, raising=False)
    runner = CliRunner()
    result = runner.invoke(app, ["track", "serve", str(db), "--writable"])
    assert result.exit_code == 2 and serve.PASSWORD_ENV in result.stderr and not calls
    result = runner.invoke(app, ["track", "serve", str(db)])
    assert result.exit_code == 0 and "warning" not in result.stderr and calls[-1]["password"] is None
    result = runner.invoke(app, ["track", "serve", str(db), "--host", "0.0.0.0", "--writable"],
                           env={serve.PASSWORD_ENV: "pw"})
    assert result.exit_code == 0 and "warning: serving on 0.0.0.0" in result.stderr
    assert calls[-1] == {"host": "0.0.0.0", "port": 8001, "password": "pw", "reviewer": "reviewer",
                         "busy_timeout": 30.0}
    assert serve.is_loopback("localhost") and serve.is_loopback("::1") and not serve.is_loopback("192.168.1.2")


def _commitment(db: Path) -> str:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return str(con.execute("SELECT id FROM commitments ORDER BY id LIMIT 1").fetchone()[0])
    finally:
        con.close()


def _last(db: Path) -> tuple[str, ...]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return tuple(con.execute("SELECT commitment_id, status, assessor, review_state, note FROM assessments "
                                 "ORDER BY id DESC LIMIT 1").fetchone())
    finally:
        con.close()
