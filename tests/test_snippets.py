"""Every snippet, replayed against its recordings, prints exactly the output shown on its page."""

from __future__ import annotations

from pathlib import Path

import pytest

from stream_replay import recording_paths_for

from .project import (
    DOCS_DIR,
    PYTEST_SNIPPETS,
    RECORDINGS_DIR,
    ROOT,
    SERVED_SNIPPET_CLIENTS,
    SERVED_SNIPPETS,
    SNIPPETS,
    SNIPPETS_DIR,
    is_timed,
    output_file,
    outputs_match,
    relative,
    run_snippet,
    snippet_name,
)


@pytest.mark.parametrize("snippet", SNIPPETS, ids=relative)
def test_snippet_prints_its_shown_output(
    snippet: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    update_outputs: bool,
) -> None:
    if snippet_name(snippet) in SERVED_SNIPPETS | SERVED_SNIPPET_CLIENTS:
        pytest.skip("a web app (or its client): tests/test_relay.py serves and checks it")
    if snippet_name(snippet) in PYTEST_SNIPPETS:
        pytest.skip("a test module: tests/test_testing.py runs it with pytest")
    run = run_snippet(snippet, monkeypatch, capsys)

    unused = {r.name for r in run.server.recordings} - {r.name for r in run.server.served}
    assert not unused, f"{relative(snippet)} did not use {sorted(unused)}"
    expected = output_file(snippet)
    if update_outputs:
        expected.write_text(run.stdout, encoding="utf-8")
    elif not expected.exists():
        pytest.fail(f"{relative(expected)} is missing: run `python3 dev.py test --update-outputs`")
    shown = expected.read_text(encoding="utf-8")
    advice = (
        f"{relative(snippet)} now prints something else than {relative(expected)} "
        "(if that is intended: python3 dev.py test --update-outputs)"
    )
    if is_timed(snippet):
        if not update_outputs and not outputs_match(run.stdout, shown, timed=True):
            # It measures real seconds: on a machine the suite's own workers keep busy, a byte
            # can come late enough to change what it prints. The same check, on a second run.
            run = run_snippet(snippet, monkeypatch, capsys)
        assert outputs_match(run.stdout, shown, timed=True), f"{advice}\n{run.stdout}"
    else:
        assert run.stdout == shown, advice


def test_every_recording_belongs_to_a_snippet() -> None:
    used = {
        path.resolve()
        for snippet in SNIPPETS
        # no recordings of their own
        if snippet_name(snippet) not in SERVED_SNIPPET_CLIENTS | PYTEST_SNIPPETS
        for path in recording_paths_for(snippet, ROOT)
    }
    recordings = {path.resolve() for path in RECORDINGS_DIR.rglob("*.toml")}
    assert sorted(relative(p) for p in recordings - used) == []


def test_there_are_snippets() -> None:
    # Guards the parametrized test above against silently collecting nothing.
    assert len(SNIPPETS) >= 3


def test_a_changed_request_fails_with_the_difference(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    original = SNIPPETS_DIR / "first_stream" / "text_stream.py"
    edited = tmp_path / "text_stream.py"
    edited.write_text(original.read_text().replace("max_tokens=1024", "max_tokens=2048"))

    with pytest.raises(pytest.fail.Exception) as failure:
        run_snippet(edited, monkeypatch, capsys, recordings_of=original)

    message = str(failure.value)
    assert message.startswith(
        "No recording matches this request. The closest is recordings/first_stream/text_stream.toml"
    )
    # The page that tells readers about this shows the same message.
    assert message in (DOCS_DIR / "running.md").read_text()


def test_timed_outputs_compare_seconds_within_the_tolerance() -> None:
    shown = "first text after 0.71 s\nwhole reply after 1.45 s\n"
    assert outputs_match("first text after 0.80 s\nwhole reply after 1.50 s\n", shown, timed=True)
    assert not outputs_match(
        "first text after 1.20 s\nwhole reply after 1.50 s\n", shown, timed=True
    )
    assert not outputs_match(
        "first word after 0.71 s\nwhole reply after 1.45 s\n", shown, timed=True
    )
    assert not outputs_match(shown.replace("0.71", "0.72"), shown, timed=False)
