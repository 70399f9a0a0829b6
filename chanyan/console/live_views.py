"""The live conversation page: staff read the transcript as it grows, take the conversation (the bot falls
silent), reply into it on the user's channel and hand it back to the bot.

Thin handlers over chanyan.conversations.outbound.OutboundService; the channel's rules and every attempt live
there.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import asdict
from typing import Any

import aiohttp_jinja2
from aiohttp import web

from chanyan.console import queries
from chanyan.console.db import run_db, run_sync
from chanyan.console.errors import Conflict, Forbidden, InvalidInput, NotFound
from chanyan.console.keys import (
    CLOCK_KEY,
    CONVERSATION_TRANSPORT_KEY,
    OUTBOUND_KEY,
    SESSIONMAKER_KEY,
    SETTINGS_KEY,
    TRACKER_ENGINE_KEY,
    CurrentUser,
)
from chanyan.console.security import current_user
from chanyan.console.views import redirect_to, tz
from chanyan.conversations.outbound import ConversationError, OutboundService
from chanyan.conversations.rasa import RasaClient
from chanyan.conversations.rules import (
    CHANNEL_WECHAT,
    FAILURES,
    MAX_TEXT_CHARS,
    OUTCOME_LABELS,
    REFUSALS,
    text_problem,
)
from chanyan.conversations.state import ConversationState
from chanyan.domain.schema import CHANNEL_LABELS

routes = web.RouteTableDef()
ATTEMPTS_SHOWN = 20


def configure(app: web.Application) -> None:
    """Wire the conversation service: Rasa's HTTP API from the settings unless a test set a transport."""
    settings = app[SETTINGS_KEY]
    if CONVERSATION_TRANSPORT_KEY not in app:
        app[CONVERSATION_TRANSPORT_KEY] = RasaClient(settings.rasa_url, settings.rasa_token)
    app.cleanup_ctx.append(_outbound_ctx)
    app.router.add_routes(routes)


async def _outbound_ctx(app: web.Application) -> AsyncIterator[None]:
    # After database_ctx: the service needs the engines.
    kwargs: dict[str, Any] = {"now": app[CLOCK_KEY]} if CLOCK_KEY in app else {}
    app[OUTBOUND_KEY] = OutboundService(
        app[SESSIONMAKER_KEY], app[TRACKER_ENGINE_KEY], app[CONVERSATION_TRANSPORT_KEY], **kwargs
    )
    yield


def _service(request: web.Request) -> OutboundService:
    return request.app[OUTBOUND_KEY]


def _may_act(user: CurrentUser, state: ConversationState) -> bool:
    """The holder acts in a held conversation; an administrator may step in."""
    return not state.held or state.held_by == user.label or user.is_admin


async def _live(request: web.Request, conversation_id: str) -> dict[str, Any]:
    service = _service(request)
    state = await run_sync(service.state, conversation_id)
    window = await run_sync(service.window, conversation_id, state)
    attempts = await run_sync(lambda: service.attempts(conversation_id, limit=ATTEMPTS_SHOWN))
    transcript = await run_sync(
        queries.load_transcript, request.app[TRACKER_ENGINE_KEY], conversation_id, tz(request)
    )
    user = current_user(request)
    return {
        "conversation_id": conversation_id,
        "state": state,
        "window": window,
        "attempts": attempts,
        "transcript": transcript,
        "may_act": _may_act(user, state),
        "channel_label": CHANNEL_LABELS.get(state.channel or "unknown", state.channel or ""),
        "is_wechat": state.channel == CHANNEL_WECHAT,
        "max_chars": MAX_TEXT_CHARS,
        "poll_seconds": request.app[SETTINGS_KEY].live_poll_seconds,
    }


def _flash(request: web.Request) -> str:
    """The outcome of the last action, from codes in the query (never text from the URL)."""
    sent, reason = request.query.get("sent", ""), request.query.get("reason", "")
    if sent == "refused":
        return REFUSALS.get(reason, OUTCOME_LABELS["refused"])
    if sent == "failed":
        return FAILURES.get(reason, OUTCOME_LABELS["failed"])
    return {"held": "您已接手此对话，助手暂停回复。", "released": "已把对话交还给助手。"}.get(
        request.query.get("done", ""), OUTCOME_LABELS.get(sent, "")
    )


@routes.get("/conversations/{conversation_id}", name="conversation")
@aiohttp_jinja2.template("conversation.html")
async def conversation(request: web.Request) -> dict:
    conversation_id = request.match_info["conversation_id"]

    def load(session):
        return (
            queries.conversation_requests(session, conversation_id),
            queries.conversation_handoffs(session, conversation_id),
        )

    requests_, handoffs = await run_db(request.app, load)
    live = await _live(request, conversation_id)
    if not requests_ and not handoffs and not live["transcript"].turns:
        raise NotFound("未找到该会话。")
    return {
        **live,
        "requests": requests_,
        "handoffs": handoffs,
        "flash": _flash(request),
        "flash_ok": request.query.get("sent") in ("sent", "queued") or bool(request.query.get("done")),
    }


@routes.get("/conversations/{conversation_id}/live", name="conversation_live")
async def conversation_live(request: web.Request) -> web.Response:
    """What the page refreshes without a reload: the transcript and the status panel, rendered (escaped) here."""
    live = await _live(request, request.match_info["conversation_id"])
    env = aiohttp_jinja2.get_env(request.app)
    context = {**live, "user": current_user(request), "csrf_token": current_user(request).csrf_token or ""}
    module = env.get_template("conversation_live.html").make_module(context)
    window = live["window"]
    return web.json_response(
        {
            "turns": len(live["transcript"].turns),
            "held_by": live["state"].held_by,
            "window": {
                **{k: v for k, v in asdict(window).items() if not k.endswith("_at")},
                "window_ends_at": window.window_ends_at.isoformat() if window.window_ends_at else None,
            },
            "transcript_html": str(module.transcript_part()),
            "status_html": str(module.status_part()),
        },
        headers={"Cache-Control": "no-store"},
    )


@routes.post("/conversations/{conversation_id}/hold", name="conversation_hold")
async def conversation_hold(request: web.Request) -> web.Response:
    conversation_id = request.match_info["conversation_id"]
    user = current_user(request)
    await _hold(request, conversation_id, user)
    raise redirect_to(request, "conversation", {"done": "held"}, conversation_id=conversation_id)


async def _hold(request: web.Request, conversation_id: str, user: CurrentUser) -> ConversationState:
    service = _service(request)
    state = await run_sync(service.state, conversation_id)
    if not _may_act(user, state):
        raise Forbidden(f"此对话正由 {state.held_by} 接手，只有他本人或管理员可以操作。")
    try:
        return await run_sync(service.hold, conversation_id, user.label)
    except ConversationError as err:
        raise Conflict(str(err)) from err


@routes.post("/conversations/{conversation_id}/release", name="conversation_release")
async def conversation_release(request: web.Request) -> web.Response:
    conversation_id = request.match_info["conversation_id"]
    user = current_user(request)
    service = _service(request)
    state = await run_sync(service.state, conversation_id)
    if not _may_act(user, state):
        raise Forbidden(f"此对话正由 {state.held_by} 接手，只有他本人或管理员可以交还给助手。")
    try:
        await run_sync(service.release, conversation_id, user.label)
    except ConversationError as err:
        raise Conflict(str(err)) from err
    # Staff answered the user: the conversation's handoffs are handled.
    await run_db(request.app, queries.resolve_conversation_handoffs, conversation_id, user.username)
    raise redirect_to(request, "conversation", {"done": "released"}, conversation_id=conversation_id)


@routes.post("/conversations/{conversation_id}/reply", name="conversation_reply")
async def conversation_reply(request: web.Request) -> web.Response:
    """Send staff's text to the user; the conversation is taken first, so the bot does not talk over them."""
    conversation_id = request.match_info["conversation_id"]
    user = current_user(request)
    form = await request.post()
    text = str(form.get("text", "")).strip()
    problem = text_problem(text)
    if problem:
        raise InvalidInput(REFUSALS[problem], {"text": REFUSALS[problem]})
    service = _service(request)
    state = await run_sync(service.state, conversation_id)
    if not _may_act(user, state):
        raise Forbidden(f"此对话正由 {state.held_by} 接手，只有他本人或管理员可以回复。")
    window = await run_sync(service.window, conversation_id, state)
    if window.allowed and not state.held:
        await _hold(request, conversation_id, user)
    outcome = await run_sync(lambda: service.send(conversation_id, text, author=user.label, kind="staff"))
    query = {"sent": outcome.status, **({"reason": outcome.reason} if outcome.reason else {})}
    raise redirect_to(request, "conversation", query, conversation_id=conversation_id)
