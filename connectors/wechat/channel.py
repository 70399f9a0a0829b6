"""The Rasa input channel `wechat` (credentials.yml: `connectors.wechat.WeChatInput`): Sanic routes only.

Everything else happens in `WeChatWebhook`, which knows nothing of Sanic.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from connectors.wechat.config import CHANNEL_NAME, WeChatConfig
from connectors.wechat.webhook import MAX_BODY_BYTES, OK_SUCCESS, OnNewMessage, WeChatWebhook, refuse

logger = logging.getLogger(__name__)


class WeChatInput(InputChannel):
    """WeChat Official Account (公众号) input channel."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL_NAME

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        if not credentials:
            cls.raise_missing_credentials_exception()
        try:
            config = WeChatConfig.from_credentials(credentials)
        except ValueError as err:
            raise RasaException(f"The wechat channel is misconfigured: {err}.") from err
        return cls(config)

    def __init__(self, config: WeChatConfig, webhook: WeChatWebhook | None = None) -> None:
        self.config = config
        self.webhook = webhook or WeChatWebhook(config)
        logger.info("WeChat channel in %s mode for appid %s.", config.mode, config.appid)

    def get_output_channel(self) -> OutputChannel:
        """An output that pushes through 客服消息, for messages sent from outside a user's turn (Rasa's HTTP API
        with output_channel=wechat: staff replies, notices); a message WeChat refuses fails the API call."""
        return self.webhook.output(strict=True)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        wechat_webhook = Blueprint("wechat_webhook", __name__)

        @wechat_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @wechat_webhook.route("/webhook", methods=["GET", "POST"])
        async def webhook(request: Request) -> HTTPResponse:
            query = {name: values[0] for name, values in request.args.items() if values}
            declared = request.headers.get("content-length", "")
            try:
                if request.method == "GET":
                    result = await self.webhook.verify(query)
                elif declared.isdigit() and int(declared) > MAX_BODY_BYTES:
                    result = refuse(413, f"declared body of {declared} bytes")
                else:
                    result = await self.webhook.receive(query, request.body or b"", on_new_message)
            except Exception:
                # A bug must not make WeChat show "该公众号暂时无法提供服务" and retry into it again.
                logger.error("Unexpected error in the WeChat webhook.", exc_info=True)
                result = OK_SUCCESS
            return response.text(result.body, status=result.status, content_type=result.content_type)

        @wechat_webhook.listener("after_server_stop")
        async def close(_app: Any, _loop: Any) -> None:
            await self.webhook.close()

        return wechat_webhook
