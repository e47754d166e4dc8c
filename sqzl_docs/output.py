"""Where a run's JSON Lines go (输出): a file that only ever holds whole records.

A record is one line. Whatever stops a run (a full disk, a file-size limit, Ctrl-C, SIGTERM), the
file is cut back to its last complete line, so a reader never meets half a record, and the run can
say how many records the file holds and which was the last.
"""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path
from typing import TextIO


class OutputError(Exception):
    """The output cannot be written (a missing folder, no permission, a full disk)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def file_identity(path: str | Path) -> tuple[int, int] | None:
    """(device, inode) of an existing file, the way ``cat`` tells that an input is its output."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _describe(exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "the disk is full"
    if exc.errno == errno.EFBIG:
        return "the file is over the size this process may write"
    if exc.errno in (errno.EROFS,):
        return "the file system is read-only"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    return exc.strerror or str(exc)


class RecordSink:
    """A text sink for JSON lines that keeps the file whole-records-only.

    ``write`` takes any chunks (whole lines, or blocks copied from a worker's file); the sink counts
    the newlines that reached the file and, on failure or interruption, truncates the file to the
    last one. Standard output cannot be truncated: there the count is still kept.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.records = 0
        self._complete = 0  # bytes up to and including the last newline written
        self._written = 0
        self.identity: tuple[int, int] | None = None  # (device, inode) of the output file
        if path is None:
            self._fd = sys.stdout.fileno() if _has_fileno() else None
            self._stream: TextIO | None = sys.stdout if self._fd is None else None
            return
        if not path.parent.is_dir():
            raise OutputError(f"{path}: cannot write the output: the folder {path.parent} does not exist")
        try:
            self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        except OSError as exc:
            raise OutputError(f"{path}: cannot write the output: {_describe(exc)}") from None
        self._stream = None
        self.identity = file_identity(path)

    @property
    def name(self) -> str:
        return str(self.path) if self.path else "standard output"

    def write(self, chunk: str) -> int:
        if self._stream is not None:  # a stream without a file descriptor (tests, notebooks)
            self._stream.write(chunk)
            self.records += chunk.count("\n")
            return len(chunk)
        data = chunk.encode("utf-8")
        base, pos = self._written, 0
        try:
            while pos < len(data):
                end = pos + os.write(self._fd, memoryview(data)[pos:])  # type: ignore[arg-type]
                last = data.rfind(b"\n", pos, end)
                if last >= 0:
                    self.records += data.count(b"\n", pos, end)
                    self._complete = base + last + 1
                pos = end
                self._written = base + pos
        except OSError as exc:
            self._cut()
            raise OutputError(f"{self.name}: cannot write the output: {_describe(exc)}") from None
        return len(chunk)

    def _cut(self) -> None:
        """Drop a partial last line (files only)."""
        if self.path is not None and self._fd is not None:
            try:
                os.ftruncate(self._fd, self._complete)
            except OSError:
                pass
            self._written = self._complete

    def interrupted(self) -> None:
        """Called when the run stops early: keep whole records only."""
        self._cut()

    def flush(self) -> None:
        if self._stream is not None:
            self._stream.flush()

    def close(self) -> None:
        if self.path is not None and self._fd is not None:
            os.close(self._fd)
            self._fd = None
        elif self._stream is not None:
            self._stream.flush()


def _has_fileno() -> bool:
    try:
        sys.stdout.flush()
        sys.stdout.fileno()
        return True
    except (OSError, ValueError, AttributeError):
        return False
