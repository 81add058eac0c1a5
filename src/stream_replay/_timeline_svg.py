"""A recording's timing as a picture: its events on a time axis, one lane per event type.

The SVG stands alone (its own `<title>` and `<desc>`), and inlined into a page it takes the
page's colours: everything is drawn in `currentColor`, and a few classes (`pic-muted`,
`pic-accent` for the first text, `pic-ok` for message_stop, `pic-fail`) let the page's
stylesheet set the colours of each theme.

A page's stream player (docs/assets/player.js) can take the picture as its track, and play
over it: the root says which recording and faults it draws (`data-recording`,
`data-faults`), where its time axis runs (`data-axis`: pairs of seconds and x, between which
x is linear in time) and where its lanes are (`data-lanes`: their top and bottom y).
"""

from __future__ import annotations

import itertools
import json
import math
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal
from xml.sax.saxutils import escape

from ._errors import RecordingError
from ._faults import Fault, parse_fault, plan_response
from ._openai import DONE, read_chunk
from ._platforms import streams_api_events
from ._recording import MAX_OFFSET, Recording
from ._sse import EventSplitter, parse_event

__all__ = ["timeline_svg"]

# Sizes in SVG units. The picture is 360 wide so that, set in a phone's 358 px column, its
# 12-unit text stays 12 px; the page may scale it up on a wide screen.
WIDTH = 360
LEFT, RIGHT = 6, 352  # the time axis runs from LEFT to RIGHT
FONT = 12
CHAR = 0.602 * FONT  # the advance of a monospace character, for fitting labels
HEADER_ROW = 16  # a line of text at the top
LANE = 30  # a lane: its label, then its marks
TICK_ROW = 34  # the axis, its ticks and their labels
BREAK_WIDTH = 30  # the width a long silence takes on a broken axis
BREAK_AT = 1.0  # a silence this long (seconds) that is also ...
BREAK_SHARE = 0.3  # ... this share of the whole may be drawn shortened
CORE = (
    "message_start",
    "content_block_start",
    "content_block_delta",
    "content_block_stop",
    "message_delta",
    "message_stop",
)

HALF = "half an event"
TIMES = "\u00d7"  # the multiplication sign, as in "text_delta (times) 14"
End = Literal["complete", "error", "dropped", "ended"]
_DELTA_TYPE = re.compile(r'"delta"\s*:\s*\{\s*"type"\s*:\s*"(\w+)"')


@dataclass(frozen=True)
class _Arrival:
    at: float
    kind: str  # the event's type; "(comment)" for a block with no data
    # a content_block_delta's delta type (text_delta too for a chunk that carries text)
    delta: str | None = None
    block: str | None = None  # a content_block_start's block type
    error: str | None = None  # an error event's error type
    carries: bool = False  # a delta that carries text or tool input (not an empty piece)
    whole: bool = True  # False: half an event, where the connection dropped


@dataclass(frozen=True)
class _Stream:
    status: int
    headers_at: float
    arrivals: tuple[_Arrival, ...]
    end: End
    chunks: bool = False  # the OpenAI-compatible endpoint's chunks, not the API's events

    @property
    def last_kind(self) -> str:
        return _last_kind(self.chunks)


def _last_kind(chunks: bool) -> str:
    """What a complete stream ends with: message_stop, or `[DONE]` after chunks."""
    return DONE if chunks else "message_stop"


def timeline_svg(
    recording: Recording, *, faults: Sequence[str] = (), request_number: int = 1
) -> str:
    """An SVG of what arrived when in `recording`, as the replay server sends it as its
    `request_number`th response with `faults` (specs, as `--fault` takes them: `cut-mid:6`)."""
    stream = _replayed(recording, [parse_fault(spec) for spec in faults], request_number)
    title = f"What arrived when: {recording.name}"
    if faults:
        title += ", replayed with " + " ".join(f"--fault {spec}" for spec in faults)
    ident = "tl-" + re.sub(r"[^a-z0-9]+", "-", recording.name.lower().removesuffix(".toml"))
    picture = _Picture(stream, title, ident.strip("-"))
    return picture.svg(recording=recording.name, faults=" ".join(faults))


def _replayed(recording: Recording, faults: Sequence[Fault], request_number: int) -> _Stream:
    response = recording.response
    if response.body is not None:
        raise RecordingError(
            recording.name, None, f"an HTTP {response.status} has no events to draw"
        )
    plan = plan_response(response.events, faults, request_number, cut=response.cut)
    if plan.http_error is not None:
        raise RecordingError(
            recording.name, None, "an HTTP error before the stream has no events to draw"
        )
    splitter = EventSplitter()
    arrivals: list[_Arrival] = []
    at = response.at
    for step in plan.steps:
        at = max(response.at, step.at + step.delay)
        if at > MAX_OFFSET:  # later steps are later still
            break
        arrivals += [_arrival(raw, at) for raw in splitter.feed(step.data)]
    rest = splitter.close()
    if rest.strip():
        arrivals.append(_arrival(rest, at, whole=not plan.cut))
    if at > MAX_OFFSET:
        message = f"an event at {at:g} s, beyond a day: too far to draw"
        raise RecordingError(recording.name, None, message)
    chunks = not streams_api_events(recording.request.path)
    end = _end(arrivals, plan.cut, _last_kind(chunks))
    return _Stream(response.status, response.at, tuple(arrivals), end, chunks)


def _end(arrivals: Sequence[_Arrival], cut: bool, last_kind: str) -> End:
    """How the stream ended: an error event, the connection dropped, or, without either, with
    message_stop (`[DONE]` on the OpenAI-compatible endpoint) or without it."""
    kinds = {a.kind for a in arrivals if a.whole}
    if "error" in kinds:
        return "error"
    if cut:
        return "dropped"
    return "complete" if last_kind in kinds else "ended"


def _arrival(raw: bytes, at: float, *, whole: bool = True) -> _Arrival:
    fields = parse_event(raw.decode("utf-8", "replace"))
    name = next((f.value for f in fields if f.name == "event"), None)
    text = "\n".join(f.value for f in fields if f.name == "data")
    data: Any = None
    if text and whole:
        try:
            data = json.loads(text)
        except ValueError:
            data = None
    chunk = read_chunk(DONE if whole and text == DONE else data)
    if chunk is not None:  # a chunk of the OpenAI-compatible endpoint: its content is text
        carries = chunk.text is not None or "tool_calls" in chunk.kind
        text_delta = "text_delta" if chunk.text is not None else None
        return _Arrival(at, chunk.kind, delta=text_delta, carries=carries)
    if not isinstance(data, dict):
        # Half an event keeps its name, and the type of its delta if that much arrived.
        kind = name or ("(comment)" if not text else "?")
        found = _DELTA_TYPE.search(text) if kind == "content_block_delta" else None
        return _Arrival(at, kind, delta=found[1] if found else None, whole=whole)
    kind = str(data.get("type", name or "?"))
    delta = data.get("delta") if kind == "content_block_delta" else None
    block = data.get("content_block") if kind == "content_block_start" else None
    error = data.get("error") if kind == "error" else None
    delta_type = str(delta.get("type")) if isinstance(delta, dict) else None
    carries = isinstance(delta, dict) and bool(delta.get("text") or delta.get("partial_json"))
    return _Arrival(
        at,
        kind,
        delta=delta_type,
        block=str(block.get("type")) if isinstance(block, dict) else None,
        error=str(error.get("type")) if isinstance(error, dict) else None,
        carries=carries,
    )


@dataclass(frozen=True)
class _Lane:
    label: str
    arrivals: tuple[_Arrival, ...]
    kind: str
    delta: str | None = None  # a lane of content_block_delta events: their delta type


def _lanes(stream: _Stream) -> list[_Lane]:
    """The lanes, top to bottom: the headers, the six events of every stream (the deltas split
    by delta type), then ping, error and any other type, in order of first arrival. A stream
    of chunks has no such six: its kinds of chunk (`_openai.py`) in order of first arrival."""
    lanes = [_Lane(f"HTTP {stream.status} (response headers)", (), "headers")]
    by_kind: dict[str, list[_Arrival]] = {}
    for arrival in stream.arrivals:
        by_kind.setdefault(arrival.kind, []).append(arrival)
    core = () if stream.chunks else CORE
    others = [k for k in by_kind if k not in core and k not in {"ping", "error"}]
    for kind in [*core, "ping", "error", *others]:
        found = by_kind.get(kind, [])
        if kind == "content_block_delta" and found:
            deltas: dict[str, list[_Arrival]] = {}
            for arrival in found:
                unknown = "?" if arrival.whole else HALF
                deltas.setdefault(arrival.delta or unknown, []).append(arrival)
            for delta, pieces in deltas.items():
                label = f"{kind}: {delta}{_times(pieces)}"
                lanes.append(_Lane(label, tuple(pieces), kind, delta))
        elif kind == "content_block_start" and found:
            blocks = [a.block or "?" for a in found]
            label = f"{kind}{_times(found)}: {', '.join(blocks)}"
            if len(set(blocks)) == 1:
                label = f"{kind}{_times(found)}: {blocks[0]}"
            if len(label) * CHAR > WIDTH - LEFT:
                label = f"{kind}{_times(found)}"
            lanes.append(_Lane(label, tuple(found), kind))
        elif kind == "error" and found:
            types = sorted({a.error or "?" for a in found})
            lanes.append(_Lane(f"error: {', '.join(types)}", tuple(found), kind))
        elif found or kind in core:
            label = f"{kind}{_times(found)}" if found else f"{kind}: none"
            lanes.append(_Lane(label, tuple(found), kind))
    return lanes


def _times(arrivals: Sequence[_Arrival]) -> str:
    return f" {TIMES}{len(arrivals)}" if len(arrivals) > 1 else ""


def _seconds(value: float) -> str:
    return f"{value:.3f} s"


class _Axis:
    """Seconds to x, with long silences shortened to BREAK_WIDTH (a broken axis)."""

    def __init__(self, times: Sequence[float]) -> None:
        last = max(times, default=0.0)
        self.end = max(min(last * 1.03, sys.float_info.max), 0.1)
        self.step = _tick_step(self.end)
        ordered = sorted({0.0, *times})
        self.breaks = [
            (a, b)
            for a, b in itertools.pairwise(ordered)
            if b - a >= BREAK_AT and b - a >= BREAK_SHARE * self.end
        ]
        # The length left unbroken, added up piece by piece (end minus the breaks loses it
        # all to rounding when the breaks are a million times longer).
        pieces = [b - a for a, b in itertools.pairwise(ordered) if (a, b) not in self.breaks]
        kept = max(math.fsum([*pieces, self.end - ordered[-1]]), 1e-9)
        self.scale = (RIGHT - LEFT - BREAK_WIDTH * len(self.breaks)) / kept

    def x(self, t: float) -> float:
        x = LEFT + t * self.scale
        for a, b in self.breaks:
            if t >= b:
                x += BREAK_WIDTH - (b - a) * self.scale
            elif t > a:
                x += (BREAK_WIDTH / (b - a) - self.scale) * (t - a)
        return x

    def broken(self, t: float) -> bool:
        return any(a < t < b for a, b in self.breaks)

    def knots(self) -> list[tuple[float, float]]:
        """(seconds, x) where the scale changes: x is linear in time between two of them."""
        times = [0.0, *(t for pair in self.breaks for t in pair), self.end]
        return [(t, self.x(t)) for t in times]

    def ticks(self) -> list[float]:
        count = math.floor(self.end / self.step + 1e-9)
        return [round(i * self.step, 6) for i in range(count + 1)]


def _tick_step(end: float) -> float:
    """Seconds between ticks: at most six of them, however long the axis."""
    for step in (0.1, 0.2, 0.25, 0.5, 1, 2, 5, 10, 20, 60):
        if end / step <= 6:
            return step
    power = 10.0 ** math.floor(math.log10(end / 6))  # 1, 2 or 5 times a power of ten
    return next(m * power for m in (1, 2, 5, 10) if end / (m * power) <= 6)


def _n(value: float) -> str:
    """A coordinate, short: 12.3, 12, not 12.300000001."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


class _Picture:
    def __init__(self, stream: _Stream, title: str, ident: str) -> None:
        self.stream = stream
        self.title = title
        self.ident = ident
        self.lanes = _lanes(stream)
        times = [stream.headers_at, *(a.at for a in stream.arrivals)]
        self.axis = _Axis(times)
        # The first delta that carries text, or tool input when no text comes.
        carrying = [a for a in stream.arrivals if a.carries]
        self.first = next((a for a in carrying if a.delta == "text_delta"), None) or next(
            iter(carrying), None
        )
        self.last_at = max(times)
        self.silence = max(
            itertools.pairwise(sorted(times)),
            key=lambda gap: gap[1] - gap[0],
            default=(0.0, 0.0),
        )

    def _header(self) -> list[tuple[float, str, str]]:
        """The labels over the lanes: (time, text, class), one a row."""
        rows: list[tuple[float, str, str]] = []
        if self.first is not None:
            what = "first text" if self.first.delta == "text_delta" else "first tool input"
            rows.append((self.first.at, f"{what} {_seconds(self.first.at)}", "pic-accent"))
        last, last_kind = self.last_at, self.stream.last_kind
        match self.stream.end:
            case "complete":
                stop = max(a.at for a in self.stream.arrivals if a.kind == last_kind)
                rows.append((stop, f"{last_kind} {_seconds(stop)}", "pic-ok"))
            case "error":
                at = min(a.at for a in self.stream.arrivals if a.kind == "error")
                rows.append((at, f"error event {_seconds(at)}, no {last_kind}", "pic-fail"))
            case "dropped":
                rows.append((last, f"connection dropped {_seconds(last)}", "pic-fail"))
            case "ended":
                rows.append((last, f"body ended {_seconds(last)}, no {last_kind}", "pic-fail"))
        return rows

    def svg(self, *, recording: str, faults: str) -> str:
        header = self._header()
        top = HEADER_ROW * len(header) + 8
        bottom = top + LANE * len(self.lanes)
        height = bottom + HEADER_ROW + TICK_ROW
        axis = " ".join(f"{t:g} {_n(x)}" for t, x in self.axis.knots())
        out = [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
            f'width="{WIDTH}" height="{height}" role="img" '
            f'aria-labelledby="{self.ident}-title {self.ident}-desc" class="timeline-picture" '
            f'data-recording="{escape(recording)}" data-faults="{escape(faults)}" '
            f'data-axis="{axis}" data-lanes="{_n(top)} {_n(bottom)}" '
            f'font-family="monospace" font-size="{FONT}" fill="currentColor" '
            f'stroke="currentColor" stroke-width="0">',
            f'<title id="{self.ident}-title">{escape(self.title)}</title>',
            f'<desc id="{self.ident}-desc">{escape(self.description())}</desc>',
        ]
        out += self._silences(top, bottom)
        spans = [self._span(self.axis.x(at), text) for at, text, _ in header]
        for row, (at, text, css) in enumerate(header):
            x, y = self.axis.x(at), HEADER_ROW * (row + 1) - 3
            out.append(self._label(x, y, text, css))
            # The guide runs from its label down to the axis, around the labels below it.
            d = f"M{_n(x)} {y + 4}"
            for below, (left, right) in enumerate(spans[row + 1 :], start=row + 2):
                if left - 2 <= x <= right + 2:
                    label_y = HEADER_ROW * below - 3
                    d += f"V{label_y - 12}M{_n(x)} {label_y + 4}"
            klass = f' class="{css}"' if css else ""
            dash = ' stroke-dasharray="4 3"' if css == "pic-accent" else ""
            out.append(f'<path{klass} d="{d}V{bottom}" stroke-width="1"{dash} fill="none"/>')
        for number, lane in enumerate(self.lanes):
            out += self._lane(lane, top + LANE * number)
        out += self._ticks(bottom + HEADER_ROW)
        out.append("</svg>")
        return "\n".join(out) + "\n"

    def _span(self, x: float, text: str) -> tuple[float, float]:
        """Where a label at x goes: it starts at x if it fits, else ends there, kept inside."""
        width = len(text) * CHAR
        start = x if x + width <= WIDTH - 2 else max(x - width, LEFT)
        return start, start + width

    def _label(self, x: float, y: float, text: str, css: str) -> str:
        start, _ = self._span(x, text)
        klass = f' class="{css}"' if css else ""
        return f'<text{klass} x="{_n(start)}" y="{_n(y)}">{escape(text)}</text>'

    def _lane(self, lane: _Lane, top: float) -> list[str]:
        middle = top + 21
        out = [
            f'<text class="pic-muted" x="{LEFT}" y="{top + 11}">{escape(lane.label)}</text>',
            f'<path d="M{LEFT} {middle}H{RIGHT}" stroke-width="1" opacity="0.25"/>',
        ]
        if lane.kind == "headers":
            x = _n(self.axis.x(self.stream.headers_at))
            out.append(f'<path d="M{x} {middle - 6}v12" stroke-width="3"/>')
            return out
        plain = [a for a in lane.arrivals if a.whole and a is not self.first]
        if lane.kind == "error":
            crosses = "".join(
                f"M{_n(self.axis.x(a.at) - 5)} {middle - 5}l10 10m0 -10l-10 10" for a in plain
            )
            out.append(f'<path class="pic-fail" d="{crosses}" stroke-width="2.5"/>')
        elif plain:
            ticks = "".join(f"M{_n(self.axis.x(a.at))} {middle - 6}v12" for a in plain)
            out.append(f'<path d="{ticks}" stroke-width="2"/>')
        if self.first is not None and self.first in lane.arrivals:
            first = _n(self.axis.x(self.first.at))
            out.append(f'<path class="pic-accent" d="M{first} {middle - 8}v16" stroke-width="4"/>')
        for half in (a for a in lane.arrivals if not a.whole):
            at = self.axis.x(half.at)
            out.append(
                f'<rect class="pic-fail" x="{_n(at - 3)}" y="{middle - 6}" width="6" height="12" '
                f'fill="none" stroke-width="1.5"/>'
            )
            if lane.delta != HALF:
                out.append(self._label(at + 5, middle + 4, HALF, "pic-fail"))
        return out

    def _silences(self, top: float, bottom: float) -> list[str]:
        """A band over the longest silence, and the shortened ones of a broken axis."""
        out: list[str] = []
        a, b = self.silence
        if b - a >= 0.05:
            x0, x1 = self.axis.x(a), self.axis.x(b)
            out.append(
                f'<rect x="{_n(x0)}" y="{_n(top)}" width="{_n(x1 - x0)}" '
                f'height="{_n(bottom - top)}" opacity="0.08"/>'
            )
            text = f"longest silence {_seconds(b - a)}"
            if self.axis.broken((a + b) / 2):
                text += ", shortened"
            width = len(text) * CHAR
            x = min(max((x0 + x1 - width) / 2, LEFT), RIGHT + 6 - width)
            out.append(
                f'<text class="pic-muted" x="{_n(x)}" y="{_n(bottom + HEADER_ROW - 4)}">'
                f"{escape(text)}</text>"
            )
        return out

    def _ticks(self, y: float) -> list[str]:
        # The axis line, interrupted where it is broken, with two slanted strokes at each break.
        line, x = [], float(LEFT)
        for a, b in self.axis.breaks:
            x0, x1 = self.axis.x(a) + 8, self.axis.x(b) - 8
            line.append(f"M{_n(x)} {y}H{_n(x0)}M{_n(x0 - 3)} {y + 5}l6 -10")
            line.append(f"M{_n(x1 - 3)} {y + 5}l6 -10M{_n(x1)} {y}")
            x = x1
        line.append(f"M{_n(x)} {y}H{RIGHT}")
        out = [f'<path d="{"".join(line)}" stroke-width="1"/>']
        ends: list[float] = []
        ticks = self.axis.ticks()
        for t in ticks:
            if self.axis.broken(t):
                continue
            x = self.axis.x(t)
            out.append(f'<path d="M{_n(x)} {y}v5" stroke-width="1"/>')
            text = f"{t:g}" + (" s" if t == ticks[-1] else "")
            width = len(text) * CHAR
            start = min(max(x - width / 2, LEFT), RIGHT + 6 - width)
            if ends and start < ends[-1] + CHAR:
                continue
            ends.append(start + width)
            out.append(f'<text class="pic-muted" x="{_n(start)}" y="{_n(y + 18)}">{text}</text>')
        return out

    def description(self) -> str:
        """What the picture shows, in words: its text alternative."""
        stream = self.stream
        items = [
            (
                stream.headers_at,
                f"the response headers (HTTP {stream.status}) at {_seconds(stream.headers_at)}",
            )
        ]
        missing: list[str] = []
        if self.first is not None:  # before the delta that carries it, at the same time
            what = "text" if self.first.delta == "text_delta" else "tool input"
            items.append((self.first.at, f"the first {what} at {_seconds(self.first.at)}"))
        for lane in self.lanes[1:]:
            whole = [a for a in lane.arrivals if a.whole]
            items += [
                (a.at, f"half a {a.kind} event at {_seconds(a.at)}")
                for a in lane.arrivals
                if not a.whole
            ]
            if not lane.arrivals:
                missing.append(lane.kind)
            if not whole:
                continue
            what = lane.kind if lane.delta is None else lane.delta
            detail = ""
            if lane.kind == "error":
                detail = f" ({', '.join(sorted({a.error or '?' for a in whole}))})"
            if lane.kind == "content_block_start":
                detail = f" ({', '.join(a.block or '?' for a in whole)})"
            if len(whole) == 1:
                at = _seconds(whole[0].at)
                items.append((whole[0].at, f"{_article(what)} {what}{detail} at {at}"))
            else:
                first, last = _seconds(whole[0].at), _seconds(whole[-1].at)
                text = f"{len(whole)} {what} events{detail} from {first} to {last}"
                items.append((whole[0].at, text))
        items.sort(key=lambda item: item[0])
        listed = "; ".join(text for _, text in items)
        parts = [
            f"Events on a time axis from the request, at 0 s, to {_seconds(self.last_at)}, "
            "one lane per event type.",
            listed[0].upper() + listed[1:] + ".",
        ]
        none = f"No {_or(missing)} arrives: " if missing else ""
        match stream.end:
            case "complete":
                last_kind = stream.last_kind
                parts.append(f"The stream ends with {last_kind} at {_seconds(self.last_at)}.")
            case "error":
                parts.append(f"{none}the stream ends with the error event.")
            case "dropped":
                parts.append(f"{none}the connection drops at {_seconds(self.last_at)}.")
            case "ended":
                parts.append(f"{none}the body ends at {_seconds(self.last_at)}, cut short.")
        a, b = self.silence
        if b - a >= 0.05:
            parts.append(
                f"The longest silence lasts {_seconds(b - a)}, from {_seconds(a)} to {_seconds(b)}."
            )
        return " ".join(part[0].upper() + part[1:] for part in parts)


def _or(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def _article(word: str) -> str:
    return "an" if word[:1] in tuple("aeiou") else "a"
