"""Reach: a complaint that many people see can blow up whatever it says. One by an author with
at least `[scoring] reach_followers` followers, or that has spread to at least
`viral_engagement` likes + reposts + replies, is at least level 2, with the `reach` risk and a
reason naming the figure ("作者粉丝 120 万").

Applied on top of the text's score, where the mention's author and counts are known (intake);
the later sweep that sees a known mention cross the line raises its ticket
(watcher.tickets.reach).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from watcher.reasons import Reason, ReasonCode, reason

if TYPE_CHECKING:
    from watcher.scoring.scorer import Score

REACH = "reach"  # the risk
REACH_LEVEL = 2
COUNTED = ("likes", "reposts", "replies")
_LEVEL_CODES = (ReasonCode.LEVEL_RISK, ReasonCode.LEVEL_ORDINARY, ReasonCode.LEVEL_MILD)


@dataclass(frozen=True)
class ReachLine:
    followers: int = 100_000
    engagement: int = 1_000


def engagement_total(engagement: Mapping[str, Any] | None) -> int:
    """Likes + reposts + replies (other counts, views, are not reach), the counts a platform
    did not give, or gave as something other than a count, left out."""
    if not isinstance(engagement, Mapping):
        return 0
    return sum(v for name, v in engagement.items()
               if name in COUNTED and isinstance(v, int) and not isinstance(v, bool) and v > 0)


def reach_reasons(line: ReachLine, followers: int | None, engagement: int) -> tuple[Reason, ...]:
    """The reach reasons that hold: a large audience, a wide spread, both or none."""
    found = []
    if followers is not None and followers >= line.followers:
        found.append(reason(ReasonCode.REACH_FOLLOWERS, followers=followers,
                            line=line.followers))
    if engagement >= line.engagement:
        found.append(reason(ReasonCode.REACH_ENGAGEMENT, engagement=engagement,
                            line=line.engagement))
    return tuple(found)


def with_reach(score: Score, line: ReachLine, *, followers: int | None,
               engagement: Mapping[str, Any] | None) -> Score:
    """`score` raised to level 2 at least, with the `reach` risk and its reasons, when it is a
    complaint whose author or spread is at or over the line; otherwise `score` itself."""
    if not score.complaint or score.level is None:
        return score
    found = reach_reasons(line, followers, engagement_total(engagement))
    if not found:
        return score
    level = min(score.level, REACH_LEVEL)
    kept = list(score.reasons)
    if level != score.level and kept and kept[-1].code in _LEVEL_CODES:
        kept[-1] = reason(ReasonCode.LEVEL_RISK, level=level)
    return replace(score, level=level, risks=(*score.risks, REACH), reasons=(*kept[:-1], *found,
                                                                              *kept[-1:]))
