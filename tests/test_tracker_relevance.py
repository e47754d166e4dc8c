"""Relevance of later evidence (issue 12): rarity from a shipped table, the same indicator under its other
names, the figure that names it best, and words that stand only inside another document's title."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

import sqzl_docs
from sqzl_docs.tracker import figures, link, relevance, review, store
from sqzl_docs.tracker.candidates import Store, rarity
from sqzl_docs.tracker.schema import migrate
from sqzl_docs.tracker.clauses import indicator_matches, indicator_share

RAW = Path(__file__).resolve().parent.parent / "corpora" / "raw"
SEED = [RAW / "000_a8a32f0196afeb02.txt", RAW / "003_bae5fa7c6a583b1e.txt"]
# other governments and subjects: a national opinion on elderly care, a national work report, a central opinion
UNRELATED = [RAW / "f09_guowuyuan_jiakuai_fazhan_yanglao_fuwuye_ruogan_yijian.txt",
             RAW / "f01_guowuyuan_zhengfu_gongzuo_baogao_2015.txt",
             RAW / "x010_zhonggong_guowuyuan_2017_chengxiang_shequ_zhili_yijian.txt"]


def _verdicts(paths: list[Path], tmp_path: Path, name: str) -> dict[str, tuple[str, str]]:
    db = sqlite_utils.Database(tmp_path / name)
    docs = [sqzl_docs.parse(p) for p in paths]
    store.add(db, docs)
    link.link(db, as_of=dt.date(2023, 12, 28))
    return {r["id"]: (r["status"], r["evidence_ids"]) for r in db.query(
        "SELECT c.id, s.status, a.evidence_ids FROM commitments c JOIN commitment_status s ON s.commitment_id = c.id "
        "JOIN assessments a ON a.commitment_id = c.id WHERE c.document_id = ?", [docs[0].doc_id])}


def test_a_verdict_does_not_move_when_unrelated_documents_are_stored(tmp_path: Path) -> None:
    """Rarity comes from a shipped table, not from the store's own counts: storing documents of other
    governments leaves every verdict of the seed pair and its evidence as they were."""
    alone = _verdicts(SEED, tmp_path, "alone.db")
    assert alone
    for k in range(1, len(UNRELATED) + 1):
        assert _verdicts(SEED + UNRELATED[:k], tmp_path, f"with{k}.db") == alone


def test_rarity_is_the_same_in_any_store() -> None:
    db = sqlite_utils.Database(memory=True)
    migrate(db)
    empty = Store(db)
    assert empty.weight("老旧小区") == rarity("老旧小区") > rarity("社区") > rarity("推进") > rarity("工作")
    assert empty.has_rare(["加装电梯"]) and not empty.has_rare(["工作", "推进"])


def test_an_indicator_under_another_of_its_names() -> None:
    assert indicator_matches("能耗强度下降", "单位国内生产总值能耗下降")
    assert indicator_matches("居民消费价格涨幅", "居民消费价格上涨")
    assert not indicator_matches("能耗强度下降", "单位国内生产总值二氧化碳排放下降")
    # the window that names the indicator itself beats one naming it as part of another (…能耗)
    assert indicator_share("国内生产总值增长", "国内生产总值达到99万亿元，增长") > \
        indicator_share("国内生产总值增长", "单位国内生产总值能耗下降")


_OPENING = "各位代表：\n现在，我代表国务院，向大会报告政府工作。\n"


def _target_rows(plan: str, review_: str, as_of: dt.date, tmp_path: Path) -> dict[str, dict[str, Any]]:
    db = sqlite_utils.Database(tmp_path / "w.db")
    store.add(db, [sqzl_docs.parse_text(_OPENING + plan, "plan.txt"),
                   sqzl_docs.parse_text(_OPENING + review_, "review.txt")])
    link.link(db, as_of=as_of)
    rows = {r["indicator"]: r for r in review.report_rows(db) if r["indicator"] and r["source"] == "plan.txt"}
    if not rows:
        pytest.skip("extraction gives no commitment for this plan sentence (extraction gap)")
    return rows


def test_a_target_is_judged_on_the_figure_naming_its_indicator_best(tmp_path: Path) -> None:
    """Another indicator holding the target's name (单位国内生产总值能耗) is not its figure; a year far short
    of its target is partly reached; a ceiling (涨幅) is met by a much lower figure under another name."""
    plan = ("二、2019年工作总体部署\n今年经济社会发展的主要预期目标是：我们将力争国内生产总值增长8%左右，居民消费价格涨幅4%左右，"
            "全市生产总值增长9%左右。\n")
    review_ = ("一、2019年工作回顾\n单位国内生产总值能耗下降4.1%。国内生产总值达到50万亿元，增长7.8%。"
               "居民消费价格上涨0.5%。全市生产总值增长2.2%。\n二、2020年重点工作\n今年要稳中求进。\n")
    rows = _target_rows(plan, review_, dt.date(2020, 3, 5), tmp_path)
    gdp, cpi, city = rows["国内生产总值增长"], rows["居民消费价格涨幅"], rows["生产总值增长"]
    assert gdp["status"] == "fulfilled" and gdp["ratio"] == pytest.approx(7.8 / 8)
    assert cpi["status"] == "fulfilled" and cpi["ratio"] == pytest.approx(0.5 / 4)
    assert city["status"] == "partially_fulfilled" and city["ratio"] == pytest.approx(2.2 / 9)


def test_words_only_inside_another_document_s_title_are_not_the_object() -> None:
    query = {"服务设施": 7.0, "社区": 4.0, "百户": 7.0, "综合": 2.0}
    text = "发布《社区服务设施设置规范》，社区标准达到10项"
    coverage, words = relevance.outside_titles("推进社区综合服务设施建设", text, query, 0.55, ["服务设施", "社区"])
    assert words == ["社区"] and coverage == pytest.approx(4.0 / 20.0)
    # named in a title by the commitment too: the title is the object (出台《……》 → 《……》印发)
    own = "出台《社区服务设施设置规范》"
    assert relevance.outside_titles(own, text, query, 0.55, ["服务设施", "社区"]) == (0.55, ["服务设施", "社区"])


def test_a_review_stating_the_promised_state_is_completion(tmp_path: Path) -> None:
    """A commitment naming no figure but a state (保持基本平衡, 持续改善, 与……同步) is fulfilled by a review of
    its year that states the state reached on the same object; a review that names the object and reports
    nothing of the kind is not."""
    plan = ("二、2019年工作总体部署\n今年经济社会发展的主要预期目标是：我们将力争国内生产总值增长8%左右，"
            "农民收入增长与经济增长同步，国际收支保持基本平衡，水环境质量持续改善。\n")
    review_ = ("一、2019年工作回顾\n国内生产总值增长7.9%。农民人均可支配收入增长8.2%，快于经济增速。"
               "国际收支基本平衡。水环境质量有新改善，优良水体比例上升。\n二、2020年重点工作\n今年要稳中求进。\n")
    db = sqlite_utils.Database(tmp_path / "s.db")
    store.add(db, [sqzl_docs.parse_text(_OPENING + plan, "plan.txt"),
                   sqzl_docs.parse_text(_OPENING + review_, "review.txt")])
    link.link(db, as_of=dt.date(2020, 3, 5))
    rows = {r["commitment"]: r["status"] for r in review.report_rows(db) if r["source"] == "plan.txt"}
    states = {k: v for k, v in rows.items() if any(w in k for w in ("同步", "基本平衡", "持续改善"))}
    if not states:
        pytest.skip("extraction gives no commitment for these clauses (extraction gap)")
    assert set(states.values()) == {"fulfilled"}, rows


def test_a_state_is_reached_only_in_a_review_and_on_the_object() -> None:
    def cand(text: str, review_year: int | None = 2019) -> Any:
        from collections import Counter

        from sqzl_docs.tracker.candidates import Candidate
        return Candidate("d", 0, len(text), text, "mention", review_year, Counter(), 1)

    assert relevance.state_reached("国际收支保持基本平衡", cand("国际收支基本平衡，外汇储备稳定"), ["国际收支"])
    assert not relevance.state_reached("国际收支保持基本平衡", cand("国际收支基本平衡", None), ["国际收支"])
    assert not relevance.state_reached("国际收支保持基本平衡", cand("财政收支基本平衡，国际收支顺差扩大。"),
                                   ["国际收支"])  # another object's state, two clauses away
    assert not relevance.state_reached("推进口岸建设", cand("国际收支基本平衡"), ["国际收支"])  # promised no state


def test_a_key_noun_held_by_the_sentence_under_another_segmentation() -> None:
    query = {"环境质量": 7.5, "生态环境": 5.3, "改善": 2.7}
    coverage, words = relevance.held(query, "生态环境质量有新改善", 8.0 / 15.5, ["生态环境", "改善"])
    assert words == ["生态环境", "改善", "环境质量"] and coverage == pytest.approx(1.0)


def test_a_ceiling_reported_held_low_without_a_figure_is_met() -> None:
    from collections import Counter

    from sqzl_docs.tracker.candidates import Candidate

    def cand(text: str, review_year: int | None = 2019) -> Candidate:
        return Candidate("d", 0, len(text), text, "done", review_year, Counter(), 1)

    cpi = {"indicator": "居民消费价格涨幅", "target_qualifier": "approx", "target_text": "2.5%左右"}
    assert figures.held_low(cpi, cand("工业生产稳定，居民消费价格涨幅保持较低水平"))
    assert not figures.held_low(cpi, cand("居民消费价格涨幅保持较低水平", None))  # not a review of the year
    assert not figures.held_low(cpi, cand("工业品出厂价格涨幅保持较低水平"))  # another indicator
    growth = {"indicator": "国内生产总值增长", "target_qualifier": "approx", "target_text": "7%左右"}
    assert not figures.held_low(growth, cand("国内生产总值增长保持较低水平"))  # not a ceiling


def test_a_heading_is_done_when_each_sub_heading_has_results_and_half_of_them_completion() -> None:
    parts = link._Parts
    assert parts(5, 10, (2, 1, 2)).whole() is True
    assert parts(5, 10, (2, 0, 2)).whole() is False  # a sub-heading with nothing reported
    assert parts(5, 10, (1, 1, 2)).whole() is False  # mostly work carried on, little completion
    # one paragraph: its sentences say no (few reported done) or yes (all reported, or most done); its
    # quantities are judged apart (test_tracker_agree)
    assert parts(9, 10, (2,), done=6).whole() is False and parts(9, 10, (2,), done=7).whole() is True
    assert parts(2, 2, done=2).whole() is True and parts().whole() is None
    assert "2 of 3" in parts(5, 10, (2, 1, 2)).why()


def test_a_sentence_naming_the_whole_undertaking_is_about_it() -> None:
    assert relevance.verbatim("持续优化营商环境", "持续优化营商环境，出台民营经济促进条例")
    assert not relevance.verbatim("优化营商", "优化营商环境")  # too short to stand for an undertaking
    assert not relevance.verbatim("持续优化营商环境", "营商环境持续优化")


def test_a_year_s_target_is_compared_with_a_figure_of_that_year() -> None:
    from collections import Counter
    from types import SimpleNamespace

    from sqzl_docs.tracker.candidates import Candidate

    def cand(review_year: int | None, doc: str) -> Candidate:
        return Candidate(doc, 0, 9, "国内生产总值增长3%", "done", review_year, Counter(), 1)

    store_ = SimpleNamespace(docs={"a": SimpleNamespace(date="2016-03-05"), "b": SimpleNamespace(date="2023-03-05")})
    c = {"deadline_source": "plan_year", "deadline_end": "2015-12-31"}
    assert figures.of_the_year(c, cand(2015, "b"), store_)  # type: ignore[arg-type]
    assert not figures.of_the_year(c, cand(2022, "b"), store_)  # type: ignore[arg-type]  # another year's review
    assert figures.of_the_year(c, cand(None, "a"), store_)  # type: ignore[arg-type]  # given the next spring
    assert not figures.of_the_year(c, cand(None, "b"), store_)  # type: ignore[arg-type]  # years later
    period = {"deadline_source": "explicit", "deadline_end": "2020-12-31"}
    assert figures.of_the_year(period, cand(None, "b"), store_)  # type: ignore[arg-type]  # not a year's plan


def test_a_review_of_a_year_long_after_the_deadline_is_no_evidence(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A work report's review of 2014 reports 2014's work, not a step an old notice set for 1998."""
    notice = ("国务院办公厅关于开展社会团体清理整顿工作的通知\n国办发〔1997〕11号\n各省、自治区、直辖市人民政府：\n"
              "一、1998年2月底前，完成全部社会团体的重新登记和换发证书工作。\n国务院办公厅\n1997年4月1日\n")
    report = (_OPENING + "一、2014年工作回顾\n全部社会团体完成重新登记和换发证书，行业协会实现直接登记。\n"
              "二、2015年工作总体部署\n今年要稳中求进。\n")

    def rows() -> list[dict[str, Any]]:
        db = sqlite_utils.Database(memory=True)
        store.add(db, [sqzl_docs.parse_text(notice, "notice.txt"), sqzl_docs.parse_text(report, "report.txt")])
        link.link(db, as_of=dt.date(2015, 3, 5))
        return [r for r in review.report_rows(db) if r["source"] == "notice.txt"]

    (row,) = rows()
    assert row["status"] == "overdue" and not row["evidence"]
    monkeypatch.setattr(link, "LATE_YEARS", 100)
    (row,) = rows()
    assert row["evidence"]  # the same review within the window would be linked


def test_words_of_policy_too_generic_to_name_an_object() -> None:
    from sqzl_docs.tracker.candidates import stop_words

    assert {"改革", "改善", "推动"} <= stop_words() and "民生" not in stop_words()


def test_the_government_table_is_sorted_and_holds_shares() -> None:
    from sqzl_docs.tracker.candidates import government

    table = government()
    assert list(table) == sorted(table) and all(0 < v <= 1 for v in table.values())
    # common in government documents, rare in general text: it weighs less than its general rarity
    assert table["试点"] > table["依法行政"] and rarity("试点") < rarity("依法行政")


@pytest.mark.parametrize("income, status", [("5.5%", "fulfilled"), ("4.1%", "partially_fulfilled")])
def test_a_growth_promised_in_step_is_judged_on_both_figures(income: str, status: str) -> None:
    """居民收入增长和经济增长基本同步 against the review's two growth figures (another year's review is not read)."""
    from collections import Counter
    from types import SimpleNamespace

    from sqzl_docs.tracker.candidates import Candidate

    def cand(text: str, figure: str, value: float, review_year: int = 2019) -> Candidate:
        at = text.index(figure)
        metric = {"start": 100 + at, "end": 100 + at + len(figure), "value": value, "unit": "%"}
        return Candidate("d", 100, 100 + len(text), text, "mention", review_year, Counter(), 1, [metric])

    store_ = SimpleNamespace(candidates=[
        cand("全年国内生产总值增长5.2%", "5.2%", 5.2),
        cand(f"居民人均可支配收入实际增长{income}", income, float(income[:-1])),
        cand("居民人均可支配收入实际增长9.9%", "9.9%", 9.9, review_year=2018)])
    c = {"text": "居民收入增长和经济增长基本同步"}
    found = figures.in_step(c, store_, {0, 1, 2}, 2019)  # type: ignore[arg-type]
    assert found is not None and [f[1] for f in found] == [float(income[:-1]), 5.2]
    verdict = link._in_step(c, store_, {0, 1, 2}, 2019)  # type: ignore[arg-type]
    assert verdict is not None and verdict["status"] == status
    assert verdict["ratio"] == pytest.approx(float(income[:-1]) / 5.2, abs=1e-3)
    assert figures.in_step({"text": "推进社区综合服务设施建设"}, store_, {0, 1}, 2019) is None  # type: ignore[arg-type]
