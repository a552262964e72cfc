"""Values that must never be shown: what `${NAME}` expanded to, and header values.

Config loading registers every secret it meets; `redact` masks them in any text about to be
logged, stored as an error or sent in an alert.
"""

from __future__ import annotations

import re

_secrets: set[str] = set()
_MIN_LENGTH = 4  # shorter values are too common to mask without mangling ordinary text
_URL_CREDENTIALS = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<userinfo>[^/@\s]+)@", re.I)
_QUERY_SECRETS = re.compile(
    r"(?P<key>[?&](?:access_token|token|key|secret|sign|signature|password|apikey)=)[^&\s]+", re.I
)

MASK = "***"


def register(value: str) -> None:
    if len(value) >= _MIN_LENGTH:
        _secrets.add(value)


def redact(text: str) -> str:
    """`text` with every registered secret, URL password and token parameter masked."""
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    text = _URL_CREDENTIALS.sub(lambda m: f"{m['scheme']}{MASK}@", text)
    return _QUERY_SECRETS.sub(lambda m: f"{m['key']}{MASK}", text)
