"""Conversation-repair patterns and user styles: remarks beside the form, questions about the options, skips in
passing, a restart that says the new need, loose resumes, confirmations typed with slips or in dialect, Cantonese
read as Mandarin, pasted forms in numbered 「」 and Word-table layouts."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from chanyan.domain.labelled_form import parse_labelled
from chanyan.domain.schema import SKIPPED
from chanyan.domain.validation import normalize_text
from chanyan.intake.normalise import reading_form
from chanyan.intake.turn import CANCEL, PAUSE, REVIEW_SLOT, outside_turn, process_turn

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
FILLED = {
    "draft_id": "d",
    "need_description": "辊道窑烧成天然气用得太多，想降低气耗",
    "tech_domain": "604",
    "budget": {"min_cny": 800000, "max_cny": 1000000, "kind": "range", "text": "80-100万"},
    "timeline": {"deadline": "2027-04-30", "text": "明年五一前"},
}


def turn(text, requested=None, slots=None, **kwargs):
    kwargs.setdefault("now", NOW)
    return process_turn(text, requested, {"draft_id": "d", **(slots or {})}, **kwargs)


@pytest.mark.parametrize(
    "text",
    [
        "今天风真大 厂里刚停了会儿电 你接着问吧",
        "哈哈你回得还挺快，比我们园区客服强多了",
        "你们这个机器人还挺聪明的哈",
    ],
)
def test_a_remark_beside_the_form_is_answered_and_the_question_asked_again(text):
    result = turn(text, "coop_mode", FILLED)
    assert "coop_mode" not in result.slots
    assert result.error is None
    assert result.say == [("utter_chitchat", {})]
    assert result.ask == "coop_mode"


@pytest.mark.parametrize(
    ("slot", "text"),
    [
        ("tech_targets", "风大的时候偏航误差小于2度"),
        ("tech_targets", "雨大时接线盒不能进水"),
        ("need_description", "天气好的时候光伏出力波动大，想做功率预测"),
    ],
)
def test_a_need_about_the_weather_is_an_answer_not_a_remark(slot, text):
    result = turn(text, slot, FILLED)
    assert result.say == []
    assert result.slots[slot] == text


def test_a_remark_beside_an_answer_does_not_hide_the_answer():
    result = turn("哈哈，那就委托开发吧", "coop_mode", FILLED)
    assert result.slots["coop_mode"] == ["技术开发(委托开发)"]


@pytest.mark.parametrize(
    "text", ["合作方式有哪几种？我不太懂", "合作方式有咩分别？委托同合作开发有咩唔同？", "合作方式都有哪些？"]
)
def test_asking_what_the_options_are_gets_them_explained_and_stores_no_mode(text):
    result = turn(text, "coop_mode", FILLED)
    assert "coop_mode" not in result.slots
    assert ("utter_explain_coop_mode", {}) in result.say
    assert result.ask == "coop_mode"


@pytest.mark.parametrize("text", ["这个不知道 下一个", "下一个吧", "这个我不清楚，先不管"])
def test_skipping_an_optional_question_in_passing(text):
    assert turn(text, "tech_targets", FILLED).slots["tech_targets"] == SKIPPED


def test_a_bare_this_is_no_skip():
    assert turn("这个", "tech_targets", FILLED).slots.get("tech_targets") != SKIPPED


def test_a_restart_outside_the_form_that_says_the_need_starts_the_interview_with_it():
    text = "领导同意了，还是提吧，重新开始：物流园货车月台预约调度，司机平均排队两个多小时"
    outside = outside_turn(text, {"contact_phone": "18857390462"}, now=NOW)
    assert outside.start_form
    result = turn(text, None, {})
    assert result.stop is None
    assert result.slots["need_description"].startswith("物流园货车月台预约调度")


def test_a_restart_without_a_need_still_only_restarts():
    outside = outside_turn("重新开始", {"need_description": "空压机节能"}, now=NOW)
    assert not outside.start_form and outside.clear_draft


@pytest.mark.parametrize(
    "text",
    ["等我一下，有个车进场我去处理", "等下 我这边要下基坑 信号不好 回头再弄", "算了先取消把，我得先问问领导"],
)
def test_stepping_away_or_cancelling_mid_form_stores_nothing(text):
    result = turn(text, "enterprise_name", FILLED)
    assert result.stop in (PAUSE, CANCEL)
    assert "enterprise_name" not in result.slots


@pytest.mark.parametrize("text", ["好了 上来了 刚才到哪了 接着弄", "忙完了，接着问", "回来了，继续"])
def test_loose_resumes_continue_a_paused_draft(text):
    outside = outside_turn(text, {"need_description": "塔吊防碰撞预警", "budget": {"max_cny": 1}}, now=NOW)
    assert outside.start_form
    assert ("utter_resume", {}) in outside.say


@pytest.mark.parametrize(
    "text", ["没问题，提交八", "妥了 就这么整吧 提交", "核对无误，请提交", "对的，确人提交", "冇问题，提交啦"]
)
def test_confirmations_with_slips_or_in_dialect_file_the_request(text):
    assert turn(text, REVIEW_SLOT, FILLED).slots.get(REVIEW_SLOT) is True


@pytest.mark.parametrize("text", ["八", "改成八十万"])
def test_a_number_eight_is_no_confirmation(text):
    assert turn(text, REVIEW_SLOT, FILLED).slots.get(REVIEW_SLOT) is not True


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("冇邮箱", "没邮箱"),
        ("头先讲咗啦", "刚才讲了啦"),
        ("我哋想搵专家睇下", "我们想找专家看下"),
        ("唔同", "不同"),
        ("唔，好", "唔,好"),
    ],
)
def test_cantonese_is_read_as_mandarin_word_for_word(typed, read):
    assert reading_form(typed) == read


def test_an_email_declined_in_cantonese_is_skipped():
    assert turn("唔好意思，冇邮箱", "contact_email", FILLED).slots["contact_email"] == SKIPPED


def test_a_numbered_form_with_corner_brackets_gives_bare_values():
    text = normalize_text(
        "一、需求单位：「江西某某药用包装有限公司」\n二、需求名称：「中硼硅玻璃管拉管工艺优化」\n"
        "五、拟投入资金：「150万元」\n八、联系人：「邹建国」　联系电话：「13979201846」"
    )
    fields = parse_labelled(reading_form(text))
    assert fields["enterprise_name"] == "江西某某药用包装有限公司"
    assert fields["need_title"] == "中硼硅玻璃管拉管工艺优化"
    assert fields["budget"] == "150万元"
    assert fields["contact_name"] == "邹建国"
    assert fields["contact_phone"] == "13979201846"


def test_a_table_copied_from_word_gives_its_cells():
    text = normalize_text(
        "技术需求征集表\n单位名称\t贵州某某酒业有限公司\t所在地区\t贵州遵义\n联 系 人\t母先生\t手    机\t13885216093\n"
        "需求名称\t堆积发酵温度在线监测\n拟投入资金\t30万元以内"
    )
    fields = parse_labelled(reading_form(text))
    assert fields["enterprise_name"] == "贵州某某酒业有限公司"
    assert fields["contact_name"] == "母先生"
    assert fields["contact_phone"] == "13885216093"
    assert fields["need_title"] == "堆积发酵温度在线监测"
    assert fields["budget"] == "30万元以内"


def test_words_of_a_sentence_separated_by_spaces_are_no_table():
    assert parse_labelled("我们单位 想做 一个 预算 不多的 项目") == {}


def test_a_pasted_form_keeps_its_labelled_description_not_the_whole_form():
    text = (
        "单位名称：贵州某某酒业有限公司\n需求名称：堆积发酵温度在线监测\n"
        "需求描述：堆积发酵靠手摸判断温度，想做多点温湿度在线监测\n拟投入资金：30万元以内"
    )
    result = turn(text, None, {})
    assert result.slots["need_description"].startswith("堆积发酵靠手摸")
    assert result.slots["enterprise_name"] == "贵州某某酒业有限公司"


def test_spoken_digits_in_the_contact_block_give_the_phone():
    result = turn("淄博某某建陶有限公司 亓光明 幺五八六三三零二九一七 邮箱没有", "enterprise_name", FILLED)
    assert result.slots["contact_phone"] == "15863302917"
    assert result.slots["contact_email"] == SKIPPED


def test_a_phone_dictated_in_groups_in_the_contact_block_is_one_number():
    result = turn("佛山市南海区恒铝模具有限公司 梁工 手机幺三八 二六五三 七七四一", "enterprise_name", FILLED)
    assert result.slots["contact_phone"] == "13826537741"
    assert result.slots["contact_name"] == "梁工"


def test_a_dictated_email_address_is_read():
    result = turn("邮箱是 wang 艾特 abc 点 com", "contact_email", FILLED)
    assert result.slots["contact_email"] == "wang@abc.com"


def test_a_bad_email_in_the_contact_block_is_a_first_miss_and_a_second_skips_it():
    first = turn("上海某某建工集团有限公司 戚卫东 13917720583 邮箱 qiweidong@pjjg", "enterprise_name", FILLED)
    assert "contact_email" not in first.slots
    assert ("utter_invalid_email_invalid", {}) in first.say
    second = turn("qiweidong pjjg.com", "contact_email", {**FILLED, **first.slots}, failures=first.failures)
    assert second.slots["contact_email"] == SKIPPED
    assert second.say[0][0] == "utter_skipped_optional"


@pytest.mark.parametrize("text", ["最好是高效，地区不限", "山东的高效吧", "最好是高效 同济那种的"])
def test_a_university_typed_as_its_homophone_is_a_university(text):
    assert "高校" in turn(text, "partner_preference", FILLED).slots["partner_preference"]["types"]


def test_efficient_before_a_noun_stays_efficient():
    result = turn("高效节能的团队", "partner_preference", FILLED)
    assert "高校" not in (result.slots.get("partner_preference") or {}).get("types", [])


def test_a_type_with_the_region_left_open_is_not_unlimited():
    value = turn("高校，地区不限", "partner_preference", FILLED).slots["partner_preference"]
    assert value["types"] == ["高校"]


@pytest.mark.parametrize("text", ["再问一遍", "没听清，你说啥", "上一个问题是什么"])
def test_asking_for_the_question_again_repeats_it(text):
    result = turn(text, "budget", FILLED)
    assert result.ask == "budget"
    assert result.error is None


@pytest.mark.parametrize("text", ["这个不整了", "哎呀这个不报了"])
def test_dialect_cancels(text):
    assert turn(text, "budget", FILLED).stop == CANCEL


def test_a_spoken_want_gives_the_title():
    from chanyan.intake.titles import propose_title

    title = propose_title(
        "嗯 你好 我们是做建筑施工的 工地上塔吊多 好几台交叉作业 那个 怕撞 想弄个塔吊防碰撞的预警系统"
    )
    assert "塔吊防碰撞" in title
    assert propose_title("井下皮带机纵向撕裂老出事，想搞个在线检测，撕了能马上停机") != "在线检测"


@pytest.mark.parametrize(
    "text",
    [
        "①需求名称：电池热管理\n②联系人：郑海涛\n③手机：13900001111",
        "（一）需求名称：电池热管理\n（二）联系人：郑海涛\n（三）手机：13900001111",
        "■ 需求名称：电池热管理\n■ 联系人：郑海涛\n- 手机：13900001111",
        "**需求名称**：电池热管理\n**联系人**：郑海涛\n**手机**：13900001111",
        "| 需求名称 | 电池热管理 |\n| 联系人 | 郑海涛 |\n| 手机 | 13900001111 |",
        "需求名称 = 电池热管理\n联系人 = 郑海涛\n手机 = 13900001111",
    ],
)
def test_forms_numbered_bulleted_or_as_tables_give_their_fields(text):
    fields = parse_labelled(reading_form(normalize_text(text)))
    assert fields == {"need_title": "电池热管理", "contact_name": "郑海涛", "contact_phone": "13900001111"}


def test_an_amount_range_is_no_bullet():
    assert parse_labelled("预算300-500万，联系人：郑海涛") == {"contact_name": "郑海涛"}


@pytest.mark.parametrize(
    ("typed", "read"),
    [("莫得邮箱", "没有邮箱"), ("不晓得", "不知道"), ("啥子指标", "什么指标"), ("技术资讯", "技术咨询")],
)
def test_dialect_words_and_homophones_are_read_as_mandarin(typed, read):
    assert reading_form(typed) == read


@pytest.mark.parametrize(
    "text",
    [
        "万一内部短路会起火",
        "字面意思就是这样",
        "每条过滤袋的过滤面积要够",
        "这个问题交给你们了",
        "能先寄点样品过去测吗",
        "锅炉黑烟冒得厉害",
        "阿拉善盟的盐湖提锂项目",
        "这边个人用户也多",
    ],
)
def test_words_that_contain_a_typo_or_dialect_word_are_read_as_typed(text):
    assert reading_form(text) == text


@pytest.mark.parametrize("text", ["有没有客服？", "叫个专员来跟我说"])
def test_asking_for_staff_in_other_words_hands_off(text):
    result = turn(text, "budget", {**FILLED, "contact_phone": "13900001111"})
    assert result.handoff


def test_asking_what_a_field_word_is_explains_the_question():
    result = turn("技术关键是啥？", "tech_targets", FILLED)
    assert "tech_targets" not in result.slots
    assert result.say and result.say[0][0].startswith("utter_explain_")


@pytest.mark.parametrize(("text", "slot"), [("pass", "tech_targets"), ("邮箱不方便", "contact_email")])
def test_more_ways_to_skip(text, slot):
    assert turn(text, slot, FILLED).slots[slot] == SKIPPED


@pytest.mark.parametrize(
    ("text", "slot"),
    [
        ("啥是知识产权归属", "ip_preference"),
        ("你给举个例子", "tech_targets"),
        ("比如呢？", "tech_targets"),
        ("你们有什么建议", "coop_mode"),
        ("我也不知道选哪个", "coop_mode"),
    ],
)
def test_asking_for_an_example_or_advice_explains_the_question_and_stores_nothing(text, slot):
    result = turn(text, slot, FILLED)
    assert slot not in result.slots
    assert result.say == [(f"utter_explain_{slot}", {})]


@pytest.mark.parametrize("text", ["这个问题跳过", "不想填"])
def test_declining_an_optional_question_in_other_words_skips_it(text):
    assert turn(text, "tech_targets", FILLED).slots["tech_targets"] == SKIPPED


def test_leaving_the_partner_to_the_platform_is_no_preference():
    assert turn("你们推荐吧", "partner_preference", FILLED).slots["partner_preference"]["types"] == ["不限"]


def test_a_landline_asked_about_and_given_at_once_is_kept():
    assert turn("座机可以吗 0531-88886666", "contact_phone", FILLED).slots["contact_phone"] == "0531-88886666"


@pytest.mark.parametrize("text", ["看过了 没问题", "对对对 就是这样", "信息都对"])
def test_more_natural_confirmations(text):
    assert turn(text, REVIEW_SLOT, FILLED).slots.get(REVIEW_SLOT) is True


def test_asking_whether_the_draft_is_still_there_resumes_it():
    assert outside_turn("刚才的需求还在吗", {"need_description": "塔吊防碰撞预警"}, now=NOW).start_form


def test_dropping_the_draft_in_two_words_cancels_it():
    outside = outside_turn("不要了 删掉吧", {"need_description": "塔吊防碰撞预警"}, now=NOW)
    assert outside.clear_draft and not outside.start_form


SUMMARY = {
    **FILLED,
    "coop_mode": ["技术服务"],
    "contact_name": "亓光明",
    "tech_domain": "604",
    "partner_preference": {"types": ["高校"], "names": [], "regions": []},
}


def test_adding_a_mode_at_the_summary_keeps_the_one_there():
    result = turn("合作方式再加一个技术咨询", REVIEW_SLOT, SUMMARY)
    assert result.slots["coop_mode"] == ["技术服务", "技术咨询"]


def test_adding_a_partner_at_the_summary_keeps_the_type_there():
    value = turn("合作方加上浙大", REVIEW_SLOT, SUMMARY).slots["partner_preference"]
    assert value["types"] == ["高校"] and value["names"] == ["浙江大学"]


@pytest.mark.parametrize("text", ["把联系人改成王工 其他没问题 提交", "联系人改成王工，其他没问题，提交吧"])
def test_an_edit_then_a_submission_in_one_message_files_with_the_edit(text):
    result = turn(text, REVIEW_SLOT, SUMMARY)
    assert result.slots["contact_name"] == "王工"
    assert result.slots[REVIEW_SLOT] is True
    assert result.say[0][0] == "utter_changed"


def test_an_edit_alone_shows_the_summary_again():
    assert turn("联系人改成王工", REVIEW_SLOT, SUMMARY).slots[REVIEW_SLOT] is None


def test_a_field_said_wrong_then_submit_asks_that_field_again_and_files_nothing():
    result = turn("领域不对 提交", REVIEW_SLOT, SUMMARY)
    assert result.slots["tech_domain"] is None
    assert result.slots[REVIEW_SLOT] is None


def test_a_field_said_right_is_left_as_it_is():
    result = turn("联系人对的 预算改成九十万", REVIEW_SLOT, SUMMARY)
    assert "contact_name" not in result.slots
    assert result.slots["budget"]["max_cny"] == 900000


@pytest.mark.parametrize(
    ("text", "code"), [("对的就是第二个", "804"), ("第二个吧应该", "804"), ("应该是第一个", "604")]
)
def test_an_ordinal_with_hedges_picks_that_domain(text, code):
    candidates = [
        {"code": "60", "name": "新能源与节能", "sub_code": "604", "sub_name": "高效节能技术", "score": 0.6},
        {
            "code": "80",
            "name": "先进制造与自动化",
            "sub_code": "804",
            "sub_name": "先进制造工艺与装备",
            "score": 0.3,
        },
    ]
    slots = {k: v for k, v in SUMMARY.items() if k != "tech_domain"}
    assert turn(text, "tech_domain", {**slots, "domain_candidates": candidates}).slots["tech_domain"] == code


def test_a_need_about_a_poor_signal_is_no_pause():
    result = turn("井下信号不好，想做5G覆盖", "need_description", {})
    assert result.stop is None
    assert result.slots["need_description"] == "井下信号不好，想做5G覆盖"


def test_any_partner_said_at_the_summary_is_no_preference():
    value = turn("意向合作方都可以", REVIEW_SLOT, SUMMARY).slots["partner_preference"]
    assert value["types"] == ["不限"]


def test_an_answer_ending_in_what_is_no_question_about_the_form():
    assert turn("随便什么", "coop_mode", FILLED).say == []


def test_a_dictated_sentence_with_field_words_is_no_table():
    assert parse_labelled("我们 企业 想做 需求 是 降低能耗 预算 五十万 时间 明年") == {}


def test_not_understanding_something_in_a_need_is_the_need():
    result = turn("设备说明书看不太懂", "need_description", {})
    assert result.slots["need_description"] == "设备说明书看不太懂"
    assert result.say == []
