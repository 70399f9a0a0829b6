"""The requests list, detail, edits, workflow, transcript, exports, dashboard, handoffs and the JSON API."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime

from console_support import ADMIN, HOSTILE, STAFF, signed_in
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

REF_LINK = re.compile(r'href="/requests/(XQ-\d{8}-\d{4})"')


def listed(text: str) -> list[str]:
    return list(dict.fromkeys(REF_LINK.findall(text)))


async def test_list_is_newest_first_paginated_with_counts(client, refs):
    await signed_in(client)
    text = await (await client.get("/requests")).text()
    first_page = listed(text)
    assert len(first_page) == 5  # page_size in the test settings
    assert refs["extra3"] not in first_page  # filed 20 days ago: last
    assert first_page[0] > first_page[-1]
    assert "第 1 / 2 页" in text
    assert re.search(r'data-status="new">新提交（<span class="count">\d+</span>）', text)
    second = listed(await (await client.get("/requests?page=2")).text())
    assert refs["extra3"] in second
    assert not set(first_page) & set(second)


async def test_filters(client, refs):
    await signed_in(client)

    async def refs_for(query: str) -> list[str]:
        html_refs = listed(await (await client.get(f"/requests?{query}")).text())
        data = await (await client.get(f"/api/requests?page_size=100&{query}")).json()
        api_refs = [item["ref"] for item in data["items"]]
        assert html_refs == api_refs[:5]
        return api_refs

    assert await refs_for("channel=wechat") == [refs["handoff"]]
    assert await refs_for("domain=40") == [refs["handoff"]]
    assert await refs_for("domain=101") == [refs["hostile"]]
    assert await refs_for("handoff=1") == [refs["handoff"]]
    old = await refs_for("date_to=" + _days_ago(10))
    assert old == [refs["extra3"]]
    assert refs["extra3"] not in await refs_for("date_from=" + _days_ago(1))
    assert await refs_for("status=agreed") == []
    assert await refs_for("assignee=nobody") == []
    assert refs["main"] in await refs_for("assignee=-")


def _days_ago(days: int) -> str:
    from datetime import date, timedelta

    return (date.today() - timedelta(days=days)).isoformat()


async def test_chinese_full_text_search(client, refs):
    await signed_in(client)

    async def search(q: str) -> list[str]:
        data = await (await client.get("/api/requests", params={"q": q, "page_size": 100})).json()
        return [item["ref"] for item in data["items"]]

    page = await (await client.get("/requests", params={"q": "表面划痕"})).text()
    assert listed(page) == [refs["main"]]
    assert 'value="表面划痕"' in page

    assert refs["main"] in await search("视觉检测")  # in 机器视觉检测零件表面划痕
    assert refs["main"] in await search("划痕检测")  # words in another order
    assert await search("导热 材料") == [refs["handoff"]]
    assert await search("杭州新材料") == [refs["handoff"]]  # enterprise name
    assert refs["main"] in await search("13812345678")
    assert refs["extra0"] in await search("锂电池")
    assert await search("量子计算") == []
    assert await search("100%_") == []  # LIKE wildcards are literal


async def test_detail_shows_every_field_and_the_transcript(client, refs):
    await signed_in(client)
    text = await (await client.get(f"/requests/{refs['main']}")).text()
    for expected in (
        "苏州精工零部件有限公司",
        "张工",
        "13812345678",
        "zhang@example.com",
        "零件表面划痕视觉检测",
        "检测速度每分钟60件",
        "803 高性能、智能化仪器仪表",
        "机器视觉，缺陷检测",
        "50–80万元",
        "2027-06-30",
        "技术开发(合作开发)",
        "归企业所有",
        "江苏",
        "你好，我们想做零件表面划痕的视觉检测",  # user turn
        "明白了，预算大概多少？",  # bot turn
        "跳过",  # a button
        "渠道 接口",  # the channel by its Chinese name
        'href="tel:13812345678"',  # the summary's click-to-call
    ):
        assert expected in text, expected
    assert "渠道 rest" not in text


async def test_handoff_is_highlighted(client, refs):
    await signed_in(client)
    text = await (await client.get(f"/requests/{refs['handoff']}")).text()
    assert "用户请求转人工" in text
    assert 'class="turn turn-user handoff"' in text
    listing = await (await client.get("/requests")).text()
    assert '<tr class="handoff">' in listing
    handoffs = await (await client.get("/handoffs")).text()
    assert "我要转人工" in handoffs and refs["handoff"] in handoffs


async def test_edit_validates_and_audits(client, refs):
    csrf = await signed_in(client)
    ref = refs["extra1"]
    page = await client.get(f"/requests/{ref}")
    assert page.status == 200
    bad = await client.post(
        f"/requests/{ref}/edit",
        data={
            "_csrf": csrf,
            "enterprise_name": "",
            "contact_name": "王工",
            "contact_phone": "12345",
            "contact_email": "not-an-email",
            "need_title": "标题",
            "need_description": "描述",
            "domain": "999",
            "budget_kind": "range",
            "budget_min": "80",
            "budget_max": "50",
        },
    )
    assert bad.status == 422
    text = await bad.text()
    for message in (
        "请填写单位名称。",
        "请填写有效的 11 位手机号码。",
        "邮箱格式不正确。",
        "请选择有效的领域。",
        "预算下限不能大于上限。",
    ):
        assert message in text
    assert 'value="王工"' in text  # what the user typed is kept
    good = {
        "_csrf": csrf,
        "enterprise_name": "宁德电池材料有限公司",
        "contact_name": "王工",
        "contact_phone": "+86 139-1234-5678",
        "contact_email": "",
        "need_title": "极片缺陷在线检测",
        "need_description": "锂电池极片涂布缺陷在线检测",
        "tech_targets": "",
        "domain": "803",
        "keywords": "机器视觉、极片",
        "budget_kind": "range",
        "budget_min": "30",
        "budget_max": "60",
        "budget_text": "30到60万",
        "timeline_deadline": "2027-03-31",
        "timeline_months": "",
        "timeline_text": "明年一季度",
        "coop_mode": ["技术开发(委托开发)", "技术咨询"],
        "ip_preference": "",
        "partner_types": ["高校", "科研院所"],
        "partner_names": "浙江大学",
        "partner_regions": "浙江，江苏",
    }
    response = await client.post(f"/requests/{ref}/edit", data=good, allow_redirects=False)
    assert response.status == 302
    text = await (await client.get(response.headers["Location"])).text()
    assert "已保存。" in text
    assert "宁德电池材料有限公司" in text and "13912345678" in text
    assert "30–60万元" in text
    assert "修改记录" in text
    audit = text.split("修改记录")[1]
    # In words, by the staff member's display name, values as people read them.
    assert "李对接 把单位名称从 测试企业1 改为 宁德电池材料有限公司" in audit
    assert "李对接 把拟投入资金从 50–80万元 改为 30–60万元" in audit
    assert '{"kind"' not in audit and "min_cny" not in audit
    data = await (await client.get(f"/api/requests/{ref}")).json()
    assert data["budget"] == {"min_cny": 300000, "max_cny": 600000, "kind": "range", "text": "30到60万"}
    assert data["partner"] == {
        "types": ["高校", "科研院所"],
        "names": ["浙江大学"],
        "regions": ["浙江", "江苏"],
    }
    assert data["coop_mode"] == ["技术开发(委托开发)", "技术咨询"]
    assert data["contact_email"] is None
    fields = {a["field"] for a in data["audit"]}
    assert {"enterprise_name", "contact_phone", "budget", "partner", "coop_mode"} <= fields
    # Saving again without changes adds nothing to the audit trail.
    await client.post(f"/requests/{ref}/edit", data=good)
    again = await (await client.get(f"/api/requests/{ref}")).json()
    assert len(again["audit"]) == len(data["audit"])
    # The search text follows the edit.
    assert ref in listed(await (await client.get("/requests", params={"q": "宁德"})).text())


async def test_status_workflow_assignment_and_notes(client, refs):
    csrf = await signed_in(client)
    ref = refs["extra2"]

    async def post(path: str, **data: str):
        return await client.post(
            f"/requests/{ref}/{path}", data={"_csrf": csrf, **data}, allow_redirects=False
        )

    assert (await post("status", status="agreed")).status == 409  # new → agreed skips steps
    assert (await post("status", status="reviewing")).status == 302
    assert (await post("status", status="matched")).status == 302
    closing = await post("status", status="closed")
    assert closing.status == 422
    assert "请填写关闭原因。" in await closing.text()
    assert (await post("status", status="closed", reason="企业已自行解决")).status == 302
    assert (await post("assign", assignee=ADMIN)).status == 302
    assert (await post("assign", assignee="nobody")).status == 422
    assert (await post("notes", text="")).status == 422
    assert (await post("notes", text=f"已电话联系 {HOSTILE}")).status == 302
    text = await (await client.get(f"/requests/{ref}")).text()
    assert "已关闭" in text and "企业已自行解决" in text
    assert "已电话联系 &lt;script&gt;" in text
    record = await (await client.get(f"/api/requests/{ref}")).json()
    assert [s["to"] for s in record["status_history"]] == ["new", "reviewing", "matched", "closed"]
    assert record["status_history"][-1]["actor"] == STAFF
    assert record["assignee"] == ADMIN
    assert record["notes"][-1]["author"] == STAFF
    assert (await client.get(f"/requests?assignee={ADMIN}")).status == 200
    assert ref in listed(await (await client.get(f"/requests?assignee={ADMIN}")).text())
    assert (await post("status", status="reviewing")).status == 302  # closed can be reopened


async def test_unknown_request_is_404(client):
    await signed_in(client)
    assert (await client.get("/requests/XQ-20000101-9999")).status == 404
    assert (await client.get("/api/requests/XQ-20000101-9999")).status == 404


async def test_csv_export_opens_in_excel(client, refs):
    await signed_in(client)
    response = await client.get("/requests/export.csv?channel=socketio")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    body = await response.read()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:3] == ["编号", "状态", "渠道"]
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["编号"] == refs["hostile"]
    assert row["状态"] == "新提交"
    assert row["需求名称"].startswith("'=HYPERLINK")  # never a live formula
    assert row["单位名称"] == HOSTILE


async def test_xlsx_export(client, refs):
    await signed_in(client)
    response = await client.get("/requests/export.xlsx", params={"q": "HYPERLINK"})
    assert response.status == 200
    sheet = load_workbook(io.BytesIO(await response.read())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "编号" and "单位名称" in rows[0]
    assert len(rows) == 2 and rows[1][0] == refs["hostile"]
    title = rows[1][rows[0].index("需求名称")]
    assert title.startswith("=HYPERLINK")
    cell = sheet.cell(row=2, column=rows[0].index("需求名称") + 1)
    assert cell.data_type == "s"  # a string, not a formula
    # Ready for analysis: numbers in 万元, dates as dates, labels instead of codes, an autofilter row.
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["预算下限(万元)"], row["预算上限(万元)"]) == (50, 80)
    assert row["截止日期"] == datetime(2027, 6, 30)
    assert isinstance(row["提交时间"], datetime)
    assert (row["渠道"], row["预算类型"], row["状态"]) == ("网页", "区间", "新提交")
    assert sheet.auto_filter.ref == f"A1:{get_column_letter(len(rows[0]))}2"


async def test_dashboard(client):
    await signed_in(client)
    text = await (await client.get("/dashboard")).text()
    for expected in (
        "每周新增需求单",
        "按领域",
        "先进制造与自动化",
        "转化漏斗",
        "已提交",
        "已签约",
        "首次人工处理用时",
    ):
        assert expected in text
    assert text.count("<svg") == 6  # three all-time charts and the period view's three
    stats = await (await client.get("/api/stats")).json()
    assert stats["total"] >= 7
    assert sum(n for _, n in stats["weekly"]) == stats["total"]
    assert stats["funnel"][0] == ["已提交", stats["total"]]


async def test_conversation_page_and_handoff_resolution(client):
    csrf = await signed_in(client)
    text = await (await client.get("/conversations/conv-handoff")).text()
    assert "我要转人工" in text and "已为您转接人工客服。" in text
    assert (await client.get("/conversations/unknown-conversation")).status == 404
    handoffs = await (await client.get("/handoffs")).text()
    handoff_id = re.search(r"/handoffs/(\d+)/resolve", handoffs).group(1)
    response = await client.post(
        f"/handoffs/{handoff_id}/resolve", data={"_csrf": csrf}, allow_redirects=False
    )
    assert response.status == 302
    assert "/handoffs/" not in await (await client.get("/handoffs")).text()
    assert f"已由 {STAFF} 处理" in await (await client.get("/handoffs?all=1")).text()


async def test_api(client, refs):
    csrf = await signed_in(client)
    data = await (await client.get("/api/requests", params={"channel": "wechat"})).json()
    assert data["total"] == 1 and data["items"][0]["ref"] == refs["handoff"]
    assert set(data["counts"]) == {"new", "reviewing", "matched", "agreed", "closed"}
    page = await (await client.get("/api/requests", params={"page_size": 2, "page": 2})).json()
    assert len(page["items"]) == 2 and page["page"] == 2
    assert (await client.get("/api/requests?page=x")).status == 422
    transcript = await (await client.get(f"/api/requests/{refs['hostile']}/transcript")).json()
    assert transcript["turns"][0] == {
        **transcript["turns"][0],
        "kind": "user",
        "text": HOSTILE,
        "channel": "socketio",
    }
    headers = {"X-CSRF-Token": csrf}
    ref = refs["extra0"]
    bad = await client.post(f"/api/requests/{ref}/status", json={"status": "closed"}, headers=headers)
    assert bad.status == 422 and (await bad.json())["errors"]["reason"]
    ok = await client.post(f"/api/requests/{ref}/status", json={"status": "reviewing"}, headers=headers)
    assert ok.status == 200 and (await ok.json())["status"] == "reviewing"
    conflict = await client.post(f"/api/requests/{ref}/status", json={"status": "agreed"}, headers=headers)
    assert conflict.status == 409
    spec = await (await client.get("/api/openapi.json")).json()
    assert spec["openapi"].startswith("3.")
    assert {
        "/api/requests",
        "/api/requests/{ref}",
        "/api/requests/{ref}/transcript",
        "/api/requests/{ref}/assign",
    } <= set(spec["paths"])
    assert {"get", "patch"} <= set(spec["paths"]["/api/requests/{ref}"])


async def test_a_public_note_is_marked_and_its_progress_notice_listed(client, refs):
    csrf = await signed_in(client)
    ref = refs["extra1"]
    form = await (await client.get(f"/requests/{ref}")).text()
    assert 'name="public"' in form and "进展通知" in form and "暂无进展通知" in form
    posted = await client.post(
        f"/requests/{ref}/notes",
        data={"_csrf": csrf, "text": "已约好下周与高校团队视频沟通", "public": "on"},
        allow_redirects=False,
    )
    assert posted.status == 302
    headers = {"X-CSRF-Token": csrf}
    bad = await client.post(
        f"/api/requests/{ref}/notes", json={"text": "x", "public": "yes"}, headers=headers
    )
    assert bad.status == 422
    private = await client.post(f"/api/requests/{ref}/notes", json={"text": "内部备注"}, headers=headers)
    assert private.status == 201 and (await private.json())["public"] is False
    record = await (await client.get(f"/api/requests/{ref}")).json()
    assert [(n["text"], n["public"]) for n in record["notes"]][-2:] == [
        ("已约好下周与高校团队视频沟通", True),
        ("内部备注", False),
    ]
    page = await (await client.get(f"/requests/{ref}")).text()
    assert "对企业公开" in page and "公开备注" in page and "暂无进展通知" not in page
