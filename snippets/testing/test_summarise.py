"""Tests of summarise(): the real SDK, streams replayed over HTTP."""

import asyncio

import pytest
from stream_replay import text_events
from stream_replay.pytest_plugin import Replay
from summarise import ARTICLE, SummaryFailed, summarise, summarise_async

SUMMARY = (
    "The council will turn the old tram depot into a public library, "
    "with work starting in spring and lasting two years."
)
RECORDING = "recordings/testing/summarise.toml"


# --8<-- [start:recording]
@pytest.mark.replay("recordings/testing/summarise.toml")
def test_summary(replay: Replay) -> None:
    assert summarise(ARTICLE) == SUMMARY
    assert len(replay.served) == 1


# --8<-- [end:recording]


# --8<-- [start:faults]
@pytest.mark.replay(RECORDING, faults=["cut-mid:5@1"])
def test_a_cut_stream_is_asked_again(replay: Replay) -> None:
    assert summarise(ARTICLE) == SUMMARY
    assert len(replay.served) == 2  # our retry


@pytest.mark.replay(RECORDING, faults=["error:5"])
def test_an_error_event_is_not_retried_by_the_sdk(replay: Replay) -> None:
    with pytest.raises(SummaryFailed, match="overloaded_error"):
        summarise(ARTICLE)
    assert len(replay.served) == 2  # our two attempts, none by the SDK


@pytest.mark.replay(RECORDING, faults=["http:529@1"])
def test_a_529_is_retried_by_the_sdk(replay: Replay) -> None:
    assert summarise(ARTICLE) == SUMMARY
    assert len(replay.served) == 2  # the SDK's retry, inside one attempt


@pytest.mark.replay(RECORDING, faults=["stall:6:2"])
def test_a_stall_times_out(replay: Replay) -> None:
    with pytest.raises(SummaryFailed, match="APITimeoutError"):
        summarise(ARTICLE, read_timeout=0.5)
    assert replay.wait_for_abandoned(2) == 2  # we hung up both times


# --8<-- [end:faults]


# --8<-- [start:built]
def test_a_stream_without_message_stop_is_no_summary(
    replay: Replay,
) -> None:
    events = text_events("The council", " will turn")
    replay.add(events[:-2])  # no message_delta, no message_stop
    with pytest.raises(SummaryFailed, match="before message_stop"):
        summarise(ARTICLE)


# --8<-- [end:built]


# --8<-- [start:async]
@pytest.mark.replay(RECORDING)
def test_the_async_client(replay: Replay) -> None:
    assert asyncio.run(summarise_async(ARTICLE)) == SUMMARY


# --8<-- [end:async]
