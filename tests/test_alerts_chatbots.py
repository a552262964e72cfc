"""The DingTalk, WeCom, Feishu and Lark senders: URL parsing, signing, and delivery to real
loopback servers that answer as the bots do (HTTP 200 with an error code for a refusal)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from alerts import chatbots
from alerts.chatbots import delivery
from alerts.chatbots.platforms import build_request, dingtalk_sign, feishu_sign, fit
from alerts.chatbots.urls import parse_bot_url
from alerts.senders import check_target, send
from tests.servers import Receiver, _Server, free_port
from watcher.errors import BotUrlError
from watcher.redaction import redact

# Distinctive values: sending registers them as secrets for the whole test session.
DT_TOKEN = "c0ffee4dd1ngtalk9token"
DT_SECRET = "SECd1ngtalk7secret0value"
WC_KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
FS_TOKEN = "fe1shu-hook-0a1b2c3d"
FS_SECRET = "fe1shuSigningSecret77"
LK_TOKEN = "1ark-hook-9f8e7d6c"

OK_BODIES = {"dingtalk": b'{"errcode":0,"errmsg":"ok"}', "wecombot": b'{"errcode":0,"errmsg":"ok"}',
             "feishu": b'{"code":0,"data":{},"msg":"success"}',
             "lark": b'{"StatusCode":0,"StatusMessage":"success"}'}


@dataclass
class Seen:
    path: str
    query: dict[str, str]
    body: Any


class _BotHandler(BaseHTTPRequestHandler):
    bot: BotServer  # the server this handler answers for, set by BotServer.handler

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        parts = urlsplit(self.path)
        self.bot.record(Seen(parts.path, dict(parse_qsl(parts.query)), json.loads(raw)))
        time.sleep(self.bot.delay)
        try:
            self.send_response(self.bot.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(self.bot.answer)))
            self.end_headers()
            self.wfile.write(self.bot.answer)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the sender gave up waiting: what the slow-bot test wants


class BotServer(_Server):
    """Answers every POST with a fixed status and body (after `delay` seconds) and records it."""

    def __init__(self) -> None:
        super().__init__()
        self.answer, self.status, self.delay = OK_BODIES["dingtalk"], 200, 0.0
        self.seen: list[Seen] = []
        self._lock = threading.Lock()

    def handler(self) -> type[BaseHTTPRequestHandler]:
        return type("Handler", (_BotHandler,), {"bot": self})

    def record(self, seen: Seen) -> None:
        with self._lock:
            self.seen.append(seen)


@pytest.fixture(scope="module")
def _bot_server() -> Iterator[BotServer]:
    server = BotServer()
    server.start()
    yield server
    server.stop()  # once: each stop waits up to half a second for the serving loop


@pytest.fixture
def bot(_bot_server: BotServer) -> BotServer:
    """The module's server, answering like a DingTalk bot that accepts, with nothing seen."""
    _bot_server.answer, _bot_server.status, _bot_server.delay = OK_BODIES["dingtalk"], 200, 0.0
    _bot_server.seen = []
    return _bot_server


# --- parsing -----------------------------------------------------------------------------------

GOOD = [
    ("dingtalk://abc123/", "dingtalk", "abc123", None, "https://oapi.dingtalk.com", ()),
    ("dingtalk://SECabc@abc123/", "dingtalk", "abc123", "SECabc", "https://oapi.dingtalk.com", ()),
    ("dingtalk://abc123/?secret=SECdef", "dingtalk", "abc123", "SECdef", "https://oapi.dingtalk.com", ()),
    ("dingtalk://ignored/?token=abc123", "dingtalk", "abc123", None, "https://oapi.dingtalk.com", ()),
    ("dingtalk://abc123/13800138000/?to=%2B86%20139-0013-9000", "dingtalk", "abc123", None,
     "https://oapi.dingtalk.com", ("13800138000", "8613900139000")),
    ("DingTalk://abc123/?format=markdown&overflow=split", "dingtalk", "abc123", None,
     "https://oapi.dingtalk.com", ()),
    ("dingtalk://abc123/?base=http://127.0.0.1:8080", "dingtalk", "abc123", None, "http://127.0.0.1:8080", ()),
    ("dingtalk://abc123/?base=https://relay.test/", "dingtalk", "abc123", None, "https://relay.test", ()),
    ("wecombot://693a91f6-7xxx_4bc4", "wecombot", "693a91f6-7xxx_4bc4", None, "https://qyapi.weixin.qq.com", ()),
    ("wecombot://?key=k3y", "wecombot", "k3y", None, "https://qyapi.weixin.qq.com", ()),
    ("feishu://tok-1_2/", "feishu", "tok-1_2", None, "https://open.feishu.cn", ()),
    ("feishu://s3cr3t@tok/", "feishu", "tok", "s3cr3t", "https://open.feishu.cn", ()),
    ("lark://tok-9?secret=a%2Bb%2F%3D", "lark", "tok-9", "a+b/=", "https://open.larksuite.com", ()),
    ("https://oapi.dingtalk.com/robot/send?access_token=abc123", "dingtalk", "abc123", None,
     "https://oapi.dingtalk.com", ()),
    ("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k-1", "wecombot", "k-1", None,
     "https://qyapi.weixin.qq.com", ()),
    ("https://open.feishu.cn/open-apis/bot/v2/hook/u-u-i-d", "feishu", "u-u-i-d", None, "https://open.feishu.cn", ()),
    ("https://open.larksuite.com/open-apis/bot/v2/hook/u-u", "lark", "u-u", None, "https://open.larksuite.com", ()),
]


@pytest.mark.parametrize(("url", "platform", "token", "secret", "base", "mentions"), GOOD)
def test_good_urls(url: str, platform: str, token: str, secret: str | None, base: str,
                   mentions: tuple[str, ...]) -> None:
    target = parse_bot_url(url)
    assert (target.platform, target.token, target.secret, target.base, target.mentions) == (
        platform, token, secret, base, mentions)
    assert chatbots.handles(url)
    assert token not in repr(target) and (secret is None or secret not in repr(target))


BAD = [
    ("dingtalk://", "needs a token"),
    ("dingtalk:///?secret=SECabc", "needs a token"),
    ("dingtalk://ab!cd/", "only letters and digits"),
    ("dingtalk://SEC-x@abc/", "secret has characters"),
    ("dingtalk://abc/12345/", "not a phone number"),
    ("dingtalk://abc/?to=call-me", "not a phone number"),
    ("dingtalk://abc/?nonsense=1&secret=SECx", "has no option nonsense"),
    ("dingtalk://abc/?verify=maybe", "yes or no"),
    ("dingtalk://abc/?base=ftp://127.0.0.1", "not an http"),
    ("dingtalk://abc/?base=127.0.0.1:8080", "not an http"),
    ("dingtalk://abc/?base=http://127.0.0.1:8080/robot", "only scheme, host and port"),
    ("dingtalk://abc/?base=http://u:p@127.0.0.1", "only scheme, host and port"),
    ("dingtalk://abc/?base=http://127.0.0.1:99999", "bad port"),
    ("wecombot://s3cr3t@k3y", "takes no secret"),
    ("wecombot://k3y/?secret=s3cr3t", "takes no secret"),
    ("wecombot://k3y/more", "nothing after the token"),
    ("wecombot://k3y?to=13800138000", "has no option to"),
    ("feishu://tok/extra/", "nothing after the token"),
    ("lark://tok_underscore", "only letters, digits and -"),
    ("https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=1", "has no option timestamp"),
]


@pytest.mark.parametrize(("url", "problem"), BAD)
def test_bad_urls_say_what_is_wrong(url: str, problem: str) -> None:
    with pytest.raises(BotUrlError, match=problem):
        parse_bot_url(url)


def test_url_errors_never_show_the_token_or_secret() -> None:
    for url in ("dingtalk://SECtopsecret9@badtoken!/", "dingtalk://SECtopsecret9@goodtoken/?x=1",
                "wecombot://SECtopsecret9@goodtoken", "dingtalk://SECtop-secret@goodtoken/"):
        problem = check_target(url)
        assert problem and "topsecret9" not in problem and "top-secret" not in problem
        assert "goodtoken" not in problem and "badtoken" not in problem


def test_check_target_accepts_the_four_and_still_asks_apprise_for_the_rest() -> None:
    assert check_target(f"dingtalk://{DT_SECRET}@{DT_TOKEN}/") is None
    assert check_target(f"lark://{LK_TOKEN}") is None
    assert "needs a token" in (check_target("feishu://") or "")
    assert check_target("json://localhost") is None and check_target("nosuchscheme://x")
    assert not chatbots.handles("json://localhost") and not chatbots.handles("https://example.test/")


def test_checking_registers_token_and_secret_for_redaction() -> None:
    token, secret = "reg1stered7token", "SECreg1stered7secret"
    assert check_target(f"dingtalk://{secret}@{token}/") is None
    assert redact(f"dingtalk://{token}/ and {secret}") == "dingtalk://***/ and ***"


# --- signing and the message -------------------------------------------------------------------

def test_dingtalk_signature_matches_an_independent_computation() -> None:
    timestamp = "1700000000123"
    expected = base64.b64encode(hmac.new(
        b"SECsecret", b"1700000000123\nSECsecret", hashlib.sha256).digest()).decode()
    assert dingtalk_sign("SECsecret", timestamp) == expected
    request = build_request(parse_bot_url("dingtalk://SECsecret@tok/"), "hi", 1_700_000_000.1234)
    assert request.params == {"access_token": "tok", "timestamp": timestamp, "sign": expected}


def test_feishu_signature_matches_an_independent_computation() -> None:
    expected = base64.b64encode(hmac.new(
        b"1700000000\nfsSecret", b"", hashlib.sha256).digest()).decode()
    assert feishu_sign("fsSecret", "1700000000") == expected
    for scheme in ("feishu", "lark"):
        request = build_request(parse_bot_url(f"{scheme}://fsSecret@tok"), "hi", 1_700_000_000.9)
        assert request.json["timestamp"] == "1700000000" and request.json["sign"] == expected
        assert request.params == {}


def test_unsigned_requests_carry_no_signature() -> None:
    assert set(build_request(parse_bot_url("dingtalk://tok/"), "x", 0).params) == {"access_token"}
    assert "sign" not in build_request(parse_bot_url("feishu://tok"), "x", 0).json


@pytest.mark.parametrize("limit", [0, 1, 3, 4, 5, 6, 7, 10, 2048])
def test_fit_cuts_on_a_character_boundary(limit: int) -> None:
    text = "工单#42 漏电😀" * 200
    cut = fit(text, max(limit, 3))
    encoded = cut.encode("utf-8")  # strict: a half character would raise
    assert len(encoded) <= max(limit, 3) and cut.endswith("…")
    assert text.startswith(cut[:-1])
    assert fit("short", limit + 5) == "short"


def test_messages_are_cut_to_each_platform_limit() -> None:
    long_body = "漏" * 10_000  # 30,000 bytes
    wecom = build_request(parse_bot_url("wecombot://k"), long_body, 0).json["text"]["content"]
    assert len(wecom.encode()) <= 2048 and wecom.endswith("…")
    for url, path in (("dingtalk://t/13800138000/", ("text", "content")),
                      ("feishu://t", ("content", "text")), ("lark://t", ("content", "text"))):
        text = build_request(parse_bot_url(url), long_body, 0).json[path[0]][path[1]]
        assert 10_000 < len(text.encode()) <= 20_000
    dingtalk = build_request(parse_bot_url("dingtalk://t/13800138000/"), long_body, 0).json
    assert dingtalk["text"]["content"].endswith("… @13800138000")
    assert dingtalk["at"] == {"atMobiles": ["13800138000"], "isAtAll": False}


# --- delivery to real receivers ----------------------------------------------------------------

def _url(platform: str, base: str, signed: bool) -> str:
    secret = {"dingtalk": DT_SECRET, "feishu": FS_SECRET, "lark": FS_SECRET}.get(platform)
    token = {"dingtalk": DT_TOKEN, "wecombot": WC_KEY, "feishu": FS_TOKEN, "lark": LK_TOKEN}[platform]
    auth = f"{secret}@" if signed and secret else ""
    return f"{platform}://{auth}{token}/?base={base}"


@pytest.mark.parametrize(("platform", "signed"), [
    ("dingtalk", False), ("dingtalk", True), ("wecombot", False),
    ("feishu", False), ("feishu", True), ("lark", True),
])
def test_delivery_reaches_the_bot_api(bot: BotServer, platform: str, signed: bool) -> None:
    bot.answer = OK_BODIES[platform]
    result = send(_url(platform, bot.url, signed), "[工单 #42] L1", "内容：热水器漏电")
    assert result.ok and result.error is None
    (seen,) = bot.seen
    if platform == "dingtalk":
        assert seen.path == "/robot/send" and seen.query["access_token"] == DT_TOKEN
        assert seen.body["msgtype"] == "text"
        text = seen.body["text"]["content"]
        if signed:
            assert seen.query["sign"] == dingtalk_sign(DT_SECRET, seen.query["timestamp"])
            assert abs(int(seen.query["timestamp"]) / 1000 - time.time()) < 60
        else:
            assert "sign" not in seen.query and "timestamp" not in seen.query
    elif platform == "wecombot":
        assert seen.path == "/cgi-bin/webhook/send" and seen.query == {"key": WC_KEY}
        assert seen.body["msgtype"] == "text"
        text = seen.body["text"]["content"]
    else:
        token = FS_TOKEN if platform == "feishu" else LK_TOKEN
        assert seen.path == f"/open-apis/bot/v2/hook/{token}" and seen.query == {}
        assert seen.body["msg_type"] == "text"
        text = seen.body["content"]["text"]
        if signed:
            assert seen.body["sign"] == feishu_sign(FS_SECRET, seen.body["timestamp"])
            assert abs(int(seen.body["timestamp"]) - time.time()) < 60
        else:
            assert "sign" not in seen.body and "timestamp" not in seen.body
    assert text == "[工单 #42] L1\n内容：热水器漏电"


def test_a_refusal_with_http_200_is_a_failure_with_its_reason(bot: BotServer) -> None:
    bot.answer = b'{"errcode":310000,"errmsg":"sign not match"}'
    result = send(_url("dingtalk", bot.url, signed=True), "t", "b")
    assert not result.ok and result.error
    assert result.error == (f"dingtalk://****/?base={bot.url}: HTTP 200, errcode 310000: "
                            "sign not match")


def test_feishu_refusal_and_an_answer_echoing_the_token_are_reported_masked(bot: BotServer) -> None:
    bot.answer = json.dumps({"code": 19021, "msg": f"sign match fail for {FS_SECRET} {FS_TOKEN}"}).encode()
    result = send(_url("feishu", bot.url, signed=True), "t", "b")
    assert not result.ok and result.error and "code 19021: sign match fail" in result.error
    assert FS_SECRET not in result.error and FS_TOKEN not in result.error


@pytest.mark.parametrize(("status", "answer", "expected"), [
    (500, b'{"errcode":-1,"errmsg":"system busy"}', "HTTP 500, errcode -1: system busy"),
    (500, b"<html>Internal Server Error</html>", "HTTP 500, the answer is not a JSON object"),
    (200, b"not json", "HTTP 200, the answer is not a JSON object: 'not json'"),
    (200, b"[0]", "the answer is not a JSON object"),
    (200, b'{"errmsg":"ok"}', "HTTP 200, the answer has no errcode"),
    (200, b'{"errcode":false,"errmsg":"ok"}', "errcode False"),
    (200, b'{"errcode":"0"}', "errcode 0"),
    (302, b'{"errcode":0,"errmsg":"ok"}', "HTTP 302, errcode 0: ok"),
    (400, b'{"code":9499,"msg":"Bad Request"}', "HTTP 400, the answer has no errcode"),
])
def test_anything_but_2xx_with_code_zero_fails(bot: BotServer, status: int, answer: bytes,
                                              expected: str) -> None:
    bot.status, bot.answer = status, answer
    result = send(_url("wecombot", bot.url, signed=False), "t", "b")
    assert not result.ok and expected in (result.error or "")
    assert WC_KEY not in (result.error or "")


def test_feishu_error_answer_on_http_400_is_read(bot: BotServer) -> None:
    bot.status, bot.answer = 400, b'{"code":9499,"msg":"Bad Request","data":{}}'
    result = send(_url("lark", bot.url, signed=False), "t", "b")
    assert not result.ok and "HTTP 400, code 9499: Bad Request" in (result.error or "")


def test_a_slow_bot_times_out(bot: BotServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(delivery, "TIMEOUT", 0.2)
    bot.delay = 1.0
    started = time.monotonic()
    result = send(_url("dingtalk", bot.url, signed=True), "t", "b")
    assert not result.ok and result.error == f"dingtalk://****/?base={bot.url}: no answer within 0.2 s"
    assert time.monotonic() - started < 1.0


def test_an_unreachable_bot_is_a_failure_without_secrets() -> None:
    result = send(_url("dingtalk", f"http://127.0.0.1:{free_port()}", signed=True), "t", "b")
    assert not result.ok and result.error and "ConnectError" in result.error
    assert DT_TOKEN not in result.error and DT_SECRET not in result.error


def test_a_bad_bot_url_fails_without_sending() -> None:
    result = send("wecombot://s3cr3t@k3y", "t", "b")
    assert result == send("wecombot://s3cr3t@k3y", "t", "b")
    assert not result.ok and "takes no secret" in (result.error or "")


def test_other_schemes_still_go_through_apprise() -> None:
    receiver = Receiver()
    receiver.start()
    try:
        assert send(receiver.json_url(), "标题", "正文").ok
    finally:
        receiver.stop()
    assert receiver.received[0]["title"] == "标题" and receiver.received[0]["message"] == "正文"
