"""Rasa's REST channel (`rest`, POST /webhooks/rest/webhook), unchanged except that a message which got no
bot message at all (the action server or a database was down) is answered with a polite retry notice."""

from __future__ import annotations

from rasa.core.channels.rest import RestInput
from sanic import Blueprint

from connectors.retry_notice import OnNewMessage, with_retry_notice


class RetryNoticeRestInput(RestInput):
    """The built-in REST channel (same name, path, request and response format) with the retry notice."""

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        return super().blueprint(with_retry_notice(on_new_message))
