"""docs/relay.md: the Starlette relay, served in a thread against the replay server, and its
browser client (snippets/relay/). The generic snippet test skips both: run as __main__, the
relay would serve forever, and the client has no recording of its own (it talks to the relay).
"""

from __future__ import annotations

import dataclasses
import json
import runpy
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from stream_replay import (
    CutAfter,
    ErrorEvent,
    Fault,
    Recording,
    ReplayServer,
    StallBefore,
    load_recordings_for,
    parse_fault,
)
from stream_replay._http import ThreadedServer

from .project import (
    DOCS_DIR,
    PLACEHOLDER_KEY,
    ROOT,
    SERVED_SNIPPET_CLIENTS,
    SERVED_SNIPPETS,
    SNIPPETS_DIR,
    output_file,
    relative,
)

RELAY_APP = SNIPPETS_DIR / "relay" / "relay_app.py"
BROWSER_CLIENT = SNIPPETS_DIR / "relay" / "browser_client.py"
QUESTION = "Why do proxies buffer responses?"  # the question browser_client.py asks
RECORDINGS = load_recordings_for(RELAY_APP, ROOT)
# The first text_delta of the recording is its 4th event: a stall before the 6th keeps the
# upstream stream open (and silent) after the relay has passed the first pieces on.
STALL_AFTER_FIRST_TEXT = StallBefore(6, 30)


@contextmanager
def relay_against_replay(
    monkeypatch: pytest.MonkeyPatch,
    faults: list[Fault] | None = None,
    recordings: list[Recording] | None = None,
) -> Iterator[tuple[ThreadedServer, ReplayServer]]:
    """The replay server plays the API; relay_app.py is served in a thread, pointed at it."""
    with ReplayServer(recordings or RECORDINGS, speed=0, faults=faults or []) as upstream:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", upstream.url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", PLACEHOLDER_KEY)
        # Loaded afresh for each test: its AsyncAnthropic client belongs to one event loop.
        app: Any = runpy.run_path(str(RELAY_APP), run_name="relay_app")["app"]
        with ThreadedServer(app) as relay:
            yield relay, upstream
    assert [m.message() for m in upstream.mismatches] == []


def wait_for(condition: Any, seconds: float = 10.0) -> bool:
    """Poll until `condition` holds; the deadline only bounds a failing test."""
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)
    return bool(condition())


def test_the_generic_snippet_test_leaves_the_relay_snippets_to_this_file() -> None:
    assert "relay/relay_app.py" in SERVED_SNIPPETS
    assert "relay/browser_client.py" in SERVED_SNIPPET_CLIENTS
    assert QUESTION in BROWSER_CLIENT.read_text()


def test_the_browser_client_prints_its_shown_output(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], update_outputs: bool
) -> None:
    with relay_against_replay(monkeypatch) as (relay, upstream):
        monkeypatch.setenv("RELAY_URL", relay.url)
        capsys.readouterr()
        runpy.run_path(str(BROWSER_CLIENT), run_name="__main__")
        printed = capsys.readouterr().out
    assert upstream.served == RECORDINGS  # the relay's request matched its recording
    expected = output_file(BROWSER_CLIENT)
    if update_outputs:
        expected.write_text(printed, encoding="utf-8")
    assert printed == expected.read_text(encoding="utf-8"), (
        f"{relative(BROWSER_CLIENT)} now prints something else than {relative(expected)} "
        "(if that is intended: python3 dev.py test tests/test_relay.py --update-outputs)"
    )


def test_the_relay_sends_the_headers_that_stop_buffering(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with (
        relay_against_replay(monkeypatch) as (relay, _),
        httpx.stream("GET", f"{relay.url}/chat", params={"q": QUESTION}) as response,
    ):
        response.read()
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["x-accel-buffering"] == "no"
    # Each event is flushed as its own chunk of the chunked body, never held back.
    assert response.headers["transfer-encoding"] == "chunked"


def test_a_browser_that_goes_away_makes_the_relay_close_its_upstream(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with relay_against_replay(monkeypatch, [STALL_AFTER_FIRST_TEXT]) as (relay, upstream):
        with httpx.stream("GET", f"{relay.url}/chat", params={"q": QUESTION}) as response:
            lines = response.iter_lines()
            assert next(lines) == "event: text"  # one event, then the browser leaves
        left = time.monotonic()
        assert wait_for(lambda: upstream.abandoned == 1)
        # Not the stall running out: the upstream closed when the browser left.
        assert time.monotonic() - left < STALL_AFTER_FIRST_TEXT.seconds / 2
        assert upstream.abandoned == 1


def test_a_browser_that_stays_reads_to_the_end_and_nothing_is_abandoned(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The control for the test above: the count moves only when the browser goes away.
    with relay_against_replay(monkeypatch) as (relay, upstream):
        with httpx.stream("GET", f"{relay.url}/chat", params={"q": QUESTION}) as response:
            body = response.read().decode()
        assert body.endswith('event: done\ndata: {"stop_reason": "end_turn"}\n\n')
        assert upstream.abandoned == 0


@pytest.mark.parametrize(
    ("fault", "last_event"),
    [
        (ErrorEvent(5), 'event: error\ndata: {"type": "overloaded_error"}\n\n'),
        (CutAfter(5), 'event: error\ndata: {"type": "relay_error"}\n\n'),
    ],
    ids=["error-event", "cut-connection"],
)
def test_an_upstream_failure_reaches_the_browser_as_an_error_event(
    monkeypatch: pytest.MonkeyPatch, fault: Fault, last_event: str
) -> None:
    with (
        relay_against_replay(monkeypatch, [fault]) as (relay, _),
        httpx.stream("GET", f"{relay.url}/chat", params={"q": QUESTION}) as response,
    ):
        body = response.read().decode()
    # The text that arrived first was passed on; then the error, and a body that ends properly.
    assert body.startswith('event: text\ndata: {"text": "A proxy buffers a response"}\n\n')
    assert body.endswith(last_event)
    assert "event: done" not in body


[RECORDING] = RECORDINGS
EVENTS = RECORDING.response.events


def relayed_events(body: str) -> list[tuple[str, dict[str, str | None]]]:
    """The relay's events as (name, data), parsed from its response body."""
    parsed = []
    for block in body.split("\n\n")[:-1]:
        name_line, data_line = block.split("\n")
        parsed.append((name_line.removeprefix("event: "), json.loads(data_line[6:])))
    return parsed


def texts_of(events: Any) -> list[dict[str, str | None]]:
    return [
        {"text": event.data["delta"]["text"]}
        for event in events
        if event.name == "content_block_delta"
    ]


def test_a_stream_cut_anywhere_reaches_the_browser_as_an_error_never_done(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # relay.md: a stream that ends without message_stop is no answer. The replay server's
    # `cut:N` fault drops the connection after N events; request N+1 is cut after N events,
    # for every N up to the event before message_stop.
    cuts = range(len(EVENTS))
    faults = [parse_fault(f"cut:{count}@{count + 1}") for count in cuts]
    with relay_against_replay(monkeypatch, faults) as (relay, upstream):
        for count in cuts:
            body = httpx.get(f"{relay.url}/chat", params={"q": QUESTION}).text
            *texts, last = relayed_events(body)
            assert last == ("error", {"type": "relay_error"}), count
            assert [data for _, data in texts] == texts_of(EVENTS[:count])
            assert len(upstream.served) == count + 1


def test_a_body_that_ends_early_but_cleanly_is_an_error_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # relay.md: the SDK raises nothing when the body ends cleanly before message_stop (its
    # stop_reason is None, see truncated.md); the relay still sends `error`, not `done`,
    # including after message_delta, when the stop reason is already known.
    counts = range(len(EVENTS))
    shortened = [
        dataclasses.replace(
            RECORDING, response=dataclasses.replace(RECORDING.response, events=EVENTS[:count])
        )
        for count in counts
    ]
    with relay_against_replay(monkeypatch, recordings=shortened) as (relay, _):
        for count in counts:
            body = httpx.get(f"{relay.url}/chat", params={"q": QUESTION}).text
            *texts, last = relayed_events(body)
            assert last == ("error", {"type": "incomplete_stream"}), count
            assert [data for _, data in texts] == texts_of(EVENTS[:count])


@pytest.mark.parametrize(
    ("spec", "texts", "last_line"),
    [
        ("error:5", 2, 'error {"type": "overloaded_error"}'),
        ("cut:5", 2, 'error {"type": "relay_error"}'),
    ],
)
def test_the_browser_client_prints_the_error_the_page_shows(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    spec: str,
    texts: int,
    last_line: str,
) -> None:
    # relay.md: "--fault error:5 ... the client then prints two `text` events and
    # `error {"type": "overloaded_error"}`. `--fault cut:5` gives `relay_error`."
    page = " ".join((DOCS_DIR / "relay.md").read_text().split())
    assert f"--fault {spec}" in page
    with relay_against_replay(monkeypatch, [parse_fault(spec)]) as (relay, _):
        monkeypatch.setenv("RELAY_URL", relay.url)
        capsys.readouterr()
        runpy.run_path(str(BROWSER_CLIENT), run_name="__main__")
        printed = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in printed[3:]] == ["text"] * texts + ["error"]
    assert printed[-1] == last_line


def test_the_asgi_details_the_page_gives() -> None:
    # relay.md: uvicorn announces ASGI spec version 2.3, below the 2.4 from which Starlette
    # stops listening for http.disconnect while it streams; GZipMiddleware leaves
    # text/event-stream alone.
    from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES

    seen: list[str] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return  # uvicorn's lifespan scope
        seen.append(scope["asgi"]["spec_version"])
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    with ThreadedServer(app) as server:
        httpx.get(server.url)
    assert seen == ["2.3"]
    page = " ".join((DOCS_DIR / "relay.md").read_text().split())
    assert "ASGI spec version 2.3 or older" in page
    assert "text/event-stream" in DEFAULT_EXCLUDED_CONTENT_TYPES


# Opens an EventSource on the relay, as a page would, and notes every event it dispatches until
# the first error event without data (the browser's own), then closes it.
EVENT_SOURCE = """
(url) => new Promise((resolve) => {
  const seen = [];
  const source = new EventSource(url);
  const note = (event) => {
    seen.push({type: event.type, data: event.data ?? null, state: source.readyState});
    if (event.type === "error" && event.data === undefined) {
      source.close();
      resolve(seen);
    }
  };
  for (const name of ["text", "done", "error"]) source.addEventListener(name, note);
})
"""


def test_a_browser_gets_the_events_by_name_and_would_reconnect_at_the_end(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # relay.md: EventSource dispatches each event under its name; when the response ends it
    # fires an `error` event of its own (no data) and is CONNECTING again, so the page must
    # close() it at `done`; the relay's `error` event reaches the same listener, with data.
    from playwright.sync_api import sync_playwright

    from .test_browser import CHROMIUM, FLAGS  # skips this test where there is no Chromium

    url = "/chat?q=" + QUESTION
    with (
        relay_against_replay(monkeypatch, [ErrorEvent(5, on_request=2)]) as (relay, upstream),
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch_persistent_context(
            tmp_path, executable_path=CHROMIUM, args=FLAGS
        )
        page = browser.new_page()
        page.goto(f"{relay.url}/")  # any page of the relay's origin
        finished = page.evaluate(EVENT_SOURCE, url)
        failed = page.evaluate(EVENT_SOURCE, url)
        browser.close()
        assert len(upstream.served) == 2  # closed in time: no reconnection asked again

    connecting, open_ = 0, 1  # EventSource.readyState
    assert [e["type"] for e in finished] == ["text"] * 11 + ["done", "error"]
    assert finished[-2] == {"type": "done", "data": '{"stop_reason": "end_turn"}', "state": open_}
    assert finished[-1] == {"type": "error", "data": None, "state": connecting}
    assert failed[-2:] == [
        {"type": "error", "data": '{"type": "overloaded_error"}', "state": open_},
        {"type": "error", "data": None, "state": connecting},
    ]


def test_the_page_gives_the_commands_and_the_versions_it_was_checked_with() -> None:
    import starlette
    import uvicorn

    page = (DOCS_DIR / "relay.md").read_text()
    assert "python3 dev.py run snippets/relay/relay_app.py" in page
    assert ".venv/bin/python snippets/relay/browser_client.py" in page
    assert f"Starlette {starlette.__version__}" in page
    assert f"uvicorn {uvicorn.__version__}" in page
