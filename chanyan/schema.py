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


# Asked in this order: the need first (it drives extraction), then constraints, then who to call back.
SLOTS: tuple[SlotSpec, ...] = (
    SlotSpec("need_description", "主要问题", True),
    SlotSpec("need_title", "需求名称", True),
    SlotSpec("tech_targets", "技术关键/指标", False),
    SlotSpec("tech_domain", "所属领域", True),
    SlotSpec("budget", "拟投入资金", True),
    SlotSpec("timeline", "需求时限", True),
    SlotSpec("coop_mode", "合作方式", True),
    SlotSpec("ip_preference", "知识产权归属", False),
    SlotSpec("partner_preference", "意向合作方", False),
    SlotSpec("enterprise_name", "单位名称", True),
    SlotSpec("contact_name", "联系人", True),
    SlotSpec("contact_phone", "手机", True),
    SlotSpec("contact_email", "邮箱", False),
)

SLOT_NAMES: tuple[str, ...] = tuple(s.name for s in SLOTS)
REQUIRED_SLOTS: tuple[str, ...] = tuple(s.name for s in SLOTS if s.required)
SLOT_LABELS: dict[str, str] = {s.name: s.label for s in SLOTS}

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

CHANNELS: tuple[str, ...] = ("rest", "socketio", "wechat", "cmdline", "unknown")
