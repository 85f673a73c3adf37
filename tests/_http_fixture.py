"""A loopback HTTP server for tests that must exercise downloads without the internet.

Usage::

    from tests._http_fixture import LoopbackServer

    with LoopbackServer({"/a/b.txt": (200, b"hello")}) as server:
        url = server.url("/a/b.txt")
        ...
        assert server.count("/a/b.txt") == 1

or request the ``loopback_server`` pytest fixture (import it into the test module or a
conftest). Routes map a URL path (query string ignored) to a :class:`Route` or a tuple
``(status, body)`` / ``(status, body, delay_seconds)``. Unknown paths get a 404. The server also
knows the two "resolve a branch to a commit" APIs the asset loader uses
(:meth:`LoopbackServer.add_github_commit`, :meth:`LoopbackServer.add_hf_revision`).
Everything binds to 127.0.0.1 on a free port; nothing leaves the machine.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import pytest


@dataclass(frozen=True)
class Route:
    """One canned response.

    ``delay`` sleeps before the status line is sent (to trigger client timeouts).
    ``truncate_at`` announces the full Content-Length but sends only that many body bytes and
    then closes the connection (a dropped download).
    """

    status: int = 200
    body: bytes = b""
    delay: float = 0.0
    truncate_at: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


RouteLike = Route | tuple[int, bytes] | tuple[int, bytes, float]


def _as_route(value: RouteLike) -> Route:
    if isinstance(value, Route):
        return value
    if len(value) == 2:
        return Route(status=value[0], body=value[1])
    return Route(status=value[0], body=value[1], delay=value[2])


class LoopbackServer:
    """Threaded HTTP server on 127.0.0.1 serving canned routes and counting requests per path."""

    def __init__(self, routes: Mapping[str, RouteLike] | None = None) -> None:
        self.routes: dict[str, Route] = {k: _as_route(v) for k, v in (routes or {}).items()}
        self.counts: Counter[str] = Counter()
        self.request_headers: dict[str, dict[str, str]] = {}
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def add(self, path: str, value: RouteLike | bytes) -> None:
        """Serve ``value`` at ``path`` (bytes alone mean status 200)."""
        route = Route(body=value) if isinstance(value, bytes) else _as_route(value)
        with self._lock:
            self.routes[path] = route

    def add_json(self, path: str, payload: Any, status: int = 200) -> None:
        body = json.dumps(payload).encode("utf-8")
        self.add(
            path, Route(status=status, body=body, headers={"Content-Type": "application/json"})
        )

    def add_github_commit(self, repo: str, ref: str, sha: str) -> str:
        """Serve the GitHub commits API for ``repo@ref`` (``{"sha": sha}``); returns the path."""
        path = f"/repos/{repo}/commits/{ref}"
        self.add_json(path, {"sha": sha})
        return path

    def add_hf_revision(self, repo: str, ref: str, sha: str) -> str:
        """Serve the HF dataset revision API for ``repo@ref``; returns the path."""
        path = f"/api/datasets/{repo}/revision/{ref}"
        self.add_json(path, {"id": repo, "sha": sha})
        return path

    def count(self, path: str) -> int:
        with self._lock:
            return self.counts[path]

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> LoopbackServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _lookup(self, path: str, headers: dict[str, str]) -> Route | None:
        with self._lock:
            self.counts[path] += 1
            self.request_headers[path] = headers
            return self.routes.get(path)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server naming)
                path = urlsplit(self.path).path
                route = server._lookup(path, dict(self.headers.items()))
                if route is None:
                    route = Route(status=404, body=b"not found")
                if route.delay:
                    time.sleep(route.delay)
                try:
                    self.send_response(route.status)
                    for key, value in route.headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(route.body)))
                    self.end_headers()
                    if route.truncate_at is None:
                        self.wfile.write(route.body)
                        return
                    self.wfile.write(route.body[: route.truncate_at])
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                except (BrokenPipeError, ConnectionResetError, OSError):
                    self.close_connection = True  # the client gave up (e.g. it timed out)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                """Keep test output quiet."""

        return Handler


def closed_port_url() -> str:
    """A loopback URL on which nothing listens (for offline tests): connections are refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def loopback_server() -> Iterator[LoopbackServer]:
    """A fresh :class:`LoopbackServer`, shut down after the test."""
    with LoopbackServer() as server:
        yield server
