"""Every alert target (apprise URL) the config names, by where it is written: the outbox keeps
that place ("alerts.on_duty[0]", "duty.shifts[1].notify[0]", "reports.to[0]") with a short
digest of the URL ("alerts.on_duty[0]#3f2a9c1d0b7e"), never the URL, whose tokens and passwords
stay in config.toml and its environment; the dispatcher looks the URL up when it sends, in the
config it runs with then. The digest follows a target the admin moved within the config (a list
reordered while alerts wait); a target edited in place (a rotated token) is found by its place."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from watcher.config.document import Config
from watcher.redaction import redact

# Rows queued before references named their target by the SHA-1 of its URL (the 'targets'
# migration): they still find a target the config holds unchanged.
LEGACY = "sha1:"
DIGEST_CHARS = 12  # 48 bits: tells a handful of configured URLs apart, reveals nothing of one
ALERT_LISTS = ("on_duty", "supervisor", "manager", "operators")


def url_digest(url: str) -> str:
    return hashlib.sha1(url.encode()).hexdigest()


@dataclass(frozen=True)
class AlertTargets:
    urls: Mapping[str, str]  # reference -> URL, in the config's order

    def reference(self, url: str) -> str:
        """The first place the config names `url`, with its digest; ValueError when it names it
        nowhere."""
        for place, configured in self.urls.items():
            if configured == url:
                return f"{place}#{url_digest(url)[:DIGEST_CHARS]}"
        raise ValueError(f"{redact(url)} is not an alert target in the config")

    def url(self, reference: str) -> str | None:
        """The URL `reference` names in the config now: the same URL wherever it moved, else
        what the config holds at the same place (edited there), else None (gone)."""
        if reference.startswith(LEGACY):
            digest = reference.removeprefix(LEGACY)
            return next((u for u in self.urls.values() if url_digest(u) == digest), None)
        place, _, digest = reference.partition("#")
        if digest:
            here = self.urls.get(place)
            if here is not None and url_digest(here).startswith(digest):
                return here
            moved = next((u for u in self.urls.values() if url_digest(u).startswith(digest)),
                         None)
            if moved is not None:
                return moved
        return self.urls.get(place)


def place(reference: str) -> str:
    """Where in the config a reference points, as an admin reads it ("alerts.on_duty[0]")."""
    return reference.partition("#")[0]


def alert_targets(config: Config) -> AlertTargets:
    pairs = [(f"alerts.{name}[{i}]", url) for name in ALERT_LISTS
             for i, url in enumerate(getattr(config.alerts, name))]
    pairs += [(f"duty.shifts[{s}].notify[{i}]", url) for s, shift in enumerate(config.duty.shifts)
              for i, url in enumerate(shift.notify)]
    pairs += [(f"reports.to[{i}]", url) for i, url in enumerate(config.reports.to)]
    return AlertTargets(dict(pairs))
