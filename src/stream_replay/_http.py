"""What the replay server and the recording proxy share: a uvicorn server in a thread.

Both listen on 127.0.0.1 with timeouts, so no client can hold a connection forever: request
headers must arrive within `header_timeout` seconds of connecting (or of the previous
response), the body may pause at most `body_timeout` seconds between chunks, and an idle
kept-alive connection is closed after 5 seconds (uvicorn's default). A client that goes away
is logged in one line, not with a traceback.
"""

from __future__ import annotations

import asyncio
import errno
import json
import logging
import socket
import threading
import time
from types import TracebackType
from typing import Any, Self

import uvicorn
from starlette.requests import ClientDisconnect, Request
from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = [
    "HOST",
    "METHODS",
    "BodyTimeout",
    "BodyTooLarge",
    "ClientGone",
    "ConnectionCut",
    "PortInUse",
    "ThreadedServer",
    "parse_body",
    "read_body",
    "request_path",
]

HOST = "127.0.0.1"
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
HEADER_TIMEOUT = 10.0
BODY_TIMEOUT = 30.0


def parse_body(raw: bytes) -> Any:
    """A request body's JSON, or its text when it is not JSON, or nested too deeply to parse:
    the replay server matches it, the recorder stores it, and a mismatch shows it."""
    try:
        return json.loads(raw) if raw else None
    except (ValueError, RecursionError):
        return raw.decode("utf-8", "replace")


def request_path(request: Request) -> str:
    """The path with its query string, as recordings store it."""
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


class BodyTooLarge(Exception):
    """The request body is larger than the limit (said by content-length, or as it arrived)."""


class BodyTimeout(Exception):
    """The client stopped sending its request body."""


class ClientGone(Exception):
    """The client closed the connection before its request body had arrived."""


class ConnectionCut(Exception):
    """Raised inside a response body to drop the connection, as a network failure would."""


async def read_body(request: Request, *, limit: int, timeout: float) -> bytes:
    """The whole request body, refused past `limit` bytes without reading the rest."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    body = bytearray()
    while True:
        try:
            message = await asyncio.wait_for(request.receive(), timeout)
        except TimeoutError:
            raise BodyTimeout from None
        if message["type"] == "http.disconnect":
            raise ClientGone
        body += message.get("body", b"")
        if len(body) > limit:
            raise BodyTooLarge
        if not message.get("more_body", False):
            return bytes(body)


class _HeaderTimeoutProtocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol, closing a connection whose request headers do not come.

    uvicorn times out only an idle connection after a response; a client that connects and
    sends nothing, or half a request line, would otherwise hold the connection forever.
    """

    header_timeout = HEADER_TIMEOUT

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._await_headers()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._await_headers()

    def _await_headers(self) -> None:
        waiting_after = self.cycle  # a new request replaces it

        def expire() -> None:
            if self.cycle is waiting_after and not self.transport.is_closing():
                self.transport.close()

        self.loop.call_later(self.header_timeout, expire)


class _OneLineLogs(logging.Filter):
    """Drop the log of a deliberate cut; log a client that went away in one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        while error is not None:
            if isinstance(error, ConnectionCut):
                return False
            if isinstance(error, ClientDisconnect | ClientGone | ConnectionError):
                record.msg, record.args = f"a client went away: {type(error).__name__}", ()
                record.exc_info = record.exc_text = None
                return True
            error = error.__cause__ or error.__context__
        return True


logging.getLogger("uvicorn.error").addFilter(_OneLineLogs())


class PortInUse(OSError):
    """The port asked for is taken."""


class ThreadedServer:
    """An ASGI app served by uvicorn on 127.0.0.1 in a background thread; a context manager."""

    def __init__(
        self,
        app: Any,
        *,
        port: int = 0,
        header_timeout: float = HEADER_TIMEOUT,
        **options: Any,
    ) -> None:
        protocol = type(
            "HeaderTimeoutProtocol", (_HeaderTimeoutProtocol,), {"header_timeout": header_timeout}
        )
        config = uvicorn.Config(
            app,
            host=HOST,
            port=port,
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=1,
            http=protocol,
            **options,
        )
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None
        self._port = port
        self.url = ""

    def start(self) -> Self:
        name = type(self).__name__
        # Bound here, not in uvicorn's thread: a busy port is an error the caller can report.
        try:
            listener = socket.create_server((HOST, self._port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise PortInUse(
                    error.errno,
                    f"port {self._port} on {HOST} is in use; choose another with --port",
                ) from None
            raise
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [listener]}, name=name, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                listener.close()
                raise RuntimeError(f"{name} did not start on {HOST}")
            time.sleep(0.005)
        self.url = f"http://{HOST}:{listener.getsockname()[1]}"
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=5)

    def wait(self) -> None:
        """Block until the server stops (Ctrl-C stops it)."""
        try:
            while self._thread is not None and self._thread.is_alive():
                self._thread.join(0.5)
        except KeyboardInterrupt:
            self.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
