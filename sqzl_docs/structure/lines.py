"""Lines of the normalised text, and which of them are page furniture (boilerplate)."""

from __future__ import annotations

import functools
import re

from .. import lexicon

BULLETS = "•·●▪◆■□○◇*＊"
_LEAD = BULLETS + "# "  # what ``Line.bare`` strips off the start of a line


class Line:
    """One line of the normalised view: [start, end) in normalised coordinates.

    ``bare`` is the line without leading bullets, markdown heading marks and spaces, and without trailing
    spaces; ``bare_start`` is where it starts. Both are read many times a line, so they are made once.
    """

    __slots__ = ("start", "end", "text", "bare", "bare_start")

    def __init__(self, start: int, end: int, text: str) -> None:
        self.start = start
        self.end = end
        self.text = text
        head = text.lstrip(_LEAD)
        self.bare = head.rstrip()
        self.bare_start = start + (len(text) - len(head))

    def __repr__(self) -> str:
        return f"Line(start={self.start}, end={self.end}, text={self.text!r})"


def split_lines(text: str) -> list[Line]:
    out = []
    pos = 0
    for raw in text.split("\n"):
        if raw and not raw.isspace():  # (raw.strip(), without making the stripped copy)
            out.append(Line(pos, pos + len(raw), raw))
        pos += len(raw) + 1
    return out


# A boilerplate pattern ``.*(…).*`` whose group holds no group of its own: words found anywhere in a line.
_ANYWHERE = re.compile(r"\.\*\(([^()\\]*)\)\.\*")
_METACHARACTERS = frozenset("\\.^$*+?{}[]|()")


@functools.cache
def _furniture() -> tuple[re.Pattern[str], tuple[str, ...], re.Pattern[str] | None]:
    """:func:`lexicon.boilerplate_lines` as tests of a stripped line, any of which makes it furniture: a
    fullmatch of the patterns that describe the whole line, and a look for the words of the ``.*(…).*``
    patterns (with ``in`` when they are plain words, else with a search). Together they agree with the
    fullmatch of all the patterns on a line (which holds no line break for ``.`` to stop at): the words
    are found where they stand, not tried at every position backtracking from the line's end."""
    whole: list[str] = []
    words: list[str] = []
    anywhere: list[str] = []
    for p in lexicon.load("boilerplate.yaml")["lines"]:
        m = _ANYWHERE.fullmatch(p)
        if m is None:
            whole.append(f"(?:{p})")
        elif all(_METACHARACTERS.isdisjoint(word) for word in m[1].split("|")):
            words.extend(m[1].split("|"))
        else:
            anywhere.append(f"(?:{m[1]})")
    return (re.compile("|".join(whole)), tuple(words),
            re.compile("|".join(anywhere)) if anywhere else None)


def is_furniture(text: str) -> bool:
    """Whether a stripped line is page furniture (``lexicon.boilerplate_lines().fullmatch(text)``)."""
    whole, words, anywhere = _furniture()
    if whole.fullmatch(text):
        return True
    for word in words:
        if word in text:
            return True
    return bool(anywhere and anywhere.search(text))


def boilerplate(lines: list[Line]) -> set[int]:
    """Indexes of lines that are page furniture: breadcrumbs, widgets, front matter, markup."""
    found: set[int] = set()
    if lines and lines[0].text.strip() == "---":
        for j in range(1, min(len(lines), 40)):
            if lines[j].text.strip() == "---":
                found.update(range(0, j + 1))
                break
    for i, line in enumerate(lines):
        if i not in found and is_furniture(line.text.strip()):
            found.add(i)
    return found


SENTENCE_END = re.compile(r"[。！？!?]")

