"""Password and API-token hashes as written in `[[web.users]]`.

Passwords: scrypt from the standard library, `scrypt$N$r$p$salt$hash` (base64), slow on purpose.
API tokens are 32 random bytes, so a plain SHA-256 (`sha256$hex`) is enough: nobody can guess
one, and a fast hash lets each API request find its user without a second of work.
No aiohttp here: the config check imports this module.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1  # 16 MiB and ~50 ms per check
SALT_BYTES, KEY_BYTES = 16, 32
TOKEN_PREFIX = "wt_"
_PASSWORD_HASH = re.compile(r"^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$")
_TOKEN_HASH = re.compile(r"^sha256\$[0-9a-f]{64}$")
# Checked when a name is unknown, so that a wrong name costs as long as a wrong password.
_DUMMY = ("scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$"
          "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, dklen=KEY_BYTES,
                          maxmem=256 * n * r + 1024 * 1024)


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(SALT_BYTES)
    key = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return "$".join(["scrypt", str(SCRYPT_N), str(SCRYPT_R), str(SCRYPT_P),
                     base64.b64encode(salt).decode(), base64.b64encode(key).decode()])


def password_hash_problem(text: str) -> str | None:
    """Why `text` is not a password hash this module can check, or None."""
    match = _PASSWORD_HASH.match(text)
    if not match:
        return "not a password hash (expected scrypt$N$r$p$salt$hash: use `watcher user add`)"
    n, r, p = (int(match.group(i)) for i in (1, 2, 3))
    if n < 2**10 or n > 2**20 or n & (n - 1) or not 1 <= r <= 32 or not 1 <= p <= 16:
        return "scrypt parameters out of range (N a power of two from 1024 to 2^20, r 1-32, p 1-16)"
    return None


def verify_password(password: str, stored: str | None) -> bool:
    """True when `password` matches `stored`; takes as long for an unknown user (stored None)."""
    match = _PASSWORD_HASH.match(stored or _DUMMY)
    if match is None:
        return False
    n, r, p = (int(match.group(i)) for i in (1, 2, 3))
    salt, key = base64.b64decode(match.group(4)), base64.b64decode(match.group(5))
    candidate = _scrypt(password, salt, n, r, p)
    return hmac.compare_digest(candidate, key) and stored is not None


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return "sha256$" + hashlib.sha256(token.encode()).hexdigest()


def token_hash_problem(text: str) -> str | None:
    if _TOKEN_HASH.match(text):
        return None
    return "not a token hash (expected sha256$ and 64 hex digits: use `watcher user add`)"


def token_matches(token: str, stored: str | None) -> bool:
    return stored is not None and hmac.compare_digest(hash_token(token), stored)
