"""Stopping a run cleanly (中断): SIGTERM and SIGHUP end a command the way Ctrl-C does, so that
what it wrote is left whole and it can say how far it got."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator


class Terminated(BaseException):
    """The process was asked to stop by a signal (Ctrl-C's SIGINT, SIGTERM, SIGHUP).

    Not a KeyboardInterrupt, which click would turn into "Aborted!" and exit code 1."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"stopped by {signal.Signals(signum).name}")
        self.signum = signum
        self.exit_code = 128 + signum


def _raise(signum: int, frame: object) -> None:
    raise Terminated(signum)


@contextlib.contextmanager
def terminate_on_signals(signums: tuple[int, ...] = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)) -> Iterator[None]:
    """Within the block, the signals raise :class:`Terminated` in the main thread. A signal that
    is ignored when we start (``nohup`` ignores SIGHUP, a shell's background job SIGINT) stays ignored."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, _raise) for s in signums if signal.getsignal(s) is not signal.SIG_IGN}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
