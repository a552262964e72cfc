"""`watcher user add NAME --role ROLE`: the `[[web.users]]` entry for a staff console user;
`watcher user list` and `watcher user remove NAME`: who is in the config, and taking one out.

The password is asked twice on a terminal, or read as the first line of standard input
otherwise (for scripts). Standard output gets the TOML block to paste into config.toml: the
password only as a scrypt hash, the API token only as a SHA-256 hash. The token itself goes to
standard error, once: Watcher cannot show it again (run the command again for a new one).

`remove` deletes the user's `[[web.users]]` table from the config file and leaves every other
line as it was; it writes only when the file read back is the old one less that user.
"""

from __future__ import annotations

import argparse
import getpass
import itertools
import json
import os
import re
import sys
import tomllib
from pathlib import Path
from typing import Any

from watcher.cli.common import EXIT_CONFIG, EXIT_FAILED, EXIT_OK, print_table, read_config
from watcher.config.loading import resolve_path
from watcher.passwords import hash_password, hash_token, new_token

MIN_PASSWORD = 8
ROLES = ("staff", "viewer", "admin")


def add_commands(commands: Any) -> None:
    user = commands.add_parser("user", help="staff console users")
    user.set_defaults(handler=run_user_command)
    actions = user.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="print a [[web.users]] entry for config.toml")
    add.add_argument("name", metavar="NAME", help="shown in ticket history as who acted")
    add.add_argument("--role", choices=ROLES, required=True,
                     help="viewer reads; staff also acts on tickets; admin also sees sources")
    add.add_argument("--no-token", action="store_true", help="no API token for this user")
    add.set_defaults(user_handler=run_add)
    listing = actions.add_parser("list", help="the console users in the config")
    listing.set_defaults(user_handler=run_list)
    remove = actions.add_parser("remove", help="delete a user's [[web.users]] table from the "
                                "config file (a running daemon drops them within seconds)")
    remove.add_argument("name", metavar="NAME")
    remove.set_defaults(user_handler=run_remove)


def _password() -> str | None:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        print("the two passwords differ", file=sys.stderr)
        return None
    return first


def _toml(value: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(value, ensure_ascii=False)


def run_user_command(args: argparse.Namespace) -> int:
    result: int = args.user_handler(args)
    return result


def run_list(args: argparse.Namespace) -> int:
    users = read_config(args).web.users
    if not users:
        print("no users")
        return EXIT_OK
    print_table(("name", "role", "api"), [(u.name, u.role, "token" if u.token_hash else "-")
                                          for u in users])
    return EXIT_OK


_HEADER = re.compile(r"^\s*\[")  # a line opening a table or an array of tables


def without_user(text: str, name: str) -> str | None:
    """`text` (a config file) less the `[[web.users]]` table of `name`, or None when there is no
    such table to cut out line by line (none, or users written another way)."""
    lines = text.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if _HEADER.match(line)] + [len(lines)]
    for start, end in itertools.pairwise(starts):
        if lines[start].split("#")[0].replace(" ", "").strip() != "[[web.users]]":
            continue
        try:
            table = tomllib.loads("".join(lines[start + 1:end]))
        except tomllib.TOMLDecodeError:
            continue
        if table.get("name") == name:
            return "".join(lines[:start] + lines[end:])
    return None


def run_remove(args: argparse.Namespace) -> int:
    path, _ = resolve_path(args.config)
    if path is None or not path.exists():
        print("no config file to remove a user from (--config PATH)", file=sys.stderr)
        return EXIT_CONFIG
    config = read_config(args)  # a config with problems is reported, not edited
    if not any(u.name == args.name for u in config.web.users):
        print(f"{path.name}: no user named {args.name!r}", file=sys.stderr)
        return EXIT_FAILED
    text = path.read_text(encoding="utf-8")
    edited = without_user(text, args.name)
    if edited is None or not _only_user_gone(text, edited, args.name):
        print(f"{path.name}: {args.name!r} is not in a [[web.users]] table of its own; "
              "remove it by hand", file=sys.stderr)
        return EXIT_FAILED
    _replace(path, edited)
    print(f"removed {args.name} from {path}; a running daemon ends their sessions within seconds")
    return EXIT_OK


def _only_user_gone(before: str, after: str, name: str) -> bool:
    try:
        old, new = tomllib.loads(before), tomllib.loads(after)
    except tomllib.TOMLDecodeError:
        return False
    web = old.get("web", {})
    old["web"] = web | {"users": [u for u in web.get("users", []) if u.get("name") != name]}
    new["web"] = new.get("web", {}) | {"users": new.get("web", {}).get("users", [])}
    return bool(old == new)


def _replace(path: Path, text: str) -> None:
    """Writes `text` over `path` at once: a crash leaves the old file or the new one."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def run_add(args: argparse.Namespace) -> int:
    name = args.name.strip()
    if not name or len(name) > 200:
        print("NAME must be 1 to 200 characters", file=sys.stderr)
        return 2
    password = _password()
    if password is None:
        return 1
    if len(password) < MIN_PASSWORD:
        print(f"the password must have at least {MIN_PASSWORD} characters", file=sys.stderr)
        return 2
    lines = ["[[web.users]]", f"name = {_toml(name)}", f"role = {_toml(args.role)}",
             f"password_hash = {_toml(hash_password(password))}"]
    if not args.no_token:
        token = new_token()
        lines.append(f"token_hash = {_toml(hash_token(token))}")
        print(f"API token for {name} (shown once; config.toml keeps only its hash):\n{token}",
              file=sys.stderr)
    print("\n".join(lines))
    return 0
