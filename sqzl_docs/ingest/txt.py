"""Plain-text reader: any encoding Chinese government sites use, detected, not assumed."""

from __future__ import annotations

from . import Reading
from .encoding import decode


def read(data: bytes, *, source: str) -> Reading:
    text, encoding = decode(data, source=source)
    return Reading(text=text, encoding=encoding)
