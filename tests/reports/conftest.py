from alerts.factory import care_app, slack_settings  # noqa: F401  (shared fixtures)
