"""The action server: rasa-sdk's own Sanic server with our actions, answering only Rasa.

Started as `cd bot && python -m serve.action_server [--port N] [--host H]` (not `rasa run actions`, which imports
Rasa's command line for nothing), without TensorFlow (see keep_tensorflow_out). Every call except GET /health must carry `Authorization: Bearer
$ACTION_SERVER_TOKEN` (endpoints.yml makes Rasa send it); anything else gets 401 and runs no action. The server
listens on ACTION_HOST (127.0.0.1 unless set) and opens its port only after the NLP is loaded and warmed.
"""

from __future__ import annotations

import argparse
import hmac
import logging
import sys
import time

from chanyan.settings import load_secret_files, required_secrets
from serve.common import bind_host, configure_logging, port, refuse

logger = logging.getLogger("serve.action_server")

TOKEN_VARIABLE = "ACTION_SERVER_TOKEN"
AUTH_SCHEME = "Bearer "
# Answers without the secret: whether the process is up, nothing else.
OPEN_PATHS = frozenset({"/health"})


def keep_tensorflow_out() -> None:
    """thinc (under spaCy) imports TensorFlow whenever it is installed, and it is, for Rasa: about 540 MB of this
    process's memory for nothing, since the actions' spaCy pipeline runs on thinc's numpy ops. A None entry makes
    `import tensorflow` raise ImportError, which thinc (and any other optional user) takes as "not installed"."""
    sys.modules.setdefault("tensorflow", None)  # type: ignore[arg-type]


def authorised(header: str | None, token: str) -> bool:
    """Whether an Authorization header carries the shared secret (compared in constant time)."""
    if not header or not token:
        return False
    return hmac.compare_digest(header.encode("utf-8"), f"{AUTH_SCHEME}{token}".encode())


def create_app(token: str, actions_package: str = "actions"):
    """rasa-sdk's app for our actions, with every route but the health check behind the shared secret."""
    from rasa_sdk.endpoint import create_app as sdk_app
    from sanic import response

    app = sdk_app(actions_package, cors_origins=None)

    @app.middleware("request")
    async def require_secret(request):
        if request.path in OPEN_PATHS and request.method in ("GET", "HEAD"):
            return None
        if not authorised(request.headers.get("Authorization"), token):
            return response.json({"error": "unauthorized"}, status=401)
        return None

    return app


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m serve.action_server", description=__doc__.split("\n")[0])
    parser.add_argument("--host", default=None, help="address to listen on (ACTION_HOST; default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=None, help="port (ACTION_PORT; default 5055)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    started = time.monotonic()
    args = parse_args(argv)
    configure_logging()
    try:
        load_secret_files([TOKEN_VARIABLE])
        token = required_secrets([TOKEN_VARIABLE])[TOKEN_VARIABLE]
        host = args.host or bind_host("ACTION_HOST")
        listen_port = args.port or port("ACTION_PORT", 5055)
    except ValueError as error:  # InsecureSettingError, or an unknown CHANYAN_ENV
        refuse(error, "action server")
    keep_tensorflow_out()
    from actions import runtime

    runtime.warm_up()
    app = create_app(token)
    from rasa_sdk.plugin import plugin_manager

    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    logger.info(
        "action server ready on http://%s:%d (loaded and warmed in %.1f s)",
        host,
        listen_port,
        time.monotonic() - started,
    )
    app.run(host=host, port=listen_port, workers=1, access_log=False, motd=False)


if __name__ == "__main__":
    main()
