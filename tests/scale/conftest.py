"""The scale-out profile, started once for every test in tests/scale: two Rasa replicas and two action
servers on one PostgreSQL database and one Redis (endpoints.prod.yml), each pair on free ports.

Rasa replica `a` talks to action server `a`, `b` to `b` (as if each action server sat behind its own
balancer). The requests database (DATABASE_URL) goes through a TCP proxy the tests can cut; Rasa's tracker
store (TRACKER_DB_URL) connects to the same database directly, so "the database is down at filing time"
means the requests tables only and the conversation itself stays readable.
"""

from __future__ import annotations

import concurrent.futures
import shutil
import tarfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.e2e.stack import MODEL, ROOT, Stack, free_port, http_json, stack_env
from tests.fakes.tcp_proxy import TCPProxy
from tests.postgres import SKIP_REASON, postgres_available, service_missing, temporary_database

PROD_ENDPOINTS = ROOT / "endpoints.prod.yml"
REDIS_HOST = "127.0.0.1"
REDIS_PORT = 6379
REDIS_LOCK_DB = 1
REDIS_CHANNEL_DB = 2
REPLICAS = ("a", "b")


def redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis(host=REDIS_HOST, port=REDIS_PORT, socket_timeout=2).ping())
    except redis.RedisError:
        return False


@dataclass
class Replicas:
    """Two Rasa replicas + two action servers; `stack.database_url` is the direct (un-proxied) URL."""

    stack: Stack
    proxy: TCPProxy
    rasa_ports: dict[str, int]
    action_ports: dict[str, int]
    lock_prefix: str
    model: Path

    def url(self, replica: str) -> str:
        return f"http://127.0.0.1:{self.rasa_ports[replica]}"

    def rest(self, replica: str, sender: str, message: str) -> list[dict]:
        """One message over REST to one replica; the bot's replies (an HTTP error, e.g. a 5xx, raises)."""
        body = {"sender": sender, "message": message}
        return http_json("POST", f"{self.url(replica)}/webhooks/rest/webhook", body) or []

    def tracker(self, sender: str, replica: str = "a") -> dict:
        token = self.stack.env["RASA_TOKEN"]
        return http_json("GET", f"{self.url(replica)}/conversations/{sender}/tracker?token={token}")

    def start_rasa(self, replica: str) -> None:
        self.stack.start_rasa(
            f"rasa-{replica}",
            port=self.rasa_ports[replica],
            endpoints=PROD_ENDPOINTS,
            model=self.model,
            env={"ACTION_ENDPOINT_URL": f"http://127.0.0.1:{self.action_ports[replica]}/webhook"},
        )

    def start_actions(self, replica: str) -> None:
        self.stack.start_actions(f"actions-{replica}", port=self.action_ports[replica])


def model_snapshot(workdir: Path, attempts: int = 60) -> Path:
    """A complete copy of the trained model: restarts in the middle of a test load the same model even if
    `make train` rewrites models/ meanwhile (a half-written archive is waited out)."""
    copy = workdir / MODEL.name
    for _ in range(attempts):
        if time.time() - MODEL.stat().st_mtime > 3:
            shutil.copyfile(MODEL, copy)
            try:
                with tarfile.open(copy) as archive:
                    for _member in archive:
                        pass
                return copy
            except (tarfile.TarError, EOFError, OSError):
                pass
        time.sleep(2)
    pytest.fail(f"{MODEL} stayed incomplete or kept changing")


def production_env(database_url: str, proxied_url: str, lock_prefix: str) -> dict[str, str]:
    """The variables of the production profile (docs/deploy.md) for this test deployment."""
    return {
        "DATABASE_URL": proxied_url,
        "TRACKER_DB_URL": database_url,
        "REDIS_HOST": REDIS_HOST,
        "REDIS_PORT": str(REDIS_PORT),
        "REDIS_LOCK_DB": str(REDIS_LOCK_DB),
        "REDIS_PASSWORD": "",
        "REDIS_LOCK_PREFIX": lock_prefix,
        "REDIS_URL": f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_CHANNEL_DB}",
    }


@pytest.fixture(scope="session")
def replicas(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replicas]:
    """The scale-out deployment (skipped, with the reason, when PostgreSQL or Redis is unreachable)."""
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` (make test does it)")
    if not postgres_available():
        service_missing(SKIP_REASON)
    if not redis_available():
        service_missing(f"Redis unreachable at {REDIS_HOST}:{REDIS_PORT}")
    from chanyan.store.migrate import upgrade
    from tests.fakes.wechat_api import FakeWeChatAPI

    workdir = tmp_path_factory.mktemp("scale")
    with temporary_database("chanyan_scale") as database_url:
        upgrade(database_url)
        url = make_url(database_url)
        proxy = TCPProxy(url.host or "127.0.0.1", url.port or 5432).start()
        proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        fake_wechat = FakeWeChatAPI().start()
        lock_prefix = f"scale{uuid.uuid4().hex[:10]}"
        rasa_ports = {r: free_port() for r in REPLICAS}
        action_ports = {r: free_port() for r in REPLICAS}
        env = stack_env(
            workdir,
            database_url,
            rasa_ports["a"],
            action_ports["a"],
            WECHAT_API_BASE=fake_wechat.url,
            **production_env(database_url, proxied, lock_prefix),
        )
        stack = Stack(
            workdir=workdir,
            database_url=database_url,
            env=env,
            rasa_port=rasa_ports["a"],
            action_port=action_ports["a"],
            fake_wechat=fake_wechat,
        )
        model = model_snapshot(workdir)
        deployment = Replicas(stack, proxy, rasa_ports, action_ports, lock_prefix, model)
        try:
            # All four start at once; Rasa's SQL tracker store copes with replicas creating its tables together.
            for replica in REPLICAS:
                deployment.start_actions(replica)
                deployment.start_rasa(replica)
            stack.wait_ready()
            yield deployment
        finally:
            with concurrent.futures.ThreadPoolExecutor() as pool:
                list(pool.map(lambda p: p.stop(), stack.processes))
            proxy.stop()
            fake_wechat.stop()
            _drop_lock_keys(lock_prefix)


def _drop_lock_keys(prefix: str) -> None:
    import redis

    try:
        client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_LOCK_DB)
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        if keys:
            client.delete(*keys)
    except redis.RedisError:
        pass
