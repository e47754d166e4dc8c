"""`sqzl track serve`: Datasette on the tracker database, read-only, on localhost by default."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from importlib import resources
from pathlib import Path

import yaml


def metadata_path() -> Path:
    """The packaged Datasette metadata (labels, facets, canned queries)."""
    return Path(str(resources.files("sqzl_docs.tracker").joinpath("datasette/metadata.yaml")))


def metadata_for(db: Path) -> Path:
    """The packaged metadata with its ``"*"`` database entry named after ``db``, written beside a
    temporary directory (Datasette keys metadata by database name)."""
    data = yaml.safe_load(metadata_path().read_text(encoding="utf-8"))
    databases = data.get("databases", {})
    if "*" in databases:
        databases[Path(db).stem] = databases.pop("*")
    out = Path(tempfile.mkdtemp(prefix="sqzl-serve-")) / "metadata.json"
    out.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return out


def command(db: Path, *, host: str = "127.0.0.1", port: int = 8001) -> list[str]:
    """The datasette command line: immutable (read-only) mode, the package's metadata."""
    exe = shutil.which("datasette") or str(Path(sys.executable).with_name("datasette"))
    return [exe, "serve", "-i", str(db), "--metadata", str(metadata_for(db)), "--host", host, "--port", str(port),
            "--setting", "sql_time_limit_ms", "3000"]


def serve(db: Path, *, host: str = "127.0.0.1", port: int = 8001) -> int:
    return subprocess.call(command(db, host=host, port=port))
