"""Recording through the proxy, with the replay server standing in for the API (no network)."""

from __future__ import annotations

import datetime as dt
import shutil
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from stream_replay import ReplayServer, load_recording
from stream_replay._recorder import record_snippet

from .project import RECORDINGS_DIR, ROOT, SNIPPETS_DIR

FAKE_KEY = "sk-ant-api03-" + "x" * 20
SPEED = 4  # fast, yet slow enough that buffering would show in the recorded offsets
TODAY = dt.date(2026, 11, 30)
ORIGINALS = {
    path.stem: load_recording(path) for path in (RECORDINGS_DIR / "first_stream").glob("*.toml")
}


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
    assert recorded.response.headers == original.response.headers
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
