"""The console's registry pages (合作资源库), the 推荐合作方 panel of a request, and their JSON API.

Thin handlers over chanyan.partners: parse input, call a service function off the event loop, render.
"""

from __future__ import annotations

import contextlib
import json
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import aiohttp_jinja2
from aiohttp import web

from chanyan.console.db import run_db, run_sync
from chanyan.console.errors import ConsoleError, InvalidInput, NotFound
from chanyan.console.keys import SESSIONMAKER_KEY, TAXONOMY_KEY
from chanyan.console.security import current_user, require_admin
from chanyan.partners import registry, shortlist
from chanyan.partners.entries import EntryError
from chanyan.partners.index import index_for
from chanyan.partners.invitation import invitation
from chanyan.partners.matcher import Need
from chanyan.partners.readers import FORMATS, ImportFileError
from chanyan.partners.regions import region_label
from chanyan.partners.vocabulary import COLUMN_LABELS, DEFAULT_TOP_K, FIRST_STAGE, KINDS, MAX_TOP_K, STAGES
from chanyan.requests.export import XLSX_MIME, defuse
from chanyan.requests.notify import get_notifier, send_invitation
from chanyan.store.requests import get_request

PAGE_SIZE = 30
MAX_API_PAGE_SIZE = 200
SEARCH_RESULTS = 10
FORM_FIELDS: tuple[str, ...] = tuple(COLUMN_LABELS)
routes = web.RouteTableDef()


class PartnerMissing(NotFound):
    def __init__(self) -> None:
        super().__init__("未找到该合作方。")


def _partner_id(request: web.Request) -> int:
    return int(request.match_info["partner_id"])


def _page(request: web.Request) -> int:
    try:
        return max(1, int(request.query.get("page", "1")))
    except ValueError:
        return 1


def _matcher(request: web.Request):
    return index_for(request.app[SESSIONMAKER_KEY]).current()


async def warm_index(app: web.Application) -> None:
    """Build the match index when the console starts (on a worker thread), not on a user's first page."""
    import asyncio

    def build() -> None:
        # The registry may not be migrated yet: then the first match builds the index.
        with contextlib.suppress(Exception):
            index_for(app[SESSIONMAKER_KEY]).current()

    asyncio.get_running_loop().run_in_executor(None, build)


# --- the registry ---------------------------------------------------------------------------------------------


def _row(partner) -> dict[str, Any]:
    return {
        "id": partner.id,
        "name": partner.name,
        "kind": partner.kind,
        "parent": partner.parent,
        "region": region_label({"province": partner.province, "city": partner.city}),
        "domains": [d.get("sub_code") or d.get("code") for d in partner.domains or []],
        "domains_tagged": partner.domains_tagged,
        "keywords": list(partner.keywords or []),
        "capability": partner.capability,
    }


@routes.get("/partners", name="partners")
@aiohttp_jinja2.template("partners_list.html")
async def partners_list(request: web.Request) -> dict:
    filters = registry.PartnerFilters.from_query(request.query)
    page = _page(request)

    def load(session):
        items, total = registry.list_partners(
            session, filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
        )
        return [_row(p) for p in items], total, registry.filter_choices(session)

    items, total, choices = await run_db(request.app, load)
    pages = max(1, -(-total // PAGE_SIZE))
    return {
        "items": items,
        "total": total,
        "page": page,
        "pages": pages,
        "filters": filters,
        "choices": choices,
        "kinds": KINDS,
        "domains": request.app[TAXONOMY_KEY].domains,
        "query_string": urlencode(filters.to_query()),
    }


@routes.get(r"/partners/export.{fmt:csv|xlsx}", name="partners_export")
async def partners_export(request: web.Request) -> web.Response:
    filters = registry.PartnerFilters.from_query(request.query)
    rows = await run_db(
        request.app,
        lambda session: [registry.export_row(p) for p in registry.iter_partners(session, filters)],
    )
    fmt = request.match_info["fmt"]
    body = await run_sync(_to_csv if fmt == "csv" else _to_xlsx, rows)
    stamp = datetime.now().strftime("%Y%m%d-%H%M")
    return web.Response(
        body=body,
        content_type="text/csv" if fmt == "csv" else XLSX_MIME,
        charset="utf-8" if fmt == "csv" else None,
        headers={
            "Content-Disposition": f'attachment; filename="partners-{stamp}.{fmt}"; '
            f"filename*=UTF-8''%E5%90%88%E4%BD%9C%E8%B5%84%E6%BA%90%E5%BA%93-{stamp}.{fmt}"  # 合作资源库-…
        },
    )


def _to_csv(rows: list[dict]) -> bytes:
    import csv
    import io

    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(registry.EXPORT_HEADERS)
    for row in rows:
        writer.writerow([defuse(str(v)) for v in row.values()])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _to_xlsx(rows: list[dict]) -> bytes:
    import io

    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("合作资源库")
    sheet.append(list(registry.EXPORT_HEADERS))
    for row in rows:
        sheet.append([defuse(str(v)) for v in row.values()])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def _detail_context(request: web.Request, partner_id: int) -> dict[str, Any]:
    def load(session):
        try:
            partner = registry.get_partner(session, partner_id)
        except registry.PartnerNotFound as err:
            raise PartnerMissing() from err
        return registry.partner_record(partner), registry.partner_history(session, partner_id)

    record, history = await run_db(request.app, load)
    taxonomy = request.app[TAXONOMY_KEY]
    domains = []
    for d in record["domains"]:
        found = taxonomy.entry(d.get("sub_code") or d["code"]) or {}
        domains.append(
            {"code": d.get("sub_code") or d["code"], "name": found.get("sub_name") or found.get("name") or ""}
        )
    return {
        "p": record,
        "region": region_label(record["region"]),
        "domain_names": domains,
        "history": history,
        "labels": COLUMN_LABELS,
        "saved": request.query.get("saved", ""),
    }


@routes.get(r"/partners/{partner_id:\d+}", name="partner")
@aiohttp_jinja2.template("partners_detail.html")
async def partner_page(request: web.Request) -> dict:
    return await _detail_context(request, _partner_id(request))


def form_values(record: dict[str, Any] | None) -> dict[str, str]:
    """The add/edit form's fields from a stored entry (empty for a new one)."""
    if not record:
        return {name: "" for name in FORM_FIELDS}
    row = registry.export_row_from_record(record)
    return {name: str(row.get(name) or "") for name in FORM_FIELDS}


def _submitted(form) -> dict[str, str]:
    return {name: str(form.get(name, "")).strip() for name in FORM_FIELDS}


async def _form_page(
    request: web.Request, *, values: dict, partner_id: int | None, errors: list[str], status: int = 200
):
    context = {
        "values": values,
        "partner_id": partner_id,
        "errors": errors,
        "kinds": KINDS,
        "labels": COLUMN_LABELS,
    }
    return aiohttp_jinja2.render_template("partners_form.html", request, context, status=status)


@routes.get("/partners/new", name="partner_new")
async def partner_new(request: web.Request) -> web.Response:
    return await _form_page(request, values=form_values(None), partner_id=None, errors=[])


@routes.post("/partners/new")
async def partner_create(request: web.Request) -> web.Response:
    values = _submitted(await request.post())
    actor = current_user(request).username
    taxonomy = request.app[TAXONOMY_KEY]
    try:
        partner_id = await run_db(
            request.app, lambda s: registry.create_partner(s, values, actor, taxonomy=taxonomy).id
        )
    except EntryError as err:
        return await _form_page(request, values=values, partner_id=None, errors=err.reasons, status=422)
    except registry.DuplicatePartner as err:
        return await _form_page(request, values=values, partner_id=None, errors=[str(err)], status=409)
    raise web.HTTPFound(
        str(request.app.router["partner"].url_for(partner_id=str(partner_id)).with_query(saved="1"))
    )


@routes.get(r"/partners/{partner_id:\d+}/edit", name="partner_edit")
async def partner_edit(request: web.Request) -> web.Response:
    partner_id = _partner_id(request)
    context = await _detail_context(request, partner_id)
    return await _form_page(request, values=form_values(context["p"]), partner_id=partner_id, errors=[])


@routes.post(r"/partners/{partner_id:\d+}/edit")
async def partner_update(request: web.Request) -> web.Response:
    partner_id = _partner_id(request)
    values = _submitted(await request.post())
    actor = current_user(request).username
    taxonomy = request.app[TAXONOMY_KEY]

    def update(session):
        try:
            registry.update_partner(session, partner_id, values, actor, taxonomy=taxonomy)
        except registry.PartnerNotFound as err:
            raise PartnerMissing() from err

    try:
        await run_db(request.app, update)
    except EntryError as err:
        return await _form_page(request, values=values, partner_id=partner_id, errors=err.reasons, status=422)
    except registry.DuplicatePartner as err:
        return await _form_page(request, values=values, partner_id=partner_id, errors=[str(err)], status=409)
    raise web.HTTPFound(
        str(request.app.router["partner"].url_for(partner_id=str(partner_id)).with_query(saved="1"))
    )


@routes.get("/partners/import", name="partners_import")
async def partners_import_form(request: web.Request) -> web.Response:
    require_admin(request)
    return aiohttp_jinja2.render_template(
        "partners_import.html",
        request,
        {"report": None, "error": "", "formats": FORMATS, "labels": COLUMN_LABELS},
    )


@routes.post("/partners/import")
async def partners_import(request: web.Request) -> web.Response:
    user = require_admin(request)
    form = await request.post()
    upload = form.get("file")
    context: dict[str, Any] = {"report": None, "error": "", "formats": FORMATS, "labels": COLUMN_LABELS}
    if not isinstance(upload, web.FileField):
        context["error"] = "请选择要导入的文件。"
        return aiohttp_jinja2.render_template("partners_import.html", request, context, status=422)
    data = upload.file.read()
    skip = form.get("skip_invalid") == "1"
    taxonomy = request.app[TAXONOMY_KEY]
    try:
        report = await run_sync(
            lambda: registry.import_file(
                request.app[SESSIONMAKER_KEY],
                upload.filename or "upload",
                data=data,
                skip_invalid=skip,
                actor=user.username,
                taxonomy=taxonomy,
            )
        )
    except ImportFileError as err:
        context["error"] = str(err)
        return aiohttp_jinja2.render_template("partners_import.html", request, context, status=422)
    context["report"] = report
    return aiohttp_jinja2.render_template(
        "partners_import.html", request, context, status=200 if report.written else 422
    )


# --- the 推荐合作方 panel of a request --------------------------------------------------------------------------


async def panel(request: web.Request, req) -> dict[str, Any]:
    """The panel's context for a request page: live matches merged with the candidates staff track."""
    need = shortlist.need_for_request(req)
    matcher = await run_sync(_matcher, request)
    live = await run_sync(matcher.match, need, DEFAULT_TOP_K)
    rows = await run_db(request.app, shortlist.shortlist, req.id)
    tracked = {row.partner_id: row for row in rows}
    items: list[dict[str, Any]] = []
    for candidate in live:
        items.append(_panel_item(candidate.as_json(), tracked.pop(candidate.id, None)))
    for row in rows:  # tracked by staff but not (or no longer) among the best matches
        if row.partner_id in tracked:
            partner = row.partner
            base = {
                "id": partner.id,
                "name": partner.name,
                "kind": partner.kind,
                "region": region_label({"province": partner.province, "city": partner.city}),
                "score": row.score,
                "why": list(row.why or []),
            }
            items.append(_panel_item(base, row))
    items.sort(
        key=lambda i: i["stage"] == FIRST_STAGE
    )  # candidates staff work on first, otherwise in rank order
    query = request.query.get("pq", "").strip()[:100]
    found: list[dict] = []
    if query:
        shown = {i["id"] for i in items}
        results = await run_sync(matcher.match, Need(text=query, names=[query]), SEARCH_RESULTS + len(shown))
        found = [c.as_json() for c in results if c.id not in shown][:SEARCH_RESULTS]
    emails = await run_db(request.app, _contact_emails, [i["id"] for i in items])
    for item in items:
        item["can_invite"] = bool(emails.get(item["id"]))
    return {
        "items": items,
        "query": query,
        "found": found,
        "registry_size": len(matcher),
        "stages": STAGES,
        "invitations": _smtp_ready(),
    }


def _contact_emails(session, ids: list[int]) -> dict[int, str]:
    from sqlalchemy import select

    from chanyan.store.models.partners import Partner

    if not ids:
        return {}
    rows = session.execute(select(Partner.id, Partner.contact_email).where(Partner.id.in_(ids)))
    return {pid: email for pid, email in rows if email}


def _smtp_ready() -> bool:
    return get_notifier().settings.smtp_ready


def _panel_item(base: dict[str, Any], row) -> dict[str, Any]:
    item = dict(base)
    item["stage"] = row.stage if row is not None else FIRST_STAGE
    item["tracked"] = row is not None
    item["events"] = list(row.events) if row is not None else []
    item["next_stages"] = _next_stages(item["stage"])
    item["can_sign"] = row is not None and _can_sign(item["stage"])
    return item


def _next_stages(stage: str) -> list[str]:
    """The stages staff may pick in the panel; 已签约 is reached by recording the agreement instead."""
    from chanyan.partners.vocabulary import SIGNED_STAGE, STAGE_TRANSITIONS

    return [s for s in STAGE_TRANSITIONS.get(stage, ()) if s != SIGNED_STAGE]


def _can_sign(stage: str) -> bool:
    from chanyan.partners.vocabulary import SIGNED_STAGE, STAGE_TRANSITIONS

    return SIGNED_STAGE in STAGE_TRANSITIONS.get(stage, ())


def _change_stage(session, ref: str, partner_id: int, stage: str, note: str, actor: str) -> None:
    req = get_request(session, ref)
    try:
        shortlist.set_stage(session, req, partner_id, stage, note, actor)
    except shortlist.StageError as err:
        raise InvalidInput(str(err), {"stage": str(err)}) from err


def _panel_url(request: web.Request, ref: str, **query: str) -> str:
    url = request.app.router["request"].url_for(ref=ref)
    if query:
        url = url.with_query(query)
    return f"{url}#partners"


@routes.post("/requests/{ref}/candidates", name="request_candidates")
async def request_candidate(request: web.Request) -> web.Response:
    ref = request.match_info["ref"]
    form = await request.post()
    try:
        partner_id = int(str(form.get("partner_id", "")))
    except ValueError as err:
        raise InvalidInput("请选择合作方。") from err
    await run_db(
        request.app,
        _change_stage,
        ref,
        partner_id,
        str(form.get("stage", FIRST_STAGE)),
        str(form.get("note", "")),
        current_user(request).username,
    )
    raise web.HTTPFound(_panel_url(request, ref, saved="candidate"))


@routes.post(r"/requests/{ref}/candidates/{partner_id:\d+}/invite", name="request_candidate_invite")
async def request_candidate_invite(request: web.Request) -> web.Response:
    ref = request.match_info["ref"]
    partner_id = _partner_id(request)
    user = current_user(request)

    def compose(session):
        req = get_request(session, ref)
        try:
            partner = registry.get_partner(session, partner_id)
        except registry.PartnerNotFound as err:
            raise PartnerMissing() from err
        row = next((r for r in shortlist.shortlist(session, req.id) if r.partner_id == partner_id), None)
        why = list(row.why or []) if row is not None else []
        mail = invitation(req, partner, why, user.label)
        if mail is None:
            raise InvalidInput("该合作方没有邮箱，无法发送邀请。")
        if not send_invitation(mail.to, mail.subject, mail.text):
            raise ConsoleError("邮件服务未配置（SMTP_HOST、SMTP_FROM），无法发送邀请。")
        if row is None:
            shortlist.set_stage(session, req, partner_id, FIRST_STAGE, "", user.username)
        shortlist.add_note(session, req, partner_id, f"已发送合作邀请邮件至 {mail.to}", user.username)

    await run_db(request.app, compose)
    raise web.HTTPFound(_panel_url(request, ref, saved="invite"))


# --- API ------------------------------------------------------------------------------------------------------


def _top(request: web.Request) -> int:
    try:
        return min(MAX_TOP_K, max(1, int(request.query.get("top", str(DEFAULT_TOP_K)))))
    except ValueError as err:
        raise InvalidInput("top 应为正整数。") from err


@routes.get("/api/requests/{ref}/matches", name="api_request_matches")
async def api_request_matches(request: web.Request) -> web.Response:
    """The ranked, explained candidates of a request (computed now), each with the stage staff gave it."""
    ref = request.match_info["ref"]
    top = _top(request)

    def load(session):
        req = get_request(session, ref)
        stages = {row.partner_id: row.stage for row in shortlist.shortlist(session, req.id)}
        return req.ref, shortlist.need_for_request(req), stages

    canonical, need, stages = await run_db(request.app, load)
    matcher = await run_sync(_matcher, request)
    candidates = await run_sync(matcher.match, need, top)
    items = [{**c.as_json(), "stage": stages.get(c.id)} for c in candidates]
    return web.json_response({"ref": canonical, "candidates": items})


@routes.post("/api/requests/{ref}/candidates", name="api_request_candidates")
async def api_request_candidate(request: web.Request) -> web.Response:
    """Move a candidate to a stage ({"partner_id": 3, "stage": "已联系", "note": "..."}); a new one starts at 候选."""
    ref = request.match_info["ref"]
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise InvalidInput("请求体不是有效的 JSON。") from err
    if not isinstance(body, dict) or not isinstance(body.get("partner_id"), int):
        raise InvalidInput("请提供 partner_id（整数）。", {"partner_id": "必填"})
    stage, note = body.get("stage", FIRST_STAGE), body.get("note") or ""
    if not isinstance(stage, str) or not isinstance(note, str):
        raise InvalidInput("stage 与 note 应为字符串。")
    await run_db(
        request.app, _change_stage, ref, body["partner_id"], stage, note, current_user(request).username
    )

    def load(session):
        req = get_request(session, ref)
        return [
            {"id": r.partner_id, "name": r.partner.name, "stage": r.stage, "origin": r.origin}
            for r in shortlist.shortlist(session, req.id)
        ]

    return web.json_response({"ref": ref.strip().upper(), "shortlist": await run_db(request.app, load)})


@routes.get("/api/partners", name="api_partners")
async def api_partners(request: web.Request) -> web.Response:
    """Registry entries, filtered (q, kind, region, domain) and paged."""
    filters = registry.PartnerFilters.from_query(request.query)
    try:
        page = max(1, int(request.query.get("page", "1")))
        size = min(MAX_API_PAGE_SIZE, max(1, int(request.query.get("page_size", "50"))))
    except ValueError as err:
        raise InvalidInput("page 与 page_size 应为正整数。") from err

    def load(session):
        items, total = registry.list_partners(session, filters, limit=size, offset=(page - 1) * size)
        return [registry.partner_record(p) for p in items], total

    items, total = await run_db(request.app, load)
    return web.json_response({"items": items, "total": total, "page": page, "page_size": size})


@routes.get(r"/api/partners/{partner_id:\d+}", name="api_partner")
async def api_partner(request: web.Request) -> web.Response:
    partner_id = _partner_id(request)

    def load(session):
        try:
            return registry.partner_record(registry.get_partner(session, partner_id))
        except registry.PartnerNotFound as err:
            raise PartnerMissing() from err

    return web.json_response(await run_db(request.app, load))


def register(app: web.Application) -> None:
    """Add the registry pages, the panel's actions and the API to the console."""
    app.router.add_routes(routes)
    app.on_startup.append(warm_index)
