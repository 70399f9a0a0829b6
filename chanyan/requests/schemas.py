"""The JSON shapes of a filed request (design.md's 需求单) as JSON Schema (2020-12, as OpenAPI 3.1 uses it).

One source: the console's OpenAPI document is built from these, and the tests validate real API answers and
`request_record()` output against them, so the document cannot drift from what the code returns.
"""

from __future__ import annotations

from typing import Any

from chanyan.domain.schema import (
    BUDGET_KINDS,
    CHANNELS,
    COOP_MODES,
    FIELD_LABELS,
    MAX_KEYWORDS,
    PARTNER_TYPES,
    SLOT_MAX_CHARS,
    STATUSES,
)


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """The same schema, also allowing null."""
    kind = schema.get("type")
    if kind is None:
        return {"anyOf": [schema, {"type": "null"}]}
    kinds = kind if isinstance(kind, list) else [kind]
    return {**schema, "type": [*kinds, "null"]}


def obj(
    properties: dict[str, Any], *, optional: tuple[str, ...] = (), description: str = ""
) -> dict[str, Any]:
    """A closed object: every property required unless listed in `optional`, no others allowed."""
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "required": [name for name in properties if name not in optional],
        "additionalProperties": False,
    }
    if description:
        schema["description"] = description
    return schema


STRING = {"type": "string"}
TIMESTAMP = {"type": "string", "format": "date-time", "description": "本地时间，带时区偏移"}
STRINGS = {"type": "array", "items": STRING}

BUDGET = obj(
    {
        "min_cny": nullable({"type": "number", "minimum": 0}),
        "max_cny": nullable({"type": "number", "minimum": 0}),
        "kind": {"type": "string", "enum": list(BUDGET_KINDS)},
        "text": nullable(STRING),
    },
    optional=("min_cny", "max_cny", "text"),
    description=f"{FIELD_LABELS['budget']}（元）",
)
TIMELINE = obj(
    {
        "deadline": nullable({"type": "string", "format": "date"}),
        "months": nullable({"type": "integer", "minimum": 0}),
        "text": nullable(STRING),
    },
    optional=("deadline", "months", "text"),
    description=FIELD_LABELS["timeline"],
)
DOMAIN = obj(
    {
        "code": nullable(STRING),
        "name": nullable(STRING),
        "sub_code": nullable(STRING),
        "sub_name": nullable(STRING),
    },
    description=FIELD_LABELS["domain"],
)
PARTNER = obj(
    {"types": {"type": "array", "items": {"type": "string", "enum": list(PARTNER_TYPES)}}, "names": STRINGS,
     "regions": STRINGS},
    optional=("types", "names", "regions"),
    description=FIELD_LABELS["partner"],
)  # fmt: skip
NOTE = obj({"author": STRING, "text": STRING, "public": {"type": "boolean"}, "created_at": TIMESTAMP})
STATUS_CHANGE = obj(
    {"from": nullable(STRING), "to": {"type": "string", "enum": list(STATUSES)}, "reason": nullable(STRING),
     "actor": STRING, "at": TIMESTAMP}
)  # fmt: skip


def _text(name: str, *, required: bool = True) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    if name in SLOT_MAX_CHARS:
        schema["maxLength"] = SLOT_MAX_CHARS[name]
    schema["description"] = FIELD_LABELS[name]
    return schema if required else nullable(schema)


REQUEST = obj(
    {
        "ref": {"type": "string", "pattern": r"^XQ-\d{8}-\d{4,}$", "description": FIELD_LABELS["ref"]},
        "status": {"type": "string", "enum": list(STATUSES)},
        "channel": {"type": "string", "enum": list(CHANNELS)},
        "conversation_id": STRING,
        "created_at": TIMESTAMP,
        "updated_at": TIMESTAMP,
        "enterprise_name": _text("enterprise_name"),
        "contact_name": _text("contact_name"),
        "contact_phone": {"type": "string", "description": FIELD_LABELS["contact_phone"]},
        "contact_email": _text("contact_email", required=False),
        "need_title": {"type": "string", "description": FIELD_LABELS["need_title"]},
        "need_description": _text("need_description"),
        "tech_targets": _text("tech_targets", required=False),
        "domain": DOMAIN,
        "keywords": {"type": "array", "items": STRING, "maxItems": MAX_KEYWORDS},
        "budget": nullable(BUDGET),
        "timeline": nullable(TIMELINE),
        "coop_mode": {"type": "array", "items": {"type": "string", "enum": list(COOP_MODES)}},
        "ip_preference": _text("ip_preference", required=False),
        "partner": PARTNER,
        "extraction": nullable({"type": "object", "description": "提交时的自动抽取结果（含置信度）"}),
        "assignee": nullable(STRING),
        "handoff": {"type": "boolean"},
        "notes": {"type": "array", "items": NOTE},
        "status_history": {"type": "array", "items": STATUS_CHANGE},
    },
    description="需求单",
)
