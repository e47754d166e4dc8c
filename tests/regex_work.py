"""Counting the work a regular expression does: a backtracking matcher over the parse tree Python's
``re`` builds (``re._parser``), which visits what ``re``'s engine visits and counts every step.

``re`` offers no step counter and wall time is noise, so catastrophic backtracking is found by
counting: :func:`search_steps` is the number of steps a ``search`` takes on a string. It is an upper
bound of ``re``'s own work (``re`` skips some start positions with its literal-prefix scan and
matches single-character repeats in C), and it grows the same way: linearly, quadratically or
exponentially in the length of a near-miss input.

Run as a script, it prints every pattern the package compiles while reading documents::

    python tests/regex_work.py --collect corpora/raw > patterns.json
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from re import _constants as C  # noqa: N812
from re import _parser

Cont = Callable[[int], bool]


class OverBudget(Exception):
    """More steps than allowed: the match is (at least) this expensive."""


class Matcher:
    """Backtracking search over a parsed pattern, counting steps (each node visit and each character
    a repeat consumes is one step)."""

    def __init__(self, pattern: str, flags: int = 0, budget: int = 10_000_000) -> None:
        self.tree = _parser.parse(pattern, flags)
        self.ignore_case = bool(flags & re.IGNORECASE)
        self.multiline = bool(flags & re.MULTILINE)
        self.dotall = bool(flags & re.DOTALL)
        self.budget = budget
        self.steps = 0
        self.text = ""
        self._sets: dict[int, tuple] = {}

    # ------------------------------------------------------------ the search
    def search_steps(self, text: str) -> int:
        """Steps of ``search`` over ``text`` (every start position until one matches)."""
        self.text, self.steps = text, 0
        for start in range(len(text) + 1):
            self._step()
            if self._seq(list(self.tree.data), 0, start, lambda _end: True):
                break
        return self.steps

    def match_steps(self, text: str, full: bool = False) -> int:
        """Steps of ``match`` (anchored at the start), or of ``fullmatch`` with ``full``."""
        self.text, self.steps = text, 0
        self._seq(list(self.tree.data), 0, 0, (lambda end: end == len(text)) if full else (lambda _end: True))
        return self.steps

    def _step(self, n: int = 1) -> None:
        self.steps += n
        if self.steps > self.budget:
            raise OverBudget(self.steps)

    # ------------------------------------------------------------ sequences and nodes
    def _seq(self, nodes: list, i: int, pos: int, k: Cont) -> bool:
        if i == len(nodes):
            return k(pos)
        return self._node(nodes[i], pos, lambda p: self._seq(nodes, i + 1, p, k))

    def _node(self, node: tuple, pos: int, k: Cont) -> bool:
        op, av = node
        self._step()
        if op in (C.LITERAL, C.NOT_LITERAL, C.ANY, C.IN):
            return pos < len(self.text) and self._char(op, av, self.text[pos]) and k(pos + 1)
        if op is C.SUBPATTERN:
            return self._seq(list(av[3].data), 0, pos, k)
        if op is C.BRANCH:
            return any(self._seq(list(branch.data), 0, pos, k) for branch in av[1])
        if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            return self._repeat(op, av, pos, k)
        if op is C.ATOMIC_GROUP:
            end = self._first_end(list(av.data), pos)
            return end is not None and k(end)
        if op is C.AT:
            return self._at(av, pos) and k(pos)
        if op in (C.ASSERT, C.ASSERT_NOT):
            direction, sub = av
            if direction < 0:
                width = sub.getwidth()[0]
                start = pos - width
                ok = start >= 0 and self._seq(list(sub.data), 0, start, lambda end: end == pos)
            else:
                ok = self._first_end(list(sub.data), pos) is not None
            return (ok if op is C.ASSERT else not ok) and k(pos)
        raise NotImplementedError(f"regex node {op}")

    def _first_end(self, nodes: list, pos: int) -> int | None:
        found: list[int] = []
        self._seq(nodes, 0, pos, lambda end: found.append(end) or True)
        return found[0] if found else None

    def _repeat(self, op: object, av: tuple, pos: int, k: Cont) -> bool:
        low, high, sub = av
        high = len(self.text) + 1 if high is C.MAXREPEAT else high
        nodes = list(sub.data)
        if len(nodes) == 1 and nodes[0][0] in (C.LITERAL, C.NOT_LITERAL, C.ANY, C.IN):
            return self._repeat_one(op, nodes[0], low, high, pos, k)
        if op is C.POSSESSIVE_REPEAT:  # X*+ is (?>X*): the greedy repeat's first way through, never given back
            end = self._first_end([(C.MAX_REPEAT, av)], pos)
            return end is not None and k(end)

        def greedy(count: int, p: int) -> bool:
            if count < high:
                def more(q: int) -> bool:
                    return q != p and greedy(count + 1, q)  # an empty iteration ends the repeat
                if self._seq(nodes, 0, p, more):
                    return True
            return count >= low and k(p)

        def lazy(count: int, p: int) -> bool:
            if count >= low and k(p):
                return True
            return count < high and self._seq(nodes, 0, p, lambda q: q != p and lazy(count + 1, q))

        return (greedy if op is C.MAX_REPEAT else lazy)(0, pos)

    def _repeat_one(self, op: object, node: tuple, low: int, high: int, pos: int, k: Cont) -> bool:
        """A repeat of one character class: consume a run, then give back one at a time (``re``'s
        REPEAT_ONE / MIN_REPEAT_ONE)."""
        char_op, char_av = node
        run = 0
        limit = min(high, len(self.text) - pos)
        while run < limit and self._char(char_op, char_av, self.text[pos + run]):
            run += 1
        self._step(run)
        if run < low:
            return False
        if op is C.MIN_REPEAT:
            counts = range(low, run + 1)
        elif op is C.POSSESSIVE_REPEAT:
            counts = range(run, run + 1)
        else:
            counts = range(run, low - 1, -1)
        for count in counts:
            self._step()
            if k(pos + count):
                return True
        return False

    # ------------------------------------------------------------ characters and positions
    def _char(self, op: object, av: object, ch: str) -> bool:
        if op is C.ANY:
            return self.dotall or ch != "\n"
        if op in (C.LITERAL, C.NOT_LITERAL):
            same = self._same(chr(av), ch)  # type: ignore[arg-type]
            return same if op is C.LITERAL else not same
        negate, literals, ranges, categories = self._set(av)
        hit = (ch in literals or any(lo <= ord(ch) <= hi for lo, hi in ranges)
               or any(_category(code, ch) for code in categories))
        if not hit and self.ignore_case:
            hit = any(c in literals or any(lo <= ord(c) <= hi for lo, hi in ranges) for c in (ch.lower(), ch.upper()))
        return hit != negate

    def _set(self, av: list) -> tuple[bool, frozenset[str], list[tuple[int, int]], list[object]]:
        """A character set, prepared once: negated?, literal characters, ranges, categories."""
        key = id(av)
        if key not in self._sets:
            negate, literals, ranges, categories = False, set(), [], []
            for item_op, item_av in av:
                if item_op is C.NEGATE:
                    negate = True
                elif item_op is C.LITERAL:
                    literals.add(chr(item_av))
                    if self.ignore_case:
                        literals.update((chr(item_av).lower(), chr(item_av).upper()))
                elif item_op is C.RANGE:
                    ranges.append(item_av)
                elif item_op is C.CATEGORY:
                    categories.append(item_av)
                else:
                    raise NotImplementedError(f"character set item {item_op}")
            self._sets[key] = (negate, frozenset(literals), ranges, categories)
        return self._sets[key]

    def _same(self, a: str, b: str) -> bool:
        return a == b or (self.ignore_case and a.lower() == b.lower())

    def _at(self, code: object, pos: int) -> bool:
        text = self.text
        if code in (C.AT_BEGINNING, C.AT_BEGINNING_STRING):
            return pos == 0 or (self.multiline and code is C.AT_BEGINNING and text[pos - 1] == "\n")
        if code is C.AT_END:
            if self.multiline:
                return pos == len(text) or text[pos] == "\n"
            return pos == len(text) or (pos == len(text) - 1 and text[pos] == "\n")
        if code is C.AT_END_STRING:
            return pos == len(text)
        if code in (C.AT_BOUNDARY, C.AT_NON_BOUNDARY):
            before = pos > 0 and _word(text[pos - 1])
            after = pos < len(text) and _word(text[pos])
            return (before != after) == (code is C.AT_BOUNDARY)
        raise NotImplementedError(f"position {code}")


def _word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _category(code: object, ch: str) -> bool:
    table = {
        C.CATEGORY_DIGIT: lambda c: c.isdecimal(), C.CATEGORY_NOT_DIGIT: lambda c: not c.isdecimal(),
        C.CATEGORY_SPACE: lambda c: c.isspace(), C.CATEGORY_NOT_SPACE: lambda c: not c.isspace(),
        C.CATEGORY_WORD: _word, C.CATEGORY_NOT_WORD: lambda c: not _word(c),
    }
    return table[code](ch)


def collect(paths: list[str]) -> list[dict[str, object]]:
    """Every pattern compiled from sqzl_docs code while reading and extracting ``paths`` (patterns are
    built lazily from data, so they are collected by running the package, not by reading its source)."""
    import os

    seen: dict[tuple[str, int], str] = {}
    uses: dict[tuple[str, int], set[str]] = {}
    original = re._compile  # type: ignore[attr-defined]
    package = os.sep + "sqzl_docs" + os.sep

    class Recorded:
        """A compiled pattern that notes which methods are called on it (search or anchored match)."""

        def __init__(self, compiled: re.Pattern[str], key: tuple[str, int]) -> None:
            self._compiled, self._key = compiled, key

        def __getattr__(self, name: str) -> object:
            uses.setdefault(self._key, set()).add(name)
            return getattr(self._compiled, name)

    def recording(pattern, flags):  # type: ignore[no-untyped-def]
        compiled = original(pattern, flags)
        if isinstance(pattern, str):
            frame = sys._getframe(1)
            while frame and os.sep + "re" + os.sep in frame.f_code.co_filename:
                frame = frame.f_back
            if frame and package in frame.f_code.co_filename:
                key = (pattern, int(flags))
                seen.setdefault(key, f"{os.path.basename(frame.f_code.co_filename)}:{frame.f_lineno}")
                return Recorded(compiled, key)
        return compiled

    re._compile = recording  # type: ignore[attr-defined]
    try:
        from sqzl_docs import pipeline

        for path in pipeline.expand(paths):  # in this process: pipeline.run works in worker processes,
            if isinstance(path, str):       # whose compiled patterns and their uses this one never sees
                pipeline.process_path(path)
    finally:
        re._compile = original  # type: ignore[attr-defined]
    return [{"pattern": p, "flags": f, "where": w, "uses": sorted(uses.get((p, f), ()))} for (p, f), w in seen.items()]


if __name__ == "__main__":
    if sys.argv[1:2] != ["--collect"]:
        sys.exit(__doc__)
    json.dump(collect(sys.argv[2:]), sys.stdout)
