"""Plain-text reader: any encoding Chinese government sites use, detected, not assumed."""

from __future__ import annotations

from ..limits import DEFAULT, Limits
from . import Reading
from .encoding import decode


def read(data: bytes, *, source: str, limits: Limits = DEFAULT) -> Reading:
    text, encoding = decode(data, source=source)
    return Reading(text=text, encoding=encoding)
