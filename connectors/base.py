"""What every connector is: a kind name, its declared options and an async fetch."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

from watcher.model import FetchResult

if TYPE_CHECKING:
    from watcher.config import SourceConfig
    from watcher.http.client import HttpClient, Response


@dataclass(frozen=True)
class NoOptions:
    """For kinds with no keys of their own."""


class Connector:
    """Subclasses set `kind`, `Options` (a frozen dataclass of their keys) and `fetch`.

    `fetch` raises `watcher.model.SourceError` for a source it cannot read; the pipeline records
    it for that source and the sweep goes on. Items it can read are returned even when others on
    the same page are broken (those become warnings).
    """

    kind: ClassVar[str]
    Options: ClassVar[type] = NoOptions
    requires_url: ClassVar[bool] = True

    def check(self, options: Any) -> list[tuple[str, str]]:
        """Problems with the options beyond their types, as (key, message)."""
        return []

    def platform(self, source: SourceConfig) -> str:
        """The platform name shown to staff: the configured one, else the URL's host."""
        if source.platform:
            return source.platform
        host = urlsplit(source.url or "").hostname or self.kind
        return host.removeprefix("www.")

    async def fetch(
        self, source: SourceConfig, cursor: dict[str, Any], http: HttpClient
    ) -> FetchResult:
        raise NotImplementedError


async def get_conditional(
    source: SourceConfig, cursor: dict[str, Any], http: HttpClient, url: str | None = None
) -> tuple[Any, dict[str, Any]]:
    """GET the source's URL with the validators remembered in its cursor.

    Returns the response and the cursor to keep (with the new ETag / Last-Modified).
    """
    target = url or source.url
    assert target, "a connector that requires a url has one"
    response = await http.get(target, headers=source.headers, validators=cursor.get("http"))
    new_cursor = {**cursor, "http": response.validators} if response.validators else dict(cursor)
    return response, new_cursor


class SinglePageConnector(Connector):
    """A kind that reads one page per fetch, the source's URL, with conditional requests:
    `read` turns an answer into mentions; a 304 means nothing new and is never read."""

    async def fetch(
        self, source: SourceConfig, cursor: dict[str, Any], http: HttpClient
    ) -> FetchResult:
        response, new_cursor = await get_conditional(source, cursor, http)
        if response.not_modified:
            return FetchResult([], new_cursor, not_modified=True)
        result = FetchResult([], new_cursor)
        self.read(source, response, result)
        return result

    def read(self, source: SourceConfig, response: Response, result: FetchResult) -> None:
        """Adds the answer's mentions (and warnings) to `result`; raises SourceError when the
        answer cannot be read as this kind at all."""
        raise NotImplementedError
