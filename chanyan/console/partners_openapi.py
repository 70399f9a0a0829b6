"""The registry and matching part of the console's OpenAPI document (merged by chanyan.console.openapi).

Shapes follow what chanyan.partners returns: registry.partner_record for an entry, Candidate.as_json (plus the
stage staff gave it) for a match.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chanyan.partners.vocabulary import KINDS, MAX_TOP_K, STAGES
from chanyan.requests.schemas import STRING, STRINGS, nullable, obj

PARTNER = {"$ref": "#/components/schemas/Partner"}
CANDIDATE = {"$ref": "#/components/schemas/MatchCandidate"}
PAGE_SIZE_MAX = 200


def schemas() -> dict[str, Any]:
    """The schemas of a registry entry, a page of entries, a candidate and a shortlist."""
    text = nullable(STRING)
    kind = {"type": "string", "enum": list(KINDS)}
    stage = {"type": "string", "enum": list(STAGES)}
    return {
        "Partner": obj(
            {
                "id": {"type": "integer"},
                "name": STRING,
                "kind": kind,
                "parent": text,
                "region": obj({"province": text, "city": text}),
                "capability": STRING,
                "achievements": text,
                "domains": {"type": "array", "items": obj({"code": STRING, "sub_code": text})},
                "domains_tagged": {"type": "boolean", "description": "领域由系统根据文本自动标注"},
                "keywords": STRINGS,
                "contact": obj({"name": text, "phone": text, "email": text}),
                "url": text,
                "source": text,
                "reviewed_at": nullable({"type": "string", "format": "date"}),
            },
            description="合作资源库条目",
        ),
        "PartnerPage": obj(
            {
                "items": {"type": "array", "items": PARTNER},
                "total": {"type": "integer"},
                "page": {"type": "integer"},
                "page_size": {"type": "integer"},
            }
        ),
        "MatchCandidate": obj(
            {
                "id": {"type": "integer"},
                "name": STRING,
                "kind": kind,
                "region": {"type": "string", "description": "如 江苏苏州；未知时为空"},
                "score": {"type": "number", "minimum": 0, "maximum": 1},
                "why": {
                    **STRINGS,
                    "examples": [["共同术语：机器视觉、缺陷检测", "领域 803 相同", "江苏，与企业同省"]],
                },
                "stage": {"type": ["string", "null"], "enum": [*STAGES, None]},
            },
            description="推荐合作方（最匹配的在前）及推荐理由；stage 为对接专员设置的阶段，未跟进时为 null",
        ),
        "Matches": obj({"ref": STRING, "candidates": {"type": "array", "items": CANDIDATE}}),
        "Shortlist": obj(
            {
                "ref": STRING,
                "shortlist": {
                    "type": "array",
                    "items": obj(
                        {"id": {"type": "integer"}, "name": STRING, "stage": stage, "origin": STRING}
                    ),
                },
            }
        ),
    }


def paths(operation: Callable[..., dict[str, Any]], ref: dict[str, Any]) -> dict[str, Any]:
    """The registry and matching routes; `operation` is the document's builder of one operation."""
    partner_id = {"name": "partner_id", "in": "path", "required": True, "schema": {"type": "integer"}}
    filters = [
        {"name": "q", "in": "query", "schema": STRING, "description": "检索词（空格分隔，均须出现）"},
        {"name": "kind", "in": "query", "schema": {"type": "string", "enum": list(KINDS)}},
        {"name": "region", "in": "query", "schema": STRING, "description": "省份，如 江苏"},
        {"name": "domain", "in": "query", "schema": STRING, "description": "领域代码（如 80 或 803）"},
        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
        {
            "name": "page_size",
            "in": "query",
            "schema": {"type": "integer", "minimum": 1, "maximum": PAGE_SIZE_MAX},
        },
    ]
    top = {"name": "top", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_TOP_K}}
    stage_body = obj(
        {
            "partner_id": {"type": "integer"},
            "stage": {"type": "string", "enum": list(STAGES)},
            "note": STRING,
        },
        optional=("stage", "note"),
    )
    return {
        "/api/requests/{ref}/matches": {
            "get": operation(
                "推荐合作方：按匹配度排序的候选与推荐理由（即时计算）",
                ("200", "候选", {"$ref": "#/components/schemas/Matches"}),
                ("401", "404", "422"),
                parameters=[ref, top],
            )
        },
        "/api/requests/{ref}/candidates": {
            "post": operation(
                "变更候选合作方的阶段（候选 → 已联系 → 有意向 | 已婉拒），可附备注；未跟进的合作方先加入候选；"
                "已签约由登记合作协议产生",
                ("200", "该需求单跟进中的合作方", {"$ref": "#/components/schemas/Shortlist"}),
                ("401", "403", "404", "422"),
                parameters=[ref],
                body=stage_body,
            )
        },
        "/api/partners": {
            "get": operation(
                "合作资源库（可检索、筛选、分页）",
                ("200", "一页条目", {"$ref": "#/components/schemas/PartnerPage"}),
                ("401", "422"),
                parameters=filters,
            )
        },
        "/api/partners/{partner_id}": {
            "get": operation(
                "资源库条目详情", ("200", "条目", PARTNER), ("401", "404"), parameters=[partner_id]
            )
        },
    }
