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
from chanyan.store.models.partners import Partner
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


@pytest.fixture
def a_year(database_url, session_factory, monkeypatch):
    """A year of 2026 records, with records on both sides of its edges: what `--format json` must count."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    first, _ = file_request(session_factory, sample_fields(draft_id="y1"))
    second, _ = file_request(session_factory, sample_fields(draft_id="y2", enterprise_name="宁波塑机"))
    with session_factory() as session, session.begin():
        lab = Partner(
            name="东南大学视觉实验室", kind="实验室", capability="机器视觉", domains=[], keywords=[]
        )
        institute = Partner(name="江苏某研究院", kind="科研院所", capability="检测", domains=[], keywords=[])
        session.add_all([lab, institute])
        session.flush()
        one, two = get_request(session, first.ref), get_request(session, second.ref)
        # Three parties, one agreement; a second agreement without an amount; two outside the year.
        for request, parties, signed_on, amount in (
            (
                one,
                [Party("", lab.id), Party("", institute.id), Party("某检测公司")],
                date(2026, 3, 2),
                800_000,
            ),
            (two, [Party("", lab.id)], date(2026, 12, 31), None),
            (two, [Party("某大学")], date(2027, 1, 1), 500_000),
            (one, [Party("某大学")], date(2025, 12, 31), 300_000),
        ):
            record_agreement(
                session,
                request,
                parties=parties,
                coop_mode="技术开发(合作开发)",
                signed_on=signed_on,
                amount_cny=amount,
                actor="zhang",
            )
        for served_on, request in (
            (date(2026, 1, 1), one),
            (date(2026, 12, 31), two),
            (date(2027, 1, 1), one),
            (date(2025, 12, 31), one),
        ):
            record_service(session, kind="技术咨询", served_on=served_on, actor="zhang", request=request)
        record_service(session, kind="走访", served_on=date(2026, 7, 1), actor="li", partner_name="某研究院")
        # An event linked to both requests and two partners still counts once, with its 120 people once.
        record_event(
            session,
            kind="对接会",
            title="产研对接会",
            held_on=date(2026, 6, 18),
            participants=120,
            requests=[one, two],
            partners=[(lab.id, lab.name), (None, "某大学")],
            actor="zhang",
        )
        record_event(
            session, kind="调研", title="企业调研", held_on=date(2026, 12, 31), participants=15, actor="li"
        )
        record_event(
            session, kind="交流", title="去年的会", held_on=date(2025, 12, 31), participants=999, actor="li"
        )
        record_event(
            session, kind="交流", title="明年的会", held_on=date(2027, 1, 1), participants=999, actor="li"
        )


def test_the_json_report_of_a_year_counts_agreements_services_events_and_participants(a_year, tmp_path):
    code, out = run("report", "--from", "2026-01-01", "--to", "2026-12-31", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert (data["agreements"], data["agreement_amount_cny"]) == (2, 800_000)
    assert (data["services"], data["services_by_kind"]) == (3, {"技术咨询": 2, "走访": 1})
    assert (data["events"], data["participants"]) == (2, 135)
    assert data["events_by_kind"] == {"对接会": 1, "调研": 1}
    staff = {row["key"]: row for row in data["by_staff"]}
    assert (staff["zhang"]["events"], staff["zhang"]["participants"]) == (1, 120)
    assert (staff["li"]["events"], staff["li"]["participants"]) == (1, 15)
    assert sum(row["agreements"] for row in data["by_channel"]) == 2
    path = tmp_path / "report.json"
    assert (
        run("report", "--from", "2026-01-01", "--to", "2026-12-31", "--format", "json", "-o", str(path))[0]
        == 0
    )
    assert json.loads(path.read_text(encoding="utf-8")) == data
    code, out = run("report", "--from", "2027-01-01", "--to", "2027-01-01", "--format", "json")
    day = json.loads(out)
    assert (day["agreements"], day["agreement_amount_cny"], day["services"], day["participants"]) == (
        1,
        500_000,
        1,
        999,
    )
