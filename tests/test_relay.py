"""docs/relay.md: the FastAPI relay and its sse-starlette twin, served in a thread against the
replay server, their Python client, and the page's JavaScript client in Chromium, behind a
proxy that closes idle connections (snippets/relay/). The generic snippet test skips the relays
and the client: run as __main__, a relay would serve forever, and the client has no recording
of its own (it talks to the relay).
"""

from __future__ import annotations

import dataclasses
import json
import runpy
import select
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext

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

RELAY_APP = SNIPPETS_DIR / "relay" / "relay_app.py"  # FastAPI
RELAY_STARLETTE = SNIPPETS_DIR / "relay" / "relay_starlette.py"  # Starlette + sse-starlette
RELAYS = [RELAY_APP, RELAY_STARLETTE]
BROWSER_CLIENT = SNIPPETS_DIR / "relay" / "browser_client.py"
CHAT_JS = SNIPPETS_DIR / "relay" / "chat.js"
QUESTION = "Why do proxies buffer responses?"  # the question browser_client.py asks
RECORDINGS = load_recordings_for(RELAY_APP, ROOT)
REQUEST_ID = RECORDINGS[0].response.headers["request-id"]
# The first text_delta of the recording is its 4th event: a stall before the 6th keeps the
# upstream stream open (and silent) after the relay has passed the first pieces on.
STALL_AFTER_FIRST_TEXT = StallBefore(6, 30)


@contextmanager
def relay_against_replay(
    monkeypatch: pytest.MonkeyPatch,
    faults: list[Fault] | None = None,
    recordings: list[Recording] | None = None,
    *,
    snippet: Path = RELAY_APP,
    keepalive: float | None = None,
) -> Iterator[tuple[ThreadedServer, ReplayServer]]:
    """The replay server plays the API; a relay snippet is served in a thread, pointed at it.

    `keepalive` shortens the relay's keepalive interval (15 s in both): FastAPI 0.165.0 has no
    public setting, only `_PING_INTERVAL`, "private but importable so tests can monkeypatch it"
    (fastapi/sse.py), which routing.py imports by name; relay_starlette.py reads RELAY_KEEPALIVE.
    """
    if keepalive is not None:
        import fastapi.routing

        monkeypatch.setattr(fastapi.routing, "_PING_INTERVAL", keepalive)
        monkeypatch.setenv("RELAY_KEEPALIVE", str(keepalive))
    with ReplayServer(recordings or RECORDINGS, speed=0, faults=faults or []) as upstream:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", upstream.url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", PLACEHOLDER_KEY)
        # Loaded afresh for each test: its AsyncAnthropic client belongs to one event loop.
        app: Any = runpy.run_path(str(snippet), run_name="relay")["app"]
        with ThreadedServer(app) as relay:
            yield relay, upstream
    assert [m.message() for m in upstream.mismatches] == []


class IdleClosingProxy:
    """A TCP proxy in front of the relay that closes a connection once the relay has sent
    nothing for `idle` seconds, as nginx does after `proxy_read_timeout` (60 s by default) and
    a load balancer after its idle timeout."""

    def __init__(self, target: str, idle: float) -> None:
        self.target = ("127.0.0.1", int(target.rsplit(":", 1)[1]))
        self.idle = idle
        self.closed_for_idleness = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._stop = threading.Event()

    def __enter__(self) -> IdleClosingProxy:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._listener.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                browser, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._pipe, args=(browser,), daemon=True).start()

    def _pipe(self, browser: socket.socket) -> None:
        with browser, socket.create_connection(self.target) as relay:
            # Idle while a response is due: from the browser's request (a connection opened
            # ahead is not counted), then from the relay's last byte, until the last chunk.
            last_from_relay: float | None = None
            while not self._stop.is_set():
                ready, _, _ = select.select([browser, relay], [], [], 0.02)
                for source in ready:
                    data = source.recv(65536)
                    if not data:
                        return
                    (relay if source is browser else browser).sendall(data)
                    last_from_relay = time.monotonic()
                    if source is relay and data.endswith(b"0\r\n\r\n"):
                        last_from_relay = None  # the response is complete
                if last_from_relay is not None and time.monotonic() - last_from_relay > self.idle:
                    self.closed_for_idleness += 1
                    return


def wait_for(condition: Any, seconds: float = 10.0) -> bool:
    """Poll until `condition` holds; the deadline only bounds a failing test."""
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)
    return bool(condition())


def test_the_generic_snippet_test_leaves_the_relay_snippets_to_this_file() -> None:
    assert {"relay/relay_app.py", "relay/relay_starlette.py"} <= SERVED_SNIPPETS
    assert "relay/browser_client.py" in SERVED_SNIPPET_CLIENTS
    assert QUESTION in BROWSER_CLIENT.read_text()
    # The two relays answer the same question from the same stream.
    twin = load_recordings_for(RELAY_STARLETTE, ROOT)
    assert [r.request for r in twin] == [r.request for r in RECORDINGS]


def relayed_events(body: str) -> list[tuple[str, dict[str, str | None]]]:
    """The relay's events as (name, data), parsed from its body as an EventSource would,
    comments (keepalives) left out; both line ends, as sse-starlette sends CRLF."""
    parsed = []
    for block in body.replace("\r\n", "\n").split("\n\n")[:-1]:
        fields = dict(line.split(": ", 1) for line in block.split("\n") if line[:1] != ":")
        if fields:
            parsed.append((fields["event"], json.loads(fields["data"])))
    return parsed


def keepalives(body: str) -> int:
    return sum(line.startswith(":") for line in body.replace("\r\n", "\n").split("\n"))


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


@pytest.mark.parametrize("snippet", RELAYS, ids=["fastapi", "sse-starlette"])
def test_the_relay_makes_its_client_when_it_starts_not_at_import(
    monkeypatch: pytest.MonkeyPatch, snippet: Path
) -> None:
    # relay.md, testing.md: a test imports the app before the environment points at the
    # replay server; a client made at import would keep the real key and address.
    app: Any = runpy.run_path(str(snippet), run_name="relay")["app"]  # no key, no URL yet
    with ReplayServer(RECORDINGS, speed=0) as upstream:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", upstream.url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", PLACEHOLDER_KEY)
        with ThreadedServer(app) as relay:
            body = httpx.get(f"{relay.url}/chat", params={"q": QUESTION}, timeout=30).text
    assert upstream.served == RECORDINGS
    assert relayed_events(body)[-1][0] == "done"


def test_a_test_can_give_the_fastapi_relay_a_client_of_its_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # relay.md: the client is a dependency, which a test may override (FastAPI's own way).
    import anthropic

    monkeypatch.setenv("ANTHROPIC_API_KEY", PLACEHOLDER_KEY)  # the app's own, never used
    relay_app = runpy.run_path(str(RELAY_APP), run_name="relay")
    with ReplayServer(RECORDINGS, speed=0) as upstream:
        client = anthropic.AsyncAnthropic(base_url=upstream.url, api_key=PLACEHOLDER_KEY)
        relay_app["app"].dependency_overrides[relay_app["get_client"]] = lambda: client
        with ThreadedServer(relay_app["app"]) as relay:
            body = httpx.get(f"{relay.url}/chat", params={"q": QUESTION}, timeout=30).text
    assert upstream.served == RECORDINGS
    assert relayed_events(body)[-1][0] == "done"


@pytest.mark.parametrize(
    ("snippet", "cache_control"), [(RELAY_APP, "no-cache"), (RELAY_STARLETTE, "no-store")]
)
def test_the_relay_sends_the_headers_that_stop_buffering(
    monkeypatch: pytest.MonkeyPatch, snippet: Path, cache_control: str
) -> None:
    # relay.md: both libraries set the headers themselves, the relay code none.
    with (
        relay_against_replay(monkeypatch, snippet=snippet) as (relay, _),
        httpx.stream("GET", f"{relay.url}/chat", params={"q": QUESTION}) as response,
    ):
        body = response.read().decode()
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert response.headers["cache-control"] == cache_control
    assert response.headers["x-accel-buffering"] == "no"
    # Each event is flushed as its own chunk of the chunked body, never held back.
    assert response.headers["transfer-encoding"] == "chunked"
    assert relayed_events(body)[-1] == (
        "done",
        {"stop_reason": "end_turn", "request_id": REQUEST_ID},
    )


@pytest.mark.parametrize("snippet", RELAYS, ids=["fastapi", "sse-starlette"])
def test_a_browser_that_goes_away_makes_the_relay_close_its_upstream(
    monkeypatch: pytest.MonkeyPatch, snippet: Path
) -> None:
    with relay_against_replay(monkeypatch, [STALL_AFTER_FIRST_TEXT], snippet=snippet) as (
        relay,
        upstream,
    ):
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
        done = json.dumps({"stop_reason": "end_turn", "request_id": REQUEST_ID})
        assert body.endswith(f"event: done\ndata: {done}\n\n")
        assert upstream.abandoned == 0


@pytest.mark.parametrize("snippet", RELAYS, ids=["fastapi", "sse-starlette"])
def test_keepalives_fill_a_silence_of_the_api(
    monkeypatch: pytest.MonkeyPatch, snippet: Path
) -> None:
    # relay.md: a ": ping" comment while the stream from the API is silent (here a 1 s stall
    # after the first text, with the keepalive shortened to 0.2 s); the events are unchanged.
    stall = StallBefore(6, 1.0)
    with relay_against_replay(monkeypatch, [stall], snippet=snippet, keepalive=0.2) as (
        relay,
        _,
    ):
        body = httpx.get(f"{relay.url}/chat", params={"q": QUESTION}).text
    assert 3 <= keepalives(body) <= 8
    assert [name for name, _ in relayed_events(body)] == ["text"] * 11 + ["done"]


def test_fastapi_writes_keepalives_only_into_silences(monkeypatch: pytest.MonkeyPatch) -> None:
    # relay.md: FastAPI's comes after a silence of the generator, not on a clock: a stream
    # with no pause longer than the interval gets none between its events.
    with relay_against_replay(monkeypatch, keepalive=0.5) as (relay, _):
        body = httpx.get(f"{relay.url}/chat", params={"q": QUESTION}).text
    events = body.split("event: text", 1)[1]  # after the first event: the stream flows
    assert keepalives(events) == 0


def test_fastapi_sends_its_keepalive_after_15_seconds_of_silence_only() -> None:
    # relay.md: the interval, and the comment, of FastAPI 0.165.0 and sse-starlette 3.7.0.
    import fastapi
    import fastapi.routing
    import fastapi.sse
    import sse_starlette
    from sse_starlette import EventSourceResponse

    assert fastapi.__version__ == "0.165.0"
    interval = getattr(fastapi.routing, "_PING_INTERVAL")  # noqa: B009 (imported by name there)
    assert fastapi.sse._PING_INTERVAL == interval == 15.0
    assert fastapi.sse.KEEPALIVE_COMMENT == b": ping\n\n"
    assert sse_starlette.__version__ == "3.7.0"
    assert EventSourceResponse.DEFAULT_PING_INTERVAL == 15
    page = " ".join((DOCS_DIR / "relay.md").read_text().split())
    assert "FastAPI 0.165.0" in page
    assert "sse-starlette 3.7.0" in page


@pytest.mark.parametrize(
    ("fault", "last"),
    [
        (ErrorEvent(5), ("error", {"type": "overloaded_error", "request_id": REQUEST_ID})),
        (CutAfter(5), ("error", {"type": "relay_error", "request_id": REQUEST_ID})),
    ],
    ids=["error-event", "cut-connection"],
)
@pytest.mark.parametrize("snippet", RELAYS, ids=["fastapi", "sse-starlette"])
def test_an_upstream_failure_reaches_the_browser_as_an_error_event(
    monkeypatch: pytest.MonkeyPatch, snippet: Path, fault: Fault, last: tuple[str, Any]
) -> None:
    with relay_against_replay(monkeypatch, [fault], snippet=snippet) as (relay, _):
        body = httpx.get(f"{relay.url}/chat", params={"q": QUESTION}).text
    events = relayed_events(body)
    # The text that arrived first was passed on; then the error, with the request id.
    assert events[0] == ("text", {"text": "A proxy buffers a response"})
    assert events[-1] == last
    assert "done" not in [name for name, _ in events]


def test_an_http_error_before_the_stream_passes_its_request_id_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The replay server gives an error response a request id of its own, as the API does.
    with relay_against_replay(monkeypatch, [parse_fault("http:400")]) as (relay, _):
        body = httpx.get(f"{relay.url}/chat", params={"q": QUESTION}).text
    [(name, data)] = relayed_events(body)
    assert (name, data["type"]) == ("error", "invalid_request_error")
    assert str(data["request_id"]).startswith("req_")


[RECORDING] = RECORDINGS
EVENTS = RECORDING.response.events


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
            *texts, (name, data) = relayed_events(body)
            assert (name, data["type"]) == ("error", "relay_error"), count
            assert [data for _, data in texts] == texts_of(EVENTS[:count])
            assert len(upstream.served) == count + 1


def shortened(count: int) -> Recording:
    """The relay's recording, ending cleanly after its first `count` events."""
    return dataclasses.replace(
        RECORDING, response=dataclasses.replace(RECORDING.response, events=EVENTS[:count])
    )


@pytest.mark.parametrize("snippet", RELAYS, ids=["fastapi", "sse-starlette"])
def test_a_body_that_ends_early_but_cleanly_is_an_error_too(
    monkeypatch: pytest.MonkeyPatch, snippet: Path
) -> None:
    # relay.md: the SDK raises nothing when the body ends cleanly before message_stop (its
    # stop_reason is None, see truncated.md); the relay still sends `error`, not `done`,
    # including after message_delta, when the stop reason is already known.
    counts = range(len(EVENTS))
    recordings = [shortened(count) for count in counts]
    with relay_against_replay(monkeypatch, recordings=recordings, snippet=snippet) as (relay, _):
        for count in counts:
            body = httpx.get(f"{relay.url}/chat", params={"q": QUESTION}).text
            *texts, last = relayed_events(body)
            assert last == ("error", {"type": "incomplete_stream", "request_id": REQUEST_ID})
            assert [data for _, data in texts] == texts_of(EVENTS[:count])


@pytest.mark.parametrize(
    ("spec", "texts", "last_line"),
    [
        ("error:5", 2, f'error {{"type": "overloaded_error", "request_id": "{REQUEST_ID}"}}'),
        ("cut:5", 2, f'error {{"type": "relay_error", "request_id": "{REQUEST_ID}"}}'),
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
    # `error {"type": "overloaded_error", ...}`. `--fault cut:5` gives `relay_error`."
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


@contextmanager
def chromium_page(context: BrowserContext, origin: str) -> Iterator[Any]:
    """A Chromium page at `origin`/ whose document is served by the test, not by the relay:
    a page of the worker's browser context (tests/browser.py), closed with what it stored."""
    page = context.new_page()
    try:
        page.route(
            f"{origin}/",
            lambda route: route.fulfill(body=CHAT_PAGE, content_type="text/html"),
        )
        page.goto(f"{origin}/")
        yield page
    finally:
        page.close()
        context.clear_cookies()


CHAT_PAGE = '<!doctype html><title>chat</title><p id="answer"></p><p id="status"></p>'


def test_a_browser_gets_the_events_by_name_and_would_reconnect_at_the_end(
    monkeypatch: pytest.MonkeyPatch, browser_context: BrowserContext
) -> None:
    # relay.md: EventSource dispatches each event under its name; when the response ends it
    # fires an `error` event of its own (no data) and is CONNECTING again, so the page must
    # close() it at `done`; the relay's `error` event reaches the same listener, with data.
    url = "/chat?q=" + QUESTION
    with (
        relay_against_replay(monkeypatch, [ErrorEvent(5, on_request=2)]) as (relay, upstream),
        chromium_page(browser_context, relay.url) as page,
    ):
        finished = page.evaluate(EVENT_SOURCE, url)
        failed = page.evaluate(EVENT_SOURCE, url)
        assert len(upstream.served) == 2  # closed in time: no reconnection asked again

    connecting, open_ = 0, 1  # EventSource.readyState
    done = json.dumps({"stop_reason": "end_turn", "request_id": REQUEST_ID})
    assert [e["type"] for e in finished] == ["text"] * 11 + ["done", "error"]
    assert finished[-2] == {"type": "done", "data": done, "state": open_}
    assert finished[-1] == {"type": "error", "data": None, "state": connecting}
    overloaded = json.dumps({"type": "overloaded_error", "request_id": REQUEST_ID})
    assert failed[-2:] == [
        {"type": "error", "data": overloaded, "state": open_},
        {"type": "error", "data": None, "state": connecting},
    ]


def ask_in_chromium(page: Any, *, midway: str | None = None) -> tuple[str, str, str]:
    """Run chat.js's ask() and wait for its end: the answer, the status and its class.

    `midway`: the text the page must show while the stream is still open (during a stall)."""
    page.add_script_tag(path=str(CHAT_JS))
    page.evaluate("(question) => ask(question)", QUESTION)
    if midway is not None:
        page.wait_for_function(
            "(text) => document.getElementById('answer').textContent === text", arg=midway
        )
        assert page.evaluate("document.getElementById('status').textContent") == "Answering…"
    page.wait_for_function(
        "document.getElementById('status').textContent !== 'Answering…'", timeout=15_000
    )
    time.sleep(0.3)  # a reconnection, had close() been forgotten, would come now
    answer, status, state = page.evaluate(
        """() => {
          const [answer, status] = ["answer", "status"].map((id) => document.getElementById(id));
          return [answer.textContent, status.textContent, status.className];
        }"""
    )
    return answer, status, state


WHOLE_ANSWER = "".join(d["text"] or "" for d in texts_of(EVENTS))
FIRST_TWO_TEXTS = "".join(d["text"] or "" for d in texts_of(EVENTS[:5]))  # before the stall


# Seconds. The keepalive a tenth of the proxy's idle limit: a loaded machine that runs the
# relay's timer late (0.2 s against 0.5 s failed a CI run) still keeps the connection alive.
STALL, PROXY_IDLE, KEEPALIVE = 2.0, 1.0, 0.1


def test_the_page_gives_the_stall_proxy_and_keepalive_of_the_test() -> None:
    page = " ".join((DOCS_DIR / "relay.md").read_text().split())
    assert f"stalls for {STALL:g} s after its first text" in page
    assert f"closes any connection idle for {PROXY_IDLE:g} s" in page
    assert f"keepalive shortened to {KEEPALIVE:g} s" in page


@pytest.mark.parametrize(
    ("keepalive", "survives"), [(KEEPALIVE, True), (None, False)], ids=["keepalive", "none"]
)
def test_the_page_survives_a_stall_behind_an_idle_closing_proxy_thanks_to_keepalives(
    monkeypatch: pytest.MonkeyPatch,
    browser_context: BrowserContext,
    keepalive: float | None,
    survives: bool,
) -> None:
    # relay.md: the API is silent for STALL s after the first text; a proxy closes connections
    # idle for PROXY_IDLE s. With a keepalive every KEEPALIVE s the page shows the whole answer;
    # with FastAPI's 15 s (the control), the proxy cuts the stream: the page's error state.
    stall = StallBefore(6, STALL)
    with (
        relay_against_replay(monkeypatch, [stall], keepalive=keepalive) as (relay, upstream),
        IdleClosingProxy(relay.url, idle=PROXY_IDLE) as proxy,
        chromium_page(browser_context, proxy.url) as page,
    ):
        # The text before the stall is on the page while the stream is open: as it arrives.
        answer, status, state = ask_in_chromium(page, midway=FIRST_TWO_TEXTS)
        assert len(upstream.served) == 1  # closed at the end: not asked again
    if survives:
        assert (answer, status, state) == (WHOLE_ANSWER, "", "")
        assert proxy.closed_for_idleness == 0
    else:
        assert answer == FIRST_TWO_TEXTS
        assert (status, state) == ("The answer is incomplete (connection_lost).", "error")
        assert proxy.closed_for_idleness == 1


def test_the_page_shows_a_truncated_stream_as_an_error_with_its_request_id(
    monkeypatch: pytest.MonkeyPatch, browser_context: BrowserContext
) -> None:
    # relay.md: the stream from the API ends cleanly after 6 events, before message_stop.
    with (
        relay_against_replay(monkeypatch, recordings=[shortened(6)]) as (relay, upstream),
        chromium_page(browser_context, relay.url) as page,
    ):
        answer, status, state = ask_in_chromium(page)
        assert len(upstream.served) == 1
    assert answer == "".join(d["text"] or "" for d in texts_of(EVENTS[:6]))
    assert status == f"The answer is incomplete (incomplete_stream). Request id: {REQUEST_ID}"
    assert state == "error"


def test_the_page_gives_the_commands_and_the_versions_it_was_checked_with() -> None:
    import fastapi
    import starlette
    import uvicorn

    page = (DOCS_DIR / "relay.md").read_text()
    assert "python3 dev.py run snippets/relay/relay_app.py" in page
    assert ".venv/bin/python snippets/relay/browser_client.py" in page
    assert f"FastAPI {fastapi.__version__}" in page
    assert f"Starlette {starlette.__version__}" in page
    assert f"uvicorn {uvicorn.__version__}" in page


def test_where_the_sdk_exposes_a_streams_request_id() -> None:
    # relay.md, "The request id": stream.request_id and stream.response.headers on stream();
    # the headers only on create(stream=True); no _request_id on the streamed message.
    import anthropic

    recordings = load_recordings_for(SNIPPETS_DIR / "relay" / "request_id.py", ROOT)
    first = recordings[0].response.headers["request-id"]
    body = recordings[0].request.body  # the JSON of the request, parsed
    with ReplayServer([recordings[0]] * 2, speed=0) as upstream:
        client = anthropic.Anthropic(base_url=upstream.url, api_key=PLACEHOLDER_KEY)
        params: Any = {k: body[k] for k in ("model", "max_tokens", "messages")}
        with client.messages.stream(**params) as stream:
            assert stream.request_id == stream.response.headers["request-id"] == first
            message = stream.get_final_message()
        with pytest.raises(AttributeError):
            message._request_id  # noqa: B018
        raw = client.messages.create(**params, stream=True)
        assert raw.response.headers["request-id"] == first
        assert not hasattr(raw, "request_id")
        raw.close()
    assert anthropic.__version__ == "2.17.0"
    page = " ".join((DOCS_DIR / "relay.md").read_text().split())
    assert "A streamed message has no `_request_id`" in page
