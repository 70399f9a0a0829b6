"""The 公众号's custom menu (自定义菜单): its buttons and what a click on each one means to the bot.

The one home of the menu: `chanyan wechat menu apply` creates it through WeChat's menu API from here, and the
WeChat channel turns a click event's key into the user message (an intent payload) given here. Keys are ASCII and
stable: renaming a button never breaks a menu already live on the account.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# WeChat's limits: at most 3 top-level buttons, names of at most 16 bytes (UTF-8), keys of at most 128 bytes.
MAX_BUTTONS = 3
MAX_NAME_BYTES = 16
MAX_KEY_BYTES = 128


@dataclass(frozen=True)
class MenuButton:
    """A top-level click button: the name users see, its key, and the message the bot receives."""

    name: str
    key: str
    payload: str


MENU: tuple[MenuButton, ...] = (
    MenuButton("提交需求", "START_INTAKE", "/request_filing"),
    MenuButton("查询进度", "CHECK_PROGRESS", "/ask_status"),
    MenuButton("联系专员", "CONTACT_STAFF", "/handoff"),
)
# A key of an older menu that may still be live on an account until the new one is applied.
LEGACY_PAYLOADS: dict[str, str] = {"HELP": "/faq_process"}
# What a click on an unknown key gets: how the platform works (it lists what the bot can do).
UNKNOWN_KEY_PAYLOAD = "/faq_process"

MENU_PAYLOADS: dict[str, str] = {**LEGACY_PAYLOADS, **{b.key: b.payload for b in MENU}}


def menu_definition() -> dict[str, Any]:
    """The body of WeChat's menu/create call."""
    return {"button": [{"type": "click", "name": b.name, "key": b.key} for b in MENU]}


def menu_problems(menu: tuple[MenuButton, ...] = MENU) -> list[str]:
    """What WeChat would refuse in a menu (empty when it is valid)."""
    problems = []
    if not 1 <= len(menu) <= MAX_BUTTONS:
        problems.append(f"a menu has 1 to {MAX_BUTTONS} buttons, not {len(menu)}")
    for button in menu:
        if not button.name or len(button.name.encode("utf-8")) > MAX_NAME_BYTES:
            problems.append(f"button name {button.name!r} must be 1 to {MAX_NAME_BYTES} bytes")
        if not button.key.isascii() or not 1 <= len(button.key) <= MAX_KEY_BYTES:
            problems.append(f"button key {button.key!r} must be 1 to {MAX_KEY_BYTES} ASCII characters")
    if len({b.key for b in menu}) != len(menu):
        problems.append("button keys must be unique")
    return problems
