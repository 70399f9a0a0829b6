"""`chanyan report` and `chanyan tasks`: the period report as JSON and XLSX, task lists, overdue notices."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from chanyan.cli import main
from chanyan.clock import utcnow
from chanyan.followup.agreements import Party, record_agreement
from chanyan.followup.filing import file_request
from chanyan.followup.records import record_event, record_service
from chanyan.requests.notify import Notifier, NotifySettings, set_notifier
from chanyan.store.models import FollowupTask
from chanyan.store.requests import get_request
from tests.unit.conftest import sample_fields

REPORT_KEYS = {
    "requests_filed",
    "requests_reviewed",
    "requests_matched",
    "agreements",
    "agreement_amount_cny",
    "services",
    "events",
    "participants",
    "median_hours_to_first_contact",
    "by_domain",
    "by_region",
    "by_channel",
    "by_staff",
}


@pytest.fixture
def records(database_url, session_factory, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url)
    first, _ = file_request(session_factory, sample_fields())
    second, _ = file_request(session_factory, sample_fields(draft_id="d2", enterprise_name="=HYPERLINK(1)"))
    today = date.today()
    with session_factory() as session, session.begin():
        request = get_request(session, first.ref)
        record_agreement(
            session,
            request,
            parties=[Party("南京理工大学")],
            coop_mode="技术转让",
            signed_on=today,
            amount_cny=1_234_567,
            actor="zhang",
        )
        record_service(session, kind="技术咨询", served_on=today, actor="zhang", request=request)
        record_event(session, kind="交流", title="交流会", held_on=today, participants=35, actor="zhang")
    return first, second


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


def this_year() -> tuple[str, str]:
    year = date.today().year
    return f"{year}-01-01", f"{year}-12-31"


def test_the_json_report_has_the_published_figures(records):
    start, end = this_year()
    code, out = run("report", "--from", start, "--to", end)
    data = json.loads(out)
    assert code == 0
    assert set(data) >= REPORT_KEYS
    assert (data["requests_filed"], data["agreements"], data["agreement_amount_cny"]) == (2, 1, 1_234_567)
    assert (data["services"], data["events"], data["participants"]) == (1, 1, 35)
    assert data["requests_matched"] == 1  # the agreement took the first request to 已签约


def test_the_xlsx_report_keeps_numbers_as_numbers(records, tmp_path):
    start, end = this_year()
    path = tmp_path / "report.xlsx"
    code, _ = run("report", "--from", start, "--to", end, "--format", "xlsx", "-o", str(path))
    assert code == 0
    workbook = load_workbook(path)
    summary = {row[0]: row[1] for row in workbook["概况"].iter_rows(min_row=2, values_only=True)}
    assert summary["签订合作协议（项）"] == 1
    assert summary["协议金额（万元）"] == pytest.approx(123.4567)
    assert summary["参与人次"] == 35
    channel = workbook["按渠道"]
    assert channel.auto_filter.ref.startswith("A1:")
    assert [c.value for c in channel[1]][:2] == ["渠道", "提交"]
    assert channel["A2"].value == "接口" and channel["B2"].value == 2
    funnel = workbook["转化漏斗"]
    assert funnel["C3"].value == 0.5 and funnel["C3"].number_format == "0.0%"


def test_an_inverted_period_and_an_xlsx_without_a_file_are_refused(records, capsys):
    assert run("report", "--from", "2026-12-31", "--to", "2026-01-01")[0] == 2
    assert "before" in capsys.readouterr().err
    assert run("report", "--format", "xlsx")[0] == 2


def test_tasks_list_and_overdue(records, session_factory):
    code, out = run("tasks", "list")
    assert code == 0
    assert out.count("首次联系企业") == 2 and out.count("签约30天回访") == 1
    code, out = run("tasks", "overdue")
    assert out.strip() == "no tasks"
    with session_factory() as session, session.begin():
        for task in session.query(FollowupTask).filter(FollowupTask.kind == "first_contact"):
            task.due_at = utcnow() - timedelta(hours=1)
    code, out = run("tasks", "overdue")
    lines = out.strip().splitlines()
    assert len(lines) == 2 and all("逾期" in line and "未分配" in line for line in lines)


def test_tasks_notify_announces_through_the_notifier(records, session_factory):
    sent = []
    set_notifier(
        Notifier(
            NotifySettings(webhook_url="http://hook.invalid"),
            session_factory=session_factory,
            webhook=lambda s, n: sent.append(n),
            poll_seconds=3600,  # flush wakes it; idle afterwards, not polling a dropped database
        )
    )
    try:
        with session_factory() as session, session.begin():
            for task in session.query(FollowupTask).filter(FollowupTask.kind == "first_contact"):
                task.due_at = utcnow() - timedelta(hours=1)
        code, out = run("tasks", "notify")
        assert code == 0 and out.startswith("announced 2 overdue task(s)")
        assert len(sent) == 1 and "2项跟进任务已逾期" in sent[0].subject
        assert run("tasks", "notify")[1].startswith("announced 0")
    finally:
        set_notifier(None)
