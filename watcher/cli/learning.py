"""`watcher retrain`: fits the deployment's adjustment of the scorer from the staff corrections in
the store, judges it, and keeps it or says why not (watcher.tickets.learning)."""

from __future__ import annotations

import argparse
import json
import os
from datetime import UTC, datetime
from typing import Any

from watcher.cli.common import EXIT_FAILED, EXIT_OK, build_scorer, load_config, open_store


def add_commands(commands: Any) -> None:
    retrain = commands.add_parser(
        "retrain", help="fit this deployment's adjustment of the scorer from staff "
        "corrections; kept only when it holds on held-back corrections and on the shipped "
        "figures")
    retrain.add_argument("--by", help="who asked (default: $USER)")
    retrain.add_argument("--json", action="store_true")
    retrain.set_defaults(handler=cmd_retrain)


def cmd_retrain(args: argparse.Namespace) -> int:
    config = load_config(args)
    store = open_store(config)
    from watcher.tickets.learning import retrain  # lazy: see the package docstring

    try:
        fit = retrain(store, build_scorer(config), now=datetime.now(UTC),
                      by=args.by or os.environ.get("USER") or "operator")
    finally:
        store.close()
    if args.json:
        print(json.dumps({"state": fit.state, "note": fit.note, "corrections": fit.corrections,
                          "seconds": fit.seconds, "figures": fit.figures}, ensure_ascii=False,
                         indent=2))
    else:
        print(fit.note)
        if fit.state != "nothing":
            print(f"corrections {fit.corrections}, {fit.seconds:.1f} s")
        for name, row in fit.figures.get("reference", {}).items():
            shown = "  ".join(f"{figure} {old:.3f} -> {new:.3f}"
                              for figure, (old, new) in row.items())
            print(f"  {name:<26}{shown}")
    return EXIT_OK if fit.state == "kept" else EXIT_FAILED
