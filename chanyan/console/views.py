"""HTML views: thin handlers that parse input, call query functions off the loop and render templates."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import aiohttp_jinja2
from aiohttp import web
from yarl import URL

from chanyan.console import editing, followup_views, partners_views, queries, saved_filters, workload
from chanyan.console.charts import column_chart, row_chart
from chanyan.console.db import run_db, run_sync
from chanyan.console.errors import Forbidden, InvalidInput, NotFound
from chanyan.console.followup_views import url_for_sort
from chanyan.console.keys import HASHER_KEY, SETTINGS_KEY, TAXONOMY_KEY, TRACKER_ENGINE_KEY
from chanyan.console.list_marks import row_marks
from chanyan.console.security import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    check_login_csrf,
    client_address,
    current_user,
    login_csrf_pair,
    require_admin,
    set_cookie,
    throttle,
)
from chanyan.domain.schema import (
    BUDGET_KIND_LABELS,
    COOP_MODES,
    FIELD_LABELS,
    PARTNER_TYPES,
    STATUS_LABELS,
    STATUS_TRANSITIONS,
    STATUSES,
)
from chanyan.requests.export import XLSX_MIME, to_csv, to_xlsx
from chanyan.staff import accounts
from chanyan.store.models import STAFF_ROLES
from chanyan.store.requests import FILING_ACTOR

LOGIN_ERROR = "用户名或密码不正确。"
routes = web.RouteTableDef()


def tz(request: web.Request) -> ZoneInfo:
    return ZoneInfo(request.app[SETTINGS_KEY].timezone)


def safe_next(target: str | None) -> str:
    """Only local paths: never redirect a user off the console after login.

    Browsers drop tabs and line breaks inside a URL and read a backslash as a slash, so "/\t/evil.example" is
    "//evil.example" to them: any control character, whitespace or backslash makes the target unsafe, and what is
    left must parse as a path with neither scheme nor host.
    """
    fallback = "/requests"
    if not target or not target.startswith("/") or target.startswith("//"):
        return fallback
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 or ch == "\\" for ch in target):
        return fallback
    try:
        url = URL(target)
    except ValueError:
        return fallback
    if url.scheme or url.host or url.path.startswith("//"):
        return fallback
    return target


def redirect_to(request: web.Request, name: str, query: dict | None = None, **parts: str) -> web.HTTPFound:
    url = request.app.router[name].url_for(**parts)
    if query:
        url = url.with_query(query)
    return web.HTTPFound(str(url))


@routes.get("/healthz", name="healthz")
async def healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


@routes.get("/", name="index")
async def index(request: web.Request) -> web.Response:
    raise redirect_to(request, "requests")


# --- sign in / out --------------------------------------------------------------------------------------------


def _login_page(
    request: web.Request, *, error: str = "", username: str = "", status: int = 200
) -> web.Response:
    cookie, form_token = login_csrf_pair(request)
    response = aiohttp_jinja2.render_template(
        "login.html",
        request,
        {
            "error": error,
            "username": username,
            "login_csrf": form_token,
            "next": safe_next(request.query.get("next")),
        },
        status=status,
    )
    set_cookie(request, response, LOGIN_CSRF_COOKIE, cookie, samesite="Strict", path="/login")
    return response


@routes.get("/login", name="login")
async def login_form(request: web.Request) -> web.Response:
    return _login_page(request)


@routes.post("/login")
async def login(request: web.Request) -> web.Response:
    form = await request.post()
    username = str(form.get("username", "")).strip().lower()[:64]
    password = str(form.get("password", ""))[:1024]
    if not check_login_csrf(request, str(form.get("_csrf", ""))):
        return _login_page(request, error="页面已过期，请重新登录。", username=username, status=403)
    address = client_address(request)
    limiter = throttle(request)
    if limiter.blocked(address, username):
        return _login_page(request, error="尝试次数过多，请 15 分钟后再试。", username=username, status=429)
    hasher = request.app[HASHER_KEY]
    settings = request.app[SETTINGS_KEY]

    previous = request.cookies.get(SESSION_COOKIE, "")

    def sign_in(session):
        user = accounts.authenticate(session, hasher, username, password)
        if user is None:
            return None
        if previous:  # a fresh session on every sign-in (no fixation); the old one ends
            accounts.end_session(session, previous)
        return accounts.start_session(session, user, settings.session_hours)

    token = await run_db(request.app, sign_in)
    if token is None:
        limiter.failed(address, username)
        return _login_page(request, error=LOGIN_ERROR, username=username, status=401)
    limiter.succeeded(address, username)
    response = web.HTTPFound(safe_next(str(form.get("next", ""))))
    set_cookie(request, response, SESSION_COOKIE, token, max_age=int(settings.session_hours * 3600))
    response.del_cookie(LOGIN_CSRF_COOKIE, path="/login")
    raise response


@routes.post("/logout", name="logout")
async def logout(request: web.Request) -> web.Response:
    token = request.cookies.get(SESSION_COOKIE, "")
    if token:
        await run_db(request.app, accounts.end_session, token)
    response = web.HTTPFound("/login")
    response.del_cookie(SESSION_COOKIE, path="/")
    raise response


# --- requests -------------------------------------------------------------------------------------------------


def _page_number(request: web.Request) -> int:
    try:
        return max(1, int(request.query.get("page", "1")))
    except ValueError:
        return 1


@routes.get("/requests", name="requests")
@aiohttp_jinja2.template("requests_list.html")
async def requests_list(request: web.Request) -> dict:
    filters = queries.RequestFilters.from_query(request.query)
    settings = request.app[SETTINGS_KEY]

    def load(session):
        page = queries.list_page(session, filters, tz(request), _page_number(request), settings.page_size)
        mine = saved_filters.saved_filters(session, current_user(request).username)
        return page, queries.filter_choices(session), row_marks(session, page.items), mine

    page, choices, marks, mine = await run_db(request.app, load)
    return {
        "marks": marks,
        "saved_filters": mine,
        "sort_link": lambda key: url_for_sort(request, filters, key),
        "page": page,
        "filters": filters,
        "choices": choices,
        "domains": request.app[TAXONOMY_KEY].domains,
        "query_string": urlencode(filters.to_query()),
        "unassigned": queries.UNASSIGNED,
    }


@routes.get(r"/requests/export.{fmt:csv|xlsx}", name="requests_export")
async def requests_export(request: web.Request) -> web.Response:
    filters = queries.RequestFilters.from_query(request.query)
    records = await run_db(request.app, queries.export_records, filters, tz(request))
    stamp = datetime.now(tz(request)).strftime("%Y%m%d-%H%M")
    fmt = request.match_info["fmt"]
    if fmt == "csv":
        body, content_type = await run_sync(to_csv, records), "text/csv"
    else:
        body, content_type = await run_sync(to_xlsx, records), XLSX_MIME
    ascii_name = f"requests-{stamp}.{fmt}"
    utf8_name = f"%E9%9C%80%E6%B1%82%E5%8D%95-{stamp}.{fmt}"  # 需求单-…
    return web.Response(
        body=body,
        content_type=content_type,
        charset="utf-8" if fmt == "csv" else None,
        headers={
            "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{utf8_name}",
        },
    )


async def _render_detail(
    request: web.Request, ref: str, *, errors: dict | None = None, form: dict | None = None, status: int = 200
) -> web.Response:
    detail = await run_db(request.app, queries.request_detail, ref)
    followup = await run_db(request.app, followup_views.request_followup, detail.request.id)
    transcript = await run_sync(
        queries.load_transcript, request.app[TRACKER_ENGINE_KEY], detail.request.conversation_id, tz(request)
    )
    context = {
        "detail": detail,
        "followup": followup,
        "r": detail.request,
        "transcript": transcript,
        "errors": errors or {},
        "form": form or editing.form_values(detail.request),
        "domains": request.app[TAXONOMY_KEY].domains,
        "next_statuses": STATUS_TRANSITIONS.get(detail.request.status, ()),
        "coop_modes": COOP_MODES,
        "partner_types": PARTNER_TYPES,
        "budget_kinds": BUDGET_KIND_LABELS,
        "field_labels": FIELD_LABELS,
        "saved": request.query.get("saved", ""),
        "staff_names": {**{FILING_ACTOR: "助手"}, **dict(detail.staff)},
        "partners": await partners_views.panel(request, detail.request),
    }
    return aiohttp_jinja2.render_template("request_detail.html", request, context, status=status)


@routes.get("/requests/{ref}", name="request")
async def request_page(request: web.Request) -> web.Response:
    return await _render_detail(request, request.match_info["ref"])


@routes.post("/requests/{ref}/edit", name="request_edit")
async def request_edit(request: web.Request) -> web.Response:
    ref = request.match_info["ref"]
    form = await request.post()
    try:
        values = editing.parse_edit_form(form, request.app[TAXONOMY_KEY])
    except InvalidInput as err:
        submitted = {
            key: form.getall(key) if key in ("coop_mode", "partner_types") else form.get(key) for key in form
        }
        return await _render_detail(request, ref, errors=err.errors, form=submitted, status=422)
    await run_db(request.app, editing.apply_edit, ref, values, current_user(request).username)
    raise redirect_to(request, "request", {"saved": "edit"}, ref=ref)


@routes.post("/requests/{ref}/status", name="request_status")
async def request_status(request: web.Request) -> web.Response:
    ref = request.match_info["ref"]
    form = await request.post()
    try:
        await run_db(
            request.app,
            editing.change_status,
            ref,
            str(form.get("status", "")),
            str(form.get("reason", "")),
            current_user(request).username,
        )
    except InvalidInput as err:
        return await _render_detail(request, ref, errors=err.errors, status=422)
    raise redirect_to(request, "request", {"saved": "status"}, ref=ref)


@routes.post("/requests/{ref}/assign", name="request_assign")
async def request_assign(request: web.Request) -> web.Response:
    ref = request.match_info["ref"]
    form = await request.post()
    try:
        await run_db(
            request.app, editing.assign, ref, str(form.get("assignee", "")), current_user(request).username
        )
    except InvalidInput as err:
        return await _render_detail(request, ref, errors=err.errors, status=422)
    raise redirect_to(request, "request", {"saved": "assign"}, ref=ref)


@routes.post("/requests/{ref}/notes", name="request_notes")
async def request_note(request: web.Request) -> web.Response:
    ref = request.match_info["ref"]
    form = await request.post()
    try:
        await run_db(
            request.app,
            editing.add_note,
            ref,
            str(form.get("text", "")),
            current_user(request).username,
            public=form.get("public") == "on",
        )
    except InvalidInput as err:
        return await _render_detail(request, ref, errors=err.errors, status=422)
    raise redirect_to(request, "request", {"saved": "note"}, ref=ref)


# --- conversations and handoffs -------------------------------------------------------------------------------


@routes.get("/handoffs", name="handoffs")
@aiohttp_jinja2.template("handoffs.html")
async def handoffs(request: web.Request) -> dict:
    include_resolved = request.query.get("all") == "1"
    rows = await run_db(request.app, queries.list_handoffs, include_resolved=include_resolved)
    return {"rows": rows, "include_resolved": include_resolved}


@routes.post("/handoffs/{handoff_id:\\d+}/resolve", name="handoff_resolve")
async def handoff_resolve(request: web.Request) -> web.Response:
    handoff_id = int(request.match_info["handoff_id"])
    done = await run_db(request.app, queries.resolve_handoff, handoff_id, current_user(request).username)
    if done is None:
        raise NotFound("未找到该转人工记录。")
    raise redirect_to(request, "handoffs")


# --- dashboard ------------------------------------------------------------------------------------------------


@routes.get("/dashboard", name="dashboard")
@aiohttp_jinja2.template("dashboard.html")
async def dashboard(request: web.Request) -> dict:
    stats = await run_db(request.app, queries.dashboard, tz(request))
    start, end = workload.default_period()
    start = queries._parse_date(request.query.get("date_from")) or start
    end = queries._parse_date(request.query.get("date_to")) or end
    if end < start:
        raise InvalidInput("结束日期不能早于开始日期。")
    overview = await run_db(request.app, workload.period_overview, tz(request), start, end)
    return {
        "overview": overview,
        "overview_charts": {
            name: row_chart([(s.label, s.count) for s in getattr(overview, name)], width=560, label_width=170)
            for name in ("by_domain", "by_channel", "by_status")
        },
        "stats": stats,
        "weekly_chart": column_chart([(label[5:], n) for label, n in stats.weekly]),
        "domain_chart": row_chart(stats.by_domain, width=560, label_width=170),
        "funnel_chart": row_chart(stats.funnel, width=420, label_width=70),
    }


# --- own account ----------------------------------------------------------------------------------------------


async def _account_context(request: web.Request, **extra) -> dict:
    user = current_user(request)
    tokens = await run_db(request.app, accounts.list_api_tokens, user.id)
    return {"tokens": tokens, "errors": {}, "new_token": "", "message": "", **extra}


@routes.get("/account", name="account")
@aiohttp_jinja2.template("account.html")
async def account(request: web.Request) -> dict:
    return await _account_context(request, message="密码已修改。" if request.query.get("saved") else "")


@routes.post("/account/password", name="account_password")
async def account_password(request: web.Request) -> web.Response:
    user = current_user(request)
    form = await request.post()
    current, new, confirm = (str(form.get(k, "")) for k in ("current", "new", "confirm"))
    hasher = request.app[HASHER_KEY]
    settings = request.app[SETTINGS_KEY]

    def change(session):
        found = accounts.authenticate(session, hasher, user.username, current)
        if found is None:
            raise InvalidInput("当前密码不正确。", {"current": "当前密码不正确。"})
        if new != confirm:
            raise InvalidInput("两次输入的新密码不一致。", {"confirm": "两次输入的新密码不一致。"})
        try:
            accounts.set_password(
                session, hasher, found, new, min_password_length=settings.min_password_length
            )
        except accounts.AccountError as err:
            raise InvalidInput(str(err), {"new": str(err)}) from err
        token = accounts.start_session(session, found, settings.session_hours)
        return token

    try:
        token = await run_db(request.app, change)
    except InvalidInput as err:
        context = await _account_context(request, errors=err.errors)
        return aiohttp_jinja2.render_template("account.html", request, context, status=422)
    response = redirect_to(request, "account", {"saved": "1"})
    set_cookie(request, response, SESSION_COOKIE, token, max_age=int(settings.session_hours * 3600))
    raise response


@routes.post("/account/tokens", name="account_tokens")
async def account_token_create(request: web.Request) -> web.Response:
    user = current_user(request)
    form = await request.post()

    def create(session):
        staff = session.get(accounts.StaffUser, user.id)
        return accounts.create_api_token(
            session, staff, str(form.get("name", "")), days=request.app[SETTINGS_KEY].api_token_days
        )

    token = await run_db(request.app, create)
    context = await _account_context(request, new_token=token)
    return aiohttp_jinja2.render_template("account.html", request, context)


@routes.post("/account/tokens/{token_id:\\d+}/revoke", name="account_token_revoke")
async def account_token_revoke(request: web.Request) -> web.Response:
    user = current_user(request)
    if not await run_db(request.app, accounts.revoke_api_token, user.id, int(request.match_info["token_id"])):
        raise NotFound("未找到该令牌。")
    raise redirect_to(request, "account")


# --- administration (admin only) ------------------------------------------------------------------------------


async def _staff_page(
    request: web.Request, *, errors: dict | None = None, message: str = "", status: int = 200
):
    users = await run_db(request.app, accounts.list_users)
    context = {"users": users, "roles": STAFF_ROLES, "errors": errors or {}, "message": message}
    return aiohttp_jinja2.render_template("admin_staff.html", request, context, status=status)


@routes.get("/admin/staff", name="admin_staff")
async def admin_staff(request: web.Request) -> web.Response:
    require_admin(request)
    return await _staff_page(request, message="已保存。" if request.query.get("saved") else "")


@routes.post("/admin/staff", name="admin_staff_create")
async def admin_staff_create(request: web.Request) -> web.Response:
    require_admin(request)
    form = await request.post()
    hasher = request.app[HASHER_KEY]
    settings = request.app[SETTINGS_KEY]

    def create(session):
        accounts.create_user(
            session,
            hasher,
            str(form.get("username", "")),
            str(form.get("password", "")),
            role=str(form.get("role", "staff")),
            display_name=str(form.get("display_name", "")),
            min_password_length=settings.min_password_length,
        )

    try:
        await run_db(request.app, create)
    except accounts.AccountError as err:
        return await _staff_page(request, errors={"create": str(err)}, status=422)
    raise redirect_to(request, "admin_staff", {"saved": "1"})


@routes.post("/admin/staff/{username}", name="admin_staff_update")
async def admin_staff_update(request: web.Request) -> web.Response:
    admin = require_admin(request)
    username = request.match_info["username"]
    form = await request.post()
    hasher = request.app[HASHER_KEY]
    settings = request.app[SETTINGS_KEY]

    def update(session):
        user = accounts.get_user(session, username)
        if user is None:
            raise NotFound("未找到该账号。")
        role = str(form.get("role", user.role))
        active = form.get("active") == "1"
        if user.id == admin.id and (role != "admin" or not active):
            raise Forbidden("不能停用自己的账号或取消自己的管理员权限。")
        if role not in STAFF_ROLES:
            raise accounts.AccountError("角色无效。")
        user.role = role
        user.display_name = str(form.get("display_name", user.display_name)).strip()[:100]
        if user.active != active:
            accounts.set_active(session, user, active)
        password = str(form.get("password", ""))
        if password:
            accounts.set_password(
                session, hasher, user, password, min_password_length=settings.min_password_length
            )

    try:
        await run_db(request.app, update)
    except accounts.AccountError as err:
        return await _staff_page(request, errors={username: str(err)}, status=422)
    raise redirect_to(request, "admin_staff", {"saved": "1"})


def template_globals() -> dict:
    return {"STATUS_LABELS": STATUS_LABELS, "STATUSES": STATUSES}
