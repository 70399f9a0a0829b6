"""Follow-up in the console: the workbench, tasks, agreements, services, events and the period report."""

from __future__ import annotations

import io
from datetime import date, timedelta
from urllib.parse import unquote

import pytest
from console_support import ADMIN, HOSTILE, STAFF, add_events, request_fields, signed_in
from openpyxl import load_workbook

from chanyan.clock import now_local, utcnow
from chanyan.followup.filing import file_request
from chanyan.store.models import FollowupTask, Request
from chanyan.store.models.partners import Candidate, Partner
from chanyan.store.session import make_engine, make_sessionmaker


def escaped(page: str) -> bool:
    """The hostile text shows as text: escaped, never as markup."""
    return "&lt;script&gt;alert" in page and "<script>alert" not in page and "<img src=x" not in page


@pytest.fixture(scope="module")
def maker(database):
    engine = make_engine(database["url"])
    yield make_sessionmaker(engine)
    engine.dispose()


@pytest.fixture(scope="module")
def work(maker):
    """Two requests filed with their first-contact tasks: one assigned to alice and overdue, one unassigned."""
    mine, _ = file_request(maker, request_fields(need_title="轴承寿命预测", enterprise_name="无锡轴承厂"))
    other, _ = file_request(maker, request_fields(need_title="注塑件翘曲分析"))
    with maker() as session, session.begin():
        session.get(Request, mine.id).assignee = STAFF
        task = session.query(FollowupTask).filter_by(request_id=mine.id).one()
        task.due_at = utcnow() - timedelta(hours=2)
    return {"mine": mine.ref, "other": other.ref, "mine_id": mine.id, "other_id": other.id}


def task_of(maker, request_id: int, kind: str = "first_contact") -> FollowupTask:
    with maker() as session:
        return session.query(FollowupTask).filter_by(request_id=request_id, kind=kind).first()


async def test_the_workbench_lists_my_overdue_task_and_new_request(client, work):
    await signed_in(client, STAFF)
    page = await (await client.get("/workbench")).text()
    overdue = page.split('id="overdue"')[1].split("</section>")[0]
    assert work["mine"] in overdue and "逾期" in overdue and work["other"] not in overdue
    new = page.split('id="new"')[1].split("</section>")[0]
    assert work["mine"] in new and 'href="tel:13812345678"' in new
    assert work["other"] in page.split('id="unclaimed"')[1].split("</section>")[0]
    assert '<div class="num" id="overdue-count">1</div>' in page


async def test_a_task_added_by_hand_is_escaped_and_owned(client, work, maker):
    csrf = await signed_in(client, STAFF)
    response = await client.post(
        f"/requests/{work['other']}/tasks",
        data={"_csrf": csrf, "title": HOSTILE, "due_on": "2026-12-24", "owner": STAFF, "note": HOSTILE},
        allow_redirects=False,
    )
    assert response.status == 302 and response.headers["Location"].endswith("#followup")
    page = await (await client.get(f"/requests/{work['other']}")).text()
    assert escaped(page)
    response = await client.post(
        f"/requests/{work['other']}/tasks", data={"_csrf": csrf, "title": "x", "due_on": "明天"}
    )
    assert response.status == 422 and "YYYY-MM-DD" in await response.text()
    response = await client.post(
        f"/requests/{work['other']}/tasks",
        data={"_csrf": csrf, "title": "x", "due_on": "2026-12-24", "owner": "nobody"},
    )
    assert response.status == 422 and "负责人" in await response.text()


async def test_the_owner_completes_a_task_with_a_note(client, work, maker):
    task = task_of(maker, work["mine_id"])
    csrf = await signed_in(client, STAFF)
    response = await client.post(
        f"/tasks/{task.id}/done",
        data={"_csrf": csrf, "note": "已电话联系", "back": "workbench"},
        allow_redirects=False,
    )
    assert response.status == 302 and response.headers["Location"] == "/workbench"
    done = task_of(maker, work["mine_id"])
    assert done.done_by == STAFF and done.done_note == "已电话联系"
    response = await client.post(f"/tasks/{task.id}/done", data={"_csrf": csrf})
    assert response.status == 422 and "已经完成" in await response.text()


async def test_a_colleagues_task_is_refused_to_staff_and_allowed_to_an_admin(client, work, maker):
    with maker() as session, session.begin():
        task = session.query(FollowupTask).filter_by(request_id=work["other_id"], kind="first_contact").one()
        task.owner = ADMIN
        task_id = task.id
    csrf = await signed_in(client, STAFF)
    response = await client.post(f"/tasks/{task_id}/done", data={"_csrf": csrf})
    assert response.status == 403
    csrf = await signed_in(client, ADMIN)
    response = await client.post(f"/tasks/{task_id}/done", data={"_csrf": csrf}, allow_redirects=False)
    assert response.status == 302


@pytest.fixture(scope="module")
def partners(maker):
    """Two registry entries, one with a hostile name."""
    with maker() as session, session.begin():
        rows = [
            Partner(name="江南大学机械学院", kind="高校", capability="轴承寿命预测与故障诊断"),
            Partner(name=f"恶意团队{HOSTILE}", kind="团队", capability="轴承检测"),
        ]
        session.add_all(rows)
        session.flush()
        return {"university": rows[0].id, "hostile": rows[1].id}


def stage_of(maker, request_id: int, partner_id: int) -> str | None:
    with maker() as session:
        row = session.query(Candidate).filter_by(request_id=request_id, partner_id=partner_id).one_or_none()
        return row.stage if row is not None else None


async def test_the_agreement_form_offers_the_shortlist_and_signs_the_chosen_partners(
    client, work, maker, partners
):
    ref, university, hostile = work["mine"], partners["university"], partners["hostile"]
    csrf = await signed_in(client, STAFF)
    for partner_id, stages in ((university, ("候选", "已联系", "有意向")), (hostile, ("候选",))):
        for stage in stages:
            moved = await client.post(
                f"/requests/{ref}/candidates",
                data={"_csrf": csrf, "partner_id": str(partner_id), "stage": stage},
                allow_redirects=False,
            )
            assert moved.status == 302, stage
    signing = await client.post(
        f"/requests/{ref}/candidates", data={"_csrf": csrf, "partner_id": str(university), "stage": "已签约"}
    )
    assert signing.status == 422 and "登记合作协议" in await signing.text()
    page = await (await client.get(f"/requests/{ref}")).text()
    willing = page.split(f'data-partner="{university}"')[1].split("</li>")[0]
    assert 'href="#agreement-form"' in willing and "改为「已签约」" not in willing
    form = page.split('id="agreement-form"')[1].split("</form>")[0]
    # 有意向 comes first and ticked; the other candidate is offered unticked; registry text is escaped.
    ticked = f'name="partner_ids" value="{university}" checked'
    assert ticked in form and f'name="partner_ids" value="{hostile}" >' in form
    assert form.index("江南大学机械学院") < form.index("恶意团队") and escaped(form)
    data = {
        "_csrf": csrf,
        "partner_ids": str(university),
        "other_parties": HOSTILE,
        "coop_mode": "技术开发(合作开发)",
        "amount_wan": "65.5",
        "signed_on": date.today().isoformat(),
        "term": "2年",
        "attachments": "协议.pdf",
    }
    response = await client.post(f"/requests/{ref}/agreements", data={**data, "_csrf": "forged"})
    assert response.status == 403
    response = await client.post(f"/requests/{ref}/agreements", data=data, allow_redirects=False)
    assert response.status == 302
    assert stage_of(maker, work["mine_id"], university) == "已签约"
    assert stage_of(maker, work["mine_id"], hostile) == "候选"  # not ticked: not a party
    page = await (await client.get(f"/requests/{ref}")).text()
    assert 'id="current-status">已签约<' in page
    agreements = page.split('id="agreements"')[1].split("<details>")[0]
    assert "江南大学机械学院、" in agreements and "65.5万元" in agreements and escaped(agreements)
    assert "有意向 → 已签约：签订合作协议" in page  # the candidate's history in the 推荐合作方 panel
    assert page.count("签约回访") == 3
    assert task_of(maker, work["mine_id"], "checkin").title == "签约30天回访"


async def test_an_agreement_needs_a_party_a_valid_partner_and_a_known_coop_mode(client, work, partners):
    csrf = await signed_in(client, STAFF)
    base = {"_csrf": csrf, "coop_mode": "技术转让", "signed_on": "2026-11-20"}
    for extra, message in (
        ({}, "请至少选择或填写一个合作方"),
        ({"partner_ids": "abc"}, "所选合作方无效"),
        ({"partner_ids": "999999"}, "资源库中没有所选的合作方"),
        ({"other_parties": "某大学", "coop_mode": "合资"}, "合作方式"),
    ):
        response = await client.post(f"/requests/{work['other']}/agreements", data={**base, **extra})
        assert response.status == 422 and message in await response.text(), extra
    detail = await (await client.get(f"/api/requests/{work['other']}")).json()
    assert detail["status"] != "agreed"


async def test_recording_an_agreement_needs_a_sign_in(aiohttp_client, settings, work):
    from chanyan.console import init_app

    anonymous = await aiohttp_client(init_app(settings))
    response = await anonymous.post(
        f"/requests/{work['other']}/agreements", data={"other_parties": "某大学"}, allow_redirects=False
    )
    assert response.status == 302 and response.headers["Location"].startswith("/login?next=")


async def test_services_and_events_are_recorded_and_escaped(client, work):
    csrf = await signed_in(client, STAFF)
    response = await client.post(
        f"/requests/{work['mine']}/services",
        data={"_csrf": csrf, "kind": "检测服务", "served_on": date.today().isoformat(), "notes": HOSTILE},
        allow_redirects=False,
    )
    assert response.status == 302
    response = await client.post(
        "/events",
        data={
            "_csrf": csrf,
            "kind": "对接会",
            "title": HOSTILE,
            "held_on": date.today().isoformat(),
            "place": "无锡",
            "participants": "57",
            "requests": work["mine"],
        },
        allow_redirects=False,
    )
    assert response.status == 302
    page = await (await client.get("/events")).text()
    assert escaped(page) and ">57<" in page
    detail = await (await client.get(f"/requests/{work['mine']}")).text()
    assert "检测服务" in detail and "57人" in detail
    response = await client.post(
        "/events",
        data={"_csrf": csrf, "kind": "对接会", "title": "x", "held_on": "2026-01-01", "participants": "很多"},
    )
    assert response.status == 422


async def test_the_report_page_and_its_xlsx_show_the_records(client, work):
    await signed_in(client, STAFF)
    year = date.today().year
    query = f"?from={year}-01-01&to={year}-12-31"
    page = await (await client.get("/report" + query)).text()
    summary = page.split('id="report-summary"')[1].split("</p>")[0]
    assert "签订合作协议 <strong>1</strong> 项" in summary and "协议金额 <strong>65.5万元</strong>" in summary
    assert "共计 <strong>57</strong> 人次参与" in summary
    assert "提供相关服务 <strong>1</strong> 次" in summary
    assert 'id="by_channel"' in page and "接口" in page
    response = await client.get("/report.xlsx" + query)
    assert response.status == 200 and response.content_type.endswith("spreadsheetml.sheet")
    workbook = load_workbook(io.BytesIO(await response.read()))
    summary_rows = {r[0]: r[1] for r in workbook["概况"].iter_rows(min_row=2, values_only=True)}
    assert summary_rows["参与人次"] == 57 and summary_rows["提供服务（次）"] == 1
    response = await client.get("/report?from=2026-12-31&to=2026-01-01")
    assert response.status == 422 and "结束日期不能早于开始日期" in await response.text()


async def test_the_transcript_shows_button_titles_not_payloads(client, maker, database):
    engine = make_engine(database["url"])
    try:
        request, _ = file_request(maker, request_fields(conversation_id="conv-buttons"))
        add_events(
            engine,
            "conv-buttons",
            [
                ("user", "/greet"),
                ("bot", "请选择所属领域"),
                ("user", "/skip"),
                ("user", '/choose{"choice": "803"}'),
            ],
        )
    finally:
        engine.dispose()
    await signed_in(client, STAFF)
    page = await (await client.get(f"/requests/{request.ref}")).text()
    transcript = page.split('id="transcript"')[1].split("</section>")[0]
    assert "/greet" not in transcript and "/skip" not in transcript and "/choose" not in transcript
    # The bot offered 跳过 (payload /skip): the user's click reads as the button's title.
    assert transcript.count('<div class="text">跳过</div>') == 1


async def test_the_list_sorts_marks_duplicates_and_late_contacts(client, work, maker):
    await signed_in(client, STAFF)
    page = await (await client.get("/requests?sort=enterprise&q=锂电池极片")).text()
    assert 'aria-sort="ascending"' in page and "sort=-enterprise" in page
    order = [page.index(f"测试企业{i}") for i in range(4)]
    assert order == sorted(order)
    page = await (await client.get("/requests?sort=-enterprise&q=锂电池极片")).text()
    assert 'aria-sort="descending"' in page
    assert page.index("测试企业3") < page.index("测试企业0")
    # The four 锂电池极片缺陷检测{i} requests share a phone and almost all of their title.
    page = await (await client.get("/requests?q=锂电池极片")).text()
    assert page.count("可能重复：") == 4
    # Request "other" had its first contact done by the admin; "mine"'s was done too: no late mark on either.
    with maker() as session, session.begin():
        late = FollowupTask(
            request_id=work["other_id"],
            kind="first_contact",
            title="首次联系企业",
            created_by="system",
            due_at=utcnow() - timedelta(hours=1),
        )
        session.add(late)
    page = await (await client.get(f"/requests?q={work['other']}")).text()
    assert "联系逾期" in page


async def test_bulk_assign_and_bulk_status(client, refs):
    csrf = await signed_in(client, STAFF)
    chosen = [refs["extra0"], refs["extra1"]]
    response = await client.post(
        "/requests/bulk",
        data=[("_csrf", csrf), ("action", "assign"), ("assignee", ADMIN), ("back", "/requests?q=锂电池")]
        + [("refs", r) for r in chosen],
        allow_redirects=False,
    )
    assert response.status == 302 and unquote(response.headers["Location"]) == "/requests?q=锂电池"
    response = await client.post(
        "/requests/bulk",
        data=[
            ("_csrf", csrf),
            ("action", "status"),
            ("status", "reviewing"),
            ("back", "https://evil.example"),
        ]
        + [("refs", r) for r in chosen],
        allow_redirects=False,
    )
    assert response.headers["Location"] == "/requests"
    for ref in chosen:
        data = await (await client.get(f"/api/requests/{ref}")).json()
        assert (data["assignee"], data["status"]) == (ADMIN, "reviewing")
    # All or nothing: 审核中 cannot go straight to 已签约, so neither request moves.
    response = await client.post(
        "/requests/bulk",
        data=[("_csrf", csrf), ("action", "status"), ("status", "agreed")] + [("refs", r) for r in chosen],
    )
    assert response.status == 409
    assert (await (await client.get(f"/api/requests/{chosen[0]}")).json())["status"] == "reviewing"
    response = await client.post("/requests/bulk", data={"_csrf": csrf, "action": "assign"})
    assert response.status == 422 and "请先勾选" in await response.text()


async def test_the_dashboard_period_links_to_the_list_and_shows_workload(client, refs):
    await signed_in(client, STAFF)
    today = now_local().date().isoformat()  # the console's dates are Beijing dates
    page = await (await client.get(f"/dashboard?date_from={today}&date_to={today}")).text()
    period = page.split('id="period"')[1].split("</section>")[0]
    total = int(period.split('id="period-total">')[1].split("<")[0])
    listed = await (await client.get(f"/api/requests?page_size=100&date_from={today}&date_to={today}")).json()
    assert total == listed["total"]
    assert (
        f"/requests?date_from={today}&amp;date_to={today}&amp;channel=wechat" in period
    )  # the bar is a link
    assert "微信公众号" in period
    workload = page.split('id="workload"')[1].split("</section>")[0]
    assert "李对接" in workload and "未分配" in workload
    response = await client.get("/dashboard?date_from=2026-12-31&date_to=2026-01-01")
    assert response.status == 422


async def test_saved_filters_are_per_person(client):
    csrf = await signed_in(client, STAFF)
    response = await client.post(
        "/requests/saved",
        data={"_csrf": csrf, "name": "<b>待审核</b>", "query": "status=reviewing&channel=wechat&evil=1"},
        allow_redirects=False,
    )
    assert (
        response.status == 302 and response.headers["Location"] == "/requests?status=reviewing&channel=wechat"
    )
    page = await (await client.get("/requests")).text()
    saved = page.split('id="saved-filters"')[1].split("</div>")[0]
    assert 'href="/requests?status=reviewing&amp;channel=wechat"' in saved
    assert "&lt;b&gt;待审核&lt;/b&gt;" in saved and "<b>待审核" not in saved
    filter_id = int(saved.split("/requests/saved/")[1].split("/")[0])
    csrf_admin = await signed_in(client, ADMIN)  # the same browser, now signed in as someone else
    assert (
        "待审核"
        not in (await (await client.get("/requests")).text())
        .split('id="saved-filters"')[1]
        .split("</div>")[0]
    )
    response = await client.post(f"/requests/saved/{filter_id}/delete", data={"_csrf": csrf_admin})
    assert response.status == 404  # not the admin's to delete
    csrf = await signed_in(client, STAFF)
    response = await client.post(
        f"/requests/saved/{filter_id}/delete", data={"_csrf": csrf}, allow_redirects=False
    )
    assert response.status == 302
    response = await client.post("/requests/saved", data={"_csrf": csrf, "name": "  ", "query": ""})
    assert response.status == 422
