from __future__ import annotations

import subprocess
import sys
from datetime import time, timedelta
from pathlib import Path

import pytest

from connectors import connector_for
from watcher.config import ConfigError, load

GOOD_SOURCE = '[[sources]]\nname = "feed"\nkind = "rss"\nurl = "https://example.com/feed.xml"\n'


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load(write(tmp_path, text), connector_for)
    return caught.value.problems


def test_every_table_may_be_left_out(tmp_path: Path) -> None:
    config = load(write(tmp_path, ""), connector_for)
    assert config.watcher.timezone == "Asia/Shanghai"
    assert config.watcher.database == "sqlite:///watcher.db"
    assert config.schedule.patrols == (time(9), time(13), time(18))
    assert config.schedule.sweep_every == timedelta(hours=2)
    assert config.monitor.max_age == timedelta(days=7)
    assert config.http.max_bytes == 20_000_000
    assert (config.http.concurrency, config.http.per_host, config.http.retries) == (100, 8, 2)
    assert config.scoring.ticket_level == 3
    assert config.sla.respond_within[0] == timedelta(minutes=10)
    assert config.alerts.on_duty == ()
    assert config.sources == ()


def test_source_inherits_schedule_and_timezone(tmp_path: Path) -> None:
    text = '[schedule]\npatrols = ["08:30"]\nsweep_every = "45m"\n' + GOOD_SOURCE
    source = load(write(tmp_path, text), connector_for).sources[0]
    assert source.patrols == (time(8, 30),)
    assert source.sweep_every == timedelta(minutes=45)
    assert source.timezone == "Asia/Shanghai"
    assert source.schedule == ("patrols", "sweep")


def test_source_overrides(tmp_path: Path) -> None:
    text = GOOD_SOURCE + 'schedule = ["sweep"]\nsweep_every = "10m"\npatrols = ["07:00"]\n'
    source = load(write(tmp_path, text), connector_for).sources[0]
    assert source.schedule == ("sweep",)
    assert source.sweep_every == timedelta(minutes=10)
    assert source.patrols == (time(7),)


CASES = [
    ("[watcher]\ncolour = 1\n", "config.toml: watcher.colour: unknown key"),
    ("[nonsense]\n", "config.toml: nonsense: unknown table"),
    ('[http]\ntimeout = "20"\n', "config.toml: http.timeout: not a valid duration: '20'"),
    ('[http]\nmax_bytes = "lots"\n', "config.toml: http.max_bytes: not a valid size: 'lots'"),
    ("[http]\nconcurrency = 0\n", "config.toml: http.concurrency: must be at least 1"),
    ('[http]\nretries = "2"\n', "config.toml: http.retries: expected an integer, got a string"),
    ("[http]\nfollow_redirects = 1\n", "config.toml: http.follow_redirects: expected true or false"),
    ('[schedule]\npatrols = ["25:00"]\n', "config.toml: schedule.patrols[0]: not a valid time"),
    ('[schedule]\npatrols = "09:00"\n', "config.toml: schedule.patrols: expected a list"),
    ('[watcher]\ntimezone = "Mars/Base"\n', "config.toml: watcher.timezone: unknown time zone"),
    ("[scoring]\nticket_level = 5\n", "config.toml: scoring.ticket_level: must be a level"),
    ('[sla]\nrespond_within = ["1h"]\n', "config.toml: sla.respond_within: must list four"),
    ('[alerts]\non_duty = "json://x"\n', "config.toml: alerts.on_duty: expected a list"),
    (
        '[[sources]]\nname = "a"\nkind = "rss"\n',
        "config.toml: sources[0] (a).url: missing required key",
    ),
    (
        '[[sources]]\nkind = "rss"\nurl = "https://x.org"\n',
        "config.toml: sources[0].name: missing required key",
    ),
    (
        GOOD_SOURCE + '[[sources]]\nname = "b"\nkind = "rss"\nurl = "https://x.org"\n'
        '[[sources]]\nname = "shop-reviews"\nkind = "rss"\nurl = "not a url"\n',
        "config.toml: sources[2] (shop-reviews).url: not a valid URL",
    ),
    (
        GOOD_SOURCE + GOOD_SOURCE,
        "config.toml: sources[1] (feed).name: duplicate source name (also sources[0])",
    ),
    (
        '[[sources]]\nname = "a"\nkind = "weird"\n',
        "config.toml: sources[0] (a).kind: unknown kind 'weird'",
    ),
    (GOOD_SOURCE + "colour = 1\n", "config.toml: sources[0] (feed).colour: unknown key"),
    (GOOD_SOURCE + 'schedule = ["daily"]\n', "config.toml: sources[0] (feed).schedule[0]: must be"),
    (GOOD_SOURCE + "threshold = 2\n", "config.toml: sources[0] (feed).threshold: must be between"),
    (GOOD_SOURCE + "headers = []\n", "config.toml: sources[0] (feed).headers: expected a table"),
    (
        '[[sources]]\nname = "j"\nkind = "json"\nurl = "https://x.org"\nfields = { id = 3 }\n',
        "config.toml: sources[0] (j).fields.id: expected a string, got an integer",
    ),
    (
        '[[sources]]\nname = "j"\nkind = "json"\nurl = "https://x.org"\n'
        'fields = { text = "", title = "" }\n',
        "config.toml: sources[0] (j).fields: set at least one of fields.text and fields.title",
    ),
    (
        '[[sources]]\nname = "h"\nkind = "html"\nurl = "https://x.org"\nitems = "div[[["\n',
        "config.toml: sources[0] (h).items: not a valid CSS selector",
    ),
    (
        '[[sources]]\nname = "h"\nkind = "html"\nurl = "https://x.org"\n',
        "config.toml: sources[0] (h).items: missing required key",
    ),
    (
        GOOD_SOURCE + 'headers = { Cookie = "${WATCHER_TEST_UNSET_VARIABLE}" }\n',
        "config.toml: sources[0] (feed).headers.Cookie: environment variable "
        "WATCHER_TEST_UNSET_VARIABLE is not set",
    ),
    ("this is not toml", "config.toml: not valid TOML"),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_problem_is_named_with_file_table_and_key(tmp_path: Path, text: str, expected: str) -> None:
    found = problems(tmp_path, text)
    assert any(p.startswith(expected) for p in found), found


SOURCE_KEYS = ("enabled, headers, kind, name, patrols, platform, schedule, sweep_every, "
               "threshold, timezone, url")
UNKNOWN_KEYS = [
    # a kind without keys of its own still lists the keys every source takes
    (GOOD_SOURCE + "colour = 1\n",
     f"config.toml: sources[0] (feed).colour: unknown key (allowed: {SOURCE_KEYS})"),
    (GOOD_SOURCE + 'platfrom = "weibo"\n',
     "config.toml: sources[0] (feed).platfrom: unknown key; did you mean 'platform'? "
     f"(allowed: {SOURCE_KEYS})"),
    ('[[sources]]\nname = "j"\nkind = "json"\nurl = "https://x.org"\nitem = "data"\n'
     'fields = { text = "t" }\n',
     "config.toml: sources[0] (j).item: unknown key; did you mean 'items'? (allowed: enabled, "
     "fields, headers, items, kind, name, patrols, platform, schedule, sweep_every, threshold, "
     "timezone, url)"),
    ('[watcher]\ntimzone = "UTC"\n',
     "config.toml: watcher.timzone: unknown key; did you mean 'timezone'? "
     "(allowed: database, timezone)"),
    ("[followup]\nlow_scor = 2\n",
     "config.toml: followup.low_scor: unknown key; did you mean 'low_score'? "
     "(allowed: low_score, supervisor_within, within)"),
    ("[monitr]\n", "config.toml: monitr: unknown table; did you mean 'monitor'? (allowed: "),
]


@pytest.mark.parametrize(("text", "expected"), UNKNOWN_KEYS)
def test_an_unknown_key_lists_every_allowed_one_and_the_nearest(tmp_path: Path, text: str,
                                                                 expected: str) -> None:
    found = problems(tmp_path, text)
    assert any(p.startswith(expected) for p in found), found


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = '[http]\ntimeout = "x"\nretries = -1\n[watcher]\nzone = 1\n' + GOOD_SOURCE + "bad = 1\n"
    found = problems(tmp_path, text)
    assert len(found) == 4, found


def test_environment_references(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WATCHER_TEST_COOKIE", "sekret-cookie-value")
    text = (GOOD_SOURCE + 'headers = { Cookie = "${WATCHER_TEST_COOKIE}", '
            'X-Mode = "${WATCHER_TEST_UNSET:-fallback}" }\n')
    source = load(write(tmp_path, text), connector_for).sources[0]
    assert source.headers == {"Cookie": "sekret-cookie-value", "X-Mode": "fallback"}
    from watcher.redaction import redact

    assert "sekret" not in redact("sent Cookie: sekret-cookie-value")


def test_database_url_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WATCHER_DATABASE_URL", "postgresql+psycopg://db/watcher")
    assert load(write(tmp_path, ""), connector_for).watcher.database == "postgresql+psycopg://db/watcher"


def test_missing_explicit_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load(str(tmp_path / "absent.toml"), connector_for)


def test_defaults_without_any_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("WATCHER_CONFIG", raising=False)
    assert load(None, connector_for).path is None


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "watcher", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=60)


def test_check_config_exit_codes(tmp_path: Path) -> None:
    write(tmp_path, GOOD_SOURCE)
    ok = run_cli("--config", "config.toml", "check-config", cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert "config.toml: OK" in ok.stdout and "feed (rss" in ok.stdout
    write(tmp_path, GOOD_SOURCE + GOOD_SOURCE + '[http]\ntimeout = "soon"\n')
    bad = run_cli("--config", "config.toml", "check-config", cwd=tmp_path)
    assert bad.returncode == 2
    lines = [line for line in bad.stderr.splitlines() if line.startswith("config.toml: ")]
    assert len(lines) == 2, bad.stderr
    assert bad.stdout == ""


def test_bad_alert_target_is_a_config_error(tmp_path: Path) -> None:
    write(tmp_path, '[alerts]\non_duty = ["nosuchscheme://x"]\n')
    bad = run_cli("--config", "config.toml", "check-config", cwd=tmp_path)
    assert bad.returncode == 2
    assert "config.toml: alerts.on_duty[0]: not a valid apprise URL" in bad.stderr


def test_example_config_is_valid() -> None:
    root = Path(__file__).resolve().parents[1]
    config = load(str(root / "config.toml"), connector_for)
    assert config.sources and all(s.enabled for s in config.sources)
