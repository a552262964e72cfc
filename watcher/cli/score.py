"""`watcher score [TEXT]...`: scores texts given as arguments, or one per line on standard
input; works without any config."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from watcher.cli.common import EXIT_OK, read_config, scorer_for, started, stored_adjustments


def add_commands(commands: Any) -> None:
    score = commands.add_parser("score", help="score texts (arguments, or one per line on stdin)")
    score.add_argument("texts", nargs="*", metavar="TEXT")
    score.set_defaults(handler=cmd_score)


def cmd_score(args: argparse.Namespace) -> int:
    config = read_config(args)
    from watcher.scoring import score_to_dict  # lazy: see the package docstring

    store = stored_adjustments(config)  # the deployment's adjustment, where there is a store
    scorer = scorer_for(config, store)()
    started()  # texts may stream in on stdin for as long as the caller likes
    texts = args.texts or (line.rstrip("\n") for line in sys.stdin)
    try:
        for text in texts:
            if text.strip():
                print(json.dumps(score_to_dict(text, scorer.score(text)), ensure_ascii=False),
                      flush=not args.texts)
    finally:
        if store is not None:
            store.close()
    return EXIT_OK
