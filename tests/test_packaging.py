"""A plain (non-editable) install carries the migrations and can migrate."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_ships_migrations_and_can_migrate(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                    "-q", "-w", str(tmp_path / "dist"), str(ROOT)], check=True, timeout=300,
                   capture_output=True)
    (wheel,) = (tmp_path / "dist").glob("watcher-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "migrations/env.py" in names and "migrations/versions/0001_initial.py" in names
    assert any(n.startswith("watcher/scoring/data/") for n in names)
    assert "watcher/tickets/data/replies.toml" in names  # the shipped suggested replies
    console = "watcher/web/console/"
    for shipped in ("templates/base.html", "templates/ticket.html", "static/console.css",
                    "static/console.js", "openapi.json", "locale/zh_CN/LC_MESSAGES/console.mo",
                    "locale/en/LC_MESSAGES/console.mo", "locale/zh_CN/LC_MESSAGES/console.po"):
        assert console + shipped in names, shipped
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                    str(target), str(wheel)], check=True, timeout=300, capture_output=True)
    database = tmp_path / "fresh.db"
    probe = (
        "import migrations, watcher; from watcher.store.db import open_store;"
        f"open_store('sqlite:///{database}');"
        "from watcher.web.console import i18n, render;"
        "assert i18n.translations('zh_CN').gettext('Queue') == '工单队列';"
        "from zoneinfo import ZoneInfo;"
        "render.environment('zh_CN', ZoneInfo('UTC')).get_template('queue.html');"
        "print(migrations.__file__); print(watcher.__file__)"
    )
    # the installed copy comes first on the path, ahead of the working tree's
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
                          cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    assert all(line.startswith(str(target)) for line in done.stdout.splitlines())
    assert database.exists()
