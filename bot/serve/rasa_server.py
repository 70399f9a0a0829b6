"""The Rasa server, started the one documented way: `cd bot && python -m serve.rasa_server [options]`.

What `rasa run` would not do for us, in order:
- secrets from the environment (or NAME_FILE), never from the command line (`ps` shows argv to everyone):
  RASA_TOKEN guards the HTTP API, ACTION_SERVER_TOKEN is sent to the action server (endpoints.yml);
- the published development defaults are refused unless CHANYAN_ENV=development;
- it listens on RASA_HOST (127.0.0.1 unless set) and allows the origins of RASA_CORS only (default: the staff
  console, which serves the chat demo);
- phones and e-mails are masked in Python warnings too (Rasa quotes a "/..." message in a UserWarning);
- the compiled action-response validator is installed (components/action_result_validation.py);
- `GET /` answers "ok" and `GET /version` needs the token: Rasa's banners tell anyone which release runs;
- the model is loaded and the whole pipeline warmed (one message parsed and one prediction made) before the
  port opens, so the first real message is as fast as any other and "the port answers" means ready.
"""

from __future__ import annotations

import argparse
import hmac
import logging
import os
import time
from collections.abc import Mapping
from functools import partial
from pathlib import Path

from chanyan.settings import InsecureSettingError, is_development, load_secret_files, required_secrets
from serve.common import ROOT, bind_host, configure_logging, port, refuse

logger = logging.getLogger("serve.rasa_server")

REQUIRED_SECRETS = ("RASA_TOKEN", "ACTION_SERVER_TOKEN")
OPTIONAL_SECRETS = ("WECHAT_TOKEN", "WECHAT_SECRET", "WECHAT_AES_KEY")
WARM_UP_MESSAGE = "我们想用机器视觉检测零件表面划痕，预算50万左右"
WARM_UP_SENDER = "warm-up"


def cors_origins(environ: Mapping[str, str] | None = None) -> list[str]:
    """RASA_CORS (origins separated by commas or spaces); default: the staff console's own origins. `*` is
    refused outside development (any site could then drive the HTTP channels from a visitor's browser)."""
    environ = os.environ if environ is None else environ
    raw = environ.get("RASA_CORS", "").strip()
    if raw:
        origins = [o.rstrip("/") for o in raw.replace(",", " ").split()]
    else:
        base = environ.get("CONSOLE_BASE_URL", "").strip().rstrip("/")
        console_port = environ.get("CONSOLE_PORT", "").strip() or "8080"
        origins = [base] if base else [f"http://127.0.0.1:{console_port}", f"http://localhost:{console_port}"]
    if "*" in origins and not is_development(environ):
        raise InsecureSettingError(
            "RASA_CORS=* is refused outside development; list the sites that embed the widget"
        )
    return origins


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m serve.rasa_server", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--model", default=os.environ.get("RASA_MODEL") or str(ROOT / "models/rasa/chanyan.tar.gz")
    )
    parser.add_argument(
        "--endpoints", default=os.environ.get("RASA_ENDPOINTS") or str(ROOT / "endpoints.yml")
    )
    parser.add_argument(
        "--credentials", default=os.environ.get("RASA_CREDENTIALS") or str(ROOT / "credentials.yml")
    )
    parser.add_argument("--host", default=None, help="address to listen on (RASA_HOST; default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=None, help="port (RASA_PORT; default 5005)")
    return parser.parse_args(argv)


async def warm_up(app, _loop) -> None:
    """Parse one message and predict once on a throwaway tracker (nothing stored, no action called): the first
    run of each TensorFlow graph is several times slower than the next."""
    from rasa.shared.core.constants import ACTION_LISTEN_NAME
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    started = time.monotonic()
    agent = getattr(app.ctx, "agent", None)
    if agent is None or not agent.is_ready():
        raise RuntimeError("the model did not load (see the log above); not starting")
    parsed = await agent.parse_message(WARM_UP_MESSAGE)
    tracker = DialogueStateTracker.from_events(
        WARM_UP_SENDER,
        [
            ActionExecuted(ACTION_LISTEN_NAME),
            UserUttered(WARM_UP_MESSAGE, parsed["intent"], parsed["entities"]),
        ],
        slots=agent.domain.slots,
    )
    agent.predict_next_with_tracker(tracker)
    logger.info("pipeline warmed in %.1f s", time.monotonic() - started)


def hide_version(app, token: str) -> None:
    """Answer `GET /` with a plain "ok" (a health probe needs no more) and `GET /version` only with the token."""
    from sanic import response

    async def guard(request):
        if request.method != "GET":
            return None
        if request.path == "/":
            return response.text("ok")
        if request.path == "/version" and not hmac.compare_digest(
            (request.args.get("token") or "").encode(), token.encode()
        ):
            return response.json(
                {
                    "status": "failure",
                    "reason": "NotAuthenticated",
                    "message": "User is not authenticated.",
                    "code": 401,
                },
                status=401,
            )
        return None

    app.register_middleware(guard, "request")


def configure_process() -> None:
    """Logging (logging.yml, with Python warnings and Rasa's structured logs masked through it) and the compiled
    action-response validator: the process-wide settings of every Rasa server of ours."""
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    from components.action_result_validation import install as install_action_result_validation

    configure_logging_and_warnings(None, None, warn_only_once=True, filter_repeated_logs=True)
    configure_logging()
    configure_structlog(None)
    install_action_result_validation()


def main(argv: list[str] | None = None) -> None:
    started = time.monotonic()
    args = parse_args(argv)
    try:
        load_secret_files((*REQUIRED_SECRETS, *OPTIONAL_SECRETS))
        secrets = required_secrets(REQUIRED_SECRETS, OPTIONAL_SECRETS)
        cors = cors_origins()
        host = args.host or bind_host("RASA_HOST")
        listen_port = args.port or port("RASA_PORT", 5005)
    except ValueError as error:  # InsecureSettingError, or an unknown CHANYAN_ENV
        refuse(error, "rasa")
    for path in (args.model, args.endpoints, args.credentials):
        if not Path(path).exists():
            refuse(InsecureSettingError(f"{path} does not exist"), "rasa")

    configure_process()

    import rasa.core.run
    import rasa.core.utils
    from rasa.core.utils import AvailableEndpoints
    from rasa.utils.common import update_sanic_log_level

    endpoints = AvailableEndpoints.read_endpoints(args.endpoints)
    channels = rasa.core.run.create_http_input_channels(None, args.credentials)
    app = rasa.core.run.configure_app(
        channels,
        cors=cors,
        auth_token=secrets["RASA_TOKEN"],
        enable_api=True,
        port=listen_port,
        endpoints=endpoints,
    )
    hide_version(app, secrets["RASA_TOKEN"])
    # As rasa.core.run.serve_application, plus the warm-up once the model is in.
    app.register_listener(
        partial(rasa.core.run.load_agent_on_start, args.model, endpoints, None), "before_server_start"
    )
    app.register_listener(warm_up, "before_server_start")

    async def announce(_app, _loop) -> None:
        logger.info(
            "Rasa server ready on http://%s:%d (started in %.1f s%s)",
            host,
            listen_port,
            time.monotonic() - started,
            ", development profile" if is_development() else "",
        )

    app.register_listener(announce, "after_server_start")
    app.register_listener(rasa.core.run.close_resources, "after_server_stop")
    update_sanic_log_level()
    app.run(
        host=host,
        port=listen_port,
        backlog=int(os.environ.get("SANIC_BACKLOG", "100")),
        workers=rasa.core.utils.number_of_sanic_workers(endpoints.lock_store if endpoints else None),
    )


if __name__ == "__main__":
    main()
