"""`sqzl track serve`: Datasette on the tracker database, on localhost by default.

Read-only by default (the file opened immutable). ``writable=True`` opens it mutable for one write
only: the ``record_verdict`` canned query (``datasette/writable.yaml``), allowed to the one reviewer
account of datasette-auth-passwords. The password never reaches a command line or a file: the
reviewer's password is hashed here and the hash handed to Datasette in the environment variable
``HASH_ENV``, which the plugin config names (``{"$env": ...}``). SQL typed by a user runs, in both
modes, on Datasette's read-only connections (``immutable=1`` or ``mode=ro``). Datasette loads the
plugin :mod:`.guard` (Host allow-list, login throttle, SQLite limits, the verdict's rules) and the reviewer
UI :mod:`.ui` (its pages and templates, ``datasette/templates``); a signal
that stops ``sqzl`` stops Datasette too, and its temporary folder is removed (:class:`Stop`).
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from . import guard
from .schema import BUSY_TIMEOUT, STATUSES

PASSWORD_ENV = "SQZL_SERVE_PASSWORD"
HASH_ENV = "SQZL_SERVE_PASSWORD_HASH"
REVIEWER_RE = re.compile(r"[\w.-]+")
SQL_TIME_LIMIT_MS = 3000  # every read query, canned ones included (Datasette's sql_time_limit_ms)
STOP_TIMEOUT = 10.0  # seconds Datasette gets to stop after a signal before it is killed
PLUGIN_SHIM = "from sqzl_docs.tracker.guard import asgi_wrapper, prepare_connection  # noqa: F401\n"
UI_SHIM = ("from sqzl_docs.tracker.ui import (extra_css_urls, extra_template_vars, menu_links,  # noqa: F401\n"
           "                                  prepare_connection, register_routes, render_cell)\n")


def metadata_path(name: str = "metadata.yaml") -> Path:
    """Packaged Datasette metadata: ``metadata.yaml`` (labels, facets, read-only canned queries) or
    ``writable.yaml`` (the verdict query, writable mode only)."""
    return Path(str(resources.files("sqzl_docs.tracker").joinpath(f"datasette/{name}")))


def templates_path() -> Path:
    """The reviewer UI's templates (:mod:`.ui`), handed to Datasette as ``--template-dir``."""
    return Path(str(resources.files("sqzl_docs.tracker").joinpath("datasette/templates")))


def metadata(db: Path, *, writable: bool = False, reviewer: str = "reviewer") -> dict[str, Any]:
    """The metadata for ``db``: the ``"*"`` database entry named after it (Datasette keys metadata by
    database name); in writable mode with the verdict query, allowed to ``reviewer`` only, and the
    login account, its password hash read from ``HASH_ENV``."""
    data = yaml.safe_load(metadata_path().read_text(encoding="utf-8"))
    if writable:
        if not REVIEWER_RE.fullmatch(reviewer):
            raise ValueError(f"reviewer name {reviewer!r}: letters, digits, '_', '.', '-' only")
        extra = yaml.safe_load(metadata_path("writable.yaml").read_text(encoding="utf-8"))
        statuses = ", ".join(f"'{s}'" for s in STATUSES)
        for query in extra["databases"]["*"]["queries"].values():
            for key in ("sql", "description"):
                query[key] = query[key].replace("{statuses}", statuses)
            query["allow"] = {"id": reviewer}
        data["databases"]["*"]["queries"].update(extra["databases"]["*"]["queries"])
        data["plugins"] = {"datasette-auth-passwords": {f"{reviewer}_password_hash": {"$env": HASH_ENV}}}
    databases = data.get("databases", {})
    if "*" in databases:
        databases[Path(db).stem] = databases.pop("*")
    return data


def command(db: Path, *, workdir: Path, host: str = "127.0.0.1", port: int = 8001, writable: bool = False,
            reviewer: str = "reviewer", busy_timeout: float = BUSY_TIMEOUT) -> list[str]:
    """The datasette command line. Its metadata file (0600) and the one-line plugin shim that loads
    :mod:`.guard` are written in ``workdir``, which the caller removes (:func:`serve` uses a temporary
    directory). Read-only unless ``writable``: then run it with ``environment(password)``."""
    exe = shutil.which("datasette") or str(Path(sys.executable).with_name("datasette"))
    data = metadata(db, writable=writable, reviewer=reviewer)
    data.setdefault("plugins", {})[guard.NAME] = guard.settings(hosts=[host], busy_timeout=busy_timeout)
    meta = workdir / "metadata.json"
    _write_private(meta, json.dumps(data, ensure_ascii=False))
    plugins = workdir / "plugins"
    plugins.mkdir(mode=0o700, exist_ok=True)
    _write_private(plugins / "sqzl_guard.py", PLUGIN_SHIM)
    _write_private(plugins / "sqzl_ui.py", UI_SHIM)
    mode = [str(db)] if writable else ["-i", str(db)]
    return [exe, "serve", *mode, "--metadata", str(meta), "--plugins-dir", str(plugins), "--host", host,
            "--port", str(port), "--setting", "sql_time_limit_ms", str(SQL_TIME_LIMIT_MS),
            "--template-dir", str(templates_path())]


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)


def environment(password: str) -> dict[str, str]:
    """Datasette's environment in writable mode: the password's hash (datasette-auth-passwords'
    PBKDF2-SHA256 format), never the password itself."""
    from datasette_auth_passwords.utils import hash_password

    env = {k: v for k, v in os.environ.items() if k != PASSWORD_ENV}
    env[HASH_ENV] = hash_password(password)
    return env


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(db: Path, *, host: str = "127.0.0.1", port: int = 8001, password: str | None = None,
          reviewer: str = "reviewer", busy_timeout: float = BUSY_TIMEOUT) -> int:
    """Run Datasette until it exits or this process gets SIGINT, SIGTERM or SIGHUP: writable (the
    verdict query only) when a password is given. A signal is passed on to Datasette, which is waited
    for (killed if it does not stop within ``STOP_TIMEOUT`` s); the temporary directory is removed
    and the exit code is 128 + the signal's number (130, 143, 129), else Datasette's own."""
    with Stop() as stop:  # from before the folder is made until it is removed
        with tempfile.TemporaryDirectory(prefix="sqzl-serve-") as tmp:
            cmd = command(db, workdir=Path(tmp), host=host, port=port, writable=password is not None,
                          reviewer=reviewer, busy_timeout=busy_timeout)
            env = environment(password) if password is not None else None
            code = stop.run(cmd, env=env)
    return code


class Stop:
    """SIGINT, SIGTERM and SIGHUP, while in ``with``: recorded and passed on to the child that
    :meth:`run` starts (SIGHUP as SIGTERM: the child stops, it does not reload)."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

    def __init__(self) -> None:
        self.received: list[int] = []
        self.child: subprocess.Popen[bytes] | None = None
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> Stop:
        if threading.current_thread() is threading.main_thread():  # only there can handlers be set
            self._previous = {s: signal.signal(s, self._forward) for s in self.SIGNALS}
        return self

    def __exit__(self, *exc: object) -> None:
        for s, handler in self._previous.items():
            signal.signal(s, handler)

    def _forward(self, signum: int, frame: object = None) -> None:
        self.received.append(signum)
        if self.child is not None and self.child.poll() is None:
            self.child.send_signal(signal.SIGINT if signum == signal.SIGINT else signal.SIGTERM)

    def run(self, cmd: list[str], *, env: dict[str, str] | None = None) -> int:
        """Run ``cmd`` until it exits: 128 + the first signal received, else its exit code."""
        if self.received:  # stopped before it started
            return 128 + self.received[0]
        self.child = child = subprocess.Popen(cmd, env=env, preexec_fn=_stop_with_parent)
        try:
            if self.received:  # a signal came while the child was starting
                self._forward(self.received[0])
            deadline = None
            while True:
                try:
                    code = child.wait(timeout=0.25)
                    break
                except subprocess.TimeoutExpired:
                    if self.received:
                        deadline = deadline or time.monotonic() + STOP_TIMEOUT
                        if time.monotonic() > deadline:
                            child.kill()
        finally:
            if child.poll() is None:  # an unexpected error here: never leave it behind
                child.kill()
                child.wait()
        if self.received:
            return 128 + self.received[0]
        return code if code >= 0 else 128 - code  # killed by a signal of its own: as a shell reports it


def _stop_with_parent() -> None:
    """In Datasette's process before it starts: be sent SIGTERM when ``sqzl`` dies, even by SIGKILL
    (Linux ``PR_SET_PDEATHSIG``), so that no server is left serving a tracker nobody stops."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
