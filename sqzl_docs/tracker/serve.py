"""`sqzl track serve`: Datasette on the tracker database, on localhost by default.

Read-only by default (the file opened immutable). ``writable=True`` opens it mutable for one write
only: the ``record_verdict`` canned query (``datasette/writable.yaml``), allowed to the one reviewer
account of datasette-auth-passwords. The password never reaches a command line or a file: the
reviewer's password is hashed here and the hash handed to Datasette in the environment variable
``HASH_ENV``, which the plugin config names (``{"$env": ...}``). SQL typed by a user runs, in both
modes, on Datasette's read-only connections (``immutable=1`` or ``mode=ro``).
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from .schema import STATUSES

PASSWORD_ENV = "SQZL_SERVE_PASSWORD"
HASH_ENV = "SQZL_SERVE_PASSWORD_HASH"
REVIEWER_RE = re.compile(r"[\w.-]+")


def metadata_path(name: str = "metadata.yaml") -> Path:
    """Packaged Datasette metadata: ``metadata.yaml`` (labels, facets, read-only canned queries) or
    ``writable.yaml`` (the verdict query, writable mode only)."""
    return Path(str(resources.files("sqzl_docs.tracker").joinpath(f"datasette/{name}")))


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


def command(db: Path, *, host: str = "127.0.0.1", port: int = 8001, writable: bool = False,
            reviewer: str = "reviewer", workdir: Path | None = None) -> list[str]:
    """The datasette command line; its metadata file is written (0600) in ``workdir`` (default a new
    temporary directory). Read-only unless ``writable``: then run it with ``environment(password)``."""
    exe = shutil.which("datasette") or str(Path(sys.executable).with_name("datasette"))
    workdir = workdir or Path(tempfile.mkdtemp(prefix="sqzl-serve-"))
    meta = workdir / "metadata.json"
    fd = os.open(meta, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(metadata(db, writable=writable, reviewer=reviewer), f, ensure_ascii=False)
    mode = [str(db)] if writable else ["-i", str(db)]
    return [exe, "serve", *mode, "--metadata", str(meta), "--host", host, "--port", str(port),
            "--setting", "sql_time_limit_ms", "3000"]


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
          reviewer: str = "reviewer") -> int:
    """Run Datasette until interrupted: writable (the verdict query only) when a password is given."""
    with tempfile.TemporaryDirectory(prefix="sqzl-serve-") as tmp:
        cmd = command(db, host=host, port=port, writable=password is not None, reviewer=reviewer, workdir=Path(tmp))
        env = environment(password) if password is not None else None
        try:
            return subprocess.call(cmd, env=env)
        except KeyboardInterrupt:
            return 130
