"""Suggested first replies (001 标准化话术: 致歉 + 重视 + 初步方案): the reply for a ticket's
gravest risk, else for its category, from config.toml's [[replies]] where it has one for that
risk or category, else the one Watcher ships (data/replies.toml), with its placeholders filled.
"""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING

from watcher.config.schema import Problems, convert
from watcher.config.sections import PLACEHOLDER, Reply, reply_problems
from watcher.reasons import CATEGORY_NAMES, PLATFORM_NAMES
from watcher.records import Ticket

if TYPE_CHECKING:
    from watcher.config import Config

SHIPPED = Path(__file__).parent / "data" / "replies.toml"
# Gravest first: the level 1 risks, then the level 2 ones.
RISK_ORDER = ("safety", "money", "group", "regulator", "media", "legal", "complaint_platform",
              "deadline", "reach", "repeat")


@functools.cache
def shipped() -> tuple[Reply, ...]:
    """The replies Watcher ships; a broken file is a bug, so it fails loudly."""
    problems = Problems()
    raw = tomllib.loads(SHIPPED.read_text(encoding="utf-8"))
    replies: tuple[Reply, ...] = convert(tuple[Reply, ...], raw["replies"], "replies", problems)
    for reply in replies:
        problems.extend(f"{reply}: {key}: {message}" for key, message in reply_problems(reply))
    if problems:
        raise RuntimeError(f"{SHIPPED}: {'; '.join(problems)}")
    return replies


def choose(configured: tuple[Reply, ...], risks: list[str], category: str) -> Reply | None:
    """The reply for the gravest of `risks` there is one for, else for `category` (else
    `other`); the config's own replace the shipped ones of the same risk or category."""
    table = {_key(r): r for r in (*shipped(), *configured)}
    for risk in RISK_ORDER:
        if risk in risks and ("risk", risk) in table:
            return table["risk", risk]
    return table.get(("category", category)) or table.get(("category", "other"))


def _key(reply: Reply) -> tuple[str, str | None]:
    return ("risk", reply.risk) if reply.risk else ("category", reply.category)


def suggested_reply(config: Config, ticket: Ticket) -> str | None:
    """The first reply to suggest for a ticket."""
    reply = choose(config.replies, list(ticket.risks), ticket.category)
    if reply is None:
        return None
    values = {
        "author": ticket.author or "",
        "platform": PLATFORM_NAMES.get(ticket.platform, ticket.platform),
        "category": CATEGORY_NAMES.get(ticket.category, ticket.category),
        "ticket": str(ticket.id),
    }
    return PLACEHOLDER.sub(lambda found: values.get(found[1], found[0]), reply.text)
