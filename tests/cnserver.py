"""A loopback platform for the Chinese platforms' kinds: answers by path, in order (the last
answer repeats), and records every request, so that tests see paging, cursors and replies
through `base_url` as the kinds really ask."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.servers import _Server

SHARED = Path(__file__).resolve().parents[2] / "shared" / "fixtures"
OWN = Path(__file__).parent / "fixtures" / "cn"


@dataclass
class Answer:
    body: bytes = b""
    status: int = 200
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Asked:
    path: str
    query: dict[str, str]
    headers: dict[str, str]


class CnServer(_Server):
    def __init__(self) -> None:
        super().__init__()
        self.answers: dict[str, list[Answer]] = {}
        self.asked: list[Asked] = []
        self._lock = threading.Lock()

    def serve(self, path: str, *answers: Answer | bytes) -> None:
        self.answers[path] = [a if isinstance(a, Answer) else Answer(a) for a in answers]

    def paths(self) -> list[str]:
        return [a.path for a in self.asked]

    def handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query,
                                                       keep_blank_values=True).items()}
                with server._lock:
                    server.asked.append(Asked(parts.path, query, dict(self.headers)))
                    queue = server.answers.get(parts.path)
                    answer = (queue.pop(0) if len(queue) > 1 else queue[0]) if queue else None
                if answer is None:
                    self.send_error(404)
                    return
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.content_type)
                self.send_header("Content-Length", str(len(answer.body)))
                for key, value in answer.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(answer.body)

        return Handler


def recorded(name: str) -> bytes:
    """A recorded answer from ../shared/fixtures; the test is skipped where it is absent."""
    path = SHARED / name
    if not path.is_file():
        pytest.skip(f"../shared/fixtures/{name} is absent")
    return path.read_bytes()


def own(name: str) -> bytes:
    return (OWN / name).read_bytes()
