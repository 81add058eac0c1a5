"""Faults the replay server injects into any recording, to reproduce how real streams fail.

A fault changes what is sent, not the recording. The server turns a recording's events into a
`Plan`: the byte chunks to send (`Steps`, made one by one as they are sent), when to send each,
and whether to end the response properly or drop the connection. Faults given to the server
apply in a fixed order, whatever order they are given in: events are inserted (error,
malformed, unknown), the stream is cut, stalls are added, then the bytes are re-chunked or
dripped.

On the command line a fault is a spec such as `cut:3` or `http:529@1` (see `parse_fault`).
"""

from __future__ import annotations

import itertools
import json
import math
import random
import re
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ._recording import RecordedEvent

__all__ = [
    "Buffer",
    "CutAfter",
    "Drip",
    "ErrorEvent",
    "Fault",
    "HttpError",
    "IdleCut",
    "MalformedData",
    "Plan",
    "Rechunk",
    "StallBefore",
    "Step",
    "Steps",
    "UnknownEvent",
    "parse_fault",
    "plan_response",
]


@dataclass(frozen=True, kw_only=True)
class _Fault:
    on_request: int | None = None  # only the Nth request the server answers (1-based); None: all

    def __post_init__(self) -> None:
        if self.on_request is not None:
            _at_least(self.on_request, 1, "@K (the request it applies to, counted from 1)")

    def applies_to(self, request_number: int) -> bool:
        return self.on_request is None or self.on_request == request_number


def _at_least(value: int, lowest: int, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < lowest:
        raise ValueError(f"{what} must be a whole number, {lowest} or more")


def _seconds(value: float, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{what} must be a number of seconds")
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{what} must be a finite number of seconds, 0 or more")


@dataclass(frozen=True)
class CutAfter(_Fault):
    """Drop the connection after `events` events, or in the middle of the next one."""

    events: int
    mid_event: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        _at_least(self.events, 0, "N (events before the cut)")


@dataclass(frozen=True)
class StallBefore(_Fault):
    """Send nothing for `seconds` (real seconds, whatever the speed) before event `event`;
    `math.inf`: a stall that never ends, until the client gives up."""

    event: int  # 1-based
    seconds: float

    def __post_init__(self) -> None:
        super().__post_init__()
        _at_least(self.event, 1, "N (the event it stalls, counted from 1)")
        if self.seconds != math.inf:
            _seconds(self.seconds, "T (the stall)")


@dataclass(frozen=True)
class IdleCut(_Fault):
    """Drop the connection once `seconds` pass with nothing sent, as a proxy or a load
    balancer with an idle timeout does (real seconds, whatever the speed)."""

    seconds: float

    def __post_init__(self) -> None:
        super().__post_init__()
        _seconds(self.seconds, "T (the idle time)")


@dataclass(frozen=True)
class Buffer(_Fault):
    """Deliver the body as a buffering proxy does: `size` bytes as soon as it holds them (when
    the last of them is due), the rest when the body ends; None: all of it at the end."""

    size: int | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.size is not None:
            _at_least(self.size, 1, "N (bytes a chunk)")


@dataclass(frozen=True)
class Drip(_Fault):
    """Send the body `size` bytes at a time, `interval` real seconds apart."""

    size: int = 1
    interval: float = 0.01

    def __post_init__(self) -> None:
        super().__post_init__()
        _at_least(self.size, 1, "B (bytes a time)")
        _seconds(self.interval, "T (the interval)")


@dataclass(frozen=True)
class ErrorEvent(_Fault):
    """After `after` events, send an `error` event and end the stream, as the API does."""

    after: int
    error_type: str = "overloaded_error"
    message: str = "Overloaded"

    def __post_init__(self) -> None:
        super().__post_init__()
        _at_least(self.after, 0, "N (events before the error)")
        if not _ERROR_TYPE.fullmatch(self.error_type):
            raise ValueError("TYPE must be an error type such as overloaded_error")


@dataclass(frozen=True)
class MalformedData(_Fault):
    """After `after` events, send an event whose `data:` line is not valid JSON."""

    after: int

    def __post_init__(self) -> None:
        super().__post_init__()
        _at_least(self.after, 0, "N (events before it)")


@dataclass(frozen=True)
class UnknownEvent(_Fault):
    """After `after` events, send an event of a type no client knows yet."""

    after: int
    name: str = "future_event"

    def __post_init__(self) -> None:
        super().__post_init__()
        _at_least(self.after, 0, "N (events before it)")
        if not _ERROR_TYPE.fullmatch(self.name):
            raise ValueError("the event name must be lower-case letters and underscores")


@dataclass(frozen=True)
class Rechunk(_Fault):
    """Cut the body at random (seeded) boundaries into chunks of 1 to `max_size` bytes.

    Boundaries fall anywhere: inside a line, a CRLF, a multi-byte UTF-8 character.
    """

    seed: int
    max_size: int = 8

    def __post_init__(self) -> None:
        super().__post_init__()
        _at_least(self.seed, 0, "SEED")
        _at_least(self.max_size, 1, "MAX (the largest chunk)")


@dataclass(frozen=True)
class HttpError(_Fault):
    """Answer with an HTTP error in the API's shape before any event (429, 500, 529, ...)."""

    status: int
    retry_after: float | None = None  # the retry-after header, in seconds

    def __post_init__(self) -> None:
        super().__post_init__()
        if isinstance(self.status, bool) or self.status not in range(400, 600):
            raise ValueError("STATUS must be an HTTP error status, 400 to 599")
        if self.retry_after is not None:
            _seconds(self.retry_after, "RETRY_AFTER")


_ERROR_TYPE = re.compile(r"[a-z][a-z_]*")

Fault = (
    CutAfter
    | StallBefore
    | Buffer
    | IdleCut
    | Drip
    | ErrorEvent
    | MalformedData
    | UnknownEvent
    | Rechunk
    | HttpError
)

# The API's error type for each status it documents (platform.claude.com/docs/en/api/errors).
ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}
ERROR_MESSAGES = {
    "rate_limit_error": "Number of request tokens has exceeded your per-minute rate limit",
    "api_error": "Internal server error",
    "overloaded_error": "Overloaded",
}


@dataclass(frozen=True)
class Step:
    """A chunk due at `at` (recorded seconds, divided by the speed) plus `delay` real seconds."""

    at: float
    data: bytes
    delay: float = 0.0
    # The seconds of a `stall` fault that begins before this step (the server reports how
    # long a client waited in it); not part of what is sent, so not compared.
    stall: float = field(default=0.0, compare=False)


class Steps:
    """The chunks a plan sends, made one by one as they are read, never all at once.

    A fault that cuts the body into bytes (`rechunk`, `drip`) can make millions of steps from a
    long recording: built whole and up front they would take minutes and gigabytes before the
    first byte. Iterating again makes them again, the same (a seeded `rechunk` included).
    """

    def __init__(self, events: Sequence[RecordedEvent] = (), faults: Sequence[Fault] = ()):
        self._events = events
        self._faults = [f for kind in _ORDER for f in faults if isinstance(f, kind)]

    def __iter__(self) -> Iterator[Step]:
        steps: Iterator[Step] = (Step(event.at, event.raw) for event in self._events)
        for fault in self._faults:
            steps = _apply(fault, steps)
        return steps

    def __bool__(self) -> bool:
        return next(iter(self), None) is not None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Steps):
            return NotImplemented
        return all(a == b for a, b in itertools.zip_longest(self, other))

    def __hash__(self) -> int:
        return hash((tuple(map(id, self._events)), tuple(self._faults)))

    def __repr__(self) -> str:
        return f"Steps({len(self._events)} events, faults={self._faults})"


@dataclass(frozen=True)
class Plan:
    steps: Steps = field(default_factory=Steps)
    cut: bool = False  # drop the connection after the last step instead of ending the body
    http_error: HttpError | None = None
    idle_cut: float | None = None  # drop it instead once this many seconds pass with nothing sent


# A proxy buffers what the API sent, faults and all; the network may then cut it up again.
_ORDER = (ErrorEvent, MalformedData, UnknownEvent, CutAfter, StallBefore, Buffer, Rechunk, Drip)


def plan_response(
    events: Sequence[RecordedEvent],
    faults: Sequence[Fault],
    request_number: int = 1,
    *,
    cut: bool = False,
) -> Plan:
    """What to send for a recording's events under `faults`, for the Nth request.

    `cut`: the recording itself ends in a dropped connection (a recorded cut). An `error`
    event ends the stream properly, and a `cut` fault (applied after it) drops it.
    """
    active = [fault for fault in faults if fault.applies_to(request_number)]
    for fault in active:
        if isinstance(fault, HttpError):
            return Plan(http_error=fault)
    if any(isinstance(fault, ErrorEvent) for fault in active):
        cut = False
    if any(isinstance(fault, CutAfter) for fault in active):
        cut = True
    idle = min((f.seconds for f in active if isinstance(f, IdleCut)), default=None)
    return Plan(Steps(events, active), cut, idle_cut=idle)


def _apply(fault: Fault, steps: Iterator[Step]) -> Iterator[Step]:
    match fault:
        case ErrorEvent(after=after, error_type=error_type, message=message):
            error = {"type": "error", "error": {"type": error_type, "message": message}}
            return _insert(steps, after, "error", json.dumps(error), end=True)
        case MalformedData(after=after):
            broken = '{"type":"content_block_delta","index":0,"delta":{"type":"text_de'
            return _insert(steps, after, "content_block_delta", broken)
        case UnknownEvent(after=after, name=name):
            return _insert(steps, after, name, json.dumps({"type": name}))
        case CutAfter(events=count, mid_event=mid_event):
            return _cut(steps, count, mid_event)
        case StallBefore(event=event, seconds=seconds):
            return _stall(steps, max(event - 1, 0), seconds)
        case Buffer(size=size):
            return _buffer(steps, size)
        case Rechunk(seed=seed, max_size=max_size):
            return _rechunk(steps, random.Random(seed), max_size)
        case Drip(size=size, interval=interval):
            return _drip(steps, size, interval)
        case HttpError() | IdleCut():  # the server applies them, not the steps
            return steps


def _insert(
    steps: Iterator[Step], after: int, name: str, data: str, *, end: bool = False
) -> Iterator[Step]:
    """A new event sent right after the `after`th step (or first, if `after` is 0), due when
    that step is; `end`: the stream ends with it."""
    previous = Step(0.0, b"")
    for _ in range(after):
        if (step := next(steps, None)) is None:
            break
        previous = step
        yield step
    yield Step(previous.at, f"event: {name}\ndata: {data}\n\n".encode(), previous.delay)
    if not end:
        yield from steps


def _cut(steps: Iterator[Step], count: int, mid_event: bool) -> Iterator[Step]:
    yield from itertools.islice(steps, count)
    if mid_event and (following := next(steps, None)) is not None:
        yield replace(following, data=following.data[: len(following.data) // 2])


def _stall(steps: Iterator[Step], index: int, seconds: float) -> Iterator[Step]:
    yield from itertools.islice(steps, index)
    if (first := next(steps, None)) is not None:
        yield replace(first, delay=first.delay + seconds, stall=seconds)
    for step in steps:
        yield replace(step, delay=step.delay + seconds)


def _buffer(steps: Iterator[Step], size: int | None) -> Iterator[Step]:
    held, last = b"", None
    for step in steps:
        held, last = held + step.data, step
        stall = step.stall  # the first chunk let out after a stall carries it
        while size is not None and len(held) >= size:
            yield replace(step, data=held[:size], stall=stall)
            held, stall = held[size:], 0.0
    if held and last is not None:
        yield replace(last, data=held, stall=0.0)


def _drip(steps: Iterator[Step], size: int, interval: float) -> Iterator[Step]:
    """Each step's bytes `size` at a time, each piece `interval` seconds after the one before."""
    pieces = 0
    for step in steps:
        for start in range(0, len(step.data), size):
            pieces += 1
            yield replace(
                step, data=step.data[start : start + size], delay=step.delay + interval * pieces
            )


def _rechunk(steps: Iterator[Step], rng: random.Random, max_size: int) -> Iterator[Step]:
    """The body cut into chunks of 1 to `max_size` bytes; a chunk is due when its last byte is
    (that byte's step is). Only the bytes of the chunk being made are held."""
    pending = bytearray()
    owners: deque[list[Any]] = deque()  # [step, how many of its bytes are still pending]

    def fill(size: int) -> None:
        while len(pending) < size and (step := next(steps, None)) is not None:
            pending.extend(step.data)
            owners.append([step, len(step.data)])

    while True:
        fill(1)
        if not pending:
            return
        size = rng.randint(1, max_size)
        fill(size)
        size = min(size, len(pending))
        left = size
        while left:
            owner = owners[0]
            taken = min(owner[1], left)
            owner[1] -= taken
            left -= taken
            last: Step = owner[0]
            if not owner[1]:
                owners.popleft()
        chunk = bytes(pending[:size])
        del pending[:size]
        yield Step(last.at, chunk, last.delay)


# --------------------------------------------------------------------------- command line

FAULT_SPECS = """\
cut:N           drop the connection after N events (no message_stop)
cut-mid:N       drop it in the middle of event N+1
stall:N:T       send nothing for T seconds before event N (T: forever, until the client leaves)
drip:B:T        send B bytes at a time, T seconds apart
error:N[:TYPE]  an `error` event after N events (default overloaded_error), then the end
malformed:N     an event with a data: line that is not JSON, after N events
unknown:N       an event of an unknown type, after N events
rechunk:SEED[:MAX]  cut the body at random boundaries, chunks of 1 to MAX bytes (default 8)
buffer[:N]      as a buffering proxy: N bytes at a time as soon as held (none: all at the end)
idle:T          drop the connection once T seconds pass with nothing sent (a proxy's timeout)
http:STATUS[:RETRY_AFTER]  an HTTP error before any event: 429, 500, 529, ...
Add @K to apply a fault to the Kth request only, e.g. http:529@1."""


def parse_fault(spec: str) -> Fault:
    """A fault from its command-line spec; ValueError with the grammar when it is not one."""
    text, at, request = spec.partition("@")
    name, *args = text.split(":")
    reason = ""
    try:
        on_request = int(request) if at else None
        fault = _build(name, args, on_request)
    except ValueError as error:
        fault = None
        # A range error says what is wrong; int("x") and float("x") do not.
        reason = (
            ""
            if str(error).startswith(("invalid literal", "could not convert"))
            else (f" ({error})")
        )
    except (IndexError, TypeError):
        fault = None
    if fault is None:
        raise ValueError(f"not a fault: {spec!r}{reason}. Faults:\n{FAULT_SPECS}")
    return fault


def _build(name: str, args: list[str], on_request: int | None) -> Fault | None:
    if name in {"cut", "cut-mid"} and len(args) == 1:
        return CutAfter(int(args[0]), mid_event=name == "cut-mid", on_request=on_request)
    if name == "stall" and len(args) == 2:
        seconds = math.inf if args[1] == "forever" else float(args[1])
        if args[1] != "forever":
            _seconds(seconds, "T (the stall)")  # a number, finite: "forever" says it never ends
        return StallBefore(int(args[0]), seconds, on_request=on_request)
    if name == "idle" and len(args) == 1:
        return IdleCut(float(args[0]), on_request=on_request)
    if name == "buffer" and len(args) <= 1:
        return Buffer(int(args[0]) if args else None, on_request=on_request)
    if name == "drip" and len(args) == 2:
        return Drip(int(args[0]), float(args[1]), on_request=on_request)
    if name == "error" and len(args) in {1, 2}:
        error_type = args[1] if len(args) == 2 else "overloaded_error"
        message = ERROR_MESSAGES.get(error_type, error_type.replace("_", " ").capitalize())
        return ErrorEvent(int(args[0]), error_type, message, on_request=on_request)
    if name == "malformed" and len(args) == 1:
        return MalformedData(int(args[0]), on_request=on_request)
    if name == "unknown" and len(args) == 1:
        return UnknownEvent(int(args[0]), on_request=on_request)
    if name == "rechunk" and len(args) in {1, 2}:
        return Rechunk(int(args[0]), int(args[1]) if len(args) == 2 else 8, on_request=on_request)
    if name == "http" and len(args) in {1, 2}:
        retry_after = float(args[1]) if len(args) == 2 else None
        return HttpError(int(args[0]), retry_after, on_request=on_request)
    return None
