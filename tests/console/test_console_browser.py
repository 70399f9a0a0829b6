"""The console in Debian's Chromium: log in, filter, open a request with its transcript, change its status, export."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from console_support import PASSWORD, STAFF

from chanyan.console import init_app
from tests.browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian's Chromium is not installed (/usr/bin/chromium: apt-get install chromium)",
    ),
]


async def test_staff_workflow_in_chromium(aiohttp_server, settings, refs, tmp_path):
    from playwright.async_api import async_playwright, expect

    server = await aiohttp_server(init_app(settings))
    base = str(server.make_url("")).rstrip("/")
    ref = refs["main"]
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = await browser.new_context(accept_downloads=True, locale="zh-CN")
            page = await context.new_page()
            page.set_default_timeout(15_000)
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

            # Every page sends a stranger to the login form first.
            await page.goto(f"{base}/requests")
            await expect(page).to_have_url(re.compile(r"/login\?next=(/|%2F)requests$"))
            await page.fill("input[name=username]", STAFF)
            await page.fill("input[name=password]", PASSWORD)
            await page.click("button:has-text('登录')")
            await expect(page).to_have_url(f"{base}/requests")
            await expect(page.locator("h1")).to_have_text("需求单")

            # Filter: Chinese search plus the channel.
            await page.fill("input[name=q]", "表面划痕")
            await page.select_option("select[name=channel]", "rest")
            await page.click("button:has-text('筛选')")
            rows = page.locator("table.list tbody tr")
            await expect(rows).to_have_count(1)
            await expect(rows.first).to_contain_text("苏州精工零部件有限公司")

            # Export exactly what is filtered, as CSV and as Excel.
            async with page.expect_download() as csv_info:
                await page.click("#export-csv")
            csv_path = await (await csv_info.value).path()
            body = Path(csv_path).read_bytes()
            assert body.startswith(b"\xef\xbb\xbf") and ref.encode() in body
            assert body.decode("utf-8-sig").count("XQ-") == 1
            async with page.expect_download() as xlsx_info:
                await page.click("#export-xlsx")
            download = await xlsx_info.value
            assert download.suggested_filename.endswith(".xlsx")
            assert Path(await download.path()).read_bytes()[:2] == b"PK"

            # Open the request: fields and the conversation transcript.
            await page.click(f"a:has-text('{ref}')")
            await expect(page).to_have_url(f"{base}/requests/{ref}")
            transcript = page.locator("#transcript")
            await expect(transcript).to_contain_text("你好，我们想做零件表面划痕的视觉检测")
            await expect(transcript).to_contain_text("明白了，预算大概多少？")
            await expect(transcript.locator(".turn-user").nth(1)).to_contain_text(
                "<b>加急</b>"
            )  # text, not HTML

            # Closing without a reason is stopped in the page; then move it to review.
            await page.select_option("#status-select", "closed")
            await page.click("button:has-text('变更状态')")
            await expect(page.locator("#current-status")).to_have_text("新提交")
            await page.select_option("#status-select", "reviewing")
            await page.click("button:has-text('变更状态')")
            await expect(page.locator("#current-status")).to_have_text("审核中")
            await expect(page.locator(".banner.ok")).to_have_text("已保存。")
            await expect(page.locator(".audit")).to_contain_text("李对接 把状态从 新提交 改为 审核中")

            # Add a note, then find the request under its new status.
            await page.fill("#note-form textarea", "已电话联系，下周走访")
            await page.click("button:has-text('添加备注')")
            await expect(page.locator(".notes")).to_contain_text("已电话联系，下周走访")
            await page.goto(f"{base}/requests?status=reviewing")
            await expect(page.locator("table.list")).to_contain_text(ref)
            await page.screenshot(path=str(tmp_path / "requests.png"))
            assert not [e for e in errors if "Content Security Policy" in e], errors
        finally:
            await browser.close()
