"""Recording through the proxy, with the replay server standing in for the API (no network)."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import json
import os
import shutil
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from stream_replay import Recording, ReplayServer, _recorder, load_recording, parse_fault
from stream_replay._recorder import RecordingProxy, record_snippet
from stream_replay._secrets import SecretFinder

from .forked import forking_subprocess
from .project import RECORDINGS_DIR, ROOT, SNIPPETS_DIR

FAKE_KEY = "sk-ant-api03-" + "x" * 20
SPEED = 1  # the recorded pace: buffering shows in the offsets, even after a pause under load
TODAY = dt.date(2026, 11, 30)
ORIGINALS = {
    path.stem: load_recording(path) for path in (RECORDINGS_DIR / "first_stream").glob("*.toml")
}


@pytest.fixture(autouse=True)
def snippets_forked(monkeypatch: pytest.MonkeyPatch) -> None:
    """The recorder runs each snippet in a process of its own, as `python SNIPPET`: here a fork
    of this one (tests/forked.py), which has imported the SDK already. tests/test_cli.py
    records through the command itself, with a new interpreter."""
    monkeypatch.setattr(_recorder, "subprocess", forking_subprocess)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of snippets/ and recordings/, so recording never overwrites the real files."""
    shutil.copytree(SNIPPETS_DIR, tmp_path / "snippets")
    shutil.copytree(RECORDINGS_DIR, tmp_path / "recordings")
    monkeypatch.setenv("ANTHROPIC_API_KEY", FAKE_KEY)
    # The snippet subprocess gets the network guard too.
    monkeypatch.setenv("PYTHONPATH", str(ROOT / "tests" / "network_guard"))
    return tmp_path


@pytest.fixture
def upstream() -> Iterator[ReplayServer]:
    with ReplayServer(list(ORIGINALS.values()), speed=0) as server:
        yield server


def write_snippet(project: Path, name: str, body: str, *, sdk: bool = True) -> Path:
    snippet = project / "snippets" / "first_stream" / f"{name}.py"
    setup = "import anthropic\n\nclient = anthropic.Anthropic()\n" if sdk else ""
    snippet.write_text(setup + textwrap.dedent(body))
    return snippet


@pytest.mark.parametrize("name", ["text_stream", "raw_events"])
def test_records_a_stream_as_it_was_served(
    name: str, project: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    stale = project / "recordings" / "first_stream" / name / "1.toml"
    stale.parent.mkdir()
    shutil.copy(project / "recordings" / "first_stream" / f"{name}.toml", stale)

    with ReplayServer(list(ORIGINALS.values()), speed=SPEED) as upstream:
        snippet = project / "snippets" / "first_stream" / f"{name}.py"
        code = record_snippet(snippet, upstream=upstream.url, today=TODAY, overwrite=True)

    assert code == 0
    written = project / "recordings" / "first_stream" / f"{name}.toml"
    assert f"wrote recordings/first_stream/{name}.toml" in capfd.readouterr().out
    assert not stale.parent.exists(), "the other layout's stale files are removed"
    assert FAKE_KEY not in written.read_text(encoding="utf-8")
    recorded, original = load_recording(written), ORIGINALS[name]
    assert [e.raw for e in recorded.response.events] == [e.raw for e in original.response.events]
    assert recorded.request == original.request
    assert recorded.response.status == 200
    # The replay server adds a request-id where the recording has none, as the API would.
    assert recorded.response.headers == {
        "request-id": "req_replay_0001",
        **original.response.headers,
    }
    # Each event is noted when it arrives: never before the upstream sent it, and spread out
    # as it was sent (a proxy that buffered the body would note them all at the end).
    events = recorded.response.events
    for got, sent in zip(events, original.response.events, strict=True):
        assert got.at >= sent.at / SPEED - 0.001  # less the rounding to milliseconds
    sent_span = original.response.events[-1].at - original.response.events[0].at
    assert events[-1].at - events[0].at > sent_span / SPEED / 2
    provenance = recorded.provenance
    assert (provenance.source, provenance.upstream) == ("proxy", upstream.url)
    assert (provenance.recorded_at, provenance.model) == (TODAY, "claude-sonnet-5-5")
    assert provenance.client is not None
    assert provenance.client.startswith("Anthropic/Python")


def test_several_requests_make_numbered_files(project: Path, upstream: ReplayServer) -> None:
    snippet = write_snippet(
        project,
        "two",
        """
        for max_tokens, question in [
            (1024, "In two sentences: why do chat apps stream replies?"),
            (256, "Say hello in French, Spanish and German."),
        ]:
            messages = [{"role": "user", "content": question}]
            with client.messages.stream(
                model="claude-sonnet-5-5", max_tokens=max_tokens, messages=messages
            ) as stream:
                print(stream.get_final_message().stop_reason)
    """,
    )
    stale = project / "recordings" / "first_stream" / "two.toml"
    shutil.copy(project / "recordings" / "first_stream" / "text_stream.toml", stale)

    assert record_snippet(snippet, upstream=upstream.url, today=TODAY, overwrite=True) == 0

    folder = project / "recordings" / "first_stream" / "two"
    assert sorted(p.name for p in folder.iterdir()) == ["1.toml", "2.toml"]
    assert not stale.exists()
    for path, original in zip(
        sorted(folder.iterdir()), [ORIGINALS["text_stream"], ORIGINALS["raw_events"]], strict=True
    ):
        recorded = load_recording(path)
        assert recorded.request == original.request
        assert recorded.sse_body == original.sse_body
        assert FAKE_KEY not in path.read_text(encoding="utf-8")


def test_an_http_error_is_forwarded_and_recorded_with_its_body(
    project: Path, upstream: ReplayServer, capfd: pytest.CaptureFixture[str]
) -> None:
    snippet = write_snippet(
        project,
        "rejected",
        """
        try:
            client.messages.create(
                model="claude-sonnet-5-5",
                max_tokens=1,  # no recording has this: the replay server answers 400
                messages=[{"role": "user", "content": "Hi"}],
            )
        except anthropic.BadRequestError as error:
            print(f"HTTP {error.status_code} {error.type}")
    """,
    )

    assert record_snippet(snippet, upstream=upstream.url, today=TODAY, overwrite=True) == 0

    assert "HTTP 400 invalid_request_error" in capfd.readouterr().out
    recorded = load_recording(project / "recordings" / "first_stream" / "rejected.toml")
    assert recorded.response.status == 400
    assert recorded.response.events == ()
    assert recorded.response.body is not None
    assert b'"invalid_request_error"' in recorded.response.body
    assert recorded.response.headers["content-type"] == "application/json"
    assert recorded.response.headers["request-id"].startswith("req_replay_")
    assert recorded.request.body["max_tokens"] == 1
    assert recorded.provenance.model == "claude-sonnet-5-5"  # from the request: no stream


def test_a_snippet_that_sends_nothing_fails(project: Path, upstream: ReplayServer) -> None:
    snippet = write_snippet(project, "silent", "print('no request')", sdk=False)

    assert record_snippet(snippet, upstream=upstream.url) == 1
    assert not (project / "recordings" / "first_stream" / "silent.toml").exists()


def test_the_live_api_needs_a_key(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY")

    assert record_snippet(project / "snippets" / "first_stream" / "text_stream.py") == 1


# --------------------------------------------------------------------------- hostile input

TEXT_STREAM = ORIGINALS["text_stream"]
CATCHING_SNIPPET = """
    try:
        with client.messages.stream(
            model="claude-sonnet-5-5",
            max_tokens=1024,
            messages=[{"role": "user", "content": QUESTION}],
        ) as stream:
            for text in stream.text_stream:
                print(text, end="")
    except Exception as error:  # the cut: the snippet copes, and exits 0
        print(f"\\n[{type(error).__name__}]")
"""


def text_stream_copy(project: Path, name: str) -> Path:
    question = TEXT_STREAM.request.body["messages"][0]["content"]
    body = f"QUESTION = {question!r}\n" + textwrap.dedent(CATCHING_SNIPPET)
    return write_snippet(project, name, body)


@pytest.mark.parametrize("fault", ["cut:5", "cut-mid:5"])
def test_a_cut_upstream_is_recorded_as_a_cut_and_replayed_as_one(
    fault: str, project: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    snippet = text_stream_copy(project, "cut_copy")
    with ReplayServer([TEXT_STREAM], speed=0, faults=[parse_fault(fault)]) as upstream:
        assert record_snippet(snippet, upstream=upstream.url, today=TODAY) == 0
    assert "recorded as a cut" in capfd.readouterr().out
    path = project / "recordings" / "first_stream" / "cut_copy.toml"
    recorded = load_recording(path)
    assert recorded.response.cut
    assert [e.raw for e in recorded.response.events] == [
        e.raw for e in TEXT_STREAM.response.events[:5]
    ]
    assert recorded.provenance.note is not None
    assert "dropped after 5 events" in recorded.provenance.note
    with (
        ReplayServer([recorded], speed=0) as replay,
        pytest.raises(httpx.RemoteProtocolError),  # the replay drops the connection too
    ):
        httpx.post(
            f"{replay.url}/v1/messages",
            json=recorded.request.body,
            headers={"x-api-key": "k", **recorded.request.headers},
        )


def leaking(*texts: str) -> Recording:
    """The text stream, its text deltas replaced by `texts` (no load-time check on it)."""
    events = TEXT_STREAM.response.events
    deltas = [i for i, e in enumerate(events) if e.name == "content_block_delta"]
    changed = list(events)
    for index, text in zip(deltas, texts, strict=False):
        data = {"type": "content_block_delta", "index": 0}
        data["delta"] = {"type": "text_delta", "text": text}
        raw = f"event: content_block_delta\ndata: {json.dumps(data)}\n\n".encode()
        changed[index] = dataclasses.replace(events[index], raw=raw, data=data)
    response = dataclasses.replace(TEXT_STREAM.response, events=tuple(changed))
    return dataclasses.replace(TEXT_STREAM, response=response)


FORWARDED_KEY = "team-key-" + "Q9w" * 10  # not shaped like sk-ant-: found because it was sent


@pytest.mark.parametrize(
    ("key", "texts"),
    [
        (FAKE_KEY, ("The key: " + FAKE_KEY[:9], FAKE_KEY[9:])),
        (FAKE_KEY, ("base64: " + base64.b64encode(FAKE_KEY.encode()).decode(),)),
        (FAKE_KEY, ("url: " + quote(FAKE_KEY, safe="").replace("-", "%2D"),)),
        (FORWARDED_KEY, ("The key: " + FORWARDED_KEY[:12], FORWARDED_KEY[12:])),
        (FORWARDED_KEY, ("hex: " + FORWARDED_KEY.encode().hex(),)),
    ],
    ids=["split", "base64", "percent-encoded", "sent-key-split", "sent-key-hex"],
)
def test_a_key_in_the_response_is_never_written(
    key: str,
    texts: tuple[str, ...],
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", key)  # what the snippet sends, so the proxy knows
    snippet = text_stream_copy(project, "leak")
    with ReplayServer([leaking(*texts)], speed=0) as upstream:
        code = record_snippet(snippet, upstream=upstream.url, today=TODAY)
    assert code == 1
    err = capfd.readouterr().err
    assert "API key" in err
    assert "nothing written" in err
    assert not (project / "recordings" / "first_stream" / "leak.toml").exists()


def test_the_proxy_knows_every_credential_it_forwards(upstream: ReplayServer) -> None:
    # An upstream may echo a credential back (a gateway's error, a prompt repeating it): the
    # recorder refuses a response holding any key the proxy forwarded, so it must know them
    # all, a lower-case `bearer` token and another vendor's key header included.
    body = ORIGINALS["text_stream"].request.body
    headers = {
        "authorization": "bearer tok-lower-case-1234",
        "x-goog-api-key": "AIzaSy-goog-key-12345",
        "x-api-key": FAKE_KEY,
        "anthropic-version": "2026-10-21",
    }
    with RecordingProxy(upstream.url) as proxy:
        response = httpx.post(f"{proxy.url}/v1/messages", json=body, headers=headers)
    assert response.status_code == 200
    finder = SecretFinder(proxy.keys)
    for echoed in ("tok-lower-case-1234", "AIzaSy-goog-key-12345"):
        assert finder.search(f"Invalid credential: {echoed}") is not None, echoed


def test_the_upstreams_query_is_forwarded_and_never_written() -> None:
    # A gateway authenticated by a query parameter: `--upstream 'https://gw/?key=...'`.
    original = ORIGINALS["text_stream"]
    secret = "gw-query-secret-123"
    gated = dataclasses.replace(
        original,
        request=dataclasses.replace(original.request, path=f"/v1/messages?key={secret}"),
    )
    headers = {"x-api-key": FAKE_KEY, **original.request.headers}
    with (
        ReplayServer([gated], speed=0) as gateway,
        RecordingProxy(f"{gateway.url}/?key={secret}") as proxy,
    ):
        response = httpx.post(
            f"{proxy.url}/v1/messages", json=original.request.body, headers=headers
        )
    assert response.status_code == 200, response.text
    assert gateway.served == [gated]
    [exchange] = proxy.exchanges
    assert exchange.request.path == "/v1/messages"  # what the snippet sent, nothing more
    assert secret in proxy.keys  # refused if a response echoes it


def test_credentials_in_the_upstream_url_are_not_written(
    project: Path, upstream: ReplayServer, capfd: pytest.CaptureFixture[str]
) -> None:
    snippet = project / "snippets" / "first_stream" / "raw_events.py"
    with_credentials = upstream.url.replace("http://", "http://alice:hunter2-secret@")
    code = record_snippet(snippet, upstream=with_credentials, overwrite=True)
    assert code == 0
    text = (project / "recordings" / "first_stream" / "raw_events.toml").read_text()
    assert load_recording(project / "recordings/first_stream/raw_events.toml").provenance.upstream
    assert f'upstream = "{upstream.url}"' in text
    for secret in ("alice", "hunter2"):
        assert secret not in text
        assert secret not in capfd.readouterr().out


def test_an_existing_recording_is_kept_without_overwrite(
    project: Path, upstream: ReplayServer, capfd: pytest.CaptureFixture[str]
) -> None:
    path = project / "recordings" / "first_stream" / "raw_events.toml"
    before = path.read_bytes()
    snippet = project / "snippets" / "first_stream" / "raw_events.py"
    assert record_snippet(snippet, upstream=upstream.url, today=TODAY) == 1
    assert path.read_bytes() == before
    assert "pass --overwrite" in capfd.readouterr().err
    assert record_snippet(snippet, upstream=upstream.url, today=TODAY, overwrite=True) == 0
    assert load_recording(path).provenance.source == "proxy"


def test_a_failure_while_writing_leaves_the_old_recordings_whole(
    project: Path, upstream: ReplayServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = project / "recordings" / "first_stream" / "raw_events.toml"
    before = path.read_bytes()

    def interrupted(source: object, target: object) -> None:
        raise KeyboardInterrupt  # as if Ctrl-C came just as the files were being put in place

    monkeypatch.setattr(os, "replace", interrupted)
    snippet = project / "snippets" / "first_stream" / "raw_events.py"
    with pytest.raises(KeyboardInterrupt):
        record_snippet(snippet, upstream=upstream.url, today=TODAY, overwrite=True)
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir() if p.name.startswith(".")) == []


def test_a_recording_is_bounded_by_events_and_seconds(
    project: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    snippet = project / "snippets" / "first_stream" / "raw_events.py"
    path = project / "recordings" / "first_stream" / "raw_events.toml"
    before = path.read_bytes()
    with ReplayServer(list(ORIGINALS.values()), speed=0) as upstream:
        code = record_snippet(snippet, upstream=upstream.url, overwrite=True, max_events=3)
    assert code == 1
    assert "passed 3 events (--max-events); nothing written" in capfd.readouterr().err
    stalled = [parse_fault("stall:2:30")]
    with ReplayServer(list(ORIGINALS.values()), speed=0, faults=stalled) as upstream:
        start = time.monotonic()
        code = record_snippet(snippet, upstream=upstream.url, overwrite=True, max_seconds=1)
        took = time.monotonic() - start
    assert code == 1
    assert "ran past 1 s (--max-seconds); nothing written" in capfd.readouterr().err
    assert took < 20  # stopped at the bound, not after the 30 s stall
    assert path.read_bytes() == before


def test_the_upstream_defaults_to_anthropic_base_url(
    project: Path, upstream: ReplayServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", upstream.url)
    snippet = project / "snippets" / "first_stream" / "raw_events.py"
    assert record_snippet(snippet, today=TODAY, overwrite=True) == 0
    recorded = load_recording(project / "recordings" / "first_stream" / "raw_events.toml")
    assert recorded.provenance.upstream == upstream.url
