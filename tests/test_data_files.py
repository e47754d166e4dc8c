"""Vocabulary data files load, and their lists are non-empty and free of duplicates."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest

from sqzl_docs import lexicon, structure
from sqzl_docs.grammar import dates as grammar_dates
from sqzl_docs.grammar.dates import Cue, date_cues
from sqzl_docs.models import Document
from sqzl_docs.structure import lines as lines_module
from sqzl_docs.structure.lines import is_furniture

FILES = sorted(p.name for p in resources.files("sqzl_docs.data").iterdir() if p.name.endswith(".yaml"))


@pytest.mark.parametrize("name", FILES)
def test_lists_are_non_empty_and_unique(name: str) -> None:
    def walk(node: object, where: str) -> None:
        if isinstance(node, list):
            assert node, f"{where} is empty"
            assert len(node) == len(set(map(str, node))), f"{where} has duplicates"
        elif isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{where}.{key}")

    walk(lexicon.load(name), name)


def test_metadata_labels_map_to_one_field_each() -> None:
    seen: dict[str, str] = {}
    for field, labels in lexicon.load("metadata_labels.yaml").items():
        for label in labels:
            assert label not in seen, f"{label} under {seen.get(label)} and {field}"
            seen[label] = field


def test_boilerplate_patterns_compile_and_spare_document_text() -> None:
    pattern = lexicon.boilerplate_lines()
    assert pattern.fullmatch("您当前的位置:首页/政务公开/建议提案办理")
    assert pattern.fullmatch("【 下载 】 【 打印 】")
    for line in ("一、老旧社区治理推进情况", "市民政局会同市住房城乡建委出台《方案》。", "重庆市民政局"):
        assert not pattern.fullmatch(line), line
    for p in lexicon.load("boilerplate.yaml")["lines"]:
        re.compile(p)


def test_furniture_test_is_the_fullmatch_of_the_boilerplate_patterns() -> None:
    """The structure stage searches for the words of ``.*(…).*`` patterns rather than fullmatching them."""
    pattern = lexicon.boilerplate_lines()
    lines = ['<svg viewBox="0 0 24 24">', "viewBox", "abc class=\"x\" def", "stroke-width", "strokewidth 1",
             "首页 > 政务公开", "您当前的位置:首页", "重庆市民政局", "打印 | 关闭", "xmlns", "a\rclass=\"", "class="]
    for line in lines:
        assert is_furniture(line) == bool(pattern.fullmatch(line)), line


def test_furniture_test_of_other_patterns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Words that are patterns (searched for), words that are not (looked for with ``in``), and patterns
    that only look like ``.*(…).*``."""
    patterns = [r".*(a\d|b-c).*", ".*(xy|z=\").*", ".*(p)|(q).*", "(r)", ".*(s).*t"]
    monkeypatch.setattr(lexicon, "load", lambda name: {"lines": patterns})
    lines_module._furniture.cache_clear()
    try:
        combined = re.compile("|".join(f"(?:{p})" for p in patterns))
        for line in ["a1", "xa9y", "b-c", "bc", "wxy", "z=\"", "p", "pq", "q", "qq", "r", "rr", "st", "s", "", "a"]:
            assert is_furniture(line) == bool(combined.fullmatch(line)), line
    finally:
        monkeypatch.undo()
        lines_module._furniture.cache_clear()


# Keys whose names are data (metadata field names, read by iterating the file), not settings.
_KEYS_READ_BY_ITERATION = {"metadata_labels.yaml"}


def _package_source() -> str:
    root = resources.files("sqzl_docs")
    return "\n".join(p.read_text(encoding="utf-8") for p in Path(str(root)).rglob("*.py"))


@pytest.mark.parametrize("name", [n for n in FILES if n not in _KEYS_READ_BY_ITERATION])
def test_every_key_of_a_data_file_is_read(name: str) -> None:
    """A key no code names looks authoritative and changes nothing."""
    source = _package_source()
    data = lexicon.load(name)
    unread = [k for k in data if f'"{k}"' not in source and f"'{k}'" not in source and f".{k}" not in source]
    assert not unread, f"{name}: {unread} are read by no code"


def test_date_cues_load_through_their_model() -> None:
    cues = date_cues()
    assert cues.before["到"].role == "deadline" and cues.after["以来"].role == "period"
    assert cues.after["年底"].narrow == "end" and cues.after["年内"].within
    with pytest.raises(ValueError):
        Cue.model_validate({"role": "someday"})


def test_a_cue_added_to_the_data_means_what_the_data_says(monkeypatch: pytest.MonkeyPatch) -> None:
    from sqzl_docs.extract import dates

    text = "2023年为止完成。\n重庆市民政局\n2021年5月11日"
    doc = structure.analyse(Document.from_text(text))
    assert [d.role for d in dates.extract(doc)][0] == "mention"
    data = dict(lexicon.load("date_cues.yaml"))
    data["after"] = {**data["after"], "为止": {"role": "deadline"}}
    real_load = lexicon.load
    monkeypatch.setattr(lexicon, "load", lambda n: data if n == "date_cues.yaml" else real_load(n))
    for cached in (date_cues, grammar_dates.expression, grammar_dates.forms):
        cached.cache_clear()
    try:
        found = list(dates.extract(doc))
        assert (found[0].span.text, found[0].role) == ("2023年为止", "deadline")
    finally:
        monkeypatch.undo()
        for cached in (date_cues, grammar_dates.expression, grammar_dates.forms):
            cached.cache_clear()
