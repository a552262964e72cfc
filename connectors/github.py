"""`github`: issues and pull requests matching `query` (GitHub search syntax, e.g.
`"acme app" crash is:issue`), newest first, older pages by the `Link` header. Search allows 10
requests a minute without a `token` and 30 with one; when `x-ratelimit-remaining` reaches 0 the
sweep stops and waits until `x-ratelimit-reset`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from connectors.paging import Item, Page, next_link, spent, with_query
from connectors.presets import Counts, JsonPreset, Paged, pick
from connectors.records import FieldPaths

if TYPE_CHECKING:
    from collections.abc import Mapping

    from watcher.config import SourceConfig
    from watcher.http.client import Response

ENDPOINT = "https://api.github.com/search/issues"
_COMMENT = re.compile(r"<!--.*?(-->|$)", re.S)
_TAGS = ("a|b|blockquote|br|code|del|details|div|em|h[1-6]|hr|i|img|ins|kbd|li|ol|p|picture|pre"
         "|s|samp|source|span|strong|sub|summary|sup|table|tbody|td|th|thead|tr|tt|ul|video")
_NOT_A_TAG = re.compile(rf"<(?!/?(?:{_TAGS})\b)")


@dataclass(frozen=True, kw_only=True)
class GitHubOptions(Paged):
    query: str
    token: str | None = None  # ${ENV}; without it, anonymous access (10 searches a minute)
    per_page: int = 50
    page_delay: timedelta = timedelta(seconds=2)


class GitHubConnector(JsonPreset):
    kind = "github"
    Options = GitHubOptions
    required_text = ("query",)
    items = "items"
    fields = FieldPaths(id="id", title="title", text="body", author="user.login",
                        url="html_url", time="created_at")
    counts = Counts(likes="reactions.+1", replies="comments")
    extra_headers: ClassVar[Mapping[str, str]] = {"Accept": "application/vnd.github+json"}
    credential = ("Authorization", "token", "Bearer ")
    # GitHub answers a spent rate limit with 403 too; the HTTP layer does not pass on the
    # headers that would tell the two apart
    refused = ("GitHub refused the request: the rate limit is spent, or the token was "
               "rejected or lacks access")

    def default_url(self, options: GitHubOptions) -> str:
        return ENDPOINT

    def first(self, source: SourceConfig, cursor: Mapping[str, Any]) -> str:
        options = source.options
        return with_query(self.endpoint(source), {
            "q": options.query, "sort": "created", "order": "desc", "per_page": options.per_page,
        })

    def address(self, source: SourceConfig, request: str) -> str:
        return request  # the first URL, then the Link header's, which carries every parameter

    def next(self, document: Any, response: Response, request: str) -> Any:
        return next_link(response)

    def limit(self, document: Any, response: Response) -> tuple[str | None, float]:
        return spent(response.headers, "x-ratelimit-remaining", "x-ratelimit-reset", epoch=True)

    def page(self, source: SourceConfig, document: Any, response: Response, request: Any) -> Page:
        page = super().page(source, document, response, request)
        if pick(document, "incomplete_results") is True:
            page.warnings.append("GitHub's search timed out: this page may be incomplete")
        return page

    def item(self, source: SourceConfig, issue: Any) -> Item:
        values = self.values(issue)
        values["text"] = _markdown(values["text"])
        return self.make(source, values, issue)


def _markdown(body: Any) -> Any:
    """Markdown with its HTML comments dropped (issue templates are full of them, and their
    words would be scored as the reporter's) and every `<` that opens no HTML tag GitHub renders
    escaped, so that stripping the HTML keeps `std::vector<int>` and `#include <stdio.h>`."""
    if not isinstance(body, str):
        return body
    return _NOT_A_TAG.sub("&lt;", _COMMENT.sub("", body))


CONNECTOR = GitHubConnector()
