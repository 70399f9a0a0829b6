"""The JSON API (/api/...): the same data as the pages, for a session or a bearer token, described by OpenAPI."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from aiohttp import web

from chanyan.console import editing, queries
from chanyan.console.db import run_db, run_sync
from chanyan.console.errors import InvalidInput
from chanyan.console.keys import SETTINGS_KEY, TAXONOMY_KEY, TRACKER_ENGINE_KEY
from chanyan.console.security import current_user
from chanyan.console.views import tz
from chanyan.domain.schema import BUDGET_KINDS, COOP_MODES, PARTNER_TYPES, STATUSES
from chanyan.requests.records import request_record
from chanyan.store.requests import get_request

MAX_PAGE_SIZE = 200
routes = web.RouteTableDef()


def _iso(moment) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


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
        page_size = min(MAX_PAGE_SIZE, max(1, int(request.query.get("page_size", "50"))))
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
            "at": _iso(a.created_at),
        }
        for a in detail.audit
    ]
    record["handoffs"] = [
        {
            "channel": h.channel,
            "message": h.message,
            "at": _iso(h.created_at),
            "resolved_at": _iso(h.resolved_at),
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
    turns = [{**asdict(t), "at": _iso(t.at), "buttons": list(t.buttons)} for t in transcript.turns]
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
    note = await run_db(
        request.app,
        editing.add_note,
        request.match_info["ref"],
        str(body.get("text") or ""),
        current_user(request).username,
    )
    return web.json_response(
        {"author": note.author, "text": note.text, "created_at": _iso(note.created_at)}, status=201
    )


@routes.get("/api/stats", name="api_stats")
async def api_stats(request: web.Request) -> web.Response:
    stats = await run_db(request.app, queries.dashboard, tz(request))
    return web.json_response(asdict(stats))


@routes.get("/api/openapi.json", name="api_openapi")
async def api_openapi(request: web.Request) -> web.Response:
    return web.json_response(openapi_document(request.app[SETTINGS_KEY].base_url))


def openapi_document(server_url: str = "") -> dict[str, Any]:
    """OpenAPI 3.0 description of /api."""
    filters = [
        {"name": "status", "in": "query", "schema": {"type": "string", "enum": list(STATUSES)}},
        {
            "name": "domain",
            "in": "query",
            "schema": {"type": "string"},
            "description": "领域代码（如 80 或 803）",
        },
        {"name": "date_from", "in": "query", "schema": {"type": "string", "format": "date"}},
        {"name": "date_to", "in": "query", "schema": {"type": "string", "format": "date"}},
        {
            "name": "assignee",
            "in": "query",
            "schema": {"type": "string"},
            "description": "用户名；- 表示未分配",
        },
        {"name": "channel", "in": "query", "schema": {"type": "string"}},
        {"name": "q", "in": "query", "schema": {"type": "string"}, "description": "全文检索（中文分词）"},
        {"name": "handoff", "in": "query", "schema": {"type": "string", "enum": ["1"]}},
        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
        {
            "name": "page_size",
            "in": "query",
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
        },
    ]
    ref = {
        "name": "ref",
        "in": "path",
        "required": True,
        "schema": {"type": "string"},
        "example": "XQ-20261125-0007",
    }
    error = {"$ref": "#/components/responses/Error"}
    error_content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    record = {"$ref": "#/components/schemas/Request"}

    def json_body(schema: dict[str, Any]) -> dict[str, Any]:
        return {"required": True, "content": {"application/json": {"schema": schema}}}

    return {
        "openapi": "3.0.3",
        "info": {"title": "产研通 需求单 API", "version": "1", "description": "对接专员工作台的数据接口。"},
        "servers": [{"url": server_url or "/"}],
        "security": [{"bearer": []}, {"session": []}],
        "paths": {
            "/api/requests": {
                "get": {
                    "summary": "需求单列表（新的在前，可筛选、分页）",
                    "parameters": filters,
                    "responses": {
                        "200": {
                            "description": "一页需求单与各状态数量",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/RequestPage"}}
                            },
                        },
                        "401": error,
                    },
                }
            },
            "/api/requests/{ref}": {
                "get": {
                    "summary": "需求单详情（含备注、状态记录、修改记录）",
                    "parameters": [ref],
                    "responses": {
                        "200": {"description": "需求单", "content": {"application/json": {"schema": record}}},
                        "401": error,
                        "404": error,
                    },
                },
                "patch": {
                    "summary": "修改字段（与编辑页相同的校验；任一字段无效则不作修改，修改计入修改记录）",
                    "parameters": [ref],
                    "requestBody": json_body({"$ref": "#/components/schemas/RequestPatch"}),
                    "responses": {
                        "200": {
                            "description": "修改后的需求单（与 GET 相同）",
                            "content": {"application/json": {"schema": record}},
                        },
                        "422": {
                            "description": "请求体不是 JSON 对象，或有未知、无效的字段（errors 按字段说明）",
                            "content": error_content,
                        },
                        "401": error,
                        "403": error,
                        "404": error,
                    },
                },
            },
            "/api/requests/{ref}/transcript": {
                "get": {
                    "summary": "对话记录（用户与助手的发言）",
                    "parameters": [ref],
                    "responses": {"200": {"description": "对话记录"}, "401": error, "404": error},
                }
            },
            "/api/requests/{ref}/status": {
                "post": {
                    "summary": "变更状态（关闭需填写原因）",
                    "parameters": [ref],
                    "requestBody": json_body(
                        {
                            "type": "object",
                            "required": ["status"],
                            "properties": {
                                "status": {"type": "string", "enum": list(STATUSES)},
                                "reason": {"type": "string"},
                            },
                        }
                    ),
                    "responses": {
                        "200": {
                            "description": "变更后的需求单",
                            "content": {"application/json": {"schema": record}},
                        },
                        "401": error,
                        "403": error,
                        "404": error,
                        "409": error,
                        "422": error,
                    },
                }
            },
            "/api/requests/{ref}/assign": {
                "post": {
                    "summary": "分配负责人（null 取消分配），计入修改记录",
                    "parameters": [ref],
                    "requestBody": json_body(
                        {
                            "type": "object",
                            "required": ["assignee"],
                            "properties": {
                                "assignee": {
                                    "type": "string",
                                    "nullable": True,
                                    "description": "在用账号的用户名；null 取消分配",
                                }
                            },
                        }
                    ),
                    "responses": {
                        "200": {
                            "description": "分配后的需求单（与 GET 相同）",
                            "content": {"application/json": {"schema": record}},
                        },
                        "422": {
                            "description": "请求体无效，或该账号不存在、已停用",
                            "content": error_content,
                        },
                        "401": error,
                        "403": error,
                        "404": error,
                    },
                }
            },
            "/api/requests/{ref}/notes": {
                "post": {
                    "summary": "添加备注",
                    "parameters": [ref],
                    "requestBody": json_body(
                        {
                            "type": "object",
                            "required": ["text"],
                            "properties": {"text": {"type": "string"}},
                        }
                    ),
                    "responses": {
                        "201": {"description": "备注"},
                        "401": error,
                        "403": error,
                        "404": error,
                        "422": error,
                    },
                }
            },
            "/api/stats": {
                "get": {"summary": "统计数据", "responses": {"200": {"description": "统计"}, "401": error}}
            },
        },
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "在「我的账号」中创建的 API 令牌",
                },
                "session": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": "chanyan_session",
                    "description": "浏览器会话；POST 需附带 X-CSRF-Token 请求头",
                },
            },
            "responses": {"Error": {"description": "错误", "content": error_content}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "properties": {
                        "error": {"type": "string"},
                        "message": {"type": "string"},
                        "errors": {
                            "type": "object",
                            "description": "字段名 → 说明",
                            "additionalProperties": {"type": "string"},
                        },
                    },
                },
                "RequestPatch": {
                    "type": "object",
                    "description": "要修改的字段（其余不变），形状与需求单相同；金额单位为元",
                    "additionalProperties": False,
                    "properties": {
                        **{
                            name: {"type": "string", "nullable": not required, "maxLength": limit}
                            for name, required, limit in editing.TEXT_FIELDS
                        },
                        "contact_phone": {
                            "type": "string",
                            "description": "11 位手机号码，可带 +86 与分隔符",
                        },
                        "contact_email": {"type": "string", "nullable": True, "format": "email"},
                        "domain": {
                            "type": "string",
                            "nullable": True,
                            "description": "领域代码（如 80 或 803）或名称；也可传 GET 返回的 domain 对象",
                        },
                        "keywords": {
                            "type": "array",
                            "items": {"type": "string"},
                            "maxItems": editing.MAX_KEYWORDS,
                            "nullable": True,
                        },
                        "budget": {
                            "type": "object",
                            "nullable": True,
                            "additionalProperties": False,
                            "properties": {
                                "kind": {"type": "string", "enum": list(BUDGET_KINDS)},
                                "min_cny": {"type": "number", "nullable": True, "minimum": 0},
                                "max_cny": {"type": "number", "nullable": True, "minimum": 0},
                                "text": {"type": "string", "nullable": True},
                            },
                        },
                        "timeline": {
                            "type": "object",
                            "nullable": True,
                            "additionalProperties": False,
                            "properties": {
                                "deadline": {"type": "string", "format": "date", "nullable": True},
                                "months": {"type": "integer", "minimum": 1, "maximum": 240, "nullable": True},
                                "text": {"type": "string", "nullable": True},
                            },
                        },
                        "coop_mode": {
                            "type": "array",
                            "items": {"type": "string", "enum": list(COOP_MODES)},
                            "nullable": True,
                        },
                        "partner": {
                            "type": "object",
                            "nullable": True,
                            "additionalProperties": False,
                            "properties": {
                                "types": {
                                    "type": "array",
                                    "items": {"type": "string", "enum": list(PARTNER_TYPES)},
                                },
                                "names": {"type": "array", "items": {"type": "string"}},
                                "regions": {"type": "array", "items": {"type": "string"}},
                            },
                        },
                    },
                },
                "RequestPage": {
                    "type": "object",
                    "properties": {
                        "items": {"type": "array", "items": record},
                        "total": {"type": "integer"},
                        "page": {"type": "integer"},
                        "page_size": {"type": "integer"},
                        "pages": {"type": "integer"},
                        "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
                    },
                },
                "Request": {
                    "type": "object",
                    "description": "需求单（design.md 的导出格式）",
                    "properties": {
                        "ref": {"type": "string"},
                        "status": {"type": "string", "enum": list(STATUSES)},
                        "channel": {"type": "string"},
                        "conversation_id": {"type": "string"},
                        "created_at": {"type": "string", "format": "date-time"},
                        "updated_at": {"type": "string", "format": "date-time"},
                        "enterprise_name": {"type": "string"},
                        "contact_name": {"type": "string"},
                        "contact_phone": {"type": "string"},
                        "contact_email": {"type": "string", "nullable": True},
                        "need_title": {"type": "string"},
                        "need_description": {"type": "string"},
                        "tech_targets": {"type": "string", "nullable": True},
                        "domain": {"type": "object"},
                        "keywords": {"type": "array", "items": {"type": "string"}},
                        "budget": {"type": "object", "nullable": True},
                        "timeline": {"type": "object", "nullable": True},
                        "coop_mode": {"type": "array", "items": {"type": "string"}},
                        "ip_preference": {"type": "string", "nullable": True},
                        "partner": {"type": "object"},
                        "assignee": {"type": "string", "nullable": True},
                        "handoff": {"type": "boolean"},
                        "notes": {"type": "array", "items": {"type": "object"}},
                        "status_history": {"type": "array", "items": {"type": "object"}},
                    },
                },
            },
        },
    }
