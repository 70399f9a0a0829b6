"""The admin's erasure of one conversation's personal data from the console."""

from __future__ import annotations

from sqlalchemy import select, text

from chanyan.requests.privacy import ERASE_ACTION, ERASED_MARK
from chanyan.store.models import AuditEntry, Request
from chanyan.store.session import make_engine, make_sessionmaker
from tests.console.console_support import ADMIN, CSRF_INPUT, add_events, signed_in

CONVERSATION = "conv-extra-2"
PHONE = "13812345678"


async def test_only_admins_see_the_erase_page(client) -> None:
    await signed_in(client)  # a 对接专员
    assert (await client.get(f"/conversations/{CONVERSATION}/privacy")).status == 403
    page = await client.get(f"/conversations/{CONVERSATION}")
    assert "删除此会话的个人信息" not in await page.text()


async def test_an_admin_erases_a_conversations_personal_data(client, database) -> None:
    engine = make_engine(database["url"])
    add_events(engine, CONVERSATION, [("user", f"我的手机是{PHONE}"), ("bot", "好的，张工")])
    csrf = await signed_in(client, ADMIN)
    page = await client.get(f"/conversations/{CONVERSATION}")
    assert "删除此会话的个人信息" in await page.text()
    form = await client.get(f"/conversations/{CONVERSATION}/privacy")
    assert form.status == 200 and "删除后无法恢复" in await form.text()

    unconfirmed = await client.post(f"/conversations/{CONVERSATION}/privacy", data={"_csrf": csrf})
    assert unconfirmed.status == 422
    done = await client.post(
        f"/conversations/{CONVERSATION}/privacy",
        data={
            "_csrf": CSRF_INPUT.search(await form.text()).group(1),
            "confirm": "1",
            "reason": "企业来电要求",
        },
    )
    assert done.status == 200 and "已删除：1份需求单" in await done.text()

    with make_sessionmaker(engine)() as session:
        row = session.scalars(select(Request).where(Request.conversation_id == CONVERSATION)).one()
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.request_id == row.id, AuditEntry.action == ERASE_ACTION)
        ).one()
    assert (row.contact_name, row.contact_phone, row.contact_email) == (ERASED_MARK, "", None)
    assert entry.actor == ADMIN and entry.new_value == "企业来电要求" and entry.old_value is None
    with engine.connect() as connection:
        stored = (
            connection.execute(text("SELECT data FROM events WHERE sender_id = :s"), {"s": CONVERSATION})
            .scalars()
            .all()
        )
    engine.dispose()
    assert stored and not any(PHONE in raw or "张工" in raw for raw in stored)
    detail = await client.get(f"/requests/{row.ref}")
    assert PHONE not in await detail.text()


async def test_the_full_privacy_notice_is_public(client) -> None:
    response = await client.get("/privacy", allow_redirects=False)
    assert response.status == 200 and "个人信息保护说明" in await response.text()
