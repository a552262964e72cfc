"""What the HTTP layer hands connectors: an answer (status, headers, body, validators) and the
error for an answer with an error status."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from watcher.errors import SourceError
from watcher.errors import SourceErrorKind as Kind


class Headers(Mapping[str, str]):
    """An answer's headers, looked up without regard to case; a name sent more than once reads
    as its values joined by commas. Built from the raw pairs on the first lookup."""

    def __init__(self, raw: Iterable[tuple[bytes, bytes]] | dict[str, str] = ()) -> None:
        self._raw = raw
        self._found: dict[str, str] | None = None

    def _all(self) -> dict[str, str]:
        if self._found is None:
            found: dict[str, str] = {}
            pairs = self._raw.items() if isinstance(self._raw, dict) else \
                ((_text(k), _text(v)) for k, v in self._raw)
            for name, value in pairs:
                key = name.lower()
                found[key] = f"{found[key]}, {value}" if key in found else value
            self._found = found
        return self._found

    def __getitem__(self, name: str) -> str:
        return self._all()[name.lower()]

    def get(self, name: str, default: Any = None) -> Any:
        return self._all().get(name.lower(), default)

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def __repr__(self) -> str:
        return f"Headers({self._all()!r})"


def _text(value: bytes) -> str:
    try:
        return value.decode()
    except UnicodeDecodeError:
        return value.decode("latin-1")


@dataclass
class Response:
    url: str  # the URL that answered, after any redirects
    status: int
    headers: Headers
    content: bytes = b""
    not_modified: bool = False
    validators: dict[str, str] = field(default_factory=dict)

    @property
    def content_type(self) -> str:
        value: str = self.headers.get("content-type", "")
        return value.split(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        content_type: str = self.headers.get("content-type", "")
        for part in content_type.split(";")[1:]:
            key, _, value = part.strip().partition("=")
            if key.lower() == "charset" and value:
                return value.strip("\"'")
        return None

    def text(self) -> str:
        """The body decoded by its declared charset, else UTF-8; bad bytes become U+FFFD."""
        try:
            return self.content.decode(self.charset or "utf-8", errors="replace")
        except LookupError:
            return self.content.decode("utf-8", errors="replace")


class HttpStatusError(SourceError):
    """An answer with an error status; `headers` and the start of `body` let a connector tell
    a rate limit from a rejected token, as platforms say it in different places."""

    def __init__(self, message: str, status: int,
                 kind: Kind | str = Kind.HTTP,
                 headers: Headers | None = None, body: bytes = b"") -> None:
        super().__init__(message, kind)
        self.status = status
        self.headers = headers or Headers()
        self.body = body
