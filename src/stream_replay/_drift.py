"""Has the API's stream changed shape? Two recordings compared by structure, not content.

What counts: the status, the request and response header names, the sequence of event kinds
(an event's type, with its content block or delta type: `content_block_start text`), the
field names each kind of event carries and the kind of each field's value (null, boolean,
number, string, object, array), the stop reason, and whether the stream was cut. What does
not: text, ids, numbers, timing, how many deltas a block took, and `ping` events (they come
anywhere, any number of times). A re-recording that differs only in what the model said,
when, and under which ids has the same structure. However deep or wide a recording's fields,
the report stays short: paths stop at MAX_DEPTH levels, and a line lists MAX_CHANGES changes.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ._recording import Recording

__all__ = ["Structure", "drift", "structure"]


@dataclass(frozen=True)
class Structure:
    status: int
    request_headers: tuple[str, ...]
    response_headers: tuple[str, ...]
    sequence: tuple[str, ...]  # event kinds in order; a run of one kind counts once
    # event kind -> the field paths its events carry -> the kinds of value each holds
    fields: dict[str, dict[str, frozenset[str]]]
    stop_reason: str | None
    cut: bool


def event_kind(data: Any) -> str:
    """`content_block_start text`, `content_block_delta text_delta`, `message_stop`, ..."""
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


# Bounds on what a report can print, whatever a recording holds.
MAX_DEPTH = 16  # fields deeper than this are one path, ending in "..."
MAX_NAME = 60  # characters of a field's name kept in a path
MAX_CHANGES = 12  # changes listed on one line; the rest are counted


def value_kind(value: Any) -> str:
    """The kind of a JSON value: null, boolean, number, string, object or array."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "object" if isinstance(value, dict) else "array"


def field_paths(value: Any) -> Iterator[tuple[str, str]]:
    """The dotted name of every field in a JSON value (`message.usage.input_tokens`), with
    the kind of its value; items of a list share one name (`content[].type`). No recursion:
    any depth is safe, and below MAX_DEPTH levels a field is named `...` once."""
    stack: list[tuple[str, int, Any]] = [("", 0, value)]
    while stack:
        prefix, depth, item = stack.pop()
        if depth >= MAX_DEPTH and isinstance(item, dict | list) and item:
            yield f"{prefix}...", "deeper"
        elif isinstance(item, dict):
            for key, inner in item.items():
                name = _shortened(str(key), MAX_NAME)
                path = f"{prefix}.{name}" if prefix else name
                yield path, value_kind(inner)
                stack.append((path, depth + 1, inner))
        elif isinstance(item, list):
            stack += [(f"{prefix}[]", depth + 1, inner) for inner in item]


def _shortened(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


def structure(recording: Recording) -> Structure:
    response = recording.response
    sequence: list[str] = []
    fields: dict[str, dict[str, set[str]]] = {}
    stop_reason = None
    for event in response.events:
        kind = event_kind(event.data)
        if kind == "ping":
            continue
        if not sequence or sequence[-1] != kind:
            sequence.append(kind)
        paths = fields.setdefault(kind, {})
        for path, value in field_paths(event.data):
            paths.setdefault(path, set()).add(value)
        if kind == "message_delta" and isinstance(event.data.get("delta"), dict):
            stop_reason = event.data["delta"].get("stop_reason", stop_reason)
    if response.body is not None:
        paths = fields.setdefault("(body)", {})
        for path, value in field_paths(_json_or_none(response.body)):
            paths.setdefault(path, set()).add(value)
    return Structure(
        status=response.status,
        request_headers=tuple(sorted(recording.request.headers)),
        # The API sends a request-id on every response (its Errors page); a constructed
        # recording may leave it out, and a re-recording then gains it: no drift.
        response_headers=tuple(sorted(h for h in response.headers if h != "request-id")),
        sequence=tuple(sequence),
        fields={
            kind: {path: frozenset(values) for path, values in paths.items()}
            for kind, paths in fields.items()
        },
        stop_reason=_shortened(str(stop_reason), MAX_NAME) if stop_reason is not None else None,
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
            lines.append(f"{what}: {_listed(_changes(set(old), set(now)))}")
    if before.sequence != after.sequence:
        lines.append("events (- stored, + new; a run of one kind shown once, pings left out):")
        diff = difflib.unified_diff(before.sequence, after.sequence, lineterm="", n=1)
        for number, line in enumerate(list(diff)[2:]):  # without the ---/+++ header
            if not line.startswith("@@"):
                lines.append(f"  {line[0]} {line[1:]}")
            elif number:  # between two parts of the sequence: the unchanged part left out
                lines.append("  ...")
    for kind in sorted(set(before.fields) & set(after.fields)):
        old_fields, new_fields = before.fields[kind], after.fields[kind]
        if old_fields != new_fields:
            changes = _changes(set(old_fields), set(new_fields))
            changes += [
                f"{path}: {_kinds(old_fields[path])} -> {_kinds(new_fields[path])}"
                for path in sorted(set(old_fields) & set(new_fields))
                if old_fields[path] != new_fields[path]
            ]
            lines.append(f"fields of {_shortened(kind, MAX_NAME)}: {_listed(changes)}")
    if before.stop_reason != after.stop_reason:
        lines.append(f"stop reason: {before.stop_reason} -> {after.stop_reason}")
    if before.cut != after.cut:
        lines.append(f"cut: {before.cut} -> {after.cut}")
    return lines


def _changes(old: set[str], now: set[str]) -> list[str]:
    """What went (-) and what came (+)."""
    return [f"- {name}" for name in sorted(old - now)] + [f"+ {name}" for name in sorted(now - old)]


def _kinds(values: frozenset[str]) -> str:
    return " or ".join(sorted(values))


def _listed(changes: list[str]) -> str:
    shown = ", ".join(changes[:MAX_CHANGES])
    more = len(changes) - MAX_CHANGES
    return shown + (f", ... ({more} more)" if more > 0 else "")
