"""Metrics — quantities written with Arabic digits, with magnitude (万/亿), unit or measure word,
qualifier (以上/不低于 → gte, 以下/不超过 → lte, 余/约/左右/近 → approx), ranges (300—500户 → two
metrics), changes (将165项……缩减为56项 → 56 from 165), rates with their subject (化解率97.8%) and
per-unit values (3万元/年, 每百户……30平方米).

Not metrics: dates and years, document numbers, numbers inside 《》, ordinals (第3), addresses
(八一路3栋), numbers with no unit after them, and Chinese-numeral quantities.

>>> from sqzl_docs.models import Document
>>> doc = Document.from_text("筹集21.56亿元，主城区80%以上的社区达到8万余个")
>>> [(m.span.text, m.value, m.unit, m.qualifier) for m in extract(doc)]
[('21.56亿元', 2156000000.0, '元', None), ('80%以上', 80.0, '%', 'gte'), ('8万余个', 80000.0, '个', 'approx')]
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, NamedTuple

from .. import lexicon
from ..grammar.scan import blank_out, guard
from ..models import Document, Metric, maker
from . import dates, extractor, records

_metric = maker(Metric)  # Metric(**fields), a record per figure found
# A number, read whole (possessive: the grammar does not go back into its digits, as nothing that may
# follow a number opens with a digit or a point; _pattern checks the data for that).
_NUMBER = r"\d++(?:\.\d++)?+"
_RANGE_SEP = r"[—–―\-~～]+|至|到"
_CLAUSE_END = re.compile(r"[，,。；;：:！？\n、（(）)]")
_SUBJECT_TRIM = re.compile(
    r"(?:达到|达|为|是|提高到|提升到|提高至|提升至|增长|下降|保持在|稳定在|超过|突破|约|共|累计|分别)+$")


@functools.cache
def _data() -> dict[str, Any]:
    return lexicon.load("metric_units.yaml")


class _Vocabulary(NamedTuple):
    """The word lists of ``metric_units.yaml`` in the shape the extractor looks them up in."""

    ordinal: tuple[str, ...]  # 第: a number after it is an ordinal
    address: tuple[str, ...]  # 路, 街 …: with an address unit, part of an address
    address_units: frozenset[str]
    labels: frozenset[str]  # 栋, 单元: a building's label wherever it stands
    not_before: dict[str, list[str]]  # 人 before 口: a noun, not a unit
    qualifiers: dict[str, str]  # before and after the number
    magnitudes: dict[str, int]


@functools.cache
def _vocabulary() -> _Vocabulary:
    d = _data()
    return _Vocabulary(tuple(d["ordinal_before"]), tuple(d["address_before"]), frozenset(d["address_units"]),
                       frozenset(d["label_units"]), d["unit_not_before"],
                       {**d["qualifiers_before"], **d["qualifiers_after"]}, d["magnitudes"])


@functools.cache
def _pattern() -> re.Pattern[str]:
    d = _data()
    after_number = [*d["units"], *d["qualifiers_inside"], *d["magnitudes"]]  # or %, or _RANGE_SEP
    if any(w[:1].isdigit() or w[:1] == "." for w in after_number):
        raise ValueError("metric_units.yaml: a unit, magnitude or qualifier opens with a digit or a point")
    units = lexicon.alternation(d["units"])
    before = lexicon.alternation(list(d["qualifiers_before"]))
    after = lexicon.alternation(list(d["qualifiers_after"]))
    mags = lexicon.alternation(list(d["magnitudes"]))
    inside = lexicon.alternation(list(d["qualifiers_inside"]))
    return re.compile(
        rf"(?P<qpre>{before})?"
        rf"(?<![A-Za-z\d.+#:：])(?P<num>{_NUMBER})"
        rf"(?:(?P<unit0>%)?(?P<sep>{_RANGE_SEP})(?P<num2>{_NUMBER}))?"
        rf"(?P<in1>{inside})?(?P<mag>{mags})?(?P<in2>{inside})?"
        rf"(?P<unit>{units})"
        rf"(?P<per>/(?:{lexicon.alternation(d['per_units'])}))?"
        rf"(?P<qpost>{after})?"
        r"(?![+\d]|(?<=[A-Za-z])[A-Za-z])"
    )


@functools.cache
def _trigger() -> re.Pattern[str]:
    """Where a metric can start: a qualifier before the number, or a digit that opens a number (the
    grammar's look-behind: not after a letter, a digit, ``.``, ``+``, ``#`` or a colon). One character
    is read and what is around it looked up: a pattern that opens with a character class is searched
    for quickly."""
    before = list(_data()["qualifiers_before"])
    firsts = "".join(re.escape(c) for c in sorted({w[0] for w in before}))
    return re.compile(rf"[0-9{firsts}](?:(?<=[0-9])(?<![A-Za-z\d.+#:：][0-9])"
                      rf"|(?<=(?={lexicon.any_of(before)}).))")


@functools.cache
def _guarded() -> re.Pattern[str]:
    """:func:`_pattern` behind a look-ahead for :func:`_trigger` (which holds no group: the groups
    keep their numbers): the grammar is tried where a metric can start, and the scan stays in C."""
    return guard(_trigger(), _pattern())


def _matches(text: str) -> Iterator[re.Match[str]]:
    """``_pattern().finditer(text)``, trying the grammar only where a metric can start."""
    return _guarded().finditer(text)


def _masked(doc: Document) -> str:
    """The normalised text with 《…》, document numbers and date expressions blanked out."""
    found = records(doc, "dates")
    from_source = doc.norm.from_source
    return blank_out(dates.mask(doc), [(from_source(d.span.start), from_source(d.span.end)) for d in found])


_RATE_UNITS = ("%", "个百分点", "百分点", "‰")  # a rate's subject is looked for (化解率97.8%)


@extractor("metrics", version=4, requires=("dates",), data=("metric_units.yaml", "date_cues.yaml"))
def extract(doc: Document) -> Iterator[Metric]:
    """Yield every metric in reading order (a range gives two with the same span)."""
    ordinal, address, address_units, labels, not_before, quals, mags = _vocabulary()
    text = _masked(doc)
    names: set[str] = set()  # number+unit texts seen as addresses: later mentions are names too
    previous: list[tuple[int, float, str]] = []  # (end, value, unit) in the current clause chain
    for m in _matches(text):
        qpre, num, unit0, num2, in1, mag, in2, measure, slash_per, qpost = m.group(
            "qpre", "num", "unit0", "num2", "in1", "mag", "in2", "unit", "per", "qpost")
        num_start, end = m.start("num"), m.end()
        start = m.start("qpre") if qpre else num_start
        before = text[max(0, num_start - 2):num_start]
        key = num + measure
        if not qpre and before.endswith(ordinal):
            continue
        if measure in labels:
            continue  # 3栋, 5-8栋: a building's label, not a count
        if measure in address_units and not qpre and (before.endswith(address) or key in names):
            names.add(key)
            continue
        if not qpost and not slash_per and text[end:end + 1] in not_before.get(measure, ()):
            continue
        if measure == "年" and (float(num) >= 100 or num2):
            continue  # a year, not a duration
        if unit0 and unit0 != measure:
            continue  # 5%-7个: not one range
        if _quoted_name(text, start, end):
            continue  # a name in quotes (“28条”, “稳就业20条”: a policy package), not a quantity
        factor = Decimal(mags[mag]) if mag else None
        unit = measure + (slash_per or "")
        qualifier = quals.get(qpost or "") or quals.get(qpre or "")
        if qualifier is None and (in1 or in2):
            qualifier = "approx"
        span = doc.source_span(start, end)
        subject = _subject(text, start) if measure in _RATE_UNITS else None
        per = _per(text, start) or (slash_per[1:] if slash_per else None)
        value = _value(num, factor)
        if num2:
            high = _value(num2, factor)
            if high <= value:
                continue
            shared = {"span": span, "unit": unit, "subject": subject, "per": per}
            yield _metric({**shared, "value": value, "qualifier": "gte"})
            yield _metric({**shared, "value": high, "qualifier": "lte"})
            continue
        from_value = _changed_from(text, start, unit, previous)
        previous.append((end, value, unit))
        yield _metric({"span": span, "value": value, "unit": unit, "qualifier": qualifier, "from_value": from_value,
                       "subject": subject, "per": per})


def _value(number: str, factor: Decimal | None) -> float:
    """A number times its magnitude, in decimal arithmetic (no binary rounding in the product).
    Without a magnitude, a number of up to 28 digits (the decimal context's precision: its product by
    1 is exact) reads straight as a float: the same nearest float."""
    if factor is None and len(number) <= 28:
        return float(number)
    return float(Decimal(number) * (factor if factor is not None else 1))


def _quoted_name(text: str, start: int, end: int) -> bool:
    """Whether a number and unit end a short quoted phrase (“28条”, “稳就业20条”): a name."""
    if text[end:end + 1] not in "”\"":
        return False
    opening = max(text.rfind("“", max(0, start - 8), start), text.rfind('"', max(0, start - 8), start))
    return opening >= 0 and "”" not in text[opening:start]


def _clause_start(text: str, pos: int, limit: int = 40) -> int:
    lo = max(0, pos - limit)
    cut = max((m.end() for m in _CLAUSE_END.finditer(text, lo, pos)), default=lo)
    return cut


def _subject(text: str, pos: int) -> str | None:
    """What a rate measures: the words of its clause before it (化解率97.8% → 化解率)."""
    head = text[_clause_start(text, pos, 24):pos]
    head = _SUBJECT_TRIM.sub("", head).strip("□ ")
    return head or None


_PER = re.compile(r"每(?:[百千万十]|\d+)?(?:户|人|个|平方米|年|月|天|百户|千人|万人)")


def _per(text: str, pos: int) -> str | None:
    """A 每… unit the clause sets (每百户居民拥有……30平方米 → 每百户)."""
    if text.find("每", max(0, pos - 60), pos) < 0:
        return None  # no 每 in reach: no clause to cut
    clause = text[_clause_start(text, pos, 60):pos]
    m = _PER.search(clause)
    return m.group() if m else None


@functools.cache
def _change_ends() -> frozenset[str]:
    """The last characters of the change verbs, and a line break (``$`` matches before one that ends
    the text): the text right before a number ends with one of them when a change verb ends there."""
    return frozenset({verb[-1] for verb in _data()["change_verbs"]} | {"\n"})


@functools.cache
def _change() -> re.Pattern[str]:
    return re.compile(rf"(?:{lexicon.alternation(_data()['change_verbs'])})$")


def _changed_from(text: str, start: int, unit: str, previous: list[tuple[int, float, str]]) -> float | None:
    """The earlier value of a change written as 将X项……缩减为Y项 (same clause, same unit)."""
    if text[start - 1:start] not in _change_ends() or not _change().search(text[max(0, start - 6):start]):
        return None
    for end, value, prev_unit in reversed(previous):
        between = text[end:start]
        if prev_unit == unit and len(between) <= 40 and not re.search(r"[。；;\n]", between):
            return value
        break
    return None
