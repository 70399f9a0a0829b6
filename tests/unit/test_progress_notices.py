"""Progress notifications: which changes tell the enterprise, by which route, and what staff see of each attempt."""

from __future__ import annotations

from sqlalchemy import select

from chanyan.console.editing import add_note, change_status
from chanyan.requests import enterprise, outbox, progress
from chanyan.requests.notify import NotifySettings
from chanyan.store.models import Notification, ProgressNotice
from chanyan.store.requests import file_request, get_request
from tests.unit.conftest import sample_fields

SMTP = NotifySettings(smtp_host="127.0.0.1", smtp_port=2525, email_from="noreply@platform.example")
NO_SMTP = NotifySettings()


def _file(session_factory, channel: str, email: str | None, conversation: str = "conv-p") -> str:
    fields = sample_fields(conversation, f"d-{channel}", channel=channel, contact_email=email)
    return file_request(session_factory, fields)[0].ref


def _notices(session, ref: str) -> list[ProgressNotice]:
    request = get_request(session, ref)
    query = select(ProgressNotice).where(ProgressNotice.request_id == request.id).order_by(ProgressNotice.id)
    return list(session.execute(query).scalars())


def test_staff_steps_and_public_notes_queue_a_notice_private_ones_do_not(session_factory):
    ref = _file(session_factory, "rest", "wang@example.com")
    with session_factory() as session, session.begin():
        change_status(session, ref, "reviewing", "", "li")
        add_note(session, ref, "内部：先别告诉企业", "li")
        change_status(session, ref, "matched", "", "li")
        add_note(session, ref, "已约好下周三与南京大学团队视频沟通", "li", public=True)
        change_status(session, ref, "closed", "企业不再需要", "li")
    with session_factory() as session:
        queued = [(n.event, n.text, n.outcome) for n in _notices(session, ref)]
    assert queued == [
        ("status", "matched", "pending"),
        ("note", "已约好下周三与南京大学团队视频沟通", "pending"),
        ("status", "closed", "pending"),
    ]


def test_the_enterprise_s_own_withdrawal_tells_it_nothing(session_factory):
    ref = _file(session_factory, "wechat", None, conversation="openid-self")
    with session_factory() as session, session.begin():
        asked = enterprise.ask_withdraw(session, "openid-self", ref=ref)
        enterprise.withdraw(session, "openid-self", asked.pending)
    with session_factory() as session:
        assert _notices(session, ref) == []


def test_rest_requests_are_told_by_e_mail_and_the_outbox_carries_each_attempt(session_factory):
    ref = _file(session_factory, "rest", "wang@example.com")
    woken = []
    with session_factory() as session, session.begin():
        change_status(session, ref, "reviewing", "", "li")
        change_status(session, ref, "matched", "", "li")
    assert progress.route_pending(session_factory, SMTP, wake_email=lambda: woken.append(1)) == 1
    assert woken == [1]
    with session_factory() as session, session.begin():
        notice = _notices(session, ref)[0]
        assert (notice.route, notice.outcome) == ("email", "queued")
        assert "接口渠道无法推送" in notice.detail
        mail = session.execute(select(Notification)).scalar_one()
        assert mail.recipient == "wang@example.com" and mail.dedupe_key == notice.notification_key
        assert ref in mail.subject and "找到合适的合作方" in mail.text
        outbox.mark_failed(session, mail.id, "connection refused", max_attempts=5, base_delay=1)
    with session_factory() as session:
        view = progress.notices_of_request(session, get_request(session, ref).id)[0]
    assert (view.route, view.email_attempts, view.email_error) == ("邮件", 1, "connection refused")
    assert view.outcome == "邮件待发送"
    # Routed once: a second pass finds nothing to do.
    assert progress.route_pending(session_factory, SMTP) == 0


def test_without_e_mail_or_smtp_the_notice_is_skipped_with_the_reason(session_factory):
    no_email = _file(session_factory, "rest", None, conversation="conv-a")
    with_email = _file(session_factory, "rest", "zhao@example.com", conversation="conv-b")
    with session_factory() as session, session.begin():
        add_note(session, no_email, "样品已收到", "li", public=True)
        add_note(session, with_email, "样品已收到", "li", public=True)
    progress.route_pending(session_factory, NO_SMTP)
    with session_factory() as session:
        first, second = _notices(session, no_email)[0], _notices(session, with_email)[0]
        assert (first.route, first.outcome) == ("none", "skipped") and "未留邮箱" in first.detail
        assert (second.route, second.outcome) == ("none", "skipped") and "SMTP" in second.detail
        assert session.execute(select(Notification)).first() is None


def test_a_chat_channel_that_can_be_written_to_is_used_before_e_mail(session_factory):
    widget = _file(session_factory, "socketio", "wang@example.com", conversation="widget-s")
    wechat = _file(session_factory, "wechat", "wang@example.com", conversation="openid-w")
    sent = []

    def deliver(channel: str, conversation_id: str, text: str, request_ref: str):
        sent.append((channel, conversation_id, text))
        if channel == "socketio":
            return progress.Outcome("queued", "用户不在线，下次访问时显示")
        return progress.Outcome("failed", "超过48小时客服消息时限")

    with session_factory() as session, session.begin():
        add_note(session, widget, "请补充样品照片", "li", public=True)
        add_note(session, wechat, "请补充样品照片", "li", public=True)
    progress.route_pending(session_factory, SMTP, deliver=deliver)
    assert [(c, cid) for c, cid, _ in sent] == [("socketio", "widget-s"), ("wechat", "openid-w")]
    assert sent[0][2].endswith("对接专员留言：请补充样品照片")
    with session_factory() as session:
        on_widget, by_mail = _notices(session, widget)[0], _notices(session, wechat)[0]
        assert (on_widget.route, on_widget.outcome) == ("socketio", "queued")
        assert (by_mail.route, by_mail.outcome) == ("email", "queued")
        assert "48小时" in by_mail.detail


def test_a_notice_whose_router_died_is_taken_again_after_the_lease(session_factory):
    from datetime import timedelta

    from chanyan import clock

    ref = _file(session_factory, "rest", None)
    with session_factory() as session, session.begin():
        add_note(session, ref, "样品已收到", "li", public=True)
    with session_factory() as session, session.begin():
        progress._claim_due(session, clock.utcnow(), 10)  # claimed, then the router "dies"
    assert progress.route_pending(session_factory, NO_SMTP) == 0
    later = clock.utcnow() + timedelta(seconds=progress.LEASE_SECONDS + 1)
    assert progress.route_pending(session_factory, NO_SMTP, now=later) == 1
    with session_factory() as session:
        assert _notices(session, ref)[0].outcome == "skipped"
