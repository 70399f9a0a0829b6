"""`chanyan wechat menu show [--current]` and `chanyan wechat menu apply`: the 公众号's custom menu (自定义菜单).

The menu is chanyan.domain.wechat_menu's (提交需求 / 查询进度 / 联系专员, click keys the WeChat channel maps to
intents). `apply` creates it through WeChat's menu API; `show --current` reads what the account shows now. The
access token comes from WeChat's stable_token endpoint, which does not invalidate the token the running channel
holds. Settings: WECHAT_APPID, WECHAT_SECRET, WECHAT_API_BASE (as for the channel).
"""

from __future__ import annotations

import argparse
import json
import os
import urllib.error
import urllib.request
from typing import Any, TextIO

from chanyan.domain.wechat_menu import MENU, menu_definition, menu_problems
from chanyan.settings import Settings

DEFAULT_API_BASE = "https://api.weixin.qq.com"
STABLE_TOKEN_PATH = "/cgi-bin/stable_token"
MENU_CREATE_PATH = "/cgi-bin/menu/create"
MENU_CURRENT_PATH = "/cgi-bin/get_current_selfmenu_info"
TIMEOUT_SECONDS = 10.0


class MenuAPIError(Exception):
    """WeChat refused a call or did not answer (the message never holds the secret or the token)."""


def _call(url: str, *, body: dict[str, Any] | None = None) -> dict[str, Any]:
    data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        url,
        data=data,
        headers={"Content-Type": "application/json; charset=utf-8"} if data is not None else {},
        method="POST" if data is not None else "GET",
    )
    path = url.split("?", 1)[0]
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 (configured URL)
            raw = response.read()
    except (urllib.error.URLError, TimeoutError, OSError) as err:
        raise MenuAPIError(f"no answer from {path}: {type(err).__name__}") from err
    try:
        answer = json.loads(raw.decode("utf-8"))
    except ValueError as err:
        raise MenuAPIError(f"non-JSON answer from {path}") from err
    if not isinstance(answer, dict):
        raise MenuAPIError(f"unexpected answer from {path}")
    if answer.get("errcode"):
        raise MenuAPIError(f"WeChat error {answer.get('errcode')}: {answer.get('errmsg') or ''}".strip())
    return answer


class MenuClient:
    """The three calls the menu needs, over urllib (a command runs once; no event loop needed)."""

    def __init__(self, api_base: str, appid: str, secret: str) -> None:
        self.api_base = api_base.rstrip("/")
        self.appid = appid
        self._secret = secret
        self._token: str | None = None

    def token(self) -> str:
        if self._token is None:
            answer = _call(
                self.api_base + STABLE_TOKEN_PATH,
                body={"grant_type": "client_credential", "appid": self.appid, "secret": self._secret},
            )
            if not answer.get("access_token"):
                raise MenuAPIError("WeChat gave no access_token")
            self._token = str(answer["access_token"])
        return self._token

    def create(self, menu: dict[str, Any]) -> None:
        _call(f"{self.api_base}{MENU_CREATE_PATH}?access_token={self.token()}", body=menu)

    def current(self) -> dict[str, Any]:
        return _call(f"{self.api_base}{MENU_CURRENT_PATH}?access_token={self.token()}")


def _client() -> MenuClient:
    appid = os.environ.get("WECHAT_APPID", "").strip()
    secret = os.environ.get("WECHAT_SECRET", "").strip()
    missing = [name for name, value in (("WECHAT_APPID", appid), ("WECHAT_SECRET", secret)) if not value]
    if missing:
        raise MenuAPIError(f"set {', '.join(missing)} (the 公众号's AppID and AppSecret)")
    api_base = os.environ.get("WECHAT_API_BASE", "").strip() or DEFAULT_API_BASE
    if not api_base.startswith(("https://", "http://")):
        raise MenuAPIError("WECHAT_API_BASE must be an http(s) URL")
    return MenuClient(api_base, appid, secret)


def _print_json(value: Any, out: TextIO) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2), file=out)


def cmd_show(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    if not args.current:
        _print_json(menu_definition(), out)
        for button in MENU:
            print(f"{button.key}: {button.name} -> {button.payload}", file=out)
        return 0
    try:
        answer = _client().current()
    except MenuAPIError as err:
        print(f"error: {err}", file=out)
        return 1
    if not answer.get("is_menu_open"):
        print("the account shows no custom menu", file=out)
        return 0
    _print_json(answer.get("selfmenu_info") or {}, out)
    return 0


def cmd_apply(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    problems = menu_problems()
    if problems:
        print("error: the menu is invalid: " + "; ".join(problems), file=out)
        return 1
    try:
        _client().create(menu_definition())
    except MenuAPIError as err:
        print(f"error: {err}", file=out)
        return 1
    names = " / ".join(b.name for b in MENU)
    print(f"menu created ({names}); WeChat shows it to followers within minutes", file=out)
    return 0


def register(commands: Any) -> None:
    """Add the `wechat` command group to the top-level subparsers."""
    wechat = commands.add_parser("wechat", help="the WeChat Official Account (公众号)").add_subparsers(
        dest="wechat_command", required=True
    )
    menu = wechat.add_parser("menu", help="the custom menu (自定义菜单)").add_subparsers(
        dest="menu_command", required=True
    )
    show = menu.add_parser("show", help="print the menu (or, with --current, the one the account shows)")
    show.add_argument("--current", action="store_true", help="ask WeChat for the account's current menu")
    show.set_defaults(handler=cmd_show)
    apply = menu.add_parser("apply", help="create the menu on the account through WeChat's menu API")
    apply.set_defaults(handler=cmd_apply)
