"""The WeChat channel as the end-to-end stack runs it: the product's channel, plus a reply window per request.

A test makes one turn "slow" (answered through 客服消息) by adding `test_reply_timeout=<seconds>` to the
callback's query. The product channel has no such switch: the stack loads this subclass through its own copy
of credentials.yml (`credentials_for_tests`), so everything else in that file is the product's.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from connectors.wechat import WeChatConfig, WeChatInput, WeChatWebhook
from connectors.wechat.webhook import OnNewMessage, WebhookResponse

REPLY_TIMEOUT_PARAM = "test_reply_timeout"
PRODUCT_CLASS = "connectors.wechat.WeChatInput"
TEST_CLASS = f"{__name__}.ReplyWindowWeChatInput"


class ReplyWindowWebhook(WeChatWebhook):
    """A webhook whose passive-reply window a callback can shorten (never lengthen)."""

    async def receive(
        self,
        query: Mapping[str, str],
        body: bytes,
        on_new_message: OnNewMessage,
        *,
        reply_timeout: float | None = None,
    ) -> WebhookResponse:
        raw = query.get(REPLY_TIMEOUT_PARAM)
        if raw is not None and reply_timeout is None:
            reply_timeout = min(max(float(raw), 0.0), self.config.reply_timeout)
        return await super().receive(query, body, on_new_message, reply_timeout=reply_timeout)


class ReplyWindowWeChatInput(WeChatInput):
    """`connectors.wechat.WeChatInput` with a `ReplyWindowWebhook`."""

    def __init__(self, config: WeChatConfig, webhook: WeChatWebhook | None = None) -> None:
        super().__init__(config, webhook or ReplyWindowWebhook(config))


def credentials_for_tests(product: Path, target: Path) -> Path:
    """Write `product` (credentials.yml) to `target` with the WeChat channel swapped for the test one."""
    text = product.read_text(encoding="utf-8")
    if f"{PRODUCT_CLASS}:" not in text:
        raise ValueError(f"{product} has no {PRODUCT_CLASS} section")
    target.write_text(text.replace(f"{PRODUCT_CLASS}:", f"{TEST_CLASS}:"), encoding="utf-8")
    return target
