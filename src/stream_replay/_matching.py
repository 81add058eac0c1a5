"""Which recording answers a request, and how a request differs from the closest one."""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ._recording import MATCHED_REQUEST_HEADERS, RecordedRequest, Recording

__all__ = ["IncomingRequest", "Mismatch", "describe_request", "request_diff"]


@dataclass(frozen=True)
class IncomingRequest:
    method: str
    path: str  # with the query string, as the recording stores it
    headers: Mapping[str, str]  # lower-case names
    body: Any  # parsed JSON, or the raw text if it is not JSON

    def matches(self, recorded: RecordedRequest) -> bool:
        return (
            self.method == recorded.method
            and self.path == recorded.path
            and self.body == recorded.body
            and all(self.headers.get(name) == value for name, value in recorded.headers.items())
        )


@dataclass(frozen=True)
class Mismatch:
    """A request that no recording answers, with the recording that came closest."""

    request: IncomingRequest
    closest: Recording | None
    diff: str

    def message(self) -> str:
        if self.closest is None:
            return f"No recording is loaded for {self.request.method} {self.request.path}."
        return (
            f"No recording matches this request. The closest is {self.closest.name}; "
            f"the difference (- recorded, + received):\n{self.diff}"
        )


def describe_request(method: str, path: str, headers: Mapping[str, str], body: Any) -> list[str]:
    """A canonical text form of a request: stable key order, one JSON value per line."""
    lines = [f"{method} {path}"]
    lines += [f"{name}: {headers.get(name)}" for name in MATCHED_REQUEST_HEADERS if name in headers]
    lines += json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False).splitlines()
    return lines


def request_diff(recording: Recording, request: IncomingRequest) -> str:
    recorded = recording.request
    # Compare only the headers the recording cares about (plus matched ones that were sent).
    names = set(recorded.headers) | {h for h in MATCHED_REQUEST_HEADERS if h in request.headers}
    sent = {name: request.headers[name] for name in names if name in request.headers}
    before = describe_request(recorded.method, recorded.path, recorded.headers, recorded.body)
    after = describe_request(request.method, request.path, sent, request.body)
    diff = difflib.unified_diff(
        before, after, fromfile=recording.name, tofile="received request", lineterm="", n=2
    )
    return "\n".join(diff)


def closest_recording(
    recordings: Sequence[Recording], request: IncomingRequest
) -> Recording | None:
    target = "\n".join(
        describe_request(request.method, request.path, request.headers, request.body)
    )

    def similarity(recording: Recording) -> float:
        recorded = recording.request
        text = "\n".join(
            describe_request(recorded.method, recorded.path, recorded.headers, recorded.body)
        )
        return difflib.SequenceMatcher(None, text, target, autojunk=False).ratio()

    return max(recordings, key=similarity, default=None)
