"""Follow-up in Debian's Chromium: a request from filed to signed, its tasks, the report, a live conversation;
axe-core on every page.

axe-core comes from npm (tests/axe: `npm install` there); its script is evaluated in each page. Screenshots are
saved under test-artifacts/.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from console_support import PASSWORD, STAFF, request_fields

from chanyan.console import init_app
from chanyan.console.keys import CONVERSATION_TRANSPORT_KEY
from chanyan.followup.filing import file_request
from chanyan.partners.registry import import_file
from chanyan.settings import PROJECT_ROOT
from chanyan.store.session import make_engine, make_sessionmaker
from tests.browser import CHROMIUM, CHROMIUM_ARGS
from tests.fakes.conversations import FakeRasa

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


# A small registry written for this walk (fictional entries): the first is the one the enterprise signs with.
REGISTRY = [
    {
        "name": "东南大学精密测量实验室",
        "kind": "实验室",
        "parent": "东南大学",
        "region": "江苏南京",
        "capability": "机床热误差建模与补偿、数控机床精度检测、主轴热变形测量",
        "domains": "803",
        "keywords": ["热变形补偿", "数控机床"],
        "contact": {"name": "周老师", "email": "zhou.lab@example.edu.cn"},
    },
    {
        "name": "常州智能装备研究院",
        "kind": "科研院所",
        "region": "江苏常州",
        "capability": "数控系统开发、机床可靠性试验与误差补偿软件",
        "domains": "803",
    },
]
LAB = REGISTRY[0]["name"]


def seed(settings, tmp_path) -> str:
    """The registry imported and one request filed as the assistant files it; returns its reference."""
    path = tmp_path / "registry.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in REGISTRY), encoding="utf-8")
    engine = make_engine(settings.database_url)
    try:
        maker = make_sessionmaker(engine)
        assert import_file(maker, path, actor="setup").written
        request, _ = file_request(
            maker,
            request_fields(
                need_title="数控机床热变形补偿",
                need_description="主轴温升导致加工精度下降，希望建立热误差模型并在线补偿",
                keywords=["热变形补偿", "数控机床"],
                enterprise_name="常州精密机床有限公司",
            ),
        )
    finally:
        engine.dispose()
    return request.ref


async def test_a_request_from_filed_to_signed_and_the_report(aiohttp_server, settings, tmp_path):
    from playwright.async_api import async_playwright, expect

    ref = seed(settings, tmp_path)
    ARTIFACTS.mkdir(exist_ok=True)
    app = init_app(settings)
    engine = make_engine(settings.database_url)
    rasa = app[CONVERSATION_TRANSPORT_KEY] = FakeRasa(engine)
    conversation = "web-followup-walk"
    rasa.user_says(conversation, "合同原件寄到哪里？想和专员直接聊", "socketio")
    rasa.connected.add(conversation)
    server = await aiohttp_server(app)
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

            # Take it: assign to myself and review it; the first contact with the enterprise is done.
            await page.goto(f"{base}/requests/{ref}")
            await expect(page.locator("#summary")).to_contain_text("常州精密机床有限公司")
            await check("request_filed")
            await page.select_option("#assignee-select", STAFF)
            await page.click("#assign-form button")
            await page.select_option("#status-select", "reviewing")
            await page.click("button:has-text('变更状态')")
            await expect(page.locator("#current-status")).to_have_text("审核中")
            first = page.locator("#followup tbody tr", has_text="首次联系企业")
            await first.locator("input[name=note]").fill("已电话联系王经理")
            await first.locator("button:has-text('完成')").click()
            await expect(page.locator("#followup")).to_contain_text("已电话联系王经理")

            # 推荐合作方: the lab is proposed with its reasons; shortlist it, contact it, it is willing.
            lab = page.locator("#partners li.candidate", has_text=LAB)
            await expect(lab.locator(".why")).to_contain_text("共同术语")
            for stage, note, status in (
                ("候选", "", "审核中"),
                ("已联系", "已电话联系周老师", "已匹配"),  # a confirmed candidate matches the request
                ("有意向", "周老师愿意合作开发", "已匹配"),
            ):
                await lab.locator("select[name=stage]").select_option(stage)
                await lab.locator("input[name=note]").fill(note)
                await lab.locator("button:has-text('保存')").click()
                await expect(lab.locator(".status")).to_have_text(stage)
                await expect(page.locator("#current-status")).to_have_text(status)
            await check("request_shortlisted")

            # The agreement, from the shortlist: the willing lab's sign link opens the form with it ticked.
            await lab.locator("a:has-text('登记合作协议')").click()
            await expect(page.locator("#agreement-form")).to_be_visible()
            party = page.locator("#agreement-parties label", has_text=LAB).locator("input[type=checkbox]")
            await expect(party).to_be_checked()
            await page.fill("#agreement-form input[name=amount_wan]", "80")
            await page.fill("#agreement-form input[name=term]", "18个月")
            await check("agreement_form")
            await page.click("button:has-text('登记协议')")
            await expect(page.locator("#current-status")).to_have_text("已签约")
            await expect(page.locator("#agreements .record")).to_contain_text(LAB)
            await expect(page.locator("#agreements .record")).to_contain_text("80万元")
            await expect(lab.locator(".status")).to_have_text("已签约")
            await expect(page.locator("#followup")).to_contain_text("签约30天回访")
            await expect(page.locator(".audit")).to_contain_text("李对接 把状态从 已匹配 改为 已签约")

            # A follow-up task after signing, added by hand and done with a note.
            await page.click("#followup summary")
            await page.fill("#task-form input[name=title]", "寄送合同原件")
            await page.click("button:has-text('添加任务')")
            task = page.locator("#followup tbody tr", has_text="寄送合同原件")
            await task.locator("input[name=note]").fill("已寄出，顺丰单号已告知企业")
            await task.locator("button:has-text('完成')").click()
            await expect(page.locator("#followup tbody tr", has_text="寄送合同原件")).to_contain_text(
                "已完成"
            )
            await check("request_signed")

            await page.goto(f"{base}/workbench")
            await check("workbench_after")
            await page.goto(f"{base}/requests")
            await check("requests")
            await page.goto(f"{base}/partners")
            await check("partners")
            await page.goto(f"{base}/dashboard")
            await check("dashboard")
            await page.goto(f"{base}/events")
            await check("events")
            # The live conversation page: before and after staff take the conversation and reply.
            await page.goto(f"{base}/conversations/{conversation}")
            await expect(page.locator("body")).to_contain_text("合同原件寄到哪里")
            await check("conversation")
            await page.click("button:has-text('接手对话')")
            await page.fill(
                "form.reply-form textarea", "您好，合同原件请寄到平台服务大厅，地址稍后短信发您。"
            )
            await page.click("form.reply-form button:has-text('发送')")
            await expect(page.locator("body")).to_contain_text("地址稍后短信发您")
            await check("conversation_held")

            await page.goto(f"{base}/report")
            summary = page.locator("#report-summary")
            await expect(summary).to_contain_text("签订合作协议 1 项")
            await expect(summary).to_contain_text("80万元")
            for stage in ("审核", "匹配", "有意向", "签约"):  # only this walk's request got past 提交
                row = page.locator("#funnel tbody tr", has=page.locator("td:first-child", has_text=stage))
                await expect(row.locator("td").nth(1)).to_have_text("1")
            first_contacts = page.locator("p.small", has_text="首次联系：应联系")
            await expect(first_contacts).to_contain_text("已联系 1 项")
            await check("report")
        finally:
            await browser.close()
    engine.dispose()
    (ARTIFACTS / "followup_axe.json").write_text(
        json.dumps(found, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    assert {name: v for name, v in found.items() if v} == {}
