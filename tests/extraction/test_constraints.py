"""Budget, timeline, 合作方式, 知识产权, 意向合作方 and contact parsing, as a user would phrase them."""

from __future__ import annotations

import pytest

from chanyan.domain.schema import COOP_MODES, PARTNER_TYPES


@pytest.mark.parametrize(
    ("text", "low", "high", "kind"),
    [
        ("50-80万", 500_000, 800_000, "range"),
        ("三五十万", 300_000, 500_000, "range"),
        ("两三百万", 2_000_000, 3_000_000, "range"),
        ("预算30w", 300_000, 300_000, "exact"),
        ("50万以内", None, 500_000, "upper_bound"),
        ("不超过100万元", None, 1_000_000, "upper_bound"),
        ("大概二十万", 200_000, 200_000, "approx"),
        ("50万左右", 500_000, 500_000, "approx"),
        ("一百五十万", 1_500_000, 1_500_000, "exact"),
        ("1.5亿", 150_000_000, 150_000_000, "exact"),
        ("至少100万", 1_000_000, None, "range"),
        ("预算10万美元", 720_000, 720_000, "exact"),
        ("三十来万", 300_000, 300_000, "approx"),
        ("两百来万吧", 2_000_000, 2_000_000, "approx"),
        ("十来万", 100_000, 150_000, "range"),
        ("50万出头", 500_000, 500_000, "approx"),
        ("一百二十万封顶", None, 1_200_000, "upper_bound"),
        ("预算以80万为限", None, 800_000, "upper_bound"),
    ],
)
def test_budget_amounts(extractor, text, low, high, kind):
    budget = extractor.parse_budget(text)
    assert (budget["min_cny"], budget["max_cny"], budget["kind"]) == (low, high, kind)
    assert budget["text"] in text


def test_budget_keeps_foreign_currency_wording(extractor):
    assert extractor.parse_budget("5万欧元")["text"] == "5万欧元"


@pytest.mark.parametrize(
    ("text", "kind"),
    [("面议", "negotiable"), ("暂不确定", "unknown"), ("还没定", "unknown"), ("不清楚", "unknown")],
)
def test_budget_answers_without_amount(extractor, text, kind):
    assert extractor.parse_budget(text) == {"min_cny": None, "max_cny": None, "kind": kind, "text": text}


def test_counts_are_not_budgets(extractor):
    assert extractor.parse_budget("连接器插拔寿命不到5000次，客户要求1万次") is None
    assert extractor.extract("想做一台30W激光器的散热")["budget"] is None


@pytest.mark.parametrize(
    ("text", "deadline", "months"),
    [
        ("明年6月前", "2027-06-30", None),
        ("年底前", "2026-12-31", None),
        ("明年底", "2027-12-31", None),
        ("半年内", None, 6),
        ("3个月内完成", None, 3),
        ("一年左右", None, 12),
        ("Q3前", "2026-09-30", None),
        ("下个月", "2026-04-30", None),
        ("2月底前", "2027-02-28", None),
        ("两周内", "2026-03-29", None),
    ],
)
def test_timeline(extractor, now, text, deadline, months):
    timeline = extractor.parse_timeline(text, now=now)
    assert (timeline["deadline"], timeline["months"]) == (deadline, months)


def test_timeline_not_urgent(extractor, now):
    assert extractor.parse_timeline("不急", now=now) == {"deadline": None, "months": None, "text": "不急"}
    assert extractor.parse_timeline("时间不限", now=now)["deadline"] is None


def test_company_age_is_not_a_timeline(extractor, now):
    assert extractor.extract("公司成立3年了，做注塑的", now=now)["timeline"] is None


@pytest.mark.parametrize(
    ("text", "modes"),
    [
        ("想委托高校帮我们开发", ["技术开发(委托开发)"]),
        ("一起研发也行", ["技术开发(合作开发)"]),
        ("联合开发", ["技术开发(合作开发)"]),
        ("想买专利", ["技术转让"]),
        ("技术咨询和人才合作都要", ["技术咨询", "人才合作"]),
        ("想和院所共建联合实验室", ["共建研发平台"]),
    ],
)
def test_coop_modes(extractor, text, modes):
    assert extractor.parse_coop_modes(text) == modes
    assert set(modes) <= set(COOP_MODES)


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("知识产权归我们", "归企业所有"),
        ("专利双方共有", "双方共有"),
        ("成果可以归学校", "归研发方所有"),
        ("知识产权可以协商", "协商确定"),
    ],
)
def test_ip_preference(extractor, text, phrase):
    assert extractor.parse_ip_preference(text) == phrase


def test_partner_names_types_and_regions(extractor):
    partner = extractor.parse_partner("希望和浙大或者中科院宁波材料所合作，最好是长三角的")
    assert partner["names"] == ["浙江大学", "中国科学院宁波材料技术与工程研究所"]
    assert partner["types"] == ["高校", "科研院所"]
    assert partner["regions"] == ["长三角"]
    assert set(partner["types"]) <= set(PARTNER_TYPES)


def test_own_location_is_not_a_partner_region(extractor):
    assert extractor.parse_partner("我们是苏州的企业，想找江苏省内的大学")["regions"] == ["江苏"]


def test_phones_and_emails(extractor):
    result = extractor.extract("电话 +86 138-1234-5678，邮箱 Zhang.San@Example.COM")
    assert result["phones"] == ["13812345678"]
    assert result["emails"] == ["Zhang.San@example.com"]
    assert extractor.extract("订单号 12812345678")["phones"] == []


@pytest.mark.parametrize(
    ("text", "low", "kind"),
    [("预算大盖二十万", 200_000, "approx"), ("四十万作右吧", 400_000, "approx")],
)
def test_a_mistyped_budget_word_is_read_in_the_first_message_too(extractor, text, low, kind):
    budget = extractor.parse_budget(text)
    assert (budget["min_cny"], budget["kind"]) == (low, kind)
    assert budget["text"] in text  # the span is what the user typed


def test_a_word_that_looks_like_a_typo_is_left_alone():
    from chanyan.extraction.textnorm import normalize_text

    text = "想做高效节能的电机改造，提高准确人脸识别率"
    assert normalize_text(text).text == text


def test_a_partner_region_can_be_a_part_of_the_country(extractor):
    assert extractor.extract("希望找华南地区的高校或科研院所")["partner"]["regions"] == ["华南"]
    # A university named after a region is a name, not the region.
    partner = extractor.extract("想找华中农业大学合作")["partner"]
    assert partner["names"] == ["华中农业大学"] and partner["regions"] == []
