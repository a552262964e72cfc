"""Dotted paths into parsed JSON: `data.cards`, `user.screen_name`, `items.0.id`."""

from __future__ import annotations

from typing import Any

MISSING = object()


def lookup(document: Any, path: str) -> Any:
    """The value at `path` ("" is the document itself), or MISSING."""
    value = document
    for part in path.split(".") if path else ():
        if isinstance(value, dict):
            value = value.get(part, MISSING)
        elif isinstance(value, list) and part.lstrip("-").isdigit():
            index = int(part)
            value = value[index] if -len(value) <= index < len(value) else MISSING
        else:
            return MISSING
        if value is MISSING:
            return MISSING
    return value
