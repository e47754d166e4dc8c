"""Lines of the normalised text, and which of them are page furniture (boilerplate)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .. import lexicon

BULLETS = "•·●▪◆■□○◇*＊"


@dataclass(frozen=True, slots=True)
class Line:
    """One line of the normalised view: [start, end) in normalised coordinates."""

    start: int
    end: int
    text: str

    @property
    def bare(self) -> str:
        """The line without leading bullets, markdown heading marks and spaces."""
        return self.text.lstrip(BULLETS + "# ").rstrip()

    @property
    def bare_start(self) -> int:
        return self.start + (len(self.text) - len(self.text.lstrip(BULLETS + "# ")))


def split_lines(text: str) -> list[Line]:
    out = []
    pos = 0
    for raw in text.split("\n"):
        if raw.strip():
            out.append(Line(pos, pos + len(raw), raw))
        pos += len(raw) + 1
    return out


def boilerplate(lines: list[Line]) -> set[int]:
    """Indexes of lines that are page furniture: breadcrumbs, widgets, front matter, markup."""
    pattern = lexicon.boilerplate_lines()
    found: set[int] = set()
    if lines and lines[0].text.strip() == "---":
        for j in range(1, min(len(lines), 40)):
            if lines[j].text.strip() == "---":
                found.update(range(0, j + 1))
                break
    for i, line in enumerate(lines):
        if i not in found and pattern.fullmatch(line.text.strip()):
            found.add(i)
    return found


SENTENCE_END = re.compile(r"[。！？!?]")

