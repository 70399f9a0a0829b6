"""The live conversation page: staff take a conversation, reply on the user's channel, follow it without a
reload and hand it back; sign-in, CSRF, who may act, escaping."""

from __future__ import annotations

import uuid

import pytest
from console_support import ADMIN, CSRF_INPUT, FAST_ARGON2, HOSTILE, PASSWORD, STAFF, signed_in

from chanyan.console import init_app
from chanyan.console.keys import CLOCK_KEY, CONVERSATION_TRANSPORT_KEY
from chanyan.staff.accounts import create_user, make_hasher
from chanyan.store.session import make_engine, make_sessionmaker
from tests.fakes.conversations import FakeClock, FakeRasa

OTHER = "carol"


@pytest.fixture(scope="module")
def engine(database):
    engine = make_engine(database["url"])
    with make_sessionmaker(engine)() as session, session.begin():
        create_user(session, make_hasher(FAST_ARGON2), OTHER, PASSWORD, display_name="王对接")
    yield engine
    engine.dispose()


@pytest.fixture
def rasa(engine) -> FakeRasa:
    return FakeRasa(engine)


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def live_client(aiohttp_client, settings, rasa, fake_clock):
    app = init_app(settings)
    app[CONVERSATION_TRANSPORT_KEY] = rasa
    app[CLOCK_KEY] = fake_clock
    return await aiohttp_client(app)


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def post(client, path: str, csrf: str, **data: str):
    return await client.post(path, data={"_csrf": csrf, **data}, allow_redirects=False)


async def test_staff_take_a_widget_conversation_reply_and_hand_it_back(live_client, rasa):
    conversation = new_id("web")
    rasa.user_says(conversation, "转人工，想找专员聊聊", "socketio")
    csrf = await signed_in(live_client)
    page = await (await live_client.get(f"/conversations/{conversation}")).text()
    assert "网页" in page and "助手在回复" in page and "发送" in page
    rasa.connected.add(conversation)
    sent = await post(
        live_client, f"/conversations/{conversation}/reply", csrf, text="您好，我是李对接，请讲。"
    )
    assert sent.status == 302 and "sent=sent" in sent.headers["Location"]
    assert rasa.sent[-1] == (
        conversation,
        "您好，我是李对接，请讲。",
        {"staff": "李对接", "outbound": "staff"},
    )
    page = await (await live_client.get(sent.headers["Location"])).text()
    assert "已送达" in page and "由 <strong>李对接</strong> 接手中" in page
    assert "对接专员 李对接" in page  # the reply in the transcript, with the name
    # The user writes while staff hold it: the page's live part has it.
    rasa.user_says(conversation, "我们的设备是三菱PLC", "socketio")
    live = await (await live_client.get(f"/conversations/{conversation}/live")).json()
    assert "三菱PLC" in live["transcript_html"] and live["held_by"] == "李对接"
    released = await post(live_client, f"/conversations/{conversation}/release", csrf)
    assert released.status == 302 and "done=released" in released.headers["Location"]
    assert rasa.executed[-1] == (conversation, "action_staff_handback", "socketio")
    page = await (await live_client.get(released.headers["Location"])).text()
    assert "已把对话交还给助手" in page and "把对话交还给助手。" in page


async def test_a_widget_user_who_left_gets_the_reply_on_the_next_visit(live_client, rasa):
    conversation = new_id("web")
    rasa.user_says(conversation, "转人工", "socketio")
    csrf = await signed_in(live_client)
    queued = await post(live_client, f"/conversations/{conversation}/reply", csrf, text="明天上午给您回电")
    assert "sent=queued" in queued.headers["Location"]
    page = await (await live_client.get(queued.headers["Location"])).text()
    assert "用户不在线：下次打开对话时可见" in page


async def test_wechat_shows_the_window_and_refuses_past_it(live_client, rasa, fake_clock):
    conversation = new_id("wx")
    rasa.user_says(conversation, "请专员联系我", "wechat", at=fake_clock.now)
    csrf = await signed_in(live_client)
    page = await (await live_client.get(f"/conversations/{conversation}")).text()
    assert "客服消息窗口" in page and '<strong class="messages-left">5</strong>' in page
    for i in range(5):
        await post(live_client, f"/conversations/{conversation}/reply", csrf, text=f"第{i + 1}条")
    live = await (await live_client.get(f"/conversations/{conversation}/live")).json()
    assert live["window"]["messages_left"] == 0 and live["window"]["allowed"] is False
    assert "已发送5条客服消息" in live["status_html"]
    refused = await post(live_client, f"/conversations/{conversation}/reply", csrf, text="第6条")
    assert (
        "sent=refused" in refused.headers["Location"]
        and "reason=wechat_quota_used" in refused.headers["Location"]
    )
    assert len([s for s in rasa.sent if s[0] == conversation]) == 5
    page = await (await live_client.get(refused.headers["Location"])).text()
    assert "微信不允许再发" in page and "disabled" in page
    fake_clock.advance(hours=48)
    live = await (await live_client.get(f"/conversations/{conversation}/live")).json()
    assert live["window"]["reason"] == "wechat_window_closed"


async def test_rest_conversations_say_they_cannot_be_replied_to(live_client, rasa):
    conversation = new_id("rest")
    rasa.user_says(conversation, "转人工", "rest")
    csrf = await signed_in(live_client)
    page = await (await live_client.get(f"/conversations/{conversation}")).text()
    assert "REST 接口" in page and "无法主动发送消息" in page
    refused = await post(live_client, f"/conversations/{conversation}/reply", csrf, text="您好")
    assert "reason=rest_cannot_push" in refused.headers["Location"]
    assert not [s for s in rasa.sent if s[0] == conversation]


async def test_handing_back_marks_the_conversations_handoffs_handled(live_client, rasa, engine):
    from chanyan.store.requests import record_handoff

    conversation = new_id("web")
    rasa.user_says(conversation, "转人工", "socketio")
    with make_sessionmaker(engine)() as session, session.begin():
        record_handoff(session, conversation, "socketio", "转人工")
    csrf = await signed_in(live_client)
    await post(live_client, f"/conversations/{conversation}/reply", csrf, text="您好")
    await post(live_client, f"/conversations/{conversation}/release", csrf)
    page = await (await live_client.get(f"/conversations/{conversation}")).text()
    assert f"已由 {STAFF} 处理" in page


async def test_only_the_holder_or_an_admin_acts_in_a_held_conversation(
    aiohttp_client, settings, rasa, engine
):
    conversation = new_id("web")
    rasa.user_says(conversation, "转人工", "socketio")
    app_a, app_b, app_admin = (init_app(settings) for _ in range(3))
    clients = []
    for app in (app_a, app_b, app_admin):
        app[CONVERSATION_TRANSPORT_KEY] = rasa
        clients.append(await aiohttp_client(app))
    alice, carol, admin = clients
    csrf_alice = await signed_in(alice, STAFF)
    csrf_carol = await signed_in(carol, OTHER)
    csrf_admin = await signed_in(admin, ADMIN)
    assert (await post(alice, f"/conversations/{conversation}/hold", csrf_alice)).status == 302
    for action in ("reply", "release", "hold"):
        denied = await post(carol, f"/conversations/{conversation}/{action}", csrf_carol, text="我来")
        assert denied.status == 403 and "李对接" in await denied.text()
    page = await (await carol.get(f"/conversations/{conversation}")).text()
    assert "此对话正由 李对接 接手" in page and 'name="text"' not in page
    assert (await post(admin, f"/conversations/{conversation}/release", csrf_admin)).status == 302
    assert rasa.executed[-1][1] == "action_staff_handback"


async def test_sign_in_and_csrf_are_required(live_client, rasa):
    conversation = new_id("web")
    rasa.user_says(conversation, "转人工", "socketio")
    anonymous = await live_client.get(f"/conversations/{conversation}/live", allow_redirects=False)
    assert anonymous.status == 302 and anonymous.headers["Location"].startswith("/login")
    await signed_in(live_client)
    forged = await live_client.post(
        f"/conversations/{conversation}/reply", data={"text": "伪造"}, allow_redirects=False
    )
    assert forged.status == 403
    assert (await post(live_client, f"/conversations/{conversation}/hold", "wrong-token")).status == 403
    assert not rasa.sent and not [e for e in rasa.executed if e[0] == conversation]


async def test_empty_and_overlong_replies_are_refused_before_sending(live_client, rasa):
    conversation = new_id("web")
    rasa.user_says(conversation, "转人工", "socketio")
    csrf = await signed_in(live_client)
    empty = await post(live_client, f"/conversations/{conversation}/reply", csrf, text="   ")
    assert empty.status == 422 and "消息内容为空" in await empty.text()
    long = await post(live_client, f"/conversations/{conversation}/reply", csrf, text="长" * 601)
    assert long.status == 422 and "最多 600 个字" in await long.text()
    assert not [s for s in rasa.sent if s[0] == conversation]


async def test_what_users_and_staff_typed_is_escaped(live_client, rasa):
    conversation = new_id("web")
    rasa.user_says(conversation, HOSTILE, "socketio")
    csrf = await signed_in(live_client)
    await post(live_client, f"/conversations/{conversation}/reply", csrf, text=f"回复 {HOSTILE}")
    page = await (await live_client.get(f"/conversations/{conversation}")).text()
    live = await (await live_client.get(f"/conversations/{conversation}/live")).json()
    for html in (page, live["transcript_html"]):
        assert "<script>alert" not in html and "&lt;script&gt;alert" in html
        assert "<img src=x" not in html


async def test_the_flash_message_comes_from_codes_never_from_the_url(live_client, rasa):
    conversation = new_id("web")
    rasa.user_says(conversation, "转人工", "socketio")
    await signed_in(live_client)
    page = await (
        await live_client.get(f"/conversations/{conversation}?sent=refused&reason=%3Cscript%3Ex")
    ).text()
    assert "<script>x" not in page and "未发送" in page
    assert CSRF_INPUT.search(page)
