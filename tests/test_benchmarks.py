"""The Benchmarks page shows generated figures, never typed ones, and says which targets it misses.

`python3 dev.py bench --write` measures and writes docs/benchmarks/figures.json and its
rendering docs/benchmarks/figures.txt; the page includes every section of the rendering. The
figures themselves are not asserted here: they depend on the machine (the tests check that
they are there, whole and generated, not that they are fast).
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from stream_replay import load_recording
from stream_replay._server import plan_for

from .bench import aimock, floor
from .bench.replay import all_recordings, percentile
from .bench.report import FIGURES_JSON, FIGURES_TEXT, SECTIONS, TARGETS, missed, render
from .pages import includes, sections
from .project import DOCS_DIR, ROOT

PAGE = DOCS_DIR / "benchmarks.md"


def stored() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FIGURES_JSON.read_text())
    return data


def test_the_page_includes_every_section_of_the_generated_figures() -> None:
    included = {
        i.section
        for i in includes(Path("docs/benchmarks.md"), PAGE.read_text())
        if i.path == "docs/benchmarks/figures.txt"
    }
    assert included == {"machine", "targets", *SECTIONS}
    assert sections(FIGURES_TEXT.read_text()) == included


def test_the_figures_shown_are_the_rendering_of_the_measured_data() -> None:
    assert FIGURES_TEXT.read_text() == render(stored()), (
        "docs/benchmarks/figures.txt is not what `python3 dev.py bench --write` renders"
    )


def test_every_section_measured_has_its_date_and_the_machine() -> None:
    # A section never measured shows "Not measured yet" on the page (the rendering above).
    data = stored()
    assert set(data["sections"]) <= set(SECTIONS)
    for figures in data["sections"].values():
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", figures["date"])
    machine = data["machine"]
    assert machine["cores"] >= 1
    assert machine["cpu"]
    assert machine["python"]
    assert machine["versions"]["anthropic"]
    assert data["command"].startswith("python3 dev.py bench --write")


def test_a_missed_target_is_marked_missed() -> None:
    data = stored()
    text = render(data)
    table = text.split("[start:targets]", 1)[1].split("[end:targets]", 1)[0]
    for target in TARGETS:
        row = next(line for line in table.splitlines() if line.startswith(f"| {target.what} |"))
        assert row.endswith("| **missed** |") == (target.what in missed(data)), row


def test_a_target_missed_by_made_up_figures_says_missed() -> None:
    data = stored()
    data["sections"]["snippets"] = {**data["sections"]["snippets"], "median_ms": 999.0}
    assert "Per-snippet cost at speed 0, median" in missed(data)
    assert "| Per-snippet cost at speed 0, median | under 60 ms | 999 ms | **missed** |" in render(
        data
    )


def test_percentiles_are_nearest_rank() -> None:
    values = [float(n) for n in range(1, 101)]
    assert percentile(values, 50) == 50
    assert percentile(values, 95) == 95
    assert percentile(values, 100) == 100
    assert percentile([7.0], 99) == 7


def test_the_floor_writes_each_recording_s_bytes_at_its_offsets() -> None:
    # The bench's floor (tests/bench/floor.py) must send what the replay server sends, when
    # it sends it, or the difference between them measures something else.
    for recording in all_recordings():
        steps, cut = floor.encoded(recording)
        head, _, first = steps[0][1].partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 %d " % recording.response.status)
        assert steps[0][0] == recording.response.at
        assert cut == recording.response.cut
        if recording.response.body is not None:
            assert (len(steps), first) == (1, recording.response.body)
            continue
        # What the replay server plans for it: SSE events, or Bedrock's frames.
        sent = list(plan_for(recording.response, []).steps)
        assert [at for at, _ in steps[1:]] == [step.at for step in sent]
        chunks = [data for _, data in steps[1:]]
        if not cut:
            assert chunks[-1].endswith(b"\r\n0\r\n\r\n")
            chunks[-1] = chunks[-1].removesuffix(b"0\r\n\r\n")
        for chunk, step in zip(chunks, sent, strict=True):
            assert chunk == b"%x\r\n" % len(step.data) + step.data + b"\r\n"


@pytest.mark.parametrize("name", aimock.RECORDINGS)
def test_aimock_is_given_each_recording_s_text_offsets_and_number_of_deltas(name: str) -> None:
    """The side-by-side (tests/bench/aimock.py) means aimock to send what the recording
    holds, when it holds it: the same text in as many deltas (aimock cuts a text into pieces
    of `chunkSize` characters, JavaScript's: UTF-16 units), each event at its offset."""
    recording = load_recording(ROOT / "recordings" / f"{name}.toml")
    fixture = aimock.fixture_of(recording)
    events = [event for event in recording.response.events if event.name != "ping"]
    text = "".join(
        event.data["delta"]["text"] for event in events if event.name == "content_block_delta"
    )
    units = len(text.encode("utf-16-le")) // 2
    pieces = -(-units // fixture["chunkSize"])
    assert pieces == sum(event.name == "content_block_delta" for event in events)
    assert fixture["response"]["content"] == text
    timings = fixture["recordedTimings"]
    offsets = [timings["ttftMs"]]
    for gap in timings["interChunkDelaysMs"]:
        offsets.append(offsets[-1] + gap)
    assert offsets == pytest.approx([event.at * 1000 for event in events])
    assert recording.request.body["messages"][-1]["content"] == fixture["match"]["userMessage"]


def test_an_unknown_section_is_one_clear_error() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tests.bench", "--only", "speed"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        "python3 dev.py bench: error: argument --only: speed: choose among "
        "fidelity, load, snippets, site, costs, suite"
    )


@pytest.mark.e2e
def test_the_bench_command_prints_its_figures_and_writes_nothing_without_write() -> None:
    before = FIGURES_JSON.read_bytes(), FIGURES_TEXT.read_bytes()
    result = subprocess.run(
        [sys.executable, "dev.py", "bench", "--only", "costs", "--runs", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    out = result.stdout
    assert re.search(r"\d+ cores?, [\d.]+ GB; Python 3", out), out  # the machine
    assert re.search(r"load a recording of 50,000 events: +[\d.]+ s", out), out
    assert (FIGURES_JSON.read_bytes(), FIGURES_TEXT.read_bytes()) == before


def dev() -> ModuleType:
    spec = importlib.util.spec_from_file_location("dev", ROOT / "dev.py")
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_dev_py_test_runs_on_every_core_unless_told_otherwise() -> None:
    parallel = dev().parallel_options
    assert parallel([]) == ["-n", "auto"]
    assert parallel(["-k", "text_stream"]) == ["-n", "auto"]
    for own in (["-n", "0"], ["-n0"], ["--numprocesses=3"], ["--update-outputs"], ["--pdb"]):
        assert parallel(own) == [], own


def test_under_ci_the_suite_prints_its_ten_slowest_tests() -> None:
    ci = dev().ci_options
    assert ci([], {"CI": "true"}) == ["--durations=10"]
    assert ci([], {}) == []
    assert ci([], {"CI": "false"}) == []
    assert ci(["--durations=25"], {"CI": "true"}) == []  # the caller's own choice


def test_the_page_is_in_the_nav_after_the_recording_format() -> None:
    nav = (ROOT / "mkdocs.yml").read_text()
    assert "- The recording format: recordings.md\n      - Benchmarks: benchmarks.md\n" in nav
