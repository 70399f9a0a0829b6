"""A running bot for end-to-end tests: action server + Rasa (+ fakes) on free ports with the trained model."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
MODEL = ROOT / "models" / "rasa" / "chanyan.tar.gz"
START_TIMEOUT_S = 240


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_json(method: str, url: str, body: Any = None, timeout: float = 60) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        raw = response.read()
    return json.loads(raw) if raw else None


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log: Path
    # What `Stack.wait_ready` polls; a Rasa server is ready once its status names a model.
    ready_url: str | None = None
    needs_model: bool = False

    def tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()

    def kill(self) -> None:
        """SIGKILL, as a crash or an OOM kill would end it."""
        if self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait()


@dataclass
class Stack:
    """The processes of one bot deployment and how to talk to it."""

    workdir: Path
    database_url: str
    env: dict[str, str]
    rasa_port: int
    action_port: int
    processes: list[Process] = field(default_factory=list)
    fake_wechat: Any = None

    @classmethod
    def fresh(cls, workdir: Path, db_name: str = "chanyan.db", **extra: str) -> Stack:
        """A stack (not started) on a new SQLite database in `workdir` and two free ports."""
        from chanyan.store.migrate import upgrade

        database_url = f"sqlite:///{workdir / db_name}"
        upgrade(database_url)
        rasa_port, action_port = free_port(), free_port()
        env = stack_env(workdir, database_url, rasa_port, action_port, **extra)
        return cls(workdir, database_url, env, rasa_port, action_port)

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def action_url(self) -> str:
        return f"http://127.0.0.1:{self.action_port}"

    def rest(self, sender: str, message: str) -> list[dict]:
        """Send one message over the REST channel; the bot's replies."""
        return (
            http_json(
                "POST", f"{self.rasa_url}/webhooks/rest/webhook", {"sender": sender, "message": message}
            )
            or []
        )

    def filed_requests(self, conversation_id: str) -> list[dict]:
        """The rows of `requests` filed from one conversation, JSON columns decoded, oldest first."""
        return filed_requests(self.database_url, conversation_id)

    def tracker(self, sender: str) -> dict:
        token = self.env["RASA_TOKEN"]
        return http_json("GET", f"{self.rasa_url}/conversations/{sender}/tracker?token={token}")

    def start_actions(self, name: str = "actions", port: int | None = None) -> Process:
        """Start an action server (another replica: a new `name` and `port`), as `make run` does."""
        port = port or self.action_port
        return self._spawn(
            name,
            [str(BIN / "python"), "-m", "serve.action_server", "--port", str(port)],
            ready_url=f"http://127.0.0.1:{port}/health",
        )

    def start_rasa(
        self,
        name: str = "rasa",
        port: int | None = None,
        endpoints: Path | None = None,
        env: dict[str, str] | None = None,
        model: Path | None = None,
    ) -> Process:
        """Start a Rasa server (another replica: a new `name` and `port`, its own `env` overrides, e.g. the
        ACTION_ENDPOINT_URL of its action server; `endpoints` another endpoints file; `model` another model)."""
        port = port or self.rasa_port
        return self._spawn(
            name,
            [
                str(BIN / "python"),
                "-m",
                "serve.rasa_server",
                "--model",
                str(model or MODEL),
                "--endpoints",
                str(endpoints or ROOT / "endpoints.yml"),
                "--credentials",
                str(self.credentials()),
                "--port",
                str(port),
            ],
            env=env,
            ready_url=f"http://127.0.0.1:{port}/status?token={self.env['RASA_TOKEN']}",
            needs_model=True,
        )

    def credentials(self) -> Path:
        """The product's credentials.yml, with the WeChat channel that lets a test shorten the reply window."""
        from tests.fakes.wechat_channel import credentials_for_tests

        return credentials_for_tests(ROOT / "credentials.yml", self.workdir / "credentials.yml")

    def _spawn(
        self,
        name: str,
        command: list[str],
        env: dict[str, str] | None = None,
        ready_url: str | None = None,
        needs_model: bool = False,
    ) -> Process:
        log = self.workdir / f"{name}.log"
        handle = log.open("ab")
        popen = subprocess.Popen(
            command,
            cwd=ROOT / "bot",
            env={**self.env, **(env or {})},
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        process = Process(name, popen, log, ready_url=ready_url, needs_model=needs_model)
        self.processes = [p for p in self.processes if p.name != name] + [process]
        return process

    def process(self, name: str) -> Process:
        return next(p for p in self.processes if p.name == name)

    def wait_ready(self, timeout: float = START_TIMEOUT_S) -> None:
        """Block until the action server answers and Rasa has loaded its model."""
        deadline = time.monotonic() + timeout
        checks = {p.name: p.ready_url for p in self.processes if p.ready_url}
        pending = set(checks)
        while pending:
            for name in list(pending):
                process = self.process(name)
                if process.popen.poll() is not None:
                    raise RuntimeError(f"{name} exited with {process.popen.returncode}:\n{process.tail()}")
                try:
                    status = http_json("GET", checks[name], timeout=5)
                except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                    continue
                if not process.needs_model or (status or {}).get("model_file"):
                    pending.discard(name)
            if time.monotonic() > deadline:
                tails = "\n".join(f"--- {n}\n{self.process(n).tail()}" for n in pending)
                raise TimeoutError(f"not ready after {timeout}s: {sorted(pending)}\n{tails}")
            time.sleep(0.5)

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()


JSON_COLUMNS = ("budget", "timeline", "coop_mode", "partner", "keywords", "extraction")


def filed_requests(database_url: str, conversation_id: str) -> list[dict]:
    """The rows of `requests` filed from one conversation, JSON columns decoded, oldest first."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url, future=True)
    try:
        with engine.connect() as connection:
            result = connection.execute(
                text("SELECT * FROM requests WHERE conversation_id = :c ORDER BY id"), {"c": conversation_id}
            )
            found = [dict(row._mapping) for row in result]
    finally:
        engine.dispose()
    for row in found:
        for column in JSON_COLUMNS:
            if isinstance(row.get(column), str):
                row[column] = json.loads(row[column])
    return found


def stack_env(
    workdir: Path, database_url: str, rasa_port: int, action_port: int, **extra: str
) -> dict[str, str]:
    """The environment of a test deployment (the same variables `make run` exports)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WECHAT_", "PYTEST_"))}
    env.update(
        {
            "CHANYAN_VAR_DIR": str(workdir),
            "DATABASE_URL": database_url,
            "TRACKER_DB_URL": database_url,
            "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{action_port}/webhook",
            "RASA_TOKEN": "e2e-token",
            "ACTION_SERVER_TOKEN": "e2e-action-server-token",
            "CHANYAN_ENV": "development",
            "RASA_TELEMETRY_ENABLED": "false",
            "PYTHONPATH": f"{ROOT}{os.pathsep}{env.get('PYTHONPATH', '')}".rstrip(os.pathsep),
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        }
    )
    env.update(wechat_test_env())
    env.update(extra)
    return env


def wechat_test_env() -> dict[str, str]:
    """WeChat channel settings for tests (the official sample's token, key and app id)."""
    return {
        "WECHAT_TOKEN": "spamtest",
        "WECHAT_APPID": "wx2c2769f8efd9abc2",
        "WECHAT_SECRET": "e2e-secret",
        "WECHAT_AES_KEY": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
        "WECHAT_MODE": "safe",
        "WECHAT_API_BASE": "http://127.0.0.1:9",
        "WECHAT_REPLY_TIMEOUT": "4.5",
        "REDIS_URL": "",
    }
