"""Pure functions that turn service answers into Slack Block Kit (and the digest chart)."""
