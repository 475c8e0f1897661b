"""Feishu (Lark) adapter: request verification, listeners on the chat layer, cards, `FeishuChannel`."""
