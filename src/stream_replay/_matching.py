"""Which recording answers a request, and how a request differs from the closest one.

Both costs are linear in the size of the request: the closest recording is the one sharing
the most lines of the canonical text (a multiset count, not a character-level diff), and the
difference shown is bounded (lines common to both ends are skipped, long lines and long diffs
are shortened). The server computes it off its event loop, so other streams keep flowing.
"""

from __future__ import annotations

import difflib
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ._recording import MATCHED_REQUEST_HEADERS, RecordedRequest, Recording
from ._secrets import SecretFinder, credentials_in, redact_lines

__all__ = [
    "ANY_BODY",
    "IncomingRequest",
    "Mismatch",
    "describe_request",
    "request_diff",
    "same_json",
]

# Matched even when a recording does not name them: absent on both sides, or equal.
ALWAYS_MATCHED_HEADERS = ("anthropic-beta",)
# How much of a difference a message shows.
MAX_DIFF_LINES = 40
MAX_LINE_CHARS = 200
# Lines of each side handed to difflib after the common ends are skipped.
MAX_COMPARED_LINES = 2_000


class _AnyBody:
    """The request body of a recording built without a request: it answers any body."""

    def __repr__(self) -> str:
        return "<any body>"


ANY_BODY: Any = _AnyBody()


def header_value(name: str, value: str | None) -> str | None:
    """A matched header's value as compared: `anthropic-beta` is a set of comma-separated names."""
    if value is None:
        return None
    if name == "anthropic-beta":
        return ",".join(sorted({token.strip() for token in value.split(",") if token.strip()}))
    return value.strip()


def same_json(a: Any, b: Any) -> bool:
    """Equal as JSON values: Python's == takes `1` for `true` and `1.0` for `1`, JSON does not
    (nor does the API's validation). No recursion: any depth is safe."""
    if a != b:
        return False
    pairs = [(a, b)]  # equal, so dicts have the same keys and lists the same length
    while pairs:
        x, y = pairs.pop()
        if type(x) is not type(y):
            return False
        if isinstance(x, dict):
            pairs += [(value, y[key]) for key, value in x.items()]
        elif isinstance(x, list):
            pairs += zip(x, y, strict=True)
    return True


@dataclass(frozen=True)
class IncomingRequest:
    method: str
    path: str  # with the query string, as the recording stores it
    headers: Mapping[str, str]  # lower-case names
    body: Any  # parsed JSON, or the raw text if it is not JSON

    def matches(self, recorded: RecordedRequest) -> bool:
        """Method, path and JSON body equal; each header the recording names equal; and
        `anthropic-beta` absent on both sides or equal even when the recording does not name
        it, since a beta changes what the API does. (Every request carries an
        `anthropic-version`: a recording that does not name one answers any.) A recording built
        without a request (`ANY_BODY`) answers any body. Bodies are compared as JSON, where
        `1` is neither `true` nor `1.0` (see `same_json`)."""
        return (
            self.method == recorded.method
            and self.path == recorded.path
            and all(
                header_value(name, self.headers.get(name))
                == header_value(name, recorded.headers.get(name))
                for name in MATCHED_REQUEST_HEADERS
                if name in recorded.headers or name in ALWAYS_MATCHED_HEADERS
            )
            and (recorded.body is ANY_BODY or same_json(self.body, recorded.body))
        )


@dataclass(frozen=True)
class Mismatch:
    """A request that no recording answers, with the recording that came closest."""

    request: IncomingRequest
    closest: Recording | None
    diff: str

    def message(self) -> str:
        """What to say, without any line that holds a key (anything shaped like one, or a
        credential the request carried), however it was written."""
        finder = _finder(self.request)
        if self.closest is None:
            path = self.request.path
            if finder.search(path) is not None:
                path = "(a path that holds what looks like an API key, not shown)"
            return f"No recording is loaded for {self.request.method} {path}."
        return redact_lines(
            f"No recording matches this request. The closest is {self.closest.name}; "
            f"the difference (- recorded, + received):\n{self.diff}",
            finder,
        )


def _finder(request: IncomingRequest) -> SecretFinder:
    """Looks for anything shaped like a key, and for the credentials `request` carried."""
    return SecretFinder(credentials_in(request.headers.items()))


def describe_request(method: str, path: str, headers: Mapping[str, str], body: Any) -> list[str]:
    """A canonical text form of a request: stable key order, one JSON value per line."""
    lines = [f"{method} {path}"]
    lines += [f"{name}: {headers.get(name)}" for name in MATCHED_REQUEST_HEADERS if name in headers]
    if body is ANY_BODY:
        return [*lines, "<any body>"]
    try:
        lines += json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False).splitlines()
    except (RecursionError, TypeError, ValueError):
        lines.append("<a body nested too deeply to show>")
    return lines


def _describe(request: RecordedRequest | IncomingRequest) -> list[str]:
    return describe_request(request.method, request.path, request.headers, request.body)


def request_diff(recording: Recording, request: IncomingRequest) -> str:
    recorded = recording.request
    names = set(recorded.headers) | {h for h in ALWAYS_MATCHED_HEADERS if h in request.headers}
    sent = {name: request.headers[name] for name in names if name in request.headers}
    before = _describe(recorded)
    after = describe_request(request.method, request.path, sent, request.body)
    # Skip the lines both ends share (keeping two for context), so difflib sees only the part
    # that differs, and at most MAX_COMPARED_LINES of it.
    head = 0
    while head < min(len(before), len(after)) and before[head] == after[head]:
        head += 1
    tail = 0
    while tail < min(len(before), len(after)) - head and before[-1 - tail] == after[-1 - tail]:
        tail += 1
    start = max(head - 2, 0)
    before_part = before[start : len(before) - max(tail - 2, 0)][:MAX_COMPARED_LINES]
    after_part = after[start : len(after) - max(tail - 2, 0)][:MAX_COMPARED_LINES]
    diff = list(
        difflib.unified_diff(
            before_part,
            after_part,
            fromfile=recording.name,
            tofile="received request",
            lineterm="",
            n=2,
        )
    )
    diff = [_renumber(line, start) if line.startswith("@@") else line for line in diff]
    shown = [_shorten(line) for line in diff[:MAX_DIFF_LINES]]
    if len(diff) > MAX_DIFF_LINES:
        shown.append(f"... ({len(diff) - MAX_DIFF_LINES} more lines of difference)")
    return redact_lines("\n".join(shown), _finder(request))


def _renumber(hunk: str, skipped: int) -> str:
    """A hunk header's line numbers counted from the start of the whole text."""
    if not skipped:
        return hunk
    parts = hunk.split(" ")
    for index in (1, 2):
        sign, numbers = parts[index][0], parts[index][1:]
        first, comma, count = numbers.partition(",")
        parts[index] = f"{sign}{int(first) + skipped}{comma}{count}"
    return " ".join(parts)


def _shorten(line: str) -> str:
    if len(line) <= MAX_LINE_CHARS:
        return line
    return f"{line[:MAX_LINE_CHARS]}... ({len(line) - MAX_LINE_CHARS} more characters)"


def closest_recording(
    recordings: Sequence[Recording], request: IncomingRequest
) -> Recording | None:
    """The recording whose canonical text shares the most lines with the request's."""
    target = Counter(_describe(request))
    target_size = sum(target.values())

    def similarity(recording: Recording) -> float:
        lines = Counter(_describe(recording.request))
        shared = sum((lines & target).values())
        return shared / max(sum(lines.values()), target_size, 1)

    return max(recordings, key=similarity, default=None)
