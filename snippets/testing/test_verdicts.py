"""Verdicts on summarise(): what it did, as the replay server saw it."""

import pytest
from stream_replay.pytest_plugin import Replay
from summarise import ARTICLE, SummaryFailed, summarise

RECORDING = "recordings/testing/summarise.toml"


# --8<-- [start:stall]
@pytest.mark.replay(RECORDING, faults=["stall:6:5"])
def test_a_stall_is_given_up_on(replay: Replay) -> None:
    with pytest.raises(SummaryFailed):
        summarise(ARTICLE, read_timeout=0.5)
    # Both attempts gave up within 2 s of silence, not after the 5 s.
    replay.assert_stall_given_up(within=2.0)
    replay.assert_connections_closed()


# --8<-- [end:stall]


# --8<-- [start:sweep]
@pytest.mark.replay(RECORDING, sweep="cut")
def test_every_cut_is_reported_and_closed(replay: Replay) -> None:
    try:
        summarise(ARTICLE)
        succeeded = True
    except SummaryFailed:
        succeeded = False
    # Success only if the last stream reached its end, whatever the text.
    replay.assert_outcome_reported(succeeded=succeeded)
    replay.assert_connections_closed()


# --8<-- [end:sweep]
