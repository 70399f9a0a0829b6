"""Pages about the platform's own health: the notification outbox (通知) and channel incidents (渠道异常)."""

from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy import select

from chanyan.console.db import run_db
from chanyan.console.errors import Forbidden, NotFound
from chanyan.console.security import current_user
from chanyan.console.views import redirect_to
from chanyan.domain.schema import CHANNEL_LABELS
from chanyan.requests import outbox
from chanyan.store.models import NOTIFICATION_STATUSES, ChannelIncident

routes = web.RouteTableDef()
MAX_ROWS = 200
STATUS_LABELS = {"pending": "待发送", "sent": "已送达", "failed": "已放弃"}
TARGET_LABELS = {"webhook": "企业微信群", "email": "邮件"}


@routes.get("/notifications", name="notifications")
@aiohttp_jinja2.template("notifications.html")
async def notifications(request: web.Request) -> dict:
    status = request.query.get("status", "")
    status = status if status in NOTIFICATION_STATUSES else ""
    rows = await run_db(request.app, outbox.recent, status=status or None, limit=MAX_ROWS)
    return {"rows": rows, "status": status, "status_labels": STATUS_LABELS, "target_labels": TARGET_LABELS}


@routes.post("/notifications/{notification_id:\\d+}/retry", name="notification_retry")
async def notification_retry(request: web.Request) -> web.Response:
    if not current_user(request).is_admin:
        raise Forbidden("只有管理员可以重新发送通知。")
    done = await run_db(request.app, outbox.retry, int(request.match_info["notification_id"]))
    if not done:
        raise NotFound("未找到可重发的通知。")
    raise redirect_to(request, "notifications")


def _incidents(session) -> list[ChannelIncident]:
    query = select(ChannelIncident).order_by(ChannelIncident.id.desc()).limit(MAX_ROWS)
    return list(session.execute(query).scalars())


@routes.get("/incidents", name="incidents")
@aiohttp_jinja2.template("incidents.html")
async def incidents(request: web.Request) -> dict:
    return {"rows": await run_db(request.app, _incidents), "channel_labels": CHANNEL_LABELS}
