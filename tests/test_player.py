"""The stream player (docs/assets/player.js) in Chromium, on every page that has one.

Played to its end, it shows what the SDK assembles from the same recording under the same
faults (anthropic 2.12.0, against a ReplayServer); a failure shows when it happens; the
keyboard drives it; seeking back shows the earlier state; bad data shows a short error; and
only a page with a player loads it and its data.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import anthropic
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Route

from stream_replay import ReplayServer, parse_fault
from stream_replay._player import player_file

from .browser import Visit
from .project import PLACEHOLDER_KEY, PLAYERS
from .test_browser import AXE_OPTIONS, budget_problems
from .test_events import request_of
from .test_player_data import players_on_pages, recording_of
from .theme import PAGE_TITLE

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
            except anthropic.APIConnectionError:  # 2.17.0: the dropped connection, wrapped
                cut = True
            message = stream.current_message_snapshot
        try:
            for event in client.messages.create(**request_of(recording), stream=True):
                events.append(event.type)
        except (anthropic.APIStatusError, anthropic.APIConnectionError):
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
def open_player(visits: Callable[..., Visit], site_url: str) -> Any:
    """Open a page and wait for its player; the visit is closed after the test."""

    def open_(page: str, **options: Any) -> tuple[Visit, Locator]:
        visited = visits(f"{site_url}/{page}/", **options)
        player = visited.page.locator(".stream-player").first
        player.locator(".sp-controls").wait_for(timeout=10_000)
        return visited, player

    return open_


def read(player: Locator) -> dict[str, Any]:
    return dict(player.evaluate(READ))


def play_to_the_end(player: Locator, speed: str) -> dict[str, Any]:
    """Play at `speed` ("0" is instant) until the end; at a pace, no faster than it."""
    total = float(player.locator(".sp-scrubber").get_attribute("max") or 0) / 1000
    player.locator(".sp-speed").select_option(speed)
    started = time.monotonic()
    player.get_by_role("button", name="Play").click()
    player.page.wait_for_function(
        "p => p.dataset.state === 'ended'", arg=player.element_handle(), timeout=20_000
    )
    if float(speed):
        assert time.monotonic() - started >= 0.9 * total / float(speed)
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


# --------------------------------------------------------------------------- a failure


@pytest.mark.parametrize(
    ("page", "key", "specs"),
    [entry for entry in ON_PAGES if entry[2]],
    ids=[i for i, entry in zip(IDS, ON_PAGES, strict=True) if entry[2]],
)
def test_a_failure_shows_when_it_arrives_and_not_before(
    open_player: Any, page: str, key: str, specs: tuple[str, ...]
) -> None:
    seen, player = open_player(page)
    failed_at = round(float(player.locator(".sp-legend .sp-fail").get_attribute("data-at")) * 1000)
    player.locator(".sp-scrubber").focus()
    steps: list[dict[str, Any]] = []
    while not steps or steps[-1]["state"] != "ended":
        seen.page.keyboard.press("ArrowRight")  # to the next arrival
        steps.append(read(player))
    assert all(step["http"] for step in steps)  # 200 OK came first
    assert [step["failure"] is not None for step in steps] == [
        step["ms"] >= failed_at for step in steps
    ]
    before = [step for step in steps if step["failure"] is None][-1]
    failed = next(step for step in steps if step["failure"] is not None)
    # Text had arrived before the failure, and stays shown with it to the end.
    assert before["texts"][0]
    assert failed["texts"][0].startswith(before["texts"][0])
    assert steps[-1]["texts"] == failed["texts"]
    assert not any(step["complete"] for step in steps)
    assert seen.errors == []


# --------------------------------------------------------------------------- the keyboard


def test_the_keyboard_plays_pauses_steps_and_restarts(open_player: Any) -> None:
    seen, player = open_player("first-stream")
    keyboard = seen.page.keyboard
    recording = recording_of("first_stream/text_stream")
    first, second = recording.response.events[:2]
    player.locator(".sp-speed").select_option("0.25")  # time enough to see each key's effect
    player.locator(".sp-scrubber").focus()
    keyboard.press("ArrowRight")  # the headers and message_start, at the same moment
    assert read(player)["events"] == ["message_start"]
    assert read(player)["ms"] == round(first.at * 1000)
    keyboard.press("ArrowRight")
    assert read(player)["events"] == ["message_start", "content_block_start"]
    assert read(player)["ms"] == round(second.at * 1000)
    keyboard.press("ArrowLeft")
    assert read(player)["events"] == ["message_start"]
    keyboard.press("ArrowLeft")
    assert (read(player)["ms"], read(player)["events"], read(player)["http"]) == (0, [], False)
    for key in (" ", "k"):
        keyboard.press(key)
        assert read(player)["state"] == "playing"
        keyboard.press(key)
        assert read(player)["state"] == "paused"
    keyboard.press("End")  # the scrubber's own key
    assert read(player)["state"] == "ended"
    keyboard.press("Home")  # restarts
    keyboard.press("k")  # paused at once, to read where Home put it
    # Back near the start: at 0.25x the whole recording lasts four times its length, so even a
    # slow machine has played only a fraction of it between the two keys.
    restarted = read(player)
    assert restarted["state"] == "paused"
    assert restarted["ms"] < recording.response.events[-1].at * 1000 / 2
    assert len(restarted["events"]) < len(recording.response.events) / 2
    # The play button answers Space and Enter as a button does; each control shows its focus.
    play = player.locator(".sp-controls button").first
    play.focus()
    keyboard.press("Space")
    assert read(player)["state"] == "playing"
    assert play.get_attribute("aria-label") == "Pause"
    keyboard.press("Enter")
    assert read(player)["state"] == "paused"
    for _ in range(3):
        keyboard.press("Tab")
        outline = seen.page.evaluate(
            "() => { const s = getComputedStyle(document.activeElement);"
            " return [document.activeElement.getAttribute('aria-label'), s.outlineStyle,"
            " s.outlineWidth]; }"
        )
        assert outline[0] in {"Restart", "Speed", "Position in the stream"}
        assert outline[1] == "solid", outline
        assert outline[2] != "0px", outline
    assert seen.errors == []


def test_keys_in_a_pane_scroll_it_and_leave_playback_alone(open_player: Any) -> None:
    seen, player = open_player("first-stream")
    for pane in (".sp-log", ".sp-message"):
        player.locator(pane).focus()
        for key in (" ", "Home", "ArrowRight"):
            seen.page.keyboard.press(key)
            assert (read(player)["state"], read(player)["ms"]) == ("paused", 0), (pane, key)


def test_the_slider_is_not_re_announced_on_every_frame(open_player: Any) -> None:
    seen, player = open_player("first-stream")
    seen.page.evaluate(
        """() => {
        window.sliderChanges = 0;
        new MutationObserver((changes) => { window.sliderChanges += changes.length; })
          .observe(document.querySelector(".sp-scrubber"),
                   { attributes: true, attributeFilter: ["aria-valuetext"] });
        }"""
    )
    play_to_the_end(player, "1")  # about 90 frames at the recorded pace
    changes = seen.page.evaluate("window.sliderChanges")
    assert 1 <= changes <= 3, changes  # when it starts and when it ends, not per frame


def test_every_control_has_a_name(open_player: Any) -> None:
    _, player = open_player("content-blocks")
    names = player.evaluate(
        "root => [...root.querySelectorAll('button, select, input, [tabindex]')]"
        ".map(e => e.getAttribute('aria-label'))"
    )
    assert None not in names
    assert len(names) == 6  # play, restart, speed, scrubber, the event log, the message


# --------------------------------------------------------------------------- seeking


def expected_at(ms: int) -> dict[str, Any]:
    """What the tool-use recording has delivered by `ms`: texts, tool input, event names."""
    events = recording_of("content_blocks/tool_use_events").response.events
    arrived = [e.data for e in events if e.at * 1000 <= ms + 1e-6]
    texts: dict[int, str] = {}
    tools: dict[int, str] = {}
    stopped = set()
    for data in arrived:
        index = data.get("index")
        if data["type"] == "content_block_start":
            kind = data["content_block"]["type"]
            (texts if kind == "text" else tools)[index] = ""
        elif data["type"] == "content_block_delta":
            delta = data["delta"]
            if delta["type"] == "text_delta":
                texts[index] += delta["text"]
            else:
                tools[index] += delta["partial_json"]
        elif data["type"] == "content_block_stop":
            stopped.add(index)
    return {
        "texts": list(texts.values()),
        "inputs": [["parsed" if i in stopped else "partial", text] for i, text in tools.items()],
        "events": [data["type"] for data in arrived],
    }


def shown_inputs(shown: dict[str, Any]) -> list[list[Any]]:
    """Parsed input as its object, so that its spacing does not matter."""
    return [[state, json.loads(t) if state == "parsed" else t] for state, t in shown["inputs"]]


def test_seeking_back_shows_each_earlier_state(open_player: Any) -> None:
    seen, player = open_player("content-blocks")
    play_to_the_end(player, "0")
    player.locator(".sp-scrubber").focus()
    seen_states = 0
    while True:
        shown = read(player)
        wanted = expected_at(shown["ms"])
        assert (shown["texts"], shown["events"]) == (wanted["texts"], wanted["events"])
        assert shown_inputs(shown) == shown_inputs(wanted)
        seen_states += 1
        if shown["ms"] == 0:
            break
        seen.page.keyboard.press("ArrowLeft")
    assert seen_states > 10
    # The scrubber, dragged back into the pause before the "unit" pieces.
    player.locator(".sp-scrubber").evaluate(
        "s => { s.value = 1900; s.dispatchEvent(new Event('input', {bubbles: true})); }"
    )
    shown = read(player)
    assert shown["inputs"] == [["partial", '{"location": "Lisbon, Portugal"']]
    assert shown_inputs(shown) == shown_inputs(expected_at(1900))
    assert seen.errors == []


# --------------------------------------------------------------------------- loading


def downloaded_paths(seen: Visit, site_url: str) -> list[str]:
    """The paths from the site's root of what a visit downloaded for a stream player."""
    root = urlsplit(site_url).path
    paths = [urlsplit(url).path.removeprefix(root) for url in seen.downloaded]
    return sorted(path for path in paths if "player" in path)


def test_only_a_page_with_a_player_loads_it_and_only_its_own_data(
    visits: Callable[..., Visit], site_url: str, open_player: Any
) -> None:
    without = visits(f"{site_url}/events/")
    assert without.page.locator(".stream-player").count() == 0
    assert downloaded_paths(without, site_url) == []
    seen, _ = open_player("first-stream")
    assert downloaded_paths(seen, site_url) == [
        "/assets/player.css",
        "/assets/player.js",
        "/players/first_stream/text_stream.json",
    ]


def test_the_page_check_sees_player_data_loaded_without_a_player(
    visits: Callable[..., Visit], site_url: str
) -> None:
    seen = visits(f"{site_url}/events/")
    data = f"{site_url}/players/first_stream/text_stream.json"
    with seen.page.expect_response(data):  # and the visit's own listener counts it
        seen.page.evaluate("url => fetch(url).then(r => r.text())", data)
    seen.page.wait_for_load_state("networkidle")
    problems = budget_problems(seen, site_url)
    assert problems == [f"loaded for a stream player not on the page: {[data]}"]


NOT_FOUND = "Failed to load resource: the server responded with a status of 404 (Not Found)"


@pytest.mark.parametrize(
    ("status", "body", "said"),
    [
        (200, "{not json", "its data is not JSON"),
        (200, '{"format": 1, "status": 200}', "it is not stream player data"),
        (
            200,
            '{"format": 1, "status": 200, "at": 0, "chunks": [{"at": 0, "base64": "&"}]}',
            "it is not stream player data",
        ),
        (
            200,
            '{"format": 1, "status": 200, "at": 0, "chunks": [{"at": 2}, {"at": 1}]}',
            "it is not stream player data",
        ),
        (404, "", "HTTP 404"),
    ],
    ids=["not-json", "no-chunks", "bad-base64", "no-bytes", "missing"],
)
def test_bad_data_shows_a_short_error_in_the_player(
    visits: Callable[..., Visit], site_url: str, status: int, body: str, said: str
) -> None:
    def answer(route: Route) -> None:
        route.fulfill(status=status, body=body, content_type="application/json")

    seen = visits(f"{site_url}/first-stream/", routes={"**/players/**": answer})
    error = seen.page.locator(".stream-player .sp-error")
    error.wait_for(timeout=10_000)
    text = error.inner_text()
    heading = seen.page.locator(PAGE_TITLE).inner_text()
    assert said in text
    assert len(text) < 160
    assert heading.startswith("What is streaming")  # the rest of the page is there
    assert seen.errors == ([NOT_FOUND] if status == 404 else [])


# --------------------------------------------------------------------------- accessibility


def test_the_live_region_announces_pauses_and_the_end_not_every_event(open_player: Any) -> None:
    seen, player = open_player("first-stream")
    assert player.locator("[aria-live]").count() == 1
    log = player.locator(".sp-log")
    assert (log.get_attribute("aria-live"), log.get_attribute("role")) == (None, None)
    player.evaluate(
        """root => {
          const status = root.querySelector('[aria-live=polite]');
          root.said = [];
          new MutationObserver(() => root.said.push(status.textContent))
            .observe(status, {childList: true, subtree: true, characterData: true});
        }"""
    )
    shown = play_to_the_end(player, "4")
    said = player.evaluate("root => root.said")
    count = len(recording_of("first_stream/text_stream").response.events)
    assert len(shown["events"]) == count
    assert len(said) == 2, said  # not one a delta
    assert said[0] == "Playing at 4\u00d7."
    assert said[1].startswith(f"Ended at 1.45 s: {count} events. Complete. Text: Streaming lets")
    assert seen.errors == []


@pytest.mark.parametrize("motion", ["reduce", "no-preference"])
def test_reduced_motion_turns_off_the_highlight_animation(
    visits: Callable[..., Visit], site_url: str, motion: str
) -> None:
    seen = visits(f"{site_url}/first-stream/", reduced_motion=motion)
    player = seen.page.locator(".stream-player")
    player.locator(".sp-scrubber").focus()
    seen.page.keyboard.press("ArrowRight")
    newest = player.locator(".sp-log .sp-new")
    highlighted = newest.count()
    duration = newest.evaluate("e => getComputedStyle(e).transitionDuration")
    assert highlighted == 1
    assert duration == ("0s" if motion == "reduce" else "0.4s")
    assert seen.errors == []


@pytest.mark.parametrize(("page", "key", "specs"), ON_PAGES, ids=IDS)
def test_a_played_player_fits_and_reads_in_both_themes(
    open_player: Any, page: str, key: str, specs: tuple[str, ...]
) -> None:
    problems: dict[str, list[str]] = {}
    seen, player = open_player(page)
    play_to_the_end(player, "0")
    for scheme in ("light", "dark"):  # the played player, switched to the dark scheme
        seen.use_scheme(scheme)
        for width in (1366, 390, 320):
            seen.resize(width)
            problems[f"{scheme} {width}px: too wide"] = seen.probe("overflow")
            problems[f"{scheme} {width}px: low contrast"] = seen.probe("lowContrast")
        problems[f"{scheme}: console"] = list(seen.errors)
    assert read(player)["state"] == "ended"
    assert {what: found for what, found in problems.items() if found} == {}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("page", ["content-blocks", "truncated"])
def test_axe_finds_no_problem_in_a_played_player(open_player: Any, page: str, scheme: str) -> None:
    seen, player = open_player(page, scheme=scheme)
    play_to_the_end(player, "0")
    results = Axe().run(seen.page, context=".stream-player", options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()
