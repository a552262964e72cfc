"""Which mention is which: the identity of a mention and the fingerprint of its text.

A mention is new once per (source, external id). A connector that has no id for an item gets
one here: the canonical URL, else a hash of author and normalized text. Across sources the same
text is recognized by its fingerprint and linked to the first mention instead of ticketed again.
"""

from __future__ import annotations

import hashlib

from watcher.model import Mention
from watcher.text import canonical_url, normalize

# Below this many normalized characters two texts are too likely to match by chance ("差评",
# "质量很好") for the match to mean one is a repost of the other.
MIN_FINGERPRINT_CHARS = 10


def identify(mention: Mention) -> str:
    """The mention's external id, falling back to its canonical URL, then to a content hash."""
    if mention.external_id:
        return str(mention.external_id).strip()
    if mention.url:
        return "url:" + canonical_url(mention.url)
    basis = f"{mention.author or ''}\n{normalize(mention.text)}"
    return "hash:" + hashlib.sha1(basis.encode()).hexdigest()


def fingerprint(text: str) -> str | None:
    """A hash of the normalized text, or None when the text is too short to be telling."""
    normalized = normalize(text)
    if len(normalized) < MIN_FINGERPRINT_CHARS:
        return None
    return hashlib.sha1(normalized.encode()).hexdigest()


def content_hash(mention: Mention) -> str:
    """Changes when the visible content changes: an edited mention is updated and rescored."""
    basis = f"{mention.title or ''}\n{mention.text}"
    return hashlib.sha1(basis.encode()).hexdigest()
