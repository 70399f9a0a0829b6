"""Talking to a user from outside the bot: staff replies and notices delivered on the conversation's own channel
(the web widget, WeChat 客服消息), the rules of each channel, and staff holding a conversation (the bot silent)."""
