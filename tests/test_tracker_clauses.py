"""The tracker's reading of text (issue 12): target clauses, what a later sentence reports, work-report years."""

from __future__ import annotations

import pytest

from sqzl_docs.tracker.clauses import indicator_matches, target_clause
from sqzl_docs.tracker.sentences import classify, delivered_by, periods, principle


def _clause(text: str, figure: str, qualifier: str | None = None):  # type: ignore[no-untyped-def]
    at = text.index(figure)
    return target_clause(text, at, at + len(figure), qualifier)


def test_a_target_clause_gives_indicator_value_and_comparator() -> None:
    k = _clause("主要预期目标是：国内生产总值增长6%以上，城镇新增就业1100万人以上。", "6%")
    assert k is not None and k.text == "国内生产总值增长6%以上" and k.indicator == "国内生产总值增长"
    assert k.comparator == "gte"
    k = _clause("力争国内生产总值增长5%左右。", "5%")
    assert k is not None and k.indicator == "国内生产总值增长" and k.comparator == "approx"
    k = _clause("完成100公里架空线入地及合杆整治。", "100公里")
    assert k is not None and "架空线入地" in k.indicator  # the object follows the figure


def test_a_clause_giving_several_indicators_their_figures_stands_for_each() -> None:
    """X、Y分别为A和B: one clause, two targets (A of X, B of Y), told apart by ``part``."""
    text = "主要预期目标是：农村居民收入、城镇居民收入分别增长7%左右和6%左右，粮食产量保持稳定。"
    first, second = _clause(text, "7%"), _clause(text, "6%")
    assert first is not None and second is not None and first.text == second.text
    assert (first.indicator, first.part, first.comparator) == ("农村居民收入", 0, "approx")
    assert (second.indicator, second.part) == ("城镇居民收入", 1)


@pytest.mark.parametrize("text, figure", [("去年国内生产总值增长6.9%。", "6.9%"),
                                          ("全员劳动生产率从人均8.7万元提高到12万元以上。", "8.7万元"),
                                          ("1995年我国共发生5级以上地震48次。", "48次")])
def test_a_figure_describing_the_present_is_not_a_target(text: str, figure: str) -> None:
    assert _clause(text, figure) is None


def test_the_same_indicator_and_not_another() -> None:
    assert indicator_matches("国内生产总值增长", "国内生产总值达到67.7万亿元，增长")
    assert indicator_matches("城镇新增就业", "城镇新增就业")
    assert not indicator_matches("城镇新增就业", "进出口总额下降")
    assert not indicator_matches("完成", "完成")  # a verb alone names no indicator
    assert indicator_matches("完成美丽乡村示范村建设", "美丽乡村示范村")  # what it measures, less its verbs


@pytest.mark.parametrize("sentence, kind", [
    ("今年初，该平台正式上线运行", "done"),
    ("建成区县社会工作指导中心41个", "done"),
    ("稳步推进社区综合服务设施建设", "under_way"),
    ("去年我国进出口总额出现下降，预期增长目标未能实现", "shortfall"),
    ("下一步，我们将继续推进社区减负", "restatement"),
    ("各地区、各部门特别是重点监视防御区所在地人民政府，要按照党中央、国务院的要求，做好工作", "restatement"),
    ("2021年3月底前，试点城市政府进行评估总结", "restatement"),
    ("高度重视社区治理工作", "effort"),
    ("统筹研究论证社区综合服务设施面积", "effort"),
    ("新增供应各类保障房6.1万套", "done"),  # 供应 is not the directive 应
    ("全年发展主要预期目标是：城镇新增就业1100万人以上", "restatement"),  # a year's targets stated
])
def test_what_a_later_sentence_reports(sentence: str, kind: str) -> None:
    assert classify(sentence) == kind


def test_a_plan_documents_directive_is_a_restatement() -> None:
    assert classify("推动全部民用建筑落实绿色建筑标准", plan_document=True) == "restatement"
    assert classify("去年新建绿色建筑50万平方米", plan_document=True) == "done"


def test_work_report_years() -> None:
    text = ("各位代表：\n现在，我代表国务院，向大会报告政府工作。\n一、2015年工作回顾\n过去一年……\n"
            "二、“十三五”时期主要目标任务\n……\n三、2016年重点工作\n今年……\n四、政府自身建设\n……\n")
    p = periods(text)
    assert [y for y, _s, _e in p.reviews or []] == [2015] and p.plan_year == 2016
    review_end = (p.reviews or [])[0][2]
    assert text[review_end:].startswith("二、")  # the review ends at the next numbered section
    assert p.plan_year_at(text.index("四、")) == 2016  # the plan runs on through sections without a year
    assert delivered_by(text) == "国务院"
    assert periods("……", "关于印发《静安区2025年碳达峰碳中和及节能减排重点工作安排》的通知").plan_year == 2025


def test_statements_of_principle() -> None:
    assert principle("我们将坚持对台工作大政方针")
    assert not principle("坚持不懈抓好“三农”工作")
    assert principle("我们要继续全面准确、坚定不移贯彻“一国两制”方针")  # past its subject and manner
    assert principle("要更好发挥社会组织参与基层治理的作用")  # a standing aim
    assert not principle("我们要继续全面完成农村危房改造")
