"""The request schema (需求单): slot names, labels, closed vocabularies and the status workflow.

Slot names are an interface shared with the Rasa domain, the staff console and the tests: keep them.
"""

from __future__ import annotations

from dataclasses import dataclass

# A value that marks an optional slot the user chose to skip ("跳过/没有"); stored as NULL when filed.
SKIPPED = "未提供"


@dataclass(frozen=True)
class SlotSpec:
    """One interview slot: its name, Chinese label and whether a request can be filed without it."""

    name: str
    label: str
    required: bool
    # Longest value kept for a free-text slot (the database column and the console's edit form agree with it).
    max_chars: int | None = None


# Asked in this order: the need first (it drives extraction), then constraints, then who to call back.
# The longest text kept for a description or targets: a longer message is kept up to here, not rejected.
MAX_TEXT_CHARS = 5000
# The longest user message a channel hands to the NLU; longer ones are refused with a notice, not cut.
MAX_MESSAGE_CHARS = 1000
# The personal data of a request (个人信息): erased on request and after the retention period.
CONTACT_SLOTS: tuple[str, ...] = ("contact_name", "contact_phone", "contact_email")
# Days a closed request keeps its contact data (CHANYAN_RETENTION_DAYS overrides).
DEFAULT_RETENTION_DAYS = 180

SLOTS: tuple[SlotSpec, ...] = (
    SlotSpec("need_description", "主要问题", True, MAX_TEXT_CHARS),
    SlotSpec("need_title", "需求名称", True, 50),
    SlotSpec("tech_targets", "技术关键/指标", False, MAX_TEXT_CHARS),
    SlotSpec("tech_domain", "所属领域", True),
    SlotSpec("budget", "拟投入资金", True),
    SlotSpec("timeline", "需求时限", True),
    SlotSpec("coop_mode", "合作方式", True),
    SlotSpec("ip_preference", "知识产权归属", False, 200),
    SlotSpec("partner_preference", "意向合作方", False),
    SlotSpec("enterprise_name", "单位名称", True, 200),
    SlotSpec("contact_name", "联系人", True, 100),
    SlotSpec("contact_phone", "手机", True),
    SlotSpec("contact_email", "邮箱", False, 254),
)

SLOT_NAMES: tuple[str, ...] = tuple(s.name for s in SLOTS)
REQUIRED_SLOTS: tuple[str, ...] = tuple(s.name for s in SLOTS if s.required)
SLOT_LABELS: dict[str, str] = {s.name: s.label for s in SLOTS}
SLOT_MAX_CHARS: dict[str, int] = {s.name: s.max_chars for s in SLOTS if s.max_chars}

# Labels of a filed record's fields, for staff (console, exports, the change log). Slot-backed fields reuse the
# slot's label; `domain` and `partner` are the normalized forms of `tech_domain` and `partner_preference`.
FIELD_LABELS: dict[str, str] = {
    "ref": "编号",
    "status": "状态",
    "channel": "渠道",
    "conversation_id": "会话ID",
    "created_at": "提交时间",
    "updated_at": "更新时间",
    **{
        name: SLOT_LABELS[name]
        for name in ("enterprise_name", "contact_name", "contact_phone", "contact_email")
    },
    **{name: SLOT_LABELS[name] for name in ("need_title", "need_description", "tech_targets")},
    "domain": SLOT_LABELS["tech_domain"],
    "keywords": "关键词",
    "budget": SLOT_LABELS["budget"],
    "timeline": SLOT_LABELS["timeline"],
    "coop_mode": SLOT_LABELS["coop_mode"],
    "ip_preference": SLOT_LABELS["ip_preference"],
    "partner": SLOT_LABELS["partner_preference"],
    "assignee": "负责人",
    "handoff": "转人工",
    "note": "备注",
}

# At most this many keywords are kept on a request (extraction proposes them, staff may edit them).
MAX_KEYWORDS = 5

# 合作方式: canonical values. "技术开发" alone is kept when the user does not say which kind.
COOP_MODES: tuple[str, ...] = (
    "技术开发(委托开发)",
    "技术开发(合作开发)",
    "技术开发",
    "技术转让",
    "技术许可",
    "技术咨询",
    "技术服务",
    "共建研发平台",
    "人才合作",
    "其他",
)

PARTNER_TYPES: tuple[str, ...] = ("高校", "科研院所", "企业", "不限")

BUDGET_KINDS: tuple[str, ...] = ("exact", "range", "upper_bound", "approx", "negotiable", "unknown")
BUDGET_KIND_LABELS: dict[str, str] = {
    "exact": "确定金额",
    "range": "区间",
    "upper_bound": "不超过",
    "approx": "约",
    "negotiable": "面议",
    "unknown": "暂不确定",
}

# Status workflow: new → reviewing → matched → agreed | closed (closed is reachable from any open state).
STATUSES: tuple[str, ...] = ("new", "reviewing", "matched", "agreed", "closed")
STATUS_LABELS: dict[str, str] = {
    "new": "新提交",
    "reviewing": "审核中",
    "matched": "已匹配",
    "agreed": "已签约",
    "closed": "已关闭",
}
STATUS_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "new": ("reviewing", "closed"),
    "reviewing": ("matched", "closed"),
    "matched": ("agreed", "reviewing", "closed"),
    "agreed": (),
    "closed": ("reviewing",),
}

# The actor of the enterprise's own changes in the chat (edits, additions, withdrawal) in a request's history.
ENTERPRISE_ACTOR = "enterprise"
# The reason recorded when the enterprise withdraws a request in the chat (closed, actor "enterprise").
WITHDRAWN_BY_ENTERPRISE = "企业撤回"
# Status changes the enterprise is told about (progress notifications), besides public notes.
NOTIFIED_STATUSES: tuple[str, ...] = ("matched", "agreed", "closed")

CHANNELS: tuple[str, ...] = ("rest", "socketio", "wechat", "cmdline", "unknown")
CHANNEL_LABELS: dict[str, str] = {
    "rest": "接口",
    "socketio": "网页",
    "wechat": "微信公众号",
    "cmdline": "命令行",
    "unknown": "未知",
}
