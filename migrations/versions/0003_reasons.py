"""reasons as values: the English strings in tickets.reasons and mentions.reasons become
structured reasons ({"code", "rule", "detail", "words", "numbers"}, watcher/reasons.py)

The strings were written from a few fixed templates, frozen here as they were; each is read
once, by this migration, into the values the templates were filled with. A string no template
matches (an admin's own wording) becomes a "text" reason, shown as written. The downgrade writes
the English strings back from the same templates.

Revision ID: reasons
Revises: reach
Create Date: 2026-12-02
"""

import ast
import re

import sqlalchemy as sa
from alembic import op

revision = "reasons"
down_revision = "reach"
branch_labels = None
depends_on = None

BATCH = 1000
TABLES = ("tickets", "mentions")
_PROBABILITY = re.compile(
    r"complaint probability (?P<p>[\d.]+) (?P<cmp>>=|<) threshold (?P<t>[\d.]+) "
    r"\[(?P<rule>[^\]]+)\](?: \(strongest words: (?P<words>.*)\))?")
_RISK = re.compile(r"(?P<rule>\w+) \(level (?P<level>\d), (?P<detail>[^)]*)\): (?P<words>.*)")
_CATEGORY = re.compile(r"category (?P<rule>\w+) \((?P<detail>[^)]*)\): (?P<words>.*)")
_LEVEL = re.compile(r"level (?P<level>\d): (?P<why>.+)")
_INCIDENT = re.compile(r"group: 事件 #(?P<incident>\d+)")
FIXED = {
    "asks or suggests politely, no complaint words: not a complaint": "polite",
    "no level: not a complaint, inquiry or suggestion": "no_level",
    "repeat: 同一用户再次投诉": "repeat",
}
LEVEL_CODES = {"risk rule": "level_risk",
               "ordinary complaint about the product or service": "level_ordinary",
               "mild negativity": "level_mild", "inquiry": "level_asking",
               "suggestion": "level_asking"}
ENGLISH = {  # for the downgrade: the templates as they were
    "complaint_likely": "complaint probability {probability:.2f} >= threshold {threshold:.2f} "
                        "[{rule}]{strongest}",
    "complaint_unlikely": "complaint probability {probability:.2f} < threshold {threshold:.2f} "
                          "[{rule}]",
    "polite": "asks or suggests politely, no complaint words: not a complaint",
    "risk": "{rule} (level {level}, {detail}): {quoted}",
    "category": "category {rule} ({detail}): {listed}",
    "level_risk": "level {level}: risk rule",
    "level_ordinary": "level {level}: ordinary complaint about the product or service",
    "level_mild": "level {level}: mild negativity",
    "level_asking": "level {level}: {rule}",
    "no_level": "no level: not a complaint, inquiry or suggestion",
    "repeat": "repeat: 同一用户再次投诉",
    "incident": "group: 事件 #{incident}",
    "text": "{detail}",
}


def _value(code, rule="", detail="", words=(), **numbers):
    found = {"code": code, "rule": rule, "detail": detail, "words": list(words),
             "numbers": numbers}
    return {key: value for key, value in found.items() if value or key == "code"}


def _split(listed):
    return [word for word in (listed or "").split(", ") if word]


def _quoted(listed):
    try:
        words = ast.literal_eval(f"[{listed}]")
    except (SyntaxError, ValueError):
        return None
    return words if all(isinstance(w, str) for w in words) else None


def structured(text):
    """One English reason as the values its template was filled with."""
    if text in FIXED:
        return _value(FIXED[text])
    if m := _PROBABILITY.fullmatch(text):
        code = "complaint_likely" if m["cmp"] == ">=" else "complaint_unlikely"
        return _value(code, rule=m["rule"], words=_split(m["words"]),
                      probability=float(m["p"]), threshold=float(m["t"]))
    if m := _INCIDENT.fullmatch(text):
        return _value("incident", incident=int(m["incident"]))
    if (m := _RISK.fullmatch(text)) and (words := _quoted(m["words"])) is not None:
        return _value("risk", rule=m["rule"], detail=m["detail"], words=words,
                      level=int(m["level"]))
    if m := _CATEGORY.fullmatch(text):
        return _value("category", rule=m["rule"], detail=m["detail"], words=_split(m["words"]))
    if (m := _LEVEL.fullmatch(text)) and m["why"] in LEVEL_CODES:
        rule = m["why"] if LEVEL_CODES[m["why"]] == "level_asking" else ""
        return _value(LEVEL_CODES[m["why"]], rule=rule, level=int(m["level"]))
    return _value("text", detail=text)


def english(value):
    """A structured reason as the English string it was before."""
    if isinstance(value, str):
        return value
    words = value.get("words", [])
    fields = {"rule": value.get("rule", ""), "detail": value.get("detail", ""),
              "listed": ", ".join(words), "quoted": ", ".join(repr(w) for w in words),
              "strongest": f" (strongest words: {', '.join(words)})" if words else ""}
    return ENGLISH[value["code"]].format(**fields, **value.get("numbers", {}))


def _rewrite(convert, wanted):
    conn = op.get_bind()
    for name in TABLES:
        table = sa.table(name, sa.column("id", sa.BigInteger), sa.column("reasons", sa.JSON))
        last = 0
        while True:
            rows = conn.execute(sa.select(table.c.id, table.c.reasons).where(table.c.id > last)
                                .order_by(table.c.id).limit(BATCH)).all()
            if not rows:
                break
            last = rows[-1][0]
            changed = [{"row_id": row_id, "new": [convert(r) for r in reasons]}
                       for row_id, reasons in rows
                       if reasons and any(not wanted(r) for r in reasons)]
            if changed:
                conn.execute(table.update().where(table.c.id == sa.bindparam("row_id"))
                             .values(reasons=sa.bindparam("new")), changed)


def upgrade() -> None:
    _rewrite(lambda r: structured(r) if isinstance(r, str) else r,
             lambda r: not isinstance(r, str))
    # No schema change: the columns stay JSON (watcher.store.schema.Reasons reads them).


def downgrade() -> None:
    _rewrite(english, lambda r: isinstance(r, str))
