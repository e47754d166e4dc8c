"""Issue 14: stopping `sqzl track serve` (SIGINT, SIGTERM, SIGHUP) stops Datasette too, closes the port and
removes the temporary metadata folder; issue 16: no `sqzl-serve-*` folder is left behind either way.

Each test runs the real CLI as a process with its own ``TMPDIR``, waits until Datasette answers, signals
the `sqzl` process only (as a service manager or `kill` does) and checks what is left.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from sqzl_docs.tracker import serve

from .test_serve_security import PASSWORD, _free_port, built  # noqa: F401

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to find the child")]
SQZL = str(Path(sys.executable).with_name("sqzl"))


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(2)
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture()
def started(tmp_path: Path, built: Path, request: pytest.FixtureRequest  # noqa: F811
            ) -> Iterator[tuple[subprocess.Popen[bytes], int, int, Path]]:
    """`sqzl track serve` running (writable when the test's ``mode`` says so): (process, Datasette's pid,
    port, TMPDIR). Whatever the test leaves running is killed at the end."""
    mode = request.node.callspec.params["mode"]
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    port = _free_port()
    env = {**os.environ, "TMPDIR": str(tmpdir), serve.PASSWORD_ENV: PASSWORD}
    db = tmp_path / "tracker.db"
    shutil.copy(built, db)
    args = [SQZL, "track", "serve", str(db), "--port", str(port)]
    proc = subprocess.Popen(args + (["--writable"] if mode == "writable" else []), env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    children: list[int] = []
    try:
        for _ in range(300):
            assert proc.poll() is None, "sqzl track serve exited"
            children = children or _children(proc.pid)
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/-/versions.json", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("datasette did not start")
        assert len(children) == 1 and any(tmpdir.iterdir())
        yield proc, children[0], port, tmpdir
    finally:
        for pid in [proc.pid, *children]:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        proc.wait()


@pytest.mark.parametrize(("signum", "mode"), [(signal.SIGTERM, "readonly"), (signal.SIGTERM, "writable"),
                                              (signal.SIGINT, "readonly"), (signal.SIGINT, "writable"),
                                              (signal.SIGHUP, "readonly"),
                                              (signal.SIGHUP, "writable")])
def test_a_signal_stops_datasette_and_cleans_up(started: tuple[subprocess.Popen[bytes], int, int, Path],
                                                signum: int, mode: str) -> None:
    proc, child, port, tmpdir = started
    os.kill(proc.pid, signum)
    code = proc.wait(timeout=60)
    assert not _alive(child), "datasette is still running"
    assert not _port_open(port)
    assert list(tmpdir.iterdir()) == [], "the temporary folder is left behind"
    assert code == 128 + signum  # 143, 130, 129: stopped by that signal, as a shell reports it


@pytest.mark.parametrize("mode", ["writable"])
def test_killing_sqzl_stops_datasette(started: tuple[subprocess.Popen[bytes], int, int, Path], mode: str) -> None:
    """SIGKILL cannot be caught, so sqzl cannot pass it on: Datasette is told by the kernel
    (PR_SET_PDEATHSIG) and stops; only its temporary folder is left, which nothing could remove."""
    proc, child, port, _ = started
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    for _ in range(600):
        if not _alive(child):
            break
        time.sleep(0.05)
    assert not _alive(child), "datasette outlived a killed sqzl"
    assert not _port_open(port)


def test_no_work_folder_is_left_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       built: Path) -> None:  # noqa: F811
    """`command()` needs the caller's folder (no temporary one nobody removes); `serve()` removes its
    own, also when Datasette fails to start (here: the port is taken)."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    db = built
    with pytest.raises(TypeError):
        serve.command(db)  # type: ignore[call-arg]
    assert list(tmp_path.iterdir()) == []
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        code = serve.serve(db, port=taken.getsockname()[1])
    assert code != 0 and list(tmp_path.iterdir()) == []


def test_a_child_that_ignores_the_signal_is_killed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In process: SIGTERM reaches `sqzl`; a child that ignores it is killed after STOP_TIMEOUT."""
    import threading

    monkeypatch.setattr(serve, "STOP_TIMEOUT", 0.5)
    ready = tmp_path / "ready"
    child = ("import pathlib, signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
             f"pathlib.Path({str(ready)!r}).write_text('x'); time.sleep(120)")

    def signal_when_ready() -> None:
        for _ in range(600):
            if ready.exists():
                break
            time.sleep(0.05)
        os.kill(os.getpid(), signal.SIGTERM)

    with serve.Stop() as stop:
        threading.Thread(target=signal_when_ready, daemon=True).start()
        code = stop.run([sys.executable, "-c", child])
    assert code == 143 and ready.exists() and stop.child is not None and stop.child.returncode == -signal.SIGKILL
    assert signal.getsignal(signal.SIGTERM) != stop._forward  # restored
