"""Resource limits (资源上限) for hostile or broken input: each one configurable, each breach a clear
error record for the file, never a stalled or crashed batch.

The time limit is hard where it can be: in a process's main thread (``sqzl extract``, its worker
processes, ``sqzl track add``) a ``SIGALRM`` timer interrupts the work wherever it is in Python
code. Elsewhere (a thread, as in Dask workers) the limit is checked between stages and pages.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

from .errors import IngestError

MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """How much one input may cost; ``0`` switches a limit off."""

    max_bytes: int = 50 * MiB
    """File size (and JSON Lines line size) in bytes."""
    max_pages: int = 2000
    """PDF page count."""
    max_chars: int = 5_000_000
    """Characters of text in one document, after reading."""
    seconds: float = 120.0
    """Time for one document: reading, structure and extraction."""
    max_zip_entries: int = 5000
    """Entries in a DOCX package (a zip)."""
    max_unzipped_bytes: int = 300 * MiB
    """Uncompressed size of a DOCX package: a zip bomb is refused before anything is unpacked."""
    max_html_depth: int = 200
    """Element nesting depth of an HTML page (the HTML parser itself stops at 256)."""
    max_memory: int = 1024 * MiB
    """Memory one document may take: the address space a worker process may add to what it holds
    when it starts (``RLIMIT_AS``), for reading, structure and extraction together."""
    max_page_content: int = 4 * MiB
    """Decoded content-stream bytes one PDF page may draw, forms (XObjects) drawn on it included."""


DEFAULT = Limits()


class TimeLimitExceeded(BaseException):
    """One document took longer than :attr:`Limits.seconds`.

    A ``BaseException`` (like ``KeyboardInterrupt``), so that no ``except Exception`` in a library
    on the way swallows it and carries on with the stalled work.
    """


_deadline = threading.local()


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Bound the work inside the block to ``seconds``; raises :class:`TimeLimitExceeded`."""
    if not seconds or seconds <= 0:
        yield
        return
    previous = getattr(_deadline, "at", None)
    _deadline.at = time.monotonic() + seconds
    hard = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
    if hard:
        def _alarm(signum: int, frame: object) -> None:
            raise TimeLimitExceeded(seconds)

        old_handler = signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        if hard:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old_handler)
        _deadline.at = previous


def check_chars(text: str, source: str, limits: Limits) -> None:
    """Refuse a document whose text is over :attr:`Limits.max_chars`."""
    if limits.max_chars and len(text) > limits.max_chars:
        raise IngestError(f"{source}: {len(text):,} characters of text is over the limit of {limits.max_chars:,}",
                          code="ingest.too_long")


def checkpoint() -> None:
    """Raise :class:`TimeLimitExceeded` when the current document is past its time (for the places
    where the hard timer cannot reach: threads)."""
    at = getattr(_deadline, "at", None)
    if at is not None and time.monotonic() > at:
        raise TimeLimitExceeded(0)
