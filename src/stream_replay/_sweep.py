"""Sweeps: one fault placed at every position of a recording in turn, and what the test did.

A sweep runs a test once per position of the stream that answers its first request: a `cut`
after each event and in the middle of each, an `error` event after each, or a `stall` before
each. Each run's fault applies to the first request only (`@1`), so code that asks again gets
the whole stream. The test fails once, with a table of the positions it failed at
(`sweep_report`), rather than once per position.

A sweep runs every position of a stream up to `DEFAULT_LIMIT` of them; beyond it, that many,
evenly spaced from the first to the last (`choose_positions` says so in the report).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ._faults import CutAfter, ErrorEvent, Fault, StallBefore, _seconds
from ._recording import RecordedEvent

__all__ = [
    "DEFAULT_LIMIT",
    "SWEEP_KINDS",
    "Outcome",
    "Position",
    "Sweep",
    "choose_positions",
    "failure_line",
    "parse_sweep",
    "sweep_positions",
    "sweep_report",
]

DEFAULT_LIMIT = 100
SWEEP_KINDS = "cut, error, or stall:T (a stall of T seconds; longer than the read timeout)"
_FAILURE_WIDTH = 88  # characters of the test's failure shown under its position


@dataclass(frozen=True)
class Sweep:
    """What to place at each position: `kind` is cut, error or stall (`seconds` long)."""

    kind: str
    seconds: float = 0.0

    def __str__(self) -> str:
        return f"stall:{self.seconds:g}" if self.kind == "stall" else self.kind


def parse_sweep(spec: object) -> Sweep:
    """A sweep from the marker's `sweep=`: "cut", "error" or "stall:T"; ValueError if not."""
    if spec in {"cut", "error"}:
        return Sweep(str(spec))
    if isinstance(spec, str) and spec.startswith("stall:"):
        try:
            seconds = float(spec.removeprefix("stall:"))
            _seconds(seconds, "T")
        except ValueError:
            pass
        else:
            if seconds > 0:
                return Sweep("stall", seconds)
    raise ValueError(f"sweep must be {SWEEP_KINDS}, not {spec!r}")


@dataclass(frozen=True)
class Position:
    """One place in the stream: the fault put there, as `faults=[...]` takes it (`spec`),
    and where that is in words (`where`)."""

    fault: Fault
    spec: str
    where: str


def sweep_positions(sweep: Sweep, events: Sequence[RecordedEvent]) -> list[Position]:
    """Every position of `sweep` in a stream of `events`, in stream order."""
    names = [event.name or "comment" for event in events]
    found: list[Position] = []
    if sweep.kind == "cut":
        for count in range(len(events) + 1):
            after = f"after event {count} ({names[count - 1]})" if count else "before event 1"
            found.append(Position(CutAfter(count, on_request=1), f"cut:{count}@1", after))
            if count < len(events):
                inside = f"inside event {count + 1} ({names[count]})"
                mid = CutAfter(count, mid_event=True, on_request=1)
                found.append(Position(mid, f"cut-mid:{count}@1", inside))
    elif sweep.kind == "error":
        for count in range(len(events)):
            after = f"after event {count} ({names[count - 1]})" if count else "before event 1"
            found.append(Position(ErrorEvent(count, on_request=1), f"error:{count}@1", after))
    else:
        for number in range(1, len(events) + 1):
            fault = StallBefore(number, sweep.seconds, on_request=1)
            spec = f"stall:{number}:{sweep.seconds:g}@1"
            found.append(Position(fault, spec, f"before event {number} ({names[number - 1]})"))
    return found


def choose_positions(
    positions: Sequence[Position], limit: int | None
) -> tuple[list[Position], str]:
    """The positions to run, and how they were chosen, in words: all of them up to `limit`,
    else `limit` of them evenly spaced from the first to the last (None: no limit)."""
    total = len(positions)
    if limit is None or total <= limit:
        return list(positions), f"all {total} positions"
    if limit == 1:
        indexes = [0]
    else:
        indexes = sorted({round(i * (total - 1) / (limit - 1)) for i in range(limit)})
    chosen = [positions[i] for i in indexes]
    how = (
        f"{len(chosen)} of {total} positions, evenly spaced from the first to the last "
        f"(sweep_limit={limit}; sweep_limit=None runs all)"
    )
    return chosen, how


@dataclass(frozen=True)
class Outcome:
    """What one run did: the requests the server answered, and how the test failed (None if
    it passed), in one line."""

    position: Position
    requests: int
    failure: str | None


def failure_line(error: BaseException) -> str:
    """An exception as one short line: its type and the first line of its message."""
    text = str(error).strip().splitlines()
    line = f"{type(error).__name__}: {text[0]}" if text else type(error).__name__
    if type(error).__module__.startswith("_pytest"):  # pytest.fail(): its message alone
        line = text[0] if text else "failed"
    return line if len(line) <= _FAILURE_WIDTH else line[: _FAILURE_WIDTH - 3] + "..."


def sweep_report(
    sweep: Sweep, recording: str, outcomes: Sequence[Outcome], chosen: str, baseline: int
) -> str:
    """The sweep's result in one paragraph and a table of the positions that failed."""
    failed = [outcome for outcome in outcomes if outcome.failure is not None]
    head = (
        f'sweep="{sweep}" over {recording}: {chosen}.\n'
        f"The fault on the first request only: without it the test passed ({baseline} "
        "request(s)),\nwith it, "
    )
    if not failed:
        return f"{head}it passed at every position too."
    rows = [("position", "where", "requests")]
    rows += [(o.position.spec, o.position.where, str(o.requests)) for o in failed]
    widths = [max(len(row[i]) for row in rows) for i in range(2)]
    lines = [
        f"{rows[0][0]:{widths[0]}}  {rows[0][1]:{widths[1]}}  {rows[0][2]}",
        "  the test failed with",
    ]
    for row, outcome in zip(rows[1:], failed, strict=True):
        lines.append(f"{row[0]:{widths[0]}}  {row[1]:{widths[1]}}  {row[2]:>8}")
        lines.append(f"  {outcome.failure}")
    return "\n".join(
        [
            f"{head}it failed at {len(failed)} of {len(outcomes)} positions:",
            "",
            *lines,
            "",
            f"Reproduce one with faults=[{failed[0].position.spec!r}] in place of sweep=.",
        ]
    )
