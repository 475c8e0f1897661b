"""Conversations in chat, whatever the platform: questions, button clicks, the slash command, digests.

Handlers here turn what a person did in a chat (a message, a click, a command) into service
calls and answer with cards through the `ChatChannel` port; a chat platform is an adapter
(Slack in `bot/`) that parses its own requests, calls these handlers, and draws the cards.
"""
