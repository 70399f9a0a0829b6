"""Classes of published-register wording found in the fourth tuning file (published_fresh.jsonl): datelines and
dates of past events beside the real limit, month names read as durations, 一年半, time in use, 其中科研经费,
research verbs used as attributes, soft non-technical requests and self-descriptions worded as a company's
profile."""

from __future__ import annotations

from datetime import datetime

import pytest

from chanyan.extraction.timeline import parse_timeline

NOV = datetime(2026, 11, 20, 10, 0)


def timeline_of(extractor, text: str) -> tuple | None:
    found = extractor.extract(text, now=NOV)["timeline"]
    return None if found is None else (found["deadline"], found["months"])


@pytest.mark.parametrize(
    "text, expected",
    [
        # the date of the report opens the sentence, the limit comes later
        (
            "11月16日，在市里的校企对接会上，一家电池厂与大学签约研发快充负极材料，2028年底前完成中试。",
            ("2028-12-31", None),
        ),
        ("2026年11月，一家轮胎企业与高校共建实验室，研究低滚阻胎面胶配方，经费200万元。", None),
        # a month already past named with this year, and a quarter ahead
        ("该企业今年8月完成首台样机后，正联合高校攻关控制系统，计划明年Q2前定型。", ("2027-06-30", None)),
        # a season in the background, the limit with 前
        ("夏天车间温度太高导致焊点开裂，想改进焊接工艺，下个月底前出方案。", ("2026-12-31", None)),
        ("现有除尘设备已运行八年，想换成高效滤筒除尘，明年5月底前完成改造。", ("2027-05-31", None)),
    ],
)
def test_the_limit_is_not_a_dateline_or_a_background_date(extractor, text, expected):
    assert timeline_of(extractor, text) == expected


def test_a_month_name_is_not_a_duration():
    assert parse_timeline("今年3月投产的生产线想升级", NOV, strict=True) is None
    assert parse_timeline("想三个月完成", NOV, strict=True)["months"] == 3


@pytest.mark.parametrize("text, months", [("执行期两年半", 30), ("项目周期一年半以内", 18)])
def test_a_year_and_a_half_is_eighteen_months(text, months):
    assert parse_timeline(text, NOV, strict=True)["months"] == months


def test_the_research_share_of_a_total_investment_is_the_budget(extractor):
    budget = extractor.extract(
        "一家钢铁集团联合高校攻关氢基竖炉直接还原技术，项目总投资12亿元，其中科研经费6000万元。", now=NOV
    )["budget"]
    assert (budget["min_cny"], budget["kind"]) == (60_000_000, "exact")


@pytest.mark.parametrize(
    "text, kind",
    [
        ("我们自主研发的智能电表已经量产，现需要华东地区的代理商，欢迎有资源的朋友联系。", "selling"),
        ("我们的果蔬清洗机在本地卖得不错，想找外地的销售渠道，有没有做家电批发的朋友？", "selling"),
        ("车间里有一台闲置的五轴加工中心，想转手给有需要的工厂，可以上门看设备。", "selling"),
        ("我们代理的红外热像仪本月有优惠，有采购需求的单位可以联系我。", "selling"),
        ("区里对新研发的首台套设备有奖励，我们刚研制的隧道检测车能不能申报？要提交哪些材料？", "subsidy"),
        ("研发费用加计扣除的比例今年是多少？我们是高新技术企业。", "subsidy"),
        ("麻烦推荐两位做射频芯片测试的工程师，坐标深圳，可以线上面试。", "hiring"),
        ("我们的智能晾衣架想在抖音上卖，有没有靠谱的代运营团队？", "selling"),
        ("省里对购置节能设备有补助吗？我们打算买两台磁悬浮空压机。", "subsidy"),
        ("本公司研發的熱泵乾衣機已通過能效認證，現誠徵各縣市經銷夥伴。", "selling"),
        ("我们开发的巡检机器人需要找渠道推广，有没有做工业品销售的朋友？", "selling"),
        ("厂里有两条闲置的吹塑生产线，想出租出去，有兴趣的联系。", "selling"),
        ("我们明年想招几个做嵌入式开发的应届生，能不能帮忙对接学校就业办？", "hiring"),
        ("想了解一下省级专精特新企业的认定条件，我们去年营收1.5亿。", "subsidy"),
    ],
)
def test_soft_non_technical_requests_are_flagged(extractor, text, kind):
    result = extractor.extract(text, now=NOV)
    assert result["domains"] == []
    assert result["not_technical"]["kind"] == kind


@pytest.mark.parametrize(
    "text",
    [
        "我们的空气炸锅主要通过电商渠道销售，用户反映涂层容易脱落，想开发一种耐磨的不粘涂层，预算30万。",
        "为了打开中东市场，我们的光伏逆变器需要耐受50度高温，想请高校改进散热设计。",
        "我们想买一套污水在线监测设备，需要能测总磷和氨氮，预算40万。",
    ],
)
def test_a_technical_need_that_talks_about_sales_stays_technical(extractor, text):
    result = extractor.extract(text, now=NOV)
    assert result["not_technical"] is None and result["domains"]


@pytest.mark.parametrize(
    "text",
    [
        "我们是一家成立于2012年的精密注塑件制造商，产品已出口到欧美十多个国家，年销售额3亿元。",
        "本公司为专业的电子级气体充装企业，服务客户涵盖国内多家面板厂。",
        "中心现有电镜、X射线衍射仪等大型设备60余台，可对外提供材料表征服务。",
        "学院下设机器人工程、智能制造两个专业，2024年获批省级现代产业学院。",
        "我們是一間做工業冷凍設備安裝的公司，服務超過三百間食品廠。",
        "本研究院是由省政府与高校共建的新型研发机构，聚焦生物制造与合成生物学。",
    ],
)
def test_profiles_worded_as_a_company_or_a_centre_propose_no_need(extractor, text):
    result = extractor.extract(text, now=NOV)
    assert result["domains"] == [] and result["not_technical"] is None and result["budget"] is None


def top_domain(extractor, text: str) -> str | None:
    ranked = extractor.extract(text, now=NOV)["domains"]
    return ranked[0]["code"] if ranked else None


@pytest.mark.parametrize(
    "text, domain",
    [
        # 「面向X之Y」 in a Taiwan title: X is the market, Y the object
        ("面向離岸風電之變流器散熱技術研究", "80"),
        # 「X用Y」: Y is the object, X what it is for
        ("集成电路封装用环氧树脂国产化替代", "40"),
        # 「国产化替代」「预警系统」 after a specific term say little
        ("高端轴承钢冶炼工艺国产化替代", "40"),
        # 「为X研发Y」: X is whom the work is for
        ("该公司将为多家城市轨道交通运营商研发磷酸铁锂储能电池的热管理方案。", "60"),
    ],
)
def test_title_and_news_modifiers_leave_the_object_to_decide(extractor, text, domain):
    assert top_domain(extractor, text) == domain


def test_where_the_product_sells_does_not_decide_the_domain(extractor):
    text = (
        "我们的光伏路灯在电商平台卖得很好，但用户反映雨季灯头进水，想改进灯具外壳的防水密封结构，预算20万。"
    )
    assert top_domain(extractor, text) == "80"


@pytest.mark.parametrize(
    "text, sub_code",
    [
        ("县医院想做一套急诊预检分诊的智能辅助系统，减少护士分诊差错。", "205"),
        ("煤矿想把井下人员定位换成更准的方案，现在误差有十几米。", "802"),
        ("我们做冷冻手抓饼，想改良面团配方，让复热后口感更酥脆。", "206"),
    ],
)
def test_sector_words_of_hospitals_mines_and_frozen_food(extractor, text, sub_code):
    ranked = extractor.extract(text, now=NOV)["domains"]
    assert ranked and ranked[0]["sub_code"] == sub_code


@pytest.mark.parametrize(
    "text, min_cny",
    [
        ("企业拿出300万项目经费，与高校联合攻关稀土永磁电机的退磁问题。", 3_000_000),
        ("客户要求降低加热管结垢，愿意出资2万美元支持我们和高校一起改进。", 144_000),
        ("预算20万方案设计费另算，想找团队做厂区污水提标改造。", 200_000),
    ],
)
def test_an_amount_before_a_word_that_starts_like_a_unit_is_money(extractor, text, min_cny):
    budget = extractor.extract(text, now=NOV)["budget"]
    assert budget is not None and budget["min_cny"] == min_cny


def test_a_count_after_the_number_is_still_no_budget(extractor):
    assert extractor.extract("我们年产3万台洗衣机，想找高校优化电机噪声。", now=NOV)["budget"] is None


def test_financing_already_done_is_background_to_a_need(extractor):
    text = "公司去年已完成8000万元B轮融资，现拟投入200万元与高校合作开发光纤传感器的封装工艺。"
    result = extractor.extract(text, now=NOV)
    assert result["not_technical"] is None
    assert result["budget"]["min_cny"] == 2_000_000
