"""The drift check: structure compared, content ignored; a readable report; the weekly job."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]  # (mkdocs's own dependency)

from stream_replay import Recording, ReplayServer, load_recording, parse_recording
from stream_replay._drift import drift, structure

from .forked import run_tool as tool
from .project import RECORDINGS_DIR, ROOT, subprocess_env

THINKING = RECORDINGS_DIR / "content_blocks" / "thinking_events.toml"
TEXT = RECORDINGS_DIR / "first_stream" / "raw_events.toml"


def edited(path: Path, old: str, new: str, count: int = -1) -> Recording:
    text = path.read_text()
    assert old in text
    return parse_recording(text.replace(old, new, count), path.name)


def rerecorded(recording: Recording) -> Recording:
    """The same exchange as a live re-recording would give it: other ids, other text cut into
    other deltas, other timing, pings elsewhere."""
    events = []
    clock = 1.7
    for event in recording.response.events:
        data = json.loads(json.dumps(event.data))
        if data["type"] == "ping":
            continue
        if data["type"] == "message_start":
            data["message"]["id"] = "msg_01ANewIdFromAnotherRun00"
            data["message"]["usage"]["input_tokens"] += 3
        delta = data.get("delta", {})
        pieces = [data]
        for field in ("text", "thinking", "signature"):
            if isinstance(delta.get(field), str):
                delta[field] = delta[field].upper() + " more words"
                twin = json.loads(json.dumps(data))
                twin["delta"][field] = " and more"
                pieces.append(twin)  # the same text cut into two deltas, not one
        if data["type"] == "message_delta":
            data["usage"]["output_tokens"] += 40
        for piece in pieces:
            clock += 0.123
            raw = f"event: {piece['type']}\ndata: {json.dumps(piece)}\n\n".encode()
            events.append(dataclasses.replace(event, at=clock, raw=raw, data=piece))
            if len(events) == 3:
                ping = b'event: ping\ndata: {"type": "ping"}\n\n'
                events.append(dataclasses.replace(event, raw=ping, data={"type": "ping"}))
    response = dataclasses.replace(
        recording.response,
        events=tuple(events),
        at=0.9,
        headers={**recording.response.headers, "request-id": "req_01Other"},
    )
    if "request-id" not in recording.response.headers:
        response = dataclasses.replace(response, headers=dict(recording.response.headers))
    return dataclasses.replace(recording, response=response)


@pytest.mark.parametrize("path", sorted(RECORDINGS_DIR.rglob("*.toml")), ids=lambda p: p.stem)
def test_a_rerecording_that_differs_only_in_ids_text_and_timing_has_no_drift(
    path: Path,
) -> None:
    recording = load_recording(path)
    assert drift(recording, rerecorded(recording)) == []


def test_a_renamed_field_is_found() -> None:
    stored = load_recording(TEXT)
    new = edited(TEXT, '"usage":{"output_tokens":19}', '"usage":{"output_token_count":19}')
    assert drift(stored, new) == [
        "fields of message_delta: - usage.output_tokens, + usage.output_token_count"
    ]


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        ('"index":0,"delta"', '"index":"0","delta"', "index: number -> string"),
        ('"stop_sequence":null},', '"stop_sequence":{}},', "delta.stop_sequence: null -> object"),
        ('"output_tokens":19', '"output_tokens":"19"', "usage.output_tokens: number -> string"),
        ('"stop_reason":"end_turn"', '"stop_reason":["end_turn"]', "stop_reason: string -> array"),
    ],
    ids=["0 to '0'", "null to {}", "integer to string", "string to list"],
)
def test_a_field_whose_value_changed_kind_is_found(old: str, new: str, said: str) -> None:
    stored = load_recording(TEXT)
    report = drift(stored, edited(TEXT, old, new))
    assert any(line.startswith("fields of ") and said in line for line in report), report


def test_the_report_stays_short_however_deep_or_wide_the_fields() -> None:
    # A field 900 levels deep once printed a line of 817 KB (every path, whole).
    stored = load_recording(TEXT)
    deep = '{"x":' * 900 + "1" + "}" * 900
    wide = ",".join(f'"field_{n}_{"y" * 300}":{n}' for n in range(500))
    for extra in (deep, "{" + wide + "}"):
        new = edited(TEXT, '"type":"message_stop"', f'"type":"message_stop","extra":{extra}')
        report = drift(stored, new)
        assert report
        assert all(len(line) <= 2_000 for line in report), max(map(len, report))
        assert sum(map(len, report)) <= 4_000


def test_a_new_event_type_is_found() -> None:
    stored = load_recording(TEXT)
    progress = (
        "[[events]]\nat = 0.760\nsse = '''\nevent: message_progress\n"
        'data: {"type":"message_progress","percent":90}\n\n\'\'\'\n\n[[events]]\nat = 0.771'
    )
    new = edited(TEXT, "[[events]]\nat = 0.771", progress)
    report = drift(stored, new)
    assert report[0].startswith("events (- stored, + new")
    assert "  + message_progress" in report
    assert "    content_block_stop" in report  # context around the change


def test_a_changed_block_order_is_found() -> None:
    stored = load_recording(THINKING)
    head, *tables = THINKING.read_text().split("[[events]]\n")
    starts = [i for i, table in enumerate(tables) if "event: content_block_start" in table]
    stop = next(i for i, table in enumerate(tables) if "event: message_delta" in table)
    thinking, text = tables[starts[0] : starts[1]], tables[starts[1] : stop]
    swapped = [*tables[: starts[0]], *text, *thinking, *tables[stop:]]
    new_text = head + "".join("[[events]]\n" + table for table in swapped)
    new = parse_recording(re.sub(r"at = [0-9.]+", "at = 1.000", new_text), "swapped.toml")
    report = drift(stored, new)
    assert report[0].startswith("events (- stored, + new")
    removed = {line[4:] for line in report if line.startswith("  - ")}
    added = {line[4:] for line in report if line.startswith("  + ")}
    moved = removed & added  # a block that is now elsewhere in the sequence
    assert moved & {"content_block_start text", "content_block_start thinking"}
    assert not [line for line in report if line.startswith("fields of")]


def test_a_changed_stop_reason_status_and_header_are_found() -> None:
    stored = load_recording(TEXT)
    new = edited(TEXT, '"stop_reason":"end_turn"', '"stop_reason":"max_tokens"')
    new = dataclasses.replace(
        new,
        request=dataclasses.replace(
            new.request, headers={**new.request.headers, "anthropic-beta": "x"}
        ),
    )
    assert drift(stored, new) == [
        "request headers: + anthropic-beta",
        "stop reason: end_turn -> max_tokens",
    ]


def test_structure_ignores_how_many_deltas_and_pings() -> None:
    kinds = structure(load_recording(TEXT)).sequence
    assert kinds == (
        "message_start",
        "content_block_start text",
        "content_block_delta text_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
    )


def dev(*args: str, cwd: Path = ROOT, **env: str) -> subprocess.CompletedProcess[str]:
    """`python3 dev.py ARGS` as a reader types it, in a new process."""
    return subprocess.run(
        [sys.executable, "dev.py", *args],
        cwd=cwd,
        env=subprocess_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.e2e
def test_the_drift_command_prints_a_structural_diff(tmp_path: Path) -> None:
    changed = tmp_path / "raw_events.toml"
    changed.write_text(TEXT.read_text().replace('"output_tokens":19}', '"output_count":19}'))
    same = dev("drift", str(TEXT), str(TEXT))
    assert same.returncode == 0, same.stderr
    assert "1 recording(s) compared: 0 with structural drift." in same.stdout
    found = tool("drift", str(TEXT), str(changed))
    assert found.returncode == 3
    assert "fields of message_delta: - usage.output_tokens, + usage.output_count" in found.stdout
    missing = tool("drift", str(TEXT), str(tmp_path / "nothing.toml"))
    assert missing.returncode == 1
    assert "Traceback" not in missing.stderr


@pytest.mark.e2e
def test_drift_live_rerecords_each_snippet_and_compares(tmp_path: Path) -> None:
    project = tmp_path / "project"
    for name in ("snippets", "recordings"):
        shutil.copytree(ROOT / name, project / name)
    snippets = ["snippets/first_stream/text_stream.py", "snippets/first_stream/raw_events.py"]
    recordings = [
        load_recording(ROOT / "recordings/first_stream" / f"{n}.toml")
        for n in ("text_stream", "raw_events")
    ]
    # The replay server stands in for the live API, through $ANTHROPIC_BASE_URL.
    with ReplayServer(recordings, speed=0) as api:
        result = tool(
            "drift",
            "--live",
            *snippets,
            cwd=project,
            env={"ANTHROPIC_API_KEY": "k", "ANTHROPIC_BASE_URL": api.url},
        )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 recording(s) compared: 0 with structural drift." in result.stdout
    assert (project / "recordings").is_dir()
    assert sorted(p.name for p in (project / "recordings/first_stream").iterdir()) == sorted(
        p.name for p in (ROOT / "recordings/first_stream").iterdir()
    )


@pytest.mark.e2e
def test_drift_live_without_a_key_says_so() -> None:
    result = dev("drift", "--live")
    assert result.returncode == 1
    assert result.stderr.strip() == "stream-replay: drift --live needs ANTHROPIC_API_KEY set"


WORKFLOW = ROOT / ".github" / "workflows" / "drift.yml"


def drift_step() -> Any:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    [step] = [s for s in workflow["jobs"]["drift"]["steps"] if "run" in s]
    return step


def test_the_drift_workflow_runs_weekly_with_the_secret() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    triggers = workflow[True]  # YAML reads the key `on` as true
    [schedule] = triggers["schedule"]
    *_, day, month, weekday = schedule["cron"].split()
    assert (day, month) == ("*", "*")
    assert weekday not in {"*", "*/1"}
    step = drift_step()
    assert step["env"]["ANTHROPIC_API_KEY"] == "${{ secrets.ANTHROPIC_API_KEY }}"
    assert "python3 dev.py drift --live" in step["run"]


@pytest.mark.e2e
def test_the_drift_workflow_says_it_skipped_without_a_secret(tmp_path: Path) -> None:
    script = drift_step()["run"]
    result = subprocess.run(
        ["bash", "-c", script],
        cwd=tmp_path,  # no dev.py here: anything past the skip would fail
        env={**subprocess_env(), "ANTHROPIC_API_KEY": ""},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert "skipped" in result.stdout
    assert "no ANTHROPIC_API_KEY secret" in result.stdout
