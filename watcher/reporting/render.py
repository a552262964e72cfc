"""A report as one self-contained HTML file (the charts inline as SVG, the stylesheet inline,
nothing loaded from anywhere), in Chinese, and as the short summary sent to chat and mail."""

from __future__ import annotations

import base64
import functools
import hashlib
from datetime import timedelta, tzinfo
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from alerts.render import neutralize, safe_link
from watcher.reasons import CATEGORY_NAMES, DEPARTMENT_NAMES, PLATFORM_NAMES
from watcher.reporting import svg
from watcher.reporting.figures import Report, Share
from watcher.scoring import CATEGORIES
from watcher.text import excerpt

TEMPLATES = Path(__file__).parent / "templates"
LEVEL_NAMES = {1: "红色", 2: "橙色", 3: "黄色", 4: "绿色"}
CATEGORY_ORDER = list(CATEGORY_NAMES)  # a category keeps its colour in every chart


@functools.cache
def stylesheet() -> str:
    return (TEMPLATES / "report.css").read_text(encoding="utf-8")


def style_hash() -> str:
    """The CSP source allowing exactly the report's inline stylesheet (the console serves the
    report under a policy that allows nothing else)."""
    digest = hashlib.sha256(stylesheet().encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


@functools.cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True)
    env.filters.update(category=category_name, platform=platform_name, department=department_of,
                       hours=hours,
                       percent=percent, points=points, change=change, excerpt=excerpt,
                       safe_link=safe_link)
    return env


def category_name(code: str) -> str:
    return CATEGORY_NAMES.get(code, code)


def platform_name(code: str) -> str:
    return PLATFORM_NAMES.get(code, code)


def department_of(code: str) -> str:
    department = CATEGORIES.get(code, "")
    return DEPARTMENT_NAMES.get(department, department)


def percent(share: float | None, digits: int = 1) -> str:
    return "–" if share is None else f"{share * 100:.{digits}f}%"


def points(value: float) -> str:
    """A change of share: +8.1 个百分点."""
    return f"{value:+.1f} 个百分点"


def change(now: int, before: int) -> str:
    if not before:
        return "新增" if now else "–"
    return f"{(now / before - 1) * 100:+.0f}%"


def hours(span: timedelta | None) -> str:
    if span is None:
        return "–"
    total = span.total_seconds() / 3600
    return f"{total:.1f} 小时" if total < 48 else f"{total / 24:.1f} 天"


def html(report: Report, tz: tzinfo, link_base: str | None) -> str:
    """The report page; `link_base` is where the console's ticket pages are (`""` when the
    console serves the report itself), None for no ticket links."""
    local = report.generated_at.astimezone(tz)
    last_day = report.period.days[-1]
    return _environment().get_template("report.html").render(
        r=report, period=report.period, previous=report.period.previous(),
        css=Markup(stylesheet()), generated=f"{local:%Y-%m-%d %H:%M}",
        first=f"{report.period.first:%Y-%m-%d}", last=f"{last_day:%Y-%m-%d}",
        link_base=link_base, level_names=LEVEL_NAMES, charts=charts(report),
        followup_rate=report.followup_rate, satisfaction=report.satisfaction,
        local=lambda moment: f"{moment.astimezone(tz):%m-%d %H:%M}",
    )


def charts(report: Report) -> dict[str, Any]:
    colours = {code: svg.PALETTE[i % len(svg.PALETTE)] for i, code in enumerate(CATEGORY_ORDER)}
    series = [svg.Series(category_name(code), values, colours.get(code, svg.PALETTE[-1]))
              for code, values in sorted(report.daily.items(),
                                         key=lambda kv: _order(kv[0]))]
    return {
        "categories": _share_bars(report.categories, "投诉类别占比", report.flag_share,
                                  category_name),
        "platforms": _share_bars(report.platforms, "投诉平台占比", None, platform_name),
        "daily": svg.stacked_days(report.period.days, series, "每日投诉数（按类别）",
                                  "本期没有投诉"),
        "daily_legend": [(s.label, svg.swatch(s.colour), sum(s.values)) for s in series],
        "sla": _sla_bars(report),
        "scores": _score_bars(report),
        "legend_sla": [(name, svg.swatch(colour)) for name, colour in
                       (("达标", svg.MET), ("超时", svg.MISSED), ("待响应", svg.PENDING))],
    }


def _order(code: str) -> tuple[int, str]:
    return (CATEGORY_ORDER.index(code) if code in CATEGORY_ORDER else len(CATEGORY_ORDER), code)


def _share_bars(rows: list[Share], label: str, flag: float | None, name: Any) -> Markup:
    if not rows:
        return Markup("")
    scale = min(1.0, max(max(s.share for s in rows), flag or 0) * 1.15)
    bars = [(name(s.name), [svg.Segment(s.share, svg.MISSED if s.flagged else svg.PALETTE[0],
                                        f"{s.count} 条 {percent(s.share)}")],
             f"{s.count} 条 · {percent(s.share)}") for s in rows]
    return svg.hbars(bars, label, scale, marker=flag)


def _sla_bars(report: Report) -> Markup:
    rows = []
    for level, outcome in sorted(report.sla.items()):
        segments = [svg.Segment(outcome.met, svg.MET, f"达标 {outcome.met}"),
                    svg.Segment(outcome.missed, svg.MISSED, f"超时 {outcome.missed}"),
                    svg.Segment(outcome.pending, svg.PENDING, f"待响应 {outcome.pending}")]
        total = outcome.met + outcome.missed + outcome.pending
        rows.append((f"L{level} {LEVEL_NAMES.get(level, '')}", segments,
                     f"达标率 {percent(outcome.rate, 0)}（{total} 张）"))
    scale = max((o.met + o.missed + o.pending for o in report.sla.values()), default=0)
    return svg.hbars(rows, "首次响应达标情况（按等级）", scale)


def _score_bars(report: Report) -> Markup:
    done = sum(report.scores.values())
    rows = [(f"{score} 分", [svg.Segment(n, svg.MISSED if score <= 3 else svg.MET, f"{n} 次")],
             f"{n} 次") for score, n in sorted(report.scores.items(), reverse=True)]
    return svg.hbars(rows, "满意度评分分布", max(done, 1))


def summary(report: Report, link: str | None) -> tuple[str, str]:
    """(title, body) of the chat and mail message that goes with the file."""
    title = f"《投诉分析报告》{report.period.label}"
    versus = change(report.complaints, report.previous_complaints)
    lines = [f"{title}（{report.period.first:%m-%d} 至 {report.period.days[-1]:%m-%d}）",
             f"投诉 {report.complaints} 条，较上期 {versus}"
             f"（上期 {report.previous_complaints} 条）；工单 {report.tickets} 张"]
    if report.flagged:
        lines.append(f"占比超过 {percent(report.flag_share, 0)} 需重点复盘："
                     + "、".join(f"{category_name(s.name)} {percent(s.share)}"
                                 f"（{points(s.points)}）" for s in report.flagged))
    if report.platforms:
        lines.append("投诉最多的平台：" + "、".join(
            f"{neutralize(platform_name(s.name))} {s.count} 条" for s in report.platforms[:3]))
    sla = " · ".join(f"L{level} {percent(o.rate, 0)}" for level, o in sorted(report.sla.items())
                     if o.met + o.missed)
    lines.append(f"首次响应达标率：{sla or '–'}；处理时长中位数 {hours(report.handling[None])}")
    rate = percent(report.followup_rate, 0)
    mean = "–" if report.satisfaction is None else f"{report.satisfaction:.1f} 分"
    lines.append(f"回访率 {rate}（{report.followups_done}/{report.followups_due}），"
                 f"平均满意度 {mean}；群体事件 {report.incident_count} 起；"
                 f"多次投诉的用户 {len(report.complainers)} 人")
    if link:
        lines.append(f"完整报告（含图表）：{safe_link(link)}")
    return title, "\n".join(lines)


def file_name(report: Report) -> str:
    return f"watcher-report-{report.period.key}.html"
