"""Follow-up in Debian's Chromium: a request from filed to signed, its tasks, the report; axe-core on every page.

axe-core comes from npm (tests/axe: `npm install` there); its script is evaluated in each page. Screenshots are
saved under test-artifacts/.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from console_support import PASSWORD, STAFF, request_fields

from chanyan.console import init_app
from chanyan.followup.filing import file_request
from chanyan.settings import PROJECT_ROOT
from chanyan.store.session import make_engine, make_sessionmaker
from tests.browser import CHROMIUM, CHROMIUM_ARGS

AXE = Path(__file__).resolve().parents[1] / "axe" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = PROJECT_ROOT / "test-artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's Chromium is not installed (/usr/bin/chromium)"
    ),
    pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (cd tests/axe && npm install)"),
]


async def axe_violations(page) -> list[dict]:
    """axe-core's violations on the page as it is now (WCAG 2 A/AA rules)."""
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.evaluate(AXE.read_text(encoding="utf-8"))
    result = await page.evaluate(
        "async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))"
    )
    return result


async def test_a_request_from_filed_to_signed_and_the_report(aiohttp_server, settings, tmp_path):
    from playwright.async_api import async_playwright, expect

    engine = make_engine(settings.database_url)
    try:
        request, _ = file_request(
            make_sessionmaker(engine),
            request_fields(need_title="数控机床热变形补偿", enterprise_name="常州精密机床有限公司"),
        )
    finally:
        engine.dispose()
    ref = request.ref
    ARTIFACTS.mkdir(exist_ok=True)
    server = await aiohttp_server(init_app(settings))
    base = str(server.make_url("")).rstrip("/")
    found: dict[str, list] = {}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = await browser.new_context(locale="zh-CN", viewport={"width": 1360, "height": 900})
            page = await context.new_page()
            page.set_default_timeout(15_000)

            async def check(name: str) -> None:
                found[name] = await axe_violations(page)
                await page.screenshot(path=str(ARTIFACTS / f"followup_{name}.png"), full_page=True)

            await page.goto(f"{base}/login?next=/workbench")
            await check("login")
            await page.fill("input[name=username]", STAFF)
            await page.fill("input[name=password]", PASSWORD)
            await page.click("button:has-text('登录')")
            await expect(page).to_have_url(f"{base}/workbench")
            await expect(page.locator("#unclaimed")).to_contain_text(ref)
            await check("workbench")

            # Take it: assign to myself, review, match.
            await page.goto(f"{base}/requests/{ref}")
            await expect(page.locator("#summary")).to_contain_text("常州精密机床有限公司")
            await page.select_option("#assignee-select", STAFF)
            await page.click("#assign-form button")
            for status, label in (("reviewing", "审核中"), ("matched", "已匹配")):
                await page.select_option("#status-select", status)
                await page.click("button:has-text('变更状态')")
                await expect(page.locator("#current-status")).to_have_text(label)

            # The first contact is done, with a note.
            first = page.locator("#followup tbody tr", has_text="首次联系企业")
            await first.locator("input[name=note]").fill("已电话联系王经理")
            await first.locator("button:has-text('完成')").click()
            await expect(page.locator("#followup")).to_contain_text("已电话联系王经理")

            # The agreement: the request is signed and check-ins are planned.
            await page.click("#agreements summary")
            await page.fill("#agreement-form textarea[name=parties]", "江南大学机械工程学院")
            await page.fill("#agreement-form input[name=amount_wan]", "80")
            await page.fill("#agreement-form input[name=term]", "18个月")
            await page.click("button:has-text('登记协议')")
            await expect(page.locator("#current-status")).to_have_text("已签约")
            await expect(page.locator("#agreements")).to_contain_text("江南大学机械工程学院")
            await expect(page.locator("#followup")).to_contain_text("签约30天回访")
            await expect(page.locator(".audit")).to_contain_text("李对接 把状态从 已匹配 改为 已签约")
            await check("request")

            await page.goto(f"{base}/requests")
            await check("requests")
            await page.goto(f"{base}/dashboard")
            await check("dashboard")
            await page.goto(f"{base}/events")
            await check("events")
            await page.goto(f"{base}/report")
            summary = page.locator("#report-summary")
            await expect(summary).to_contain_text("签订合作协议 1 项")
            await expect(summary).to_contain_text("80万元")
            await check("report")
        finally:
            await browser.close()
    (ARTIFACTS / "followup_axe.json").write_text(
        json.dumps(found, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    assert {name: v for name, v in found.items() if v} == {}
