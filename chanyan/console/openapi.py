"""The OpenAPI 3.1 document of /api, built from one schema source.

Record shapes come from chanyan.requests.schemas; the dashboard's and the transcript's from their dataclasses;
the edit body from the edit rules. tests/console/test_console_openapi.py validates real answers of every route
against this document.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import datetime
from typing import Any

from chanyan.console import partners_openapi, queries
from chanyan.console.editing import EDITABLE_FIELDS, TEXT_FIELDS
from chanyan.domain.schema import BUDGET_KINDS, COOP_MODES, MAX_KEYWORDS, PARTNER_TYPES, STATUSES
from chanyan.requests.schemas import NOTE, REQUEST, STRING, TIMESTAMP, nullable, obj

REF = {"$ref": "#/components/schemas/Request"}
DETAIL = {"$ref": "#/components/schemas/RequestDetail"}


def schema_of(annotation: Any) -> dict[str, Any]:
    """JSON Schema of a Python type annotation (the few kinds the console's dataclasses use)."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        present = [a for a in args if a is not type(None)]
        inner = schema_of(present[0]) if len(present) == 1 else {"anyOf": [schema_of(a) for a in present]}
        return nullable(inner) if type(None) in args else inner
    if origin is list:
        return {"type": "array", "items": schema_of(args[0])}
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return {"type": "array", "items": schema_of(args[0])}
        return {"type": "array", "prefixItems": [schema_of(a) for a in args], "minItems": len(args),
                "maxItems": len(args)}  # fmt: skip
    if origin is dict:
        return {"type": "object", "additionalProperties": schema_of(args[1])}
    if dataclasses.is_dataclass(annotation):
        hints = typing.get_type_hints(annotation)
        return obj({f.name: schema_of(hints[f.name]) for f in dataclasses.fields(annotation)})
    simple = {str: "string", int: "integer", float: "number", bool: "boolean"}
    if annotation in simple:
        return {"type": simple[annotation]}
    if annotation is datetime:
        return TIMESTAMP
    if annotation is typing.Any:
        return {}
    raise TypeError(f"no JSON Schema for {annotation!r}")


def _patch_schema() -> dict[str, Any]:
    text = {name: nullable({"type": "string", "maxLength": limit}) if not required
            else {"type": "string", "maxLength": limit} for name, required, limit in TEXT_FIELDS}  # fmt: skip
    properties = {
        **text,
        "contact_phone": {"type": "string", "description": "11 位手机号码，可带 +86 与分隔符"},
        "contact_email": nullable({"type": "string", "format": "email"}),
        "domain": {"description": "领域代码（如 80 或 803）或名称；也可传 GET 返回的 domain 对象",
                   "anyOf": [{"type": "string"}, {"type": "object"}, {"type": "null"}]},
        "keywords": nullable({"type": "array", "items": STRING, "maxItems": MAX_KEYWORDS}),
        "budget": nullable(obj({"kind": {"type": "string", "enum": list(BUDGET_KINDS)},
                                "min_cny": nullable({"type": "number", "minimum": 0}),
                                "max_cny": nullable({"type": "number", "minimum": 0}), "text": nullable(STRING)},
                               optional=("min_cny", "max_cny", "text"))),
        "timeline": nullable(obj({"deadline": nullable({"type": "string", "format": "date"}),
                                  "months": nullable({"type": "integer", "minimum": 1, "maximum": 240}),
                                  "text": nullable(STRING)}, optional=("deadline", "months", "text"))),
        "coop_mode": nullable({"type": "array", "items": {"type": "string", "enum": list(COOP_MODES)}}),
        "partner": nullable(obj({"types": {"type": "array", "items": {"type": "string", "enum": list(PARTNER_TYPES)}},
                                 "names": {"type": "array", "items": STRING},
                                 "regions": {"type": "array", "items": STRING}},
                                optional=("types", "names", "regions"))),
    }  # fmt: skip
    assert set(properties) == set(EDITABLE_FIELDS), "the edit body and the editable fields disagree"
    return obj(properties, optional=tuple(properties),
               description="要修改的字段（其余不变），形状与需求单相同；金额单位为元")  # fmt: skip


def components() -> dict[str, Any]:
    """Every schema of the document, by name."""
    audit = obj({"actor": STRING, "action": STRING, "field": nullable(STRING), "old": nullable(STRING),
                 "new": nullable(STRING), "at": TIMESTAMP})  # fmt: skip
    handoff = obj(
        {"channel": STRING, "message": nullable(STRING), "at": TIMESTAMP, "resolved_at": nullable(TIMESTAMP)}
    )
    detail = {**REQUEST, "properties": {**REQUEST["properties"], "audit": {"type": "array", "items": audit},
                                         "handoffs": {"type": "array", "items": handoff}},
              "required": [*REQUEST["required"], "audit", "handoffs"],
              "description": "需求单，含修改记录与转人工记录"}  # fmt: skip
    return {
        "Error": obj({"error": STRING, "message": STRING,
                      "errors": {"type": "object", "description": "字段名 → 说明", "additionalProperties": STRING}},
                     optional=("errors",)),  # fmt: skip
        "Request": REQUEST,
        "RequestDetail": detail,
        "RequestPage": obj({"items": {"type": "array", "items": REF}, "total": {"type": "integer"},
                            "page": {"type": "integer"}, "page_size": {"type": "integer"},
                            "pages": {"type": "integer"},
                            "counts": {"type": "object", "additionalProperties": {"type": "integer"}}}),  # fmt: skip
        "RequestPatch": _patch_schema(),
        "Note": NOTE,
        "Transcript": obj({"conversation_id": STRING, "available": {"type": "boolean"},
                           "truncated": {"type": "boolean"}, "turns": {"type": "array", "items": schema_of(queries.Turn)}}),
        "Stats": schema_of(queries.Dashboard),
        **partners_openapi.schemas(),
    }  # fmt: skip


def _response(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    if schema is None:
        return (
            {"$ref": "#/components/responses/Error"}
            if description == "error"
            else {"description": description}
        )
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _operation(summary: str, ok: tuple[str, str, dict | None], errors: tuple[str, ...], *, parameters=(),
               body: dict | None = None) -> dict[str, Any]:  # fmt: skip
    code, description, schema = ok
    operation: dict[str, Any] = {"summary": summary, "parameters": list(parameters),
                                 "responses": {code: _response(description, schema),
                                               **{e: _response("error") for e in errors}}}  # fmt: skip
    if body is not None:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    return operation


def document(server_url: str = "") -> dict[str, Any]:
    """OpenAPI 3.1 description of /api."""
    ref = {"name": "ref", "in": "path", "required": True, "schema": STRING, "example": "XQ-20261125-0007"}
    filters = [
        {"name": "status", "in": "query", "schema": {"type": "string", "enum": list(STATUSES)}},
        {"name": "domain", "in": "query", "schema": STRING, "description": "领域代码（如 80 或 803）"},
        {"name": "date_from", "in": "query", "schema": {"type": "string", "format": "date"}},
        {"name": "date_to", "in": "query", "schema": {"type": "string", "format": "date"}},
        {"name": "assignee", "in": "query", "schema": STRING, "description": "用户名；- 表示未分配"},
        {"name": "channel", "in": "query", "schema": STRING},
        {"name": "q", "in": "query", "schema": STRING, "description": "全文检索（中文分词）"},
        {"name": "handoff", "in": "query", "schema": {"type": "string", "enum": ["1"]}},
        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
        {"name": "page_size", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": queries.MAX_PAGE_SIZE}},
    ]  # fmt: skip
    status_body = obj(
        {"status": {"type": "string", "enum": list(STATUSES)}, "reason": STRING}, optional=("reason",)
    )
    assign_body = obj(
        {"assignee": nullable({"type": "string", "description": "在用账号的用户名；null 取消分配"})}
    )
    note_body = obj(
        {
            "text": STRING,
            "public": {"type": "boolean", "description": "对企业公开（企业可在对话中查询，并收到进展通知）"},
        },
        optional=("public",),
    )
    return {
        "openapi": "3.1.0",
        "info": {"title": "产研通 需求单 API", "version": "1", "description": "对接专员工作台的数据接口。"},
        "servers": [{"url": server_url or "/"}],
        "security": [{"bearer": []}, {"session": []}],
        "paths": {
            "/api/requests": {"get": _operation("需求单列表（新的在前，可筛选、分页）",
                                                ("200", "一页需求单与各状态数量", {"$ref": "#/components/schemas/RequestPage"}),
                                                ("401", "422"), parameters=filters)},
            "/api/requests/{ref}": {
                "get": _operation("需求单详情（含备注、状态记录、修改记录）", ("200", "需求单", DETAIL),
                                  ("401", "404"), parameters=[ref]),
                "patch": _operation("修改字段（与编辑页相同的校验；任一字段无效则不作修改，修改计入修改记录）",
                                    ("200", "修改后的需求单（与 GET 相同）", DETAIL), ("401", "403", "404", "422"),
                                    parameters=[ref], body={"$ref": "#/components/schemas/RequestPatch"}),
            },
            "/api/requests/{ref}/transcript": {"get": _operation(
                "对话记录（用户与助手的发言）", ("200", "对话记录", {"$ref": "#/components/schemas/Transcript"}),
                ("401", "404"), parameters=[ref])},
            "/api/requests/{ref}/status": {"post": _operation(
                "变更状态（关闭需填写原因）", ("200", "变更后的需求单", REF), ("401", "403", "404", "409", "422"),
                parameters=[ref], body=status_body)},
            "/api/requests/{ref}/assign": {"post": _operation(
                "分配负责人（null 取消分配），计入修改记录", ("200", "分配后的需求单（与 GET 相同）", DETAIL),
                ("401", "403", "404", "422"), parameters=[ref], body=assign_body)},
            "/api/requests/{ref}/notes": {"post": _operation(
                "添加备注", ("201", "备注", {"$ref": "#/components/schemas/Note"}), ("401", "403", "404", "422"),
                parameters=[ref], body=note_body)},
            "/api/stats": {"get": _operation("统计数据", ("200", "统计", {"$ref": "#/components/schemas/Stats"}),
                                             ("401",))},
            **partners_openapi.paths(_operation, ref),
        },
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "在「我的账号」中创建的 API 令牌"},
                "session": {"type": "apiKey", "in": "cookie", "name": "chanyan_session",
                            "description": "浏览器会话；POST 需附带 X-CSRF-Token 请求头"},
            },
            "responses": {"Error": _response("错误", {"$ref": "#/components/schemas/Error"})},
            "schemas": components(),
        },
    }  # fmt: skip
