"""Names in the contact reply and in passing: organisations with branches and brackets, people inside phrases."""

from __future__ import annotations

import pytest

from chanyan.intake.normalise import reading_form
from chanyan.intake.people import find_organisation, find_person, parse_contact


def contact(text: str, asked: str | None = "enterprise_name") -> dict[str, str]:
    return parse_contact(reading_form(text), asked=asked).as_slots()


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("采购部的龚经理", "龚经理"),
        ("质量部的孟主任", "孟主任"),
        ("我是技术负责人龚立新", "龚立新"),
        ("我是这边的技术负责人龚立新", "龚立新"),
        ("我是办公室的小刘", "小刘"),
        ("大家都叫我老龚", "老龚"),
        ("大家都叫我老龚，龚建华", "龚建华"),
        ("敝姓蔡，蔡佳蓉", "蔡佳蓉"),
        ("李工（李明轩）", "李明轩"),
        ("罗建平（技术中心主任）", "罗建平"),
        ("联系人马场长", "马场长"),
        ("张德胜13904718826", "张德胜"),
        ("李文斌，哦不对，是李文彬", "李文彬"),
        ("联系人李文斌……不对不对，是李文彬", "李文彬"),
    ],
)
def test_a_person_inside_a_phrase_of_roles_and_departments(text, name):
    assert contact(text, asked="contact_name")["contact_name"] == name


@pytest.mark.parametrize("text", ["控制的温度", "产品的高度", "采购部的方案", "技术部的文件"])
def test_an_ordinary_word_after_a_role_is_not_a_name(text):
    assert find_person(text, bare_ok=True) is None  # 温度, 高度: surname-initial words jieba does not tag nr


@pytest.mark.parametrize(
    ("text", "org", "person"),
    [
        ("单位是郑州思味园食品有限公司，采购部的龚经理，13838291746", "郑州思味园食品有限公司", "龚经理"),
        (
            "包头北辰矿业集团有限公司选矿分公司 张德胜13904718826",
            "包头北辰矿业集团有限公司选矿分公司",
            "张德胜",
        ),
        ("湖南湘能电力研究院输变电分院，大家都叫我老龚，龚建华", "湖南湘能电力研究院输变电分院", "龚建华"),
        (
            "厦门象屿港务有限公司 海天码头分公司；联系人 陈志明",
            "厦门象屿港务有限公司 海天码头分公司",
            "陈志明",
        ),
        ("云南白药集团股份有限公司，研发中心的杨博士", "云南白药集团股份有限公司", "杨博士"),
        ("武汉理工大学材料学院，联系人：王老师", "武汉理工大学材料学院", "王老师"),
        (
            "Suzhou Greentech Co., Ltd.（苏州绿技科技有限公司），Peter Chen",
            "苏州绿技科技有限公司",
            "Peter Chen",
        ),
        ("台灣的公司叫鴻準精密工業股份有限公司，聯絡人林志豪", "鸿准精密工业股份有限公司", "林志豪"),
    ],
)
def test_the_contact_reply_with_branches_brackets_and_roles(text, org, person):
    found = contact(text)
    assert (found.get("enterprise_name"), found.get("contact_name")) == (org, person)


@pytest.mark.parametrize(
    "text",
    [
        "我这边是郑州一家做速冻水饺的食品厂的采购，姓龚",
        "我们是苏州的第三方检测实验室，想做CNAS认可",
        "最近好几家医院反馈说过滤膜容易堵",
    ],
)
def test_a_described_organisation_is_not_a_name(text):
    assert find_organisation(reading_form(text), own=True) is None


def test_an_english_registered_name_when_no_chinese_one_is_given():
    assert find_organisation("NovaChip Inc.，Jason Wu，13601729953", bare_ok=True) == "NovaChip Inc."


@pytest.mark.parametrize(
    ("text", "org"),
    [
        (
            "我们单位全称比较长：中国电建集团华东勘测设计研究院有限公司",
            "中国电建集团华东勘测设计研究院有限公司",
        ),
        ("哦，公司名字是杭州某某科技有限公司", "杭州某某科技有限公司"),
    ],
)
def test_the_company_answer_with_its_lead_in(text, org):
    assert find_organisation(text, bare_ok=True) == org


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("叫我梁总就行，梁国栋", "梁国栋"),
        ("我就是陈总，陈国强，电话13805861234", "陈国强"),
        ("叫我Kevin就行，全名Kevin Zhang", "Kevin Zhang"),
        ("联系人换成Michael Li", "Michael Li"),
        ("你们就找张经理，张海波，13912345678", "张海波"),
        ("嗯……贾工", "贾工"),
    ],
)
def test_the_full_name_wins_over_a_title_or_a_first_name(text, name):
    assert contact(text, asked="contact_name")["contact_name"] == name


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("大家都叫我老龚，想做局放监测", "老龚"),
        ("我是技术员小陈，我们的模具冷却不均匀", "小陈"),
        ("我是浙江大学的老师，想转化一个专利", None),
        ("我是小时工", None),
    ],
)
def test_a_nickname_in_passing_but_not_an_everyday_word(text, name):
    assert find_person(text, explicit=True) == name


@pytest.mark.parametrize(
    ("text", "org", "person"),
    [
        ("手机13962345678 龚立新 梦兰纺织", "梦兰纺织", "龚立新"),
        ("梦兰纺织的龚立新，13962345678", "梦兰纺织", "龚立新"),
        ("常熟梦兰纺织有限公司技术部龚立新13962345678", "常熟梦兰纺织有限公司", "龚立新"),
        ("单位常熟梦兰纺织有限公司联系人龚立新手机13962345678", "常熟梦兰纺织有限公司", "龚立新"),
        ("我叫龚立新在常熟梦兰纺织有限公司上班", "常熟梦兰纺织有限公司", None),
    ],
)
def test_an_unpunctuated_or_reordered_contact_reply(text, org, person):
    found = contact(text)
    assert (found.get("enterprise_name"), found.get("contact_name")) == (org, person)


def test_a_formal_self_introduction_names_the_company():
    assert (
        find_organisation("敝公司是苏州精瓷科技有限公司，想做氧化锆陶瓷", own=True) == "苏州精瓷科技有限公司"
    )


@pytest.mark.parametrize(
    "text", ["慈溪市悦的电器有限公司，悦是喜悦的悦", "美的集团", "佛山市优的电器股份有限公司"]
)
def test_a_brand_with_de_inside_a_registered_name_is_the_company(text):
    assert find_organisation(text, bare_ok=True) == text.split("，")[0]


@pytest.mark.parametrize("text", ["苏州的模具厂", "宁波的一家模具有限公司", "做注塑的公司"])
def test_a_place_and_de_before_a_trade_still_describes(text):
    assert find_organisation(text, bare_ok=True) is None


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("我叫亓红军", "亓红军"),
        ("逄立新", "逄立新"),
        ("联系人訾红梅", "訾红梅"),
        ("我是厂长助理，姓逄，逄晓雯", "逄晓雯"),
    ],
)
def test_rare_surnames_are_names(text, name):
    assert find_person(text) == name


def test_a_rare_surname_in_a_spoken_contact_block():
    contact = parse_contact("周口市金穗面业有限公司 亓红军 幺五九三七六二零八四五 邮箱没有", asked="contact")
    assert (contact.contact_name, contact.phones) == ("亓红军", ["15937620845"])
