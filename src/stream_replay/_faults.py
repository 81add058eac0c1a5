"""Faults the replay server injects into any recording, to reproduce how real streams fail.

A fault changes what is sent, not the recording. The server turns a recording's events into a
`Plan`: the byte chunks to send, when to send each, and whether to end the response properly or
drop the connection. Faults given to the server apply in a fixed order, whatever order they are
given in: events are inserted (error, malformed, unknown), the stream is cut, stalls are added,
then the bytes are re-chunked or dripped.

On the command line a fault is a spec such as `cut:3` or `http:529@1` (see `parse_fault`).
"""

from __future__ import annotations

import json
import math
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from ._recording import RecordedEvent

__all__ = [
    "CutAfter",
    "Drip",
    "ErrorEvent",
    "Fault",
    "HttpError",
    "MalformedData",
    "Plan",
    "Rechunk",
    "StallBefore",
    "Step",
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
    """Send nothing for `seconds` (real seconds, whatever the speed) before event `event`."""

    event: int  # 1-based
    seconds: float

    def __post_init__(self) -> None:
        super().__post_init__()
        _at_least(self.event, 1, "N (the event it stalls, counted from 1)")
        _seconds(self.seconds, "T (the stall)")


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
    CutAfter | StallBefore | Drip | ErrorEvent | MalformedData | UnknownEvent | Rechunk | HttpError
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


@dataclass(frozen=True)
class Plan:
    steps: tuple[Step, ...] = ()
    cut: bool = False  # drop the connection after the last step instead of ending the body
    http_error: HttpError | None = None


_ORDER = (ErrorEvent, MalformedData, UnknownEvent, CutAfter, StallBefore, Rechunk, Drip)


def plan_response(
    events: Sequence[RecordedEvent],
    faults: Sequence[Fault],
    request_number: int = 1,
    *,
    cut: bool = False,
) -> Plan:
    """What to send for a recording's events under `faults`, for the Nth request.

    `cut`: the recording itself ends in a dropped connection (a recorded cut).
    """
    active = [fault for fault in faults if fault.applies_to(request_number)]
    for fault in active:
        if isinstance(fault, HttpError):
            return Plan(http_error=fault)
    steps = [Step(event.at, event.raw) for event in events]
    for kind in _ORDER:
        for fault in active:
            if isinstance(fault, kind):
                steps, cut = _apply(fault, steps, cut)
    return Plan(tuple(steps), cut)


def _apply(fault: Fault, steps: list[Step], cut: bool) -> tuple[list[Step], bool]:
    match fault:
        case ErrorEvent(after=after, error_type=error_type, message=message):
            error = {"type": "error", "error": {"type": error_type, "message": message}}
            return [*steps[:after], _event_after(steps, after, "error", json.dumps(error))], False
        case MalformedData(after=after):
            broken = '{"type":"content_block_delta","index":0,"delta":{"type":"text_de'
            inserted = _event_after(steps, after, "content_block_delta", broken)
            return [*steps[:after], inserted, *steps[after:]], cut
        case UnknownEvent(after=after, name=name):
            inserted = _event_after(steps, after, name, json.dumps({"type": name}))
            return [*steps[:after], inserted, *steps[after:]], cut
        case CutAfter(events=count, mid_event=mid_event):
            kept = steps[:count]
            if mid_event and count < len(steps):
                following = steps[count]
                kept.append(replace(following, data=following.data[: len(following.data) // 2]))
            return kept, True
        case StallBefore(event=event, seconds=seconds):
            index = max(event - 1, 0)
            stalled = [replace(step, delay=step.delay + seconds) for step in steps[index:]]
            return [*steps[:index], *stalled], cut
        case Rechunk(seed=seed, max_size=max_size):
            return _rechunk(steps, random.Random(seed), max_size), cut
        case Drip(size=size, interval=interval):
            dripped: list[Step] = []
            for step in steps:
                for start in range(0, len(step.data), size):
                    delay = step.delay + interval * (len(dripped) + 1)
                    piece = step.data[start : start + size]
                    dripped.append(replace(step, data=piece, delay=delay))
            return dripped, cut
        case HttpError():
            return steps, cut


def _event_after(steps: list[Step], after: int, name: str, data: str) -> Step:
    """A new event, sent right after the `after`th step (or first, if `after` is 0)."""
    previous = steps[min(after, len(steps)) - 1] if after and steps else Step(0.0, b"")
    return Step(previous.at, f"event: {name}\ndata: {data}\n\n".encode(), previous.delay)


def _rechunk(steps: list[Step], rng: random.Random, max_size: int) -> list[Step]:
    body = b"".join(step.data for step in steps)
    # Each byte is due when the step it belongs to is; a chunk is sent when its last byte is due.
    due: list[Step] = [step for step in steps for _ in step.data]
    chunks: list[Step] = []
    start = 0
    while start < len(body):
        end = min(start + rng.randint(1, max_size), len(body))
        last = due[end - 1]
        chunks.append(Step(last.at, body[start:end], last.delay))
        start = end
    return chunks


# --------------------------------------------------------------------------- command line

FAULT_SPECS = """\
cut:N           drop the connection after N events (no message_stop)
cut-mid:N       drop it in the middle of event N+1
stall:N:T       send nothing for T seconds before event N
drip:B:T        send B bytes at a time, T seconds apart
error:N[:TYPE]  an `error` event after N events (default overloaded_error), then the end
malformed:N     an event with a data: line that is not JSON, after N events
unknown:N       an event of an unknown type, after N events
rechunk:SEED[:MAX]  cut the body at random boundaries, chunks of 1 to MAX bytes (default 8)
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
        return StallBefore(int(args[0]), float(args[1]), on_request=on_request)
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
