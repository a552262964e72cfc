"""`html`: any web page. `items` is a CSS selector for each item; `fields` are CSS selectors
relative to the item, with `@attr` for an attribute (`a@href`, or `@data-id` on the item)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from connectors.base import SinglePageConnector
from connectors.records import FIELD_NAMES, FieldPaths, build_mention
from watcher.errors import ItemError, SourceError
from watcher.model import FetchResult

if TYPE_CHECKING:
    from bs4 import Tag

    from watcher.config import SourceConfig
    from watcher.http.client import Response


@dataclass(frozen=True)
class HtmlOptions:
    items: str
    fields: FieldPaths = FieldPaths(url="a@href")  # text defaults to the item's whole text


class HtmlConnector(SinglePageConnector):
    kind = "html"
    Options = HtmlOptions

    def check(self, options: HtmlOptions) -> list[tuple[str, str]]:
        import soupsieve  # lazy: ~65 ms that a config without html sources does not pay

        problems = []
        selectors = {"items": options.items}
        for name in FIELD_NAMES:
            spec = getattr(options.fields, name)
            if spec and spec.partition("@")[0].strip():
                selectors[f"fields.{name}"] = spec.partition("@")[0]
        for key, selector in selectors.items():
            try:
                soupsieve.compile(selector)
            except soupsieve.SelectorSyntaxError as exc:
                problems.append((key, f"not a valid CSS selector: {exc}".splitlines()[0]))
        return problems

    def read(self, source: SourceConfig, response: Response, result: FetchResult) -> None:
        from bs4 import BeautifulSoup  # lazy: ~70 ms, only when an html source answers

        if b"\x00" in response.content[:1024]:
            raise SourceError("expected an HTML page, got binary data", "parse")
        soup = BeautifulSoup(response.content, "lxml", from_encoding=response.charset)
        items = soup.select(source.options.items)
        if not items:
            result.warnings.append(f"no element matches items selector {source.options.items!r}")
        platform = self.platform(source)
        for index, item in enumerate(items):
            fields = source.options.fields
            values = {name: pick(item, getattr(fields, name)) for name in FIELD_NAMES}
            if values["text"] is None and not source.options.fields.text:
                values["text"] = item.get_text(" ", strip=True)
            try:
                result.mentions.append(
                    build_mention(values, source=source, platform=platform,
                                  base_url=response.url, raw=str(item)[:4000])
                )
            except ItemError as exc:
                result.warnings.append(f"item {index}: {exc}")


def pick(item: Tag, spec: str | None) -> str | None:
    """The text (or `@attr`) of the first element matching `spec` within `item`."""
    if not spec:
        return None
    selector, _, attribute = spec.partition("@")
    element = item.select_one(selector) if selector.strip() else item
    if element is None:
        return None
    if attribute:
        value = element.get(attribute)
        return " ".join(value) if isinstance(value, list) else value
    return str(element.get_text(" ", strip=True))


CONNECTOR = HtmlConnector()
