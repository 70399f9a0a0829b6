"""Whole conversations over the REST channel against the real bot, checked against the rows filed."""

from __future__ import annotations

import json
import urllib.error
import uuid

import pytest

from tests.e2e.driver import REF, run_intake

pytestmark = pytest.mark.e2e


def sender() -> str:
    return f"rest-{uuid.uuid4().hex[:10]}"


def rows(stack, conversation_id: str) -> list[dict]:
    return stack.filed_requests(conversation_id)


def texts(replies: list[dict]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def test_a_rich_first_message_files_a_complete_request(rasa_stack):
    user = sender()
    intake = run_intake(
        lambda m: rasa_stack.rest(user, m),
        "我们是苏州精工机械有限公司，想用机器视觉检测零件表面划痕，预算50-80万，明年6月前完成",
    )
    assert intake.ref and REF.fullmatch(intake.ref)
    # Only what was missing was asked: no question about budget, deadline or the company.
    asked = "\n".join(intake.bot_texts)
    assert "投入多少资金" not in asked and "什么时候完成" not in asked and "单位的全称" not in asked
    [row] = rows(rasa_stack, user)
    assert row["ref"] == intake.ref
    assert row["channel"] == "rest"
    assert row["enterprise_name"] == "苏州精工机械有限公司"
    assert row["budget"]["min_cny"] == 500_000 and row["budget"]["max_cny"] == 800_000
    assert row["timeline"]["deadline"].startswith("2027-06")
    assert row["coop_mode"] == ["技术开发(委托开发)"]
    assert row["contact_phone"] == "13912345678"
    assert row["contact_email"] is None
    assert row["domain_code"] == "80"
    assert row["status"] == "new"
    # The NLU component (not only the action server) read the domain and constraints from the first message.
    first = next(e for e in rasa_stack.tracker(user)["events"] if e["event"] == "user")
    found = {e["entity"] for e in first["parse_data"]["entities"] if e.get("extractor") == "ChanyanExtractor"}
    assert {"tech_domain", "budget", "timeline"} <= found


def test_one_question_at_a_time_from_a_greeting(rasa_stack):
    user = sender()
    greeting = texts(rasa_stack.rest(user, "你好"))
    assert "产研通" in greeting
    answers = {
        "技术问题或需求": "我们的锂电池极片涂布厚度不均匀，想找高校一起优化涂布工艺",
        "投入多少资金": "三五十万吧",
        "什么时候完成": "半年内",
        "合作方式": "合作开发",
        "合作方有偏好": "高校，最好是江苏的",
        "单位的全称": "常州新能电池科技有限公司",
        "怎么称呼": "李工",
        "手机号码": "+86 138-0013-8000",
        "邮箱": "li.gong@xinneng.com",
        "关键技术指标": "厚度偏差小于2微米",
    }
    intake = run_intake(lambda m: rasa_stack.rest(user, m), "我要提交需求", answers)
    [row] = rows(rasa_stack, user)
    assert row["ref"] == intake.ref
    assert row["contact_phone"] == "13800138000"
    assert row["contact_email"] == "li.gong@xinneng.com"
    assert row["budget"]["min_cny"] == 300_000 and row["budget"]["max_cny"] == 500_000
    assert row["timeline"]["months"] == 6
    assert row["coop_mode"] == ["技术开发(合作开发)"]
    assert "高校" in row["partner"]["types"]
    assert row["tech_targets"] == "厚度偏差小于2微米"


def test_corrections_at_the_summary_and_an_invalid_phone(rasa_stack):
    user = sender()
    replies = rasa_stack.rest(
        user, "我们是杭州云图软件有限公司，想做一个工业大数据分析平台，预算100万以内，年底前"
    )
    assert replies
    seen_summary = False

    def send(message: str) -> list[dict]:
        nonlocal seen_summary
        out = rasa_stack.rest(user, message)
        if "核对您的需求单" in texts(out) and not seen_summary:
            seen_summary = True
            corrected = rasa_stack.rest(user, "预算改成80万，联系人换成李经理")
            summary = texts(corrected)
            assert "80万" in summary and "李经理" in summary
            return corrected
        return out

    # The first phone answer is invalid: the bot says why and asks again.
    bad = {"手机号码": "1391234"}
    first = run_intake_until(rasa_stack, user, "跳过", bad)
    assert "有效的手机号" in first
    intake = run_intake(send, "13912345678")
    [row] = rows(rasa_stack, user)
    assert row["ref"] == intake.ref
    assert row["budget"]["min_cny"] == 800_000
    assert row["contact_name"] == "李经理"


def run_intake_until(stack, user: str, first: str, answers: dict[str, str]) -> str:
    """Answer questions with the defaults until the one in `answers` is asked; send that answer; its reply."""
    from tests.e2e.driver import DEFAULT_ANSWERS, question_key

    merged = {**DEFAULT_ANSWERS, **answers}
    message = first
    for _ in range(20):
        out = texts(stack.rest(user, message))
        key = question_key(out.split("\n"), merged)
        assert key, out
        if key in answers:
            return texts(stack.rest(user, answers[key]))
        message = merged[key]
    raise AssertionError("question never asked")


def test_pause_faq_handoff_and_resume(rasa_stack):
    user = sender()
    rasa_stack.rest(user, "我们想降低空压机站的能耗，预算面议")
    faq = texts(rasa_stack.rest(user, "你们收费吗？"))
    assert "免费" in faq
    assert "?" not in faq and faq.count("\n") >= 0
    handoff = texts(rasa_stack.rest(user, "转人工"))
    assert "对接专员" in handoff
    paused = texts(rasa_stack.rest(user, "先不填了"))
    assert "保存" in paused
    back = texts(rasa_stack.rest(user, "继续刚才的需求"))
    assert "接着" in back
    intake = run_intake(lambda m: rasa_stack.rest(user, m), "跳过", {"单位的全称": "无锡某某压缩机有限公司"})
    [row] = rows(rasa_stack, user)
    assert row["ref"] == intake.ref
    assert row["budget"]["kind"] == "negotiable"
    assert row["handoff"] in (1, True)


def test_repeated_confirmation_files_once(rasa_stack):
    user = sender()
    intake = run_intake(
        lambda m: rasa_stack.rest(user, m),
        "我们是宁波海纳塑业有限公司，想开发可降解包装材料，预算30万，一年内",
    )
    again = texts(rasa_stack.rest(user, "确认"))
    assert intake.ref
    assert len(rows(rasa_stack, user)) == 1
    assert again  # the bot answers politely instead of staying silent


@pytest.mark.parametrize(
    "message",
    [
        "😀😀😀",
        "Hello, can you help us find a university partner?",
        "机器视觉" * 250,
        "\x00\x01 <script>alert(1)</script>",
    ],
)
def test_odd_messages_get_an_answer_and_never_break_the_conversation(rasa_stack, message):
    user = sender()
    replies = rasa_stack.rest(user, message)
    assert replies, f"no reply to {message[:30]!r}"
    # The conversation still works afterwards.
    assert texts(rasa_stack.rest(user, "你好"))


@pytest.mark.parametrize(("message", "status"), [("", 400), ("   ", 400), ("机器视觉" * 1250, 413)])
def test_an_empty_or_over_long_message_is_refused_with_its_reason_and_the_conversation_goes_on(
    rasa_stack, message, status
):
    user = sender()
    with pytest.raises(urllib.error.HTTPError) as refused:
        rasa_stack.rest(user, message)
    assert refused.value.code == status and json.loads(refused.value.read())["message"]
    assert texts(rasa_stack.rest(user, "你好"))
