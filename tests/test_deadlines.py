"""docs/deadlines.md: the watchdog's limits against a stream that thinks for seconds with pings,
against a stall, and against each of its deadlines running out (snippets/deadlines/)."""

from __future__ import annotations

import ast
import dataclasses
import itertools
import re
import runpy

import anthropic
import pytest

from stream_replay import Recording, ReplayServer, load_recordings_for, parse_fault
from stream_replay._recording import RecordedEvent

from .project import (
    DOCS_DIR,
    PLACEHOLDER_KEY,
    ROOT,
    SNIPPET_FAULTS,
    SNIPPETS_DIR,
    TIME_TOLERANCE,
    TIMED_SNIPPETS,
    output_file,
)

WATCHDOG = SNIPPETS_DIR / "deadlines" / "watchdog.py"
THINKING, STALLED = load_recordings_for(WATCHDOG, ROOT)
# The snippet's limits, its module-level constants.
LIMITS: dict[str, float] = {
    node.targets[0].id: node.value.value
    for node in ast.parse(WATCHDOG.read_text()).body
    if isinstance(node, ast.Assign)
    and isinstance(node.targets[0], ast.Name)
    and isinstance(node.value, ast.Constant)
    and isinstance(node.value.value, float)
}
PAGE = " ".join((DOCS_DIR / "deadlines.md").read_text().split())


def gaps(events: list[RecordedEvent]) -> list[float]:
    return [later.at - earlier.at for earlier, later in itertools.pairwise(events)]


def test_the_long_thinking_stream_is_never_silent_on_the_wire_but_is_in_the_loop() -> None:
    # deadlines.md: the pings keep every silence on the connection below SILENCE, while the
    # events the SDK hands over (pings dropped) leave a gap longer than SILENCE: a timer on
    # the loop's events would fire on a model that is only thinking.
    events = list(THINKING.response.events)
    seen_by_the_loop = [e for e in events if e.name != "ping"]
    assert max(gaps(events)) < 0.5 < LIMITS["SILENCE"]
    assert max(gaps(seen_by_the_loop)) > LIMITS["SILENCE"]
    first_text = next(e for e in events if "text_delta" in str(e.data))
    assert first_text.at > 3 * LIMITS["SILENCE"]  # thinking lasts longer than any silence
    assert first_text.at < LIMITS["FIRST_ANSWER"]
    assert "no gap on the connection is longer than 0.5 s" in str(THINKING.provenance.note)


def times(line: str) -> float:
    return float(line.split(" s ")[0])


def fired(line: str, limit: float, instead: float) -> bool:
    """The deadline's time, not the event's: no earlier than `limit` (to the printed 0.01 s)
    and before `instead`, when what it waits for would have come. How late after `limit` a
    busy machine wakes the timer is left to the benchmarks."""
    return limit - 0.01 <= times(line) < instead


def test_the_stall_is_caught_one_silence_after_the_last_byte() -> None:
    # The shown output (compared with a run at the recorded pace by the snippet test).
    assert "deadlines/watchdog.py" in TIMED_SNIPPETS
    [spec] = SNIPPET_FAULTS["deadlines/watchdog.py"]
    fault = parse_fault(spec)
    assert f"--fault {spec}" in PAGE
    last_byte = STALLED.response.events[fault.event - 2].at  # type: ignore[union-attr]
    shown = output_file(WATCHDOG).read_text().splitlines()
    assert "stalled" in shown[-1]
    assert not any(line.endswith("s  first text") for line in shown[7:])
    assert LIMITS["SILENCE"] <= times(shown[-1]) - last_byte <= LIMITS["SILENCE"] + TIME_TOLERANCE
    assert "stalled" not in "".join(shown[:6])  # the thinking stream passed


def run(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    recordings: list[Recording],
) -> list[str]:
    with ReplayServer(recordings, speed=1.0) as server:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", PLACEHOLDER_KEY)
        capsys.readouterr()
        runpy.run_path(str(WATCHDOG), run_name="__main__")
    assert server.mismatches == []
    return capsys.readouterr().out.splitlines()


def shifted(recording: Recording, *, headers: float = 0.0, answer: float = 0.0) -> Recording:
    """The recording with its headers `headers` s later, or its answer `answer` s later, the
    wait filled with a ping every 0.4 s as the API may send them."""
    response = recording.response
    ping = next(e for e in response.events if e.name == "ping")
    start = next(
        i for i, e in enumerate(response.events) if e.name == "content_block_start" and i > 1
    )
    before, after = response.events[:start], response.events[start:]
    last = before[-1].at
    pings = [dataclasses.replace(ping, at=last + 0.4 * n) for n in range(1, int(answer / 0.4) + 1)]
    events = (*before, *pings, *(dataclasses.replace(e, at=e.at + answer) for e in after))
    events = tuple(dataclasses.replace(e, at=e.at + headers) for e in events)
    return dataclasses.replace(
        recording, response=dataclasses.replace(response, at=response.at + headers, events=events)
    )


def test_slow_headers_are_given_up_at_the_headers_deadline(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    printed = run(monkeypatch, capsys, [shifted(r, headers=2.0) for r in (THINKING, STALLED)])
    for line in printed[1], printed[3]:
        assert line.endswith(f"gave up: {LIMITS['HEADERS']} s without the headers")
        assert fired(line, LIMITS["HEADERS"], instead=2.0)


# The tests of the later deadlines send the headers this much sooner than recorded (0.418 s,
# against HEADERS 0.8 s), so that a loaded machine's slow first request (0.84 s once in CI)
# does not meet the headers deadline before the one they test.
SOONER = -0.4


def test_a_first_answer_later_than_its_deadline_is_given_up_though_pings_flow(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Thinking 3 s longer, pings every 0.4 s: no stall, but no text by FIRST_ANSWER.
    recordings = [shifted(r, headers=SOONER, answer=3.0) for r in (THINKING, STALLED)]
    printed = run(monkeypatch, capsys, recordings)
    assert "stalled" not in "".join(printed)
    for line, recording in (printed[3], THINKING), (printed[-1], STALLED):
        assert line.endswith(f"gave up: {LIMITS['FIRST_ANSWER']} s without the first text")
        first_text = next(e for e in recording.response.events if "text_delta" in str(e.data))
        assert fired(line, LIMITS["FIRST_ANSWER"], instead=first_text.at + 3.0 + SOONER)


def test_the_page_names_the_limits_the_snippet_uses() -> None:
    for name in ("HEADERS", "SILENCE", "FIRST_ANSWER", "TOTAL"):
        assert f"`{name}`" in PAGE
    assert re.search(r"timeout_at\(\).*reschedule\(\)", PAGE)
    # The numbers of the page: the widest gap on the wire, the test's longer thinking.
    assert "no gap is longer than 0.5 s" in PAGE
    assert "three seconds longer, with pings every 0.4 s" in PAGE
    assert "a 3 s stall before the fifth event of the second request" in PAGE
    assert SNIPPET_FAULTS["deadlines/watchdog.py"] == ["stall:5:3@2"]


def longer(recording: Recording, seconds: float) -> Recording:
    """The recording with its text stretched: a text delta every 0.4 s for `seconds` more."""
    response = recording.response
    last_text = max(i for i, e in enumerate(response.events) if "text_delta" in str(e.data))
    piece = response.events[last_text]
    extra = [
        dataclasses.replace(piece, at=piece.at + 0.4 * n) for n in range(1, int(seconds / 0.4) + 1)
    ]
    after = [dataclasses.replace(e, at=e.at + seconds) for e in response.events[last_text + 1 :]]
    events = (*response.events[: last_text + 1], *extra, *after)
    return dataclasses.replace(recording, response=dataclasses.replace(response, events=events))


def test_an_answer_that_outlasts_the_total_deadline_is_given_up(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Text keeps coming every 0.4 s: no stall, the first text in time, but no end by TOTAL.
    recordings = [shifted(longer(THINKING, 6.0), headers=SOONER), shifted(STALLED, headers=2.0)]
    printed = run(monkeypatch, capsys, recordings)
    assert printed[4].endswith("s  first text")
    assert printed[5].endswith(f"gave up: {LIMITS['TOTAL']} s without message_stop")
    ended = THINKING.response.events[-1].at + 6.0 + SOONER
    assert fired(printed[5], LIMITS["TOTAL"], instead=ended)


def test_the_silence_sizing_follows_from_the_measured_case() -> None:
    # deadlines.md, "When no pings come": 329.5 s of silence for 35,899 output tokens is about
    # 9.2 ms a token, and 64,000 tokens at that pace about 590 s, under the 600 s default.
    prose = PAGE
    per_token_ms = 329.5 / 35_899 * 1000
    assert round(per_token_ms, 1) == 9.2
    assert round(64_000 * 9.2 / 1000, -1) == 590
    default_read = anthropic._constants.DEFAULT_TIMEOUT.read
    assert default_read is not None
    assert 64_000 * per_token_ms / 1000 < default_read
    for figure in ("329.5 s", "35,899-token", "about 9.2 ms", "78.3 s", "about 590 s", "600 s"):
        assert figure in prose, figure
