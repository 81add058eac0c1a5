"""The stream player (docs/assets/player.js) in Chromium, on every page that has one.

Played to its end, it shows what the SDK assembles from the same recording under the same
faults (anthropic 2.12.0, against a ReplayServer); a failure shows when it happens; the
keyboard drives it; seeking back shows the earlier state; bad data shows a short error; and
only a page with a player loads it and its data.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import anthropic
import httpx2
import pytest
from playwright.sync_api import Browser, Locator, Route

from stream_replay import ReplayServer, parse_fault
from stream_replay._player import player_file

from .project import PLACEHOLDER_KEY, PLAYERS
from .test_browser import (  # noqa: F401 - the fixtures, shared with the page tests
    Visit,
    browser,
    site_url,
    visit,
)
from .test_events import request_of
from .test_player_data import players_on_pages, recording_of

PLAYED = {player_file(key, specs): (key, specs) for key, specs in PLAYERS}
# (page, key, fault specs) of every player on a page; the page as its URL path names it.
ON_PAGES = [
    (page.removeprefix("docs/").removesuffix(".md"), *PLAYED[target])
    for page, target in players_on_pages()
]
IDS = [f"{page}:{player_file(key, specs)}" for page, key, specs in ON_PAGES]
READ = """root => ({
  state: root.dataset.state,
  texts: [...root.querySelectorAll('.sp-block[data-type=text] .sp-body')].map(e => e.textContent),
  inputs: [...root.querySelectorAll('.sp-block[data-type=tool_use] .sp-input')]
    .map(e => [e.dataset.state, e.textContent]),
  stop: root.querySelector('.sp-foot')?.dataset.stopReason ?? null,
  failure: root.querySelector('.sp-failure')?.textContent ?? null,
  complete: !!root.querySelector('.sp-complete'),
  events: [...root.querySelectorAll('.sp-event:not([hidden]) .sp-name')].map(e => e.textContent),
  http: !root.querySelector('.sp-http').hidden,
  ms: Number(root.querySelector('.sp-scrubber').value),
})"""


@dataclass
class Assembled:
    """What the SDK makes of a stream: the message so far, and how the stream ended."""

    texts: list[str]
    tool_inputs: list[object]
    stop_reason: str | None
    events: list[str]  # the event types create(stream=True) hands over, in order
    error: anthropic.APIStatusError | None = None  # an `error` event
    cut: bool = False  # the connection dropped


def sdk_assembly(key: str, specs: tuple[str, ...]) -> Assembled:
    recording = recording_of(key)
    faults = [parse_fault(spec) for spec in specs]
    error: anthropic.APIStatusError | None = None
    cut = False
    events: list[str] = []
    with ReplayServer([recording] * 2, speed=0, faults=faults) as server:
        client = anthropic.Anthropic(api_key=PLACEHOLDER_KEY, base_url=server.url, max_retries=0)
        with client.messages.stream(**request_of(recording)) as stream:
            try:
                stream.until_done()
            except anthropic.APIStatusError as raised:
                error = raised
            except httpx2.TransportError:
                cut = True
            message = stream.current_message_snapshot
        try:
            for event in client.messages.create(**request_of(recording), stream=True):
                events.append(event.type)
        except (anthropic.APIStatusError, httpx2.TransportError):
            pass
    assert not server.mismatches
    return Assembled(
        texts=[block.text for block in message.content if block.type == "text"],
        tool_inputs=[block.input for block in message.content if block.type == "tool_use"],
        stop_reason=message.stop_reason,
        events=events,
        error=error,
        cut=cut,
    )


@pytest.fixture
def open_player(browser: Browser, site_url: str) -> Iterator[Any]:
    """Open a page and wait for its player; the visit is closed after the test."""
    seen: list[Visit] = []

    def open_(page: str, **options: Any) -> tuple[Visit, Locator]:
        visited = visit(browser, f"{site_url}/{page}/", **options)
        seen.append(visited)
        player = visited.page.locator(".stream-player").first
        player.locator(".sp-controls").wait_for(timeout=10_000)
        return visited, player

    yield open_
    for visited in seen:
        visited.close()


def read(player: Locator) -> dict[str, Any]:
    return dict(player.evaluate(READ))


def play_to_the_end(player: Locator, speed: str) -> dict[str, Any]:
    player.locator(".sp-speed").select_option(speed)
    player.get_by_role("button", name="Play").click()
    player.page.wait_for_function(
        "p => p.dataset.state === 'ended'", arg=player.element_handle(), timeout=20_000
    )
    return read(player)


# --------------------------------------------------------------------------- against the SDK


@pytest.mark.parametrize("speed", ["0", "4"], ids=["instant", "4x"])
@pytest.mark.parametrize(("page", "key", "specs"), ON_PAGES, ids=IDS)
def test_played_to_the_end_it_shows_what_the_sdk_assembles(
    open_player: Any, page: str, key: str, specs: tuple[str, ...], speed: str
) -> None:
    seen, player = open_player(page)
    shown = play_to_the_end(player, speed)
    sdk = sdk_assembly(key, specs)
    assert shown["texts"] == sdk.texts
    assert [state for state, _ in shown["inputs"]] == ["parsed"] * len(sdk.tool_inputs)
    assert [json.loads(text) for _, text in shown["inputs"]] == sdk.tool_inputs
    assert shown["stop"] == (sdk.stop_reason or "null")  # None shows as null, as in the JSON
    # The events the player counts are the ones the SDK hands over (it drops `ping`, and
    # raises at `error`): a half event at a cut is no event.
    assert [name for name in shown["events"] if name not in {"ping", "error"}] == sdk.events
    if sdk.error is not None:
        error = f"{sdk.error.type}: {sdk.error.api_message}"
        assert shown["failure"] == f"error event after 200 OK {error}"
    elif sdk.cut:
        assert shown["failure"].startswith("incomplete: no message_stop")
        assert "connection dropped" in shown["failure"]
    else:
        assert shown["failure"] is None
    assert shown["complete"] is (sdk.error is None and not sdk.cut)
    assert seen.errors == []
