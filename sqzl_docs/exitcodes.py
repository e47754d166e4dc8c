"""The exit codes of every ``sqzl`` command, in one place (documented in the README's command-line section).

>>> int(Exit.DAMAGED)
4
"""

from __future__ import annotations

import enum


class Exit(enum.IntEnum):
    """What a ``sqzl`` process tells the shell when it ends."""

    OK = 0  #: done
    FAILED = 1  #: some inputs failed (each one a problem record); the rest was done
    USAGE = 2  #: a bad option value, a missing database, a file that is not a tracker database
    CANNOT_WRITE = 3  #: a read-only file or directory, a full disk, no permission
    DAMAGED = 4  #: the database is damaged (``PRAGMA quick_check`` fails); see the message for recovery
