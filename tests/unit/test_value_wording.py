"""Values as enterprise staff word them: loose sums, sales-festival dates, plain cooperation and IP words, partners
ruled out or placed by where the enterprise is, contact blocks in other orders."""

from __future__ import annotations

from datetime import datetime

import pytest

from chanyan.domain.numerals import expand_elided
from chanyan.extraction.money import parse_budget
from chanyan.extraction.terms import locate_place, parse_coop_modes, parse_ip_preference, parse_partner
from chanyan.extraction.timeline import parse_timeline
from chanyan.intake.acts import is_yes
from chanyan.intake.answers import parse_answer, partner_of
from chanyan.intake.normalise import reading_form
from chanyan.intake.people import find_person, parse_contact
from chanyan.intake.titles import propose_title
from chanyan.intake.turn import process_turn

EARLY_DECEMBER = datetime(2026, 12, 3, 10, 0)


@pytest.mark.parametrize(
    ("text", "expanded"),
    [
        ("一百五到两百万", "一百五十到两百万"),
        ("三万五", "三万五千"),
        ("两千三", "两千三百"),
        ("一百五十万", "一百五十万"),
        ("一百零五", "一百零五"),
        ("万一不行", "万一不行"),
        ("三十万一期", "三十万一期"),
        ("十万一般够", "十万一般够"),
        ("五十万两年内", "五十万两年内"),
        ("三万五左右", "三万五千左右"),
    ],
)
def test_an_unsaid_last_unit_is_written_out(text, expanded):
    assert expand_elided(text) == expanded


@pytest.mark.parametrize(
    ("text", "low", "high", "kind"),
    [
        ("一百五到两百万吧", 1_500_000, 2_000_000, "range"),
        ("预算三万五", 35_000, 35_000, "exact"),
        ("5万5", 55_000, 55_000, "exact"),
        ("百把万吧，多了社员不同意", 1_000_000, 1_000_000, "approx"),
        ("万把块钱", 10_000, 10_000, "approx"),
        ("二三十个w", 200_000, 300_000, "range"),
        ("不超过两百个", None, 2_000_000, "upper_bound"),
        ("五十个左右吧", 500_000, 500_000, "approx"),
        ("八十个到一百个", 800_000, 1_000_000, "range"),
        ("钱的话 五十个左右吧 越快越好", 500_000, 500_000, "approx"),
    ],
)
def test_loose_sums_are_read_as_people_mean_them(text, low, high, kind):
    budget = parse_budget(text)
    assert (budget["min_cny"], budget["max_cny"], budget["kind"]) == (low, high, kind)


@pytest.mark.parametrize("text", ["两个", "一共三个", "想做三个型号", "两万五一台", "存栏三千来头"])
def test_counts_and_unit_prices_stay_no_budget(text):
    assert parse_budget(text) is None


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("预算三十万一期", 300_000),
        ("预算十万一般够了", 100_000),
        ("五十万两年内做完", 500_000),
        ("三十万，半年内", 300_000),
    ],
)
def test_a_word_after_a_round_sum_is_no_elided_digit(text, amount):
    budget = parse_budget(text)
    assert (budget["min_cny"], budget["max_cny"]) == (amount, amount)


def test_spoken_wan_needs_a_word_of_funds_in_a_long_message():
    assert parse_budget("我们一年要做二十个，每个都得定制，交期很紧", strict=True) is None


@pytest.mark.parametrize("text", ["先做个小试，看效果再说", "看情况再定", "小试完了再谈"])
def test_money_settled_after_a_first_result_is_negotiable(text):
    assert parse_budget(text)["kind"] == "negotiable"


@pytest.mark.parametrize(
    ("text", "deadline"),
    [
        ("明年618之前得上市", "2027-06-18"),
        ("双十一前上线", "2027-11-11"),
        ("赶在双12之前", "2026-12-12"),
    ],
)
def test_sales_festivals_are_deadlines(text, deadline):
    assert parse_timeline(text, EARLY_DECEMBER)["deadline"] == deadline


def test_a_bare_618_is_a_number_not_a_date():
    assert parse_timeline("产能618吨", EARLY_DECEMBER) is None


@pytest.mark.parametrize(
    ("text", "months"), [("个把月", 1), ("两个来月吧", 2), ("三个月左右能出结果就行", 3)]
)
def test_loose_durations(text, months):
    assert parse_timeline(text, EARLY_DECEMBER)["months"] == months


@pytest.mark.parametrize(
    ("text", "modes"),
    [
        ("出钱让他们做", ["技术开发(委托开发)"]),
        ("我们出钱，让他们来做，做完配方我们要独占使用权", ["技术开发(委托开发)"]),
        ("两边一块儿干，他们出技术，我们出牛场和数据", ["技术开发(合作开发)"]),
        ("跟他们一块搞，我们出场地", ["技术开发(合作开发)"]),
        ("技术许可也行，买断也行", ["技术转让", "技术许可"]),
        ("要他们专利的独占许可", ["技术许可"]),  # 许可 said: a licence, not ownership
    ],
)
def test_cooperation_in_plain_words(text, modes):
    assert parse_coop_modes(text) == modes


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("专利可以两家一块儿申请", "双方共有"),
        ("IP我们要，学校那边可以署名发论文", "归企业所有"),
        ("配方我们要独占使用权", "归企业所有"),
        ("我们要协商", "协商确定"),
    ],
)
def test_ip_in_plain_words(text, phrase):
    assert parse_ip_preference(text) == phrase


@pytest.mark.parametrize(
    ("text", "types"),
    [
        ("找做语音算法的公司就行，不要高校，周期太长", ["企业"]),
        ("不找高校，找企业", ["企业"]),
        ("高校就不考虑了", []),
        ("不一定非要高校", ["高校"]),
    ],
)
def test_a_kind_ruled_out_is_not_wanted(text, types):
    assert parse_partner(text)["types"] == types


def test_where_a_text_places_itself():
    assert locate_place("宜宾这边做动力电芯的") == {"province": "四川", "city": "宜宾"}
    assert locate_place("我司地处西宁") == {"province": "青海", "city": "西宁"}
    assert (
        locate_place("我们做白云石的开采") is None
    )  # a county-like word inside a mineral's name is no place


@pytest.mark.parametrize(
    ("text", "slots", "regions"),
    [
        ("省内的就行，不要外地的", {"need_description": "武汉这边做跨境电商仓配的，分拣错发率高"}, ["湖北"]),
        ("省内的高校吧，外地的来回跑不方便", {"need_description": "宜宾这边做动力电芯的"}, ["四川"]),
        ("本地的就行", {"enterprise_name": "宁波甬江精密模具有限公司"}, ["宁波"]),
        ("深圳本地的高校", {"enterprise_name": "东莞市某某电子有限公司"}, ["深圳"]),
        ("省内的就行", {"need_description": "想做一个视觉检测系统"}, []),
    ],
)
def test_own_province_or_city_is_where_the_enterprise_is(text, slots, regions):
    assert partner_of(text, slots)["regions"] == regions


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("锡林浩特市草原红牧奶牛养殖专业合作社，理事长巴特尔，+86 150 4790 2216，微信同号", "巴特尔"),
        ("ouyang.hui@chuyuntong.cn，欧阳慧，186 2745 0913，公司是武汉楚运通供应链管理有限责任公司", "欧阳慧"),
        ("浙江华邦特种纸业股份有限公司，技术总监李明，手机139-5012-3378，座机0570-3061288也可以", "李明"),
        ("联系人：阿依古丽，13912345678", "阿依古丽"),
    ],
)
def test_the_contact_person_in_blocks_of_any_order(text, name):
    assert parse_contact(text, asked="contact").contact_name == name


def test_a_wechat_remark_is_no_name():
    assert find_person("+86 150 4790 2216，微信同号", bare_ok=True) is None


def test_the_phone_with_dashes_beside_a_landline_is_the_mobile():
    contact = parse_contact(
        "青海昆仑晶能新能源股份有限公司，办公室刘主任，座机0971-6258817，手机138-9725-1136", asked="contact"
    )
    assert contact.phones == ["13897251136"] and contact.contact_name == "刘主任"


def test_a_bare_no_preference_between_cooperation_and_partner_is_the_ip():
    slots = {"need_description": "涡轮叶片叶尖激光熔覆修复"}
    result = process_turn("请专家来车间指导几天，无所谓，西北工业大学的黄老师团队", "coop_mode", slots)
    assert result.slots["coop_mode"] == ["技术咨询"]
    assert result.slots["ip_preference"] in ("未提供", "无要求")
    assert result.slots["partner_preference"]["names"] == ["西北工业大学"]


def test_a_named_ip_class_wins_over_a_bare_no_preference():
    slots = {"need_description": "西兰花预冷太慢"}
    result = process_turn("技术咨询，无所谓，可以商量，农科院", "coop_mode", slots)
    assert result.slots["ip_preference"] == "协商确定"


def test_the_budget_question_reads_spoken_wan():
    assert parse_answer("budget", "不超过两百个", {})["max_cny"] == 2_000_000


@pytest.mark.parametrize(
    ("description", "must", "must_not"),
    [
        (
            "您好。我司地处西宁，近年来退役的光伏组件逐年增多，玻璃与电池片难以分离，拟引进成熟的组件回收技术",
            ["光伏组件", "回收"],
            ["您好", "西宁", "成熟"],
        ),
        (
            "宜宾这边做动力电芯的，现在全靠转轮除湿机硬顶。想找人做干燥房除湿系统的节能改造，热泵或者余热利用都可以考虑",
            ["干燥房", "节能改造"],
            ["做干燥房", "考虑"],
        ),
        ("Hi～我们StrideX是做下肢康复外骨骼的，现在的问题是整机太重了", ["外骨骼"], ["Hi", "StrideX是"]),
    ],
)
def test_titles_name_the_need_not_the_greeting_the_place_or_the_options(description, must, must_not):
    title = propose_title(description)
    assert all(m in title for m in must) and not any(m in title for m in must_not), title


@pytest.mark.parametrize(
    "text", ["对着呢，提交吧", "信息都对，提交", "核对过了，没有问题", "内容没问题", "上面的都对"]
)
def test_a_check_said_done_confirms_the_summary(text):
    assert is_yes(reading_form(text))


@pytest.mark.parametrize("text", ["信息不对", "看过了吗", "看完了，有个地方不对", "核对一下"])
def test_a_check_not_done_does_not_confirm(text):
    assert not is_yes(reading_form(text))


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("山东的高校吧 山东理工离得近", ["山东理工大学"]),
        ("景德镇陶瓷大学或者武汉理工都可以", ["景德镇陶瓷大学", "武汉理工大学"]),
        ("东北农大或者西南交大", ["东北农业大学", "西南交通大学"]),
        ("想找理工科背景的", []),
    ],
)
def test_a_university_named_by_its_place_and_kind(text, names):
    assert parse_partner(text)["names"] == names


@pytest.mark.parametrize(
    ("text", "low", "high", "kind"),
    [
        ("最多出八十万", None, 800_000, "upper_bound"),
        ("顶多能给五十万", None, 500_000, "upper_bound"),
        ("至少拿出三十万", 300_000, None, "range"),
        ("小一百万", 1_000_000, 1_000_000, "approx"),
        ("两个亿", 200_000_000, 200_000_000, "exact"),
        ("预算不多，十来个w", 100_000, 150_000, "range"),
        ("一百来个吧", 1_000_000, 1_000_000, "approx"),
        ("几十万到一百万", 100_000, 1_000_000, "range"),
        ("钱不是问题", None, None, "negotiable"),
    ],
)
def test_more_budget_wording(text, low, high, kind):
    budget = parse_budget(text)
    assert (budget["min_cny"], budget["max_cny"], budget["kind"]) == (low, high, kind)


@pytest.mark.parametrize(
    ("text", "deadline", "months"),
    [
        ("年前搞定", "2027-02-06", None),  # before the Spring Festival of 2027
        ("这个月内", "2026-12-31", None),
        ("明年这个时候", "2027-12-03", None),
        ("明年三四月份", "2027-04-30", None),
        ("半年到一年", None, 12),
        ("一到两年", None, 24),
    ],
)
def test_more_time_wording(text, deadline, months):
    found = parse_timeline(text, EARLY_DECEMBER)
    assert (found["deadline"], found["months"]) == (deadline, months)


def test_years_ago_is_no_time_limit():
    assert parse_timeline("三年前就有这个问题", EARLY_DECEMBER) is None


@pytest.mark.parametrize(
    ("text", "modes"),
    [
        ("做个技术评估就行", ["技术咨询"]),
        ("只要方案，我们自己做", ["技术咨询"]),
        ("一起申报项目", ["技术开发(合作开发)"]),
        ("跟他们一起研发一个新品", ["技术开发(合作开发)"]),
        ("帮我们把样机做出来", ["技术开发(委托开发)"]),
        ("我们提需求，他们开发，费用我们出", ["技术开发(委托开发)"]),
    ],
)
def test_more_cooperation_wording(text, modes):
    assert parse_answer("coop_mode", text, {}) == modes


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("按合同来", "协商确定"),
        ("一家一半", "双方共有"),
        ("我们要独家使用", "归企业所有"),
        ("专利要在我们名下", "归企业所有"),
    ],
)
def test_more_ip_wording(text, phrase):
    assert parse_answer("ip_preference", text, {}) == phrase


def test_regions_in_the_partner_answer_need_no_partner_word():
    assert partner_of("北京上海的都行", answer=True)["regions"] == ["北京", "上海"]
    assert partner_of("北京这边做注塑的")["regions"] == []  # said in passing, a place is where the user is


def test_a_kind_of_top_university_is_no_name():
    assert parse_partner("双一流大学")["names"] == []


@pytest.mark.parametrize(
    ("text", "company", "person"),
    [
        ("张总的手机13800138000，公司叫苏州瑞特机械", "苏州瑞特机械", "张总"),
        ("Acme Robotics Co., Ltd. / Tom Chen / 13711112222", "Acme Robotics Co., Ltd.", "Tom Chen"),
    ],
)
def test_contact_blocks_with_an_introduced_short_name_or_an_english_one(text, company, person):
    contact = parse_contact(text, asked="contact")
    assert (contact.enterprise_name, contact.contact_name) == (company, person)


@pytest.mark.parametrize("text", ["公司是民营企业", "我们是一家上市公司"])
def test_a_kind_of_company_is_no_name(text):
    assert parse_contact(text, asked="contact").enterprise_name is None


@pytest.mark.parametrize(
    "text",
    ["光设备就花了三百多万", "一吨要三千来块的原料", "电费一个月就60多万", "体细胞数老在50万个/毫升往上"],
)
def test_money_spent_prices_and_counts_in_a_first_message_are_no_budget(text):
    assert parse_budget(text, strict=True) is None


def test_the_rnd_part_of_a_total_investment_is_the_budget():
    assert parse_budget("项目总投资一个亿，其中研发这块三百万", strict=True)["max_cny"] == 3_000_000


@pytest.mark.parametrize("text", ["产品寿命要求10年以上", "质保不低于5年"])
def test_how_long_a_product_lasts_is_no_time_limit(text):
    assert parse_timeline(text, EARLY_DECEMBER, strict=True) is None


@pytest.mark.parametrize(
    ("text", "coop", "ip", "regions"),
    [
        ("买他们的专利，无所谓，不限", ["技术转让"], ("未提供", "无要求"), []),
        ("委托开发，按合同来，不要外地的", ["技术开发(委托开发)"], ("协商确定",), ["合肥"]),
        ("他们开发费用我们出，在我们名下，安徽的", ["技术开发(委托开发)"], ("归企业所有",), ["安徽"]),
    ],
)
def test_the_cooperation_question_answered_in_one_message(text, coop, ip, regions):
    slots = {"need_description": "我们在合肥做光伏支架的，想做一套焊缝视觉检测系统"}
    result = process_turn(text, "coop_mode", slots)
    assert result.slots["coop_mode"] == coop and result.slots["ip_preference"] in ip
    assert (result.slots["partner_preference"] or {}).get("regions", []) == regions


def test_a_kind_followed_by_a_remark_is_not_ruled_out():
    assert parse_partner("高校的不用太有名，能解决问题就行")["types"] == ["高校"]


@pytest.mark.parametrize("text", ["经费好说，看你们方案", "钱不是问题", "资金方面不成问题", "预算好说"])
def test_money_said_to_be_no_limit_is_negotiable(text):
    budget = parse_budget(text)
    assert budget is not None and budget["kind"] == "negotiable" and budget["max_cny"] is None
