"""What a client did, seen from the replay server: each request and how its response ended,
and each connection the client opened and whether it closed it.

The server fills these in as it works (on its event loop); the verdicts (`_verdicts`) read
them from the test's thread. Times are `time.monotonic()` seconds.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["Connection", "ConnectionLog", "Exchange", "Outcome"]

# How a response ended, as the server saw it:
# - "streaming": not ended yet;
# - "complete": every byte the recording (and its faults) held was sent and the body ended;
# - "error event": complete, but what was sent holds an `error` event (the API's failure
#   after `200 OK`);
# - "cut": the server dropped the connection mid-body (a `cut` fault or a recorded cut);
# - "abandoned": the client closed the connection before the end;
# - "refused": an HTTP error status before any byte of a body (an `http:` fault, a missing
#   key, a body too large);
# - "unmatched": no recording matched the request.
Outcome = Literal[
    "streaming", "complete", "error event", "cut", "abandoned", "refused", "unmatched"
]
INCOMPLETE: frozenset[Outcome] = frozenset({"error event", "cut", "abandoned", "refused"})
_ERROR_EVENT = b"event: error\n"


def _ends(data: bytes) -> int:
    """How many events end in `data` (a blank line, LF or CRLF)."""
    return data.count(b"\n\n") + data.count(b"\r\n\r\n")


@dataclass
class Exchange:
    """One request and its response."""

    number: int  # in the order the server received them, from 1
    method: str
    path: str
    port: int  # the client's port: requests that share it came on one connection
    received: float
    body: Any = None  # the request's JSON, once read
    recording: str | None = None  # the recording that answered it
    status: int | None = None
    outcome: Outcome = "streaming"
    sent: int = 0  # bytes of the body written
    events: int = 0  # whole events written (a rechunked or dripped one counts once it ends)
    last_byte: float | None = None
    ended: float | None = None
    stall: float = 0.0  # the stall fault's seconds, once the server began it
    stall_began: float | None = None
    stall_waited: float | None = None  # how long the client waited in the stall
    stall_outlasted: bool = False  # it waited until the stall ended
    _tail: bytes = field(default=b"", repr=False)

    @property
    def streamed(self) -> bool:
        """The response had begun: a `200` and at least one byte of its body."""
        return self.status == 200 and self.sent > 0

    def wrote(self, data: bytes, now: float) -> None:
        self.sent += len(data)
        self.last_byte = now
        seen = self._tail + data  # what ended in the last write is already counted
        self.events += _ends(seen) - _ends(self._tail)
        if _ERROR_EVENT in seen:
            self.outcome = "error event"
        self._tail = seen[-(len(_ERROR_EVENT) + 1) :]

    def stalling(self, seconds: float, now: float) -> None:
        self.stall, self.stall_began = seconds, now

    def end(self, outcome: Outcome, now: float) -> None:
        if self.outcome == "error event" and outcome == "complete":
            outcome = "error event"
        self.outcome, self.ended = outcome, now
        if self.stall_began is not None and self.stall_waited is None:
            self.stall_waited = now - self.stall_began

    def stall_over(self, now: float) -> None:
        """The stall ran its course: the client waited through all of it."""
        if self.stall_began is not None and self.stall_waited is None:
            self.stall_waited = now - self.stall_began
            self.stall_outlasted = True

    def describe(self) -> str:
        """'request 2 (POST /v1/messages, recordings/x.toml): cut after 812 bytes, 5 events'."""
        what = f"request {self.number} ({self.method} {self.path}"
        what += f", {self.recording})" if self.recording else ")"
        if self.outcome in ("refused", "unmatched"):
            return f"{what}: {self.outcome} with {self.status}"
        sent = f"{self.sent} bytes, {self.events} event{'s' * (self.events != 1)}"
        return f"{what}: {self.outcome} after {sent}"


@dataclass
class Connection:
    port: int
    opened: float
    closed: float | None = None
    requests: list[int] = field(default_factory=list)  # the exchanges it carried


class ConnectionLog:
    """The connections a server accepted, by the client's port; safe across threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._all: list[Connection] = []
        self._open: dict[int, Connection] = {}

    def opened(self, port: int) -> None:
        with self._lock:
            connection = Connection(port, time.monotonic())
            self._all.append(connection)
            self._open[port] = connection

    def closed(self, port: int) -> None:
        with self._lock:
            if (connection := self._open.pop(port, None)) is not None:
                connection.closed = time.monotonic()

    def carried(self, port: int, request: int) -> None:
        with self._lock:
            if (connection := self._open.get(port)) is not None:
                connection.requests.append(request)

    def still_open(self) -> list[Connection]:
        with self._lock:
            return list(self._open.values())

    def all(self) -> list[Connection]:
        with self._lock:
            return list(self._all)

    def forget(self) -> None:
        """Forget the closed ones (a sweep's next run starts so); open ones stay open."""
        with self._lock:
            self._all = list(self._open.values())
