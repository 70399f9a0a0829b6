"""What each channel allows a message that the user did not just ask for (pure: no I/O).

- The web widget (``socketio``): always; pushed to the open page, otherwise kept in the transcript, which the
  widget shows on the user's next visit.
- WeChat (``wechat``): 客服消息 only within 48 hours of the user's last message, and at most 5 of them per user
  message (WeChat's rule since 2023).
- REST (``rest``) and anything else: the caller only gets replies to its own requests; nothing can be pushed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

CHANNEL_WIDGET = "socketio"
CHANNEL_WECHAT = "wechat"
CHANNEL_REST = "rest"
PUSHABLE_CHANNELS = (CHANNEL_WIDGET, CHANNEL_WECHAT)

WECHAT_WINDOW = timedelta(hours=48)
WECHAT_MESSAGES_PER_USER_MESSAGE = 5
# One WeChat text message holds 2,048 bytes; 600 Chinese characters fit, so a reply is never split into two
# 客服消息 (each would count against the five).
MAX_TEXT_CHARS = 600

# How staff are named to the user where the channel has no place for a sender (WeChat text).
STAFF_SIGNATURE = "【对接专员 {name}】"

# Why a message cannot be sent now: code -> what staff read in the console.
REFUSALS: dict[str, str] = {
    "no_user_message": "该会话还没有用户发来的消息，无法确定用户所在的渠道。",
    "rest_cannot_push": "该会话来自 REST 接口：接口只能回答用户自己的请求，无法主动发送消息。请通过电话或邮件联系用户。",
    "channel_cannot_push": "该会话所在的渠道无法主动发送消息。请通过电话或邮件联系用户。",
    "wechat_window_closed": "用户最后一次发消息已超过48小时，微信不再允许发送客服消息。请通过电话或邮件联系，或等用户再次发消息。",
    "wechat_quota_used": "自用户最后一条消息以来已发送5条客服消息，微信不允许再发。请等用户再次发消息。",
    "empty": "消息内容为空。",
    "too_long": f"消息过长：最多 {MAX_TEXT_CHARS} 个字。",
}
# What the channel or Rasa said when a send failed: code -> what staff read.
FAILURES: dict[str, str] = {
    "wechat_window_closed": "微信拒绝发送：用户超过48小时未发消息（45015）。",
    "wechat_quota_used": "微信拒绝发送：客服消息条数已用完（45047）。",
    "wechat_not_subscribed": "微信拒绝发送：用户已取消关注公众号（43004）。",
    "wechat_error": "微信没有接收这条消息。",
    "rasa_unavailable": "对话服务（Rasa）暂时无法连接，消息未发送，请稍后重试。",
    "rasa_error": "对话服务（Rasa）没有接收这条消息。",
}
OUTCOME_LABELS: dict[str, str] = {
    "pending": "发送中",
    "sent": "已送达",
    "queued": "用户不在线：下次打开对话时可见",
    "refused": "未发送",
    "failed": "发送失败",
}


@dataclass(frozen=True)
class ReplyWindow:
    """Whether a message can reach the user of a conversation now, and for how long / how many more.

    Attributes:
        channel: the channel of the user's latest message (None: no user message yet).
        allowed: a message may be sent now.
        reason: a REFUSALS code when not allowed.
        window_ends_at: WeChat: when the 48 hours since the user's last message end (naive UTC).
        messages_left: WeChat: 客服消息 left until the user writes again.
        last_user_message_at: the user's latest message (naive UTC).
    """

    channel: str | None
    allowed: bool
    reason: str | None = None
    window_ends_at: datetime | None = None
    messages_left: int | None = None
    last_user_message_at: datetime | None = None

    @property
    def explanation(self) -> str:
        """The refusal in words (empty when allowed)."""
        return REFUSALS.get(self.reason or "", "") if not self.allowed else ""


def reply_window(
    channel: str | None, last_user_message_at: datetime | None, sent_since: int, now: datetime
) -> ReplyWindow:
    """The channel's rule applied.

    Args:
        channel: the channel of the user's latest message.
        last_user_message_at: when it arrived (naive UTC).
        sent_since: messages sent to the user on this channel since then (staff replies and notices).
        now: naive UTC.
    """
    if channel is None or last_user_message_at is None:
        return ReplyWindow(channel, False, "no_user_message")
    if channel == CHANNEL_WIDGET:
        return ReplyWindow(channel, True, last_user_message_at=last_user_message_at)
    if channel == CHANNEL_WECHAT:
        ends = last_user_message_at + WECHAT_WINDOW
        left = max(WECHAT_MESSAGES_PER_USER_MESSAGE - sent_since, 0)
        reason = "wechat_window_closed" if now >= ends else "wechat_quota_used" if left == 0 else None
        return ReplyWindow(channel, reason is None, reason, ends, left, last_user_message_at)
    reason = "rest_cannot_push" if channel == CHANNEL_REST else "channel_cannot_push"
    return ReplyWindow(channel, False, reason, last_user_message_at=last_user_message_at)


def text_problem(text: str) -> str | None:
    """A REFUSALS code when `text` cannot be sent as it is."""
    if not text.strip():
        return "empty"
    if len(text.strip()) > MAX_TEXT_CHARS:
        return "too_long"
    return None
