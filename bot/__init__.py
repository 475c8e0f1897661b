"""The Slack adapter: listeners that hand messages, the slash command and button clicks to the chat layer
(`planbridge.chat`), the Slack channel, and cards drawn as Block Kit. Only `planbridge.bootstrap` imports it."""
