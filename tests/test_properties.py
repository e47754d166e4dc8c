"""Property tests: no extractor raises on any text, and every span holds."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sqzl_docs.extract import run_all
from sqzl_docs.models import Document
from sqzl_docs.structure import analyse

from .conftest import assert_spans_hold

PIECES = st.sampled_from([
    "关于", "的通知", "市民政局", "区人社局", "国务院", "党中央", "到", "2022", "年", "月", "日", "底前", "以来", "起",
    "今年", "去年", "年内", "〔", "〕", "[", "]", "【", "】", "（", "）", "(", ")", "《", "》", "〈", "〉", "号", "第",
    "渝民发", "20162020", "2021511", "项", "个", "万", "亿", "元", "%", "％", "以上", "不低于", "余", "约", "—", "-",
    "、", "，", "。", "：", "\n", "　　", " ", "一、", "（一）", "1.", "一是", "二是", "网友“UU1”", "您好", "联系电话:",
    "89188250", "１２３", "①", "㎡", "\u200b", "\ufeff", "\x00", "\ud800", "十四五", "“十五”期间", "会同", "牵头",
])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(PIECES, max_size=60).map("".join))
def test_extractors_never_raise_and_spans_hold_on_government_like_text(text: str) -> None:
    doc = run_all(analyse(Document.from_text(text)))
    assert_spans_hold(doc)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_extractors_never_raise_on_any_text(text: str) -> None:
    doc = run_all(analyse(Document.from_text(text)))
    assert_spans_hold(doc)


def test_long_line_is_handled() -> None:
    text = ("市民政局会同市财政局到2022年底前完成165项缩减为56项，" * 2000)
    doc = run_all(analyse(Document.from_text(text)))
    assert len(doc.dates) == 2000 and len(doc.metrics) == 4000
    assert_spans_hold(doc)
