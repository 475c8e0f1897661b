"""The Slack app: listeners that turn messages, the slash command and button clicks into service calls."""
