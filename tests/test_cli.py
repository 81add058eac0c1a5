"""The commands a reader types, run exactly as the README and the pages give them.

Each command a reader types runs once as a reader runs it, in a new process (`run`); the
other cases of the same commands, the mistakes and the help, run the package's command
(`python -m stream_replay`) in a fork of this process, which has imported everything already
(`tool`, tests/forked.py): the same code, the same arguments, output and exit code.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from stream_replay import ReplayServer, load_recordings_for, parse_fault

from .forked import run_python, run_tool
from .project import DOCS_DIR, RECORDINGS_DIR, ROOT, output_file, subprocess_env

pytestmark = pytest.mark.e2e
TEXT_STREAM = Path("snippets/first_stream/text_stream.py")
CURL_STREAM = Path("snippets/wire_format/curl_stream.sh")


def run(*command: str, **env: str) -> subprocess.CompletedProcess[str]:
    """A command as a reader types it, in a new process."""
    return subprocess.run(
        command, cwd=ROOT, env=subprocess_env(**env), capture_output=True, text=True, timeout=60
    )


def tool(*arguments: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m stream_replay ARGUMENTS` (what dev.py runs), in a fork of this process."""
    return run_tool(*arguments, timeout=60, env=env)


@pytest.mark.parametrize("snippet", [TEXT_STREAM, CURL_STREAM], ids=str)
def test_dev_run_replays_a_snippet_as_a_reader_would(snippet: Path) -> None:
    if snippet == TEXT_STREAM:  # the command as typed, once
        result = run(sys.executable, "dev.py", "run", str(snippet), "--speed", "0")
    else:  # the same command, for the other kind of snippet
        result = tool("run", str(snippet), "--speed", "0")
    assert result.returncode == 0, result.stderr
    assert result.stdout == output_file(ROOT / snippet).read_text()
    recording = Path("recordings", *snippet.parts[1:]).with_suffix(".toml").as_posix()
    assert f"replaying {recording}: constructed" in result.stderr


def served_command_on_running_page() -> tuple[list[str], list[str]]:
    """The `serve-recordings` block of running.md: its command and the lines it prints."""
    page = (DOCS_DIR / "running.md").read_text()
    block = page.split("$ python3 dev.py serve-recordings", 1)[1].split("```", 1)[0]
    command, *printed = block.strip("\n").splitlines()
    return command.split(), printed


@pytest.mark.parametrize("with_snippet", [True, False], ids=["its snippet", "all"])
def test_the_replay_server_alone_serves_a_plain_snippet_run(with_snippet: bool) -> None:
    """running.md's command prints what the page shows (on a free port, not 8765), and a
    plain `python snippets/...py` with the two printed variables replays through it."""
    arguments, shown = served_command_on_running_page()
    # The page's command as it stands (recorded pace); all recordings at once with no waiting.
    server = subprocess.Popen(
        [sys.executable, "-m", "stream_replay", "serve", "--port", "0"]
        + (arguments if with_snippet else ["--speed", "0"]),
        cwd=ROOT,
        env=subprocess_env(),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        printed, exports = [], {}
        for line in server.stdout:
            printed.append(line.rstrip("\n"))
            if line.strip().startswith("export "):
                name, _, value = line.strip().removeprefix("export ").partition("=")
                exports[name] = value
            if line.startswith("Press Ctrl-C"):
                break
        # `python snippets/...py`, in a fork of this process
        result = run_python(
            [str(TEXT_STREAM)],
            cwd=ROOT,
            env=subprocess_env(**exports),
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert set(exports) == {"ANTHROPIC_BASE_URL", "ANTHROPIC_API_KEY"}
    assert result.returncode == 0, result.stderr
    assert result.stdout == output_file(ROOT / TEXT_STREAM).read_text()
    port = exports["ANTHROPIC_BASE_URL"].rsplit(":", 1)[1]
    as_on_page = [line.replace(f":{port}", ":8765") for line in printed]
    if with_snippet:
        assert as_on_page == shown
    else:
        every = len(list(RECORDINGS_DIR.rglob("*.toml")))
        assert as_on_page[0] == f"Serving {every} recording(s) on http://127.0.0.1:8765 at speed 0."


def test_live_without_a_key_says_what_is_missing() -> None:
    result = tool("run", "--live", str(TEXT_STREAM))
    assert result.returncode == 1
    assert "--live needs ANTHROPIC_API_KEY" in result.stderr


def test_check_reports_a_malformed_recording(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    text = (ROOT / "recordings/first_stream/raw_events.toml").read_text()
    broken.write_text(text.replace('"text":"Bonjour"}}', '"text":"Bonjour"}'))
    result = tool("check", str(broken))
    assert result.returncode == 1
    assert f"{broken}:59: data is not valid JSON" in result.stderr
    ok = run(sys.executable, "dev.py", "check", "recordings")
    assert ok.returncode == 0
    count = len(list((ROOT / "recordings").rglob("*.toml")))
    assert f"{count} file(s) checked, all well-formed." in ok.stdout


def test_a_fault_is_reproduced_from_the_command_line() -> None:
    result = tool("run", str(TEXT_STREAM), "--speed", "0", "--fault", "cut:5")
    assert result.returncode != 0
    # Events 4 and 5 carry the first two pieces of text; then the connection dropped.
    assert result.stdout == "Streaming lets a chat app show"
    assert "incomplete chunked read" in result.stderr


def test_a_bad_fault_spec_is_refused_with_the_list() -> None:
    result = tool("run", str(TEXT_STREAM), "--fault", "x")
    assert result.returncode == 2
    assert "not a fault: 'x'" in result.stderr
    assert "cut-mid:N" in result.stderr


# --------------------------------------------------------------------------- hostile input


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """The error a command printed: one line, no traceback."""
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_a_busy_port_is_one_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = tool("serve", "--port", str(port))
    assert result.returncode == 1
    assert one_line_error(result) == (
        f"stream-replay: port {port} on 127.0.0.1 is in use; choose another with --port"
    )


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("no/such/recordings", "no/such/recordings: no such file or folder"),
        ("docs/assets", "docs/assets: no recordings (.toml) or SSE bodies (.sse)"),
        ("README.md", "README.md: not a recording (.toml) or an SSE body (.sse)"),
    ],
)
def test_check_refuses_what_it_cannot_check(target: str, message: str) -> None:
    result = tool("check", target)
    assert result.returncode == 1
    assert one_line_error(result) == f"stream-replay: {message}"
    assert "checked" not in result.stdout


def test_check_passes_the_real_api_streams_when_present() -> None:
    shared = ROOT.parent / "shared" / "real-streams"
    if not shared.is_dir():
        pytest.skip("the reference streams are not beside this clone")
    result = tool("check", str(shared), "recordings")
    assert result.returncode == 0, result.stderr
    assert "all well-formed" in result.stdout


@pytest.mark.parametrize("speed", ["nan", "inf", "-1", "fast"])
def test_a_speed_must_be_a_finite_number(speed: str) -> None:
    result = tool("run", str(TEXT_STREAM), "--speed", speed)
    assert result.returncode == 2
    assert "--speed" in result.stderr
    assert "Traceback" not in result.stderr


def test_run_help_lists_the_faults_it_promises() -> None:
    result = tool("run", "--help")
    assert "see the list below" in " ".join(result.stdout.split())
    for spec in ("cut:N", "cut-mid:N", "stall:N:T", "http:STATUS[:RETRY_AFTER]"):
        assert spec in result.stdout


def test_a_fault_out_of_range_is_refused_from_the_command_line() -> None:
    result = tool("run", str(TEXT_STREAM), "--fault", "drip:0:1")
    assert result.returncode == 2
    assert "B (bytes a time) must be a whole number, 1 or more" in result.stderr


def test_ctrl_c_during_a_recording_is_one_line(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(ROOT / "snippets", project / "snippets")
    shutil.copytree(ROOT / "recordings", project / "recordings")
    before = (project / "recordings/first_stream/text_stream.toml").read_bytes()
    recordings = list(load_recordings_for(ROOT / TEXT_STREAM, ROOT))
    with ReplayServer(recordings, speed=0, faults=[parse_fault("stall:3:30")]) as upstream:
        recorder = subprocess.Popen(
            [sys.executable, "-m", "stream_replay", "record", str(TEXT_STREAM), "--overwrite"],
            cwd=project,
            env=subprocess_env(ANTHROPIC_API_KEY="k", ANTHROPIC_BASE_URL=upstream.url),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # its own process group, as a terminal's foreground job
        )
        deadline = time.monotonic() + 20
        while not upstream.served and time.monotonic() < deadline:
            time.sleep(0.05)  # until the snippet's request is under way (then stalled)
        os.killpg(recorder.pid, signal.SIGINT)  # what Ctrl-C does
        _, stderr = recorder.communicate(timeout=30)
    assert recorder.returncode == 130
    assert "Traceback" not in stderr
    assert stderr.strip().splitlines()[-1] == (
        "stream-replay: interrupted; no recording was changed"
    )
    assert (project / "recordings/first_stream/text_stream.toml").read_bytes() == before
