"""Real HTTP servers on loopback for end-to-end tests: a platform and an alert receiver."""

from __future__ import annotations

import contextlib
import hashlib
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Route:
    body: bytes
    content_type: str = "application/json"
    status: int = 200
    etag: bool = True
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering: a slow platform


# Distinct complaints: texts that differ in a number only would be near copies of each other
# across sources (watcher/intake/nearcopy.py), linked instead of ticketed.
COMPLAINTS = [
    "快递一个星期都没到，客服也不回复，太差了",
    "收到的洗衣机外壳凹了一大块，联系换货三天没人理",
    "安装师傅迟到三个小时，还额外收了两百块材料费",
    "冰箱用了两天就不制冷，售后电话一直打不通",
    "买的羽绒服钻毛严重，申请退货被商家拒绝了",
    "扫地机器人充不进电，客服让我自己拆开看看",
    "订的蛋糕送到时已经化了，商家说不负责",
    "耳机左边没声音，寄回维修一个月还没寄回来",
    "热水器漏水把地板泡坏了，厂家只肯退一半的钱",
    "会员自动续费没有任何提醒，扣了我三百多",
    "酒店房间有霉味，前台说满房不能换",
    "手机壳尺寸不对，卖家坚持说是我买错了型号",
    "外卖少送了一份饭，骑手和商家互相推脱",
    "空调外机噪音大得整夜睡不着，上门检查的人敷衍了事，太失望了",
    "奶粉罐子密封条是破的，担心孩子喝了出问题",
    "网课退款承诺七天到账，现在一个月了还没退",
]


def complaint_feed(source: int, items: int) -> bytes:
    """An RSS feed of `items` distinct complaints (each one a ticket), undated; sources 0 to 3,
    at most 4 items each."""
    entries = "".join(
        f"<item><guid>s{source}-{i}</guid><link>http://forum.local/{source}/{i}</link>"
        f"<author>用户{source}-{i}</author><description>{COMPLAINTS[source * 4 + i]}"
        f"（订单{source}{i}）</description></item>"
        for i in range(items))
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>f</title>{entries}' \
           f"</channel></rss>".encode()


class _Server:
    """A ThreadingHTTPServer in a daemon thread; start/stop may be repeated on the same port."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self._httpd: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def handler(self) -> type[BaseHTTPRequestHandler]:
        raise NotImplementedError

    def start(self) -> _Server:
        ThreadingHTTPServer.allow_reuse_address = True
        self._httpd = ThreadingHTTPServer(("127.0.0.1", self.port), self.handler())
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None


class PlatformServer(_Server):
    """Serves fixed bodies by path, answers 304 to a matching If-None-Match, counts requests."""

    def __init__(self, routes: dict[str, Route] | None = None, port: int | None = None) -> None:
        super().__init__(port)
        self.routes: dict[str, Route] = routes or {}
        self.hits: dict[str, int] = {}
        self.times: dict[str, list[float]] = {}  # when each request came, by path
        self.headers: dict[str, list[dict[str, str]]] = {}  # each request's headers, by path
        self._lock = threading.Lock()

    def handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                with server._lock:
                    server.hits[path] = server.hits.get(path, 0) + 1
                    server.times.setdefault(path, []).append(time.time())
                    server.headers.setdefault(path, []).append(
                        {k.lower(): v for k, v in self.headers.items()})
                route = server.routes.get(path)
                if route is not None and route.delay:
                    time.sleep(route.delay)
                if route is None:
                    self.send_error(404)
                    return
                etag = '"' + hashlib.sha1(route.body).hexdigest()[:16] + '"'
                if route.etag and self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length", str(len(route.body)))
                if route.etag:
                    self.send_header("ETag", etag)
                for key, value in route.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(route.body)

        return Handler


class Receiver(_Server):
    """Records every JSON body POSTed to it: what apprise's json:// sends."""

    def __init__(self, port: int | None = None, status: int = 200, delay: float = 0.0) -> None:
        super().__init__(port)
        self.received: list[dict[str, Any]] = []
        self.status = status
        self.delay = delay  # seconds before answering: a slow chat service
        self._lock = threading.Lock()

    def handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                if server.delay:
                    time.sleep(server.delay)
                if server.status < 400:
                    with server._lock:
                        server.received.append(json.loads(body or b"{}") | {"path": self.path})
                self.send_response(server.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        return Handler

    def json_url(self, path: str = "alerts") -> str:
        return f"json://127.0.0.1:{self.port}/{path}"

    def to(self, path: str) -> list[dict[str, Any]]:
        """What was received on /path."""
        return [r for r in self.received if r["path"] == f"/{path}"]


class TcpProxy:
    """Forwards a loopback port to another address until stopped: a store that can be cut off."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._open: list[socket.socket] = []

    def start(self) -> TcpProxy:
        self._listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def _accept(self) -> None:
        assert self._listener is not None
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self._open += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        """Cuts every connection and refuses new ones."""
        if self._listener:
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
            self._listener.close()
        for conn in self._open:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
                conn.close()
