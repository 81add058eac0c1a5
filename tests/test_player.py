"""The stream player (docs/assets/player.js) in Chromium, on every page that has one.

Played to its end, it shows what the SDK assembles from the same recording under the same
faults (anthropic 2.17.0, against a ReplayServer); a failure shows when it happens; the
keyboard drives it; seeking back shows the earlier state; bad data shows a short error; and
only a page with a player loads it and its data.
"""

from __future__ import annotations

import json
import socketserver
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, get_args
from urllib.parse import urlsplit

import anthropic
import pytest
from anthropic.types import RawMessageStreamEvent
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Route

from stream_replay import ReplayServer, load_recording, parse_fault
from stream_replay._faults import plan_response
from stream_replay._player import player_data, player_file, player_json

from .axe_rules import AXE_OPTIONS
from .browser import Visit
from .project import PLACEHOLDER_KEY, PLAYERS, RECORDINGS_DIR, relative
from .test_browser import budget_problems
from .test_events import request_of
from .test_player_data import players_on_pages, recording_of
from .theme import HEADER, PAGE_TITLE

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
        visited = visits(f"{site_url}/{page}/" if page != "index" else f"{site_url}/", **options)
        player = visited.page.locator(".stream-player").first
        player.locator(".sp-controls").wait_for(timeout=10_000)
        return visited, player

    return open_


def read(player: Locator) -> dict[str, Any]:
    return dict(player.evaluate(READ))


def play_to_the_end(player: Locator, pace: str) -> dict[str, Any]:
    """Play at `pace` ("fit": slowed to about 7 s, "1": real time, "0": instant) until the
    end; at a pace, no faster than it."""
    total = float(player.locator(".sp-scrubber").get_attribute("max") or 0) / 1000
    player.locator(".sp-speed").select_option(pace)
    speed = player.evaluate("root => root.player.speed")
    started = time.monotonic()
    player.get_by_role("button", name="Play").click()
    player.page.wait_for_function(
        "p => p.dataset.state === 'ended'", arg=player.element_handle(), timeout=20_000
    )
    if speed:
        assert time.monotonic() - started >= 0.9 * total / speed
    return read(player)


# --------------------------------------------------------------------------- against the SDK


@pytest.mark.parametrize("pace", ["0", "1"], ids=["instant", "real-time"])
@pytest.mark.parametrize(("page", "key", "specs"), ON_PAGES, ids=IDS)
def test_played_to_the_end_it_shows_what_the_sdk_assembles(
    open_player: Any, page: str, key: str, specs: tuple[str, ...], pace: str
) -> None:
    seen, player = open_player(page)
    shown = play_to_the_end(player, pace)
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
        assert shown["failure"] == f"error event after 200 OK: {error}"
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


def test_the_keyboard_plays_pauses_steps_and_goes_to_the_start(open_player: Any) -> None:
    seen, player = open_player("first-stream")
    keyboard = seen.page.keyboard
    recording = recording_of("first_stream/text_stream")
    first, second = recording.response.events[:2]
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
    keyboard.press("Home")  # to the start, and it waits there
    assert (read(player)["state"], read(player)["ms"], read(player)["events"]) == ("paused", 0, [])
    # The play button answers Space and Enter as a button does; each control shows its focus.
    play = player.locator(".sp-controls button").first
    play.focus()
    keyboard.press("Space")
    assert read(player)["state"] == "playing"
    assert play.get_attribute("aria-label") == "Pause"
    keyboard.press("Enter")
    assert read(player)["state"] == "paused"
    player.locator(".sp-scrubber").focus()
    reached = []
    for _ in range(4):
        keyboard.press("Tab")
        focused = seen.page.evaluate(
            "() => { const e = document.activeElement, s = getComputedStyle(e);"
            " return [e.getAttribute('aria-label') || e.textContent, s.outlineStyle,"
            " s.outlineWidth]; }"
        )
        assert focused[1] == "solid", focused
        assert focused[2] != "0px", focused
        reached.append(focused[0])
    assert reached == ["Play", "To the start", "Pace", "What if…"]
    assert seen.errors == []


def test_keys_in_a_pane_scroll_it_and_leave_playback_alone(open_player: Any) -> None:
    seen, player = open_player("first-stream")
    for pane in (".sp-log", ".sp-message"):
        player.locator(pane).focus()
        for key in (" ", "Home", "ArrowRight"):
            seen.page.keyboard.press(key)
            assert (read(player)["state"], read(player)["ms"]) == ("poster", 0), (pane, key)


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
        """root => [...root.querySelectorAll('button, select, input, summary, [tabindex]')]
          .map(e => e.getAttribute('aria-label') || e.closest('label, summary')?.textContent.trim()
            || null)"""
    )
    assert None not in names
    # play, to the start, pace, the slider, the event log, the message, "what if" and its
    # seven choices with their eight numbers and one list, and each event's summary
    events = player.locator(".sp-event").count()
    assert len(names) == 6 + 1 + 7 + 8 + 1 + events, names


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
    # Each download is counted when its response has finished, an event Playwright hands
    # over while it waits: wait until the page's network has been quiet.
    seen.page.wait_for_load_state("networkidle")
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
    assert heading.startswith("Streaming with the Python SDK")  # the rest of the page is there
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
    shown = play_to_the_end(player, "1")
    said = player.evaluate("root => root.said")
    count = len(recording_of("first_stream/text_stream").response.events)
    assert len(shown["events"]) == count
    assert len(said) == 2, said  # not one a delta
    assert said[0] == "Playing, real time, 1.45 s."
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
    for scheme in ("light", "dark"):
        seen, player = open_player(page, scheme=scheme)
        play_to_the_end(player, "0")
        seen.page.mouse.move(0, 0)  # not left over a heading a narrower layout moves under it
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


# --------------------------------------------------------------------------- the poster, the pace


@pytest.mark.parametrize(("page", "key", "specs"), ON_PAGES, ids=IDS)
def test_the_player_opens_on_a_poster_of_the_stream(
    open_player: Any, page: str, key: str, specs: tuple[str, ...]
) -> None:
    """Before play: every event of the stream listed (its shape) and the message as it ends,
    in a muted colour, and how it ends; not empty panes."""
    seen, player = open_player(page)
    poster = read(player)
    sdk = sdk_assembly(key, specs)
    assert poster["state"] == "poster"
    assert poster["ms"] == 0
    assert [n for n in poster["events"] if n not in {"ping", "error"}] == sdk.events
    assert poster["texts"] == sdk.texts
    assert "When it ends:" in player.locator(".sp-ending").inner_text()
    colours = player.evaluate(
        """root => [root.querySelector('.sp-message'), root.querySelector('.sp-log'),
          root.querySelector('.sp-ending')].map(e => getComputedStyle(e).color)"""
    )
    muted = player.evaluate("root => getComputedStyle(root).getPropertyValue('--sp-muted')")
    assert muted.strip()
    assert len(set(colours)) == 1, colours  # all three greyed alike
    play_to_the_end(player, "0")
    played = player.evaluate("root => getComputedStyle(root.querySelector('.sp-message')).color")
    assert played != colours[0], "the poster is not greyed"
    assert seen.errors == []


def all_player_data() -> dict[str, str]:
    """The player's data of every recording in recordings/, as player_json writes it."""
    return {
        path.relative_to(RECORDINGS_DIR).with_suffix("").as_posix(): player_json(
            player_data(load_recording(path, name=relative(path)))
        )
        for path in sorted(RECORDINGS_DIR.rglob("*.toml"))
    }


def test_the_default_pace_plays_any_recording_in_about_seven_seconds(
    visits: Callable[..., Visit], site_url: str
) -> None:
    """Every recording (0.2 s to 13 s long) plays in 5 to 10 s at the pace a player starts
    with; real time is the next choice."""
    data = all_player_data()

    def answer(route: Route) -> None:
        key = urlsplit(route.request.url).path.removeprefix("/players/every/")
        route.fulfill(body=data[key.removesuffix(".json")], content_type="application/json")

    seen = visits(f"{site_url}/first-stream/", routes={"**/players/every/**": answer})
    paces = seen.page.evaluate(
        """async (keys) => {
          // A few at a time, each taken off the page once read: a page of ninety players
          // lays itself out again for each one that mounts.
          const read = [];
          for (let i = 0; i < keys.length; i += 8) {
            const made = keys.slice(i, i + 8).map((key) => {
              const div = document.createElement("div");
              div.className = "stream-player";
              div.dataset.src = `/players/every/${key}.json`;
              document.body.append(div);
              return div;
            });
            window.mountStreamPlayers();
            while (made.some((div) => !div.player && div.dataset.state !== "error")) {
              await new Promise((done) => setTimeout(done, 20));
            }
            read.push(...made.map((div) => div.player ? [div.player.total, div.player.speed,
              div.querySelector(".sp-speed").value,
              [...div.querySelector(".sp-speed").options].map((o) => o.value)] : div.textContent));
            made.forEach((div) => div.remove());
          }
          return read;
        }""",
        list(data),
    )
    assert len(paces) == len(data) > 80  # every recording, however many there are
    playing_times = {}
    for key, pace in zip(data, paces, strict=True):
        assert isinstance(pace, list), f"{key}: {pace}"
        total, speed, chosen, choices = pace
        playing_times[key] = total / speed
        assert chosen == "fit"
        assert choices == ["fit", "1", "0"]  # real time one choice away, then instant
    assert {k: t for k, t in playing_times.items() if not 5 <= t <= 10} == {}
    assert min(p[0] for p in paces) < 0.5
    assert max(p[0] for p in paces) > 10


def test_the_default_pace_takes_five_to_ten_seconds_on_the_page_clock(open_player: Any) -> None:
    """Played at the pace it starts with, on the page's own clock (faked, so that a busy
    machine cannot make it late): still playing at 5 s, ended by 10 s. The clock is paused
    once installed: an installed clock still follows real time until then. In a context of
    its own: the clock is the context's, and would stop the other tests' pages."""
    seen, player = open_player("first-stream", own_context=True)
    seen.page.clock.install()
    seen.page.clock.pause_at(seen.page.evaluate("Date.now()") + 1_000)
    player.get_by_role("button", name="Play").click()
    seen.page.clock.run_for(5_000)
    assert read(player)["state"] == "playing"
    seen.page.clock.run_for(5_000)
    assert read(player)["state"] == "ended"
    assert seen.errors == []


@pytest.mark.parametrize(("page", "key", "specs"), ON_PAGES, ids=IDS)
def test_the_ending_is_in_sight_on_a_phone(
    open_player: Any, page: str, key: str, specs: tuple[str, ...]
) -> None:
    """At 390 px, with the player's top at the top of the window (under the header), its
    ending (stop reason, usage, how it ended) is on screen, before play and after."""
    seen, player = open_player(page, width="phone")

    def ending_in_sight() -> bool:
        return bool(
            player.evaluate(
                """(root, selector) => {
                  const header = document.querySelector(selector).getBoundingClientRect();
                  root.scrollIntoView({block: 'start'});
                  scrollBy(0, -header.height);
                  const box = root.querySelector('.sp-ending').getBoundingClientRect();
                  return box.height > 0 && box.top >= header.bottom && box.bottom <= innerHeight;
                }""",
                HEADER,
            )
        )

    assert ending_in_sight()
    shown = play_to_the_end(player, "0")
    assert ending_in_sight()
    assert shown["stop"] is not None
    assert seen.errors == []


# --------------------------------------------------------------------------- what if


class BytesServer:
    """Answers each request on 127.0.0.1 with 200 and an event stream of the chunks last
    given to `serve`, then ends the body properly (`end`) or drops the connection in the
    middle of it."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.end = True
        owner = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                length = 0
                self.rfile.readline()
                while (line := self.rfile.readline()).strip():
                    name, _, value = line.decode().partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value)
                self.rfile.read(length)
                self.wfile.write(
                    b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream; charset=utf-8\r\n"
                    b"transfer-encoding: chunked\r\nconnection: close\r\n\r\n"
                )
                for chunk in filter(None, owner.chunks):
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                if owner.end:
                    self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> BytesServer:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()


# The events create(stream=True) hands over, as the SDK's own union of them names them.
RAW_EVENTS = {
    get_args(event.model_fields["type"].annotation)[0]
    for event in get_args(get_args(RawMessageStreamEvent)[0])
}


@pytest.fixture
def sdk_on_bytes() -> Any:
    """`sdk_on_bytes(chunks, request, end=...)`: what the SDK makes of these bytes, served
    over HTTP: the message so far, the events it hands over, and whether it raised for an
    `error` event or a dropped connection."""
    with BytesServer() as server:
        client = anthropic.Anthropic(api_key=PLACEHOLDER_KEY, base_url=server.url, max_retries=0)

        def run(chunks: list[bytes], request: dict[str, Any], *, end: bool) -> Assembled:
            server.chunks, server.end = chunks, end
            error: anthropic.APIStatusError | None = None
            cut = False
            events: list[str] = []
            texts: list[str] = []
            stop: str | None = "undefined"  # no message_start: the player shows no message
            with client.messages.stream(**request) as stream:
                try:
                    # The events create(stream=True) would hand over; the helper's own
                    # (text, input_json ...) left out.
                    for event in stream:
                        if event.type in RAW_EVENTS:
                            events.append(event.type)
                except anthropic.APIStatusError as raised:
                    error = raised
                except anthropic.APIConnectionError:  # the dropped connection, wrapped
                    cut = True
                try:
                    message = stream.current_message_snapshot
                except AssertionError:  # nothing to snapshot before message_start
                    pass
                else:
                    texts = [block.text for block in message.content if block.type == "text"]
                    stop = message.stop_reason
            return Assembled(texts, [], stop, events, error, cut)

        yield run
        client.close()


def choose(player: Locator, kind: str, **values: object) -> None:
    """Pick a "what if" in the player, as a reader does: its choice, then its numbers."""
    box = player.locator(".sp-whatif")
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    item = box.locator(f".sp-options li:has(input[value={kind}])")
    item.locator("input[type=radio]").check()
    for key, value in values.items():
        field = item.locator(f"[data-key={key}]")
        if key == "mid":
            field.select_option(index=int(bool(value)))
        else:
            field.fill(str(value))
            field.dispatch_event("change")


VIEW = """root => ({
  chunks: root.player.view.chunks.map(c => ({at: c.at, bytes: Array.from(c.bytes)})),
  cut: !!root.player.view.cut, timedOut: root.player.view.timedOut || null,
  total: root.player.total, spec: root.player.view.spec || null,
})"""


def step_against_the_sdk(
    seen: Visit, player: Locator, key: str, sdk_on_bytes: Any = None
) -> list[tuple[float, str]]:
    """Step through every moment something arrives and compare what the player shows with
    what the SDK makes of the bytes delivered by then; [(time, texts shown)]. Without
    `sdk_on_bytes`, only what the player shows."""
    request = request_of(recording_of(key))
    view = player.evaluate(VIEW)
    player.locator(".sp-scrubber").focus()
    seen_texts: list[tuple[float, str]] = []
    while True:
        seen.page.keyboard.press("ArrowRight")
        shown = read(player)
        t = player.evaluate("root => root.player.t")
        delivered = [bytes(c["bytes"]) for c in view["chunks"] if c["at"] <= t + 1e-9]
        over = shown["state"] == "ended"
        end = over and not view["cut"] and not view["timedOut"]
        seen_texts.append((round(t, 6), "".join(shown["texts"])))
        if sdk_on_bytes is None:
            if over:
                return seen_texts
            continue
        sdk = sdk_on_bytes(delivered, request, end=end)
        where = f"{key} at {t:.3f} s"
        assert shown["texts"] == sdk.texts, where
        assert shown["stop"] == ("null" if sdk.stop_reason is None else sdk.stop_reason), where
        assert [n for n in shown["events"] if n not in {"ping", "error"}] == sdk.events, where
        if sdk.error is not None:
            assert shown["failure"] == (
                f"error event after 200 OK: {sdk.error.type}: {sdk.error.api_message}"
            ), where
        elif over and view["timedOut"]:
            assert shown["failure"].startswith("read timeout:"), where
        elif over and sdk.cut:
            assert shown["failure"].startswith("incomplete: no message_stop:"), where
            assert "connection dropped" in shown["failure"], where
        elif over:
            complete = "message_stop" in sdk.events
            assert shown["complete"] is complete, where
            assert (shown["failure"] is None) is complete, where
        else:
            assert shown["failure"] is None, where
            assert not shown["complete"], where
        if over:
            return seen_texts


WHAT_IFS = [
    ("all", {}),
    ("chunks", {"size": 64}),
    ("chunks", {"size": 7}),
    ("stall", {"stall": 2, "at": 6}),
    ("cut", {"at": 8}),
    ("cut", {"at": 8, "mid": True}),
    ("drip", {"piece": 120, "every": 0.05}),
    ("error", {"at": 6}),
]


@pytest.mark.parametrize(("kind", "values"), [*WHAT_IFS, ("recorded", {})], ids=str)
def test_each_what_if_shows_what_the_sdk_makes_of_the_same_bytes(
    open_player: Any, sdk_on_bytes: Any, kind: str, values: dict[str, object]
) -> None:
    seen, player = open_player("first-stream")
    key = "first_stream/text_stream"
    recorded = step_against_the_sdk(seen, player, key)
    if kind == "recorded":
        seen.page.keyboard.press("Home")  # back to the start, to step through it again
    else:
        choose(player, kind, **values)
        assert read(player)["state"] == "poster"
    shown = step_against_the_sdk(seen, player, key, sdk_on_bytes)
    if kind != "recorded":
        assert shown != recorded, f"{kind} {values} shows what the recording shows"
    assert seen.errors == []


def test_a_what_if_on_a_failing_stream_still_fails_as_the_sdk_does(
    open_player: Any, sdk_on_bytes: Any
) -> None:
    seen, player = open_player("errors")
    key, _ = PLAYED[player_file("errors/error_in_stream", ("error:5",))]
    for kind, values in [("chunks", {"size": 50}), ("cut", {"at": 3})]:
        choose(player, kind, **values)
        step_against_the_sdk(seen, player, key, sdk_on_bytes)
    assert seen.errors == []


@pytest.mark.parametrize(
    ("kind", "values", "spec"),
    [
        ("stall", {"stall": 2, "at": 6}, "stall:6:2"),
        ("cut", {"at": 8}, "cut:8"),
        ("cut", {"at": 8, "mid": True}, "cut-mid:8"),
        ("all", {}, "buffer"),
        ("chunks", {"size": 64}, "buffer:64"),
        ("chunks", {"size": 7}, "buffer:7"),
        ("drip", {"piece": 40, "every": 0.05}, "drip:40:0.05"),
        ("drip", {"piece": 1, "every": 0}, "drip:1:0"),
        ("error", {"at": 6}, "error:6"),
        ("error", {"at": 1}, "error:1"),
    ],
    ids=[
        "stall",
        "cut",
        "cut-mid",
        "buffer",
        "buffer-64",
        "buffer-7",
        "drip",
        "drip-1",
        "error-6",
        "error-1",
    ],
)
def test_a_what_if_sends_what_the_replay_server_sends_for_its_fault(
    open_player: Any, kind: str, values: dict[str, object], spec: str
) -> None:
    """Computed in the page, a stall, a cut, a buffering proxy, a drip or an error event gives
    the bytes and times the server's own --fault gives; the player names that fault."""
    seen, player = open_player("first-stream")
    choose(player, kind, **values)
    view = player.evaluate(VIEW)
    recording = recording_of("first_stream/text_stream")
    plan = plan_response(recording.response.events, [parse_fault(spec)])
    assert view["spec"] == spec
    assert [bytes(c["bytes"]) for c in view["chunks"]] == [step.data for step in plan.steps]
    assert [round(c["at"], 6) for c in view["chunks"]] == [
        round(step.at + step.delay, 6) for step in plan.steps
    ]
    assert view["cut"] is plan.cut
    assert f"--fault {spec}" in player.locator(".sp-source").inner_text()
    assert seen.errors == []


def test_a_stall_longer_than_the_read_timeout_ends_as_the_sdk_ends(open_player: Any) -> None:
    """With a read timeout shorter than the stall, the player gives up where the SDK does
    (against the replay server with the same fault), holding the same text."""
    seen, player = open_player("first-stream")
    choose(player, "stall", stall=1.5, at=6, timeout=0.8)
    shown = play_to_the_end(player, "0")
    view = player.evaluate(VIEW)
    recording = recording_of("first_stream/text_stream")
    timeout = anthropic.Timeout(600, read=0.8)
    # Speed 0: the events before the stall come at once (the stall lasts its real 1.5 s
    # whatever the speed), so no wait for the headers on a loaded machine meets the timeout.
    with ReplayServer([recording], speed=0, faults=[parse_fault("stall:6:1.5")]) as server:
        client = anthropic.Anthropic(
            api_key=PLACEHOLDER_KEY, base_url=server.url, max_retries=0, timeout=timeout
        )
        with client.messages.stream(**request_of(recording)) as stream:
            with pytest.raises(anthropic.APITimeoutError):
                stream.until_done()
            message = stream.current_message_snapshot
    assert shown["texts"] == [b.text for b in message.content if b.type == "text"]
    assert shown["failure"].startswith("read timeout:")
    last = recording.response.events[4].at  # the fifth event, the last before the stall
    assert view["timedOut"] == pytest.approx(last + 0.8)
    assert seen.errors == []
