"""Vocabulary loaded from ``sqzl_docs/data`` once, validated at first use."""

from __future__ import annotations

import csv
import functools
import re
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
