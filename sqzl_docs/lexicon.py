"""Vocabulary loaded from ``sqzl_docs/data`` once, validated at first use."""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Iterable
from importlib import resources
from typing import Any

import yaml


@functools.cache
def load(name: str) -> Any:
    """The parsed YAML data file ``name`` (e.g. ``"metadata_labels.yaml"``)."""
    with resources.files("sqzl_docs.data").joinpath(name).open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def alternation(words: list[str], *, spaced: bool = False) -> str:
    """A regex alternation of ``words``, longest first; ``spaced`` allows whitespace between characters."""
    ordered = sorted(set(words), key=lambda w: (-len(w), w))
    if spaced:
        return "|".join(r"\s*".join(re.escape(c) for c in w.replace(" ", "")) for w in ordered)
    return "|".join(re.escape(w) for w in ordered)


def ideographs_except(chars: Iterable[str]) -> str:
    r"""A character class of the ideographs U+4E00–U+9FFF other than ``chars``: the same characters as
    ``(?:(?![…])[\u4e00-\u9fff])``, but one class, which ``re`` repeats in one quick step where the
    look-ahead is a step of its own at every character."""
    left_out = sorted({ord(c) for c in chars if len(c) == 1 and "\u4e00" <= c <= "\u9fff"})
    ranges, low = [], 0x4E00
    for c in left_out + [0xA000]:
        if c > low:
            ranges.append(f"\\u{low:04x}" if c - 1 == low else f"\\u{low:04x}-\\u{c - 1:04x}")
        low = c + 1
    return "[" + "".join(ranges) + "]"


def any_of(words: list[str]) -> str:
    """A regex that matches where one of ``words`` starts, for a look-ahead that needs no more than
    that: grouped by first character (中(?:国人民银行|央办公厅…)|乡|交(?:通运输|警…)…), so a
    position is ruled out by one try a first character, not one a word.

    >>> any_of(["市委", "市", "区县", "区政府"])
    '区(?:政府|县)|市'
    """
    by_first: dict[str, list[str]] = {}
    for w in words:
        by_first.setdefault(w[0], []).append(w[1:])
    parts = []
    for first, rests in sorted(by_first.items()):
        if "" in rests:  # the character alone is a word: any longer one starts with it
            parts.append(re.escape(first))
        else:
            parts.append(f"{re.escape(first)}(?:{alternation(rests)})")
    return "|".join(parts)


@functools.cache
def places() -> frozenset[str]:
    """Names of administrative divisions (重庆市, 江夏区, 四川省 …), from ``data/places.csv``."""
    with resources.files("sqzl_docs.data").joinpath("places.csv").open(encoding="utf-8") as f:
        return frozenset(row["name"] for row in csv.DictReader(f))


@functools.cache
def metadata_labels() -> dict[str, str]:
    """Label as written (no spaces) → canonical metadata field name."""
    table: dict[str, str] = {}
    for name, labels in load("metadata_labels.yaml").items():
        for label in labels:
            table[label.replace(" ", "")] = name
    return table


@functools.cache
def boilerplate_lines() -> re.Pattern[str]:
    patterns = load("boilerplate.yaml")["lines"]
    return re.compile("|".join(f"(?:{p})" for p in patterns))


@functools.cache
def structure_cues() -> dict[str, Any]:
    return load("structure_cues.yaml")
