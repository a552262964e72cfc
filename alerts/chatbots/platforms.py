"""What each bot platform is sent: the endpoint, the signature and the JSON body of a plain-text
message cut to the platform's size limit. Pure functions of a target, a text and a time.

Signing, as the platforms document it (their custom-bot pages, 自定义机器人):
- DingTalk 加签: HMAC-SHA256 keyed with the secret over f"{timestamp}\\n{secret}", timestamp in
  milliseconds; base64, sent as the `timestamp` and `sign` query parameters (percent-encoded
  once, here by httpx).
- Feishu/Lark 签名校验: HMAC-SHA256 keyed with f"{timestamp}\\n{secret}" over an empty message,
  timestamp in seconds; base64, sent as `timestamp` and `sign` in the JSON body. The roles of
  key and message are the reverse of DingTalk's.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from alerts.chatbots.urls import BotTarget

ELLIPSIS = "…"
# Bytes of UTF-8 text each platform takes in one message. WeCom documents 2048 bytes for a text
# message; DingTalk (about 20,000) and Feishu (20 KB for the whole request) get a margin for the
# JSON around the text and the escapes inside it.
TEXT_LIMITS = {"dingtalk": 18_000, "wecombot": 2_048, "feishu": 18_000, "lark": 18_000}


@dataclass(frozen=True)
class BotRequest:
    url: str
    params: dict[str, str]
    json: dict[str, Any]


def dingtalk_sign(secret: str, timestamp: str) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256)
    return base64.b64encode(digest.digest()).decode()


def feishu_sign(secret: str, timestamp: str) -> str:
    digest = hmac.new(f"{timestamp}\n{secret}".encode(), b"", hashlib.sha256)
    return base64.b64encode(digest.digest()).decode()


def fit(text: str, limit: int) -> str:
    """`text` in at most `limit` UTF-8 bytes, ending in "…" when cut, never inside a character."""
    encoded = text.encode()
    if len(encoded) <= limit:
        return text
    room = max(0, limit - len(ELLIPSIS.encode()))
    # Dropping the bytes of a character cut in two ("ignore") keeps only whole characters.
    return encoded[:room].decode(errors="ignore") + ELLIPSIS


def message_text(title: str, body: str) -> str:
    return f"{title}\n{body}" if title else body


def build_request(target: BotTarget, text: str, now: float) -> BotRequest:
    """The POST that delivers `text` to `target`, signed (when it has a secret) at time `now`."""
    limit = TEXT_LIMITS[target.platform]
    if target.platform == "dingtalk":
        return _dingtalk(target, text, limit, now)
    if target.platform == "wecombot":
        content = {"msgtype": "text", "text": {"content": fit(text, limit)}}
        return BotRequest(f"{target.base}/cgi-bin/webhook/send", {"key": target.token}, content)
    body: dict[str, Any] = {"msg_type": "text", "content": {"text": fit(text, limit)}}
    if target.secret:
        timestamp = str(int(now))
        body |= {"timestamp": timestamp, "sign": feishu_sign(target.secret, timestamp)}
    return BotRequest(f"{target.base}/open-apis/bot/v2/hook/{target.token}", {}, body)


def _dingtalk(target: BotTarget, text: str, limit: int, now: float) -> BotRequest:
    params = {"access_token": target.token}
    if target.secret:
        timestamp = str(int(now * 1000))
        params |= {"timestamp": timestamp, "sign": dingtalk_sign(target.secret, timestamp)}
    # DingTalk highlights a mentioned number only when "@number" is also in the text.
    mentions = "".join(f" @{phone}" for phone in target.mentions)
    content = fit(text, limit - len(mentions.encode())) + mentions
    body = {"msgtype": "text", "text": {"content": content},
            "at": {"atMobiles": list(target.mentions), "isAtAll": False}}
    return BotRequest(f"{target.base}/robot/send", params, body)
