"""Pasted forms: every labelled field read by its label, whatever the layout of the form."""

from __future__ import annotations

from chanyan.domain.labelled_form import parse_labelled


def test_a_label_the_schema_does_not_know_ends_the_value_before_it():
    form = (
        "需求名称：污泥低温干化 单位名称：江北水务有限公司 所属行业：水务 需求描述：污泥含水率高，外运费用大"
    )
    fields = parse_labelled(form)
    assert fields["enterprise_name"] == "江北水务有限公司"
    assert fields["need_description"] == "污泥含水率高，外运费用大"


def test_bracketed_labels_and_bar_separated_fields():
    assert parse_labelled("【需求名称】无人机巡检\n【申请单位】海港物流公司\n【联络人】黄先生") == {
        "need_title": "无人机巡检",
        "enterprise_name": "海港物流公司",
        "contact_name": "黄先生",
    }
    assert parse_labelled("征集表｜需求名称：镍回收｜需求单位：电镀园区管委会｜现状：全部进入污泥") == {
        "need_title": "镍回收",
        "enterprise_name": "电镀园区管委会",
    }


def test_the_other_names_forms_give_their_fields():
    fields = parse_labelled(
        "项目名称：影像云平台\n承担单位：黔数医疗\n项目概述：远程诊断\n资金需求：400万元\n完成期限：2027年底"
    )
    assert fields == {
        "need_title": "影像云平台",
        "enterprise_name": "黔数医疗",
        "need_description": "远程诊断",
        "budget": "400万元",
        "timeline": "2027年底",
    }


def test_a_colon_inside_a_sentence_is_not_a_label():
    fields = parse_labelled("需求描述：设备三类故障：过热、振动、漏油，希望提前预警")
    assert fields == {"need_description": "设备三类故障：过热、振动、漏油，希望提前预警"}


def test_slash_separated_fields_end_at_the_slash():
    form = "需求名称：茶叶烘焙温控改造/需求单位：安溪山岚茶业有限公司/预算：30万元/联系人：苏雅琴"
    assert parse_labelled(form) == {
        "need_title": "茶叶烘焙温控改造",
        "enterprise_name": "安溪山岚茶业有限公司",
        "budget": "30万元",
        "contact_name": "苏雅琴",
    }
    spaced = "项目名称：码头吊机远程操控 / 申报单位：日照港航机械公司 / 联系人：丁伟"
    assert parse_labelled(spaced) == {
        "need_title": "码头吊机远程操控",
        "enterprise_name": "日照港航机械公司",
        "contact_name": "丁伟",
    }


def test_bracketed_fields_run_together_after_a_title():
    form = (
        "企业难题征集表【需求名称】竹材防霉处理【需求单位】赣州竹韵家居公司【需求类型】工艺改进【联系人】曾红"
    )
    assert parse_labelled(form) == {
        "need_title": "竹材防霉处理",
        "enterprise_name": "赣州竹韵家居公司",
        "contact_name": "曾红",
    }
    # a title in brackets is no field and leaks into none
    titled = "【二〇二七年度需求征集】【项目名称】：矿井水除氟/【承担单位】：神木清源环保公司"
    assert parse_labelled(titled) == {"need_title": "矿井水除氟", "enterprise_name": "神木清源环保公司"}


def test_a_slash_inside_a_value_stays_when_no_label_follows_it():
    fields = parse_labelled("需求名称：AGV/AMR混合调度\n联系人：钟敏")
    assert fields == {"need_title": "AGV/AMR混合调度", "contact_name": "钟敏"}


def test_text_right_after_a_bracketed_label_may_hold_a_colon():
    fields = parse_labelled("【需求描述】设备三类故障：过热、振动、漏油【联系人】谭亮")
    assert fields == {"need_description": "设备三类故障：过热、振动、漏油", "contact_name": "谭亮"}
