"""The enterprise's own requests: status on its identity, a number filed elsewhere only after the phone's last four
digits (attempts limited), additions and withdrawals written to the history."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from chanyan import clock
from chanyan.requests import enterprise
from chanyan.store.models import AuditEntry, RequestNote, StatusLookup
from chanyan.store.requests import file_request, get_request
from tests.unit.conftest import sample_fields


def _file(session_factory, conversation: str, draft: str, **fields) -> str:
    request, _ = file_request(session_factory, sample_fields(conversation, draft, **fields))
    return request.ref


def names(reply: enterprise.Reply) -> list[str]:
    return [name for name, _values in reply.say]


def test_the_identity_s_requests_are_listed_newest_first_with_the_latest_public_note(session_factory):
    first = _file(session_factory, "openid-a", "d1", need_title="注塑件缺陷检测")
    second = _file(session_factory, "openid-a", "d2", need_title="废水除磷工艺")
    _file(session_factory, "openid-other", "d3")
    with session_factory() as session, session.begin():
        request = get_request(session, first)
        request.status = "reviewing"
        request.notes.append(RequestNote(author="li", text="内部：价格敏感", public=False))
        request.notes.append(RequestNote(author="li", text="已联系两所高校，下周反馈", public=True))
    with session_factory() as session:
        reply = enterprise.identity_status(session, "openid-a")
    assert names(reply) == [
        "utter_status_count",
        "utter_status_new",
        "utter_status_reviewing",
        "utter_status_note",
    ]
    assert reply.say[0][1]["count"] == 2
    assert reply.say[1][1]["ref"] == second and reply.say[2][1]["ref"] == first
    assert reply.say[3][1]["note"] == "已联系两所高校，下周反馈"  # the private note is never told
    with session_factory() as session:
        assert names(enterprise.identity_status(session, "openid-nobody")) == ["utter_status_none"]


def test_a_number_filed_elsewhere_needs_the_phone_tail_and_guessing_is_stopped(session_factory):
    ref = _file(session_factory, "widget-1", "d1", contact_phone="13912345678")
    with session_factory() as session, session.begin():
        own = enterprise.ref_status(session, "widget-1", ref)
        assert names(own) == ["utter_status_new"]
        asked = enterprise.ref_status(session, "openid-b", ref)
    assert names(asked) == ["utter_status_ask_tail"] and asked.pending["ref"] == ref
    # An unknown number is asked the same way: nothing says whether it exists.
    with session_factory() as session, session.begin():
        unknown = enterprise.ref_status(session, "openid-b", "XQ-20200101-0001")
    assert names(unknown) == ["utter_status_ask_tail"]
    pending = asked.pending
    with session_factory() as session, session.begin():
        wrong = enterprise.verify_tail(session, "openid-b", pending, "1111")
    assert names(wrong) == ["utter_status_tail_wrong"] and wrong.say[0][1]["left"] == 2
    with session_factory() as session, session.begin():
        right = enterprise.verify_tail(session, "openid-b", wrong.pending, "5678")
    assert names(right) == ["utter_status_new"] and right.pending is None
    pending = {**pending, "failures": 0}
    for _ in range(2):
        with session_factory() as session, session.begin():
            pending = enterprise.verify_tail(session, "openid-c", pending, "0000").pending
    with session_factory() as session, session.begin():
        refused = enterprise.verify_tail(session, "openid-c", pending, "0000")
    assert names(refused) == ["utter_status_tail_refused"] and refused.pending is None
    # Five failures from any identities lock the number for a day, even against the right digits.
    with session_factory() as session, session.begin():
        fresh = enterprise.verify_tail(session, "openid-d", {"kind": "verify", "ref": ref}, "0001")
        assert names(fresh) == ["utter_status_tail_refused"]
        locked = enterprise.ref_status(session, "openid-e", ref, tail="5678")
        assert names(locked) == ["utter_status_locked"]
        assert names(enterprise.ref_status(session, "widget-1", ref)) == ["utter_status_new"]
        later = clock.utcnow() + enterprise.REF_FAILURE_WINDOW + timedelta(minutes=1)
        assert names(enterprise.ref_status(session, "openid-e", ref, tail="5678", now=later)) == [
            "utter_status_new"
        ]
    with session_factory() as session:
        outcomes = session.execute(select(StatusLookup.succeeded)).scalars().all()
    assert outcomes.count(False) == 5 and outcomes.count(True) == 2


def test_a_withdrawal_is_confirmed_first_then_closes_the_request_with_the_reason(session_factory):
    ref = _file(session_factory, "conv-w", "d1")
    with session_factory() as session, session.begin():
        asked = enterprise.ask_withdraw(session, "conv-w", reason="我们自己解决了，撤回吧")
        assert get_request(session, ref).status == "new"
    assert names(asked) == ["utter_withdraw_confirm"] and asked.pending["ref"] == ref
    with session_factory() as session, session.begin():
        done = enterprise.withdraw(session, "conv-w", asked.pending)
    assert names(done) == ["utter_withdrawn"] and done.changed_ref == ref
    with session_factory() as session:
        request = get_request(session, ref)
        audit = session.execute(select(AuditEntry).where(AuditEntry.request_id == request.id)).scalars().all()
        assert request.status == "closed"
        last = request.status_history[-1]
        assert (last.actor, last.from_status) == ("enterprise", "new")
        assert last.reason == "企业撤回：我们自己解决了，撤回吧"
        assert [(a.actor, a.action) for a in audit] == [("enterprise", "status")]
        assert names(enterprise.identity_status(session, "conv-w")) == ["utter_status_withdrawn"]
    with session_factory() as session, session.begin():
        again = enterprise.ask_withdraw(session, "conv-w", ref=ref)
        other = enterprise.ask_withdraw(session, "conv-stranger", ref=ref)
        nothing = enterprise.ask_withdraw(session, "conv-stranger")
    assert names(again) == ["utter_withdraw_already_closed"]
    assert names(other) == ["utter_own_not_yours"] and names(nothing) == ["utter_own_nothing"]


def test_a_signed_request_cannot_be_withdrawn_in_the_chat(session_factory):
    ref = _file(session_factory, "conv-s", "d1")
    with session_factory() as session, session.begin():
        get_request(session, ref).status = "agreed"
    with session_factory() as session, session.begin():
        assert names(enterprise.ask_withdraw(session, "conv-s", ref=ref)) == ["utter_withdraw_signed"]
        assert names(enterprise.withdraw(session, "conv-s", {"ref": ref})) == ["utter_withdraw_signed"]
        assert get_request(session, ref).status == "agreed"


def test_an_addition_goes_into_the_description_with_an_audit_entry(session_factory):
    older = _file(session_factory, "conv-add", "d1")
    newer = _file(session_factory, "conv-add", "d2")
    with session_factory() as session, session.begin():
        asked = enterprise.supplement(session, "conv-add", None, last_ref=older)
    assert names(asked) == ["utter_supplement_ask"] and asked.pending["ref"] == older
    with session_factory() as session, session.begin():
        done = enterprise.supplement(session, "conv-add", "夜班也要能检测", ref=older)
    assert names(done) == ["utter_supplemented"] and done.changed_ref == older
    with session_factory() as session:
        request = get_request(session, older)
        assert request.need_description.startswith("零件表面划痕靠人工检测")
        assert request.need_description.endswith("补充）夜班也要能检测")
        assert get_request(session, newer).need_description == "零件表面划痕靠人工检测，漏检率高"
        audit = session.execute(select(AuditEntry).where(AuditEntry.request_id == request.id)).scalars().all()
        assert [(a.actor, a.field) for a in audit] == [("enterprise", "need_description")]
    with session_factory() as session, session.begin():
        # Without a number or a request filed last, the newest open one is meant.
        latest = enterprise.supplement(session, "conv-add", "样品可以寄过去")
        assert latest.say[0][1]["ref"] == newer
        too_long = enterprise.supplement(session, "conv-add", "很" * 5000, ref=newer)
        assert names(too_long) == ["utter_supplement_too_long"]


def test_every_response_the_service_names_exists_in_the_bot_s_domain():
    import re
    from pathlib import Path

    import yaml

    from chanyan.domain.schema import STATUSES

    root = Path(__file__).resolve().parents[2]
    responses = set(
        yaml.safe_load((root / "bot/domain/responses.yml").read_text(encoding="utf-8"))["responses"]
    )
    named = set()
    for path in (root / "chanyan/requests/enterprise.py", root / "bot/actions/own_requests.py"):
        named |= set(re.findall(r'"(utter_[a-z_]+)"', path.read_text(encoding="utf-8")))
    assert named and sorted(named - responses) == []
    assert {f"utter_status_{s}" for s in (*STATUSES, "withdrawn")} <= responses
