"""Has the API's stream changed shape? Two recordings compared by structure, not content.

What counts: the status, the request and response header names, the sequence of event kinds
(an event's type, with its content block or delta type: `content_block_start text`), the
field names each kind of event carries, the stop reason, and whether the stream was cut.
What does not: text, ids, numbers, timing, how many deltas a block took, and `ping` events
(they come anywhere, any number of times). A re-recording that differs only in what the
model said, when, and under which ids has the same structure.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ._openai import read_chunk
from ._recording import Recording

__all__ = ["Structure", "drift", "structure"]


@dataclass(frozen=True)
class Structure:
    status: int
    request_headers: tuple[str, ...]
    response_headers: tuple[str, ...]
    sequence: tuple[str, ...]  # event kinds in order; a run of one kind counts once
    fields: dict[str, frozenset[str]]  # event kind -> the field paths its events carry
    stop_reason: str | None
    cut: bool


def event_kind(data: Any) -> str:
    """`content_block_start text`, `content_block_delta text_delta`, `message_stop`, ...; on
    the OpenAI-compatible endpoint, `chunk: content`, `chunk: usage`, `[DONE]` (`_openai.py`)."""
    chunk = read_chunk(data)
    if chunk is not None:
        return chunk.kind
    if not isinstance(data, dict):
        return "(comment)"
    kind = str(data.get("type"))
    detail = {
        "content_block_start": ("content_block", "type"),
        "content_block_delta": ("delta", "type"),
        "error": ("error", "type"),
    }.get(kind)
    if detail:
        inner = data.get(detail[0])
        if isinstance(inner, dict) and isinstance(inner.get(detail[1]), str):
            return f"{kind} {inner[detail[1]]}"
    return kind


def field_paths(value: Any) -> Iterator[str]:
    """The dotted names of every field in a JSON value (`message.usage.input_tokens`);
    items of a list share one name (`content[].type`). No recursion: any depth is safe."""
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        prefix, item = stack.pop()
        if isinstance(item, dict):
            for key, inner in item.items():
                path = f"{prefix}.{key}" if prefix else str(key)
                yield path
                stack.append((path, inner))
        elif isinstance(item, list):
            stack += [(f"{prefix}[]", inner) for inner in item]


def structure(recording: Recording) -> Structure:
    response = recording.response
    sequence: list[str] = []
    fields: dict[str, set[str]] = {}
    stop_reason = None
    for event in response.events:
        kind = event_kind(event.data)
        if kind == "ping":
            continue
        if not sequence or sequence[-1] != kind:
            sequence.append(kind)
        fields.setdefault(kind, set()).update(field_paths(event.data))
        if kind == "message_delta" and isinstance(event.data.get("delta"), dict):
            stop_reason = event.data["delta"].get("stop_reason", stop_reason)
        chunk = read_chunk(event.data)
        if chunk is not None and chunk.finish_reason is not None:
            stop_reason = chunk.finish_reason
    if response.body is not None:
        fields["(body)"] = set(field_paths(_json_or_none(response.body)))
    return Structure(
        status=response.status,
        request_headers=tuple(sorted(recording.request.headers)),
        # The API sends a request-id on every response (its Errors page); a constructed
        # recording may leave it out, and a re-recording then gains it: no drift.
        response_headers=tuple(sorted(h for h in response.headers if h != "request-id")),
        sequence=tuple(sequence),
        fields={kind: frozenset(paths) for kind, paths in fields.items()},
        stop_reason=stop_reason,
        cut=response.cut,
    )


def _json_or_none(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return None


def drift(stored: Recording, new: Recording) -> list[str]:
    """The structural differences between two recordings, as readable lines ([] if none)."""
    before, after = structure(stored), structure(new)
    lines: list[str] = []
    if before.status != after.status:
        lines.append(f"status: {before.status} -> {after.status}")
    for what, old, now in [
        ("request headers", before.request_headers, after.request_headers),
        ("response headers", before.response_headers, after.response_headers),
    ]:
        if old != now:
            lines.append(f"{what}: {_changes(set(old), set(now))}")
    if before.sequence != after.sequence:
        lines.append("events (- stored, + new; a run of one kind shown once, pings left out):")
        diff = difflib.unified_diff(before.sequence, after.sequence, lineterm="", n=1)
        for number, line in enumerate(list(diff)[2:]):  # without the ---/+++ header
            if not line.startswith("@@"):
                lines.append(f"  {line[0]} {line[1:]}")
            elif number:  # between two parts of the sequence: the unchanged part left out
                lines.append("  ...")
    for kind in sorted(set(before.fields) & set(after.fields)):
        if before.fields[kind] != after.fields[kind]:
            lines.append(f"fields of {kind}: {_changes(before.fields[kind], after.fields[kind])}")
    if before.stop_reason != after.stop_reason:
        lines.append(f"stop reason: {before.stop_reason} -> {after.stop_reason}")
    if before.cut != after.cut:
        lines.append(f"cut: {before.cut} -> {after.cut}")
    return lines


def _changes(old: set[str] | frozenset[str], now: set[str] | frozenset[str]) -> str:
    removed = [f"- {name}" for name in sorted(old - now)]
    added = [f"+ {name}" for name in sorted(now - old)]
    return ", ".join(removed + added)
