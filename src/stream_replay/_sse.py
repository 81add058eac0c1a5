"""Server-sent events, kept byte for byte.

A recording must reproduce the body exactly as the API sent it, so events are split on the
raw bytes (the blank line that ends an event stays with it) and parsed only to be checked.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

__all__ = ["BOM", "EventSplitter", "SSEField", "parse_event", "split_events"]

# A byte-order mark at the very start of a stream, which the SSE standard strips.
BOM = "\ufeff"

_LINE_ENDS = (b"\r\n", b"\n", b"\r")
# SSE lines end at CRLF, LF or CR only (str.splitlines would also split at U+2028 and others).
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class SSEField(NamedTuple):
    """One `name: value` line of an event (comments have the name "")."""

    name: str
    value: str
    line: int  # 0-based line within the event, counted at LF as a file's lines are


@dataclass
class EventSplitter:
    """Cut a byte stream into events as it arrives; each event keeps its terminating blank line.

    `feed()` returns the events completed by a chunk; `close()` returns what is left, which is
    a final event that the sender did not end with a blank line (some real streams do this).
    """

    _pending: bytearray = field(default_factory=bytearray)
    _line_start: int = 0

    def feed(self, chunk: bytes) -> list[bytes]:
        events: list[bytes] = []
        self._pending += chunk
        buffer = self._pending
        position = self._line_start
        while True:
            end = _next_line_end(buffer, position)
            if end is None:
                break
            line = bytes(buffer[position:end])
            if line in _LINE_ENDS:
                events.append(bytes(buffer[:end]))
                del buffer[:end]
                position = 0
            else:
                position = end
        self._line_start = position
        return events

    def close(self) -> bytes:
        rest = bytes(self._pending)
        self._pending.clear()
        self._line_start = 0
        return rest


def _next_line_end(buffer: bytearray, start: int) -> int | None:
    """Index just past the next line ending at or after `start`, or None if it is not complete.

    A lone CR at the very end may be the first half of CRLF, so it waits for more bytes.
    """
    for index in range(start, len(buffer)):
        byte = buffer[index]
        if byte == 0x0A:
            return index + 1
        if byte == 0x0D:
            if index + 1 == len(buffer):
                return None
            return index + 2 if buffer[index + 1] == 0x0A else index + 1
    return None


def split_events(body: bytes) -> list[bytes]:
    """Split a complete SSE body into events; `b"".join(split_events(b)) == b` always holds."""
    events: list[bytes] = []
    current: list[bytes] = []
    for line in body.splitlines(keepends=True):  # bytes split on CRLF, LF and CR only
        current.append(line)
        if line in _LINE_ENDS:
            events.append(b"".join(current))
            current = []
    if current:
        events.append(b"".join(current))
    return events


def parse_event(raw: str) -> list[SSEField]:
    """The fields of one event, in order, following the SSE parsing rules (WHATWG HTML 9.2.6)."""
    fields: list[SSEField] = []
    lines: Iterable[tuple[int, str]]
    if "\r" in raw:
        # A lone CR ends an SSE line but not a line of a file: number lines by LFs seen.
        ends = [*_LINE_BREAK.findall(raw), ""]
        numbers = [0, *itertools.accumulate(end.count("\n") for end in ends)]
        lines = zip(numbers, _LINE_BREAK.split(raw), strict=False)
    else:
        lines = enumerate(raw.split("\n"))
    for here, line in lines:
        if not line:
            continue
        name, colon, value = line.partition(":")
        if not colon:
            fields.append(SSEField(name, "", here))
            continue
        fields.append(SSEField(name, value[1:] if value.startswith(" ") else value, here))
    return fields
