"""docs/cancelling.md: each way of stopping a stream early closes it while the server is still
sending, and a stream left open keeps its connection from the pool."""

from __future__ import annotations

import asyncio
import re
import runpy
import time
from collections.abc import Callable, Iterator

import anthropic
import httpx2
import pytest

from stream_replay import ReplayServer, StallBefore, load_recording, load_recordings_for

from .project import DOCS_DIR, PLACEHOLDER_KEY, RECORDINGS_DIR, ROOT, SNIPPETS_DIR, output_file

STALL = 30.0  # seconds: far longer than any of these tests may take

# Each way of stopping, and the event of its recording that comes right after the stop: the
# server stalls before it, so the client stops while the server is still in the middle.
WAYS_OF_STOPPING = {
    "cancelling/break_out.py": 8,  # break after the 4th text_delta (event 7); with exits
    "cancelling/create_with.py": 7,  # break after the 3rd text_delta (event 6); with exits
    "cancelling/cancel_task.py": 8,  # task.cancel() after the 4th text_delta (event 7)
    "sdk_helpers/close_early.py": 10,  # close() after the 6th text_delta (event 9)
}

CREATE_WITH = load_recording(RECORDINGS_DIR / "cancelling" / "create_with.toml")
BODY = CREATE_WITH.request.body
ARGS = {"model": BODY["model"], "max_tokens": BODY["max_tokens"], "messages": BODY["messages"]}


def wait_for(condition: Callable[[], bool], seconds: float = 10.0) -> bool:
    """Poll until `condition` holds; the deadline only bounds a failing test."""
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)
    return condition()


@pytest.mark.parametrize(("name", "next_event"), WAYS_OF_STOPPING.items())
def test_each_way_of_stopping_closes_the_stream_while_the_server_is_sending(
    name: str,
    next_event: int,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    snippet = SNIPPETS_DIR / name
    faults = [StallBefore(next_event, STALL)]
    with ReplayServer(load_recordings_for(snippet, ROOT), speed=0, faults=faults) as server:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", PLACEHOLDER_KEY)
        capsys.readouterr()
        started = time.monotonic()
        runpy.run_path(str(snippet), run_name="__main__")
        took = time.monotonic() - started
        printed = capsys.readouterr().out
        assert wait_for(lambda: server.abandoned == 1), "the server never saw the client leave"
    # It stopped before the stall, and printed what its page shows.
    assert took < STALL / 2
    assert printed == output_file(snippet).read_text(encoding="utf-8")


def test_a_cancelled_task_has_closed_its_stream_when_awaited() -> None:
    # cancelling.md: task.cancel() raises CancelledError where the task waits, and on its way
    # out it closes the stream; once the task is awaited, the connection is closed. The test
    # keeps a reference to the stream, so no garbage collection can have closed it instead.
    recording = load_recording(RECORDINGS_DIR / "cancelling" / "cancel_task.toml")
    body = recording.request.body
    kept: list[anthropic.AsyncMessageStream[None]] = []

    async def stream_reply(sdk: anthropic.AsyncAnthropic, first_text: asyncio.Event) -> None:
        async with sdk.messages.stream(
            model=body["model"], max_tokens=body["max_tokens"], messages=body["messages"]
        ) as stream:
            kept.append(stream)
            async for _ in stream.text_stream:
                first_text.set()

    async def main(server: ReplayServer) -> None:
        sdk = anthropic.AsyncAnthropic(api_key=PLACEHOLDER_KEY, base_url=server.url)
        first_text = asyncio.Event()
        task = asyncio.create_task(stream_reply(sdk, first_text))
        await first_text.wait()
        assert not kept[0].response.is_closed
        task.cancel()
        await asyncio.wait([task])
        assert task.cancelled()
        assert kept[0].response.is_closed

    with ReplayServer([recording], speed=0, faults=[StallBefore(6, STALL)]) as server:
        asyncio.run(main(server))
        assert wait_for(lambda: server.abandoned == 1)


def pool_of_one(server: ReplayServer) -> anthropic.Anthropic:
    """A client with a single connection, which gives up waiting for it after 0.3 s."""
    http = anthropic.DefaultHttpxClient(
        limits=httpx2.Limits(max_connections=1),
        timeout=httpx2.Timeout(600, connect=5, pool=0.3),
    )
    return anthropic.Anthropic(
        api_key=PLACEHOLDER_KEY, base_url=server.url, http_client=http, max_retries=0
    )


def local_address(stream: anthropic.Stream[anthropic.types.RawMessageStreamEvent]) -> object:
    """The client side of the stream's TCP connection: the same for a reused connection."""
    return stream.response.extensions["network_stream"].get_extra_info("client_addr")


@pytest.fixture
def client() -> Iterator[tuple[anthropic.Anthropic, ReplayServer]]:
    faults = [StallBefore(7, STALL)]  # after the 3rd text_delta
    with ReplayServer([CREATE_WITH] * 3, speed=0, faults=faults) as server:
        yield pool_of_one(server), server


def test_a_stream_left_open_keeps_its_connection_until_it_is_closed(
    client: tuple[anthropic.Anthropic, ReplayServer],
) -> None:
    # cancelling.md: a `break` alone leaves the connection busy; the next request waits for
    # a free one (here: the only one) and, with none, fails. close() closes the connection,
    # which cannot be reused mid-body; the next request opens a new one.
    sdk, server = client
    first = sdk.messages.create(**ARGS, stream=True)
    first_address = local_address(first)
    for event in first:
        if event.type == "content_block_delta":
            break
    with pytest.raises(anthropic.APITimeoutError) as waited:
        sdk.messages.create(**ARGS, stream=True)
    assert isinstance(waited.value.__cause__, httpx2.PoolTimeout)
    assert server.abandoned == 0

    first.close()
    assert wait_for(lambda: server.abandoned == 1)
    with sdk.messages.create(**ARGS, stream=True) as second:
        assert local_address(second) != first_address


def test_a_stream_read_to_the_end_gives_its_connection_back_to_the_pool() -> None:
    # The contrast: a finished response leaves its connection idle, and the next request
    # reuses it.
    with ReplayServer([CREATE_WITH] * 2, speed=0) as server:
        sdk = pool_of_one(server)
        with sdk.messages.create(**ARGS, stream=True) as first:
            first_address = local_address(first)
            for _ in first:
                pass
        with sdk.messages.create(**ARGS, stream=True) as second:
            assert local_address(second) == first_address
            for _ in second:
                pass
    assert server.abandoned == 0


@pytest.mark.parametrize("version", [anthropic.__version__])
def test_the_page_names_the_sdk_version_and_links_to_close(version: str) -> None:
    page = (DOCS_DIR / "cancelling.md").read_text()
    assert f"SDK {version}" in page
    assert "sdk-helpers.md#stopping-early-close" in page


def test_the_numbers_the_page_gives() -> None:
    # cancelling.md: the reply break_out.py leaves holds twelve tips, so eleven are never
    # read; SDK 2.17.0 allows 1000 connections per client, and waits 600 s for one.
    page = " ".join((DOCS_DIR / "cancelling.md").read_text().split())
    recording = load_recording(RECORDINGS_DIR / "cancelling" / "break_out.toml")
    reply = "".join(
        event.data["delta"]["text"]
        for event in recording.response.events
        if event.name == "content_block_delta"
    )
    tips = re.findall(r"^\d+\. ", reply, flags=re.MULTILINE)
    assert len(tips) == 12
    assert "(eleven more tips) is never read" in page
    limits = anthropic.DEFAULT_CONNECTION_LIMITS
    assert f"allows up to {limits.max_connections} connections per client" in page
    assert anthropic.DEFAULT_TIMEOUT.pool == 600
    assert "(600 s by default, for each of the SDK's attempts)" in page
