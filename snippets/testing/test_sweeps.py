"""Sweeps of summarise(): a fault at every position of its recording."""

import pytest
from stream_replay.pytest_plugin import Replay
from summarise import ARTICLE, summarise

SUMMARY = (
    "The council will turn the old tram depot into a public library, "
    "with work starting in spring and lasting two years."
)
RECORDING = "recordings/testing/summarise.toml"


# --8<-- [start:cut]
@pytest.mark.replay(RECORDING, sweep="cut")
def test_every_cut_is_asked_again(replay: Replay) -> None:
    assert summarise(ARTICLE) == SUMMARY


# --8<-- [end:cut]


# --8<-- [start:others]
@pytest.mark.replay(RECORDING, sweep="error")
def test_every_error_event_is_asked_again(replay: Replay) -> None:
    assert summarise(ARTICLE) == SUMMARY


@pytest.mark.replay(RECORDING, sweep="stall:2", sweep_limit=4)
def test_stalls_are_given_up_on(replay: Replay) -> None:
    # Each position waits for the read timeout: four of them.
    assert summarise(ARTICLE, read_timeout=0.5) == SUMMARY


# --8<-- [end:others]
