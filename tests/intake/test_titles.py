"""Proposed need titles: the clause about the thing and its problem, without who is asking or the asides."""

from __future__ import annotations

import pytest

from chanyan.intake.titles import PROPOSED_TITLE_CHARS, propose_title, strip_title_plan


@pytest.mark.parametrize(
    ("description", "must", "must_not"),
    [
        (
            "你好，我这边是郑州一家做速冻水饺的食品厂的采购，姓龚，领导让我来问问。我们的水饺速冻以后面皮老是开裂，"
            "冻裂率有5%左右，想找人改进面皮配方和速冻工艺",
            ["面皮"],
            ["采购", "姓龚", "领导"],
        ),
        (
            "是这样的，我们公司主要是做一次性使用输液器的，最近好几家医院反馈说我们的精密过滤输液器在输一些中药注射液的时候"
            "那个过滤膜特别容易堵，流速掉得很厉害",
            ["过滤膜", "堵"],
            ["医院", "是这样的", "的时候"],
        ),
        (
            "我司苏州氢途能源科技有限公司，需求是质子交换膜燃料电池金属双极板的涂层耐腐蚀改进，要求接触电阻<10mΩ·cm²",
            ["双极板"],
            ["有限公司", "接触电阻"],
        ),
        ("我门公司压主铝合金壳体，气空太多，X光检测报废率12%，想降到3%一下", ["铝合金", "气空"], ["我门"]),
    ],
)
def test_titles_leave_out_the_speaker_and_the_asides(description, must, must_not):
    title = propose_title(description)
    assert len(title) <= PROPOSED_TITLE_CHARS
    assert all(word in title for word in must), title
    assert not any(word in title for word in must_not), title


def test_a_target_clause_is_not_the_title():
    title = propose_title("我们是给码头做自动化的，想做集装箱箱号自动识别系统，识别准确率要达到99.5%以上")
    assert "箱号" in title and "99.5" not in title


@pytest.mark.parametrize(
    ("description", "title"),
    [
        ("我们公司做医用导管的，想开发一种亲水涂层，让导管插入的时候摩擦力小一点", "医用导管亲水涂层"),
        ("我们这个合作社种了两千亩葡萄，每年霜霉病都很厉害，打药也控制不住", "葡萄霜霉病都很厉害"),
        ("我们医院想开发一个辅助诊断的AI软件，针对肺结节CT影像的自动识别", "辅助诊断的AI软件"),
    ],
)
def test_what_the_enterprise_makes_and_the_want_without_its_subject(description, title):
    assert propose_title(description) == title


@pytest.mark.parametrize(
    ("description", "title"),
    [
        ("主要是想解决一个问题：我们的锅炉燃烧效率低，煤耗高", "锅炉燃烧效率低"),
        ("港口这边想做集装箱堆场的智能调度，现在翻箱率太高了", "集装箱堆场的智能调度"),
    ],
)
def test_an_introduction_before_a_colon_and_a_place_as_subject_are_left_out(description, title):
    assert propose_title(description) == title


def test_a_decimal_point_does_not_cut_a_clause():
    assert "0.5%" not in propose_title("焊缝检测漏检率要低于0.5%，想做在线视觉检测系统")


@pytest.mark.parametrize(
    ("description", "title"),
    [
        ("就是我们的那个烘干机能耗太高了", "烘干机节能降耗"),
        ("嗯，主要是产品表面有划痕", "产品表面有划痕"),
        ("我们想搞个数字孪生", "数字孪生"),
        ("有没有做过光伏清洗机器人的团队？我们电站面积大，人工清洗太贵", "光伏清洗机器人"),
        ("我们是做汽车线束的，想上个MES，现在生产全靠纸质单子", "汽车线束MES"),
    ],
)
def test_spoken_leads_and_who_can_do_it_questions(description, title):
    assert propose_title(description) == title


@pytest.mark.parametrize(
    ("description", "must", "must_not"),
    [
        (
            "我们厂做空气炸锅，一年出货三百多万台，主要做欧洲的单子。欧盟那边含氟的不粘涂层要限制了，耐磨都不行，"
            "所以想找个大学帮我们搞一个无氟不粘涂层的配方，钱不是问题",
            ["无氟"],
            ["欧盟", "欧洲", "钱"],
        ),
        (
            "你好嘛 我们是汉源的花椒合作社 摘花椒全靠人工 现在请不到人了 想找人弄个摘花椒的机器",
            ["花椒", "机器"],
            ["全靠", "弄个"],
        ),
    ],
)
def test_a_want_said_through_who_should_do_it_names_the_need(description, must, must_not):
    title = propose_title(description)
    assert all(word in title for word in must), title
    assert not any(word in title for word in must_not), title


@pytest.mark.parametrize(
    ("typed", "title"),
    [
        ("打算搞个细纱毛羽在线检测系统", "细纱毛羽在线检测系统"),
        ("想上一套粉尘在线监测系统", "粉尘在线监测系统"),
        ("想導入一套焊點影像辨識系統", "焊點影像辨識系統"),
        ("想法验证平台", "想法验证平台"),
    ],
)
def test_a_title_typed_as_a_plan_keeps_the_thing(typed, title):
    assert strip_title_plan(typed) == title
