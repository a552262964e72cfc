"""The parts the Chinese platforms' kinds share (tousu, bilibili, douyin, xiaohongshu, weibo,
tmall, jd): `base_url`, `provider` ("direct" or "tikhub"), the TikHub envelope, the answers a
platform gives when it blocks a client, and one mention per post, comment or reply with its
author's audience.

Request shapes, signing and the blocking answers are collected, with their sources, in
../shared/fixtures/CN-PLATFORMS.md; each kind cites the parts it uses.

Parsing looks at the payload, not at who relayed it: TikHub wraps the platform's own JSON in
`{"code": 200, "request_id", "router", "params", "data": <the platform's answer>}`
(CN-PLATFORMS.md section 2), so a kind unwraps that envelope when it is there and reads the same
platform shape either way.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

from connectors.jsonapi import loads_bounded, parse_json
from connectors.paging import Item, Page, sweep
from connectors.presets import JsonPreset, Paged, count, pick
from connectors.records import build_mention
from watcher import redaction
from watcher.config.schema import parse_url
from watcher.errors import ItemError, SourceErrorKind
from watcher.http.client import HttpStatusError
from watcher.model import FetchResult, SourceError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from watcher.config import SourceConfig
    from watcher.http.client import HttpClient, Response

TIKHUB = "https://api.tikhub.io"
# TikHub's own refusals (its API docs: 401 bad key, 402 balance used up, 429 over the QPS)
TIKHUB_REFUSALS = {
    401: "TikHub refused the token: renew `token` (the TikHub API key)",
    402: "TikHub balance used up: top up the TikHub account",
    429: "TikHub rate limit: slow down (raise page_delay or sweep less often)",
}
_JSONP = re.compile(r"[\w$.]*\s*\((.*)\)\s*;?", re.S)


def blocked(platform: str, code: Any, advice: str) -> SourceError:
    """The error of a platform that refused this client: its code, then what to do."""
    # kind `blocked`: the platform works, the client is shut out
    return SourceError(f"{platform} blocked the request ({code}): {advice}",
                       SourceErrorKind.BLOCKED)


@dataclass(frozen=True, kw_only=True)
class CnOptions(Paged):
    """The keys every Chinese platform's kind shares; each kind adds `provider` (its own choice
    of values and default) and what it watches."""

    base_url: str | None = None  # replaces scheme, host and port of every request (a relay)
    cookie: str | None = None  # ${ENV}: the Cookie header of a logged-in web session (direct)
    token: str | None = None  # ${ENV}: the TikHub API key (provider = "tikhub")
    page_delay: timedelta = timedelta(seconds=3)


def rebase(url: str, base_url: str | None) -> str:
    """`url` with the scheme, host and port of `base_url`; path and query kept."""
    if not base_url:
        return url
    base, parts = urlsplit(base_url), urlsplit(url)
    prefix = base.path.rstrip("/")
    return urlunsplit((base.scheme, base.netloc, prefix + parts.path, parts.query, ""))


def unwrap(document: Any) -> Any:
    """The platform's own answer: TikHub's `data` when the document is TikHub's envelope."""
    if isinstance(document, dict) and "request_id" in document and "data" in document \
            and ("router" in document or "message_zh" in document):
        return document["data"]
    return document


class CnPreset(JsonPreset):
    """A Chinese platform's kind. Subclasses say what to ask for (`address`, with the real
    hosts: `base_url` is applied here), how the platform refuses (`refusal` for an error
    status, `shut_out` for a body) and how to read a page (`page`)."""

    cookie_needed: ClassVar[bool] = False  # the direct provider needs `cookie`
    target_keys: ClassVar[tuple[str, ...]] = ()  # exactly one of these says what to watch
    name: ClassVar[str] = ""  # the platform as messages name it

    def check(self, options: Any) -> list[tuple[str, str]]:
        problems = super().check(options)
        set_keys = [key for key in self.target_keys if getattr(options, key, None)]
        if self.target_keys and len(set_keys) != 1:
            problems.append((self.target_keys[0],
                             f"set exactly one of {', '.join(self.target_keys)}"))
        provider = getattr(options, "provider", "direct")
        if provider == "tikhub" and not (options.token or "").strip():
            problems.append(("token", 'provider = "tikhub" needs token (the TikHub API key)'))
        cookie = (options.cookie or "").strip()
        if provider == "direct" and self.needs_cookie(options) and not cookie:
            problems.append(("cookie", f"{self.kind} needs a logged-in cookie"))
        if options.base_url:
            try:
                parse_url(options.base_url)
            except ValueError as exc:
                problems.append(("base_url", str(exc)))
        return problems

    def needs_cookie(self, options: Any) -> bool:
        return self.cookie_needed

    def default_url(self, options: Any) -> str:
        return ""

    def provider(self, source: SourceConfig) -> str:
        return str(getattr(source.options, "provider", "direct"))

    def headers(self, source: SourceConfig) -> dict[str, str]:
        options = source.options
        if self.provider(source) == "tikhub":
            headers = {"Authorization": "Bearer " + options.token}
            redaction.register(options.token)
        else:
            headers = dict(self.extra_headers)
            if options.cookie:
                redaction.register(options.cookie)
                headers["Cookie"] = options.cookie
        return {**headers, **source.headers}

    def refusal(self, source: SourceConfig, error: HttpStatusError) -> SourceError | None:
        """The blocked error an error status means, or None for an ordinary failure."""
        if self.provider(source) == "tikhub" and error.status in TIKHUB_REFUSALS:
            return blocked("tikhub", f"HTTP {error.status}", TIKHUB_REFUSALS[error.status])
        return None

    def shut_out(self, source: SourceConfig, document: Any, response: Response) -> None:
        """Raises the blocked error for an answer that says the client is shut out."""

    def page(self, source: SourceConfig, document: Any, response: Response, request: Any) -> Page:
        raise NotImplementedError

    async def get(self, source: SourceConfig, http: HttpClient, url: str,
                  headers: Mapping[str, str]) -> Response:
        """GET through `base_url`; an error status a platform uses to refuse is `blocked`."""
        try:
            return await http.get(rebase(url, source.options.base_url), headers=headers)
        except HttpStatusError as exc:
            if (error := self.refusal(source, exc)) is not None:
                raise error from None
            raise

    def document(self, source: SourceConfig, response: Response,
                 warnings: list[str] | None = None) -> Any:
        """The platform's answer: blocked answers raised, the TikHub envelope taken off; a
        body not valid in its encoding is read with U+FFFD and a warning in `warnings`."""
        self.check_response(response)
        document = parse_json(response, warnings)
        self.shut_out(source, document, response)
        payload = unwrap(document)
        if payload is not document:
            self.shut_out(source, payload, response)
        return payload

    async def context(self, source: SourceConfig, http: HttpClient,
                      headers: Mapping[str, str]) -> Any:
        """What every request of one sweep needs first (Bilibili's signing key); None here."""
        return None

    def locate(self, source: SourceConfig, request: Any, context: Any) -> str:
        """The URL of `request` (before `base_url`); `context` is what `context` gave."""
        return self.address(source, request)

    async def fetch(self, source: SourceConfig, cursor: dict[str, Any],
                    http: HttpClient) -> FetchResult:
        headers = self.headers(source)
        context = await self.context(source, http, headers)

        async def read(request: Any) -> Page:
            url = self.locate(source, request, context)
            response = await self.get(source, http, url, headers)
            warnings: list[str] = []
            page = self.page(source, self.document(source, response, warnings), response,
                             request)
            page.warnings[:0] = warnings
            return page

        return await sweep(read, self.first(source, cursor), cursor, source.options)

    def post(self, source: SourceConfig, raw: Any, *, id: Any, text: Any, author: Any,
             time: Any, url: str | None = None, title: Any = None, followers: Any = None,
             verified: Any = None, parent: Any = None, rating: Any = None,
             engagement: Mapping[str, Any] | None = None, key: Any = "time",
             pinned: bool = False, replies: Any = None, thread: bool = False) -> Item:
        """The Item of one post, comment or reply. Raises ItemError for one without an id,
        text or ordering key."""
        if id in (None, ""):
            raise ItemError("no id")
        values = {"id": str(id), "text": text, "title": title, "author": author, "url": url,
                  "time": time, "rating": rating}
        mention = build_mention(values, source=source, platform=self.platform(source),
                                base_url="", raw=raw)
        mention.author_followers = count(followers)
        mention.author_verified = verified if isinstance(verified, bool) else None
        mention.parent_id = str(parent) if parent not in (None, "", 0, "0") else None
        mention.engagement = {name: n for name, value in (engagement or {}).items()
                              if (n := count(value)) is not None}
        if key == "time":
            if mention.created_at is None:
                raise ItemError(f"no readable created time ({time!r})")
            key = mention.created_at.timestamp()
        return Item(mention, key, pinned, replies, thread)


def items_of(document: Any, path: str, platform: str) -> list[Any]:
    """The list at `path`; None or a missing key there is an empty list, anything else is a
    changed shape (an error for the source)."""
    found = pick(document, path)
    if found is None:
        return []
    if not isinstance(found, list):
        raise SourceError(f"changed shape: {platform} answer's {path} is "
                          f"{type(found).__name__}, not a list", "parse")
    return found


def read_items(page: Page, raws: list[Any], make: Any) -> None:
    """Adds `make(raw)` for each raw item to `page` (an Item or a list of them); an item that
    cannot be read is a warning, the rest of the page goes on."""
    for index, raw in enumerate(raws):
        try:
            made = make(raw)
        except ItemError as exc:
            page.warnings.append(f"item {index}: {exc}")
            continue
        page.items.extend(made if isinstance(made, list) else [made])


def jsonp(response: Response, platform: str, warnings: list[str] | None = None) -> Any:
    """The JSON inside `callback(...)` (or bare JSON), decoded by the declared charset, else
    UTF-8, else GB 18030 (JD answers GBK without saying so), its bad bytes read as U+FFFD
    with a warning in `warnings`."""
    try:
        text = response.content.decode(response.charset or "utf-8")
    except (UnicodeDecodeError, LookupError):
        text = response.content.decode("gb18030", errors="replace")
        if "\ufffd" in text and warnings is not None:
            warnings.append(f"the page is not valid GB 18030 either: "
                            f"{text.count(chr(0xFFFD))} bad bytes read as U+FFFD")
    match = _JSONP.fullmatch(text.strip())
    body = match.group(1) if match else text
    try:
        return loads_bounded(body)
    except json.JSONDecodeError as exc:
        raise SourceError(f"changed shape: {platform} answered neither JSONP nor JSON "
                          f"({exc.msg} at {exc.pos})", "parse") from None
