"""Titles proposed from a first message that says the need as a problem, a rule or a complaint.

The title names the thing and the improvement wanted ("空压机节能", "冲压模具寿命提升"), not the complaint
("电耗太高了"), the rule and its date ("2027年起新国标要求…") or who complained ("客户投诉").
Each must entry is a word the title must hold, or a tuple of words of which it must hold one.
"""

from __future__ import annotations

import pytest

from chanyan.intake.titles import PROPOSED_TITLE_CHARS, propose_title

ENERGY = ("节能", "降耗", "能耗")

CASES = [
    # Too much of something used: the object and saving it.
    (
        "我们厂的空压机电耗太高了，一年电费两百多万，有没有办法降下来",
        ["空压机", ENERGY],
        ["有没有", "电费", "两百"],
    ),
    ("注塑车间液压站用油太多，想找个团队帮忙看看", ["液压站", ENERGY + ("节油",)], ["团队", "太多"]),
    ("我们是做饲料的，烘干线蒸汽用得太多了，想找专家帮忙降一降", ["烘干线", ENERGY], ["专家", "太多"]),
    (
        "电镀线用水量太大，每天排几百吨废水，有没有节水的办法",
        ["电镀线", ("节水", "降耗")],
        ["几百吨", "办法"],
    ),
    ("玻璃熔窑的燃料消耗偏高，想在不影响质量的前提下降下来", ["熔窑", ENERGY], ["偏高", "前提"]),
    ("养殖场的通风风机电耗太高，夏天一个月电费十几万", ["风机", ENERGY], ["电费", "十几万"]),
    ("锂电池极片涂布机烘箱耗电太高，能不能帮忙想想办法", ["烘箱", ENERGY], ["能不能", "太高"]),
    ("我们是做陶瓷的，喷雾干燥塔煤耗太高，想降低能耗", ["喷雾干燥塔", ENERGY], ["太高"]),
    # Wearing out too soon: the object and its service life.
    ("冲压模具用不到五万冲次就要换，成本扛不住，想延长寿命", ["冲压模具", "寿命"], ["五万", "就要换"]),
    ("我们做不锈钢管的，轧辊用不够两个月就要重新磨，能不能找人帮忙", ["轧辊", "寿命"], ["两个月", "能不能"]),
    ("球磨机衬板磨损太快，三个月就得换一次", ["衬板", "寿命"], ["三个月", "太快"]),
    ("加工钛合金的时候刀具寿命短，一把刀只能干二十个件", ["刀具", "寿命"], ["二十个", "寿命短"]),
    ("压铸模具寿命短，一般打一万模就开裂了，想延长到三万模", ["压铸模具", "寿命"], ["一万模", "寿命短"]),
    ("盾构机滚刀磨得太快，掘进不到两百米就要换刀", ["滚刀", "寿命"], ["两百米", "太快"]),
    # Breaking down often: the object and predicting its faults.
    (
        "风电齿轮箱老是坏，每次维修要停好几天，想搞个提前预警",
        ["齿轮箱", ("故障预测", "预警", "可靠性")],
        ["老是坏", "好几天"],
    ),
    (
        "水泵故障多，一坏整条线都停，有没有办法提前知道",
        ["水泵", ("故障预测", "可靠性")],
        ["有没有", "整条线"],
    ),
    (
        "输送带托辊老是卡死，一卡就把皮带磨坏了，能不能提前发现",
        ["托辊", ("故障预测", "预警", "检测")],
        ["老是", "能不能"],
    ),
    (
        "箱式变压器老是过热跳闸，想知道有没有监测的办法",
        ["变压器", ("故障预测", "监测", "可靠性")],
        ["老是", "办法"],
    ),
    # Not precise enough: the object and its precision.
    ("数控机床加工精度不够，孔位偏差有0.05毫米，想提高到0.01以内", ["机床", "精度"], ["0.05", "不够"]),
    ("焊接机器人的重复定位精度不够，焊缝老是偏", ["焊接机器人", "精度"], ["焊缝老是偏", "不够"]),
    ("温室的温湿度控制精度不够，波动太大，苗子长得不齐", ["温湿度", "精度"], ["苗子", "不够"]),
    ("医院反映我们的输液泵流量精度不够，想提升一下", ["输液泵", "精度"], ["医院", "反映"]),
    # A rule and its date are context: the title is what they want to build.
    ("2027年起新国标要求锅炉氮氧化物排放低于30毫克，我们想做低氮燃烧改造", ["低氮燃烧"], ["2027", "新国标"]),
    (
        "新规要求明年开始危化品运输车辆全程定位，我们想开发一套车载监控终端",
        ["车载监控终端"],
        ["新规", "明年"],
    ),
    (
        "按照新标准，2026年底前叉车都要装防撞预警，我们做叉车的，想研发一款防撞预警装置",
        ["防撞预警"],
        ["2026", "新标准"],
    ),
    (
        "从明年起环保要求VOCs排放浓度降到50以下，我们喷涂车间想上一套废气处理设备",
        ["废气处理"],
        ["明年", "环保要求"],
    ),
    ("2029年以后国家规定新建粮库都要实现智能测温，我们想做粮情监测系统", ["粮情监测"], ["2029", "国家规定"]),
    # A customer's complaint is why they write: the title is the thing to improve.
    ("客户投诉我们的电机噪声太大，想把噪声降下来", ["电机", ("降噪", "噪声")], ["客户", "投诉", "太大"]),
    ("客户老投诉包装袋封口不牢，运输中漏粉，想改进封口工艺", ["封口"], ["客户", "投诉", "漏粉"]),
    ("客户投诉汽车座椅面料有异味，想开发低气味的面料", ["低气味", "面料"], ["客户", "投诉"]),
]


def _holds(title: str, word: str | tuple[str, ...]) -> bool:
    return any(w in title for w in word) if isinstance(word, tuple) else word in title


@pytest.mark.parametrize(("description", "must", "must_not"), CASES)
def test_a_need_said_as_a_problem_gets_a_title_of_the_thing_wanted(description, must, must_not):
    title = propose_title(description)
    assert len(title) <= PROPOSED_TITLE_CHARS
    assert all(_holds(title, m) for m in must), title
    assert not any(m in title for m in must_not), title


@pytest.mark.parametrize(
    ("description", "must", "must_not"),
    [
        ("空压站能耗太高，想做一套空压机群控系统", ["空压机群控系统"], ["节能降耗", "太高"]),
        ("污水站曝气风机电耗很大，想上一套精确曝气控制系统", ["精确曝气控制系统"], ["节能降耗"]),
        ("我们的老设备配件用不到了，想做一套新的MES", ["MES"], ["寿命", "用不到"]),
        ("园区企业多，我们想做一个企业政策智能匹配平台", ["政策智能匹配平台"], ["园区企业多"]),
        ("按照行业标准要求做了改造，现在想开发一套能效标准符合性检测软件", ["检测软件"], ["按照"]),
    ],
)
def test_a_want_that_names_its_thing_is_the_title_beside_a_problem(description, must, must_not):
    title = propose_title(description)
    assert all(m in title for m in must) and not any(m in title for m in must_not), title
