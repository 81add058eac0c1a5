"""The stream player's data: generated from recordings, fresh, and what the server sends.

Each file under docs/players/ is what the replay server sends for a recording under some
faults (the player in docs/assets/player.js plays it; tests/test_player.py watches it play).
`python3 dev.py test --update-outputs` rewrites the files.
"""

from __future__ import annotations

import base64
import json
import posixpath
import re
from pathlib import Path

import pytest

from stream_replay import Recording, load_recording, parse_fault
from stream_replay._faults import plan_response
from stream_replay._player import player_data, player_file, player_json

from .project import DOCS_DIR, PLAYERS, PLAYERS_DIR, RECORDINGS_DIR, relative
from .test_faults import fetch

PAGES = sorted(DOCS_DIR.rglob("*.md"))
# <div class="stream-player" data-src="../players/..." ...>, as a page places a player.
PLAYER_ELEMENT = re.compile(r"<div\b[^>]*\bclass=\"stream-player\"[^>]*>")
DATA_SRC = re.compile(r"\bdata-src=\"([^\"]+)\"")


def recording_of(key: str) -> Recording:
    return load_recording(RECORDINGS_DIR / f"{key}.toml", name=f"recordings/{key}.toml")


def generated(key: str, specs: tuple[str, ...]) -> str:
    return player_json(player_data(recording_of(key), specs))


def chunk_bytes(chunk: dict[str, object]) -> bytes:
    if "text" in chunk:
        return str(chunk["text"]).encode()
    return base64.b64decode(str(chunk["base64"]))


def players_on_pages() -> list[tuple[str, str]]:
    """(page, the file below docs/players/ its player plays), for every player on a page."""
    found = []
    for page in PAGES:
        name = page.relative_to(DOCS_DIR).with_suffix("").as_posix()
        served_at = "" if page.stem == "index" else f"{name}/"  # MkDocs' directory URLs
        for element in PLAYER_ELEMENT.findall(page.read_text()):
            source = DATA_SRC.search(element)
            target = posixpath.normpath(posixpath.join(served_at, source[1])) if source else ""
            found.append((relative(page), target.removeprefix("players/")))
    return found


@pytest.mark.parametrize(("key", "specs"), PLAYERS, ids=[player_file(*p) for p in PLAYERS])
def test_the_player_data_is_its_recording_under_its_faults(
    key: str, specs: tuple[str, ...], update_outputs: bool
) -> None:
    shown = PLAYERS_DIR / player_file(key, specs)
    text = generated(key, specs)
    if update_outputs:
        shown.parent.mkdir(parents=True, exist_ok=True)
        shown.write_text(text, encoding="utf-8")
    assert shown.is_file(), (
        f"{relative(shown)} is missing: run python3 dev.py test --update-outputs"
    )
    assert shown.read_text(encoding="utf-8") == text, f"{relative(shown)} is stale"


def test_every_player_file_is_one_the_tests_generate() -> None:
    wanted = {player_file(key, specs) for key, specs in PLAYERS}
    assert len(wanted) == len(PLAYERS), "two players write the same file"
    present = {
        path.relative_to(PLAYERS_DIR).as_posix()
        for path in PLAYERS_DIR.rglob("*")
        if path.is_file()
    }
    assert present - wanted == set(), (
        "a file under docs/players/ that no entry of PLAYERS (tests/project.py) writes"
    )


def test_every_player_on_a_page_plays_a_generated_file() -> None:
    wanted = {player_file(key, specs) for key, specs in PLAYERS}
    placed = players_on_pages()
    missing = [
        f"{page}: {target or 'no data-src'}" for page, target in placed if target not in wanted
    ]
    assert missing == [], "a player whose data is not generated (PLAYERS in tests/project.py)"
    unused = wanted - {target for _, target in placed}
    assert unused == set(), "player data that no page plays"


def test_the_check_of_pages_reads_a_player_as_written() -> None:
    page = (DOCS_DIR / "truncated.md").read_text()
    assert '<div class="stream-player" data-src="../players/' in page
    assert ("docs/truncated.md", "truncated/cut_connection--cut-mid-6.json") in players_on_pages()


# Each player, and more faults: every way a fault changes what is sent, against the server.
SENT = [
    *PLAYERS,
    ("truncated/cut_connection", ("rechunk:7:5",)),
    ("first_stream/text_stream", ("stall:4:0.2", "cut:9")),
    ("first_stream/text_stream", ("malformed:4", "unknown:2")),
    ("first_stream/text_stream", ("drip:40:0",)),
    ("first_stream/text_stream", ("http:529:2",)),
    ("content_blocks/thinking_events", ("rechunk:3:3", "cut-mid:5")),
]


@pytest.mark.parametrize(("key", "specs"), SENT, ids=[player_file(*p) for p in SENT])
def test_the_chunks_are_what_the_replay_server_sends(key: str, specs: tuple[str, ...]) -> None:
    recording = recording_of(key)
    data = player_data(recording, specs)
    received = fetch([parse_fault(spec) for spec in specs], recording=recording)
    assert data["status"] == received.status
    if "body" in data:
        assert data["body"].encode() == received.body
        assert "chunks" not in data
        return
    assert [chunk_bytes(chunk) for chunk in data["chunks"]] == [d for _, d in received.chunks]
    assert data["cut"] is not received.complete
    assert data["headers"]["content-type"] == received.headers["content-type"]
    assert data["provenance"]["source"] == recording.provenance.source
    assert data["recording"] == f"recordings/{key}.toml"


def test_a_chunk_is_due_when_the_server_sends_it() -> None:
    recording = recording_of("first_stream/text_stream")
    specs = ("stall:4:0.25",)
    plan = plan_response(recording.response.events, [parse_fault(s) for s in specs])
    data = player_data(recording, specs)
    due = [round(step.at + step.delay, 6) for step in plan.steps]
    assert [chunk["at"] for chunk in data["chunks"]] == due
    assert due[3] == round(recording.response.events[3].at + 0.25, 6)
    assert data["at"] == recording.response.at


def test_a_chunk_that_splits_a_character_is_given_in_base64() -> None:
    recording = recording_of("content_blocks/thinking_events")
    specs = ("drip:1:0",)  # one byte at a time: every character past ASCII is split
    data = player_data(recording, specs)
    encoded = [chunk for chunk in data["chunks"] if "base64" in chunk]
    body = b"".join(chunk_bytes(chunk) for chunk in data["chunks"])
    assert body == recording.sse_body
    assert encoded, "the recording holds no character outside ASCII"
    assert all(len(chunk_bytes(chunk)) == 1 and chunk_bytes(chunk)[0] >= 0x80 for chunk in encoded)


def test_the_file_is_json_that_reads_back_to_the_data() -> None:
    recording = recording_of("truncated/cut_connection")
    data = player_data(recording, ("cut-mid:6",))
    text = player_json(data)
    assert json.loads(text) == data
    chunk_lines = [line.rstrip(",") for line in text.splitlines() if line.startswith("  {")]
    assert [json.loads(line) for line in chunk_lines] == data["chunks"]  # a chunk a line
    empty = player_data(recording, ("cut:0",))
    assert json.loads(player_json(empty))["chunks"] == []


def test_player_file_names_hold_no_colon() -> None:
    assert player_file("first_stream/text_stream") == "first_stream/text_stream.json"
    assert (
        player_file("retrying/retry_then_resume/1", ("error:5@1", "stall:2:0.5"))
        == "retrying/retry_then_resume/1--error-5-at-1--stall-2-0.5.json"
    )


def test_the_players_directory_is_published_with_the_site(built_site: Path) -> None:
    for key, specs in PLAYERS:
        name = player_file(key, specs)
        assert (built_site / "players" / name).read_bytes() == (PLAYERS_DIR / name).read_bytes()


def test_the_player_is_small() -> None:
    """Plain JavaScript and CSS, no framework: under 52 KB unminified, together (30 KB
    before the poster, the picture as its track and the "what if" deliveries), loaded only
    on a page that has a player."""
    assets = DOCS_DIR / "assets"
    size = sum((assets / name).stat().st_size for name in ("player.js", "player.css"))
    assert size < 52 * 1024, f"player.js and player.css are {size} bytes"
