"""Where the login page may send a browser afterwards (`next`): a path on this site, never a
way out. Browsers forgive a lot in a Location header (they drop tabs and newlines, read `\\` as
`/`, and `//host` is another site), so anything they might reinterpret is refused outright."""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote, urljoin, urlsplit

HOME = "/tickets"
MAX_LENGTH = 2000  # a queue address with every filter is far shorter
MAX_DECODING = 4  # percent-encoding layers looked through; more is an attack, not a link
_HERE = "http://watcher.invalid"  # a stand-in origin to resolve the path against


def safe_next(target: str | None) -> str:
    """`target` when it is a plain path on this site, else the queue."""
    if not target or len(target) > MAX_LENGTH:
        return HOME
    layers = [target]
    while (decoded := unquote(layers[-1])) != layers[-1]:
        if len(layers) > MAX_DECODING:
            return HOME
        layers.append(decoded)
    layers.append(unicodedata.normalize("NFKC", layers[-1]))
    return target if all(_local_path(layer) for layer in layers) else HOME


def _local_path(value: str) -> bool:
    if not value.startswith("/") or value.startswith("//"):
        return False
    if any(_forbidden(char) for char in value):
        return False
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return False
    resolved = urlsplit(urljoin(_HERE + "/", value))  # dot segments removed, as a browser does
    return (f"{resolved.scheme}://{resolved.netloc}" == _HERE
            and not resolved.path.startswith("//"))


def _forbidden(char: str) -> bool:
    """Backslashes, whitespace of any script, control and invisible format characters."""
    return char == "\\" or char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Zl",
                                                                            "Zp", "Zs")
