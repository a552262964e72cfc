"""Parsing the chat-bot URLs apprise documents (`dingtalk://`, `wecombot://`, `feishu://`,
`lark://`) and the bots' own https webhook addresses into one `BotTarget`.

Parsing is a pure function: it neither registers secrets nor touches the network. A bad URL
raises `BotUrlError` whose message never repeats the token or the secret.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, urlsplit

from watcher.errors import BotUrlError

# Options every apprise URL may carry. They change nothing here (Watcher always sends plain
# text, truncated to fit) but are accepted so that a URL apprise took is not refused now.
APPRISE_OPTIONS = frozenset({"format", "overflow", "emojis", "store", "tz", "rto", "cto",
                             "redirect"})
_TRUE = frozenset({"yes", "true", "on", "1", "enable", "enabled"})
_FALSE = frozenset({"no", "false", "off", "0", "disable", "disabled"})
_PHONE = re.compile(r"^\+?[0-9\s)(+-]+$")


@dataclass(frozen=True)
class Scheme:
    """What one platform's URL may hold. Patterns follow apprise's plugins, so the same
    strings pass or fail in both."""

    name: str
    default_base: str  # scheme and host of the real API
    token: re.Pattern[str]
    token_option: str  # the query option that may carry the token instead of the host
    secret: re.Pattern[str] | None  # None: the platform has no signing
    allowed: str  # the characters token and secret may hold, in words for error messages
    mentions: bool = False  # DingTalk only: phone numbers to @ in the path or ?to=


SCHEMES: dict[str, Scheme] = {
    "dingtalk": Scheme("dingtalk", "https://oapi.dingtalk.com", re.compile(r"^[a-z0-9]+$", re.I),
                       "token", re.compile(r"^[a-z0-9]+$", re.I), "letters and digits",
                       mentions=True),
    "wecombot": Scheme("wecombot", "https://qyapi.weixin.qq.com",
                       re.compile(r"^[a-z0-9_-]+$", re.I), "key", None, "letters, digits, - and _"),
    # apprise's Feishu and Lark plugins cannot sign; the secret (signature verification, 签名校验)
    # is Watcher's addition, written as DingTalk's is: `{secret}@{token}` or `?secret=`.
    "feishu": Scheme("feishu", "https://open.feishu.cn", re.compile(r"^[a-z0-9_-]+$", re.I),
                     "token", re.compile(r"^[\x21-\x7e]+$"),
                     "letters, digits, - and _ (secret: any ASCII but spaces)"),
    "lark": Scheme("lark", "https://open.larksuite.com", re.compile(r"^[a-z0-9-]+$", re.I),
                   "token", re.compile(r"^[\x21-\x7e]+$"),
                   "letters, digits and - (secret: any ASCII but spaces)"),
}

# The webhook addresses the platforms hand out, taken as their scheme's URL (apprise routes
# two of them to its own plugins, whose success would not be true either).
_NATIVE = (
    (re.compile(r"^https?://oapi\.dingtalk\.com/robot/send/?\?access_token=([^&]+)&?(.*)$", re.I),
     "dingtalk"),
    (re.compile(r"^https?://qyapi\.weixin\.qq\.com/cgi-bin/webhook/send/?\?key=([^&]+)&?(.*)$",
                re.I), "wecombot"),
    (re.compile(r"^https?://open\.feishu\.cn/open-apis/bot/v2/hook/([^/?]+)/?\??(.*)$", re.I),
     "feishu"),
    (re.compile(r"^https?://open\.larksuite\.com/open-apis/bot/v2/hook/([^/?]+)/?\??(.*)$", re.I),
     "lark"),
)


@dataclass(frozen=True)
class BotTarget:
    platform: str
    token: str = field(repr=False)
    base: str  # scheme://host[:port] the API path is appended to
    secret: str | None = field(default=None, repr=False)
    mentions: tuple[str, ...] = ()
    verify: bool = True  # apprise's ?verify=no, for a relay with its own certificate

    @property
    def label(self) -> str:
        """The target as it may be shown: the platform, never the token or the secret."""
        where = "" if self.base == SCHEMES[self.platform].default_base else f"?base={self.base}"
        return f"{self.platform}://****/{where}"


def handles(url: str) -> bool:
    """Whether `url` is one of the chat-bot URLs sent here rather than through apprise."""
    scheme = url.strip().partition("://")[0].lower()
    return scheme in SCHEMES or _native(url.strip()) is not None


def parse_bot_url(url: str) -> BotTarget:
    """The target `url` names; raises BotUrlError saying what is wrong with it."""
    url = _native(url.strip()) or url.strip()
    parts = urlsplit(url)
    scheme = SCHEMES.get(parts.scheme.lower())
    if scheme is None:
        raise BotUrlError(f"not a chat-bot URL (one of {', '.join(s + '://' for s in SCHEMES)})")
    # parse_qsl decodes the options; an empty one counts as absent, as in apprise.
    options = {key: value for key, value in parse_qsl(parts.query) if value}
    userinfo, _, host = parts.netloc.rpartition("@")
    token = options.pop(scheme.token_option, unquote(host))
    secret = options.pop("secret", unquote(userinfo)) or None
    path = [unquote(p) for p in parts.path.split("/") if p]
    target = BotTarget(
        platform=scheme.name,
        token=_checked_token(scheme, token),
        base=_checked_base(options.pop("base", None), scheme.default_base),
        secret=_checked_secret(scheme, secret),
        mentions=_checked_mentions(scheme, path, options.pop("to", "") if scheme.mentions else ""),
        verify=_checked_bool("verify", options.pop("verify", "yes")),
    )
    unknown = sorted(set(options) - APPRISE_OPTIONS)
    if unknown:
        raise BotUrlError(f"{scheme.name}:// has no option {', '.join(unknown)}")
    return target


def _native(url: str) -> str | None:
    for pattern, platform in _NATIVE:
        match = pattern.match(url)
        if match:
            token, rest = match.groups()
            return f"{platform}://{token}/" + (f"?{rest}" if rest else "")
    return None


def _checked_token(scheme: Scheme, token: str) -> str:
    if not token:
        raise BotUrlError(f"{scheme.name}:// needs a token: {scheme.name}://{{token}}/")
    if not scheme.token.match(token):
        raise BotUrlError(f"{scheme.name}:// token has characters a {scheme.name} token "
                          f"never has (only {scheme.allowed})")
    return token


def _checked_secret(scheme: Scheme, secret: str | None) -> str | None:
    if secret is None:
        return None
    if scheme.secret is None:
        raise BotUrlError(f"{scheme.name}:// takes no secret: its bots do not sign messages")
    if not scheme.secret.match(secret):
        raise BotUrlError(f"{scheme.name}:// secret has characters a {scheme.name} secret "
                          f"never has (only {scheme.allowed})")
    return secret


def _checked_base(base: str | None, default: str) -> str:
    if base is None:
        return default
    parts = urlsplit(base)
    try:
        parts.port  # noqa: B018 -- raises ValueError for a port out of range or not a number
    except ValueError:
        raise BotUrlError(f"base {base!r} has a bad port") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BotUrlError(f"base {base!r} is not an http:// or https:// address")
    if parts.path.strip("/") or parts.query or parts.fragment or "@" in parts.netloc:
        raise BotUrlError(f"base {base!r} may hold only scheme, host and port: "
                          "the API path is added to it")
    return f"{parts.scheme}://{parts.netloc}"


def _checked_mentions(scheme: Scheme, path: list[str], to: str) -> tuple[str, ...]:
    listed = path + [t for t in re.split(r"[,;]", to) if t.strip()]
    if listed and not scheme.mentions:
        raise BotUrlError(f"{scheme.name}:// takes nothing after the token "
                          f"(found {len(listed)} more path part(s))")
    phones = []
    for entry in listed:
        digits = "".join(re.findall(r"\d", entry))
        if not _PHONE.match(entry) or not 11 <= len(digits) <= 14:
            raise BotUrlError(f"{scheme.name}:// {entry!r} is not a phone number to mention")
        phones.append(digits)
    return tuple(phones)


def _checked_bool(name: str, value: str) -> bool:
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise BotUrlError(f"?{name}= must be yes or no, not {value!r}")
