"""Sweeps (stream_replay._sweep and the `sweep=` of the replay marker): the positions, how
they are sampled, and whole sweeps run by pytester against a client that mishandles some
positions and one that handles them all."""

from __future__ import annotations

import itertools
import re

# Imported once here, as in test_pytest_plugin.py: pytester restores sys.modules after each
# run, and the SDK takes a second to import.
import anthropic  # noqa: F401
import pytest

from stream_replay import CutAfter, ErrorEvent, StallBefore, load_recording, text_events
from stream_replay._build import build_recording
from stream_replay._sweep import (
    DEFAULT_LIMIT,
    Outcome,
    Sweep,
    choose_positions,
    parse_sweep,
    sweep_positions,
    sweep_report,
)

from .test_pytest_plugin import CODE, RECORDING, project, run  # noqa: F401

pytest_plugins = ["pytester"]

EVENTS = build_recording(text_events("Hello", " world")).response.events  # 7 events

# Two ways to read the stream that answers CODE's request, both asking again after a cut or
# an `error` event; the naive one keeps the text it has when the stream breaks.
CLIENTS = """

def robust(read=30.0):
    for _ in range(2):
        try:
            return stream(read=read, max_retries=0)
        except (anthropic.APIConnectionError, anthropic.APIStatusError):
            pass
    raise RuntimeError("failed twice")


def naive():
    client = anthropic.Anthropic(max_retries=0)
    text = ""
    try:
        with client.messages.stream(**ARGS) as stream:
            for chunk in stream.text_stream:
                text += chunk
    except (anthropic.APIConnectionError, anthropic.APIStatusError):
        if not text:  # nothing shown yet: ask again
            return naive()
    return text  # the bug: part of a summary, returned as the summary


WHOLE = (
    "The council will turn the old tram depot into a public library, with work starting in "
    "spring and lasting two years."
)
"""


def sweep_module(body: str) -> str:
    return CLIENTS + body


# --------------------------------------------------------------------------- positions


def test_a_cut_sweep_cuts_at_every_boundary_and_inside_every_event() -> None:
    positions = sweep_positions(Sweep("cut"), EVENTS)
    assert len(positions) == 2 * len(EVENTS) + 1
    assert [p.spec for p in positions[:4]] == ["cut:0@1", "cut-mid:0@1", "cut:1@1", "cut-mid:1@1"]
    assert positions[-1].spec == "cut:7@1"
    assert positions[-1].where == "after event 7 (message_stop)"
    assert positions[1].where == "inside event 1 (message_start)"
    assert positions[3].fault == CutAfter(1, mid_event=True, on_request=1)


def test_an_error_and_a_stall_sweep_have_one_position_per_event() -> None:
    errors = sweep_positions(parse_sweep("error"), EVENTS)
    assert [p.fault for p in errors] == [ErrorEvent(n, on_request=1) for n in range(7)]
    assert errors[0].where == "before event 1"
    stalls = sweep_positions(parse_sweep("stall:1.5"), EVENTS)
    assert [p.fault for p in stalls] == [StallBefore(n, 1.5, on_request=1) for n in range(1, 8)]
    assert stalls[-1].spec == "stall:7:1.5@1"


def test_a_long_stream_is_sampled_evenly_and_says_so() -> None:
    long = build_recording(text_events(*["word "] * 200)).response.events
    positions = sweep_positions(Sweep("cut"), long)
    assert len(positions) == 2 * len(long) + 1 > DEFAULT_LIMIT
    chosen, how = choose_positions(positions, DEFAULT_LIMIT)
    assert len(chosen) == DEFAULT_LIMIT
    assert chosen[0] == positions[0]
    assert chosen[-1] == positions[-1]
    gaps = {positions.index(b) - positions.index(a) for a, b in itertools.pairwise(chosen)}
    assert gaps <= {4, 5}  # 409 positions, 100 of them: every fourth or fifth
    assert how == (
        f"100 of {len(positions)} positions, evenly spaced from the first to the last "
        "(sweep_limit=100; sweep_limit=None runs all)"
    )
    assert choose_positions(positions, None) == (positions, f"all {len(positions)} positions")


@pytest.mark.parametrize("spec", ["cuts", "stall", "stall:0", "stall:x", "stall:inf", 3, None])
def test_a_sweep_that_is_not_one_is_refused(spec: object) -> None:
    with pytest.raises(ValueError, match="sweep must be cut, error, or stall:T"):
        parse_sweep(spec)


def test_the_report_is_one_table_of_the_failed_positions() -> None:
    positions = sweep_positions(Sweep("cut"), EVENTS)
    outcomes = [Outcome(p, 1, None) for p in positions]
    outcomes[5] = Outcome(positions[5], 2, "AssertionError: assert 'Hello' == 'Hello world'")
    report = sweep_report(Sweep("cut"), "a.toml", outcomes, "all 15 positions", 1)
    assert report.splitlines() == [
        'sweep="cut" over a.toml: all 15 positions.',
        "The fault on the first request only: without it the test passed (1 request(s)),",
        "with it, it failed at 1 of 15 positions:",
        "",
        f"{'position':11}  {'where':36}  requests",
        "  the test failed with",
        f"cut-mid:2@1  inside event 3 (content_block_delta)  {'2':>8}",
        "  AssertionError: assert 'Hello' == 'Hello world'",
        "",
        "Reproduce one with faults=['cut-mid:2@1'] in place of sweep=.",
    ]


# --------------------------------------------------------------------------- whole sweeps


def mishandled_cuts() -> set[str]:
    """The cut positions where the naive client has some of the text but not all of it."""
    events = load_recording(RECORDING).response.events
    deltas = [i for i, e in enumerate(events) if e.name == "content_block_delta"]
    found = set()
    for count in range(len(events) + 1):
        if 0 < sum(i < count for i in deltas) < len(deltas):
            found.add(f"cut:{count}@1")
            if count < len(events):
                found.add(f"cut-mid:{count}@1")
    return found


def failed_positions(result: pytest.RunResult) -> set[str]:
    lines = result.stdout.lines
    return {m[1] for line in lines if (m := re.match(r"\s*((?:cut|error|stall)\S*@1) ", line))}


def test_a_cut_sweep_reports_exactly_the_positions_a_client_mishandles(
    project: pytest.Pytester,  # noqa: F811
) -> None:
    result = run(
        project,
        sweep_module(
            """
@pytest.mark.replay("recordings/summarise.toml", sweep="cut")
def test_naive(replay):
    assert naive() == WHOLE
"""
        ),
    )
    result.assert_outcomes(failed=1)
    expected = mishandled_cuts()
    # summarise.toml: 14 events, the 4th to the 11th text deltas; some text but not all
    # after 4 to 10 events, and inside the 5th to the 11th.
    assert len(expected) == 14
    assert failed_positions(result) == expected
    result.stdout.fnmatch_lines(
        [
            'sweep="cut" over recordings/summarise.toml: all 29 positions.',
            "The fault on the first request only: without it the test passed (1 request(s)),",
            f"with it, it failed at {len(expected)} of 29 positions:",
            "position*where*requests",
            "  the test failed with",
            "cut:4@1*after event 4 (content_block_delta)*1",
            "  AssertionError: assert 'The council' == 'The council *",
            "Reproduce one with faults=?'cut:*@1'? in place of sweep=.",
        ]
    )
    # One table, no more: counted in the failures section (with CI set, pytest repeats the
    # whole message in its short summary).
    failures = result.stdout.str().split("short test summary info")[0]
    assert failures.count("AssertionError") == len(expected)


def test_a_client_that_asks_again_passes_every_cut_and_every_error(
    project: pytest.Pytester,  # noqa: F811
) -> None:
    project.makepyfile(
        test_code=CODE
        + sweep_module(
            """
@pytest.mark.replay("recordings/summarise.toml", sweep="cut")
def test_cut(replay):
    assert robust() == WHOLE


@pytest.mark.replay("recordings/summarise.toml", sweep="error")
def test_error(replay):
    assert robust() == WHOLE
"""
        )
    )
    result = project.runpytest("-p", "no:cacheprovider", "-rP")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(  # -rP shows a passing sweep's report
        [
            "*Captured sweep call*",
            'sweep="cut" over recordings/summarise.toml: all 29 positions.',
            "*with it, it passed at every position too.",
            "*Captured sweep call*",
            'sweep="error" over recordings/summarise.toml: all 14 positions.',
            "*with it, it passed at every position too.",
        ]
    )


def test_an_error_sweep_reports_the_events_a_client_mishandles(
    project: pytest.Pytester,  # noqa: F811
) -> None:
    result = run(
        project,
        sweep_module(
            """
@pytest.mark.replay("recordings/summarise.toml", sweep="error", sweep_limit=4)
def test_naive(replay):
    assert naive() == WHOLE
"""
        ),
    )
    result.assert_outcomes(failed=1)
    # 14 positions, 4 chosen: error:0, 4, 9 and 13 (rounded thirds); the naive client has
    # no text before the first event, some after 4 and 9, all of it after 13.
    result.stdout.fnmatch_lines(
        [
            'sweep="error" over recordings/summarise.toml: 4 of 14 positions, evenly spaced '
            "from the first to the last (sweep_limit=4; sweep_limit=None runs all).",
            "*with it, it failed at 2 of 4 positions:",
        ]
    )
    assert failed_positions(result) == {"error:4@1", "error:9@1"}


def test_a_stall_sweep_passes_a_client_that_gives_up_and_asks_again(
    project: pytest.Pytester,  # noqa: F811
) -> None:
    # Each position waits for the read timeout; sweep_limit keeps the test short.
    result = run(
        project,
        sweep_module(
            """
@pytest.mark.replay("recordings/summarise.toml", sweep="stall:3", sweep_limit=3)
def test_stall(replay):
    assert robust(read=0.3) == WHOLE
"""
        ),
    )
    result.assert_outcomes(passed=1)


def test_a_sweep_runs_inside_one_test_under_xdist(project: pytest.Pytester) -> None:  # noqa: F811
    project.makepyfile(
        test_code=CODE
        + sweep_module(
            """
@pytest.mark.replay("recordings/summarise.toml", sweep="cut", sweep_limit=5)
def test_robust(replay):
    assert robust() == WHOLE


@pytest.mark.replay("recordings/summarise.toml", sweep="error", sweep_limit=4)
def test_naive(replay):
    assert naive() == WHOLE
"""
        )
    )
    # In a process of its own: xdist in-process would share this worker's channel under xdist.
    result = project.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2")
    result.assert_outcomes(passed=1, failed=1)
    assert failed_positions(result) == {"error:4@1", "error:9@1"}  # as in one process


def test_a_mistake_in_the_sweep_fails_in_one_line(project: pytest.Pytester) -> None:  # noqa: F811
    result = run(
        project,
        """
@pytest.mark.replay("recordings/summarise.toml", sweep="cuts")
def test_misspelt(replay):
    stream()


@pytest.mark.replay("recordings/summarise.toml", sweep="cut", sweep_limit=0)
def test_no_positions(replay):
    stream()


@pytest.mark.replay("recordings/summarise.toml", sweep_limit=5)
def test_limit_alone(replay):
    stream()
""",
    )
    result.assert_outcomes(errors=3)
    result.stdout.fnmatch_lines(
        [
            "*@pytest.mark.replay: sweep must be cut, error, or stall:T (a stall of T seconds; "
            "longer than the read timeout), not 'cuts'",
            "*@pytest.mark.replay: sweep_limit must be a whole number, 1 or more, or None (all), "
            "not 0",
            "*@pytest.mark.replay: sweep_limit bounds a sweep: give sweep= too",
        ]
    )
    assert "Traceback" not in result.stdout.str()


def test_a_test_that_fails_without_a_fault_fails_as_usual_and_sweeps_nothing(
    project: pytest.Pytester,  # noqa: F811
) -> None:
    result = run(
        project,
        """
@pytest.mark.replay("recordings/summarise.toml", sweep="cut")
def test_wrong(replay):
    assert stream() == "something else"
""",
    )
    result.assert_outcomes(failed=1)
    assert "positions" not in result.stdout.str()


def test_an_async_test_is_swept_too(project: pytest.Pytester) -> None:  # noqa: F811
    # anyio's plugin runs a coroutine test; a sweep calls the test through the same hook.
    result = run(
        project,
        sweep_module(
            """

async def read(client):
    text = ""
    async with client.messages.stream(**ARGS) as stream:
        async for chunk in stream.text_stream:
            text += chunk
    return text


@pytest.mark.anyio
@pytest.mark.replay("recordings/summarise.toml", sweep="error", sweep_limit=4)
async def test_asks_again():
    async with anthropic.AsyncAnthropic(max_retries=0) as client:
        try:
            assert await read(client) == WHOLE
        except anthropic.APIStatusError:
            assert await read(client) == WHOLE


@pytest.mark.anyio
@pytest.mark.replay("recordings/summarise.toml", sweep="error", sweep_limit=4)
async def test_gives_up():
    async with anthropic.AsyncAnthropic(max_retries=0) as client:
        assert await read(client) == WHOLE
"""
        ),
    )
    result.assert_outcomes(passed=1, failed=1)
    # The one that never asks again fails at each of the four, the other at none.
    assert failed_positions(result) == {"error:0@1", "error:4@1", "error:9@1", "error:13@1"}
