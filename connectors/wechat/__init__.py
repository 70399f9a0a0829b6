"""WeChat Official Account (公众号) channel for Rasa: `connectors.wechat.WeChatInput` in credentials.yml.

config    WeChatConfig: the credentials, validated
channel   WeChatInput: the Rasa input channel (Sanic routes only)
webhook   WeChatWebhook: signatures, decryption, message types, passive reply or 客服消息
output    WeChatOutput: collects the bot's messages or pushes them in order
state     button choices and de-duplication, shared through the store
store     memory or Redis key-value store with expiry
api       access_token and 客服消息 over aiohttp; incident records
xml       XML parsing without DTDs or entities
text      the channel's texts, size limits, numbered choices, masking
"""

from connectors.wechat.channel import WeChatInput
from connectors.wechat.config import WeChatConfig
from connectors.wechat.output import WeChatOutput
from connectors.wechat.webhook import WeChatWebhook

__all__ = ["WeChatConfig", "WeChatInput", "WeChatOutput", "WeChatWebhook"]
