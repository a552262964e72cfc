"""Staff corrections of the scorer, and the fits of the deployment's adjustment made from them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, case, func, insert, select, update

from watcher.records import TicketStatus
from watcher.store.db import Store
from watcher.store.schema import adjustments, corrections, mentions, tickets

TRAINING_LIMIT = 5_000  # the newest corrections a fit reads; older ones have had their say
TEXT_LIMIT = 2_000  # characters of each a fit reads: a pattern shows in the first lines


def add(conn: Connection, values: dict[str, Any]) -> int:
    return int(conn.execute(insert(corrections).values(**values)
                            .returning(corrections.c.id)).scalar_one())


@dataclass(frozen=True)
class Example:
    id: int
    text: str
    complaint: bool
    category: str | None = None  # the category staff gave, if they gave one


def examples(conn: Connection, limit: int = TRAINING_LIMIT) -> list[Example]:
    """The newest corrections, oldest first: what staff said each text is."""
    text = func.substr(corrections.c.text, 1, TEXT_LIMIT)
    query = (select(corrections.c.id, text, corrections.c.complaint, corrections.c.category)
             .order_by(corrections.c.id.desc()).limit(limit))
    return sorted((Example(i, t, bool(c), category) for i, t, c, category
                   in conn.execute(query)), key=lambda e: e.id)


def newest_id(conn: Connection) -> int:
    return int(conn.execute(select(func.coalesce(func.max(corrections.c.id), 0))).scalar_one())


def last_fit_upto(conn: Connection) -> int:
    """The newest correction the last fit (kept or not) saw; 0 before any fit."""
    query = select(func.coalesce(func.max(adjustments.c.upto), 0))
    return int(conn.execute(query).scalar_one())


def claim_night(store: Store, conn: Connection, night: str, *, by: str, now: datetime
                ) -> int | None:
    """Claims tonight's fit for this replica: the new row's id, or None when another has it.
    The row sees no correction until the fit is recorded: a fit that dies leaves the
    corrections pending for the next night."""
    statement = store.insert_ignoring_conflicts(adjustments).values(
        at=now, by=by, night=night, upto=0, corrections=0, kept=False, figures={},
        note="fitting").returning(adjustments.c.id)
    found = conn.execute(statement).first()
    return int(found[0]) if found else None


def record_fit(conn: Connection, values: dict[str, Any], fit_id: int | None = None) -> int:
    """Records a fit: a new row, or the claimed night's row `fit_id` filled in."""
    if fit_id is not None:
        conn.execute(update(adjustments).where(adjustments.c.id == fit_id).values(**values))
        return fit_id
    return int(conn.execute(insert(adjustments).values(**values)
                            .returning(adjustments.c.id)).scalar_one())


def current(conn: Connection) -> tuple[int, Any] | None:
    """The newest kept adjustment: (its id, its model), or None when none was kept."""
    query = (select(adjustments.c.id, adjustments.c.model).where(adjustments.c.kept.is_(True))
             .order_by(adjustments.c.id.desc()).limit(1))
    found = conn.execute(query).first()
    return (int(found[0]), found[1]) if found else None


def current_id(conn: Connection) -> int | None:
    query = (select(adjustments.c.id).where(adjustments.c.kept.is_(True))
             .order_by(adjustments.c.id.desc()).limit(1))
    found = conn.execute(query).scalar()
    return int(found) if found is not None else None


def ticket_outcomes(conn: Connection, since: datetime) -> list[tuple[str, datetime, bool]]:
    """(source, created_at, found not a complaint) of every ticket made since `since`."""
    fp = case((tickets.c.status == TicketStatus.FALSE_POSITIVE, True), else_=False)
    query = (select(mentions.c.source, tickets.c.created_at, fp)
             .join(mentions, mentions.c.id == tickets.c.mention_id)
             .where(tickets.c.created_at >= since))
    return [(source, at, bool(flag)) for source, at, flag in conn.execute(query)]
