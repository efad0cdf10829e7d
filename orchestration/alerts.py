"""Alerts: a plain-words message to the log and to a Slack-compatible incoming webhook.

The webhook URL is a secret, so the config names the env var holding it
(`monitoring.alert_webhook_url_env`). Slack, Mattermost, Rocket.Chat, Microsoft Teams workflows
and Discord's `/slack` endpoint all accept `{"text": ...}`. An alert that cannot be delivered is
logged, never raised: a broken alert channel must not fail the sync it reports on.
"""

from __future__ import annotations

import logging
import os

import requests

from leadsync.ingestion.config import LeadsyncConfig

ALERT_TIMEOUT_SECONDS = 10.0

log = logging.getLogger("leadsync.alerts")


def alert_webhook_url(config: LeadsyncConfig) -> str | None:
    """The configured alert URL, or None when alerting to a webhook is not set up."""
    env_name = config.monitoring.alert_webhook_url_env
    if not env_name:
        return None
    url = os.environ.get(env_name)
    if not url:
        log.warning(
            "monitoring.alert_webhook_url_env names %s, but it is not set; alerts go to the log only",
            env_name,
        )
    return url or None


def send_alert(config: LeadsyncConfig, message: str) -> bool:
    """Log `message` as an error and post it to the alert webhook; True when the webhook took it."""
    log.error("leadsync alert: %s", message)
    url = alert_webhook_url(config)
    if not url:
        return False
    try:
        response = requests.post(url, json={"text": message}, timeout=ALERT_TIMEOUT_SECONDS)
    except requests.RequestException as exc:
        log.error("could not deliver the alert to the webhook: %s", exc)
        return False
    if response.status_code >= 300:
        log.error("the alert webhook answered %s: %s", response.status_code, response.text[:200])
        return False
    return True
