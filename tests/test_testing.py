"""docs/testing.md: its test module runs with pytest and prints the report shown, and its
claims about the plugin, the SDK and the other tools hold."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from importlib.metadata import version

import pytest

import stream_replay
from stream_replay import load_recording, parse_fault, pytest_plugin
from stream_replay._sweep import DEFAULT_LIMIT, parse_sweep, sweep_positions

from .project import (
    DOCS_DIR,
    PYTEST_SNIPPETS,
    RECORDINGS_DIR,
    ROOT,
    SNIPPETS_DIR,
    output_file,
    subprocess_env,
)

pytest_plugins = ["pytester"]

PAGE = DOCS_DIR / "testing.md"
SWEEPS_PAGE = DOCS_DIR / "sweeps-verdicts.md"  # the pytest snippets' second page
# The command the page gives; its output, less the header pytest prints about the machine.
COMMAND = "pytest -v --no-header snippets/testing/test_summarise.py"
SHOWN_DRIFT = DOCS_DIR / "testing" / "drifted.txt"
# The last line: "===== 7 passed in 5.35s =====" (with "(0:01:05)" after a minute), its
# rule as long as the time is.
DURATION = re.compile(r"=+ (.*) in \d+\.\d+s(?: \(\d+:\d\d:\d\d\))? =+")


def page() -> str:
    return " ".join((PAGE.read_text() + SWEEPS_PAGE.read_text()).split())


@pytest.mark.e2e
@pytest.mark.parametrize("name", sorted(PYTEST_SNIPPETS))
def test_the_page_tests_pass_and_print_the_report_shown(name: str, update_outputs: bool) -> None:
    snippet = SNIPPETS_DIR / name
    result = subprocess.run(
        [sys.executable, "-m", *COMMAND.split()[:-1], "-p", "no:cacheprovider", str(snippet)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=120,
    )
    report = result.stdout.replace(str(ROOT) + "/", "")
    assert result.returncode == 0, report + result.stderr
    assert f"$ {COMMAND.rsplit(' ', 1)[0]} snippets/{name}" in page()
    shown = output_file(snippet)
    if update_outputs:
        shown.write_text(report, encoding="utf-8")
    # Only how long the run took may differ.
    assert DURATION.sub(r"\1", report) == DURATION.sub(r"\1", shown.read_text()), (
        f"{name} now reports something else (if intended: --update-outputs)"
    )


def run_failing(pytester: pytest.Pytester, name: str, **modules: str) -> pytest.RunResult:
    """Run test module `name` (beside `modules`) in a project holding summarise.py, its
    recording and test_sweeps.py; it fails one test."""
    (pytester.path / "recordings" / "testing").mkdir(parents=True)
    shutil.copy(RECORDINGS_DIR / "testing" / "summarise.toml", pytester.path / "recordings/testing")
    for snippet in ("summarise.py", "test_sweeps.py"):
        shutil.copy(SNIPPETS_DIR / "testing" / snippet, pytester.path)
    pytester.makeini("[pytest]\n")
    pytester.makepyfile(**modules)
    result = pytester.runpytest("-p", "no:cacheprovider", f"{name}.py")
    result.assert_outcomes(failed=1)
    return result


def failures_section(result: pytest.RunResult) -> str:
    """The report of the one failure, as a page shows it."""
    lines = result.stdout.lines
    start = next(i for i, line in enumerate(lines) if line.startswith("_"))
    end = next(i for i, line in enumerate(lines) if re.match(r"(-+ Captured|=+ short)", line))
    return "\n".join(lines[start:end]).rstrip() + "\n"


DRIFTED = """
import pytest
import summarise


@pytest.mark.replay("recordings/testing/summarise.toml")
def test_summary(replay, monkeypatch):
    monkeypatch.setattr(summarise, "MAX_TOKENS", 300)  # the code changed
    summarise.summarise(summarise.ARTICLE)
"""


def test_a_drifted_request_fails_with_the_report_shown(
    pytester: pytest.Pytester, update_outputs: bool
) -> None:
    report = failures_section(run_failing(pytester, "test_summarise", test_summarise=DRIFTED))
    if update_outputs:
        SHOWN_DRIFT.write_text(report, encoding="utf-8")
    assert SHOWN_DRIFT.read_text() == report
    assert f'--8<-- "{SHOWN_DRIFT.relative_to(ROOT).as_posix()}"' in PAGE.read_text()


SHOWN_SWEEP = DOCS_DIR / "testing" / "swept.txt"
# summarise() with a shortcut: on a cut it keeps the text it has, if any, as the summary.
KEEPS_PART = """
import anthropic
import pytest
from summarise import ARTICLE, MAX_TOKENS, MODEL, prompt
from test_sweeps import SUMMARY


def summarise(text: str) -> str:
    client = anthropic.Anthropic()
    summary = ""
    try:
        with client.messages.stream(
            model=MODEL,
            max_tokens=MAX_TOKENS,
            messages=[{"role": "user", "content": prompt(text)}],
        ) as stream:
            for text_delta in stream.text_stream:
                summary += text_delta
    except anthropic.APIConnectionError:
        if not summary:
            return summarise(text)
    return summary


@pytest.mark.replay("recordings/testing/summarise.toml", sweep="cut")
def test_every_cut_is_asked_again():
    assert summarise(ARTICLE) == SUMMARY
"""


def test_a_sweep_finds_what_a_shortcut_breaks_with_the_report_shown(
    pytester: pytest.Pytester, update_outputs: bool
) -> None:
    report = failures_section(run_failing(pytester, "test_keeps_part", test_keeps_part=KEEPS_PART))
    # The shortcut fails exactly where some of the summary, not all, had arrived: from the
    # first text delta (event 4) until the last (event 11) is whole.
    failed = [line.split()[0] for line in report.splitlines() if line.startswith("cut")]
    assert failed == [f"{cut}:{n}@1" for n in range(4, 11) for cut in ("cut", "cut-mid")]
    if update_outputs:
        SHOWN_SWEEP.write_text(report, encoding="utf-8")
    assert SHOWN_SWEEP.read_text() == report
    assert f'--8<-- "{SHOWN_SWEEP.relative_to(ROOT).as_posix()}"' in SWEEPS_PAGE.read_text()


SHOWN_LEFT_OPEN = DOCS_DIR / "testing" / "left-open.txt"
# summarise() as it was before it closed its client: one made per call and left open.
LEAVES_OPEN = """
import anthropic
import pytest
from summarise import ARTICLE, MAX_TOKENS, MODEL, prompt


def summarise(text: str) -> str:
    client = anthropic.Anthropic()
    with client.messages.stream(
        model=MODEL,
        max_tokens=MAX_TOKENS,
        messages=[{"role": "user", "content": prompt(text)}],
    ) as stream:
        return "".join(stream.text_stream)


@pytest.mark.replay("recordings/testing/summarise.toml")
def test_summarise_closes_what_it_opens(replay):
    summarise(ARTICLE)
    replay.assert_connections_closed()
"""


def test_a_verdict_finds_a_client_left_open_with_the_report_shown(
    pytester: pytest.Pytester, update_outputs: bool
) -> None:
    # The client's port changes from run to run.
    result = run_failing(pytester, "test_leaves_open", test_leaves_open=LEAVES_OPEN)
    report = re.sub(r"port \d+", "port <port>", failures_section(result))
    assert "VerdictError: 1 connection the client opened is still open" in report
    if update_outputs:
        SHOWN_LEFT_OPEN.write_text(report, encoding="utf-8")
    assert SHOWN_LEFT_OPEN.read_text() == report
    assert f'--8<-- "{SHOWN_LEFT_OPEN.relative_to(ROOT).as_posix()}"' in SWEEPS_PAGE.read_text()


SHOWN_TOO_EARLY = DOCS_DIR / "testing" / "made-too-early.txt"
MADE_AT_IMPORT = """
import anthropic
import summarise

client = anthropic.Anthropic()  # at import, before any fixture


def summary(text: str) -> str:
    with client.messages.stream(
        model=summarise.MODEL,
        max_tokens=summarise.MAX_TOKENS,
        messages=[{"role": "user", "content": summarise.prompt(text)}],
    ) as stream:
        return stream.get_final_text()
"""
TOO_EARLY = """
import pytest
from app import summary
from summarise import ARTICLE


@pytest.mark.replay("recordings/testing/summarise.toml")
def test_summary():
    assert summary(ARTICLE)
"""


def test_a_client_made_at_import_fails_with_the_report_shown(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, update_outputs: bool
) -> None:
    # The environment of a reader with a key and a gateway on 127.0.0.1 (nothing need listen:
    # the request is stopped before it leaves).
    key = "sk-ant-api03-" + "k" * 40
    monkeypatch.setenv("ANTHROPIC_API_KEY", key)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://127.0.0.1:4000")
    # The replay server's port changes from run to run.
    result = run_failing(pytester, "test_app", app=MADE_AT_IMPORT, test_app=TOO_EARLY)
    report = failures_section(result)
    report = re.sub(r"127\.0\.0\.1:(?!4000\b)\d+", "127.0.0.1:<port>", report)
    assert key not in result.stdout.str() + result.stderr.str()
    if update_outputs:
        SHOWN_TOO_EARLY.write_text(report, encoding="utf-8")
    assert SHOWN_TOO_EARLY.read_text() == report
    assert f'--8<-- "{SHOWN_TOO_EARLY.relative_to(ROOT).as_posix()}"' in PAGE.read_text()


def test_the_page_gives_the_command_that_prints_the_report() -> None:
    assert f"$ {COMMAND}" in PAGE.read_text()


def test_the_faults_the_page_names_are_faults() -> None:
    specs = re.findall(r"`((?:cut|cut-mid|stall|error|http|malformed|unknown):[^`]*)`", page())
    assert len(specs) >= 4
    for spec in specs:
        parse_fault(spec)


def test_the_marker_and_fixture_arguments_on_the_page_exist() -> None:
    text = page()
    names = ("served", "unused", "mismatches", "refused", "abandoned", "wait_for_abandoned", "add")
    for name in names:
        assert f"`replay.{name}" in text
        assert hasattr(pytest_plugin.Replay, name)
    for option in ("replay_recordings", "replay_block_network", "block_network=False"):
        assert f"`{option}" in text
    for name in ("build_recording", "text_events"):
        assert f"stream_replay.{name}" in text
        assert name in stream_replay.__all__


def test_the_recording_the_tests_replay_is_the_snippets_own() -> None:
    tests = (SNIPPETS_DIR / "testing" / "test_summarise.py").read_text()
    assert 'RECORDING = "recordings/testing/summarise.toml"' in tests
    recording = load_recording(RECORDINGS_DIR / "testing" / "summarise.toml")
    text = "".join(
        e.data["delta"]["text"]
        for e in recording.response.events
        if e.name == "content_block_delta"
    )
    assert text in " ".join(tests.split()).replace('" "', "")


def test_the_dates_of_the_other_tools_are_given() -> None:
    text = page()
    assert "`httpx2` 2.16.2 imports `httpcore2`" in text
    assert version("httpx2") == "2.16.2"
    assert version("anthropic") == "2.17.0"
    # "it patches httpx2.HTTPTransport, the transport SDK 2.17.0 uses"
    import anthropic._base_client
    import httpx2

    assert vars(anthropic._base_client)["HTTPTransport"] is httpx2.HTTPTransport
    # vcrpy: httpx2 support in 8.2.0; respx: no httpx2 at the commit read (see Sources).
    assert "vcrpy 8.2.0" in text
    assert "2026-06-15" in text
    assert "57d8c29" in text


def test_the_sweep_figures_the_page_gives_are_the_packages() -> None:
    events = load_recording(RECORDINGS_DIR / "testing" / "summarise.toml").response.events
    cuts = sweep_positions(parse_sweep("cut"), events)
    assert f"({len(cuts)} positions for the {len(events)} events of `summarise.toml`)" in page()
    assert f"every position up to {DEFAULT_LIMIT} (`sweep_limit=`)" in page()
    assert f"beyond that, {DEFAULT_LIMIT} of them evenly spaced" in page()
