"""The complaint report (《投诉分析报告》): a month's or a week's complaints by category and
platform, response times, follow-ups and satisfaction, as one self-contained HTML file with
inline SVG charts and a short summary for chat and mail; sent once per period by the daemon,
built on demand by `watcher report` and the console's /reports.

Imports: the store, the scorer's category names, alerts' text helpers and the config."""
