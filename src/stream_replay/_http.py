"""What the replay server and the recording proxy share: a uvicorn server in a thread.

Both listen on 127.0.0.1 with timeouts, so no client can hold a connection forever: request
headers must arrive within `header_timeout` seconds of connecting (or of the previous
response), the whole body within `body_timeout` seconds of them, and an idle kept-alive
connection is closed after 5 seconds (uvicorn's default). A client that goes away
is logged in one line, not with a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import json
import logging
import socket
import sys
import threading
import time
from types import TracebackType
from typing import Any, Self

import anyio
import uvicorn
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from uvicorn.protocols.http.h11_impl import H11Protocol

from ._exchanges import ConnectionLog

__all__ = [
    "HOST",
    "METHODS",
    "BodyTimeout",
    "BodyTooLarge",
    "ClientGone",
    "ConnectionCut",
    "LingeringResponse",
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


class LingeringResponse(Response):
    """An answer to a request whose body was left unread (too large): sent whole at once, then
    the connection is held while the rest of the body arrives and is dropped, then closed.

    Closing while the client still sends resets the connection (TCP RST): its send fails, and
    what it had not yet read of the answer is lost. The rest is read for at most `linger`
    seconds, and no longer than `idle` seconds without a byte.
    """

    def __init__(self, response: Response, *, linger: float, idle: float = 1.0) -> None:
        super().__init__(bytes(response.body), response.status_code, dict(response.headers))
        self.headers["connection"] = "close"
        self._linger, self._idle = linger, idle

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        start = {"type": "http.response.start", "status": self.status_code}
        await send({**start, "headers": self.raw_headers})
        await send({"type": "http.response.body", "body": self.body, "more_body": True})
        deadline = asyncio.get_running_loop().time() + self._linger
        with contextlib.suppress(TimeoutError):
            while (left := deadline - asyncio.get_running_loop().time()) > 0:
                message = await asyncio.wait_for(receive(), min(self._idle, left))
                if message["type"] == "http.disconnect" or not message.get("more_body"):
                    break
        await send({"type": "http.response.body", "body": b"", "more_body": False})


async def read_body(request: Request, *, limit: int, timeout: float) -> bytes:
    """The whole request body, refused past `limit` bytes without reading the rest, and past
    `timeout` seconds: a body that drips in a byte at a time is as late as one that stops."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    body = bytearray()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            message = await asyncio.wait_for(request.receive(), max(deadline - loop.time(), 0))
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
    # The server's log, which tells what a client left open (uvicorn has `connections`).
    connection_log: ConnectionLog | None = None
    _header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if self.connection_log is not None and self.client:
            self.connection_log.opened(self.client[1])
        self._await_headers()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._await_headers()

    def connection_lost(self, exc: Exception | None) -> None:
        # The timer would hold the connection, and all it holds, until it fired.
        self._cancel_header_timer()
        if self.connection_log is not None and self.client:
            self.connection_log.closed(self.client[1])
        super().connection_lost(exc)

    def _await_headers(self) -> None:
        self._cancel_header_timer()
        waiting_after = self.cycle  # a new request replaces it

        def expire() -> None:
            self._header_timer = None
            if self.cycle is waiting_after and not self.transport.is_closing():
                self.transport.close()

        self._header_timer = self.loop.call_later(self.header_timeout, expire)

    def _cancel_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None


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


class _OutOfResources:
    """asyncio's report of an accept() that failed for want of file descriptors (or memory),
    in one line, once a minute at most; other reports go to asyncio's own handler.

    asyncio reports each failed accept() with a traceback, up to a hundred a second while
    connections wait: tens of thousands of lines in a minute, and the cause hard to find. Each
    also schedules a retry, which fails (with a traceback again) once the listener has closed.
    """

    interval = 60.0
    _said_at: float | None = None

    def __call__(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        retry = getattr(getattr(context.get("handle"), "_callback", None), "__name__", "")
        if retry == "_start_serving" and isinstance(context.get("exception"), ValueError):
            return  # a retry after the listener closed (its descriptor is -1): nothing to say
        if context.get("message") != "socket.accept() out of system resource":
            loop.default_exception_handler(context)
            return
        now = time.monotonic()
        if self._said_at is None or now - self._said_at >= self.interval:
            self._said_at = now
            logging.getLogger("uvicorn.error").error(
                "no new connection can be accepted: %s; asyncio tries again every second "
                "(said once a minute)",
                context.get("exception"),
            )


class PortInUse(OSError):
    """The port asked for is taken."""


class _PromptServer(uvicorn.Server):
    """uvicorn's server, stopping as soon as it is asked to.

    uvicorn looks at `should_exit` every 0.1 s, and once stopping waits 0.1 s more before it
    looks at the open connections, then polls them every 0.1 s: about 0.2 s for every stop,
    which a test suite that starts a server per example pays hundreds of times. Here `stop()`
    wakes the loop at once, and the connections are polled every few milliseconds; a response
    still being sent gets `grace` seconds to end, then is cancelled.
    """

    grace = 1.0  # as uvicorn's timeout_graceful_shutdown was before

    _wake: asyncio.Event | None = None
    _loop: asyncio.AbstractEventLoop | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        # Warm what the first request would otherwise pay for while its stream is being timed
        # (some 20 ms): anyio's asyncio backend, loaded by the first streamed response, and the
        # thread that parses and matches request bodies.
        async with anyio.create_task_group():
            pass
        await asyncio.to_thread(int)
        asyncio.get_running_loop().set_exception_handler(_OutOfResources())
        await super().startup(sockets)

    async def main_loop(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        counter = 0
        should_exit = await self.on_tick(counter)
        while not should_exit:
            counter = (counter + 1) % 864000
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), 0.1)
            should_exit = await self.on_tick(counter)

    def request_stop(self) -> None:
        """Ask the server to stop, from any thread."""
        self.should_exit = True
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None:
            with contextlib.suppress(RuntimeError):  # the loop has already closed
                loop.call_soon_threadsafe(wake.set)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        # An idle connection closes now; one mid-response closes when its response ends.
        for connection in list(self.server_state.connections):
            connection.shutdown()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.grace
        state = self.server_state
        while (state.connections or state.tasks) and not self.force_exit:
            if loop.time() >= deadline:
                logging.getLogger("uvicorn.error").error(
                    "Cancel %s running task(s), timeout graceful shutdown exceeded",
                    len(state.tasks),
                )
                for task in state.tasks:
                    task.cancel(msg="Task cancelled, timeout graceful shutdown exceeded")
                break
            await asyncio.sleep(0.002)
        if not self.force_exit:
            await self.lifespan.shutdown()


def _tcp_listener(port: int) -> socket.socket:
    """A listening socket on HOST made with `proto=IPPROTO_TCP`.

    asyncio sets TCP_NODELAY on an accepted connection only when the socket's `proto` says
    TCP, and an accepted socket takes the listener's; `socket.create_server()` leaves it 0.
    Without TCP_NODELAY, Nagle's algorithm holds back an event written while the previous one
    is unacknowledged (some 40 ms with delayed ACKs), as on a kept-alive connection.
    """
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        if hasattr(socket, "SO_REUSEADDR") and sys.platform != "win32":  # as create_server
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((HOST, port))
        listener.listen()
    except BaseException:
        listener.close()
        raise
    return listener


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
        self.connections = ConnectionLog()
        protocol = type(
            "HeaderTimeoutProtocol",
            (_HeaderTimeoutProtocol,),
            {"header_timeout": header_timeout, "connection_log": self.connections},
        )
        config = uvicorn.Config(
            app,
            host=HOST,
            port=port,
            log_level="warning",
            access_log=False,
            http=protocol,
            **options,
        )
        self.app = app
        self._server = _PromptServer(config)
        self._thread: threading.Thread | None = None
        self._port = port
        self.url = ""

    def start(self) -> Self:
        name = type(self).__name__
        # Bound here, not in uvicorn's thread: a busy port is an error the caller can report.
        try:
            listener = _tcp_listener(self._port)
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
            time.sleep(0.001)
        self.url = f"http://{HOST}:{listener.getsockname()[1]}"
        return self

    def stop(self) -> None:
        self._server.request_stop()
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
