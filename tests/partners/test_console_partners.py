"""The console's registry pages and the 推荐合作方 panel: sign-in, roles, CSRF, escaping, stages, the API."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest
from aiohttp import FormData
from console_support import ADMIN, HOSTILE, signed_in

from chanyan.partners.registry import import_file
from chanyan.requests import notify
from chanyan.store.session import make_engine, make_sessionmaker

REGISTRY = [
    {
        "name": "东南大学视觉检测实验室",
        "kind": "实验室",
        "parent": "东南大学",
        "region": "江苏南京",
        "capability": "工业机器视觉、零件表面划痕与缺陷检测算法、在线检测装备",
        "domains": "803",
        "keywords": ["机器视觉", "缺陷检测"],
        "contact": {"name": "周老师", "email": "zhou.lab@example.edu.cn"},
    },
    {
        "name": "宁波高分子材料研究所",
        "kind": "科研院所",
        "region": "浙江宁波",
        "capability": "改性塑料与阻燃高分子材料",
    },
    {
        "name": f"恶意测试团队{HOSTILE}",
        "kind": "团队",
        "region": "广东深圳",
        "capability": f"视觉检测 {HOSTILE}",
        "url": "https://example.org/?a=1&b=2",
    },
]


@pytest.fixture(scope="module")
def registry_loaded(database, tmp_path_factory):
    path = tmp_path_factory.mktemp("registry") / "registry.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in REGISTRY), encoding="utf-8")
    engine = make_engine(database["url"])
    report = import_file(make_sessionmaker(engine), path, actor="setup")
    engine.dispose()
    assert report.written and report.created == 3
    return database


async def partner_id(client, name: str) -> int:
    page = await (await client.get("/partners", params={"q": name})).text()
    return int(re.search(r'href="/partners/(\d+)"', page).group(1))


async def test_registry_pages_escape_registry_text(client, registry_loaded):
    await signed_in(client)
    listing = await (await client.get("/partners")).text()
    assert "东南大学视觉检测实验室" in listing and HOSTILE not in listing
    assert "&lt;script&gt;" in listing
    detail = await (await client.get(f"/partners/{await partner_id(client, '恶意测试团队')}")).text()
    assert HOSTILE not in detail and "&lt;img src=x onerror=alert(1)&gt;" in detail
    assert 'href="https://example.org/?a=1&amp;b=2"' in detail


async def test_filters_and_export(client, registry_loaded):
    await signed_in(client)
    page = await (await client.get("/partners", params={"kind": "科研院所"})).text()
    assert "宁波高分子材料研究所" in page and "东南大学视觉检测实验室" not in page
    page = await (await client.get("/partners", params={"region": "江苏", "domain": "80"})).text()
    assert "东南大学视觉检测实验室" in page and "宁波高分子材料研究所" not in page
    export = await client.get("/partners/export.csv")
    body = (await export.read()).decode("utf-8-sig")
    assert body.splitlines()[0].startswith("名称,类型,所属单位,地区,能力简介")
    assert "东南大学视觉检测实验室" in body


async def test_adding_and_editing_an_entry_is_audited_and_needs_csrf(client, registry_loaded):
    token = await signed_in(client)
    form = {
        "name": "合肥智能装备研究院",
        "kind": "科研院所",
        "region": "安徽合肥",
        "capability": "工业机器人集成",
    }
    refused = await client.post("/partners/new", data=form, allow_redirects=False)
    assert refused.status == 403
    bad = await client.post("/partners/new", data={**form, "capability": "", "_csrf": token})
    assert bad.status == 422 and "缺少能力简介" in await bad.text()
    created = await client.post("/partners/new", data={**form, "_csrf": token}, allow_redirects=False)
    assert created.status == 302
    location = created.headers["Location"].split("?")[0]
    edited = await client.post(
        f"{location}/edit",
        data={**form, "capability": "工业机器人集成与焊接工艺", "_csrf": token},
        allow_redirects=False,
    )
    assert edited.status == 302
    detail = await (await client.get(location)).text()
    assert "工业机器人集成与焊接工艺" in detail
    assert re.search(r"alice</span>\s*能力简介", detail), "the edit is in the audit trail with who made it"
    duplicate = await client.post("/partners/new", data={**form, "_csrf": token})
    assert duplicate.status == 409


async def test_import_is_for_administrators_and_reports_bad_rows(client, registry_loaded):
    token = await signed_in(client)
    csv_text = "名称,类型,地区,能力简介\n新团队甲,团队,江苏苏州,精密加工\n新团队乙,团队,火星,\n"

    def upload(csrf: str) -> FormData:
        form = FormData()
        form.add_field("_csrf", csrf)
        form.add_field("file", csv_text.encode("utf-8-sig"), filename="registry.csv", content_type="text/csv")
        return form

    assert (await client.post("/partners/import", data=upload(token))).status == 403
    await client.post("/logout", data={"_csrf": token})
    admin_token = await signed_in(client, ADMIN)
    report = await client.post("/partners/import", data=upload(admin_token))
    text = await report.text()
    assert report.status == 422 and "未导入" in text
    assert re.search(r"<td>3</td><td>新团队乙</td><td>[^<]*缺少能力简介", text)
    assert "地区“火星”无法识别" in text
    listing = await (await client.get("/partners", params={"q": "新团队甲"})).text()
    assert "共 0 条" in listing


async def test_the_request_page_shows_explained_candidates_and_tracks_stages(client, registry_loaded, refs):
    token = await signed_in(client)
    ref = refs["main"]  # 机器视觉检测零件表面划痕, an enterprise in 苏州
    page = await (await client.get(f"/requests/{ref}")).text()
    panel = page[page.index('id="partners"') :]
    first = re.search(r'<li class="candidate[^"]*" data-partner="(\d+)">(.*?)</li>', panel, re.S)
    assert "东南大学视觉检测实验室" in first.group(2)
    assert "领域 803 相同" in first.group(2) and "江苏，与企业同省" in first.group(2)
    assert "共同术语：" in first.group(2)
    assert HOSTILE not in page
    lab = int(first.group(1))
    moved = await client.post(
        f"/requests/{ref}/candidates",
        data={"partner_id": str(lab), "stage": "已联系", "note": "已电话沟通", "_csrf": token},
        allow_redirects=False,
    )
    assert moved.status == 302
    page = await (await client.get(f"/requests/{ref}")).text()
    assert re.search(r'id="current-status">已匹配<', page), "confirming a candidate matches the request"
    assert "候选 → 已联系：已电话沟通" in page
    skipping = await client.post(
        f"/requests/{ref}/candidates", data={"partner_id": str(lab), "stage": "已签约", "_csrf": token}
    )
    assert skipping.status == 422
    found = await (await client.get(f"/requests/{ref}", params={"pq": "阻燃"})).text()
    assert "宁波高分子材料研究所" in found[found.index('id="partner-search"') :]
    stats = await (await client.get("/api/stats")).json()
    funnel = dict(stats["funnel"])
    assert funnel["已匹配"] >= 1 and list(funnel) == ["已提交", "已审核", "已匹配", "有意向", "已签约"]


async def test_the_matches_and_partners_api(client, registry_loaded, refs):
    await signed_in(client)
    answer = await (await client.get(f"/api/requests/{refs['main']}/matches", params={"top": "2"})).json()
    best = answer["candidates"][0]
    assert best["name"] == "东南大学视觉检测实验室"
    assert set(best) == {"id", "name", "kind", "region", "score", "why", "stage"}
    assert best["region"] == "江苏南京" and 0 < best["score"] <= 1
    partners = await (await client.get("/api/partners", params={"kind": "实验室"})).json()
    assert [p["name"] for p in partners["items"]] == ["东南大学视觉检测实验室"]
    assert partners["items"][0]["contact"]["email"] == "zhou.lab@example.edu.cn"
    moved = await client.post(
        f"/api/requests/{refs['extra0']}/candidates", json={"partner_id": best["id"], "note": "先列入候选"}
    )
    assert moved.status == 403  # a browser session must send its CSRF token
    token = await signed_in(client)
    moved = await client.post(
        f"/api/requests/{refs['extra0']}/candidates",
        json={"partner_id": best["id"], "note": "先列入候选"},
        headers={"X-CSRF-Token": token},
    )
    shortlist = await moved.json()
    assert moved.status == 200 and shortlist["shortlist"][0]["stage"] == "候选"
    document = await (await client.get("/api/openapi.json")).json()
    assert {"/api/requests/{ref}/matches", "/api/partners", "/api/partners/{partner_id}"} <= set(
        document["paths"]
    )
    for path, method, instance in (
        ("/api/requests/{ref}/matches", "get", answer),
        ("/api/partners", "get", partners),
        ("/api/requests/{ref}/candidates", "post", shortlist),
    ):
        schema = document["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"]
        resolver = jsonschema.RefResolver.from_schema(document)
        jsonschema.Draft202012Validator(schema, resolver=resolver).validate(instance)


async def test_the_invitation_leaves_out_the_enterprises_contact_details(client, registry_loaded, refs):
    sent: list[notify.Notice] = []
    smtp = notify.NotifySettings(smtp_host="smtp.example.org", email_from="platform@example.org")
    engine = make_engine(registry_loaded["url"])
    outbox = make_sessionmaker(engine)
    notify.set_notifier(
        notify.Notifier(smtp, session_factory=outbox, email=lambda _s, notice: sent.append(notice))
    )
    try:
        token = await signed_in(client)
        ref = refs["main"]
        lab = await partner_id(client, "东南大学视觉检测实验室")
        page = await (await client.get(f"/requests/{ref}")).text()
        assert f"/requests/{ref}/candidates/{lab}/invite" in page
        answer = await client.post(
            f"/requests/{ref}/candidates/{lab}/invite", data={"_csrf": token}, allow_redirects=False
        )
        assert answer.status == 302
        assert notify.get_notifier().flush(10)
        page = await (await client.get(f"/requests/{ref}")).text()
        assert "已发送合作邀请邮件至 zhou.lab@example.edu.cn" in page
    finally:
        notify.set_notifier(None)
        engine.dispose()
    (mail,) = sent
    assert mail.to == "zhou.lab@example.edu.cn"
    assert "机器视觉检测零件表面划痕" in mail.text
    for secret in ("13812345678", "zhang@example.com", "张工", "苏州精工零部件有限公司"):
        assert secret not in mail.text and secret not in mail.subject
    assert "江苏苏州的一家企业" in mail.text
