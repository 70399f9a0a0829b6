"""Fixtures for the widget's browser tests: one Chromium, the widget site, a fake Rasa per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.widget.support import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    FakeRasa,
    LoopThread,
    WidgetSite,
    build_widget,
    require_chromium,
)


@pytest.fixture(scope="session")
def widget_js() -> object:
    return build_widget()


@pytest.fixture(scope="session")
def server_loop() -> Iterator[LoopThread]:
    loop = LoopThread()
    yield loop
    loop.close()


@pytest.fixture(scope="session")
def widget_site(widget_js: object, server_loop: LoopThread) -> Iterator[WidgetSite]:
    site = WidgetSite(server_loop).start()
    yield site
    site.stop()


@pytest.fixture
def fake_rasa(server_loop: LoopThread) -> Iterator[FakeRasa]:
    server = FakeRasa(server_loop).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    require_chromium()
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    """A fresh context per test: empty localStorage, desktop size, Chinese locale."""
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
