"""Every snippet, replayed against its recordings, prints exactly the output shown on its page."""

from __future__ import annotations

from pathlib import Path

import pytest

from stream_replay import recording_paths_for

from .project import RECORDINGS_DIR, ROOT, SNIPPETS, output_file, relative, run_snippet


@pytest.mark.parametrize("snippet", SNIPPETS, ids=relative)
def test_snippet_prints_its_shown_output(
    snippet: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    update_outputs: bool,
) -> None:
    run = run_snippet(snippet, monkeypatch, capsys)

    unused = {r.name for r in run.server.recordings} - {r.name for r in run.server.served}
    assert not unused, f"{relative(snippet)} did not use {sorted(unused)}"
    expected = output_file(snippet)
    if update_outputs:
        expected.write_text(run.stdout, encoding="utf-8")
    elif not expected.exists():
        pytest.fail(f"{relative(expected)} is missing: run `python3 dev.py test --update-outputs`")
    assert run.stdout == expected.read_text(encoding="utf-8"), (
        f"{relative(snippet)} now prints something else than {relative(expected)} "
        "(if that is intended: python3 dev.py test --update-outputs)"
    )


def test_every_recording_belongs_to_a_snippet() -> None:
    used = {path.resolve() for snippet in SNIPPETS for path in recording_paths_for(snippet, ROOT)}
    recordings = {path.resolve() for path in RECORDINGS_DIR.rglob("*.toml")}
    assert sorted(relative(p) for p in recordings - used) == []


def test_there_are_snippets() -> None:
    # Guards the parametrized test above against silently collecting nothing.
    assert len(SNIPPETS) >= 3
