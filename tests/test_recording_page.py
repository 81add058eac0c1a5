"""docs/recording.md: every command it gives is run here, and what it shows is what they print."""

from __future__ import annotations

import os
import re
import runpy
import shutil
import subprocess
from pathlib import Path

import pytest

from stream_replay import RecordingError, ReplayServer, load_recording, parse_recording

from .forked import run_python
from .pages import fenced_blocks
from .project import DOCS_DIR, RECORDINGS_DIR, ROOT, subprocess_env

pytestmark = pytest.mark.e2e
PAGE = DOCS_DIR / "recording.md"
SNIPPET = "snippets/first_stream/text_stream.py"
RECORD = f"python3 dev.py record {SNIPPET}"
# Every command the page gives, each run by a test below.
COMMANDS = {
    f"{RECORD} --overwrite",
    "python3 dev.py check recordings/",
    f"python3 dev.py drift --live {SNIPPET}",
}
REPORT = DOCS_DIR / "drift" / "raw_events.txt"


def page_commands() -> list[str]:
    commands = []
    for block in fenced_blocks(PAGE, PAGE.read_text()):
        for line in block.body:
            if block.lang == "console" and line.startswith("$ "):
                command = line[2:].split("#")[0].strip()
                if not command.startswith("export "):
                    commands.append(command)
    return commands


def test_every_command_on_the_page_is_run_by_a_test() -> None:
    assert set(page_commands()) == COMMANDS


# dev.py's own words for the tool's commands: `python3 dev.py record ...` runs
# `python -m stream_replay record ...` once the environment exists (dev.py sets it up first).
DEV_COMMANDS: dict[str, str] = runpy.run_path(str(ROOT / "dev.py"))["REPLAY_COMMANDS"]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project's snippets and recordings, so recording changes no real file."""
    copy = tmp_path / "project"
    for name in ("snippets", "recordings"):
        shutil.copytree(ROOT / name, copy / name)
    return copy


def typed(command: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """A command as a reader types it (after `export ANTHROPIC_API_KEY=...`), run as dev.py
    runs it, in this environment: a copy never builds or touches an environment of its own.
    (`python -m stream_replay ...`, in a fork of this process: tests/forked.py.)"""
    python, script, action, *arguments = command.split()
    assert (python, script) == ("python3", "dev.py")
    return run_python(
        ["-m", "stream_replay", DEV_COMMANDS[action], *arguments],
        cwd=cwd,
        env=subprocess_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_recording_with_a_key_refuses_then_overwrites(project: Path) -> None:
    recordings = [load_recording(RECORDINGS_DIR / "first_stream" / "text_stream.toml")]
    path = project / "recordings" / "first_stream" / "text_stream.toml"
    with ReplayServer(recordings, speed=0) as api:  # stands in for the live API
        env = {"ANTHROPIC_API_KEY": "sk-ant-api03-" + "k" * 30, "ANTHROPIC_BASE_URL": api.url}
        refused = typed(RECORD, project, **env)
        assert refused.returncode == 1
        assert f"\n    {refused.stderr.strip()}\n" in PAGE.read_text()
        assert refused.stderr.strip().endswith("pass --overwrite to replace it")
        result = typed(f"{RECORD} --overwrite", project, **env)
    assert result.returncode == 0, result.stderr
    recorded = load_recording(path)
    assert (recorded.provenance.source, recorded.provenance.upstream) == ("proxy", api.url)
    assert "sk-ant-" not in path.read_text()


def test_checking_the_recordings_says_all_is_well() -> None:
    result = typed("python3 dev.py check recordings/", ROOT)
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"\d+ file\(s\) checked, all well-formed\.\n", result.stdout)
    assert "`N file(s) checked, all well-formed.`" in PAGE.read_text()


def test_the_refusal_the_page_quotes_is_what_loading_says() -> None:
    text = (RECORDINGS_DIR / "first_stream" / "raw_events.toml").read_text()
    key = "sk-ant-api03-" + "v" * 30
    leaked = text.replace('"Bonjour"', f'"{key[:10]}"').replace(
        '" (French), hola"', f'"{key[10:]}"'
    )
    with pytest.raises(RecordingError) as refused:
        parse_recording(leaked, "leak.toml")
    assert f"`{refused.value.reason}`" in PAGE.read_text()


def test_drift_live_on_the_page_reports_no_drift(project: Path) -> None:
    recordings = [load_recording(RECORDINGS_DIR / "first_stream" / "text_stream.toml")]
    with ReplayServer(recordings, speed=0) as api:
        result = typed(
            f"python3 dev.py drift --live {SNIPPET}",
            project,
            ANTHROPIC_API_KEY="k",
            ANTHROPIC_BASE_URL=api.url,
        )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 recording(s) compared: 0 with structural drift." in result.stdout


def test_the_drift_report_shown_is_what_drift_prints(tmp_path: Path, update_outputs: bool) -> None:
    stored = "recordings/first_stream/raw_events.toml"
    changed = (ROOT / stored).read_text()
    changed = changed.replace('"output_tokens":19}', '"output_token_count":19}')
    changed = changed.replace('"stop_reason":"end_turn"', '"stop_reason":"max_tokens"')
    progress = (
        "[[events]]\nat = 0.760\nsse = '''\nevent: message_progress\n"
        'data: {"type":"message_progress"}\n\n\'\'\'\n\n[[events]]\nat = 0.771'
    )
    changed = changed.replace("[[events]]\nat = 0.771", progress)
    new = tmp_path / "new" / "raw_events.toml"
    new.parent.mkdir()
    new.write_text(changed)
    result = run_python(  # python3 dev.py drift STORED NEW: tests/test_drift.py runs it so
        ["-m", "stream_replay", "drift", stored, os.path.relpath(new, ROOT)],
        cwd=ROOT,
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 3, result.stderr
    report = result.stdout.replace(os.path.relpath(new, ROOT), "new/raw_events.toml")
    if update_outputs:
        REPORT.write_text(report, encoding="utf-8")
    assert REPORT.read_text(encoding="utf-8") == report
