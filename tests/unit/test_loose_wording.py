"""Real wording the interview must read: loose dates, a budget beside other sums, natural confirmations."""

from __future__ import annotations

from datetime import datetime

import pytest

from chanyan.extraction.money import parse_budget
from chanyan.extraction.timeline import parse_timeline
from chanyan.intake.acts import is_yes
from chanyan.intake.answers import parse_answer
from chanyan.intake.normalise import reading_form
from chanyan.intake.people import find_organisation
from chanyan.intake.titles import propose_title
from chanyan.intake.turn import process_turn

EARLY_DECEMBER = datetime(2026, 12, 3, 10, 0)
SPRING = datetime(2027, 4, 10, 10, 0)


@pytest.mark.parametrize(
    ("text", "now", "deadline"),
    [
        ("节后复工之前给个方案", EARLY_DECEMBER, "2027-02-20"),  # two weeks after the festival of 2027-02-06
        ("过完年上班前", EARLY_DECEMBER, "2027-02-20"),
        ("入冬前要装好", EARLY_DECEMBER, "2027-11-30"),
        ("明年夏天以前", EARLY_DECEMBER, "2027-05-31"),
        ("秋天之前能不能弄完", SPRING, "2027-08-31"),
        ("下半年投产", EARLY_DECEMBER, "2027-12-31"),  # said in December: next year's second half
        ("下半年投产", SPRING, "2027-12-31"),
        ("上半年吧", EARLY_DECEMBER, "2027-06-30"),
    ],
)
def test_loose_dates_are_deadlines(text, now, deadline):
    assert parse_timeline(text, now)["deadline"] == deadline


@pytest.mark.parametrize("text", ["中秋前后", "五一前后交货"])
def test_around_a_festival_is_read_with_its_wording(text):
    found = parse_timeline(text, EARLY_DECEMBER)
    assert found["deadline"] is not None and "前后" in found["text"]


@pytest.mark.parametrize("text", ["过了春节以后再做", "年后吧，现在忙", "国庆以后都行"])
def test_a_start_only_answer_is_an_open_time_limit(text):
    found = parse_timeline(text, EARLY_DECEMBER)
    assert found is not None and found["deadline"] is None and found["months"] is None


def test_a_start_in_a_long_first_message_is_no_time_limit():
    assert parse_timeline("2029年以后新标准要求更严，我们想提前做好准备", EARLY_DECEMBER, strict=True) is None


@pytest.mark.parametrize(
    ("text", "low", "high", "kind"),
    [
        ("集团每年研发经费两个亿，这个项目预算在80万左右", 800_000, 800_000, "approx"),
        ("公司的研发投入一年3000万，本次需求单独能拿出200万", 2_000_000, 2_000_000, "exact"),
        ("年产值5个亿，这一块能出个三四十万", 300_000, 400_000, "range"),
        ("机器单价12万一台，每年能省下300万，这个项目预算50万以内", None, 500_000, "upper_bound"),
        ("全年营业额8000万左右，这次拨得出60来万", 600_000, 600_000, "approx"),
        ("budget is up to 300k RMB", None, 300_000, "upper_bound"),
        ("Budget at least 2M CNY", 2_000_000, None, "range"),
    ],
)
def test_the_project_budget_beside_other_sums(text, low, high, kind):
    budget = parse_budget(text, strict=True)
    assert (budget["min_cny"], budget["max_cny"], budget["kind"]) == (low, high, kind)


@pytest.mark.parametrize(
    "text", ["我们一年研发投入有2000万", "年产值3个亿", "单价8万一台", "一年能省下200万"]
)
def test_company_sums_alone_are_no_budget(text):
    assert parse_budget(text, strict=True) is None


@pytest.mark.parametrize(
    "text",
    [
        "就照这个报上去吧",
        "確定送出",
        "好的，按这样提交",
        "没啥问题，可以报了",
        "那就这样交吧",
        "Go ahead and submit it",
        "送出吧",
    ],
)
def test_natural_confirmations(text):
    assert is_yes(reading_form(text))


@pytest.mark.parametrize(
    "text", ["先别提交", "提交之后多久有人联系", "交付时间改成明年", "发一份报价给我", "提交一下材料清单"]
)
def test_not_confirmations(text):
    assert not is_yes(reading_form(text))


@pytest.mark.parametrize(
    ("description", "must"),
    [
        (
            "Hello, our plant makes aluminium wheels. We are looking for an automated porosity inspection system "
            "for our casting line, target under 10 s per wheel.",
            "porosity inspection system",
        ),
        (
            "We need a low-power LoRa soil moisture sensor to monitor our tea gardens. Budget 200k RMB.",
            "sensor",
        ),
        (
            "Hi. Our company would like to develop a battery thermal runaway warning model within 6 months.",
            "model",
        ),
        ("Dear team, we are a dairy farm. Seeking LIMS.", "LIMS"),
    ],
)
def test_english_descriptions_get_a_short_title_of_the_thing_wanted(description, must):
    title = propose_title(description)
    assert must in title and len(title) <= 30
    assert not title.lower().startswith(("hello", "hi", "we ", "dear", "our"))


def test_a_mostly_chinese_message_keeps_the_chinese_title():
    assert "网关" in propose_title("Hi，想做一款工业边缘网关，支持Modbus和MQTT协议转换，功耗要低")


TARGETS_ASKED = {"draft_id": "d", "need_description": "冷库门频繁开关结霜严重，想找人改进除霜控制"}


@pytest.mark.parametrize("text", ["预算大概四十万，明年五一前能装好最好", "經費抓30萬左右，兩個季度內完成"])
def test_budget_and_time_said_when_the_targets_are_asked_are_kept_and_the_targets_asked_again(text):
    result = process_turn(text, "tech_targets", dict(TARGETS_ASKED), now=EARLY_DECEMBER)
    assert "budget" in result.slots and "timeline" in result.slots
    assert "tech_targets" not in result.slots
    assert result.ask == "tech_targets"


def test_a_target_beside_a_budget_is_still_the_targets_answer():
    result = process_turn(
        "除霜时间缩短到10分钟以内，预算四十万", "tech_targets", dict(TARGETS_ASKED), now=EARLY_DECEMBER
    )
    assert "10分钟" in result.slots["tech_targets"]


@pytest.mark.parametrize("text", ["没有特别的要求", "没什么偏好", "无特殊限制"])
def test_no_particular_partner_wish_is_no_preference(text):
    assert "不限" in parse_answer("partner_preference", text, {})["types"]


@pytest.mark.parametrize("text", ["技术咨询加上现场技术服务，无所谓", "技术开发再加上后期技术服务"])
def test_a_cooperation_answer_names_no_company(text):
    assert find_organisation(text, own=True) is None


def test_a_consultancy_is_still_a_company():
    assert find_organisation("我们是杭州明远技术咨询有限公司", own=True) == "杭州明远技术咨询有限公司"


@pytest.mark.parametrize("text", ["农科院或者农业大学", "找个理工大学就行", "师范大学也可以"])
def test_a_kind_of_university_is_a_type_not_a_name(text):
    partner = parse_answer("partner_preference", text, {})
    assert "高校" in partner["types"] and not partner["names"]
