"""Verdicts (stream_replay._verdicts, _exchanges and the `replay.assert_...` methods): what the
server records of each request and connection, and each verdict run by pytester on a client
that breaks it (it fails, with its explanation) and one that keeps it (it passes), with
`Anthropic` and with `AsyncAnthropic`."""

from __future__ import annotations

# Imported once here, as in test_pytest_plugin.py: pytester restores sys.modules after each
# run, and the SDK takes a second to import.
import anthropic  # noqa: F401
import pytest

from stream_replay._exchanges import Exchange

from .test_pytest_plugin import project, run  # noqa: F401

pytest_plugins = ["pytester"]


# --------------------------------------------------------------------------- what is recorded


def test_events_are_counted_across_chunks_and_an_error_event_marks_the_outcome() -> None:
    exchange = Exchange(1, "POST", "/v1/messages", 5000, 0.0)
    exchange.status = 200
    for piece in (b"event: ping\ndata: {}\n", b"\nevent: err", b"or\ndata: {}\n\n"):
        exchange.wrote(piece, 1.0)
    exchange.end("complete", 2.0)
    assert (exchange.sent, exchange.events, exchange.outcome) == (45, 2, "error event")
    assert exchange.streamed
    assert (
        exchange.describe() == "request 1 (POST /v1/messages): error event after 45 bytes, 2 events"
    )


def test_a_stall_is_timed_until_the_client_leaves_or_the_stall_ends() -> None:
    left = Exchange(1, "POST", "/v1/messages", 5000, 0.0)
    left.stalling(5.0, 10.0)
    left.end("abandoned", 10.4)
    assert left.stall_waited == pytest.approx(0.4)
    assert not left.stall_outlasted
    stayed = Exchange(2, "POST", "/v1/messages", 5000, 0.0)
    stayed.stalling(5.0, 10.0)
    stayed.stall_over(15.0)
    stayed.end("complete", 15.1)
    assert stayed.stall_waited == pytest.approx(5.0)
    assert stayed.stall_outlasted


# --------------------------------------------------------------------------- the verdicts

# Each pair: a client that breaks the verdict, one that keeps it. The sync and the async
# version of each are the same code with `await` (anyio's pytest plugin runs the async ones).
VERDICTS = """
import anyio
import time


def retry_from_scratch():  # breaks it: the same request again after part of a reply
    for _ in range(2):
        try:
            return stream(max_retries=0)
        except anthropic.APIConnectionError:
            pass


@pytest.mark.replay("recordings/summarise.toml", faults=["cut:4@1"])
def test_repeat_breaks(replay):
    retry_from_scratch()
    replay.assert_no_repeat_after_streaming()


@pytest.mark.replay("recordings/summarise.toml", faults=["cut:4@1"])
def test_repeat_keeps(replay):
    with pytest.raises(anthropic.APIConnectionError):
        stream(max_retries=0)
    replay.assert_no_repeat_after_streaming()


@pytest.mark.replay("recordings/summarise.toml", faults=["http:529@1"])
def test_repeat_before_any_byte_keeps(replay):  # the SDK's own retry of a 529: nothing shown
    stream(max_retries=1)
    replay.assert_no_repeat_after_streaming()


@pytest.mark.replay("recordings/summarise.toml")
def test_open_breaks(replay):
    events = anthropic.Anthropic().messages.create(**ARGS, stream=True)
    next(iter(events))  # read one event, then leave the stream as it is
    replay.assert_connections_closed(grace=0.2)


@pytest.mark.replay("recordings/summarise.toml")
def test_open_keeps(replay):
    with anthropic.Anthropic() as client:
        with client.messages.create(**ARGS, stream=True) as events:
            next(iter(events))
    replay.assert_connections_closed()


@pytest.mark.replay("recordings/summarise.toml", faults=["stall:3:3"])
def test_stall_breaks(replay):
    stream(read=30.0)
    replay.assert_stall_given_up(within=2.0)


@pytest.mark.replay("recordings/summarise.toml", faults=["stall:3:3"])
def test_stall_keeps(replay):
    with pytest.raises(anthropic.APITimeoutError):
        stream(read=0.2, max_retries=0)
    replay.assert_stall_given_up(within=2.0)


def partial_or_whole():  # breaks it: part of a reply returned as the reply
    text = ""
    try:
        with anthropic.Anthropic(max_retries=0).messages.stream(**ARGS) as events:
            for chunk in events.text_stream:
                text += chunk
    except anthropic.APIConnectionError:
        pass
    return text


@pytest.mark.replay("recordings/summarise.toml", faults=["cut:6@1"])
def test_outcome_breaks(replay):
    assert partial_or_whole()
    replay.assert_outcome_reported(succeeded=True)


@pytest.mark.replay("recordings/summarise.toml", faults=["cut:6@1"])
def test_outcome_keeps(replay):
    try:
        stream(max_retries=0)
        succeeded = True
    except anthropic.APIConnectionError:
        succeeded = False
    replay.assert_outcome_reported(succeeded=succeeded)


# The same verdicts on AsyncAnthropic.


async def astream(read=30.0, max_retries=0):
    async with anthropic.AsyncAnthropic(
        timeout=httpx2.Timeout(30.0, read=read), max_retries=max_retries
    ) as client:
        async with client.messages.stream(**ARGS) as events:
            return "".join([chunk async for chunk in events.text_stream])


@pytest.mark.anyio
@pytest.mark.replay("recordings/summarise.toml", faults=["cut:4@1"])
async def test_async_repeat_breaks(replay):
    for _ in range(2):
        try:
            await astream()
            break
        except anthropic.APIConnectionError:
            pass
    replay.assert_no_repeat_after_streaming()


@pytest.mark.anyio
@pytest.mark.replay("recordings/summarise.toml", faults=["cut:4@1"])
async def test_async_repeat_keeps(replay):
    with pytest.raises(anthropic.APIConnectionError):
        await astream()
    replay.assert_no_repeat_after_streaming()


@pytest.mark.anyio
@pytest.mark.replay("recordings/summarise.toml")
async def test_async_open_breaks(replay):
    events = await anthropic.AsyncAnthropic().messages.create(**ARGS, stream=True)
    await events.__aiter__().__anext__()
    replay.assert_connections_closed(grace=0.2)


@pytest.mark.anyio
@pytest.mark.replay("recordings/summarise.toml")
async def test_async_open_keeps(replay):
    await astream()
    replay.assert_connections_closed()


@pytest.mark.anyio
@pytest.mark.replay("recordings/summarise.toml", faults=["stall:3:3"])
async def test_async_stall_breaks(replay):
    await astream()
    replay.assert_stall_given_up(within=2.0)


@pytest.mark.anyio
@pytest.mark.replay("recordings/summarise.toml", faults=["stall:3:3"])
async def test_async_stall_keeps(replay):
    with pytest.raises(anthropic.APITimeoutError):
        await astream(read=0.2)
    replay.assert_stall_given_up(within=2.0)


@pytest.mark.anyio
@pytest.mark.replay("recordings/summarise.toml", faults=["cut:6@1"])
async def test_async_outcome_breaks(replay):
    text = ""
    try:
        async with anthropic.AsyncAnthropic(max_retries=0) as client:
            async with client.messages.stream(**ARGS) as events:
                async for chunk in events.text_stream:
                    text += chunk
    except anthropic.APIConnectionError:
        pass
    assert text
    replay.assert_outcome_reported(succeeded=True)


@pytest.mark.anyio
@pytest.mark.replay("recordings/summarise.toml", faults=["cut:6@1"])
async def test_async_outcome_keeps(replay):
    with pytest.raises(anthropic.APIConnectionError):
        await astream()
    replay.assert_outcome_reported(succeeded=False)


def test_no_answer_no_outcome(replay):
    with pytest.raises(AssertionError, match="No request was answered"):
        replay.assert_outcome_reported(succeeded=True)
"""

EXPLAINED = {
    "repeat": "Request 2 repeats request 1, whose response had already begun: request 1 "
    "(POST /v1/messages, recordings/summarise.toml): cut after",
    "open": "1 connection the client opened is still open at the end of the test (port",
    "stall": "The client waited through the whole 3 s stall of silence on request 1",
    "outcome": "The code reported success, but the last response did not reach its end: "
    "request 1 (POST /v1/messages, recordings/summarise.toml): cut after",
}


def test_each_verdict_fails_with_its_explanation_and_passes_a_client_that_keeps_it(
    project: pytest.Pytester,  # noqa: F811
) -> None:
    project.makeconftest(
        "import pytest\n\n\n@pytest.fixture\ndef anyio_backend():\n    return 'asyncio'\n"
    )
    result = run(project, VERDICTS)
    outcomes = {
        report.head_line.removeprefix("test_"): report.outcome
        for report in result.reprec.getreports("pytest_runtest_logreport")  # type: ignore[attr-defined]
        if report.when == "call"
    }
    expected = {name: "failed" if name.endswith("breaks") else "passed" for name in outcomes}
    assert outcomes == expected
    assert len(outcomes) == 18
    text = result.stdout.str()
    for verdict, explanation in EXPLAINED.items():
        for kind in ("", "async_"):
            assert explanation in _failure_of(text, f"test_{kind}{verdict}_breaks")


def _failure_of(text: str, test: str) -> str:
    """The failures section's entry for `test`."""
    start = text.index(f"_ {test} _")
    end = text.find("\n___", start + 1)
    return text[start : end if end != -1 else None]
