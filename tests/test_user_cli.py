"""`watcher user list` and `watcher user remove NAME` on a real config file: the user's table is
cut out and every other line kept; anything it cannot cut out cleanly is left for a person."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.console_harness import users
from watcher.cli import main

HEAD = '''# the team's console
[watcher]
timezone = "Asia/Shanghai"

'''
TAIL = '''
[alerts]
on_duty = []  # [[web.users]] in a comment is not a table
'''


def entry(user: dict[str, str], comment: str = "") -> str:
    lines = [f"[[web.users]]{comment}", f'name = "{user["name"]}"', f'role = "{user["role"]}"',
             f'password_hash = "{user["password_hash"]}"']
    return "\n".join(lines) + "\n"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    staff, viewer, admin = users()
    path = tmp_path / "config.toml"
    path.write_text(HEAD + entry(staff) + "\n" + entry(viewer, "  # reads only") + "\n"
                    + entry(admin) + TAIL, encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_and_remove(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--config", str(config), "user", "list")
    assert code == 0 and out.split() == ["name", "role", "api", "小李", "staff", "-",
                                         "访客", "viewer", "-", "管理员", "admin", "-"]
    before = config.read_text(encoding="utf-8")
    code, out, _ = run(capsys, "--config", str(config), "user", "remove", "访客")
    assert code == 0 and out.startswith("removed 访客 from ")
    after = config.read_text(encoding="utf-8")
    assert after == before.replace(entry(users()[1], "  # reads only") + "\n", "")
    code, out, _ = run(capsys, "--config", str(config), "user", "list")
    assert "访客" not in out and "小李" in out and "管理员" in out
    code, _, err = run(capsys, "--config", str(config), "user", "remove", "访客")
    assert code == 1 and "no user named '访客'" in err
    for name in ("小李", "管理员"):
        assert run(capsys, "--config", str(config), "user", "remove", name)[0] == 0
    assert run(capsys, "--config", str(config), "user", "list")[1] == "no users\n"
    assert config.read_text(encoding="utf-8") == HEAD + TAIL.lstrip("\n")


def test_users_written_another_way_are_left_for_a_person(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    staff = users()[0]
    path = tmp_path / "config.toml"
    inline = ('[web]\nusers = [{ name = "小李", role = "staff", '
              f'password_hash = "{staff["password_hash"]}" }}]\n')
    path.write_text(inline, encoding="utf-8")
    code, _, err = run(capsys, "--config", str(path), "user", "remove", "小李")
    assert code == 1 and "remove it by hand" in err
    assert path.read_text(encoding="utf-8") == inline


def test_a_bad_config_is_reported_not_edited(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[web]\nport = \"x\"\n", encoding="utf-8")
    code, _, err = run(capsys, "--config", str(path), "user", "remove", "小李")
    assert code == 2 and "web.port" in err
    code, _, err = run(capsys, "--config", str(tmp_path / "absent.toml"), "user", "remove", "x")
    assert code == 2 and "no config file" in err
