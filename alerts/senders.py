"""Sending one message to one target. apprise covers the chat services; the result is a value,
never something to be read back out of log text."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from watcher.redaction import redact

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SendResult:
    ok: bool
    error: str | None = None


def check_target(target: str) -> str | None:
    """None when the URL can be sent to, else what is wrong (used when validating config)."""
    from alerts import chatbots  # lazy: ~80 ms (httpx) that a config with no targets skips

    if chatbots.handles(target):
        return chatbots.check(target)
    import apprise  # lazy: ~60-100 ms, only for a target that is not a chat bot

    if apprise.Apprise().add(target):
        return None
    return "not a valid apprise URL (see https://github.com/caronc/apprise/wiki)"


def notify_type(level: int | None) -> str:
    """apprise's type for an alert of this urgency level: services colour and sound by it
    (a red `failure` for level 1, an orange `warning` for level 2, `info` otherwise)."""
    return {1: "failure", 2: "warning"}.get(level or 0, "info")


def send(target: str, title: str, body: str, attachment: dict[str, str] | None = None,
         level: int | None = None) -> SendResult:
    """Delivers one message, to the four chat bots whose answers apprise misreads through
    `alerts.chatbots`, else through apprise; blocking, so the dispatcher runs it in a thread.
    `attachment` ({"name", "content"}: a text file) goes along where the service takes files
    (mail, json://, Telegram, Slack, ...); the chat bots cannot, and get the message alone.
    `level`: the ticket's urgency, sent as apprise's notify type (`notify_type`)."""
    from alerts import chatbots  # lazy: as in check_target

    if chatbots.handles(target):
        error = chatbots.send(target, title, body)
        return SendResult(error is None, error)
    import apprise  # lazy: as in check_target

    notifier = apprise.Apprise()
    if not notifier.add(target):
        return SendResult(False, "not a valid apprise URL")
    # apprise reports why a send failed only in its log; capture it to record with the attempt.
    with apprise.LogCapture(level=logging.WARNING) as captured:
        ok = notifier.notify(title=title, body=body, body_format=apprise.NotifyFormat.TEXT,
                             notify_type=apprise.NotifyType(notify_type(level)),
                             attach=_attached(attachment))
        detail = captured.getvalue().strip()
    if ok:
        return SendResult(True)
    service = notifier[0].url(privacy=True)
    reason = detail.splitlines()[-1] if detail else "the service did not accept the message"
    return SendResult(False, redact(f"{service}: {reason}").replace(target, service))


def _attached(attachment: dict[str, str] | None) -> object:
    if not attachment:
        return None
    from apprise import AppriseAttachment  # lazy: as in check_target
    from apprise.attachment.memory import AttachMemory

    return AppriseAttachment(AttachMemory(content=attachment["content"], name=attachment["name"],
                                          mimetype="text/html"))
