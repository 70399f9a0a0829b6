"""Helpers of the console tests: request fields, Rasa tracker rows, signing in."""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import text

FAST_ARGON2 = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}
PASSWORD = "correct horse battery"
ADMIN, STAFF, DISABLED = "admin", "alice", "bob"
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
CSRF_INPUT = re.compile(r'name="_csrf" value="([^"]+)"')

EVENTS_DDL = """
CREATE TABLE IF NOT EXISTS events (
    id {id_column},
    sender_id VARCHAR(255) NOT NULL,
    type_name VARCHAR(255) NOT NULL,
    timestamp FLOAT,
    intent_name VARCHAR(255),
    action_name VARCHAR(255),
    data TEXT
)
"""


def request_fields(**overrides: Any) -> dict[str, Any]:
    """Column values of a request as the filing action would pass them."""
    fields = {
        "conversation_id": f"conv-{uuid.uuid4().hex[:8]}",
        "channel": "rest",
        "draft_id": uuid.uuid4().hex,
        "enterprise_name": "苏州精工零部件有限公司",
        "contact_name": "张工",
        "contact_phone": "13812345678",
        "contact_email": "zhang@example.com",
        "need_title": "零件表面划痕视觉检测",
        "need_description": "机器视觉检测零件表面划痕，要求漏检率低于千分之一",
        "tech_targets": "检测速度每分钟60件",
        "domain_code": "80",
        "domain_name": "先进制造与自动化",
        "sub_code": "803",
        "sub_name": "高性能、智能化仪器仪表",
        "keywords": ["机器视觉", "缺陷检测"],
        "budget": {"min_cny": 500000, "max_cny": 800000, "kind": "range", "text": "50-80万"},
        "timeline": {"deadline": "2027-06-30", "months": None, "text": "明年6月前"},
        "coop_mode": ["技术开发(合作开发)"],
        "ip_preference": "归企业所有",
        "partner": {"types": ["高校"], "names": [], "regions": ["江苏"]},
        "extraction": {"domains": [{"code": "80", "score": 0.91}]},
    }
    fields.update(overrides)
    return fields


def add_events(engine, conversation_id: str, turns: list[tuple[str, str]], *, channel: str = "rest") -> None:
    """Rows shaped like Rasa's SQL tracker store: ("user"|"bot"|"handoff", text)."""
    start = datetime.now(timezone.utc).timestamp() - 600
    with engine.begin() as connection:
        id_column = (
            "SERIAL PRIMARY KEY"
            if engine.dialect.name == "postgresql"
            else "INTEGER PRIMARY KEY AUTOINCREMENT"
        )
        connection.execute(text(EVENTS_DDL.format(id_column=id_column)))
        for i, (kind, said) in enumerate(turns):
            stamp = start + i * 5
            if kind == "user":
                intent = "handoff" if "人工" in said else "inform"
                data = {
                    "event": "user",
                    "timestamp": stamp,
                    "text": said,
                    "parse_data": {"intent": {"name": intent, "confidence": 0.9}},
                    "input_channel": channel,
                }
                row = ("user", intent, None)
            elif kind == "bot":
                data = {
                    "event": "bot",
                    "timestamp": stamp,
                    "text": said,
                    "data": {"buttons": [{"title": "跳过", "payload": "/skip"}]},
                }
                row = ("bot", None, None)
            else:
                data = {"event": "action", "timestamp": stamp, "name": "action_handoff"}
                row = ("action", None, "action_handoff")
            connection.execute(
                text(
                    "INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) "
                    "VALUES (:sender, :type, :ts, :intent, :action, :data)"
                ),
                {
                    "sender": conversation_id,
                    "type": row[0],
                    "ts": stamp,
                    "intent": row[1],
                    "action": row[2],
                    "data": json.dumps(data, ensure_ascii=False),
                },
            )


async def login(client, username: str = STAFF, password: str = PASSWORD, **headers: str):
    """Sign in through the login form; returns the response of the form post (not followed)."""
    page = await client.get("/login")
    token = CSRF_INPUT.search(await page.text()).group(1)
    return await client.post(
        "/login",
        data={"username": username, "password": password, "_csrf": token, "next": "/requests"},
        allow_redirects=False,
        headers=headers,
    )


async def signed_in(client, username: str = STAFF) -> str:
    """Sign in and return the session's CSRF token."""
    response = await login(client, username)
    assert response.status == 302, await response.text()
    page = await client.get("/requests")
    return CSRF_INPUT.search(await page.text()).group(1)
