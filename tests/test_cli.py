"""The commands a reader types, run exactly as the README and the pages give them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from .project import ROOT, output_file, subprocess_env

pytestmark = pytest.mark.e2e
TEXT_STREAM = Path("snippets/first_stream/text_stream.py")
CURL_STREAM = Path("snippets/wire_format/curl_stream.sh")


def run(*command: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=ROOT, env=subprocess_env(**env), capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize("snippet", [TEXT_STREAM, CURL_STREAM], ids=str)
def test_dev_run_replays_a_snippet_as_a_reader_would(snippet: Path) -> None:
    result = run(sys.executable, "dev.py", "run", str(snippet), "--speed", "0")
    assert result.returncode == 0, result.stderr
    assert result.stdout == output_file(ROOT / snippet).read_text()
    recording = Path("recordings", *snippet.parts[1:]).with_suffix(".toml").as_posix()
    assert f"replaying {recording}: constructed" in result.stderr


def test_the_replay_server_alone_serves_a_plain_snippet_run() -> None:
    server = subprocess.Popen(
        [sys.executable, "-m", "stream_replay", "serve", "--port", "0", "--speed", "0"],
        cwd=ROOT,
        env=subprocess_env(),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        exports = {}
        for line in server.stdout:
            if line.strip().startswith("export "):
                name, _, value = line.strip().removeprefix("export ").partition("=")
                exports[name] = value
            if line.startswith("Press Ctrl-C"):
                break
        # `python snippets/...py` with the two printed variables, as running.md says.
        result = run(sys.executable, str(TEXT_STREAM), **exports)
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert set(exports) == {"ANTHROPIC_BASE_URL", "ANTHROPIC_API_KEY"}
    assert result.returncode == 0, result.stderr
    assert result.stdout == output_file(ROOT / TEXT_STREAM).read_text()


def test_live_without_a_key_says_what_is_missing() -> None:
    result = run(sys.executable, "-m", "stream_replay", "run", "--live", str(TEXT_STREAM))
    assert result.returncode == 1
    assert "--live needs ANTHROPIC_API_KEY" in result.stderr


def test_check_reports_a_malformed_recording(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    text = (ROOT / "recordings/first_stream/raw_events.toml").read_text()
    broken.write_text(text.replace('"text":"Bonjour"}}', '"text":"Bonjour"}'))
    result = run(sys.executable, "dev.py", "check", str(broken))
    assert result.returncode == 1
    assert f"{broken}:59: data is not valid JSON" in result.stderr
    ok = run(sys.executable, "dev.py", "check", "recordings")
    assert ok.returncode == 0
    count = len(list((ROOT / "recordings").rglob("*.toml")))
    assert f"{count} file(s) checked, all well-formed." in ok.stdout


def test_a_fault_is_reproduced_from_the_command_line() -> None:
    result = run(
        sys.executable, "dev.py", "run", str(TEXT_STREAM), "--speed", "0", "--fault", "cut:5"
    )
    assert result.returncode != 0
    # Events 4 and 5 carry the first two pieces of text; then the connection dropped.
    assert result.stdout == "Streaming lets a chat app show"
    assert "incomplete chunked read" in result.stderr


def test_a_bad_fault_spec_is_refused_with_the_list() -> None:
    result = run(sys.executable, "-m", "stream_replay", "run", str(TEXT_STREAM), "--fault", "x")
    assert result.returncode == 2
    assert "not a fault: 'x'" in result.stderr
    assert "cut-mid:N" in result.stderr
