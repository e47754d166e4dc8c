"""No regular expression of the package backtracks catastrophically: each pattern is fed long
near-miss strings, and the work it does (counted in matcher steps, see ``regex_work.py``, never
timed) must grow no faster than the input, within a factor for noise in the shape of the input.
A pattern the package searches with is measured searching (every start position); one it only
anchors is measured as ``match`` or ``fullmatch``, as it is called.

Near misses, for each pattern: a long run of each character the pattern names (digits, 年, 〔, a
space …); real matches from the corpus with their last character cut, repeated; and the attack
string regexploit's static analysis builds, when it finds one.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from pathlib import Path
from re import _constants as C  # noqa: N812
from re import _parser

import pytest

from sqzl_docs.limits import TimeLimitExceeded, time_limit

from .conftest import FIXTURES, RAW
from .regex_work import Matcher, OverBudget

pytestmark = pytest.mark.slow  # `make test-fast` leaves these out

HERE = Path(__file__).parent
SHORT, LONG = 80, 160  # near-miss lengths: linear work doubles, quadratic work quadruples
GROWTH = 2.6  # the most the work may grow when the input doubles
BUDGET = 3_000_000  # steps: far beyond any linear pattern on 160 characters


@pytest.fixture(scope="module")
def patterns() -> list[dict]:
    """Every pattern the package compiles while reading the corpus and the fixtures (in a fresh
    process, since patterns are built from data on first use and cached)."""
    out = subprocess.run([sys.executable, str(HERE / "regex_work.py"), "--collect", str(RAW), str(FIXTURES)],
                         capture_output=True, text=True, check=True)
    found = json.loads(out.stdout)
    assert len(found) > 80  # the collector saw the package's grammars, not a handful
    return found


def _pattern_chars(pattern: str, flags: int) -> list[str]:
    """Characters the pattern names: its literals and one member of each character set."""
    chars: list[str] = []

    def walk(data: list) -> None:
        for op, av in data:
            if op is C.LITERAL:
                chars.append(chr(av))
            elif op is C.IN:
                for item_op, item_av in av:
                    if item_op is C.LITERAL:
                        chars.append(chr(item_av))
                    elif item_op is C.RANGE:
                        chars.append(chr(item_av[0]))
                    elif item_op is C.CATEGORY:
                        chars.append({C.CATEGORY_DIGIT: "1", C.CATEGORY_SPACE: " "}.get(item_av, "a"))
            elif op is C.SUBPATTERN:
                walk(av[3].data)
            elif op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
                walk(av[2].data)
            elif op is C.BRANCH:
                for branch in av[1]:
                    walk(branch.data)
            elif op in (C.ASSERT, C.ASSERT_NOT):
                walk(av[1].data)
            elif op is C.ATOMIC_GROUP:
                walk(av.data)

    walk(_parser.parse(pattern, flags).data)
    return list(dict.fromkeys(chars))


def _corpus_lines() -> list[str]:
    return [line for p in sorted(RAW.glob("*.txt")) for line in p.read_text(encoding="utf-8").splitlines()
            if line.strip()]


CORPUS = _corpus_lines()


def near_misses(pattern: str, flags: int, corpus: bool = True) -> dict[str, callable]:  # type: ignore[valid-type]
    """Named near-miss builders: length → string."""
    builders = {}
    chars = _pattern_chars(pattern, flags)
    pumps = list(dict.fromkeys(chars[:4] + [" ", "1", "年"]))
    for ch in pumps:
        builders[f"run of {ch!r}"] = lambda n, ch=ch: ch * n
    rx = re.compile(pattern, flags)
    seen = 0
    for line in CORPUS if corpus else []:
        try:
            with time_limit(10):  # ``re`` checks for signals: a pattern that stalls on real text is stopped
                m = rx.search(line)
        except TimeLimitExceeded:
            raise AssertionError(f"re.search stalls on a corpus line: {pattern[:80]}") from None
        if m and len(m.group()) >= 2:
            found = m.group()[:40]
            stem = found[:-1]
            builders[f"pumped match {found[:20]!r}"] = lambda n, stem=stem: (stem * (n // len(stem) + 1))[:n]
            for ch in pumps[:5]:  # a real match, then a long run, then a character nothing expects
                builders[f"match {found[:20]!r} + run of {ch!r}"] = lambda n, a=found, ch=ch: a + ch * n + "\x00"
            seen += 1
            if seen == 2:
                break
    try:
        from regexploit.ast.sre import SreOpParser
        from regexploit.redos import find

        with time_limit(5):  # its analysis can itself blow up on some patterns; then it has no say
            found = find(SreOpParser().parse_sre(pattern, flags))
        for redos in found[:1]:
            prefix, pump = redos.example_prefix, redos.repeated_character.example()
            killer = redos.killer.example() if redos.killer else "\x00"
            builders["regexploit attack"] = lambda n, a=prefix, b=pump, c=killer: a + b * n + c
    except (Exception, TimeLimitExceeded):  # regexploit parses most, not all, of Python's syntax
        pass
    return builders


SCANNING = {"search", "finditer", "findall", "sub", "subn", "split"}


def offends(short: int, long: int, budget: int = BUDGET) -> bool:
    """Work that grows faster than the input (or runs out of budget) when the input doubles."""
    return long > budget or long > GROWTH * max(short, 1) + 50


def _work(pattern: str, flags: int, text: str, how: str = "search", budget: int = BUDGET) -> int:
    """Steps of a ``search``, ``match`` or ``fullmatch`` of ``pattern`` on ``text`` (``budget + 1``
    when over the budget)."""
    result: list[object] = []

    def run() -> None:
        try:
            matcher = Matcher(pattern, flags, budget=budget)
            result.append(matcher.search_steps(text) if how == "search"
                          else matcher.match_steps(text, full=how == "fullmatch"))
        except OverBudget as exc:
            result.append(exc)

    thread = threading.Thread(target=run)  # deep backtracking recurses: a thread with a big stack
    thread.start()
    thread.join()
    return result[0] if isinstance(result[0], int) else budget + 1  # type: ignore[return-value]


def test_every_pattern_does_linear_work_on_near_misses(patterns: list[dict]) -> None:
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 100_000))
    threading.stack_size(256 * 1024 * 1024)
    try:
        offenders = []
        tried = 0
        for p in patterns:
            uses = set(p["uses"])  # how the package calls it; the costliest way counts
            how = "search" if SCANNING & uses or not uses else "fullmatch" if "fullmatch" in uses else "match"
            for name, build in near_misses(p["pattern"], p["flags"]).items():
                short = _work(p["pattern"], p["flags"], build(SHORT), how)
                long = _work(p["pattern"], p["flags"], build(LONG), how)
                tried += 2
                if offends(short, long):
                    offenders.append(f"{p['where']} ({how}) {name}: {short} → {long} steps  {p['pattern'][:80]}")
    finally:
        threading.stack_size(0)
    assert not offenders, "\n".join(offenders)
    assert tried > 1000


CATASTROPHIC = [  # the kind of pattern the test must catch
    (r"(\[?\s*[大中小]*\s*\]?\s*)*x", "run of ' '"),
    (r"\d+年", "run of '1'"),
]


@pytest.mark.parametrize(("pattern", "builder"), CATASTROPHIC)
def test_the_work_count_catches_backtracking(pattern: str, builder: str) -> None:
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 100_000))
    build = near_misses(pattern, 0, corpus=False)[builder]
    budget = 200_000
    short, long = _work(pattern, 0, build(SHORT), budget=budget), _work(pattern, 0, build(LONG), budget=budget)
    assert offends(short, long, budget)


def test_the_matcher_agrees_with_re(patterns: list[dict]) -> None:
    """Steps are only worth counting if the matcher matches what ``re`` matches."""
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 100_000))
    lines = CORPUS[::50][:15]
    for p in patterns:
        rx = re.compile(p["pattern"], p["flags"])
        for line in lines:
            m = Matcher(p["pattern"], p["flags"])
            m.text = line
            found = any(m._seq(list(m.tree.data), 0, s, lambda _end: True) for s in range(len(line) + 1))
            assert found == (rx.search(line) is not None), (p["where"], line[:40])
