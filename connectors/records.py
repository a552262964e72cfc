"""Builds a Mention from the raw field values a generic connector picked out of one item."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any
from urllib.parse import urljoin

from watcher.errors import ItemError
from watcher.model import Mention
from watcher.text import collapse, html_to_text, language
from watcher.timeparse import parse_time


@dataclass(frozen=True)
class FieldPaths:
    """Where each field of a Mention is found in an item (dotted path or CSS selector)."""

    id: str | None = None
    text: str | None = None
    title: str | None = None
    author: str | None = None
    url: str | None = None
    time: str | None = None
    rating: str | None = None


FIELD_NAMES = tuple(f.name for f in fields(FieldPaths))


def build_mention(
    values: dict[str, Any], *, source: Any, platform: str, base_url: str, raw: Any
) -> Mention:
    """A Mention from picked values; raises ItemError when the item has no text at all."""
    text = _text(values.get("text"))
    title = _text(values.get("title"))
    if not text and not title:
        raise ItemError("item has no text or title")
    url = _string(values.get("url"))
    return Mention(
        source=source.name,
        platform=platform,
        external_id=_string(values.get("id")),
        url=urljoin(base_url, url) if url else None,
        author=_text(values.get("author")),
        title=title,
        text=text or title or "",
        created_at=parse_time(values.get("time"), source.tz),
        language=language(f"{title or ''} {text or ''}"),
        rating=_rating(values.get("rating")),
        raw=raw,
    )


def _string(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    text = str(value).strip()
    return text or None


def _text(value: Any) -> str | None:
    text = _string(value)
    return collapse(html_to_text(text)) or None if text else None


def _rating(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value) if value is not None and str(value).strip() else None
    except ValueError:
        return None
