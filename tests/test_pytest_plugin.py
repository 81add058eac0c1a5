"""The pytest plugin (stream_replay.pytest_plugin), run by pytest's own `pytester` on
throwaway test modules, as a reader's suite would use it."""

from __future__ import annotations

import fnmatch
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

# Imported here once: pytester restores sys.modules after each run, so a module first
# imported by a throwaway test would be imported again by the next (1.6 s for the SDK). The
# SDK's transport, httpcore2, is imported only on a client's first request: imported again by
# a later run, its exceptions would be new classes that httpx2 no longer maps, and a stall's
# ReadTimeout would reach the code as a plain APIConnectionError.
import anthropic  # noqa: F401
import httpcore2  # noqa: F401
import httpx2
import pytest

from stream_replay import ReplayServer, load_recording

from .project import RECORDINGS_DIR, ROOT, subprocess_env

pytest_plugins = ["pytester"]

RECORDING = RECORDINGS_DIR / "testing" / "summarise.toml"

# The code under test in the throwaway modules: stream the recorded request, report what
# happened as one word the outer test can read.
CODE = """
import anthropic
import httpx2
import pytest

ARGS = dict(
    model="claude-sonnet-5-5",
    max_tokens=200,
    messages=[{"role": "user", "content": (
        "Summarise in one sentence:\\n\\nThe city council voted on Tuesday to turn the old "
        "tram depot into a public library. Work starts in spring and should take two years."
    )}],
)


def stream(max_tokens=200, read=30.0, max_retries=2):
    client = anthropic.Anthropic(
        timeout=httpx2.Timeout(30.0, read=read), max_retries=max_retries
    )
    with client.messages.stream(**{**ARGS, "max_tokens": max_tokens}) as stream:
        return "".join(stream.text_stream)
"""


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    """A throwaway project whose rootdir holds one recording, recordings/summarise.toml."""
    (pytester.path / "recordings").mkdir()
    shutil.copy(RECORDING, pytester.path / "recordings" / "summarise.toml")
    pytester.makeini("[pytest]\n")  # the rootdir is the project, whatever runs it
    return pytester


def run(project: pytest.Pytester, tests: str) -> pytest.RunResult:
    project.makepyfile(test_code=CODE + tests)
    return project.runpytest("-p", "no:cacheprovider")


def test_a_test_using_the_fixture_streams_from_the_recording(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_AUTH_TOKEN", "a-real-token")
    monkeypatch.setenv("ANTHROPIC_PROFILE", "work")
    result = run(
        project,
        """
import os

@pytest.mark.replay("recordings/summarise.toml")
def test_it(replay):
    assert os.environ["ANTHROPIC_BASE_URL"] == replay.url
    assert os.environ["ANTHROPIC_API_KEY"] == "replay-placeholder-key"
    assert "ANTHROPIC_AUTH_TOKEN" not in os.environ and "ANTHROPIC_PROFILE" not in os.environ
    assert replay.server.speed == 0  # no waiting, unless the marker says otherwise
    assert stream().startswith("The council will turn the old tram depot")
    assert [r.name for r in replay.served] == ["recordings/summarise.toml"]
    assert replay.unused == [] and replay.mismatches == [] and replay.abandoned == 0
""",
    )
    result.assert_outcomes(passed=1)


def test_recordings_are_found_by_the_tests_name(project: pytest.Pytester) -> None:
    folder = project.path / "recordings" / "test_code"
    folder.mkdir()
    shutil.copy(RECORDING, folder / "test_by_name.toml")
    (folder / "test_in_a_folder").mkdir()
    shutil.copy(RECORDING, folder / "test_in_a_folder" / "1.toml")
    shutil.copy(RECORDING, folder / "test_in_a_folder" / "2.toml")
    result = run(
        project,
        """
def test_by_name(replay):
    stream()
    assert [r.name for r in replay.served] == ["recordings/test_code/test_by_name.toml"]

def test_in_a_folder(replay):
    stream(), stream()
    assert [r.name for r in replay.served] == [
        "recordings/test_code/test_in_a_folder/1.toml",
        "recordings/test_code/test_in_a_folder/2.toml",
    ]

def test_with_none(replay):
    assert replay.server.recordings == []
""",
    )
    result.assert_outcomes(passed=3)


def test_the_ini_option_moves_the_recordings_by_name(project: pytest.Pytester) -> None:
    project.makeini("[pytest]\nreplay_recordings = tests/streams\n")
    folder = project.path / "tests" / "streams" / "test_code"
    folder.mkdir(parents=True)
    shutil.copy(RECORDING, folder / "test_it.toml")
    result = run(project, "def test_it(replay):\n    stream()\n")
    result.assert_outcomes(passed=1)


def test_a_drifted_request_fails_the_test_with_the_difference(project: pytest.Pytester) -> None:
    result = run(
        project,
        """
@pytest.mark.replay("recordings/summarise.toml")
def test_drifted(replay):
    stream(max_tokens=300)

@pytest.mark.replay("recordings/summarise.toml")
def test_drifted_but_expecting_an_error(replay):
    with pytest.raises(anthropic.BadRequestError):
        stream(max_tokens=300)
""",
    )
    result.assert_outcomes(failed=2)
    # The mismatch, not the BadRequestError it caused, and with no traceback.
    result.stdout.fnmatch_lines(
        [
            "No recording matches this request. The closest is recordings/summarise.toml; "
            "the difference (- recorded, + received):",
            "--- recordings/summarise.toml",
            "+++ received request",
            '-  "max_tokens": 200,',
            '+  "max_tokens": 300,',
        ]
    )
    assert "BadRequestError" not in result.stdout.str()
    assert "Traceback" not in result.stdout.str()


# Each fault spec, and what the code under test sees: the failure it names (SDK 2.17.0; before
# it, a cut was httpx2.RemoteProtocolError and a stall httpx2.ReadTimeout: docs/sdk-versions.md).
FAULTS = {
    "cut-mid:5": "APIConnectionError",  # the connection drops mid-event
    "cut:5": "APIConnectionError",  # the connection drops after an event
    "error:5": "APIStatusError 200 overloaded_error",
    "error:5:api_error": "APIStatusError 200 api_error",
    "stall:6:1": "APITimeoutError",
    "http:529": "OverloadedError 529 overloaded_error",
    "http:429": "RateLimitError 429 rate_limit_error",
    "http:500@1": "completed",  # the SDK retries it: the second request succeeds
    "malformed:5": "JSONDecodeError",  # a ValueError: the SDK parses each data: line as JSON
    "unknown:5": "completed",  # an unknown event is passed on, and ignored by text_stream
}


@pytest.mark.parametrize(("spec", "seen"), FAULTS.items(), ids=list(FAULTS))
def test_each_fault_reaches_the_code_as_the_failure_it_names(
    project: pytest.Pytester, spec: str, seen: str
) -> None:
    retries = 0 if spec.startswith("http:") and "@" not in spec else 2  # no waiting
    result = run(
        project,
        f"""
@pytest.mark.replay("recordings/summarise.toml", faults=[{spec!r}])
def test_fault(replay):
    try:
        text = stream(read=0.3, max_retries={retries})
    except anthropic.APIStatusError as error:
        outcome = f"{{type(error).__name__}} {{error.status_code}} {{error.type}}"
    except Exception as error:
        outcome = type(error).__name__
    else:
        outcome = "completed" if text.endswith("two years.") else text
    assert outcome == {seen!r}
""",
    )
    result.assert_outcomes(passed=1)


def test_a_bad_fault_spec_fails_in_one_clear_line(project: pytest.Pytester) -> None:
    result = run(
        project,
        """
@pytest.mark.replay("recordings/summarise.toml", faults=["cut-mid:x"])
def test_bad_spec(replay):
    pass

@pytest.mark.replay("recordings/summarise.toml", faults=["stall:0:1"])
def test_out_of_range(replay):
    pass
""",
    )
    result.assert_outcomes(errors=2)
    text = result.stdout.str()
    assert "Traceback" not in text
    result.stdout.fnmatch_lines(
        [
            "@pytest.mark.replay: not a fault: 'cut-mid:x'. A fault is one of: cut:N, cut-mid:N, *",
            "@pytest.mark.replay: not a fault: 'stall:0:1' (N (the event it stalls, counted "
            "from 1) must be a whole number, 1 or more). A fault is one of: *",
        ]
    )


def test_other_mistakes_in_the_marker_fail_in_one_line(project: pytest.Pytester) -> None:
    result = run(
        project,
        """
@pytest.mark.replay("recordings/missing.toml")
def test_missing(replay):
    pass

@pytest.mark.replay(fault=["cut:1"])
def test_misspelt(replay):
    pass

@pytest.mark.replay(speed=-1)
def test_bad_speed(replay):
    pass

@pytest.mark.replay(speed="fast")
def test_speed_as_text(replay):
    pass

@pytest.mark.replay(faults=5)
def test_faults_not_a_list(replay):
    pass
""",
    )
    result.assert_outcomes(errors=5)
    assert "Traceback" not in result.stdout.str()
    result.stdout.fnmatch_lines_random(
        [
            "*@pytest.mark.replay: no recording at recordings/missing.toml",
            "*@pytest.mark.replay: unknown argument(s) [[]'fault'[]]; it takes speed, faults, "
            "sweep, sweep_limit, block_network",
            "*@pytest.mark.replay: speed must be a finite number, 0 or more",
            "*@pytest.mark.replay: speed must be a number: 1 is the recorded pace, *",
            "*@pytest.mark.replay: faults must be a list of fault specs, such as *",
        ]
    )


def test_recordings_built_in_the_test_are_constructed(project: pytest.Pytester) -> None:
    (project.path / "reply.sse").write_bytes(
        b'event: message_start\ndata: {"type":"message_start","message":{"id":"m","type":'
        b'"message","role":"assistant","model":"claude-sonnet-5-5","content":[],'
        b'"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":1,"output_tokens":1}}}'
        b'\n\nevent: message_stop\ndata: {"type":"message_stop"}\n\n'
    )
    result = run(
        project,
        """
from stream_replay import build_recording, text_events

def test_from_python(replay):
    recording = replay.add(text_events("Built", " here."))
    assert recording.provenance.source == "constructed"
    assert recording.provenance.basis == "built in a test with stream_replay.build_recording"
    assert stream() == "Built here."

def test_from_an_sse_file_for_one_request(replay):
    replay.add("reply.sse", request=ARGS)
    assert stream() == ""
    stream(max_tokens=1)

def test_from_bytes(replay):
    replay.add(build_recording(text_events("Bytes.")))
    assert stream() == "Bytes."
""",
    )
    result.assert_outcomes(passed=2, failed=1)
    # A recording built for one request answers only that one.
    result.stdout.fnmatch_lines(
        [
            "_* test_from_an_sse_file_for_one_request _*",
            "No recording matches this request. The closest is reply.sse; *",
            '-  "max_tokens": 200,',
            '+  "max_tokens": 1,',
        ]
    )


def test_abandoned_streams_are_counted(project: pytest.Pytester) -> None:
    result = run(
        project,
        """
@pytest.mark.replay("recordings/summarise.toml", speed=1)
def test_break(replay):
    client = anthropic.Anthropic()
    with client.messages.stream(**ARGS) as stream:
        for text in stream.text_stream:
            break
    assert replay.wait_for_abandoned(1) == 1
""",
    )
    result.assert_outcomes(passed=1)


NETWORK = """
import socket
from stream_replay.pytest_plugin import NetworkBlockedError

def reach_out():
    with pytest.raises(NetworkBlockedError, match="may reach only 127.0.0.1"):
        socket.create_connection(("192.0.2.1", 443), timeout=0.1)
    with pytest.raises(NetworkBlockedError, match="name lookup of 'api.anthropic.com'"):
        socket.getaddrinfo("api.anthropic.com", 443)
"""


def test_the_network_can_be_blocked_for_one_test(project: pytest.Pytester) -> None:
    result = run(
        project,
        NETWORK
        + """
@pytest.mark.replay("recordings/summarise.toml", block_network=True)
def test_blocked(replay):
    reach_out()
    assert stream()  # loopback, the replay server, still answers

def test_not_blocked_in_the_next_test():
    assert "block_network" not in socket.getaddrinfo.__qualname__
    assert "block_network" not in socket.socket.connect.__qualname__
""",
    )
    result.assert_outcomes(passed=2)


def test_the_network_can_be_blocked_for_every_test(project: pytest.Pytester) -> None:
    project.makeini("[pytest]\nreplay_block_network = true\n")
    result = run(project, NETWORK + "\ndef test_without_the_fixture():\n    reach_out()\n")
    result.assert_outcomes(passed=1)


def test_every_other_way_out_is_refused_too(project: pytest.Pytester) -> None:
    result = run(
        project,
        """
import socket
from stream_replay.pytest_plugin import NetworkBlockedError

def test_refused(replay):
    for lookup in (socket.gethostbyname, socket.gethostbyname_ex):
        with pytest.raises(NetworkBlockedError, match="name lookup of 'api.anthropic.com'"):
            lookup("api.anthropic.com")
        assert lookup("localhost")
    with pytest.raises(NetworkBlockedError, match="name lookup of '192.0.2.1'"):
        socket.gethostbyaddr("192.0.2.1")  # a reverse lookup asks DNS too
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        with pytest.raises(NetworkBlockedError, match="datagram to .'192.0.2.1', 53"):
            udp.sendto(b"?", ("192.0.2.1", 53))
        with pytest.raises(NetworkBlockedError, match="datagram to .'example.com', 53"):
            udp.sendto(b"?", 0, ("example.com", 53))
        with pytest.raises(NetworkBlockedError, match="message to .'192.0.2.1', 53"):
            udp.sendmsg([b"?"], [], 0, ("192.0.2.1", 53))
        assert udp.sendto(b"?", ("127.0.0.1", 9)) == 1  # loopback still goes
        assert udp.sendmsg([b"?"], [], 0, ("127.0.0.1", 9)) == 1
""",
    )
    result.assert_outcomes(passed=1)


def test_the_guard_is_gone_after_the_test(pytester: pytest.Pytester) -> None:
    import socket

    def patched() -> list[object]:
        methods = ("connect", "connect_ex", "sendto", "sendmsg")
        lookups = ("getaddrinfo", "gethostbyname", "gethostbyname_ex", "gethostbyaddr")
        sends = [httpx2.Client.send, httpx2.AsyncClient.send]
        return (
            [getattr(socket.socket, m) for m in methods]
            + [getattr(socket, f) for f in lookups]
            + sends
        )

    before = patched()
    pytester.makepyfile(
        test_guard="""
import pytest

@pytest.mark.replay(block_network=True)
def test_blocked(replay):
    pass
"""
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)
    assert patched() == before


# --------------------------------------------------------------------------- installing


@pytest.mark.e2e
def test_installing_the_project_is_enough_for_another_project(tmp_path: Path) -> None:
    """No conftest, no ini, no `-p`: the entry point loads the plugin."""
    (tmp_path / "recordings").mkdir()
    shutil.copy(RECORDING, tmp_path / "recordings" / "summarise.toml")
    (tmp_path / "test_theirs.py").write_text(
        CODE
        + """
@pytest.mark.replay("recordings/summarise.toml")
def test_theirs(replay):
    assert stream().endswith("two years.")
"""
    )
    env = subprocess_env()
    fixtures = subprocess.run(
        [sys.executable, "-m", "pytest", "--fixtures", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert fixtures.returncode == 0, fixtures.stdout + fixtures.stderr
    assert "replay -- " in fixtures.stdout
    assert "A replay server on 127.0.0.1 for this test" in fixtures.stdout
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--strict-markers"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "1 passed" in tests.stdout


@pytest.mark.e2e
def test_the_wheel_declares_the_plugin(tmp_path: Path) -> None:
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--disable-pip-version-check",
            "--quiet",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    [wheel] = tmp_path.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        [entry_points] = [n for n in archive.namelist() if n.endswith("entry_points.txt")]
        declared = archive.read(entry_points).decode()
        assert "stream_replay/pytest_plugin.py" in archive.namelist()
    assert "[pytest11]\nstream_replay = stream_replay.pytest_plugin" in declared


# --------------------------------------------------------------------------- building


def test_a_built_recording_checks_its_events_as_a_recordings() -> None:
    from stream_replay import RecordingError, build_recording, text_events

    with pytest.raises(
        RecordingError, match='built-in-a-test: event 2 is not a dict with a "type"'
    ):
        build_recording([{"type": "message_start"}, {"text": "no type"}])
    with pytest.raises(RecordingError, match="data must be a JSON object"):
        build_recording(b"event: ping\ndata: []\n\n")
    recording = build_recording(text_events("Hi"), request={"model": "m", "max_tokens": 5})
    assert recording.request.body == {"model": "m", "max_tokens": 5, "stream": True}
    assert [e.name for e in recording.response.events] == [
        "message_start",
        "content_block_start",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]


def test_an_sse_file_holding_a_key_is_refused(tmp_path: Path) -> None:
    from stream_replay import RecordingError, build_recording, text_events

    body = build_recording(text_events("sk-ant-api03-" + "x" * 93 + "AA")).sse_body
    (tmp_path / "leak.sse").write_bytes(body)
    with pytest.raises(RecordingError, match="looks like"):
        build_recording(tmp_path / "leak.sse")


# --------------------------------------------------------------------------- leaks

REAL_KEY = "sk-ant-api03-" + "R" * 24  # stands for the reader's key, in the environment


@pytest.fixture
def stand_in(monkeypatch: pytest.MonkeyPatch) -> Iterator[ReplayServer]:
    """Another API on 127.0.0.1 (a gateway, a proxy), where the environment points before
    the fixture runs, with a real-looking key: it answers as the API would."""
    with ReplayServer([load_recording(RECORDING)], speed=0) as server:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", REAL_KEY)
        yield server


IMPORTED_CLIENT = """
import anthropic

client = anthropic.Anthropic(max_retries=0)  # at import: before any fixture
async_client = anthropic.AsyncAnthropic(max_retries=0)
"""


def test_a_client_built_at_import_reaches_nothing_and_the_test_says_why(
    project: pytest.Pytester, stand_in: ReplayServer
) -> None:
    project.makepyfile(app_code=IMPORTED_CLIENT)
    result = run(
        project,
        """
import asyncio
from app_code import async_client, client

@pytest.mark.replay("recordings/summarise.toml")
def test_sync(replay):
    with client.messages.stream(**ARGS) as stream:
        assert "".join(stream.text_stream)

@pytest.mark.replay("recordings/summarise.toml")
def test_async_and_the_error_caught(replay):
    async def main():
        async with async_client.messages.stream(**ARGS) as stream:
            return await stream.get_final_text()
    try:
        asyncio.run(main())
    except Exception:
        pass  # the code under test copes: the test must fail all the same
""",
    )
    result.assert_outcomes(failed=2)
    assert stand_in.served == []
    assert stand_in.mismatches == []
    text = result.stdout.str()
    assert REAL_KEY not in text
    assert "Traceback" not in text
    assert "APIConnectionError" not in text
    assert fnmatch.fnmatch(
        " ".join(text.split()),
        "*@pytest.mark.replay: a request to http://127.0.0.1:*/v1/messages was stopped before "
        "leaving: only the replay server (http://127.0.0.1:*) may be sent API requests in this "
        "test, and none reached it. The client that sent it was made before the replay fixture "
        "ran*at import*ANTHROPIC_BASE_URL and ANTHROPIC_API_KEY*Create the client after the "
        "fixture*",
    )


def test_a_client_made_by_another_fixture_reads_the_replay_environment(
    project: pytest.Pytester, stand_in: ReplayServer
) -> None:
    # The fixture is set up before the test's own fixtures, whatever order the test names them.
    result = run(
        project,
        """
@pytest.fixture
def client():
    return anthropic.Anthropic(max_retries=0)

@pytest.mark.replay("recordings/summarise.toml")
def test_it(client, replay):
    with client.messages.stream(**ARGS) as stream:
        assert "".join(stream.text_stream).endswith("two years.")
""",
    )
    result.assert_outcomes(passed=1)
    assert stand_in.served == []


def test_recordings_loaded_but_no_request_sent_fail_the_test(project: pytest.Pytester) -> None:
    result = run(
        project,
        """
@pytest.mark.replay("recordings/summarise.toml")
def test_sends_nothing(replay):
    pass

def test_loads_nothing_sends_nothing(replay):
    pass
""",
    )
    result.assert_outcomes(passed=1, failed=1)
    assert fnmatch.fnmatch(
        " ".join(result.stdout.str().split()),
        "*@pytest.mark.replay: 1 recording(s) were loaded, but no request reached the replay "
        "server (http://127.0.0.1:*). The code under test most likely uses a client made "
        "before the replay fixture ran*at import*Create the client after the fixture*",
    )


def test_the_marker_alone_applies_the_fixture(project: pytest.Pytester) -> None:
    result = run(
        project,
        """
import os

@pytest.mark.replay("recordings/summarise.toml")
def test_without_the_argument():
    assert os.environ["ANTHROPIC_API_KEY"] == "replay-placeholder-key"
    assert stream().endswith("two years.")

@pytest.mark.replay("recordings/summarise.toml")
class TestAClass:
    def test_in_it(self):
        assert stream().endswith("two years.")
""",
    )
    result.assert_outcomes(passed=2)


def test_the_network_is_blocked_by_default_and_opting_out_is_explicit(
    project: pytest.Pytester,
) -> None:
    result = run(
        project,
        NETWORK
        + """
def test_by_default(replay):
    reach_out()

@pytest.mark.replay(block_network=False)
def test_opted_out(replay):
    assert "block_network" not in socket.getaddrinfo.__qualname__
    assert "block_network" not in socket.socket.sendto.__qualname__

@pytest.mark.replay(block_network="no")
def test_a_string_is_no_answer(replay):
    pass
""",
    )
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(
        ["*@pytest.mark.replay: block_network must be True or False, not 'no'"]
    )


def test_ctrl_c_and_pytest_exit_are_not_swallowed_after_a_mismatch(
    project: pytest.Pytester,
) -> None:
    for stop in ("raise KeyboardInterrupt", "pytest.exit('stopping here')"):
        project.makepyfile(
            test_code=CODE
            + f"""
@pytest.mark.replay("recordings/summarise.toml")
def test_first(replay):
    try:
        stream(max_tokens=300)
    except anthropic.BadRequestError:
        pass
    {stop}

def test_second():
    pass
"""
        )
        # no_reraise_ctrlc: pytest stops this run, not the one running this test
        result = project.runpytest("-p", "no:cacheprovider", no_reraise_ctrlc=True)
        assert result.ret == pytest.ExitCode.INTERRUPTED, stop
        assert "test_second" not in result.stdout.str()
        assert "1 passed" not in result.stdout.str()


def test_a_request_made_in_teardown_that_matches_nothing_is_reported(
    project: pytest.Pytester,
) -> None:
    result = run(
        project,
        """
@pytest.fixture
def session_end(replay):
    yield
    try:
        stream(max_tokens=300)  # a goodbye request no recording answers
    except anthropic.BadRequestError:
        pass

@pytest.mark.replay("recordings/summarise.toml")
def test_it(session_end, replay):
    stream()
""",
    )
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_it*",
            "*No recording matches this request. The closest is recordings/summarise.toml*",
        ]
    )


def test_a_path_that_is_not_text_fails_in_one_line(project: pytest.Pytester) -> None:
    result = run(
        project,
        """
@pytest.mark.replay(5)
def test_a_number(replay):
    pass
""",
    )
    result.assert_outcomes(errors=1)
    assert "Traceback" not in result.stdout.str()
    result.stdout.fnmatch_lines(
        ["*@pytest.mark.replay: a recording's path must be a string or a Path, not 5"]
    )


def test_recordings_by_name_are_kept_apart_by_folder_and_class(
    project: pytest.Pytester,
) -> None:
    """a/test_api.py::test_stream, b/test_api.py::test_stream and
    b/test_api.py::TestOther::test_stream each have their own recording."""
    recordings = project.path / "recordings"
    places = {
        "a/test_api/test_stream.toml": "A",
        "b/test_api/test_stream.toml": "B",
        "b/test_api/TestOther/test_stream.toml": "C",
    }
    for place, text in places.items():
        (recordings / place).parent.mkdir(parents=True, exist_ok=True)
        (recordings / place).write_text(
            RECORDING.read_text().replace('"text":"The council"', f'"text":"{text} council"')
        )
    for folder in ("a", "b"):
        (project.path / folder).mkdir()
        (project.path / folder / "__init__.py").write_text("")
    (project.path / "streaming.py").write_text(CODE)
    (project.path / "a" / "test_api.py").write_text(
        "from streaming import stream\n\n"
        "def test_stream(replay):\n    assert stream().startswith('A ')\n"
    )
    (project.path / "b" / "test_api.py").write_text(
        "from streaming import stream\n\n"
        "def test_stream(replay):\n    assert stream().startswith('B ')\n\n"
        "class TestOther:\n"
        "    def test_stream(self, replay):\n        assert stream().startswith('C ')\n"
    )
    result = project.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)


def test_a_recording_at_the_old_place_by_name_is_still_found_with_a_warning(
    project: pytest.Pytester,
) -> None:
    # Before: recordings/<module name>/<test name>.toml, whatever the module's folder.
    folder = project.path / "recordings" / "test_code"
    folder.mkdir()
    shutil.copy(RECORDING, folder / "test_by_name.toml")
    (project.path / "tests").mkdir()
    (project.path / "tests" / "test_code.py").write_text(
        CODE + "\n\ndef test_by_name(replay):\n    stream()\n"
    )
    result = project.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, warnings=1)
    result.stdout.fnmatch_lines(
        [
            "*ReplayRecordingPlaceWarning: recordings/test_code/test_by_name.toml is where "
            "earlier versions looked, a place every test_code.py and every class shares: "
            "move it to recordings/tests/test_code/test_by_name.toml",
        ]
    )
