"""Classes of published-register wording found in the fifth tuning file (published_round5.jsonl): non-technical
requests worded by a marketing or HR department (promotion, franchising, attracting tenants, a contract
manufacturer, machines for sale, spare capacity, a merger, a roadshow, a support programme, talent programmes),
and technical needs that mention money, customers or a subsidy in passing."""

from __future__ import annotations

from datetime import datetime

import pytest

NOV = datetime(2026, 11, 20, 10, 0)


@pytest.mark.parametrize(
    "text, kind",
    [
        ("新推出的茶饮品牌正在寻找城市合伙人，负责当地的品牌推广与门店拓展。", "selling"),
        ("烘焙连锁品牌开放招商加盟，总部统一配送原料并提供门店设计，欢迎咨询。", "selling"),
        ("科技园三号楼写字间现面向科技型企业招商，前两年免租金。", "selling"),
        ("我们的护肤品配方已经定型，想找一家有化妆品生产许可的代工厂贴牌生产。", "selling"),
        ("工厂升级后有一批闲置的数控车床对外转让，八成新，可以来看机器。", "selling"),
        ("我们车间注塑机产能富余，可以承接外协注塑订单，欢迎来厂考察。", "selling"),
        ("本公司代理日本品牌的工业内窥镜，年底推出回馈方案，欢迎来电洽询。", "selling"),
        ("我们想把自家的高山茶叶做成一个地方特色品牌，需要营销策划公司帮忙。", "selling"),
        ("本公司經營醫療耗材二十年，現尋求被上市公司併購或引入戰略投資者。", "financing"),
        ("我们做的工业质检软件已经有二十家客户，想报名参加投资机构的项目路演。", "financing"),
        ("想问问市里的中小企业数字化扶持计划什么时候开始受理，我们打算申请。", "subsidy"),
        ("我市启动新一轮人才引进工程，对新能源、集成电路领域的领军人才提供购房补贴。", "hiring"),
        ("诚邀具有十年以上光学设计经验的研发总监加盟，待遇从优。", "hiring"),
    ],
)
def test_marketing_and_hr_wording_is_flagged_as_not_technical(extractor, text, kind):
    result = extractor.extract(text, now=NOV)
    assert result["domains"] == []
    assert result["not_technical"]["kind"] == kind


@pytest.mark.parametrize(
    "text",
    [
        # a subsidy and an order in passing, the request is technical work
        "市里对数字化改造有补贴，我们想把冲压车间的设备联网，实现产量和故障数据的自动采集。",
        "为了拿到整车厂的订单，我们需要开发一种耐高温的电池包密封胶，预算50万元。",
        # a contract manufacturer beside the development of a product
        "我们想开发一款低糖的益生菌酸奶配方，配方定型后再找代工厂生产。",
        # technology transfer is cooperation, not equipment for sale
        "我们想受让高校的一项锂电池正极材料专利技术，并联合开发量产工艺。",
        # a lab welcomes technology licensing and commissioned research: an offer, never a sale
        "客户反映我们的电动牙刷续航太短，想优化电机驱动电路降低功耗，已有电商渠道和经销商。",
    ],
)
def test_technical_needs_that_mention_trade_stay_technical(extractor, text):
    result = extractor.extract(text, now=NOV)
    assert result["not_technical"] is None and result["domains"]


def test_a_bank_named_china_merchants_is_no_request_to_attract_tenants(extractor):
    result = extractor.extract("我们想开发一套对接招商银行接口的供应链金融系统，预算80万元。", now=NOV)
    assert result["not_technical"] is None and result["domains"]


def test_asked_to_provide_a_solution_is_still_a_need(extractor):
    result = extractor.extract(
        "我们是一家热电厂，请有经验的单位提供锅炉烟气脱硝改造方案，欢迎来电洽谈。", now=NOV
    )
    assert result["not_technical"] is None and result["domains"]


def test_a_lab_that_welcomes_commissioned_research_offers_it(extractor):
    result = extractor.extract("本实验室长期从事超声无损检测研究，欢迎企业洽谈技术授权与委托研究。", now=NOV)
    assert result["domains"] == [] and result["not_technical"] is None


@pytest.mark.parametrize(
    "text",
    [
        "我们在小红书卖香薰蜡烛，粉丝三十多万，蜡烛燃烧时容易塌芯，想请老师改进蜡基配方。",
        "我們的月餅年銷一百萬盒，想開發可降解的月餅托盤材料。",
    ],
)
def test_followers_and_boxes_sold_are_no_budget(extractor, text):
    result = extractor.extract(text, now=NOV)
    assert result["budget"] is None and result["domains"]


def test_a_citys_special_fund_is_not_the_projects_budget(extractor):
    text = "今年全市安排专项资金5亿元扶持制造业，一家电机厂提出要开发高效永磁同步电机的控制算法。"
    assert extractor.extract(text, now=NOV)["budget"] is None
    text = "一家电机厂提出要开发高效永磁同步电机的控制算法，项目专项资金300万元。"
    assert extractor.extract(text, now=NOV)["budget"]["min_cny"] == 3_000_000
