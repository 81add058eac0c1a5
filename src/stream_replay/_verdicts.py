"""Verdicts on a client's behaviour, from what the replay server saw it do (`_exchanges`).

Each check raises `VerdictError` (an `AssertionError`, so pytest shows it as a test's failure)
with one paragraph: what the client did, where, and why it matters. The `replay` fixture
offers them as `replay.assert_...` methods.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from ._exchanges import INCOMPLETE, Connection, Exchange

__all__ = [
    "VerdictError",
    "connections_closed",
    "no_repeat_after_streaming",
    "outcome_reported",
    "stall_given_up",
]


class VerdictError(AssertionError):
    """The client did something a verdict rules out; the message says what and where."""


VerdictError.__module__ = "stream_replay"  # as a failure names it: where it is imported from


def no_repeat_after_streaming(exchanges: Sequence[Exchange]) -> None:
    """No request is sent again once a response to it had begun streaming and broke off."""
    __tracebackhide__ = True
    for later in exchanges:
        for earlier in exchanges[: later.number - 1]:
            if earlier.streamed and earlier.outcome in INCOMPLETE and _same(earlier, later):
                raise VerdictError(
                    f"Request {later.number} repeats request {earlier.number}, whose response "
                    f"had already begun: {earlier.describe()}. Whatever the code showed from "
                    "the first response is shown again, and paid for again: once a stream has "
                    "begun, keep what arrived and report the failure (or continue from it with "
                    "a new request), rather than send the same request again."
                )


def connections_closed(open_now: Callable[[], list[Connection]], *, grace: float = 2.0) -> None:
    """Every connection the client opened is closed (allowing `grace` seconds for the server
    to see a close the client has already made)."""
    __tracebackhide__ = True
    deadline = time.monotonic() + grace
    while (left := open_now()) and time.monotonic() < deadline:
        time.sleep(0.01)
    if left:
        which = "; ".join(
            f"port {c.port}, which carried request{'s' * (len(c.requests) != 1)} "
            f"{', '.join(map(str, c.requests)) or 'none'}"
            for c in left
        )
        raise VerdictError(
            f"{len(left)} connection{'s' * (len(left) != 1)} the client opened "
            f"{'are' if len(left) != 1 else 'is'} still open at the end of the test ({which}). "
            "A stream read without `with` (or never closed), or a client never closed, holds "
            "its connection until the garbage collector or the process ends; under load that "
            "runs a pool or a server out of connections. Read streams in `with` blocks and "
            "close clients you make (`with anthropic.Anthropic() as client:`)."
        )


def stall_given_up(exchanges: Sequence[Exchange], *, within: float, grace: float = 2.0) -> None:
    """The client gave up on every stalled stream within `within` seconds of silence
    (allowing `grace` seconds for the server to see a close the client has already made)."""
    __tracebackhide__ = True
    stalled = [e for e in exchanges if e.stall_began is not None]
    deadline = time.monotonic() + grace
    while any(e.outcome == "streaming" for e in stalled) and time.monotonic() < deadline:
        time.sleep(0.01)
    if not stalled:
        raise VerdictError(
            "No response stalled, so there is nothing to judge: add a stall to the test's "
            "faults (for example faults=['stall:3:30']) and read a stream that reaches it."
        )
    for exchange in stalled:
        waited = exchange.stall_waited
        if waited is None:  # still stalling: the client is waiting yet
            waited = time.monotonic() - (exchange.stall_began or 0.0)
        if exchange.stall_outlasted or exchange.outcome != "abandoned" or waited > within:
            how = (
                f"waited through the whole {exchange.stall:g} s stall"
                if exchange.stall_outlasted
                else f"gave up after {waited:.2f} s"
                if exchange.outcome == "abandoned"
                else f"was still waiting after {waited:.2f} s"
            )
            raise VerdictError(
                f"The client {how} of silence on {exchange.describe()}, where it should give "
                f"up within {within:g} s. A "
                "stream that stops sending keeps its connection open and the user waiting: "
                "set a read timeout (`anthropic.Anthropic(timeout=httpx2.Timeout(60, "
                "read=10))`), or a deadline of the code's own between events."
            )


def outcome_reported(exchanges: Sequence[Exchange], *, succeeded: bool) -> None:
    """What the code reported (`succeeded`) matches how the last response ended: success only
    when it reached its end, failure when it broke off (cut, error event, abandoned, refused)."""
    __tracebackhide__ = True
    answered = [e for e in exchanges if e.outcome != "unmatched"]
    if not answered:
        raise VerdictError("No request was answered, so no outcome can be judged.")
    last = answered[-1]
    complete = last.outcome == "complete"
    if succeeded and not complete:
        raise VerdictError(
            f"The code reported success, but the last response did not reach its end: "
            f"{last.describe()}. A caller that takes a broken-off answer for a whole one "
            "stores or shows text that stops mid-sentence as if it were the reply: check "
            "that the stream reached `message_stop` (and its stop reason) before reporting it "
            "whole, and report the failure otherwise."
        )
    if not succeeded and complete:
        raise VerdictError(
            f"The code reported a failure, but the last response reached its end: "
            f"{last.describe()}. A complete reply was thrown away or hidden behind an error."
        )


def _same(a: Exchange, b: Exchange) -> bool:
    return (a.method, a.path, a.body) == (b.method, b.path, b.body)
