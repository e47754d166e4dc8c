"""The Datasette plugin `sqzl track serve` loads: what the reviewer UI must refuse, whatever a page asks.

- **Host allow-list** (DNS rebinding): a request whose ``Host`` is not ``localhost``, ``127.0.0.1``,
  ``[::1]`` or the ``--host`` given gets 400, so a web page that rebinds its own name to 127.0.0.1
  cannot read the tracker.
- **Failed logins** are rate-limited per client: after ``free`` failures each further attempt waits
  an exponentially longer back-off (429 with ``Retry-After``), so a flood of password checks (each
  blocks the server about 0.3 s) cannot stall the other requests; datasette-auth-passwords' hashing
  form (``/-/password-tool``), which would run the same check for anyone, is not served.
- **Every SQLite connection** Datasette opens gets the length limit (``SQLITE_LIMIT_LENGTH``), a
  budget for the bytes one query may return, the CLI's busy timeout, an authorizer that denies
  ``fts3_tokenizer`` (it leaks a pointer and can register a tokenizer), and a temporary trigger that
  refuses a verdict on a retired commitment with a clear message (the CLI refuses it too).

Settings come from the plugin config ``sqzl-guard`` in the generated metadata (:func:`settings`).
Datasette loads this module through a one-line shim in ``--plugins-dir`` (``serve.command``).
"""

from __future__ import annotations

import re
import sqlite3
import time
import weakref
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from datasette import hookimpl

NAME = "sqzl-guard"
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
LENGTH_LIMIT = 32 * 1024 * 1024  # bytes in one string or blob; room for a document of 5,000,000 characters
RESULT_BUDGET = 64 * 1024 * 1024  # bytes of text and blobs one query may return
RESULT_TOO_BIG = "result too big: this query returns more than {:,} bytes; select fewer rows or columns"
RETIRED_MESSAGE = ("refused: this commitment is retired (no longer extracted); record the verdict on the "
                   "commitment that supersedes it (commitments.superseded_by), as sqzl track verdict says")
RETIRED_TRIGGER = f"""
CREATE TEMP TRIGGER IF NOT EXISTS sqzl_refuse_retired_verdict BEFORE INSERT ON main.assessments
WHEN NEW.assessor LIKE 'human:%'
 AND (SELECT retired_at FROM main.commitments WHERE id = NEW.commitment_id) IS NOT NULL
BEGIN SELECT RAISE(ABORT, '{RETIRED_MESSAGE}'); END
"""
DENIED_FUNCTIONS = frozenset({"fts3_tokenizer"})
# datasette-auth-passwords' hashing form: anyone could make the server run PBKDF2 (0.3 s, blocking) on
# demand; sqzl hashes the reviewer's password itself (serve.environment), so the form is not served.
REFUSED_PATHS = frozenset({"/-/password-tool"})

ASGIApp = Callable[[dict[str, Any], Callable[..., Awaitable[Any]], Callable[..., Awaitable[Any]]],
                   Awaitable[None]]


def settings(*, hosts: Iterable[str] = (), busy_timeout: float = 30.0, length_limit: int = LENGTH_LIMIT,
             result_budget: int = RESULT_BUDGET, free_logins: int = 5, backoff: float = 1.0,
             max_backoff: float = 300.0) -> dict[str, Any]:
    """The plugin config ``serve.metadata`` writes: allowed ``Host`` names (besides loopback), the busy
    timeout in seconds, the SQLite length limit, the result budget, and the login throttle."""
    return {"hosts": sorted({h.lower() for h in (*LOOPBACK_HOSTS, *hosts)}), "busy_timeout": busy_timeout,
            "length_limit": length_limit, "result_budget": result_budget,
            "login": {"free": free_logins, "backoff": backoff, "max_backoff": max_backoff}}


def _config(datasette: Any) -> dict[str, Any]:
    return datasette.plugin_config(NAME) or settings()


# --- SQLite connections --------------------------------------------------------------------------

def _authorizer(action: int, arg1: str | None, arg2: str | None, db: str | None, source: str | None) -> int:
    if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() in DENIED_FUNCTIONS:
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


def _budgeted(row_factory: Any, budget: int) -> Callable[[sqlite3.Cursor, tuple[Any, ...]], Any]:
    """``row_factory`` that counts the bytes of text and blobs each cursor has returned, and stops the
    query once they pass ``budget`` (the length limit bounds one value, this bounds all the rows)."""
    state: dict[str, Any] = {"cursor": None, "bytes": 0}

    def factory(cursor: sqlite3.Cursor, row: tuple[Any, ...]) -> Any:
        if state["cursor"] is None or state["cursor"]() is not cursor:
            state["cursor"], state["bytes"] = weakref.ref(cursor), 0
        state["bytes"] += sum(len(v) for v in row if isinstance(v, (str, bytes)))
        if state["bytes"] > budget:
            raise sqlite3.OperationalError(RESULT_TOO_BIG.format(budget))
        return row_factory(cursor, row) if row_factory else row

    return factory


def harden(conn: sqlite3.Connection, config: dict[str, Any]) -> None:
    """Limits, busy timeout, authorizer and the retired-verdict trigger on one of Datasette's connections."""
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, int(config["length_limit"]))
    conn.execute(f"PRAGMA busy_timeout = {max(0, int(float(config['busy_timeout']) * 1000))}")
    conn.row_factory = _budgeted(conn.row_factory, int(config["result_budget"]))
    tables = {r[0] for r in conn.execute("SELECT name FROM main.sqlite_master WHERE type = 'table'")}
    if {"assessments", "commitments"} <= tables:
        conn.execute(RETIRED_TRIGGER)
    conn.set_authorizer(_authorizer)  # last: the statements above need no function it denies


@hookimpl
def prepare_connection(conn: sqlite3.Connection, database: str, datasette: Any) -> None:
    if database == "_internal":
        return
    harden(conn, _config(datasette))


# --- HTTP ----------------------------------------------------------------------------------------

_HOST_RE = re.compile(r"(?:\[(?P<ipv6>[0-9a-f:.]+)\]|(?P<name>[^:\[\]]+))(?::\d{1,5})?")


def host_name(value: str) -> str:
    """The name in a ``Host`` header, without port or IPv6 brackets, lower case; "" if malformed.

    >>> host_name("[::1]:8001"), host_name("LocalHost:80"), host_name("127.0.0.1"), host_name("[::1]x")
    ('::1', 'localhost', '127.0.0.1', '')
    """
    m = _HOST_RE.fullmatch(value.strip().lower())
    return (m["ipv6"] or m["name"]) if m else ""


class LoginThrottle:
    """Failed logins per client: ``free`` attempts, then a back-off that doubles with each further
    attempt (``backoff`` seconds, at most ``max_backoff``). An attempt counts as failed from the moment
    it starts, so concurrent attempts cannot all slip in; a successful login clears the client."""

    def __init__(self, *, free: int = 5, backoff: float = 1.0, max_backoff: float = 300.0,
                 clock: Callable[[], float] = time.monotonic, max_clients: int = 10_000) -> None:
        self.free, self.backoff, self.max_backoff, self.clock = free, backoff, max_backoff, clock
        self.max_clients = max_clients
        self.failures: dict[str, int] = {}
        self.until: dict[str, float] = {}

    def retry_after(self, client: str) -> float:
        """Seconds ``client`` must wait before its next attempt (0: it may try now)."""
        return max(0.0, self.until.get(client, 0.0) - self.clock())

    def attempt(self, client: str) -> None:
        if client not in self.failures and len(self.failures) >= self.max_clients:
            self.failures.clear()
            self.until.clear()
        n = self.failures[client] = self.failures.get(client, 0) + 1
        if n >= self.free:
            self.until[client] = self.clock() + min(self.max_backoff, self.backoff * 2 ** (n - self.free))

    def succeeded(self, client: str) -> None:
        self.failures.pop(client, None)
        self.until.pop(client, None)


async def _reply(send: Callable[..., Awaitable[Any]], status: int, text: str,
                 headers: Iterable[tuple[bytes, bytes]] = ()) -> None:
    body = text.encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()), *headers]})
    await send({"type": "http.response.body", "body": body})


def _route_path(scope: dict[str, Any]) -> str:
    """The path as Datasette routes it: the raw path when there is one (``%2F`` kept), no query."""
    raw = scope.get("raw_path")
    return (raw.decode("ascii", "replace") if raw else str(scope.get("path", ""))).partition("?")[0]


def guard(app: ASGIApp, *, hosts: Iterable[str], throttle: LoginThrottle) -> ASGIApp:
    """``app`` answering only requests for the allowed ``hosts``, with failed logins throttled."""
    allowed = frozenset(h.strip().lower().strip("[]") for h in hosts) - {""}  # names, not headers

    async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await app(scope, receive, send)
        host = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1")
        if host_name(host) not in allowed:
            return await _reply(send, 400, "Bad Request: this server answers only for "
                                           + ", ".join(sorted(allowed)) + "\n")
        path = _route_path(scope)
        if path.rstrip("/") in REFUSED_PATHS:
            return await _reply(send, 404, "Not found\n")
        if scope["type"] != "http" or scope.get("method") != "POST" or path != "/-/login":
            return await app(scope, receive, send)
        client = (scope.get("client") or ("?", 0))[0]
        wait = throttle.retry_after(client)
        if wait > 0:
            seconds = int(wait) + 1
            return await _reply(send, 429, f"Too many failed logins: try again in {seconds} s\n",
                                [(b"retry-after", str(seconds).encode())])
        throttle.attempt(client)

        async def watch(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start" and message["status"] in (301, 302, 303):
                throttle.succeeded(client)  # datasette-auth-passwords redirects only after a good password
            await send(message)

        return await app(scope, receive, watch)

    return wrapped


@hookimpl
def asgi_wrapper(datasette: Any) -> Callable[[ASGIApp], ASGIApp]:
    config = _config(datasette)
    login = config.get("login", {})

    def wrap(app: ASGIApp) -> ASGIApp:
        throttle = LoginThrottle(free=int(login.get("free", 5)), backoff=float(login.get("backoff", 1.0)),
                                 max_backoff=float(login.get("max_backoff", 300.0)))
        return guard(app, hosts=config["hosts"], throttle=throttle)

    return wrap
