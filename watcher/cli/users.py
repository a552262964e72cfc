"""`watcher user add NAME --role ROLE`: the `[[web.users]]` entry for a staff console user.

The password is asked twice on a terminal, or read as the first line of standard input
otherwise (for scripts). Standard output gets the TOML block to paste into config.toml: the
password only as a scrypt hash, the API token only as a SHA-256 hash. The token itself goes to
standard error, once: Watcher cannot show it again (run the command again for a new one).
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from typing import Any

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
