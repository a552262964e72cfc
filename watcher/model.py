"""The plain values that flow from stage to stage: what a connector hands the pipeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# SourceError lives in watcher.errors; it stays importable from here for watcher.http.client
# (owned by the HTTP layer's work) and the connectors being written in parallel.
from watcher.errors import SourceError as SourceError


@dataclass
class Mention:
    """One post, review or comment as a connector found it, normalized.

    `external_id` may be left empty by a connector that has none; the pipeline then falls back to
    the canonical URL, then to a hash of author and normalized text (watcher.intake.dedup.identify).
    """

    source: str
    platform: str
    text: str
    external_id: str | None = None
    url: str | None = None
    author: str | None = None
    author_followers: int | None = None  # the author's audience, where the platform tells it
    author_verified: bool | None = None  # a platform-verified account (a "V", a blue tick)
    parent_id: str | None = None  # a reply's: the external id of what it replies to
    title: str | None = None
    created_at: datetime | None = None  # timezone-aware; None when the platform gives no date
    language: str | None = None
    rating: float | None = None
    engagement: dict[str, int] = field(default_factory=dict)  # likes, reposts, replies
    raw: Any = None  # the platform's own record, kept for audit


@dataclass
class FetchResult:
    """What one fetch of one source gave: the mentions and the cursor for the next fetch."""

    mentions: list[Mention]
    cursor: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    not_modified: bool = False
