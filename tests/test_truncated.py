"""What docs/truncated.md says about streams that stop short, checked under the faults."""

from __future__ import annotations

import asyncio
import dataclasses
import runpy
import time
from collections.abc import Callable
from typing import Any

import anthropic
import httpx2
import pytest

from stream_replay import (
    CutAfter,
    Fault,
    RecordedEvent,
    Recording,
    ReplayServer,
    StallBefore,
    load_recording,
)

from .project import DOCS_DIR, PLACEHOLDER_KEY, RECORDINGS_DIR, SNIPPETS_DIR

COMPLETE = load_recording(RECORDINGS_DIR / "truncated" / "cut_connection.toml")
ENDED_EARLY = load_recording(RECORDINGS_DIR / "truncated" / "ended_early.toml")
EVENTS = COMPLETE.response.events
NAMES = [event.name for event in EVENTS]
CUTS = range(len(EVENTS))  # a cut after 0 events (headers only) up to one before message_stop


def texts_before(count: int, events: Any = EVENTS) -> list[str]:
    """The text pieces carried by the first `count` events."""
    return [
        event.data["delta"]["text"]
        for event in events[:count]
        if event.name == "content_block_delta"
    ]


def ended_after(count: int, recording: Recording = COMPLETE) -> Recording:
    """The recording with only its first `count` events: a body that ends cleanly, too early."""
    response = dataclasses.replace(recording.response, events=recording.response.events[:count])
    return dataclasses.replace(recording, response=response)


def client_for(server: ReplayServer, **options: Any) -> anthropic.Anthropic:
    return anthropic.Anthropic(api_key=PLACEHOLDER_KEY, base_url=server.url, **options)


def read_stream(client: anthropic.Anthropic, recording: Recording, received: list[str]) -> Any:
    """`messages.stream()` read as a page reads it; returns get_final_message()."""
    body = recording.request.body
    with client.messages.stream(
        model=body["model"], max_tokens=body["max_tokens"], messages=body["messages"]
    ) as stream:
        for text in stream.text_stream:
            received.append(text)
        return stream.get_final_message()


# --------------------------------------------------------------------------- a cut connection


@pytest.mark.parametrize("mid_event", [False, True], ids=["cut", "cut-mid"])
def test_a_cut_raises_api_connection_error_mid_iteration(mid_event: bool) -> None:
    # truncated.md: a dropped connection raises anthropic.APIConnectionError from the loop
    # (SDK 2.17.0; httpx2.RemoteProtocolError itself before it), httpx2's error its cause,
    # after the text that came before it; it is not retried.
    # Request k+1 is cut after k events: every place a connection can drop, on one server.
    faults: list[Fault] = [CutAfter(count, mid_event, on_request=count + 1) for count in CUTS]
    with ReplayServer([COMPLETE], speed=0, faults=faults) as server:
        client = client_for(server, max_retries=2)
        for count in CUTS:
            received: list[str] = []
            with pytest.raises(anthropic.APIConnectionError) as raised:
                read_stream(client, COMPLETE, received)
            assert not isinstance(raised.value, anthropic.APITimeoutError)
            assert isinstance(raised.value.__cause__, httpx2.RemoteProtocolError)
            assert "incomplete chunked read" in str(raised.value.__cause__)
            assert received == texts_before(count)  # a half event is never handed over
            assert len(server.served) == count + 1  # one request each: no retry


def test_create_stream_true_raises_the_same() -> None:
    body = COMPLETE.request.body
    types: list[str] = []
    with ReplayServer([COMPLETE], speed=0, faults=[CutAfter(6)]) as server:
        client = client_for(server)
        with pytest.raises(anthropic.APIConnectionError) as raised:  # noqa: PT012
            for event in client.messages.create(**body):
                types.append(event.type)
    assert isinstance(raised.value.__cause__, httpx2.RemoteProtocolError)
    assert types == [n for n in NAMES[:6] if n != "ping"]


def test_create_stream_true_just_stops_at_a_clean_early_end() -> None:
    body = ENDED_EARLY.request.body
    with ReplayServer([ENDED_EARLY], speed=0) as server:
        types = [event.type for event in client_for(server).messages.create(**body)]
    assert types[-1] == "content_block_delta"
    assert "message_stop" not in types


def test_the_async_client_raises_the_same() -> None:
    body = COMPLETE.request.body

    async def read(url: str) -> None:
        client = anthropic.AsyncAnthropic(api_key=PLACEHOLDER_KEY, base_url=url)
        async with client.messages.stream(
            model=body["model"], max_tokens=body["max_tokens"], messages=body["messages"]
        ) as stream:
            async for _ in stream.text_stream:
                pass

    faults = [CutAfter(6, mid_event=True)]
    with (
        ReplayServer([COMPLETE], speed=0, faults=faults) as server,
        pytest.raises(anthropic.APIConnectionError) as raised,
    ):
        asyncio.run(read(server.url))
    assert isinstance(raised.value.__cause__, httpx2.RemoteProtocolError)


def test_a_read_timeout_mid_stream_is_caught_by_the_guard_too(
    guarded: Callable[[ReplayServer], dict[str, Any]],
) -> None:
    # truncated.md: the guard's `except anthropic.APIConnectionError` also catches a read
    # timeout while the body streams, an APITimeoutError (the timeouts page is about those).
    with ReplayServer([WHOLE], speed=0, faults=[StallBefore(5, 1.0)]) as server:
        snippet = guarded(server)
        module = snippet["ask"].__globals__  # the snippet's own globals, not run_path's copy
        module["client"] = module["client"].with_options(timeout=0.2)
        started = time.monotonic()
        with pytest.raises(snippet["IncompleteAnswer"]) as raised:
            snippet["ask"](QUESTION)
        assert time.monotonic() - started < 1.0
    assert isinstance(raised.value.__cause__, anthropic.APITimeoutError)
    assert isinstance(raised.value.__cause__.__cause__, httpx2.ReadTimeout)
    assert raised.value.reason == "network error mid-stream (APITimeoutError)"
    assert len(server.served) == 1


def test_a_network_error_before_the_response_is_an_api_connection_error_too() -> None:
    # truncated.md: APIConnectionError is also what a connection that fails before the
    # response raises (after retries; here none), as before SDK 2.17.0.
    attempts = 0

    def refuse(request: httpx2.Request) -> httpx2.Response:
        nonlocal attempts
        attempts += 1
        raise httpx2.RemoteProtocolError("Server disconnected", request=request)

    client = anthropic.Anthropic(
        api_key=PLACEHOLDER_KEY,
        base_url="http://api.invalid",
        max_retries=0,
        http_client=httpx2.Client(transport=httpx2.MockTransport(refuse)),
    )
    with pytest.raises(anthropic.APIConnectionError) as raised:
        read_stream(client, COMPLETE, [])
    assert isinstance(raised.value.__cause__, httpx2.RemoteProtocolError)
    assert attempts == 1


# --------------------------------------------------------------------------- a clean early end


def test_a_clean_early_end_raises_nothing_and_leaves_stop_reason_none() -> None:
    # truncated.md: a body that ends properly before message_delta raises nothing, and
    # get_final_message() returns what came, with stop_reason None. One server serves the
    # shortened recordings in order, one per request.
    counts = range(1, NAMES.index("message_delta"))
    with ReplayServer([ended_after(count) for count in counts], speed=0) as server:
        client = client_for(server)
        for count in counts:
            received: list[str] = []
            message = read_stream(client, COMPLETE, received)
            assert message.stop_reason is None
            assert received == texts_before(count)
            assert len(server.served) == count  # not retried either


def test_a_stream_missing_only_message_stop_looks_finished() -> None:
    # truncated.md: why checking stop_reason alone is not enough.
    count = NAMES.index("message_stop")
    with ReplayServer([ended_after(count)], speed=0) as server:
        message = read_stream(client_for(server), COMPLETE, [])
    assert message.stop_reason == "end_turn"


def test_a_clean_end_before_message_start_fails_with_an_assertion() -> None:
    # truncated.md: with no message_start there is no message to return.
    with ReplayServer([ended_after(0)], speed=0) as server, pytest.raises(AssertionError):
        read_stream(client_for(server), COMPLETE, [])


def test_a_half_event_at_a_clean_end_is_dropped_silently() -> None:
    # truncated.md: the SDK's SSE decoder drops a last event that lacks its blank line.
    *kept, last = ENDED_EARLY.response.events
    cut = dataclasses.replace(last, raw=last.raw[: len(last.raw) // 2])
    half = dataclasses.replace(
        ENDED_EARLY, response=dataclasses.replace(ENDED_EARLY.response, events=(*kept, cut))
    )
    received: list[str] = []
    with ReplayServer([half], speed=0) as server:
        message = read_stream(client_for(server), ENDED_EARLY, received)
    assert received == texts_before(
        len(ENDED_EARLY.response.events) - 1, ENDED_EARLY.response.events
    )
    assert message.stop_reason is None


def test_the_ended_early_recording_ends_on_a_text_delta() -> None:
    # truncated.md shows its last event; the stream has no stop of any kind.
    names = [event.name for event in ENDED_EARLY.response.events]
    assert names[-1] == "content_block_delta"
    assert not {"content_block_stop", "message_delta", "message_stop"} & set(names)


# --------------------------------------------------------------------------- the guard


@pytest.fixture
def guarded(monkeypatch: pytest.MonkeyPatch) -> Callable[[ReplayServer], dict[str, Any]]:
    """The guard of snippets/truncated/guarded.py, its client pointed at a given server."""

    def load(server: ReplayServer) -> dict[str, Any]:
        monkeypatch.setenv("ANTHROPIC_API_KEY", PLACEHOLDER_KEY)
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
        return runpy.run_path(str(SNIPPETS_DIR / "truncated" / "guarded.py"), run_name="guarded")

    return load


WHOLE = load_recording(RECORDINGS_DIR / "truncated" / "guarded" / "3.toml")  # a complete one
QUESTION = WHOLE.request.body["messages"][0]["content"]
WHOLE_TEXT = "".join(texts_before(len(WHOLE.response.events), WHOLE.response.events))


def test_the_guard_passes_a_whole_answer(
    guarded: Callable[[ReplayServer], dict[str, Any]],
) -> None:
    with ReplayServer([WHOLE], speed=0) as server:
        assert guarded(server)["ask"](QUESTION) == WHOLE_TEXT


@pytest.mark.parametrize("mid_event", [False, True], ids=["cut", "cut-mid"])
def test_the_guard_reports_every_cut(
    guarded: Callable[[ReplayServer], dict[str, Any]], mid_event: bool
) -> None:
    counts = range(len(WHOLE.response.events))
    faults: list[Fault] = [CutAfter(count, mid_event, on_request=count + 1) for count in counts]
    with ReplayServer([WHOLE], speed=0, faults=faults) as server:
        snippet = guarded(server)
        for count in counts:
            with pytest.raises(snippet["IncompleteAnswer"]) as raised:
                snippet["ask"](QUESTION)
            assert raised.value.reason == "network error mid-stream (APIConnectionError)"
            assert isinstance(raised.value.__cause__.__cause__, httpx2.RemoteProtocolError)
            assert raised.value.partial == "".join(texts_before(count, WHOLE.response.events))


def test_the_guard_reports_every_clean_early_end(
    guarded: Callable[[ReplayServer], dict[str, Any]],
) -> None:
    # Including the end right before message_stop, where stop_reason is already set.
    counts = range(len(WHOLE.response.events))
    with ReplayServer([ended_after(count, WHOLE) for count in counts], speed=0) as server:
        snippet = guarded(server)
        for count in counts:
            with pytest.raises(snippet["IncompleteAnswer"]) as raised:
                snippet["ask"](QUESTION)
            assert raised.value.reason == "the stream ended before message_stop"
            assert raised.value.partial == "".join(texts_before(count, WHOLE.response.events))


def refusal_of(
    guarded: Callable[[ReplayServer], dict[str, Any]], events: tuple[RecordedEvent, ...]
) -> Any:
    """The IncompleteAnswer that ask() raises on a stream of `events` (the whole one's request)."""
    recording = dataclasses.replace(
        WHOLE, response=dataclasses.replace(WHOLE.response, events=events)
    )
    with ReplayServer([recording], speed=0) as server:
        snippet = guarded(server)
        with pytest.raises(snippet["IncompleteAnswer"]) as raised:
            snippet["ask"](QUESTION)
    return raised.value


def test_the_guard_wants_a_stop_reason_too(
    guarded: Callable[[ReplayServer], dict[str, Any]],
) -> None:
    # A stream that reaches message_stop without any message_delta has no stop reason.
    events = tuple(e for e in WHOLE.response.events if e.name != "message_delta")
    refused = refusal_of(guarded, events)
    assert refused.reason == "no stop reason"
    assert refused.partial == WHOLE_TEXT


def test_the_guard_refuses_a_stream_that_does_not_start_with_message_start(
    guarded: Callable[[ReplayServer], dict[str, Any]],
) -> None:
    # The SDK then builds no message: it hands the events over as they came, message_stop
    # without a `message`, and text events never come.
    assert WHOLE.response.events[0].name == "message_start"
    refused = refusal_of(guarded, WHOLE.response.events[1:])
    assert refused.reason == "message_stop without message_start"
    assert refused.partial == ""


# --------------------------------------------------------------------------- the page's numbers

PAGE = DOCS_DIR / "truncated.md"
ORDINALS = ["zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh"]
NUMBERS = ["no", "one", "two", "three", "four", "five", "six", "seven"]


def test_the_page_counts_what_each_cut_leaves() -> None:
    page = " ".join(PAGE.read_text().split())
    # cut_connection.py under cut-mid:6: six whole events, three of them text, then half of
    # the seventh, which is the fourth text delta.
    assert "--fault cut-mid:6" in page
    shown = len(texts_before(6))
    assert NAMES[6] == "content_block_delta"
    assert (
        f"halfway through the {ORDINALS[shown + 1]} text delta, after the first "
        f"{NUMBERS[shown]} have been printed"
    ) in page
    assert f"sends {NUMBERS[6]} events and half of the {ORDINALS[7]}" in page
    # guarded.py under cut-mid:5@1: its first recording drops in its third text delta.
    first = load_recording(RECORDINGS_DIR / "truncated" / "guarded" / "1.toml").response.events
    assert "--fault cut-mid:5@1" in page
    assert first[5].name == "content_block_delta"
    shown = len(texts_before(5, first))
    assert f"drops in the middle of its {ORDINALS[shown + 1]} text delta" in page
    # The versions the page names are the ones the tests run.
    assert f"SDK {anthropic.__version__}" in page
    assert f"httpx2` {httpx2.__version__}" in page
