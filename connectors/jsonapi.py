"""`json`: any JSON API. `items` is the dotted path to the list of items, `fields` maps each
Mention field to a dotted path inside one item."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from connectors.base import SinglePageConnector
from connectors.paths import MISSING, lookup
from connectors.records import FIELD_NAMES, FieldPaths, build_mention
from watcher.errors import ItemError, SourceError
from watcher.model import FetchResult

if TYPE_CHECKING:
    from watcher.config import SourceConfig
    from watcher.http.client import Response


@dataclass(frozen=True)
class JsonOptions:
    items: str = ""  # dotted path to the list; "" when the document itself is the list
    fields: FieldPaths = FieldPaths(id="id", text="text")


class JsonConnector(SinglePageConnector):
    kind = "json"
    Options = JsonOptions

    def check(self, options: JsonOptions) -> list[tuple[str, str]]:
        if not options.fields.text and not options.fields.title:
            return [("fields", "set at least one of fields.text and fields.title")]
        return []

    def read(self, source: SourceConfig, response: Response, result: FetchResult) -> None:
        document = parse_json(response)
        items = lookup(document, source.options.items)
        if items is MISSING or not isinstance(items, list):
            found = "nothing" if items is MISSING else type(items).__name__
            where = source.options.items or "the document"
            raise SourceError(f"items path {where!r} is not a list (found {found})", "parse")
        platform = self.platform(source)
        for index, item in enumerate(items):
            fields = source.options.fields
            values = {name: _pick(item, getattr(fields, name)) for name in FIELD_NAMES}
            try:
                result.mentions.append(
                    build_mention(values, source=source, platform=platform,
                                  base_url=response.url, raw=item)
                )
            except ItemError as exc:
                result.warnings.append(f"item {index}: {exc}")


def parse_json(response: Response) -> Any:
    """The parsed body; a SourceError that says what came instead when it is not JSON."""
    try:
        return json.loads(response.content)
    except UnicodeDecodeError:
        raise SourceError("expected JSON, got a body that is not UTF-8 text", "parse") from None
    except json.JSONDecodeError as exc:
        head = response.content[:512].lstrip().lower()
        if "html" in response.content_type or head.startswith((b"<!doctype", b"<html", b"<")):
            raise SourceError(
                f"expected JSON, got an HTML page ({response.content_type or 'no content type'})",
                "parse",
            ) from None
        raise SourceError(f"not valid JSON: {exc.msg} at byte {exc.pos}", "parse") from None


def _pick(item: Any, path: str | None) -> Any:
    if not path:
        return None
    value = lookup(item, path)
    return None if value is MISSING else value


CONNECTOR = JsonConnector()
