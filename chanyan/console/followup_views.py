"""Follow-up pages: 我的工作台, tasks, agreements, services and events on a request, events, the period report.

Thin handlers: they parse the form, call chanyan.followup off the loop and redirect or render. A follow-up rule
that refuses the input (FollowupError) becomes a 422 page with its Chinese message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import aiohttp_jinja2
from aiohttp import web

from chanyan import clock
from chanyan.console import editing, queries, saved_filters
from chanyan.console.db import run_db, run_sync
from chanyan.console.errors import Forbidden, InvalidInput, NotFound
from chanyan.console.history import describe
from chanyan.console.security import current_user
from chanyan.domain.display import format_partner
from chanyan.domain.money import MAX_WAN, wan_to_yuan, yuan
from chanyan.domain.schema import CHANNEL_LABELS, COOP_MODES
from chanyan.followup import agreements, records, tasks
from chanyan.followup.errors import FollowupError
from chanyan.followup.report import FUNNEL_STAGES, PeriodError, period_report
from chanyan.followup.report_xlsx import METRIC_LABELS, report_xlsx
from chanyan.followup.vocabulary import EVENT_KINDS, SERVICE_KINDS, TASK_KIND_LABELS
from chanyan.followup.workbench import workbench as load_workbench
from chanyan.partners.shortlist import shortlist
from chanyan.partners.vocabulary import DECLINED_STAGE, INTERESTED_STAGE, STAGES
from chanyan.requests.export import XLSX_MIME
from chanyan.store.models import FollowupTask
from chanyan.store.requests import get_request

routes = web.RouteTableDef()
MAX_PARTY_LINES = 20


def _text(form: Any, name: str, limit: int = 2000) -> str:
    return str(form.get(name, "")).replace("\r\n", "\n").strip()[: limit + 1]


def _date(form: Any, name: str, label: str, *, required: bool = True) -> date | None:
    raw = str(form.get(name, "")).strip()
    if not raw:
        if required:
            raise InvalidInput(f"请填写{label}。", {name: f"请填写{label}。"})
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(f"{label}格式应为 YYYY-MM-DD。", {name: "日期无效。"}) from None


def _wan_amount(form: Any, name: str) -> int | None:
    raw = str(form.get(name, "")).strip().replace(",", "")
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise InvalidInput("金额请填写数字（万元）。", {name: "金额无效。"}) from None
    if not (0 <= value <= MAX_WAN):
        raise InvalidInput("金额超出范围。", {name: "金额无效。"})
    return wan_to_yuan(value)


def _int(form: Any, name: str, label: str) -> int:
    raw = str(form.get(name, "")).strip() or "0"
    if not raw.isdigit():
        raise InvalidInput(f"{label}请填写整数。", {name: f"{label}无效。"})
    return int(raw)


async def _apply(request: web.Request, fn, *args, **kwargs):
    """Run a follow-up service in one transaction; its refusals become 422 pages."""
    try:
        return await run_db(request.app, fn, *args, **kwargs)
    except FollowupError as err:
        raise InvalidInput(str(err)) from err


def _back_to_request(request: web.Request, ref: str, saved: str) -> web.HTTPFound:
    url = request.app.router["request"].url_for(ref=ref).with_query({"saved": saved})
    return web.HTTPFound(str(url.with_fragment("followup")))


# --- the section on the request page --------------------------------------------------------------------------


@dataclass
class RequestFollowup:
    """Tasks, agreements, services and events of one request, for its page, and the shortlisted partners an
    agreement can name as parties."""

    tasks: list[FollowupTask]
    agreements: list[Any]
    services: list[Any]
    events: list[Any]
    now: datetime
    parties: list[PartyChoice]


def request_followup(session, request_id: int) -> RequestFollowup:
    """Everything the follow-up section of a request page shows (loaded)."""
    agreement_rows = agreements.agreements_of_request(session, request_id)
    event_rows = records.events_of_request(session, request_id)
    return RequestFollowup(
        tasks=tasks.tasks_of_request(session, request_id),
        agreements=agreement_rows,
        services=records.services_of_request(session, request_id),
        events=event_rows,
        now=clock.utcnow(),
        parties=agreement_parties(session, request_id),
    )


@dataclass(frozen=True)
class PartyChoice:
    """A shortlisted registry partner offered as a party of an agreement; 有意向 ones come ticked."""

    partner_id: int
    name: str
    kind: str
    stage: str

    @property
    def ticked(self) -> bool:
        return self.stage == INTERESTED_STAGE


def agreement_parties(session, request_id: int) -> list[PartyChoice]:
    """The shortlisted registry partners an agreement may name, furthest along first; declined ones left out."""
    rows = [row for row in shortlist(session, request_id) if row.stage != DECLINED_STAGE]
    rows.sort(key=lambda row: (row.stage != INTERESTED_STAGE, -STAGES.index(row.stage)))
    return [PartyChoice(row.partner_id, row.partner.name, row.partner.kind, row.stage) for row in rows]


def followup_globals() -> dict[str, Any]:
    """Template globals of the follow-up pages and section."""
    return {
        "COOP_MODES": COOP_MODES,
        "SERVICE_KINDS": SERVICE_KINDS,
        "EVENT_KINDS": EVENT_KINDS,
        "TASK_KIND_LABELS": TASK_KIND_LABELS,
        "CHANNEL_LABELS": CHANNEL_LABELS,
        "owner_of": tasks.owner_of,
        "describe_change": describe,
        "partner_text": format_partner,
        "yuan": yuan,
        "today": lambda: clock.now_local().date().isoformat(),
    }


# --- actions on a request -------------------------------------------------------------------------------------


def _parties(form: Any) -> list[agreements.Party]:
    """The ticked registry partners (partner_ids) and the names of partners outside the registry, one a line."""
    ids = form.getall("partner_ids", [])
    lines = [line.strip() for line in _text(form, "other_parties", 5000).splitlines() if line.strip()]
    if len(ids) + len(lines) > MAX_PARTY_LINES:
        raise InvalidInput(f"合作方最多{MAX_PARTY_LINES}个。")
    try:
        registry = [agreements.Party(name="", partner_id=int(str(value))) for value in ids]
    except ValueError:
        raise InvalidInput("所选合作方无效，请刷新页面后重试。") from None
    return registry + [agreements.Party(name=line) for line in lines]


@routes.post("/requests/{ref}/agreements", name="request_agreement")
async def request_agreement(request: web.Request) -> web.Response:
    ref = request.match_info["ref"]
    form = await request.post()
    signed_on = _date(form, "signed_on", "签订日期")
    amount = _wan_amount(form, "amount_wan")
    parties = _parties(form)
    actor = current_user(request).username

    def record(session):
        target = get_request(session, ref)
        return agreements.record_agreement(
            session,
            target,
            parties=parties,
            coop_mode=str(form.get("coop_mode", "")),
            signed_on=signed_on,
            amount_cny=amount,
            term=_text(form, "term", 100),
            attachments=[line for line in _text(form, "attachments", 5000).splitlines()],
            notes=_text(form, "notes"),
            actor=actor,
        )

    await _apply(request, record)
    raise _back_to_request(request, ref, "agreement")


@routes.post("/requests/{ref}/services", name="request_service")
async def request_service(request: web.Request) -> web.Response:
    ref = request.match_info["ref"]
    form = await request.post()
    served_on = _date(form, "served_on", "服务日期")
    actor = current_user(request).username

    def record(session):
        return records.record_service(
            session,
            kind=str(form.get("kind", "")),
            served_on=served_on,
            actor=actor,
            request=get_request(session, ref),
            partner_name=_text(form, "partner_name", 200),
            notes=_text(form, "notes"),
        )

    await _apply(request, record)
    raise _back_to_request(request, ref, "service")


@routes.post("/requests/{ref}/tasks", name="request_task")
async def request_task(request: web.Request) -> web.Response:
    ref = request.match_info["ref"]
    form = await request.post()
    due_on = _date(form, "due_on", "截止日期")
    actor = current_user(request).username
    owner = str(form.get("owner", "")).strip().lower()

    def add(session):
        if owner and owner not in {u.username for u in queries.active_staff(session)}:
            raise FollowupError("请选择有效的负责人。")
        return tasks.add_task(
            session,
            get_request(session, ref),
            title=_text(form, "title", 200),
            due_on=due_on,
            owner=owner or None,
            note=_text(form, "note"),
            actor=actor,
        )

    await _apply(request, add)
    raise _back_to_request(request, ref, "task")


@routes.post(r"/tasks/{task_id:\d+}/done", name="task_done")
async def task_done(request: web.Request) -> web.Response:
    """Done by the task's owner (or the request's assignee), or by an administrator."""
    task_id = int(request.match_info["task_id"])
    form = await request.post()
    user = current_user(request)

    def done(session):
        task = session.get(FollowupTask, task_id)
        if task is None:
            raise NotFound("未找到该任务。")
        owner = tasks.owner_of(task)
        if not user.is_admin and owner not in (None, user.username):
            raise Forbidden("这项任务由其他同事负责，只有负责人或管理员可以完成它。")
        tasks.complete_task(session, task_id, user.username, _text(form, "note"))
        return task.request.ref

    ref = await _apply(request, done)
    back = str(form.get("back", ""))
    if back == "workbench":
        raise web.HTTPFound(str(request.app.router["workbench"].url_for()))
    raise _back_to_request(request, ref, "task_done")


# --- pages ----------------------------------------------------------------------------------------------------


@routes.get("/workbench", name="workbench")
@aiohttp_jinja2.template("workbench.html")
async def workbench_page(request: web.Request) -> dict:
    user = current_user(request)
    bench = await run_db(request.app, load_workbench, user.username)
    return {"bench": bench}


@routes.get("/events", name="events")
@aiohttp_jinja2.template("followup_events.html")
async def events_page(request: web.Request) -> dict:
    rows = await run_db(request.app, records.list_events)
    return {"events": rows, "saved": request.query.get("saved", "")}


@routes.post("/events", name="events_create")
async def events_create(request: web.Request) -> web.Response:
    form = await request.post()
    held_on = _date(form, "held_on", "活动日期")
    participants = _int(form, "participants", "参与人数")
    refs = [r for r in _text(form, "requests", 2000).replace("，", ",").replace(",", " ").split() if r]
    partner_names = [line.strip() for line in _text(form, "partners", 5000).splitlines() if line.strip()]
    actor = current_user(request).username

    def record(session):
        linked = [get_request(session, ref) for ref in refs[:MAX_PARTY_LINES]]
        return records.record_event(
            session,
            kind=str(form.get("kind", "")),
            title=_text(form, "title", 200),
            held_on=held_on,
            place=_text(form, "place", 200),
            participants=participants,
            requests=linked,
            partners=[(None, name) for name in partner_names[:MAX_PARTY_LINES]],
            notes=_text(form, "notes"),
            actor=actor,
        )

    await _apply(request, record)
    raise web.HTTPFound(str(request.app.router["events"].url_for().with_query({"saved": "1"})))


def _period(request: web.Request) -> tuple[date, date]:
    today = clock.now_local().date()
    try:
        start = date.fromisoformat(request.query.get("from", "")) if request.query.get("from") else None
        end = date.fromisoformat(request.query.get("to", "")) if request.query.get("to") else None
    except ValueError:
        raise InvalidInput("日期格式应为 YYYY-MM-DD。") from None
    return start or date(today.year, 1, 1), end or today


def _report(session, start: date, end: date) -> dict[str, Any]:
    names = {u.username: u.display_name or u.username for u in queries.active_staff(session)}
    return period_report(session, start, end, staff_names=names)


async def _load_report(request: web.Request) -> tuple[date, date, dict[str, Any]]:
    start, end = _period(request)
    try:
        data = await run_db(request.app, _report, start, end)
    except PeriodError as err:
        raise InvalidInput(str(err)) from err
    return start, end, data


@routes.get("/report", name="report")
@aiohttp_jinja2.template("report.html")
async def report_page(request: web.Request) -> dict:
    start, end, data = await _load_report(request)
    return {
        "start": start,
        "end": end,
        "data": data,
        "metric_labels": {**METRIC_LABELS, "agreement_amount_cny": "协议金额"},
        "funnel_stages": FUNNEL_STAGES,
        "breakdowns": (
            ("by_domain", "按领域", "领域"),
            ("by_region", "按地区", "地区"),
            ("by_channel", "按渠道", "渠道"),
            ("by_staff", "按人员", "人员"),
        ),
    }


@routes.get("/report.xlsx", name="report_xlsx")
async def report_export(request: web.Request) -> web.Response:
    start, end, data = await _load_report(request)
    body = await run_sync(report_xlsx, data)
    name = f"report-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"
    return web.Response(
        body=body,
        content_type=XLSX_MIME,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# --- the requests list: sorting and bulk actions --------------------------------------------------------------


def url_for_sort(request: web.Request, filters: queries.RequestFilters, key: str) -> str:
    """The list sorted by `key`: ascending first, descending when it already is ascending (filters kept)."""
    sort = f"-{key}" if filters.sort == key else key
    return str(request.app.router["requests"].url_for().with_query(filters.to_query(sort=sort)))


BULK_ACTIONS = ("assign", "status")
MAX_BULK = 200


@routes.post("/requests/bulk", name="requests_bulk")
async def requests_bulk(request: web.Request) -> web.Response:
    """Assign, or change the status of, every ticked request at once (all or nothing)."""
    form = await request.post()
    refs = [str(r) for r in form.getall("refs", [])][:MAX_BULK]
    action = str(form.get("action", ""))
    if not refs:
        raise InvalidInput("请先勾选需求单。")
    if action not in BULK_ACTIONS:
        raise InvalidInput("请选择批量操作。")
    actor = current_user(request).username

    def apply(session):
        for ref in refs:
            if action == "assign":
                editing.assign(session, ref, str(form.get("assignee", "")), actor)
            else:
                editing.change_status(
                    session, ref, str(form.get("status", "")), str(form.get("reason", "")), actor
                )

    await run_db(request.app, apply)
    back = str(form.get("back", ""))
    target = back if back.startswith("/requests") and "//" not in back and "\\" not in back else "/requests"
    raise web.HTTPFound(target)


@routes.post("/requests/saved", name="saved_filter_create")
async def saved_filter_create(request: web.Request) -> web.Response:
    form = await request.post()
    query = str(form.get("query", ""))[:1000]
    await run_db(
        request.app,
        saved_filters.save_filter,
        current_user(request).username,
        str(form.get("name", "")),
        query,
    )
    target = request.app.router["requests"].url_for()
    raise web.HTTPFound(
        f"{target}?{saved_filters.clean_query(query)}" if saved_filters.clean_query(query) else str(target)
    )


@routes.post(r"/requests/saved/{filter_id:\d+}/delete", name="saved_filter_delete")
async def saved_filter_delete(request: web.Request) -> web.Response:
    done = await run_db(
        request.app,
        saved_filters.delete_filter,
        current_user(request).username,
        int(request.match_info["filter_id"]),
    )
    if not done:
        raise NotFound("未找到该筛选。")
    raise web.HTTPFound(str(request.app.router["requests"].url_for()))
