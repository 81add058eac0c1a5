"""The recording format: one recorded HTTP exchange per TOML file.

    [provenance]   where it came from (the live API on a date, or constructed to the docs)
    [request]      method, path, the headers that matter, the JSON body
    [response]     status, headers, when the headers arrived
    [[events]]     one table per server-sent event: its arrival offset and its exact bytes

TOML because it is in the standard library (`tomllib`), reads well in a diff, and its
multi-line literal strings ('''...''') hold an event's bytes with no escaping at all.
The page docs/recordings.md documents the format for readers.
"""

from __future__ import annotations

import bisect
import datetime as dt
import gc
import json
import math
import re
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

from ._errors import RecordingError
from ._secrets import KEY_PATTERN, SecretFinder, json_unescaped, strings_in
from ._sse import BOM, parse_event, split_events

__all__ = [
    "Provenance",
    "RecordedEvent",
    "RecordedRequest",
    "RecordedResponse",
    "Recording",
    "Source",
    "dump_recording",
    "load_recording",
    "load_sse_body",
    "parse_recording",
    "recording_from_sse",
    "recording_of_events",
    "sse_events",
]

Source = Literal["live-api", "constructed", "proxy"]
SOURCES: tuple[str, ...] = get_args(Source)

# Request headers that change what the API does, and so are recorded and matched.
MATCHED_REQUEST_HEADERS = ("anthropic-version", "anthropic-beta")
# Headers that carry credentials: never written to a recording.
SECRET_HEADERS = frozenset({"x-api-key", "authorization", "cookie", "proxy-authorization"})
# An Anthropic key looks like sk-ant-api03-...; refuse any file that holds one.
SECRET_PATTERN = KEY_PATTERN
EVENT_STREAM = "text/event-stream"
# The latest an event may arrive: a day, far beyond any stream (the recorder stops at 900 s).
MAX_OFFSET = 86_400.0
_Fail = Callable[[int | None, str], RecordingError]
SSE_FIELD_NAMES = frozenset({"event", "data", "id", "retry", ""})
_BLANK_LINES = frozenset({b"\n", b"\r\n", b"\r"})
# Most events: one `event:` line, one `data:` line, a blank line, all ending in LF.
_SIMPLE_EVENT = re.compile(r"event: ?([^\r\n]*)\ndata: ?([^\r\n]*)\n\n")


@dataclass(frozen=True)
class Provenance:
    """Where a recording came from. Every recording says so; nothing is passed off as live."""

    source: Source
    recorded_at: dt.date | None = None  # live-api / proxy: the day it was recorded
    model: str | None = None  # the model that answered (live) or that the request names
    client: str | None = None  # the client that sent the request, e.g. "anthropic-python 2.12.0"
    basis: str | None = None  # constructed: the documentation it was built to
    upstream: str | None = None  # proxy: the server it was recorded from
    note: str | None = None

    def describe(self) -> str:
        if self.source == "constructed":
            return f"constructed to the documented wire format ({self.basis})"
        origin = "the live API" if self.source == "live-api" else self.upstream
        return f"recorded from {origin} on {self.recorded_at} (model {self.model})"


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: Mapping[str, str]  # lower-case names, only MATCHED_REQUEST_HEADERS
    body: Any  # the parsed JSON body


@dataclass(frozen=True)
class RecordedEvent:
    at: float  # seconds from the request to the event's arrival
    raw: bytes  # exactly as sent, blank line included
    name: str | None  # the SSE `event:` field
    data: Any  # the parsed JSON of the `data:` field, None for a comment-only block
    # where the event's text starts in its file (1-based), for messages; not part of equality
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class RecordedResponse:
    status: int
    headers: Mapping[str, str]
    at: float = 0.0  # seconds from the request to the response headers
    events: tuple[RecordedEvent, ...] = ()
    body: bytes | None = None  # a response that is not an event stream (an HTTP error)
    cut: bool = False  # the connection dropped after the last event (no proper end)


@dataclass(frozen=True)
class Recording:
    path: Path
    provenance: Provenance
    request: RecordedRequest
    response: RecordedResponse

    @property
    def name(self) -> str:
        return self.path.as_posix()

    @property
    def sse_body(self) -> bytes:
        """The response body as sent: the events' bytes, back to back."""
        return b"".join(event.raw for event in self.response.events)


# --------------------------------------------------------------------------- loading


def load_recording(path: Path | str, *, name: Path | str | None = None) -> Recording:
    """Read and check a recording; `name` is how messages refer to it (default: `path`)."""
    name = Path(name or path)
    try:
        text = Path(path).read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise RecordingError(name, None, f"not UTF-8 text: {error}") from None
    except OSError as error:
        raise RecordingError(name, None, f"cannot be read: {error.strerror or error}") from None
    return parse_recording(text, name)


def parse_recording(text: str, path: Path | str = "<recording>") -> Recording:
    # A long recording makes a great many small objects, none of them in a cycle: the cyclic
    # garbage collector would rescan them all again and again while they are made.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _parse(text, Path(path))
    finally:
        if collecting:
            gc.enable()


def _parse(text: str, path: Path) -> Recording:
    text = text.removeprefix(BOM)  # a byte-order mark is not part of the text
    finder = SecretFinder()
    secret = finder.search_lines(text)
    if secret:
        raise RecordingError(path, secret[0], f"holds what looks like {secret[1]}; remove it")
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"at line (\d+)", str(error))
        line = int(match.group(1)) if match else None
        raise RecordingError(path, line, f"not valid TOML: {error}") from None
    except RecursionError:
        raise RecordingError(path, None, "not valid TOML: nested too deeply") from None
    locate = _Locator(text)

    def fail(line: int | None, reason: str) -> RecordingError:
        return RecordingError(path, line, reason)

    unknown = set(document) - {"provenance", "request", "response", "events"}
    if unknown:
        raise fail(None, f"unknown top-level key(s) {sorted(unknown)}")
    for table in ("provenance", "request", "response"):
        if not isinstance(document.get(table), dict):
            raise fail(locate.table(table), f"missing the [{table}] table")

    provenance = _provenance(document["provenance"], locate, fail)
    request = _request(document["request"], locate, fail)
    response = _response(document["response"], document.get("events"), locate, path, fail)
    recording = Recording(path, provenance, request, response)
    found = find_secret(recording, finder)
    if found:
        raise fail(found[0], f"holds what looks like {found[1]}; remove it")
    return recording


def find_secret(recording: Recording, finder: SecretFinder) -> tuple[int | None, str] | None:
    """A key in the decoded request body, an event's decoded data, or deltas joined.

    The file's text is searched as it is written; this searches what it means: strings with
    their JSON escapes decoded; the request's text joined end to end (a key split across two
    text blocks); each content block's deltas joined, and every block's joined after the one
    before (a key split across two deltas, or two blocks); and a tool's `partial_json`, JSON
    text whose own escapes are decoded once joined. Returns the line to report and how the key
    was written. Everything goes into one text (one search, linear in the recording's size); a
    newline separates pieces that must not join, as no key or encoding of one holds a newline.
    """
    pieces: list[str] = []
    starts: list[int] = []  # where each piece starts in the joined text
    lines: list[int | None] = []  # the line each piece comes from
    size = 0

    def add(text: str, line: int | None, *, join: bool = False) -> None:
        nonlocal size
        if pieces and not join:
            pieces.append("\n")
            size += 1
        starts.append(size)
        lines.append(line)
        pieces.append(text)
        size += len(text)

    body = recording.request.body
    for text in strings_in(body):
        add(text, None)
    for number, text in enumerate(_texts_in_order(body)):  # as a reader reads the prompt
        add(text, None, join=number > 0)
    deltas: dict[object, list[tuple[str, int | None]]] = {}  # block index -> its deltas
    for event in recording.response.events:
        line = event.line or None
        # The file's text holds an event's strings as they are, unless JSON escapes them.
        if b"\\" in event.raw:
            for text in strings_in(event.data):
                add(text, line)
        delta = event.data.get("delta") if isinstance(event.data, dict) else None
        if isinstance(delta, dict):
            block = deltas.setdefault(event.data.get("index"), [])
            block += [(v, line) for k, v in delta.items() if k != "type" and isinstance(v, str)]
    if recording.response.body is not None:
        add(recording.response.body.decode("utf-8", "replace"), None)
    joined_from = size
    for block in deltas.values():
        for number, (text, line) in enumerate(block):
            add(text, line, join=number > 0)
        escaped = "".join(text for text, _ in block)
        if "\\" in escaped:  # partial_json: JSON text, its escapes decoded once whole
            add(json_unescaped(escaped), block[0][1])
    for number, (text, line) in enumerate(d for block in deltas.values() for d in block):
        add(text, line, join=number > 0)  # every block after the one before
    found = finder.search("".join(pieces))
    if found is None:
        return None
    line = lines[max(bisect.bisect_right(starts, found.offset) - 1, 0)]
    split = " (split across deltas)" if found.offset >= joined_from else ""
    return line, found.what + split


# The request fields that hold what the prompt says, joined in order when searching for a key.
_TEXT_FIELDS = frozenset({"text", "content", "system"})


def _texts_in_order(value: object) -> Iterator[str]:
    """The strings of a request's text fields (`text`, a string `content` or `system`), in
    the order they are read. No recursion: any depth is safe."""
    stack: list[object] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, inner in item.items():
                if key in _TEXT_FIELDS and isinstance(inner, str):
                    yield inner
            stack.extend(reversed([v for v in item.values() if isinstance(v, dict | list)]))
        elif isinstance(item, list):
            stack.extend(reversed(item))


def _provenance(table: dict[str, Any], locate: _Locator, fail: _Fail) -> Provenance:
    line = locate.table("provenance")
    known = {f for f in Provenance.__dataclass_fields__}
    unknown = set(table) - known
    if unknown:
        raise fail(line, f"[provenance] has unknown key(s) {sorted(unknown)}")
    source = table.get("source")
    if source not in SOURCES:
        raise fail(locate.key("provenance", "source"), f"source must be one of {list(SOURCES)}")
    for key, value in table.items():
        if key != "recorded_at" and not isinstance(value, str):
            raise fail(locate.key("provenance", key), f"{key} must be a string")
    recorded_at = table.get("recorded_at")
    if recorded_at is not None and not isinstance(recorded_at, dt.date):
        raise fail(locate.key("provenance", "recorded_at"), "recorded_at must be a date")
    required = {
        "live-api": ("recorded_at", "model", "client"),
        "proxy": ("recorded_at", "upstream"),
        "constructed": ("basis",),
    }[source]
    missing = [key for key in required if not table.get(key)]
    if missing:
        raise fail(line, f"a {source} recording must give {', '.join(missing)}")
    return Provenance(**table)


def _request(table: dict[str, Any], locate: _Locator, fail: _Fail) -> RecordedRequest:
    unknown = set(table) - {"method", "path", "headers", "body"}
    if unknown:
        raise fail(locate.table("request"), f"[request] has unknown key(s) {sorted(unknown)}")
    method, path = table.get("method"), table.get("path")
    if not isinstance(method, str) or method.upper() != method:
        raise fail(locate.key("request", "method"), "method must be an upper-case string")
    if not isinstance(path, str) or not path.startswith("/"):
        raise fail(locate.key("request", "path"), "path must be a string starting with '/'")
    headers = _headers(table.get("headers", {}), locate.key("request", "headers"), fail)
    for name in headers:
        if name in SECRET_HEADERS:
            raise fail(locate.key("request", "headers"), f"the {name} header must not be recorded")
    body_text = table.get("body")
    body_line = locate.key("request", "body")
    if not isinstance(body_text, str):
        raise fail(body_line, "body must be a string holding the JSON request body")
    try:
        body = json.loads(body_text)
    except json.JSONDecodeError as error:
        line = _offset(locate.content_start(body_line), error.lineno)
        raise fail(line, f"body is not valid JSON: {error.msg}") from None
    except RecursionError:
        raise fail(body_line, "body is JSON nested too deeply") from None
    return RecordedRequest(method, path, headers, body)


def _response(
    table: dict[str, Any], events: Any, locate: _Locator, path: Path, fail: _Fail
) -> RecordedResponse:
    line = locate.table("response")
    unknown = set(table) - {"status", "headers", "at", "body", "cut"}
    if unknown:
        raise fail(line, f"[response] has unknown key(s) {sorted(unknown)}")
    status = table.get("status")
    if not isinstance(status, int) or not 100 <= status <= 599:
        raise fail(locate.key("response", "status"), "status must be an HTTP status code")
    headers = _headers(table.get("headers", {}), locate.key("response", "headers"), fail)
    at = _seconds(table.get("at", 0.0), locate.key("response", "at"), fail)
    cut = table.get("cut", False)
    if not isinstance(cut, bool):
        raise fail(locate.key("response", "cut"), "cut must be true or false")
    body = table.get("body")
    streaming = headers.get("content-type", "").startswith(EVENT_STREAM)
    if body is not None:
        if cut:
            raise fail(locate.key("response", "cut"), "only an event stream can be cut")
        if events is not None:
            raise fail(line, "a response has either a body or [[events]], not both")
        if not isinstance(body, str):
            raise fail(locate.key("response", "body"), "body must be a string")
        return RecordedResponse(status, headers, at, body=body.encode())
    if not streaming:
        raise fail(line, f"an event stream needs content-type {EVENT_STREAM!r} in its headers")
    if not isinstance(events, list) or not events:
        raise fail(line, "an event stream needs at least one [[events]] table")
    parsed: list[RecordedEvent] = []
    previous = at
    for index, event in enumerate(events):
        where = locate.array_item("events", index)
        if not isinstance(event, dict) or set(event) != {"at", "sse"}:
            raise fail(where, "each [[events]] table has exactly the keys 'at' and 'sse'")
        event_at = _seconds(event["at"], locate.key_after(where, "at"), fail)
        if event_at < previous:
            raise fail(
                locate.key_after(where, "at"),
                f"at = {event_at} is earlier than the one before it ({previous})",
            )
        previous = event_at
        sse = event["sse"]
        sse_line = locate.key_after(where, "sse")
        if not isinstance(sse, str) or not sse:
            raise fail(sse_line, "sse must be a non-empty string")
        content_line = locate.content_start(sse_line)
        parsed.append(
            _event(
                sse.encode(),
                event_at,
                path,
                content_line,
                first=index == 0,
                last=index == len(events) - 1,
                one_line=not locate.is_multiline(sse_line),
            )
        )
    return RecordedResponse(status, headers, at, events=tuple(parsed), cut=cut)


def load_sse_body(path: Path | str) -> tuple[RecordedEvent, ...]:
    """The events of a bare SSE body (a `.sse` file): checked like a recording's, times zero."""
    try:
        body = Path(path).read_bytes()
    except OSError as error:
        raise RecordingError(path, None, f"cannot be read: {error.strerror or error}") from None
    events = sse_events(body, path)
    finder = SecretFinder()
    secret = finder.search_lines(body.decode("utf-8", "replace"))
    if secret:
        raise RecordingError(path, secret[0], f"holds what looks like {secret[1]}; remove it")
    placeholder = RecordedRequest("POST", "/", {}, None)
    recording = Recording(
        Path(path),
        Provenance(source="constructed", basis=str(path)),
        placeholder,
        RecordedResponse(200, {}, events=events),
    )
    found = find_secret(recording, finder)
    if found:
        raise RecordingError(path, found[0], f"holds what looks like {found[1]}; remove it")
    return events


def sse_events(body: bytes, path: Path | str) -> tuple[RecordedEvent, ...]:
    """Split a whole body into checked events; a leading byte-order mark is allowed."""
    if not body.removeprefix(BOM.encode()).strip(b"\r\n"):
        raise RecordingError(path, None, "holds no events; a stream has one at least")
    events: list[RecordedEvent] = []
    line = 1  # lines are counted at LF, as TOML, editors and `grep -n` count them
    pieces = split_events(body)
    for index, raw in enumerate(pieces):
        last = index == len(pieces) - 1
        events.append(_event(raw, 0.0, Path(path), line, first=index == 0, last=last))
        line += raw.count(b"\n")
    return tuple(events)


def _event(
    raw: bytes,
    at: float,
    path: Path,
    first_line: int | None,
    *,
    first: bool,
    last: bool,
    one_line: bool = False,
) -> RecordedEvent:
    """Check one event's text: SSE fields, JSON data whose `type` repeats the event name.

    `first`: the first event of a stream, which may start with a byte-order mark (the SSE
    standard strips one). `one_line`: the event is written as a one-line TOML string, so every
    error is on `first_line`.
    """

    def fail(offset: int, reason: str) -> RecordingError:
        return RecordingError(path, _offset(first_line, 1 if one_line else offset + 1), reason)

    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise fail(0, f"not UTF-8: {error}") from None
    simple = _SIMPLE_EVENT.fullmatch(text)
    if simple:  # the common shape, `event: NAME` and one `data:` line: no need to parse lines
        return _event_data(raw, at, simple.group(1), [simple.group(2)], first_line, 1, fail)
    lines = raw.splitlines(keepends=True)
    if any(line in _BLANK_LINES for line in lines[:-1]):  # a blank line before the end
        pieces = split_events(raw)
        raise fail(0, f"holds {len(pieces)} events; give each its own [[events]] table")
    if not last and lines[-1] not in _BLANK_LINES:
        raise fail(0, "an event must end with a blank line (only the last may omit it)")
    if first:
        text = text.removeprefix(BOM)
    fields = parse_event(text)
    name: str | None = None
    data_lines: list[str] = []
    data_line: int | None = None  # the first data: line, where a JSON error is reported
    for sse_field in fields:
        if sse_field.name not in SSE_FIELD_NAMES:
            raise fail(sse_field.line, f"unknown SSE field {sse_field.name!r}")
        if sse_field.name == "event":
            name = sse_field.value
        elif sse_field.name == "data":
            data_line = sse_field.line if data_line is None else data_line
            data_lines.append(sse_field.value)
    if data_line is None:
        if name is not None:
            raise fail(0, f"event {name!r} has no data: line")
        return RecordedEvent(at, raw, None, None, first_line or 0)
    return _event_data(raw, at, name, data_lines, first_line, data_line, fail)


def _event_data(
    raw: bytes,
    at: float,
    name: str | None,
    data_lines: list[str],
    first_line: int | None,
    data_line: int,
    fail: Callable[[int, str], RecordingError],
) -> RecordedEvent:
    """The event, once its `data:` lines are known: their JSON must repeat the event's name."""
    try:
        data = json.loads("\n".join(data_lines))
    except json.JSONDecodeError as error:
        raise fail(
            data_line, f"data is not valid JSON: {error.msg} (column {error.colno})"
        ) from None
    except RecursionError:
        raise fail(data_line, "data is JSON nested too deeply") from None
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise fail(data_line, 'data must be a JSON object with a "type"')
    if name is not None and data["type"] != name:
        raise fail(data_line, f"event: {name} but its data has type {data['type']!r}")
    return RecordedEvent(at, raw, name, data, first_line or 0)


def _headers(value: Any, line: int | None, fail: _Fail) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise fail(line, "headers must be a table of strings")
    return {str(name).lower(): header for name, header in value.items()}


def _seconds(value: Any, line: int | None, fail: _Fail) -> float:
    # nan would pass any order check and inf would never come: both are refused, and so is
    # an offset no stream reaches, which nothing could wait for or draw.
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not 0 <= value <= MAX_OFFSET
    ):
        raise fail(
            line, f"at must be a finite number of seconds, 0 or more and at most {MAX_OFFSET:g}"
        )
    return float(value)


def _offset(line: int | None, offset: int) -> int | None:
    return line + offset - 1 if line else None


def _opened_string(line: str) -> str | None:
    """The quotes of a multi-line string that the value on `line` opens and leaves open."""
    _, _, value = line.partition("=")
    value = value.lstrip()
    for quote in ("'''", '"""'):
        if value.startswith(quote):
            return None if _closing_quote(value, quote, len(quote)) >= 0 else quote
    return None


def _closing_quote(text: str, quote: str, start: int) -> int:
    """Where the multi-line string opened by `quote` closes, from `start` (-1: it does not).
    In a basic string, quotes after an odd number of backslashes are escaped."""
    at = text.find(quote, start)
    while quote == '"""' and at > 0:
        before = at
        while before > 0 and text[before - 1] == "\\":
            before -= 1
        if (at - before) % 2 == 0:
            break
        at = text.find(quote, at + 1)
    return at


class _Locator:
    """Finds the line of a table or key in TOML text, so semantic errors can name a line.

    tomllib returns values without positions; the files are written one key per line, so one
    scan of the source finds them all (loading stays linear in the file's size). Lines are
    counted at LF, as TOML counts them (not at U+2028 or other breaks `str.splitlines` knows).
    Where a position cannot be found, the error still names the file.
    """

    _HEADER = re.compile(r"\s*(\[\[?)\s*([A-Za-z0-9_.-]+)\s*\]\]?")
    _KEY = re.compile(r"\s*\"?([A-Za-z0-9_-]+)\"?\s*=")

    def __init__(self, text: str) -> None:
        self._tables: dict[str, int] = {}  # first header line of each table name
        self._items: dict[str, list[int]] = {}  # header lines of each array of tables
        self._keys: dict[int, dict[str, int]] = {0: {}}  # header line -> key -> its line
        self._multiline: set[int] = set()  # lines that open a multi-line string
        self._opening: set[int] = set()  # ... and end there: its text starts on the next line
        keys = self._keys[0]
        header_match, key_match = self._HEADER.match, self._KEY.match
        number, start, size = 1, 0, len(text)
        while start <= size:
            end = text.find("\n", start)
            if end < 0:
                end = size
            line = text[start:end]
            if "[" in line and (header := header_match(line)):
                keys = self._keys.setdefault(number, {})
                self._tables.setdefault(header.group(2), number)
                if header.group(1) == "[[":
                    self._items.setdefault(header.group(2), []).append(number)
            elif "=" in line and (key := key_match(line)):
                keys.setdefault(key.group(1), number)
            # A value that opens a multi-line string and does not close it on its line: skip
            # to the line that closes it in one step, counting the lines in between. (Three
            # quotes inside a one-line string, or in a comment, open nothing.)
            quote = _opened_string(line) if "=" in line else None
            if quote is None:
                start, number = end + 1, number + 1
                continue
            self._multiline.add(number)
            if line.rstrip().endswith(quote):  # the text starts on the next line
                self._opening.add(number)
            close = _closing_quote(text, quote, end)
            if close < 0:
                break
            number += text.count("\n", start, close) + 1
            end = text.find("\n", close)
            start = size + 1 if end < 0 else end + 1

    def table(self, name: str) -> int | None:
        return self._tables.get(name)

    def array_item(self, name: str, index: int) -> int | None:
        items = self._items.get(name, [])
        return items[index] if index < len(items) else None

    def key(self, table: str, key: str) -> int | None:
        return self.key_after(self.table(table), key)

    def key_after(self, header_line: int | None, key: str) -> int | None:
        if header_line is None:
            return None
        return self._keys.get(header_line, {}).get(key, header_line)

    def is_multiline(self, key_line: int | None) -> bool:
        return key_line in self._multiline

    def content_start(self, key_line: int | None) -> int | None:
        """The line a string value's text starts on (TOML drops the newline after ''')."""
        return key_line + 1 if key_line in self._opening else key_line


# --------------------------------------------------------------------------- writing


def dump_recording(recording: Recording) -> str:
    """The TOML text of a recording, in the layout `parse_recording` reads back."""
    provenance = recording.provenance
    out = [
        f"# A recorded exchange: {recording.request.method} {recording.request.path}, "
        f"{provenance.source}. The format: docs/recordings.md",
        "",
        "[provenance]",
    ]
    for key in Provenance.__dataclass_fields__:
        value = getattr(provenance, key)
        if value is not None:
            out.append(f"{key} = {value.isoformat() if key == 'recorded_at' else _string(value)}")
    request = recording.request
    out += [
        "",
        "[request]",
        f"method = {_string(request.method)}",
        f"path = {_string(request.path)}",
    ]
    out.append(f"headers = {_inline_table(request.headers)}")
    out.append(
        f"body = {_multiline(json.dumps(request.body, indent=2, ensure_ascii=False) + chr(10))}"
    )
    response = recording.response
    out += ["", "[response]", f"status = {response.status}", f"at = {_number(response.at)}"]
    if response.cut:
        out.append("cut = true")
    out.append(f"headers = {_inline_table(response.headers)}")
    if response.body is not None:
        out.append(f"body = {_multiline(response.body.decode())}")
    for event in response.events:
        out += [
            "",
            "[[events]]",
            f"at = {_number(event.at)}",
            f"sse = {_multiline(event.raw.decode())}",
        ]
    return "\n".join(out) + "\n"


def _number(seconds: float) -> str:
    return f"{seconds:.3f}"


def _string(value: str) -> str:
    # JSON string escapes are a subset of TOML's basic-string escapes.
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def _multiline(value: str) -> str:
    """A multi-line literal string (bytes kept as they are) where TOML allows one."""
    literal_ok = "'''" not in value and not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", value)
    if literal_ok and not value.endswith("'"):
        return f"'''\n{value}'''"
    return _string(value)


def _inline_table(values: Mapping[str, str]) -> str:
    return (
        "{ " + ", ".join(f"{_string(k)} = {_string(v)}" for k, v in values.items()) + " }"
        if values
        else "{}"
    )


def recording_from_sse(
    body: bytes, request: RecordedRequest, provenance: Provenance, path: Path | str
) -> Recording:
    """A recording around a bare SSE body (all offsets zero): for replaying a `.sse` file."""
    return recording_of_events(sse_events(body, path), request, provenance, path)


def recording_of_events(
    events: tuple[RecordedEvent, ...],
    request: RecordedRequest,
    provenance: Provenance,
    path: Path | str,
) -> Recording:
    """A recording that answers `200 OK` with `events`, as an event stream."""
    headers = {"content-type": f"{EVENT_STREAM}; charset=utf-8"}
    response = RecordedResponse(200, headers, events=events)
    return Recording(Path(path), provenance, request, response)
