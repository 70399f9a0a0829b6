"""Follow-up services on both backends: tasks planned at filing, agreements, services, events and overdue notices."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from chanyan.followup.agreements import Party, agreements_of_request, record_agreement
from chanyan.followup.calendar import WorkCalendar
from chanyan.followup.errors import FollowupError
from chanyan.followup.filing import file_request
from chanyan.followup.records import events_of_request, record_event, record_service, services_of_request
from chanyan.followup.tasks import (
    add_task,
    announce_overdue,
    complete_task,
    count_overdue,
    open_tasks,
    owner_of,
    tasks_of_request,
)
from chanyan.partners.shortlist import StageError, set_stage, shortlist
from chanyan.store.models import Notification
from chanyan.store.models.partners import Partner
from chanyan.store.requests import file_request as store_file_request
from chanyan.store.requests import get_request
from tests.unit.conftest import sample_fields

WEEKENDS_ONLY = WorkCalendar()


def filed(session_factory, draft: str = "d1", **fields) -> str:
    request, _ = file_request(session_factory, sample_fields(draft_id=draft, **fields))
    return request.ref


def test_filing_plans_the_first_contact_one_working_day_later(session_factory):
    ref = filed(session_factory)
    with session_factory() as session:
        request = get_request(session, ref)
        (task,) = tasks_of_request(session, request.id)
        assert task.kind == "first_contact" and task.title == "首次联系企业"
        assert task.done_at is None and owner_of(task) is None
        hours = (task.due_at - request.created_at).total_seconds() / 3600
        assert 24 <= hours <= 24 * 4  # the next working day, at most a long weekend away


def test_a_repeated_filing_plans_nothing_more_and_the_bare_store_plans_nothing(session_factory):
    ref = filed(session_factory)
    filed(session_factory)  # the same draft again
    bare, _ = store_file_request(session_factory, sample_fields(draft_id="other"))
    with session_factory() as session:
        assert len(tasks_of_request(session, get_request(session, ref).id)) == 1
        assert tasks_of_request(session, bare.id) == []


def test_an_unowned_task_falls_to_the_assignee_and_is_listed_overdue_for_them(session_factory):
    ref = filed(session_factory)
    with session_factory() as session, session.begin():
        request = get_request(session, ref)
        request.assignee = "zhang"
        add_task(session, request, title="寄送样品", due_on=date(2026, 1, 5), actor="li", owner="li")
    later = datetime(2030, 1, 1)
    with session_factory() as session:
        mine = open_tasks(session, owner="zhang", overdue_at=later)
        assert [t.title for t in mine] == ["首次联系企业"]
        assert [t.title for t in open_tasks(session, owner="li", overdue_at=later)] == ["寄送样品"]
        assert count_overdue(session, now=later) == 2
        assert count_overdue(session, owner="zhang", now=datetime(2000, 1, 1)) == 0


def test_a_done_task_keeps_its_note_and_is_no_longer_open(session_factory):
    ref = filed(session_factory)
    with session_factory() as session, session.begin():
        (task,) = tasks_of_request(session, get_request(session, ref).id)
        complete_task(session, task.id, "zhang", "已电话联系王经理，约下周走访")
    with session_factory() as session:
        (task,) = tasks_of_request(session, get_request(session, ref).id)
        assert task.done_by == "zhang" and task.done_note.startswith("已电话联系")
        assert open_tasks(session) == []
        with pytest.raises(FollowupError, match="已经完成"):
            complete_task(session, task.id, "zhang")


def test_overdue_tasks_are_announced_once_per_owner(session_factory):
    first = filed(session_factory, "a")
    second = filed(session_factory, "b", need_title="<b>涂层</b>附着力提升")
    with session_factory() as session, session.begin():
        get_request(session, first).assignee = "zhang"
    later = datetime(2030, 1, 1)
    with session_factory() as session, session.begin():
        announced = announce_overdue(session, ["webhook"], now=later, base_url="https://console.example")
    assert len(announced) == 2
    with session_factory() as session:
        notices = list(session.execute(select(Notification)).scalars())
    subjects = sorted(n.subject for n in notices)
    assert subjects == ["【产研通】zhang：1项跟进任务已逾期", "【产研通】未分配：1项跟进任务已逾期"]
    assert {n.target for n in notices} == {"webhook"}
    assert any(f"https://console.example/requests/{first}" in n.text for n in notices)
    assert all("首次联系企业" in n.text for n in notices) and second
    with session_factory() as session, session.begin():
        assert announce_overdue(session, ["webhook"], now=later) == []
    with session_factory() as session:
        assert len(list(session.execute(select(Notification)).scalars())) == 2


def add_partner(session, name: str, kind: str = "团队") -> int:
    partner = Partner(name=name, kind=kind, capability="机器视觉缺陷检测", domains=[], keywords=[])
    session.add(partner)
    session.flush()
    return partner.id


def test_an_agreement_signs_its_registry_partners_and_the_request_and_plans_check_ins(session_factory):
    ref = filed(session_factory)
    with session_factory() as session, session.begin():
        team = add_partner(session, "南京理工大学 视觉检测团队")
        institute = add_partner(session, "江苏省产业技术研究院", "科研院所")
        request = get_request(session, ref)
        request.assignee = "zhang"
        set_stage(session, request, team, "候选", "", "zhang")
        set_stage(session, request, team, "已联系", "", "zhang")
        set_stage(session, request, team, "有意向", "愿意合作开发", "zhang")
        with pytest.raises(StageError, match="登记合作协议"):  # only an agreement signs a partner
            set_stage(session, request, team, "已签约", "", "zhang")
        record_agreement(
            session,
            request,
            # The registry's name wins over a name sent with the id; a partner outside the registry by name.
            parties=[Party("旧名称", team), Party("", institute), Party("苏州某检测公司")],
            coop_mode="技术开发(合作开发)",
            signed_on=date(2026, 9, 1),
            amount_cny=650_000,
            term="2年",
            attachments=["合作协议.pdf", "技术附件.docx"],
            notes="首付款30%",
            actor="zhang",
            calendar=WorkCalendar(holidays=frozenset({date(2026, 10, 1)})),
        )
    with session_factory() as session:
        request = get_request(session, ref)
        assert request.status == "agreed"
        assert [(h.from_status, h.to_status) for h in request.status_history] == [
            (None, "new"),
            ("new", "reviewing"),
            ("reviewing", "matched"),
            ("matched", "agreed"),
        ]
        last = request.status_history[-1]
        assert (last.reason, last.actor) == ("签订合作协议", "zhang")
        (agreement,) = agreements_of_request(session, request.id)
        assert [(p.partner_id, p.name) for p in agreement.parties] == [
            (team, "南京理工大学 视觉检测团队"),
            (institute, "江苏省产业技术研究院"),
            (None, "苏州某检测公司"),
        ]
        stages = {row.partner_id: row for row in shortlist(session, request.id)}
        assert stages[team].stage == "已签约" and stages[institute].stage == "已签约"
        assert [(e.from_stage, e.to_stage) for e in stages[team].events][-1] == ("有意向", "已签约")
        assert stages[institute].origin == "staff"  # not shortlisted before: it joins the shortlist
        assert agreement.attachments == ["合作协议.pdf", "技术附件.docx"]
        checkins = [t for t in tasks_of_request(session, request.id) if t.kind == "checkin"]
        assert [t.title for t in checkins] == ["签约30天回访", "签约90天回访", "签约180天回访"]
        # 30 days after 1 September is the holiday 1 October: due at the end of Friday 2 October (Beijing).
        assert checkins[0].due_at == datetime(2026, 10, 2, 16, 0)
        assert all(owner_of(t) == "zhang" for t in checkins)


def test_a_declined_or_unknown_partner_cannot_sign_and_nothing_is_written(session_factory):
    ref = filed(session_factory)
    with session_factory() as session, session.begin():
        declined = add_partner(session, "某大学材料学院", "高校")
        request = get_request(session, ref)
        set_stage(session, request, declined, "已婉拒", "无相关方向", "zhang")
    for parties, message in (([Party("", declined)], "已婉拒"), ([Party("", 999_999)], "资源库中没有")):
        with session_factory() as session, pytest.raises(FollowupError, match=message):
            record_agreement(
                session,
                get_request(session, ref),
                parties=parties,
                coop_mode="技术转让",
                signed_on=date(2026, 9, 1),
                actor="zhang",
            )
    with session_factory() as session:
        request = get_request(session, ref)
        assert request.status == "new" and agreements_of_request(session, request.id) == []


def test_a_closed_request_or_an_unknown_coop_mode_takes_no_agreement(session_factory):
    ref = filed(session_factory)
    with session_factory() as session, session.begin():
        request = get_request(session, ref)
        with pytest.raises(FollowupError, match="合作方式"):
            record_agreement(
                session,
                request,
                parties=[Party("某大学")],
                coop_mode="合资",
                signed_on=date(2026, 9, 1),
                actor="a",
            )
        with pytest.raises(FollowupError, match="合作方"):
            record_agreement(
                session,
                request,
                parties=[Party("  ")],
                coop_mode="技术转让",
                signed_on=date(2026, 9, 1),
                actor="a",
            )
        request.status = "closed"
        with pytest.raises(FollowupError, match="已关闭"):
            record_agreement(
                session,
                request,
                parties=[Party("某大学")],
                coop_mode="技术转让",
                signed_on=date(2026, 9, 1),
                actor="a",
            )


def test_services_and_events_are_kept_with_their_links(session_factory):
    ref = filed(session_factory)
    with session_factory() as session, session.begin():
        request = get_request(session, ref)
        record_service(session, kind="检测服务", served_on=date(2026, 5, 6), actor="zhang", request=request)
        record_service(
            session, kind="走访", served_on=date(2026, 5, 7), actor="zhang", partner_name="某研究院"
        )
        with pytest.raises(FollowupError, match="需求单或合作方"):
            record_service(session, kind="走访", served_on=date(2026, 5, 7), actor="zhang")
        with pytest.raises(FollowupError, match="服务类型"):
            record_service(session, kind="喝茶", served_on=date(2026, 5, 7), actor="zhang", request=request)
        record_event(
            session,
            kind="对接会",
            title="智能制造产研对接会",
            held_on=date(2026, 6, 18),
            place="苏州工业园区",
            participants=86,
            requests=[request, request],
            partners=[(3, "某大学"), (None, "")],
            actor="zhang",
        )
        with pytest.raises(FollowupError, match="参与人数"):
            record_event(
                session, kind="交流", title="x", held_on=date(2026, 6, 1), participants=-1, actor="z"
            )
    with session_factory() as session:
        request_id = get_request(session, ref).id
        assert [s.kind for s in services_of_request(session, request_id)] == ["检测服务"]
        (event,) = events_of_request(session, request_id)
        assert event.participants == 86
        assert [(link.request_id, link.partner_id) for link in event.links] == [(request_id, None), (None, 3)]


def test_the_migration_creates_exactly_the_follow_up_models(database_url):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from chanyan.store.models import Base
    from chanyan.store.session import make_engine

    tables = {
        "agreements",
        "agreement_parties",
        "service_records",
        "followup_events",
        "event_links",
        "followup_tasks",
    }
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            diffs = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()

    def table_of(diff) -> str | None:
        diff = diff[0] if isinstance(diff, list) else diff
        for part in diff[1:]:
            name = getattr(part, "name", None) if not hasattr(part, "table") else part.table.name
            if name:
                return name
        return None

    assert [d for d in diffs if table_of(d) in tables] == []
