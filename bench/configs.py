"""The config.toml of each scenario, and urlwatch's files for the same feeds."""

from __future__ import annotations

from pathlib import Path

from bench.server import PlatformServer


def watcher_config(directory: Path, server: PlatformServer, database: str, *,
                   extra: str = "", source_extra: str = "") -> Path:
    """One rss source per feed, default [http] settings; `extra` adds tables before the
    sources, `source_extra` keys to every source."""
    lines = [f'[watcher]\ndatabase = "{database}"\n', extra]
    for feed in range(server.plan.feeds):
        lines.append(f'[[sources]]\nname = "feed-{feed:05d}"\nkind = "rss"\n'
                     f'url = "{server.url(feed)}"\n{source_extra}')
    path = directory / "config.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def sqlite_url(directory: Path) -> str:
    return f"sqlite:///{directory / 'watcher.db'}"


def urlwatch_files(directory: Path, server: PlatformServer) -> list[str]:
    """urls.yaml with one url job per feed, an empty hooks file; returns the arguments that
    point urlwatch at them (its config and cache are made by its first run)."""
    directory.mkdir(parents=True, exist_ok=True)
    jobs = [f"name: feed-{feed:05d}\nurl: {server.url(feed)}\n"
            for feed in range(server.plan.feeds)]
    (directory / "urls.yaml").write_text("---\n".join(jobs), encoding="utf-8")
    (directory / "hooks.py").write_text("", encoding="utf-8")
    return ["--urls", str(directory / "urls.yaml"), "--config", str(directory / "urlwatch.yaml"),
            "--cache", str(directory / "cache.db"), "--hooks", str(directory / "hooks.py")]
