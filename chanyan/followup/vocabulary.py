"""The follow-up vocabularies and defaults: one home for these names and labels."""

from __future__ import annotations

# 服务: what the platform did for an enterprise or a partner.
SERVICE_KINDS: tuple[str, ...] = ("技术咨询", "检测服务", "走访", "对接洽谈")
# 活动: the activities the platform organises.
EVENT_KINDS: tuple[str, ...] = ("调研", "交流", "对接会")

# Follow-up tasks: created when a request is filed, after an agreement, or by hand.
TASK_FIRST_CONTACT = "first_contact"
TASK_CHECKIN = "checkin"
TASK_MANUAL = "manual"
TASK_KINDS: tuple[str, ...] = (TASK_FIRST_CONTACT, TASK_CHECKIN, TASK_MANUAL)
TASK_KIND_LABELS: dict[str, str] = {
    TASK_FIRST_CONTACT: "首次联系",
    TASK_CHECKIN: "签约回访",
    TASK_MANUAL: "跟进",
}
FIRST_CONTACT_TITLE = "首次联系企业"

# Check-ins after an agreement, in calendar days (CHANYAN_CHECKIN_DAYS overrides, e.g. "30,90,180").
DEFAULT_CHECKIN_DAYS: tuple[int, ...] = (30, 90, 180)
# Who creates the automatic tasks (the status history's filing actor is "assistant" too).
SYSTEM_ACTOR = "system"

# Longest texts kept (forms and services agree with the columns).
MAX_NAME_CHARS = 200
MAX_TERM_CHARS = 100
MAX_NOTE_CHARS = 2000
MAX_ATTACHMENTS = 20
MAX_PARTIES = 20
MAX_PARTICIPANTS = 100_000
