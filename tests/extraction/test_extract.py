"""Whole-message extraction: design.md's shape, a rich first message, bad input, entity round trip."""

from __future__ import annotations

import json

import pytest

from chanyan.extraction import EXTRACTOR_NAME, from_entities, to_entities

RICH = (
    "我们是做锂电池的，想用机器视觉检测极片缺陷，预算50-80万，明年6月前要上线，"
    "可以和浙大一起研发，知识产权归我们，联系人王工 13912345678，邮箱 wang@cell-tech.cn"
)
KEYS = {
    "text",
    "domains",
    "keywords",
    "budget",
    "timeline",
    "coop_modes",
    "ip_preference",
    "partner",
    "phones",
    "emails",
    "not_technical",
    "labelled",
}


def test_rich_message_fills_every_field(extractor, now):
    result = extractor.extract(RICH, now=now)
    assert set(result) == KEYS
    assert "803" in [d["sub_code"] for d in result["domains"]]
    assert result["budget"] == {"min_cny": 500_000, "max_cny": 800_000, "kind": "range", "text": "50-80万"}
    assert result["timeline"] == {"deadline": "2027-06-30", "months": None, "text": "明年6月前"}
    assert result["coop_modes"] == ["技术开发(合作开发)"]
    assert result["ip_preference"] == "归企业所有"
    assert result["partner"]["names"] == ["浙江大学"]
    assert result["phones"] == ["13912345678"]
    assert result["emails"] == ["wang@cell-tech.cn"]
    assert "机器视觉" in result["keywords"] and len(result["keywords"]) <= 5
    json.dumps(result, ensure_ascii=False)


def test_domains_ranked_with_scores(extractor):
    ranked = extractor.rank_domains("工厂想上MES，PLC都是西门子的，数据采不上来")
    assert ranked[0]["sub_code"] == "801"
    assert ranked[0]["code"] == "80" and ranked[0]["name"] == "先进制造与自动化"
    assert len(ranked) <= 3
    scores = [d["score"] for d in ranked]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("我们需要做NGS基因测序的生信分析", "20"),
        ("盐雾测试老是不过，想找个有CMA资质的检测机构", "50"),
        ("电镀废水的重金属处理不达标", "70"),
        ("无人机续航想从25分钟提升到40分钟", "30"),
        ("改性PP材料的低气味问题", "40"),
        ("储能电站的BMS要升级", "60"),
    ],
)
def test_top_domain_for_typical_needs(extractor, text, code):
    assert extractor.rank_domains(text)[0]["code"] == code


def test_message_without_a_domain(extractor):
    result = extractor.extract("你好，我想提交一个需求，怎么收费的？")
    assert result["domains"] == [] and result["keywords"] == []


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "锂电池" * 3400,
        "😀🎉🚀",
        "\x00\x01\xff\ufffd\x1b[31m",
        "We need help with PLC programming ASAP",
        None,
        42,
    ],
)
def test_bad_input_returns_empty_result(extractor, text):
    result = extractor.extract(text)
    assert set(result) == KEYS
    assert result["domains"] == [] and result["budget"] is None and result["timeline"] is None
    assert result["coop_modes"] == [] and result["keywords"] == []


def test_explain_lists_terms_and_scores(extractor):
    result = extractor.extract("想用机器视觉检测极片缺陷", explain=True)
    assert "机器视觉" in [t["term"] for t in result["explain"]["terms"]]
    assert result["explain"]["rule_scores"]


def test_entities_round_trip(extractor, now):
    result = extractor.extract(RICH, now=now)
    entities = to_entities(result)
    names = {e["entity"] for e in entities}
    assert {
        "tech_domain",
        "budget",
        "timeline",
        "coop_mode",
        "ip_preference",
        "partner",
        "phone",
        "email",
        "keyword",
    } <= names
    assert all(e["extractor"] == EXTRACTOR_NAME for e in entities)
    domains = [e for e in entities if e["entity"] == "tech_domain"]
    assert domains[0]["value"] == result["domains"][0]["sub_code"]
    assert domains[0]["confidence_entity"] == result["domains"][0]["score"]
    rebuilt = from_entities(entities, text=RICH)
    assert rebuilt == result


def test_from_entities_ignores_other_extractors():
    assert from_entities([]) is None
    assert from_entities([{"entity": "budget", "value": "50万", "extractor": "DIETClassifier"}]) is None


def test_a_text_read_again_gives_the_same_reading_whatever_the_caller_did_with_the_first(extractor, now):
    text = "辊道窑烧成天然气用得太多，想降低气耗，预算80万"
    first = extractor.analyse(text)
    first[0].clear(), first[1].clear(), first[2].clear()  # a caller that changes what it got
    again = extractor.analyse(text)
    assert again[2] and again[0] and (extractor.nlp is None or again[1])
    assert extractor.extract(text, now=now) == extractor.extract(text, now=now)


def test_changing_an_extraction_does_not_change_the_next_reading_of_the_same_message(extractor, now):
    text = "想做污水处理厂曝气节能改造，预算120万，明年6月底前完成"
    first = extractor.extract(text, now=now)
    budget = dict(first["budget"])
    first["budget"]["max_cny"] = 1
    first["domains"].clear()
    again = extractor.extract(text, now=now)
    assert again["budget"] == budget and again["domains"]
