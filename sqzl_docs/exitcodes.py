"""Exit codes of the ``sqzl`` command (退出码), one meaning each, the same for every subcommand."""

OK = 0
"""Everything was read (and written)."""
SOME_FAILED = 1
"""The run finished, but some inputs failed: each has its problem record."""
USAGE = 2
"""The command was wrong: a bad option value, a missing file or folder, a file that is not what it
should be (a tracker database), an input that is also the output."""
CANNOT_WRITE = 3
"""The output or database cannot be written: read-only, no permission, the disk is full."""
DAMAGED = 4
"""The tracker database is damaged (``PRAGMA quick_check`` fails)."""
INTERNAL_ERROR = 70
"""A bug in sqzl (EX_SOFTWARE): the traceback is printed for a report."""
INTERRUPTED = 130
"""Stopped by Ctrl-C (SIGINT); SIGTERM gives 143 and SIGHUP 129 (128 + the signal's number)."""
