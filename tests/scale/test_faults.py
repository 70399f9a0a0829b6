"""Faults in the scale-out deployment: the requests database gone at filing time, an action server killed
in the middle of the form, a Rasa replica killed and restarted in the middle of the form."""

from __future__ import annotations

import pytest

from connectors.retry_notice import RETRY_NOTICE
from tests.e2e.driver import DEFAULT_ANSWERS, REF, question_key, run_intake
from tests.scale.support import FIRST_MESSAGE, SUMMARY, alternating, answer_until, new_sender, texts

pytestmark = pytest.mark.e2e

FILING_FAILED = "系统暂时无法保存"


def test_the_database_down_at_filing_time_files_exactly_once_when_it_returns(replicas):
    user = new_sender("dbdown")
    send = alternating(replicas, user)
    answer_until(send, FIRST_MESSAGE, SUMMARY)
    replicas.proxy.cut()
    try:
        said = "\n".join(texts(send("确认")))
        # The truth: not saved, nothing lost, confirm again later; no reference number is promised.
        assert FILING_FAILED in said and not REF.search(said), said
        said = "\n".join(texts(send("确认")))
        assert FILING_FAILED in said and not REF.search(said), said
        assert replicas.stack.filed_requests(user) == []
    finally:
        replicas.proxy.restore()
    intake = run_intake(send, "确认")
    assert intake.ref
    again = "\n".join(texts(send("确认")))
    [row] = replicas.stack.filed_requests(user)
    assert row["ref"] == intake.ref
    assert row["enterprise_name"] == "苏州精工机械有限公司"
    assert again  # a repeated confirmation is answered, and files nothing


def test_an_action_server_killed_mid_form_gets_a_retry_notice_and_the_conversation_continues(replicas):
    user = new_sender("actkill")
    send = lambda message: replicas.rest("a", user, message)  # noqa: E731 (replica a uses action server a)
    said = "\n".join(answer_until(send, FIRST_MESSAGE, "合作方式"))
    assert "合作方式" in said
    replicas.stack.process("actions-a").kill()
    try:
        assert texts(send("委托开发")) == [RETRY_NOTICE]
    finally:
        replicas.start_actions("a")
        replicas.stack.wait_ready()
    # The same answer again, now that the action server is back: the form goes on where it was.
    intake = run_intake(send, "委托开发")
    [row] = replicas.stack.filed_requests(user)
    assert row["ref"] == intake.ref
    assert row["coop_mode"] == ["技术开发(委托开发)"]
    assert row["budget"]["max_cny"] == 800_000


def test_a_rasa_replica_killed_mid_form_resumes_where_it_was(replicas):
    user = new_sender("rasakill")
    said = "\n".join(texts(replicas.rest("a", user, FIRST_MESSAGE)))
    assert "技术指标" in said
    replicas.stack.process("rasa-a").kill()
    replicas.start_rasa("a")
    # While replica a restarts, the load balancer sends the next messages to replica b.
    said = texts(replicas.rest("b", user, "检出率99%以上"))
    key = question_key(said, DEFAULT_ANSWERS)
    assert key and key != "关键技术指标", said
    replicas.stack.wait_ready()
    intake = run_intake(lambda m: replicas.rest("a", user, m), DEFAULT_ANSWERS[key])
    [row] = replicas.stack.filed_requests(user)
    assert row["ref"] == intake.ref
    assert row["tech_targets"] == "检出率99%以上"
    assert row["budget"]["min_cny"] == 500_000
