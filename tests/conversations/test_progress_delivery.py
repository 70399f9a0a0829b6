"""Progress notices through the outbound delivery service: the widget now or on the next visit, WeChat only in
its 客服消息 window (else e-mail), every attempt recorded with the request."""

from __future__ import annotations

from sqlalchemy import select

from chanyan.console.editing import add_note
from chanyan.requests import progress
from chanyan.requests.notify import NotifySettings
from chanyan.store.models import ProgressNotice
from chanyan.store.requests import file_request, get_request
from chanyan.store.session import make_sessionmaker
from tests.unit.conftest import sample_fields

SMTP = NotifySettings(smtp_host="127.0.0.1", email_from="noreply@platform.example")


def _file(sessions, conversation: str, channel: str) -> str:
    fields = sample_fields(conversation, "d1", channel=channel, contact_email="wang@example.com")
    return file_request(sessions, fields)[0].ref


def _notice(sessions, ref: str) -> ProgressNotice:
    with sessions() as session:
        request = get_request(session, ref)
        return (
            session.execute(
                select(ProgressNotice)
                .where(ProgressNotice.request_id == request.id)
                .order_by(ProgressNotice.id.desc())
            )
            .scalars()
            .first()
        )


def _note_and_route(sessions, service, ref: str, text: str) -> ProgressNotice:
    with sessions() as session, session.begin():
        add_note(session, ref, text, "li", public=True)
    progress.route_pending(sessions, SMTP, deliver=progress.outbound_delivery(service))
    return _notice(sessions, ref)


def test_the_widget_gets_the_notice_now_or_on_the_next_visit(engine, service, rasa):
    sessions = make_sessionmaker(engine)
    ref = _file(sessions, "web-p", "socketio")
    rasa.user_says("web-p", "我们想做视觉检测", "socketio")
    away = _note_and_route(sessions, service, ref, "请补充样品照片")
    assert (away.route, away.outcome) == ("socketio", "queued") and "下次打开" in away.detail
    rasa.connected.add("web-p")
    here = _note_and_route(sessions, service, ref, "已约好高校团队")
    assert (here.route, here.outcome) == ("socketio", "sent")
    assert [t for _c, t, _m in rasa.sent][-1].endswith("对接专员留言：已约好高校团队")
    attempts = service.attempts(request_ref=ref)
    assert [(a["kind"], a["status"]) for a in attempts] == [("notice", "sent"), ("notice", "queued")]


def test_wechat_past_its_window_falls_back_to_e_mail_with_the_reason(engine, service, rasa, fake_clock):
    sessions = make_sessionmaker(engine)
    ref = _file(sessions, "wx-p", "wechat")
    rasa.user_says("wx-p", "我的需求进展到哪了", "wechat", at=fake_clock.now)
    inside = _note_and_route(sessions, service, ref, "下周三视频沟通")
    assert (inside.route, inside.outcome) == ("wechat", "sent")
    fake_clock.advance(hours=49)
    late = _note_and_route(sessions, service, ref, "请确认时间")
    assert (late.route, late.outcome) == ("email", "queued") and "48小时" in late.detail
    assert [a["status"] for a in service.attempts(request_ref=ref)] == ["refused", "sent"]
