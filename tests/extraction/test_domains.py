"""所属领域 ranking rules: introductions, questions to the assistant, term boundaries, model-only proposals."""

from __future__ import annotations

import pytest

from chanyan.extraction.domains import DomainRanker, is_introduction, self_description_spans


@pytest.fixture(scope="module")
def ranker(extractor) -> DomainRanker:
    return DomainRanker(extractor.taxonomy)


def rule_codes(extractor, ranker, text: str) -> list[str]:
    """Sub-codes ranked by the keyword rules alone (no classifier), with jieba token boundaries."""
    boundaries, _, _ = extractor.analyse(text)
    ranked, _ = ranker.rank(text, matches=ranker.match_terms(text, boundaries))
    return [d["sub_code"] or d["code"] for d in ranked]


@pytest.mark.parametrize(
    "text",
    [
        "我司主营锂电池pack，年产值两个亿",
        "我们是一家做光伏支架的厂，在常州",
        "我们是一家做新能源汽车零部件的企业，位于常州，员工500人",
        "公司成立于2008年，主要生产汽车零部件",
        "单位名称：合肥某某机械有限公司",
        "我们主要做精密模具，给汽车厂配套",
        "你们是机器人还是真人啊",
    ],
)
def test_introductions_and_questions_to_the_assistant_propose_no_domain(extractor, ranker, text):
    assert rule_codes(extractor, ranker, text) == []
    assert extractor.rank_domains(text) == []


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("我司主营锂电池pack，产线想上MES，报工和追溯都要", "801"),
        (
            "我们是做锂电池的，有个技术难题想找专家",
            "603",
        ),  # nothing else named: the business is the best guess
        ("苏州精工模具有限公司想找人做模流分析", "501"),
        ("你是机器人吗，我们想找做焊接机器人的团队", "804"),
    ],
)
def test_a_need_after_an_introduction_is_ranked(extractor, ranker, text, code):
    assert rule_codes(extractor, ranker, text)[0] == code


def test_self_description_spans_stop_before_the_need():
    text = "我们想找一家做机器视觉的公司"
    assert self_description_spans(text) == []
    assert not is_introduction(text, [], self_description_spans(text))
    spans = self_description_spans("我们公司是做注塑件的，主要给家电厂配套")
    assert spans[:1] == [(0, 10)]


def test_short_terms_inside_one_token_count_but_not_across_tokens(extractor, ranker):
    assert "803" in rule_codes(extractor, ranker, "在线近红外光谱仪，想国产化")
    boundaries, _, _ = extractor.analyse("想优化工艺参数")
    assert "化工" not in [m.term for m in ranker.match_terms("想优化工艺参数", boundaries)]


def test_the_classifier_alone_needs_confidence_and_a_need(ranker):
    need = "老问题一直解决不了，想找个团队彻底搞定"
    assert ranker.rank(need, {"101": 0.95, "NONE": 0.02})[0][0]["sub_code"] == "101"
    assert ranker.rank(need, {"101": 0.7, "NONE": 0.1})[0] == []
    # A deadline is an answer, however sure the classifier is.
    assert ranker.rank("时间上不要超过今年年底", {"707": 0.95, "NONE": 0.01})[0] == []
