"""`python -m chanyan.console`: serve the staff console on CONSOLE_HOST:CONSOLE_PORT (127.0.0.1:8080).

This is the console's composition root: it wires the web widget's public routes (/widget.js, /chat) into the app.
"""

from __future__ import annotations

import logging
import os

from aiohttp import web

from chanyan.console import init_app
from chanyan.console.settings import DEFAULT_HOST, DEFAULT_PORT, ConsoleSettings
from chanyan.logmask import MaskingFilter, mask_warnings
from chanyan.requests.notify import get_notifier
from connectors.webchat.routes import register_widget_routes


def configure_logging() -> None:
    """Log to stderr with personal data masked: the access log quotes search queries (?q=13912345678)."""
    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "INFO"), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, MaskingFilter) for f in handler.filters):
            handler.addFilter(MaskingFilter())
    mask_warnings()


def main() -> None:
    configure_logging()
    # Deliver the notification outbox from this process too: notices queued before a restart still go out.
    get_notifier().start()
    host = os.environ.get("CONSOLE_HOST", DEFAULT_HOST)
    port = int(os.environ.get("CONSOLE_PORT", str(DEFAULT_PORT)))
    web.run_app(
        init_app(ConsoleSettings.from_env(), [register_widget_routes]), host=host, port=port, print=None
    )


if __name__ == "__main__":
    main()
