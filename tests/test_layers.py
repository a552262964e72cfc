"""The one-way flow, kept: `lint-imports` (the contracts in pyproject.toml, run by `make lint`)
fails on an import that breaks the layers and passes on the tree; and an import inside a
function is there for a reason its line says (start-up time measured, an optional or a
training-only dependency), never to hide a cycle."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("watcher", "connectors", "alerts")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def local_import_groups(path: Path) -> list[list[ast.stmt]]:
    """Runs of import statements inside functions: consecutive imports share one reason."""
    groups: dict[int, list[ast.stmt]] = {}
    for function in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for block in ast.walk(function):
            for field in ("body", "orelse", "finalbody"):
                statements = getattr(block, field, None)
                if not isinstance(statements, list):
                    continue
                run: list[ast.stmt] = []
                for statement in [*statements, None]:
                    if isinstance(statement, ast.Import | ast.ImportFrom):
                        run.append(statement)
                        continue
                    if run:
                        groups[run[0].lineno] = run
                    run = []
    return [groups[line] for line in sorted(groups)]


def test_every_function_local_import_says_why() -> None:
    unexplained = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            lines = path.read_text(encoding="utf-8").splitlines()
            for group in local_import_groups(path):
                first = group[0].lineno
                said = "#" in lines[first - 1] or lines[first - 2].strip().startswith("#")
                if not said:
                    unexplained.append(f"{path.relative_to(ROOT)}:{first}: {lines[first - 1]}")
    assert unexplained == []


def test_the_check_sees_a_local_import_without_a_reason(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    import json  # lazy: a reason\n    import csv\n\n"
                      "    return json, csv\n\n\ndef g():\n    if True:\n        import os\n")
    groups = local_import_groups(module)
    assert [[s.lineno for s in group] for group in groups] == [[2, 3], [10]]


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=root, capture_output=True,
                          text=True, timeout=300, env={"PYTHONPATH": str(root),
                                                       "PATH": "/usr/bin:/bin"})


@pytest.fixture(scope="module")
def copy_of_the_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not LINT_IMPORTS.exists():
        pytest.skip("lint-imports is not installed (the dev extra)")
    root = tmp_path_factory.mktemp("tree")
    for package in PACKAGES:
        shutil.copytree(ROOT / package, root / package,
                        ignore=shutil.ignore_patterns("__pycache__", "data", "templates",
                                                      "static", "locale"))
    shutil.copy(ROOT / "pyproject.toml", root)
    return root


def test_lint_imports_passes_on_the_tree(copy_of_the_tree: Path) -> None:
    result = _lint_imports(copy_of_the_tree)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(("module", "bad_import", "contract"), [
    ("watcher/store/tickets.py", "from watcher.tickets import policy",
     "Stages import only the stages below them"),
    ("connectors/rss.py", "from watcher.store import tickets",
     "Connectors and alerts import only the core's plain types, config and HTTP"),
    ("watcher/reasons.py", "from watcher.scoring import scorer",
     "The plain shared modules import no stage"),
])
def test_lint_imports_fails_on_an_import_that_breaks_the_layers(
        copy_of_the_tree: Path, module: str, bad_import: str, contract: str) -> None:
    path = copy_of_the_tree / module
    original = path.read_text(encoding="utf-8")
    path.write_text(original + f"\n{bad_import}  # noqa\n", encoding="utf-8")
    try:
        result = _lint_imports(copy_of_the_tree)
    finally:
        path.write_text(original, encoding="utf-8")
    assert result.returncode != 0
    assert f"{contract} BROKEN" in result.stdout, result.stdout
