"""What docs/async.md says about async streams, checked against the SDK and the snippets."""

from __future__ import annotations

import inspect
import re
import runpy
import time
import tomllib

import anthropic
import pytest

from stream_replay import ReplayServer, load_recordings_for, parse_fault

from .project import DOCS_DIR, PLACEHOLDER_KEY, ROOT, SNIPPETS_DIR, output_file


def test_gather_runs_the_three_streams_at_once(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # async.md: with gather() the three streams take about as long as the slowest one, not as
    # long as all three one after the other. Replayed at the recorded pace.
    snippet = SNIPPETS_DIR / "async_streams" / "gather_streams.py"
    recordings = load_recordings_for(snippet, ROOT)
    durations = [r.response.events[-1].at for r in recordings]
    assert len(durations) == 3
    with ReplayServer(recordings, speed=1) as server:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", PLACEHOLDER_KEY)
        started = time.monotonic()
        runpy.run_path(str(snippet), run_name="__main__")
        elapsed = time.monotonic() - started
    assert not server.mismatches
    assert len(server.served) == 3
    # At once: every request reached the server before any stream had ended (one after the
    # other, each would come after the one before it ended), however loaded the machine.
    exchanges = server.exchanges
    assert [e.outcome for e in exchanges] == ["complete"] * 3
    assert max(e.received for e in exchanges) < min(e.ended or 0.0 for e in exchanges)
    assert elapsed >= max(durations)  # at the recorded pace
    # The order of the printed answers does not depend on which stream ended first.
    assert capsys.readouterr().out == output_file(snippet).read_text()


SYNC_HELPERS = ["close", "get_final_message", "get_final_text", "until_done"]


@pytest.mark.parametrize("name", SYNC_HELPERS)
def test_the_async_stream_has_each_helper_awaitable(name: str) -> None:
    # async.md: the async stream has the same helpers as the sync one, each awaited.
    sync_helper = getattr(anthropic.MessageStream, name)
    async_helper = getattr(anthropic.AsyncMessageStream, name)
    assert not inspect.iscoroutinefunction(sync_helper)
    assert inspect.iscoroutinefunction(async_helper)


def test_the_snapshot_is_a_property_on_both_streams() -> None:
    # async.md: current_message_snapshot is read without await.
    for cls in (anthropic.MessageStream, anthropic.AsyncMessageStream):
        assert isinstance(inspect.getattr_static(cls, "current_message_snapshot"), property)


PAGE = " ".join((DOCS_DIR / "async.md").read_text().split())  # one line, one space


def test_the_page_names_the_sdk_version_the_tests_run() -> None:
    assert set(re.findall(r"SDK (\d+\.\d+\.\d+)", PAGE)) == {anthropic.__version__}


def test_the_connection_limit_on_the_page_is_the_sdks() -> None:
    # async.md: "SDK 2.17.0 allows up to N connections per client".
    limit = anthropic._constants.DEFAULT_CONNECTION_LIMITS.max_connections
    assert f"allows up to {limit} connections per client" in PAGE


def test_the_python_the_page_names_is_the_oldest_the_project_supports() -> None:
    # async.md: TaskGroup is Python 3.11 and later, "the oldest Python this site supports".
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.11"
    assert "`asyncio.TaskGroup` (Python 3.11 and later)" in PAGE


def test_a_cut_stream_in_the_task_group_does_not_cancel_the_others(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # async.md: each task catches its own stream's failure, a broken connection included, so
    # the other streams finish. Whichever request comes first is cut in the middle.
    snippet = SNIPPETS_DIR / "async_streams" / "taskgroup_streams.py"
    with ReplayServer(
        load_recordings_for(snippet, ROOT), speed=0, faults=[parse_fault("cut-mid:3@1")]
    ) as server:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", PLACEHOLDER_KEY)
        runpy.run_path(str(snippet), run_name="__main__")
    printed = capsys.readouterr().out.splitlines()
    assert not server.mismatches
    assert len(printed) == 3
    assert sum(line.endswith("[failed: APIConnectionError]") for line in printed) == 1
    assert len(set(printed) & set(output_file(snippet).read_text().splitlines())) == 2
