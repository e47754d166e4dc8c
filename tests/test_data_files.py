"""Vocabulary data files load, and their lists are non-empty and free of duplicates."""

from __future__ import annotations

import re
from importlib import resources

import pytest

from sqzl_docs import lexicon

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
