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

# Real APIs nest a few tens of levels. Deeper documents are refused: storing an item's raw
# record and reading it back recurse once per level, and Python's stack stops at ~1,000.
MAX_JSON_DEPTH = 200


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
        document = parse_json(response, result.warnings)
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


def parse_json(response: Response, warnings: list[str] | None = None) -> Any:
    """The parsed body; a SourceError that says what came instead when it is not JSON, or when
    it is nested deeper than MAX_JSON_DEPTH. Bytes that are not valid in the page's encoding
    become U+FFFD, with a warning in `warnings`: one bad byte costs a character, not the page."""
    try:
        try:
            return loads_bounded(response.content)
        except UnicodeDecodeError:
            text = response.text()  # the declared charset, else UTF-8; bad bytes replaced
            document = loads_bounded(text)
            if warnings is not None:
                warnings.append(f"the page is not valid {response.charset or 'UTF-8'}: "
                                f"{text.count(chr(0xFFFD))} bad bytes read as U+FFFD")
            return document
    except json.JSONDecodeError as exc:
        head = response.content[:512].lstrip().lower()
        if "html" in response.content_type or head.startswith((b"<!doctype", b"<html", b"<")):
            raise SourceError(
                f"expected JSON, got an HTML page ({response.content_type or 'no content type'})",
                "parse",
            ) from None
        raise SourceError(f"not valid JSON: {exc.msg} at byte {exc.pos}", "parse") from None


def loads_bounded(data: str | bytes) -> Any:
    """json.loads, with a document nested deeper than MAX_JSON_DEPTH refused as a SourceError
    (kind parse) instead of a RecursionError or a record too deep to store."""
    try:
        document = json.loads(data)
    except RecursionError:  # deeper than the parser itself goes (~1,000 levels)
        document = None
    else:
        if not _deeper_than(document, MAX_JSON_DEPTH):
            return document
    raise SourceError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels", "parse")


def _deeper_than(document: Any, limit: int) -> bool:
    """Whether containers nest more than `limit` levels; without recursion, so that a deep
    document cannot exhaust the stack here either."""
    stack = [(document, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def _pick(item: Any, path: str | None) -> Any:
    if not path:
        return None
    value = lookup(item, path)
    return None if value is MISSING else value


CONNECTOR = JsonConnector()
