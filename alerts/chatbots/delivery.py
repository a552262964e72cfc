"""Posting to a bot and reading its answer. The bots answer HTTP 200 to a message they refuse
(a bad signature, a wrong keyword, a rate limit) and say so only in the body, so a message
counts as delivered only when the status is 2xx AND the body's code is 0."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx

from alerts.chatbots.platforms import build_request, message_text
from alerts.chatbots.urls import BotTarget
from watcher.redaction import redact

TIMEOUT = 10.0  # seconds for each of connect, write and read; tests make it shorter
_SHOWN = 200  # characters of an answer shown in an error: enough to recognise a proxy's page

# Where each platform's answer puts its result code and message, first key found wins.
# Feishu and Lark answer {"code": 0, "msg": "success"}; older hooks {"StatusCode": 0, ...}.
_CODE_KEYS = {"dingtalk": ("errcode",), "wecombot": ("errcode",),
              "feishu": ("code", "StatusCode"), "lark": ("code", "StatusCode")}
_MESSAGE_KEYS = {"dingtalk": ("errmsg",), "wecombot": ("errmsg",),
                 "feishu": ("msg", "StatusMessage"), "lark": ("msg", "StatusMessage")}


def deliver(target: BotTarget, title: str, body: str) -> str | None:
    """None when the bot accepted the message, else why not (never with the token or secret)."""
    request = build_request(target, message_text(title, body), time.time())
    try:
        with httpx.Client(timeout=TIMEOUT, verify=target.verify) as client:
            response = client.post(request.url, params=request.params, json=request.json)
    except httpx.TimeoutException:
        return f"{target.label}: no answer within {TIMEOUT:g} s"
    except httpx.HTTPError as exc:
        return _scrub(f"{target.label}: {type(exc).__name__}: {exc}", target)
    problem = verdict(target.platform, response.status_code, response.content)
    return None if problem is None else _scrub(f"{target.label}: {problem}", target)


def verdict(platform: str, status: int, content: bytes) -> str | None:
    """None when the answer says the message was taken, else what the answer says."""
    answer = _json_object(content)
    if answer is None:
        shown = " ".join(content[:_SHOWN].decode(errors="replace").split())
        return f"HTTP {status}, the answer is not a JSON object: {shown!r}"
    code_key = next((key for key in _CODE_KEYS[platform] if key in answer), None)
    if code_key is None:
        return f"HTTP {status}, the answer has no {' or '.join(_CODE_KEYS[platform])}"
    code = answer[code_key]
    # bool is an int in Python; `false` from a relay is not a success code.
    if 200 <= status < 300 and code == 0 and type(code) is int:
        return None
    message = next((str(answer[key]) for key in _MESSAGE_KEYS[platform] if key in answer), "")
    said = f": {message[:_SHOWN]}" if message else ""
    return f"HTTP {status}, {code_key} {code}{said}"


def _json_object(content: bytes) -> dict[str, Any] | None:
    try:
        answer = json.loads(content)
    except ValueError:  # JSONDecodeError and UnicodeDecodeError both
        return None
    return answer if isinstance(answer, dict) else None


def _scrub(text: str, target: BotTarget) -> str:
    """`text` without the target's token and secret, even ones too short for `redact`."""
    for value in (target.token, target.secret):
        if value and len(value) >= 4:  # shorter values would mangle ordinary words
            text = text.replace(value, "****")
    return redact(text)
