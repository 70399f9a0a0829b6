"""Shared fixtures: one trained model and one running stack for every end-to-end and security test (started once per session)."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator

import pytest

from tests.e2e.stack import MODEL, Stack, free_port, stack_env


@pytest.fixture(scope="session")
def rasa_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Action server + Rasa (REST, socketio and WeChat channels) on free ports, SQLite in a temp dir."""
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` (make test does it)")
    from chanyan.store.migrate import upgrade

    workdir = tmp_path_factory.mktemp("stack")
    database_url = f"sqlite:///{workdir / 'chanyan.db'}"
    upgrade(database_url)
    fake_wechat = None
    extra: dict[str, str] = {}
    if importlib.util.find_spec("tests.fakes.wechat_api"):
        from tests.fakes.wechat_api import FakeWeChatAPI

        fake_wechat = FakeWeChatAPI()
        fake_wechat.start()
        extra["WECHAT_API_BASE"] = fake_wechat.url
    rasa_port, action_port = free_port(), free_port()
    stack = Stack(
        workdir=workdir,
        database_url=database_url,
        env=stack_env(workdir, database_url, rasa_port, action_port, **extra),
        rasa_port=rasa_port,
        action_port=action_port,
        fake_wechat=fake_wechat,
    )
    try:
        stack.start_actions()
        stack.start_rasa()
        stack.wait_ready()
        yield stack
    finally:
        stack.stop()
        if fake_wechat is not None:
            fake_wechat.stop()
