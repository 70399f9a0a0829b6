"""The JSON API (/api/...): the same data as the pages, for a session or a bearer token, described by OpenAPI."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from aiohttp import web

from chanyan.clock import iso_local
from chanyan.console import editing, openapi, queries
from chanyan.console.db import run_db, run_sync
from chanyan.console.errors import InvalidInput
from chanyan.console.keys import SETTINGS_KEY, TAXONOMY_KEY, TRACKER_ENGINE_KEY
from chanyan.console.security import current_user
from chanyan.console.views import tz
from chanyan.domain.schema import STATUSES
from chanyan.requests.records import request_record
from chanyan.store.requests import get_request

routes = web.RouteTableDef()


def _strict_json(text: str) -> Any:
    """JSON as RFC 8259 has it: NaN and Infinity are not numbers."""

    def refuse(constant: str) -> Any:
        raise ValueError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


async def _json_body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json(loads=_strict_json)
    except (ValueError, UnicodeDecodeError) as err:  # JSONDecodeError is a ValueError
        raise InvalidInput("请求体不是有效的 JSON。") from err
    if not isinstance(body, dict):
        raise InvalidInput("请求体应为 JSON 对象。")
    return body


@routes.get("/api/requests", name="api_requests")
async def api_requests(request: web.Request) -> web.Response:
    filters = queries.RequestFilters.from_query(request.query)
    try:
        page_number = max(1, int(request.query.get("page", "1")))
        page_size = min(queries.MAX_PAGE_SIZE, max(1, int(request.query.get("page_size", "50"))))
    except ValueError as err:
        raise InvalidInput("page 与 page_size 应为正整数。") from err

    def load(session):
        page = queries.list_page(session, filters, tz(request), page_number, page_size)
        return page, [request_record(r) for r in page.items]  # notes and history load in this session

    page, items = await run_db(request.app, load)
    return web.json_response(
        {
            "items": items,
            "total": page.total,
            "page": page.page,
            "page_size": page.page_size,
            "pages": page.pages,
            "counts": page.counts,
        }
    )


async def _detail(request: web.Request, ref: str) -> dict[str, Any]:
    """A request with its audit trail and handoffs (GET /api/requests/{ref}, and the answer of every edit)."""
    detail = await run_db(request.app, queries.request_detail, ref)
    record = dict(detail.record)
    record["audit"] = [
        {
            "actor": a.actor,
            "action": a.action,
            "field": a.field,
            "old": a.old_value,
            "new": a.new_value,
            "at": iso_local(a.created_at),
        }
        for a in detail.audit
    ]
    record["handoffs"] = [
        {
            "channel": h.channel,
            "message": h.message,
            "at": iso_local(h.created_at),
            "resolved_at": iso_local(h.resolved_at),
        }
        for h in detail.handoffs
    ]
    return record


@routes.get("/api/requests/{ref}", name="api_request")
async def api_request(request: web.Request) -> web.Response:
    return web.json_response(await _detail(request, request.match_info["ref"]))


@routes.patch("/api/requests/{ref}", name="api_request_edit")
async def api_edit(request: web.Request) -> web.Response:
    """Correct fields: the edit page's rules and audit; all or nothing, 422 naming every bad field."""
    ref = request.match_info["ref"]
    taxonomy = request.app[TAXONOMY_KEY]
    actor = current_user(request).username

    def edit(session, patch):
        values = editing.parse_patch(get_request(session, ref), patch, taxonomy)
        return editing.apply_edit(session, ref, values, actor)

    await run_db(request.app, edit, await _json_body(request))
    return web.json_response(await _detail(request, ref))


@routes.post("/api/requests/{ref}/assign", name="api_request_assign")
async def api_assign(request: web.Request) -> web.Response:
    """Give the request to a staff member ({"assignee": "name"}) or take it back ({"assignee": null})."""
    ref = request.match_info["ref"]
    body = await _json_body(request)
    if "assignee" not in body:
        raise InvalidInput("请提供 assignee。", {"assignee": "请填写用户名，或用 null 取消分配。"})
    assignee = body["assignee"]
    if assignee is not None and not isinstance(assignee, str):
        raise InvalidInput("负责人无效。", {"assignee": "应为用户名字符串或 null。"})
    await run_db(request.app, editing.assign, ref, assignee or "", current_user(request).username)
    return web.json_response(await _detail(request, ref))


@routes.get("/api/requests/{ref}/transcript", name="api_request_transcript")
async def api_transcript(request: web.Request) -> web.Response:
    detail = await run_db(request.app, queries.request_detail, request.match_info["ref"])
    transcript = await run_sync(
        queries.load_transcript, request.app[TRACKER_ENGINE_KEY], detail.request.conversation_id, tz(request)
    )
    turns = [{**asdict(t), "at": iso_local(t.at), "buttons": list(t.buttons)} for t in transcript.turns]
    return web.json_response(
        {
            "conversation_id": detail.request.conversation_id,
            "available": transcript.available,
            "truncated": transcript.truncated,
            "turns": turns,
        }
    )


@routes.post("/api/requests/{ref}/status", name="api_request_status")
async def api_status(request: web.Request) -> web.Response:
    body = await _json_body(request)
    status = str(body.get("status", ""))
    if status not in STATUSES:
        raise InvalidInput("状态无效。", {"status": f"应为 {', '.join(STATUSES)} 之一。"})
    changed = await run_db(
        request.app,
        lambda s: request_record(
            editing.change_status(
                s,
                request.match_info["ref"],
                status,
                str(body.get("reason") or ""),
                current_user(request).username,
            )
        ),
    )
    return web.json_response(changed)


@routes.post("/api/requests/{ref}/notes", name="api_request_notes")
async def api_note(request: web.Request) -> web.Response:
    body = await _json_body(request)
    public = body.get("public", False)
    if not isinstance(public, bool):
        raise InvalidInput("public 必须是 true 或 false。", {"public": "请填写 true 或 false。"})
    note = await run_db(
        request.app,
        editing.add_note,
        request.match_info["ref"],
        str(body.get("text") or ""),
        current_user(request).username,
        public=public,
    )
    return web.json_response(
        {
            "author": note.author,
            "text": note.text,
            "public": note.public,
            "created_at": iso_local(note.created_at),
        },
        status=201,
    )


@routes.get("/api/stats", name="api_stats")
async def api_stats(request: web.Request) -> web.Response:
    stats = await run_db(request.app, queries.dashboard, tz(request))
    return web.json_response(asdict(stats))


@routes.get("/api/openapi.json", name="api_openapi")
async def api_openapi(request: web.Request) -> web.Response:
    return web.json_response(openapi.document(request.app[SETTINGS_KEY].base_url))
