"""Watcher's own sender for DingTalk, WeCom, Feishu and Lark bots.

These bots answer HTTP 200 with an error code in the body when they refuse a message, and
apprise counts that as delivered (its DingTalk plugin also cannot be pointed at another host).
`alerts.senders` sends these four here and everything else through apprise.

    urls       dingtalk:// wecombot:// feishu:// lark:// and the bots' own https addresses
    platforms  endpoint, signature and body of a plain-text message, cut to the size limit
    delivery   the POST and the verdict on the answer
"""

from __future__ import annotations

from alerts.chatbots.delivery import deliver
from alerts.chatbots.urls import BotTarget, handles, parse_bot_url
from watcher import redaction
from watcher.errors import BotUrlError

__all__ = ["BotTarget", "BotUrlError", "check", "handles", "parse_bot_url", "send"]


def check(url: str) -> str | None:
    """None when `url` is a usable bot URL, else what is wrong; registers its secrets."""
    try:
        _load(url)
    except BotUrlError as exc:
        return str(exc)
    return None


def send(url: str, title: str, body: str) -> str | None:
    """Delivers one message; None when the bot took it, else why not. Blocking."""
    try:
        target = _load(url)
    except BotUrlError as exc:
        return str(exc)
    return deliver(target, title, body)


def _load(url: str) -> BotTarget:
    target = parse_bot_url(url)
    # So that logs of the target URL (the dispatcher's, config errors) mask them too.
    redaction.register(target.token)
    if target.secret:
        redaction.register(target.secret)
    return target
