"""The dialogue runner without Rasa: the files, the scripted user against a fake bot, talk detection, scoring."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
import yaml

from tests.dialogues import report, script
from tests.dialogues.play import play, verdict
from tests.dialogues.scoring import (
    compare,
    match_budget,
    match_partner,
    match_text,
    match_timeline,
    resolve_date,
)
from tests.dialogues.script import Conversation
from tests.dialogues.talk import talk, talk_fields
from tests.dialogues.user import MAX_ASKS, BotTurn, ScriptedUser, plain_budget, plain_timeline, step_of

TODAY = date(2026, 12, 2)
ALL = script.load("all")
PHONE = re.compile(r"1[3-9]\d{9}")


# --- the conversation files -------------------------------------------------------------------------------


@pytest.mark.parametrize("conversation", ALL, ids=lambda c: c.id)
def test_every_conversation_file_is_well_formed(conversation):
    assert conversation.problems == [], f"{conversation.path}: {conversation.problems}"
    assert conversation.expect, "every conversation says what must be filed (or that nothing is)"


def test_the_set_is_big_and_split():
    by_split = Counter(c.split for c in ALL)
    assert len(ALL) >= 65
    assert by_split["dev"] >= 40 and by_split["heldout"] >= 20
    assert len({c.id for c in ALL}) == len(ALL), "conversation ids are unique across both splits"


@pytest.mark.parametrize("split", script.SPLITS)
def test_each_split_covers_every_domain_and_every_repair_pattern(split):
    conversations = [c for c in ALL if c.split == split]
    codes = set()
    for c in conversations:
        if c.filed_expected:
            domains = c.expect["domain"]
            codes |= {d["code"] for d in (domains if isinstance(domains, list) else [domains])}
    assert codes == {"10", "20", "30", "40", "50", "60", "70", "80"}
    tags = {t for c in conversations for t in c.tags}
    missing = set(script.REPAIR_TAGS) - tags
    assert not missing, f"{split} lacks conversations for {missing}"
    assert any(not c.filed_expected for c in conversations), "some requests must not be filed"


def test_phones_in_expectations_are_mobile_numbers():
    for c in ALL:
        if c.filed_expected:
            assert PHONE.fullmatch(c.expect["contact_phone"]), c.id


def test_a_broken_file_is_reported(tmp_path):
    path = tmp_path / "x.yml"
    path.write_text(
        yaml.safe_dump(
            {"tags": ["nonsense"], "opening": [], "answers": {"budget": True}}, allow_unicode=True
        ),
        encoding="utf-8",
    )
    problems = script.load_file(path, "dev").problems
    joined = " | ".join(problems)
    assert "opening" in joined and "unknown tag" in joined and "expect: missing" in joined
    assert "every answer is text" in joined or "a string or a mapping" in joined


# --- a fake bot: a form in a fixed order, a domain step with buttons, a summary that takes "确认" ------------


class FakeBot:
    """Asks `order` one slot at a time, takes any answer that is not a question, files on `confirm_words`."""

    def __init__(self, order, confirm_words=("确认",), contact_block=False):
        self.order = list(order)
        self.confirm_words = confirm_words
        self.contact_block = contact_block
        self.slots: dict[str, str] = {}
        self.requested: str | None = None
        self.log: list[str] = []
        self.filed = False

    def _ask(self) -> list[dict]:
        pending = [s for s in self.order if s not in self.slots]
        if not pending:
            self.requested = "summary_confirmed"
            return [{"text": "请核对您的需求单：…", "buttons": [{"title": "确认提交", "payload": "确认"}]}]
        self.requested = pending[0]
        if self.requested == "tech_domain":
            return [
                {
                    "text": "可能属于下面的技术领域：",
                    "buttons": [
                        {"title": "电子信息 / 软件", "payload": '/choose{"choice": "101"}'},
                        {
                            "title": "先进制造与自动化 / 高性能、智能化仪器仪表",
                            "payload": '/choose{"choice": "803"}',
                        },
                    ],
                }
            ]
        if self.contact_block and self.requested == "enterprise_name":
            return [{"text": "请留下单位全称、联系人和手机"}]
        return [{"text": f"请回答{self.requested}"}]

    def send(self, text: str) -> list[dict]:
        self.log.append(text)
        if self.filed:
            return [{"text": "好的"}]
        if self.requested == "summary_confirmed":
            if any(w in text for w in self.confirm_words):
                self.filed = True
                return [{"text": "您的需求已提交，编号 XQ-20261202-0001。"}]
            return [{"text": "抱歉，没看明白。"}, *self._ask()]
        if text.endswith("？"):  # a question, not an answer: asked again
            return [{"text": "这个问题我记下了。"}, *self._ask()]
        if self.requested:
            self.slots[self.requested] = text
            if self.contact_block and self.requested == "enterprise_name":
                self.slots.update({s: text for s in ("contact_name", "contact_phone", "contact_email")})
        return self._ask()

    def tracker(self) -> dict:
        return {"slots": {"requested_slot": None if self.filed else self.requested}}


def conv(data: dict, split: str = "dev") -> Conversation:
    return Conversation(data.get("id", "t"), split, Path("t.yml"), data, script.check(data))


BASE = {
    "tags": ["terse"],
    "opening": ["零件表面划痕要做视觉检测，50w，明年6月底前"],
    "answers": {
        "need_description": {"given": "零件表面划痕视觉检测"},
        "need_title": "划痕视觉检测",
        "tech_targets": "精度0.05mm",
        "budget": {"given": "50w"},
        "timeline": {"given": "明年6月底前"},
        "coop_mode": "委托开发",
        "ip_preference": "归我方",
        "partner_preference": "不限",
        "enterprise_name": "宁波甬达精密注塑有限公司",
        "contact_name": "王工",
        "contact_phone": "13957412345",
        "contact_email": "跳过",
    },
    "domain": {"want": ["803"], "pick": "第{ordinal}个"},
    "summary": ["预算改成60万", "行就这样提交吧"],
    "expect": {
        "enterprise_name": "宁波甬达精密注塑有限公司",
        "contact_name": "王工",
        "contact_phone": "13957412345",
        "contact_email": None,
        "domain": {"code": "80", "sub_code": ["803"]},
        "budget": {"min_cny": 600000, "max_cny": 600000, "kind": "exact"},
        "timeline": {"deadline": "{Y+1}-06-30"},
        "coop_mode": ["技术开发(委托开发)"],
        "ip_preference": "归企业所有",
        "partner": None,
        "need_title": {"must_contain": ["划痕"]},
        "need_description": {"must_contain": ["划痕"]},
        "tech_targets": {"must_contain": ["0.05mm"]},
    },
}
ORDER = ["need_description", "tech_targets", "tech_domain", "budget", "enterprise_name", "contact_name"]


def test_the_base_conversation_is_well_formed():
    assert conv(BASE).problems == []


def test_scripted_user_answers_what_is_asked_in_any_order():
    bot = FakeBot(list(reversed(ORDER)))
    played = play(conv(BASE), bot.send, bot.tracker, today=TODAY)
    assert bot.slots["contact_name"] == "王工"
    assert bot.slots["enterprise_name"] == "宁波甬达精密注塑有限公司"
    assert bot.slots["tech_targets"] == "精度0.05mm"
    # Slots the user believes it gave already are answered with the "already said" remark.
    assert bot.slots["budget"] == "刚才说了，50w"
    assert bot.slots["need_description"] == "刚才说了，零件表面划痕视觉检测"
    # The domain step: the wanted code is the second button.
    assert bot.slots["tech_domain"] == "第二个"
    # At the summary: the correction, the natural confirmation, then (not understood) a plain 确认.
    assert bot.log[-3:] == ["预算改成60万", "行就这样提交吧", "确认"]
    assert played.end == "filed" and played.confirm_retries == 1 and played.repairs == 1
    assert played.user_turns_to_file == len(bot.log)


def test_a_bot_that_understands_natural_confirmations_needs_no_repair():
    bot = FakeBot(ORDER, confirm_words=("确认", "提交"))
    played = play(conv(BASE), bot.send, bot.tracker, today=TODAY)
    assert played.end == "filed" and played.repairs == 0
    assert bot.log[-1] == "行就这样提交吧"


def test_asked_again_the_user_repeats_then_falls_back_to_the_plain_form():
    data = json.loads(json.dumps(BASE))
    data["answers"]["budget"] = "五六十个吧"
    data["expect"]["budget"] = {"min_cny": 500000, "max_cny": 600000, "kind": "range"}
    sent: list[str] = []

    def send(text):
        sent.append(text)
        return [{"text": "没能识别出金额"}, {"text": "这个项目计划投入多少资金？"}]

    played = play(conv(data), send, lambda: {"slots": {"requested_slot": "budget"}}, today=TODAY)
    assert sent[1:4] == ["五六十个吧", "刚才说了，五六十个吧", "50-60万"]
    assert played.end == "gave_up" and len(sent) == 1 + MAX_ASKS
    assert played.repairs == MAX_ASKS - 2


def test_the_user_gives_up_after_too_many_asks():
    bot = FakeBot(["coop_mode"])

    def send(text):
        bot.log.append(text)
        bot.requested = "coop_mode"
        return [{"text": "没能识别出合作方式。", "buttons": []}]

    played = play(conv(BASE), send, bot.tracker, today=TODAY)
    assert played.end == "gave_up"
    assert bot.log.count("委托开发") >= 2 and len(bot.log) <= 8


def test_interjections_come_when_their_question_is_asked_and_their_reply_is_checked():
    data = json.loads(json.dumps(BASE))
    data["interjections"] = [
        {"when_asked": "contact_name", "say": "能签保密协议吗？", "reply_any": ["保密协议"]}
    ]
    bot = FakeBot(ORDER, confirm_words=("确认", "提交"))
    played = play(conv(data), bot.send, bot.tracker, today=TODAY)
    index = bot.log.index("能签保密协议吗？")
    assert bot.log[index + 1] == "王工"
    [check] = played.checks
    assert check["ok"] is False  # the fake bot never answers the question


def test_contact_block_question_gets_the_contact_answer():
    data = json.loads(json.dumps(BASE))
    data["contact"] = "宁波甬达精密注塑有限公司，王工，13957412345"
    bot = FakeBot(ORDER + ["contact_phone"], contact_block=True, confirm_words=("确认", "提交"))
    play(conv(data), bot.send, bot.tracker, today=TODAY)
    assert "宁波甬达精密注塑有限公司，王工，13957412345" in bot.log
    assert "王工" not in bot.log  # contact name was not asked on its own


def test_step_detection():
    assert step_of(BotTurn(["请核对您的需求单"], [], "summary_confirmed")) == ("summary", "summary_confirmed")
    assert step_of(BotTurn(["请核对您的需求单：…"], [], None))[0] == "summary"
    assert step_of(BotTurn(["领域"], [], "tech_domain"))[0] == "domain"
    assert step_of(BotTurn(["请留下单位全称、联系人和手机"], [], "enterprise_name"))[0] == "contact"
    assert step_of(BotTurn(["请问贵单位的全称是？"], [], "enterprise_name")) == ("slot", "enterprise_name")
    assert step_of(BotTurn(["好的"], [], None)) == ("idle", None)


def test_non_technical_user_leaves_after_its_lines():
    data = {
        "tags": ["non_technical"],
        "opening": ["能帮忙贷款吗？"],
        "unscripted": ["我不是搞研发"],
        "expect": {"filed": False, "reply": "declines_non_technical"},
    }
    user = ScriptedUser(conv(data), TODAY)
    assert user.next_message(None).text == "能帮忙贷款吗？"
    assert user.next_message(BotTurn(["请描述需求"], [], "need_description")).text == "我不是搞研发"
    assert user.next_message(BotTurn(["请描述需求"], [], "need_description")) is None


def test_plain_forms():
    assert plain_budget({"min_cny": 800000, "max_cny": 800000, "kind": "approx"}) == "80万左右"
    assert plain_budget({"min_cny": 500000, "max_cny": 800000, "kind": "range"}) == "50-80万"
    assert plain_budget({"min_cny": None, "max_cny": 1200000, "kind": "upper_bound"}) == "120万以内"
    assert plain_budget({"min_cny": None, "max_cny": None, "kind": "negotiable"}) == "面议"
    assert plain_timeline({"deadline": "{Y+1}-02-END"}, TODAY) == "2027年2月28日前"
    assert plain_timeline({"months": 6}, TODAY) == "6个月内"


# --- talk -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("tech_targets", "刚才不是说了嘛，600度摩擦系数0.35以上"),
        ("tech_targets", "上面写了：电芯温差≤3℃"),
        ("tech_targets", "见上表第四项"),
        ("tech_targets", "暂时没有，先不说了"),
        ("need_title", "说了"),
        ("need_title", "那我们公司的技术细节会保密吗？"),
        ("need_description", "说了，轴承套圈内径在线测量"),
        ("enterprise_name", "预算还是按100万吧，老板又松口了"),
        ("enterprise_name", "台州市恒达汽车制动器有限公司，我就是陈总"),
        ("enterprise_name", "第一句就是：宁德市海川储能科技有限公司"),
        ("contact_name", "我姓王"),
        ("contact_name", "陈国强啊"),
        ("contact_name", "长光卫星……哦不是"),
        ("ip_preference", "知识产权是啥意思？俺不懂"),
        ("ip_preference", "哦不对，合作方式改一下，还是合作开发吧"),
    ],
)
def test_talk_is_found(field, value):
    assert talk(field, value), (field, value)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("need_description", "注塑件表面划痕靠人工检测，想把人工检测改成自动检测，有没有办法？"),
        ("need_description", "我们是做刹车片的，刚刚投产的新线良率低"),
        ("need_title", "注塑件表面缺陷视觉检测"),
        ("tech_targets", "精度±0.05mm，节拍1秒"),
        ("enterprise_name", "深圳跨帆科技有限公司（CrossSail）"),
        ("enterprise_name", "寿光市绿丰蔬菜种植专业合作社"),
        ("contact_name", "王建军"),
        ("contact_name", "Leo Chen"),
        ("contact_name", "陳經理"),
        ("ip_preference", "双方共有"),
        ("ip_preference", None),
    ],
)
def test_values_are_not_talk(field, value):
    assert talk(field, value) is None, (field, value)


def test_talk_fields_of_a_record():
    found = talk_fields({"contact_name": "叫我梁总就行", "enterprise_name": "佛山金釉陶瓷有限公司"})
    assert set(found) == {"contact_name"} and found["contact_name"]["rule"]


# --- comparing a record with its expectation ----------------------------------------------------------------


def record(**changes) -> dict:
    row = {
        "enterprise_name": "宁波甬达精密注塑有限公司",
        "contact_name": "王工",
        "contact_phone": "13957412345",
        "contact_email": None,
        "domain_code": "80",
        "sub_code": "803",
        "budget": {"min_cny": 600000, "max_cny": 600000, "kind": "exact", "text": "60万"},
        "timeline": {"deadline": "2027-06-30", "months": None, "text": "明年6月底前"},
        "coop_mode": ["技术开发(委托开发)"],
        "ip_preference": "归企业所有",
        "partner": {"types": ["不限"], "names": [], "regions": []},
        "need_title": "划痕视觉检测",
        "need_description": "零件表面划痕要做视觉检测",
        "tech_targets": "精度0.05mm",
    }
    row.update(changes)
    return row


def test_a_right_record_has_no_wrong_field():
    assert compare(BASE["expect"], record(), TODAY) == {}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"budget": {"min_cny": 3000, "max_cny": 3000, "kind": "exact"}}, "budget"),
        ({"budget": {"min_cny": 600000, "max_cny": 600000, "kind": "approx"}}, "budget"),
        ({"sub_code": None}, "domain"),
        ({"domain_code": "10", "sub_code": "101"}, "domain"),
        ({"timeline": {"deadline": "2027-05-31", "months": None}}, "timeline"),
        ({"coop_mode": ["技术开发(委托开发)", "技术咨询"]}, "coop_mode"),
        ({"ip_preference": "归我方"}, "ip_preference"),
        ({"partner": {"types": ["高校"], "names": [], "regions": []}}, "partner"),
        ({"contact_email": "wang@x.com"}, "contact_email"),
        ({"need_title": "搞个视觉检测"}, "need_title"),
        ({"need_title": "划痕" + "视觉检测" * 10}, "need_title"),
        ({"tech_targets": None}, "tech_targets"),
        ({"enterprise_name": "宁波甬达精密注塑"}, "enterprise_name"),
    ],
)
def test_each_wrong_field_is_caught(changes, field):
    assert set(compare(BASE["expect"], record(**changes), TODAY)) == {field}


def test_dates_relative_to_today():
    assert resolve_date("{Y+1}-06-30", TODAY) == "2027-06-30"
    assert resolve_date("{Y}-12-31", TODAY) == "2026-12-31"
    assert resolve_date("{YM+2}-END", TODAY) == "2027-02-28"
    assert resolve_date("2028-06-30", TODAY) == "2028-06-30"
    assert match_timeline(
        {"deadline_between": ["{Y+1}-06-30", "{Y+1}-07-31"]}, {"deadline": "2027-07-15"}, TODAY
    )
    assert not match_timeline({"months": 6}, {"deadline": None, "months": 12}, TODAY)
    assert match_timeline({"open": True}, {"deadline": None, "months": None, "text": "不急"}, TODAY)
    assert not match_timeline({"open": True}, None, TODAY)


def test_budget_kinds_and_alternatives():
    expected = [
        {"min_cny": 800000, "max_cny": 800000, "kind": ["exact", "approx"]},
        {"max_cny": 800000, "min_cny": None, "kind": "upper_bound"},
    ]
    assert match_budget(expected, {"min_cny": None, "max_cny": 800000, "kind": "upper_bound"})
    assert match_budget(expected, {"min_cny": 800000, "max_cny": 800000, "kind": "approx"})
    assert not match_budget(expected, {"min_cny": 2000000, "max_cny": 2000000, "kind": "exact"})
    assert match_budget(None, None) and not match_budget(None, {"kind": "unknown"})


def test_partner_and_text_read_traditional_script_as_simplified():
    assert match_partner(
        {"types": ["高校"], "names": ["南方科技大学"]}, {"types": ["高校", "不限"], "names": ["南方科技大學"]}
    )
    assert match_partner(None, {"types": ["不限"], "names": [], "regions": []})
    assert not match_partner(None, {"types": [], "names": [], "regions": ["本地"]})
    assert match_text({"must_contain": [["心电", "ECG"], "房颤"]}, "心電貼片房顫自動識別")
    assert not match_text({"must_contain": ["划痕"], "must_not_contain": ["噪声"]}, "划痕和噪声")


# --- verdicts and figures -----------------------------------------------------------------------------------


def test_verdict_of_a_request_that_must_not_be_filed():
    data = {
        "tags": ["non_technical"],
        "opening": ["能办贷款吗"],
        "unscripted": ["那算了"],
        "expect": {"filed": False, "reply": "declines_non_technical"},
    }
    c = conv(data)

    def declines(text):
        return [{"text": "抱歉，平台不提供贷款服务；我们帮企业把技术需求对接给高校和科研院所。"}]

    played = play(c, declines, lambda: {"slots": {}}, today=TODAY)
    assert verdict(c, played, [], 0, TODAY)["ok"] is True
    played = play(c, lambda t: [{"text": "请问贵单位的全称是？"}], lambda: {"slots": {}}, today=TODAY)
    assert verdict(c, played, [], 0, TODAY)["ok"] is False
    assert verdict(c, played, [record()], 0, TODAY)["ok"] is False


def test_figures_over_a_split():
    bot = FakeBot(ORDER, confirm_words=("确认", "提交"))
    c = conv(BASE)
    played = play(c, bot.send, bot.tracker, today=TODAY)
    good = verdict(c, played, [record()], 0, TODAY)
    bad = verdict(c, played, [record(contact_name="我姓王")], 0, TODAY)
    assert good["ok"] and not bad["ok"] and "contact_name" in bad["talk"]
    figures = report.totals([good, bad])
    assert figures["filed_all_right"] == {"n": 1, "of": 2, "share": 0.5}
    assert figures["filed_with_talk"]["n"] == 1
    assert figures["median_turns_filed"] == played.user_turns_to_file
    text = report.render("heldout", figures, [good, bad], show_items=False, worst=5)
    assert "contact_name" not in text and "worst" not in text  # held-out: totals only
    assert "worst" in report.render("dev", figures, [good, bad], show_items=True, worst=5)
