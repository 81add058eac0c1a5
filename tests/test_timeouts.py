"""What timeouts.md says about the SDK's timeout and an idle limit, checked under stalls."""

from __future__ import annotations

import dataclasses
import itertools
import runpy
import socket
import sys
import time

import anthropic
import httpx
import httpx2
import pytest

from stream_replay import Recording, ReplayServer, StallBefore, load_recording, parse_fault

from .project import DOCS_DIR, PLACEHOLDER_KEY, RECORDINGS_DIR, SNIPPETS_DIR, output_file

SNIPPET = SNIPPETS_DIR / "timeouts" / "idle_timeout.py"
PAGE = DOCS_DIR / "timeouts.md"
RECORDING = load_recording(RECORDINGS_DIR / "timeouts" / "idle_timeout.toml")
IDLE_LIMIT = 1.0  # the snippet's
BODY = RECORDING.request.body
BODY_ARGS = {key: BODY[key] for key in ("model", "max_tokens", "messages")}


def run_snippet(
    faults: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    recording: Recording = RECORDING,
    speed: float = 0,
) -> tuple[str, float, int]:
    capsys.readouterr()
    faulted = [parse_fault(f) for f in faults]
    with ReplayServer([recording], speed=speed, faults=faulted) as server:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", PLACEHOLDER_KEY)
        started = time.monotonic()
        runpy.run_path(str(SNIPPET), run_name="__main__")
        elapsed = time.monotonic() - started
    assert server.mismatches == []
    return capsys.readouterr().out, elapsed, len(server.served)


def client(url: str, read: float, max_retries: int = 2) -> anthropic.Anthropic:
    """A client set up as the snippet sets up its own, with another read timeout."""
    timeout = httpx2.Timeout(600.0, read=read, connect=5.0)
    return anthropic.Anthropic(
        api_key=PLACEHOLDER_KEY, base_url=url, timeout=timeout, max_retries=max_retries
    )


def test_the_watchdog_fires_on_a_stall_longer_than_its_limit(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # timeouts.md: nothing for 3 s after two pieces of text; the 1 s limit gives up before
    # the stall ends (the rest of the text is never printed), no sooner than its limit, and
    # the SDK does not retry a mid-stream timeout. No upper bound on the time: the output
    # already shows that the limit, not the end of the stall, ended the stream.
    out, elapsed, requests = run_snippet(["stall:12:3"], monkeypatch, capsys)

    assert out.endswith(f"\n[nothing for {IDLE_LIMIT} s: gave up on this stream]\n")
    assert out == output_file(SNIPPET).read_text()
    assert elapsed >= IDLE_LIMIT
    assert requests == 1


def test_the_snippet_tells_a_stall_before_the_headers_from_one_after(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # timeouts.md: SDK 2.17.0 raises APITimeoutError on both sides of the response headers;
    # the snippet names the one before them by the `with` block not having been entered, after
    # the SDK's retries (three requests, each given up after the limit).
    slow = dataclasses.replace(RECORDING, response=dataclasses.replace(RECORDING.response, at=2.0))
    out, elapsed, requests = run_snippet([], monkeypatch, capsys, slow, speed=1)
    assert out == "\n[no response: timed out, retries spent]\n"
    assert requests == 3
    assert elapsed >= 3 * IDLE_LIMIT


def test_the_watchdog_stays_quiet_without_a_stall(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out, _, _ = run_snippet([], monkeypatch, capsys)
    assert out.endswith("such as a restart.\n[complete: end_turn]\n")


def test_the_read_timeout_is_per_read_and_pings_count_as_data() -> None:
    # timeouts.md: at its recorded pace the stream lasts longer than the 1 s read timeout,
    # and the events the SDK hands to the loop are more than 1 s apart during the thinking
    # (it drops the pings), yet the timeout does not fire: every gap on the wire is shorter.
    events = RECORDING.response.events
    wire_gaps = [b.at - a.at for a, b in itertools.pairwise(events)]
    assert max(wire_gaps) < 0.5
    with ReplayServer([RECORDING], speed=1) as server:
        arrivals: list[float] = []
        started = time.monotonic()
        with client(server.url, IDLE_LIMIT).messages.create(**BODY_ARGS, stream=True) as stream:
            for event in stream:
                arrivals.append(time.monotonic() - started)
                last = event.type
    assert last == "message_stop"
    assert arrivals[-1] > IDLE_LIMIT  # the whole stream took longer than the read timeout
    loop_gaps = [b - a for a, b in itertools.pairwise(arrivals)]
    assert max(loop_gaps) > IDLE_LIMIT  # a watchdog around the loop, at 1 s, would have fired


def test_a_stall_mid_stream_raises_api_timeout_error_and_is_not_retried() -> None:
    # timeouts.md: after the response headers, the timeout is anthropic.APITimeoutError (SDK
    # 2.17.0; httpx2.ReadTimeout itself before it), httpx2's error its cause, not retried.
    with (
        ReplayServer([RECORDING], speed=0, faults=[StallBefore(12, 1.0)]) as server,
        pytest.raises(anthropic.APITimeoutError) as raised,
        client(server.url, 0.3).messages.stream(**BODY_ARGS) as stream,
    ):
        stream.until_done()
    assert isinstance(raised.value.__cause__, httpx2.ReadTimeout)
    assert len(server.served) == 1


def test_a_timeout_before_the_headers_is_an_api_timeout_error_and_is_retried() -> None:
    # timeouts.md: the read timeout also bounds the wait for the response headers; that
    # timeout is anthropic.APITimeoutError, and the SDK retries it (here once).
    slow = dataclasses.replace(RECORDING, response=dataclasses.replace(RECORDING.response, at=0.8))
    with (
        ReplayServer([slow], speed=1) as server,
        pytest.raises(anthropic.APITimeoutError) as raised,
        client(server.url, 0.3, max_retries=1).messages.stream(**BODY_ARGS) as stream,
    ):
        stream.until_done()
    assert isinstance(raised.value.__cause__, httpx2.ReadTimeout)
    assert len(server.served) == 2


def test_the_sdk_default_timeout() -> None:
    # timeouts.md: 600 s for each of read, write and pool, 5 s to connect (SDK 2.17.0), the
    # same for a stream as for any request made with the default client.
    default = anthropic.Anthropic(api_key=PLACEHOLDER_KEY).timeout
    assert isinstance(default, httpx2.Timeout)
    assert default.as_dict() == {"connect": 5.0, "read": 600, "write": 600, "pool": 600}
    assert default == anthropic.DEFAULT_TIMEOUT


def test_a_float_timeout_sets_all_four() -> None:
    everything = dict.fromkeys(["connect", "read", "write", "pool"], 20.0)
    assert httpx2.Timeout(20.0).as_dict() == everything


def test_an_httpx_timeout_is_refused() -> None:
    # timeouts.md: the Python SDK page shows httpx.Timeout; SDK 2.17.0 runs on httpx2.
    with pytest.raises(TypeError, match=r"Use `httpx2\.Timeout` instead"):
        anthropic.Anthropic(api_key=PLACEHOLDER_KEY, timeout=httpx.Timeout(5.0))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("timeout", "header"),
    [(None, "600"), (httpx2.Timeout(600.0, read=IDLE_LIMIT, connect=5.0), "1.0")],
)
def test_the_read_timeout_is_sent_in_x_stainless_read_timeout(
    timeout: httpx2.Timeout | None, header: str
) -> None:
    sent: list[httpx2.Headers] = []
    with ReplayServer([RECORDING], speed=0) as server:
        http_client = httpx2.Client(event_hooks={"request": [lambda r: sent.append(r.headers)]})
        sdk = anthropic.Anthropic(
            api_key=PLACEHOLDER_KEY,
            base_url=server.url,
            http_client=http_client,
            timeout=anthropic.NOT_GIVEN if timeout is None else timeout,
        )
        with sdk.messages.stream(**BODY_ARGS) as stream:
            stream.until_done()
    assert sent[0]["x-stainless-read-timeout"] == header


def test_the_page_names_the_sdk_version_the_tests_run() -> None:
    import httpcore2

    page = " ".join(PAGE.read_text().split())
    assert f"SDK {anthropic.__version__}" in page
    assert httpx2.__version__ == httpcore2.__version__
    assert f"`httpcore2` {httpcore2.__version__}" in page


@pytest.mark.skipif(sys.platform != "linux", reason="the page gives the Linux values")
def test_the_default_client_turns_on_tcp_keep_alive() -> None:
    # timeouts.md: on Linux, SDK 2.17.0's default HTTP client probes after 60 s of idleness,
    # every 60 s, and gives up after 5 unanswered probes. Read from the socket of a stream.
    with ReplayServer([RECORDING], speed=0) as server:
        sdk = anthropic.Anthropic(api_key=PLACEHOLDER_KEY, base_url=server.url)
        with sdk.messages.create(**BODY_ARGS, stream=True) as stream:
            sock = stream.response.extensions["network_stream"].get_extra_info("socket")
            options = (
                sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE),
                sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE),
                sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL),
                sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT),
            )
            for _ in stream:
                pass
    keep_alive, idle, interval, count = options
    assert keep_alive == 1
    page = " ".join(PAGE.read_text().split())
    assert (
        f"starts probing after {idle} s of idleness, sends a probe every {interval} s, and "
        f"gives up after {count} unanswered probes"
    ) in page


def test_the_numbers_the_page_reads_from_the_stream_and_the_fault() -> None:
    # timeouts.md: "No two events on the wire are more than half a second apart" (checked
    # above) and "three pings come while the model thinks"; the stall of `stall:12:3` comes
    # after the first two pieces of text.
    page = " ".join(PAGE.read_text().split())
    names = [event.name for event in RECORDING.response.events]
    thinking_end = names.index("content_block_stop")
    assert names[:thinking_end].count("ping") == 3
    assert "three pings come while the model thinks" in page
    stall = parse_fault("stall:12:3")
    assert isinstance(stall, StallBefore)
    assert (stall.event, stall.seconds) == (12, 3)
    texts = [
        event
        for event in RECORDING.response.events[: stall.event - 1]
        if event.name == "content_block_delta" and event.data["delta"]["type"] == "text_delta"
    ]
    assert len(texts) == 2
    assert "after the first two pieces of text, the server sends nothing for 3 seconds" in page
