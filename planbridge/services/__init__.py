"""The service layer: the one way in for the CLI, the REST API and the Slack bot."""
