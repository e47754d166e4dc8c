"""Issue 16, the reviewer server: what `sqzl track serve` refuses whatever a web page or a user asks,
against real Datasette processes over HTTP (the helpers of test_serve_security.py).

DNS rebinding (a foreign ``Host``), SQL that exhausts memory or leaks a pointer, a login flood, and the
verdict query's rules (a retired commitment refused, another writer waited for as the CLI waits).
"""

from __future__ import annotations

import concurrent.futures
import functools
import json
import shutil
import sqlite3
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from sqzl_docs.tracker import serve

from .test_serve_security import PASSWORD, Client, Server, _commitment, built, count, servers  # noqa: F401

pytestmark = pytest.mark.slow  # `make test-fast` leaves these out

HOSTILE_HOSTS = ["attacker.example", "attacker.example:80", "127.0.0.1.nip.io", "localhost.attacker.example",
                 "0.0.0.0", "10.0.0.1", ""]


def _get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=60) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def _sql(server: Server, sql: str) -> tuple[int, str]:
    return Client(server.base).request("/tracker.json?" + urlencode({"sql": sql}))


@pytest.mark.parametrize("mode", ["readonly", "writable"])
def test_only_local_host_names_are_answered(servers: dict[str, Server], mode: str) -> None:  # noqa: F811
    """A page on attacker.example that rebinds its name to 127.0.0.1 gets nothing, the file included."""
    server = servers[mode]
    for host in HOSTILE_HOSTS:
        for path in ("/tracker.json?sql=select+1", "/tracker.db", "/-/login", "/"):
            status, _, body = _get(server.base + path, Host=host)
            assert status == 400 and b"SQLite" not in body and b"tracker" not in body, (host, path, status)
    for host in ("localhost", f"localhost:{server.port}", f"127.0.0.1:{server.port}", f"[::1]:{server.port}",
                 f"LOCALHOST:{server.port}"):
        assert _get(server.base + "/tracker.json?sql=select+1", Host=host)[0] == 200, host


@pytest.mark.parametrize("mode", ["readonly", "writable"])
def test_sql_cannot_exhaust_memory(servers: dict[str, Server], mode: str) -> None:  # noqa: F811
    server = servers[mode]
    # One value over SQLite's length limit (32 MiB): refused before it is made, whatever uses it.
    for sql in ("select length(hex(zeroblob(40000000)))", "select hex(zeroblob(400000000))",
                "select length(zeroblob(40000000))"):
        status, body = _sql(server, sql)
        assert status == 400 and "too big" in body, (sql, status, body[:200])
    # Many values under it, more than the result budget (64 MiB) in all: refused too.
    status, body = _sql(server, "with recursive r(n) as (select 1 union all select n + 1 from r where n < 40) "
                                "select hex(zeroblob(1000000)) from r")
    assert status == 400 and "too big" in body, (status, body[:200])
    # A query that runs too long is stopped (sql_time_limit_ms, read queries canned or not).
    status, body = _sql(server, "with recursive r(n) as (select 1 union all select n + 1 from r) "
                                "select count(*) from r")
    assert status == 400 and "took too long" in body
    settings = json.loads(Client(server.base).request("/-/settings.json")[1])
    assert settings["sql_time_limit_ms"] == 3000
    # What reviewers do still works, the largest stored text included.
    status, body = _sql(server, "select max(length(text)), count(*) from documents")
    assert status == 200 and json.loads(body)["rows"][0][1] == 2
    assert Client(server.base).request("/tracker/documents.json")[0] == 200


@pytest.mark.parametrize("mode", ["readonly", "writable"])
def test_fts3_tokenizer_is_denied(servers: dict[str, Server], mode: str) -> None:  # noqa: F811
    server = servers[mode]
    for sql in ("select hex(fts3_tokenizer('simple'))", "select FTS3_Tokenizer('porter')",
                "select fts3_tokenizer('x', x'0000000000000000')"):
        status, body = _sql(server, sql)
        assert status == 400 and "not authorized" in body, (sql, status, body[:200])
    assert _sql(server, "select count(*) from commitments_fts where commitments_fts match '就业'")[0] == 200


@pytest.fixture()
def fresh(tmp_path: Path, built: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:  # noqa: F811
    """A writable server of its own (its login throttle and database are not shared), whose login
    back-off starts at 60 s so that no test depends on how fast this machine is."""
    if hasattr(serve, "guard"):
        monkeypatch.setattr(serve.guard, "settings", functools.partial(serve.guard.settings, backoff=60.0))
    shutil.copy(built, tmp_path / "tracker.db")
    server = Server(tmp_path / "tracker.db", tmp_path / "work", writable=True)
    try:
        server.wait()
        yield server
    finally:
        server.stop()


def test_failed_logins_are_throttled(fresh: Server) -> None:
    """Twenty wrong passwords at once: all but the first few get 429 with Retry-After, without checking
    the password; the server answers other requests meanwhile; then even the right password waits."""
    def wrong(_: int) -> int:
        return Client(fresh.base).login("not the password")[0]

    with concurrent.futures.ThreadPoolExecutor(20) as pool:
        flood = [pool.submit(wrong, i) for i in range(20)]
        other = pool.submit(Client(fresh.base).request, "/tracker/commitments.json")
        statuses = [f.result() for f in flood]
        assert other.result()[0] == 200
    assert sorted(statuses) == [200] * 5 + [429] * 15, statuses  # each attempt counts from its start
    client = Client(fresh.base)
    status, _ = client.login(PASSWORD)
    assert status == 429 and "ds_actor" not in client.cookies()
    status, headers, _ = _get(fresh.base + "/-/login", Host="localhost")
    assert status == 200  # the form itself is served
    # datasette-auth-passwords' hashing form would run the same 0.3 s check for anyone: not served.
    assert Client(fresh.base).request("/-/password-tool", {"password": "x"})[0] == 404
    assert Client(fresh.base).request("/-/password-tool/")[0] == 404
    request = urllib.request.Request(fresh.base + "/-/login", data=b"username=ana&password=x")
    try:
        urllib.request.urlopen(request, timeout=30)
        pytest.fail("not throttled")
    except urllib.error.HTTPError as e:
        assert e.code == 429 and int(e.headers["Retry-After"]) >= 1


def test_login_throttle_backs_off_exponentially() -> None:
    from sqzl_docs.tracker import guard

    now = [0.0]
    throttle = guard.LoginThrottle(free=3, backoff=1.0, max_backoff=60.0, clock=lambda: now[0])
    for _ in range(2):
        throttle.attempt("a")
        assert throttle.retry_after("a") == 0
    waits = []
    for _ in range(8):
        throttle.attempt("a")
        waits.append(throttle.retry_after("a"))
        now[0] += waits[-1]
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60]
    assert throttle.retry_after("b") == 0  # per client
    throttle.attempt("a")
    throttle.succeeded("a")
    assert throttle.retry_after("a") == 0 and "a" not in throttle.failures


def _retire(db: Path) -> tuple[str, str]:
    """Retire one commitment as a new extractor version would; return (retired, active)."""
    con = sqlite3.connect(db)
    try:
        retired, active = (r[0] for r in con.execute("SELECT id FROM commitments ORDER BY id LIMIT 2"))
        with con:
            con.execute("UPDATE commitments SET retired_at = '2024-01-01T00:00:00+00:00', superseded_by = ? "
                        "WHERE id = ?", [active, retired])
        return retired, active
    finally:
        con.close()


def test_verdict_on_a_retired_commitment_is_refused(tmp_path: Path, built: Path) -> None:  # noqa: F811
    shutil.copy(built, tmp_path / "tracker.db")
    retired, active = _retire(tmp_path / "tracker.db")
    server = Server(tmp_path / "tracker.db", tmp_path / "work", writable=True)
    try:
        server.wait()
        client = Client(server.base)
        assert client.login(PASSWORD)[0] == 302
        n = count(server.db)
        status, body = client.post_form("/tracker/record_verdict", {
            "commitment_id": retired, "status": "fulfilled", "note": "done"}, accept="application/json")
        reply = json.loads(body)
        assert not reply["ok"] and "retired" in reply["message"] and "superseded_by" in reply["message"], reply
        assert count(server.db) == n
        status, body = client.post_form("/tracker/record_verdict", {
            "commitment_id": active, "status": "fulfilled", "note": "done"}, accept="application/json")
        assert json.loads(body)["message"] == "Query executed, 1 row affected" and count(server.db) == n + 1
    finally:
        server.stop()


def test_verdict_waits_for_another_writer(fresh: Server) -> None:
    """Another sqzl process holds the write lock for longer than sqlite3's 5 s default: the verdict waits
    for it (the CLI's busy timeout, 30 s) and is recorded, instead of failing with "database is locked"."""
    client = Client(fresh.base)
    assert client.login(PASSWORD)[0] == 302
    cid, n = _commitment(fresh.db), count(fresh.db)
    writer = sqlite3.connect(fresh.db, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    sent = threading.Event()
    result: list[tuple[int, str]] = []

    def post() -> None:
        _, page = client.request("/tracker/record_verdict")
        token = page.split('name="csrftoken" value="', 1)[1].split('"', 1)[0]
        sent.set()
        result.append(client.request("/tracker/record_verdict", {
            "commitment_id": cid, "status": "fulfilled", "note": "after the lock", "csrftoken": token},
            accept="application/json"))

    thread = threading.Thread(target=post)
    thread.start()
    try:
        assert sent.wait(60)
        thread.join(6.5)  # hold the lock longer than sqlite3's default 5 s, well within the 30 s
    finally:
        writer.execute("COMMIT")
        writer.close()
        thread.join(60)
    assert json.loads(result[0][1])["message"] == "Query executed, 1 row affected"
    assert count(fresh.db) == n + 1


def test_host_allow_list_takes_the_host_given() -> None:
    """In process: the ``--host`` given is answered besides the loopback names; lifespan passes."""
    import asyncio

    from sqzl_docs.tracker import guard

    async def app(scope: dict[str, object], receive: object, send: object) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})  # type: ignore[operator]

    wrapped = guard.guard(app, hosts=guard.settings(hosts=["192.168.1.5"])["hosts"],
                          throttle=guard.LoginThrottle())

    def status(host: bytes | None, scope_type: str = "http") -> int:
        sent: list[dict[str, object]] = []

        async def send(message: dict[str, object]) -> None:
            sent.append(message)

        headers = [(b"host", host)] if host is not None else []
        asyncio.run(wrapped({"type": scope_type, "method": "GET", "path": "/", "headers": headers}, None, send))
        return int(sent[0]["status"])  # type: ignore[call-overload]

    for host in (b"192.168.1.5:8001", b"localhost", b"[::1]:8001", b"127.0.0.1:8001"):
        assert status(host) == 200, host
    for host in (b"192.168.1.6", b"evil.example", b"192.168.1.5.evil.example", b"[::2]", b"[::1]evil.example",
                 b"localhost:80:80", b"localhost@evil.example", b"::1", None):
        assert status(host) == 400, host
    assert status(None, "lifespan") == 200
