"""The command line's start-up: the garbage collector is off until the store is open, then the
start-up objects are frozen out of its passes, and it is on again whatever the command did."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from watcher import cli
from watcher.store import db


@pytest.fixture(autouse=True)
def thawed() -> Iterator[None]:
    yield
    gc.unfreeze()  # the test process goes on collecting everything
    gc.enable()


def config_file(tmp_path: Path, body: str = "") -> str:
    path = tmp_path / "config.toml"
    path.write_text(f'[watcher]\ndatabase = "sqlite:///{tmp_path / "w.db"}"\n{body}',
                    encoding="utf-8")
    return str(path)


def test_collector_is_off_until_the_store_is_open(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bool] = []
    real_open = db.open_store

    def opening(url: str) -> Any:
        seen.append(gc.isenabled())
        return real_open(url)

    monkeypatch.setattr(db, "open_store", opening)
    gc.unfreeze()
    assert cli.main(["--config", config_file(tmp_path), "tickets", "list"]) == cli.EXIT_OK
    assert seen == [False]
    assert gc.isenabled()
    assert gc.get_freeze_count() > 10_000  # the modules, classes and config of start-up


def test_collector_is_on_again_after_a_failed_start(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    bad = config_file(tmp_path, "[schedule]\nsweep_every = \"often\"\n")
    assert cli.main(["--config", bad, "sweep"]) == cli.EXIT_CONFIG
    assert "sweep_every" in capsys.readouterr().err
    assert gc.isenabled()


def test_a_caller_that_had_it_off_keeps_it_off(tmp_path: Path) -> None:
    gc.disable()
    assert cli.main(["--config", config_file(tmp_path), "check-config"]) == cli.EXIT_OK
    assert not gc.isenabled()
    assert cli.main(["--config", config_file(tmp_path), "tickets", "list"]) == cli.EXIT_OK
    assert not gc.isenabled()
