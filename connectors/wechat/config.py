"""The WeChat channel's settings: credentials.yml's `connectors.wechat.WeChatInput` section (WECHAT_* env vars)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from wechatpy.crypto import WeChatCrypto

CHANNEL_NAME = "wechat"
MODES = ("plaintext", "compatible", "safe")
DEFAULT_API_BASE = "https://api.weixin.qq.com"
DEFAULT_REPLY_TIMEOUT = 4.5
WECHAT_WAIT_SECONDS = 5.0  # WeChat gives up on a passive reply after this long
REQUIRED_CREDENTIALS = ("token", "appid", "secret")


@dataclass(frozen=True)
class WeChatConfig:
    """The channel's settings (credentials.yml, values from WECHAT_* env vars)."""

    token: str = field(repr=False)
    appid: str
    secret: str = field(repr=False)
    aes_key: str = field(default="", repr=False)
    mode: str = "plaintext"
    api_base: str = DEFAULT_API_BASE
    redis_url: str = field(default="", repr=False)
    reply_timeout: float = DEFAULT_REPLY_TIMEOUT

    @classmethod
    def from_credentials(cls, credentials: Mapping[str, Any]) -> WeChatConfig:
        """Validate and build; raises ValueError naming the offending key (never its value)."""
        missing = [key for key in REQUIRED_CREDENTIALS if not str(credentials.get(key) or "").strip()]
        if missing:
            raise ValueError(f"missing credentials: {', '.join(missing)}")
        mode = str(credentials.get("mode") or "plaintext").strip().lower()
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}")
        aes_key = str(credentials.get("aes_key") or "").strip()
        if mode != "plaintext":
            if not aes_key:
                raise ValueError(f"aes_key (EncodingAESKey) is required in {mode} mode")
            try:
                WeChatCrypto("check", aes_key, "check")
            except Exception as err:
                raise ValueError("aes_key must be the 43-character EncodingAESKey") from err
        api_base = str(credentials.get("api_base") or DEFAULT_API_BASE).strip().rstrip("/")
        if not api_base.startswith(("https://", "http://")):
            raise ValueError("api_base must be an http(s) URL")
        raw_timeout = str(credentials.get("reply_timeout") or DEFAULT_REPLY_TIMEOUT).strip()
        try:
            reply_timeout = float(raw_timeout)
        except ValueError as err:
            raise ValueError("reply_timeout must be a number of seconds") from err
        if not 0 <= reply_timeout < WECHAT_WAIT_SECONDS:
            raise ValueError(f"reply_timeout must be between 0 and {WECHAT_WAIT_SECONDS} seconds")
        return cls(
            token=str(credentials["token"]).strip(),
            appid=str(credentials["appid"]).strip(),
            secret=str(credentials["secret"]).strip(),
            aes_key=aes_key,
            mode=mode,
            api_base=api_base,
            redis_url=str(credentials.get("redis_url") or "").strip(),
            reply_timeout=reply_timeout,
        )
