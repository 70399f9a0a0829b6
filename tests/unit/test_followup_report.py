"""The period report's figures, checked against records created here (both backends)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from chanyan.followup.agreements import Party, record_agreement
from chanyan.followup.records import record_event, record_service
from chanyan.followup.report import PeriodError, period_report
from chanyan.followup.tasks import plan_first_contact
from chanyan.store.models import Request, StatusChange
from tests.unit.conftest import sample_fields

REGIONS = {"苏州精工": "江苏", "宁波塑机": "浙江"}


def utc(text: str) -> datetime:
    """A Beijing local time as naive UTC."""
    return datetime.fromisoformat(text + "+08:00").astimezone(timezone.utc).replace(tzinfo=None)


def add_request(session, n: int, filed: str, *, history=(), contact_hours=None, **fields) -> Request:
    created = utc(filed)
    request = Request(
        **sample_fields(conversation_id=f"c{n}", draft_id=f"d{n}", **fields),
        ref=f"XQ-TEST-{n:04d}",
        created_at=created,
        status=history[-1][0] if history else "new",
    )
    request.status_history.append(StatusChange(to_status="new", actor="assistant", created_at=created))
    previous = "new"
    for status, when in history:
        request.status_history.append(
            StatusChange(from_status=previous, to_status=status, actor="zhang", created_at=utc(when))
        )
        previous = status
    session.add(request)
    session.flush()
    task = plan_first_contact(session, request)
    if contact_hours is not None:
        task.done_at = created + timedelta(hours=contact_hours)
        task.done_by = request.assignee
    return request


@pytest.fixture
def records(session_factory):
    with session_factory() as session, session.begin():
        r1 = add_request(
            session,
            1,
            "2026-03-10T09:00:00",
            enterprise_name="苏州精工",
            channel="wechat",
            assignee="zhang",
            history=[("reviewing", "2026-03-11T10:00:00"), ("matched", "2026-03-20T10:00:00")],
            contact_hours=6,
        )
        add_request(
            session,
            2,
            "2026-05-12T09:00:00",
            enterprise_name="宁波塑机",
            channel="socketio",
            assignee="li",
            domain_code="40",
            domain_name="新材料",
            history=[("reviewing", "2026-05-13T10:00:00")],
            contact_hours=30,
        )
        add_request(session, 3, "2026-06-01T09:00:00", enterprise_name="无名公司", channel="rest")
        add_request(
            session,
            4,
            "2025-12-20T09:00:00",
            assignee="zhang",
            history=[("reviewing", "2025-12-22T10:00:00"), ("matched", "2026-01-10T10:00:00")],
        )
        add_request(session, 5, "2026-12-31T23:30:00", channel="wechat")  # the last half hour of the year
        add_request(session, 6, "2027-01-01T00:30:00", channel="wechat")  # already next year in Beijing
        record_agreement(
            session,
            r1,
            parties=[Party("南京理工大学")],
            coop_mode="技术开发(合作开发)",
            signed_on=date(2026, 4, 1),
            amount_cny=650_000,
            actor="zhang",
        )
        record_service(session, kind="检测服务", served_on=date(2026, 3, 15), actor="zhang", request=r1)
        record_service(session, kind="走访", served_on=date(2026, 7, 1), actor="li", partner_name="某研究院")
        record_service(session, kind="走访", served_on=date(2025, 7, 1), actor="li", partner_name="某研究院")
        record_event(
            session,
            kind="对接会",
            title="产研对接会",
            held_on=date(2026, 6, 18),
            participants=86,
            requests=[r1],
            actor="zhang",
        )
        record_event(
            session, kind="调研", title="企业调研", held_on=date(2026, 9, 9), participants=40, actor="li"
        )
        record_event(
            session, kind="交流", title="明年的会", held_on=date(2027, 1, 9), participants=300, actor="li"
        )
    return session_factory


def report(session_factory, start=date(2026, 1, 1), end=date(2026, 12, 31)):
    with session_factory() as session:
        return period_report(
            session,
            start,
            end,
            now=utc("2027-02-01T00:00:00"),
            region_of=lambda r: REGIONS.get(r.enterprise_name),
            staff_names={"zhang": "张三"},
        )


def test_the_totals_count_what_happened_in_the_period(records):
    data = report(records)
    assert data["period"] == {"from": "2026-01-01", "to": "2026-12-31"}
    assert data["requests_filed"] == 4  # 1, 2, 3 and the one filed at 23:30 on 31 December
    assert data["requests_reviewed"] == 2  # 1 and 2; request 4 was reviewed in 2025
    assert data["requests_matched"] == 2  # 1 (later agreed) and 4 (filed in 2025, matched in January)
    assert data["agreements"] == 1 and data["agreement_amount_cny"] == 650_000
    assert data["services"] == 2 and data["services_by_kind"] == {"检测服务": 1, "走访": 1}
    assert data["events"] == 2 and data["participants"] == 126
    assert data["median_hours_to_first_contact"] == 18.0  # 6 h and 30 h
    assert data["first_contact"] == {"due": 4, "done": 2, "done_late": 1, "open_overdue": 2}


def test_the_funnel_follows_the_periods_requests(records):
    funnel = {row["stage"]: row for row in report(records)["funnel"]}
    assert [funnel[s]["count"] for s in ("filed", "reviewed", "matched", "intent", "signed")] == [
        4,
        2,
        1,
        1,
        1,
    ]
    assert funnel["filed"]["rate_from_previous"] is None
    assert funnel["reviewed"]["rate_from_previous"] == 0.5
    assert funnel["matched"]["rate_from_previous"] == 0.5
    assert funnel["signed"]["rate_from_previous"] == 1.0 and funnel["signed"]["rate_from_filed"] == 0.25
    assert funnel["intent"]["label"] == "有意向"


def test_the_breakdowns_split_the_same_figures(records):
    data = report(records)
    domains = {row["key"]: row for row in data["by_domain"]}
    assert domains["80"]["label"] == "先进制造与自动化"
    assert (domains["80"]["requests_filed"], domains["40"]["requests_filed"]) == (3, 1)
    assert domains["80"]["requests_matched"] == 2 and domains["80"]["agreement_amount_cny"] == 650_000
    regions = {row["label"]: row for row in data["by_region"]}
    assert regions["江苏"]["requests_filed"] == 1 and regions["未知"]["requests_filed"] == 2
    channels = {row["label"]: row["requests_filed"] for row in data["by_channel"]}
    assert channels == {"微信公众号": 2, "网页": 1, "接口": 1, "未关联需求单": 0}
    assert {row["label"]: row["services"] for row in data["by_channel"]}["未关联需求单"] == 1
    staff = {row["label"]: row for row in data["by_staff"]}
    assert staff["张三"]["requests_filed"] == 1 and staff["张三"]["agreements"] == 1
    assert staff["张三"]["services"] == 1 and staff["张三"]["participants"] == 86
    assert staff["张三"]["tasks_done"] == 1
    assert staff["未分配"]["tasks_overdue"] == 3  # requests 3, 5 and 6 have nobody and were never called
    assert sum(row["requests_filed"] for row in data["by_staff"]) == data["requests_filed"]


def test_a_short_period_and_an_inverted_one(records):
    march = report(records, date(2026, 3, 1), date(2026, 3, 31))
    assert (march["requests_filed"], march["requests_reviewed"], march["requests_matched"]) == (1, 1, 1)
    assert march["agreements"] == 0 and march["services"] == 1 and march["events"] == 0
    with pytest.raises(PeriodError):
        report(records, date(2026, 3, 31), date(2026, 3, 1))
