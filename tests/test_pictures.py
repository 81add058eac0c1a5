"""The pictures on the pages: timelines drawn from the recordings, and diagrams.

A timeline picture (`docs/timelines/<topic>/<name>.svg`) is generated from its recording by
`python3 dev.py test --update-outputs`, like the text timelines, and fails here when stale. A
diagram (`docs/diagrams/<name>.svg`) is drawn by hand and checked for what every picture
needs: well-formed SVG, a title and a description for those who cannot see it, nothing
fetched from elsewhere, and a place on its page, inside a figure with a caption.
"""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from stream_replay import RecordingError, load_recording, parse_recording, timeline, timeline_svg

from .pages import fenced_blocks
from .project import DOCS_DIR, RECORDINGS_DIR, ROOT, relative

TIMELINES_DIR = DOCS_DIR / "timelines"
DIAGRAMS_DIR = DOCS_DIR / "diagrams"
# The site's pages, and the interview bank's (the system-design page holds diagrams too).
PAGES = sorted(DOCS_DIR.glob("*.md")) + sorted((DOCS_DIR / "interview").glob("*.md"))
SVG = "{http://www.w3.org/2000/svg}"

# The recordings the pages show as timeline pictures, each with the faults its page replays
# it with (as `--fault` takes them). A page that shows a recording's text timeline, or wire
# text only that recording holds, shows its picture; or the recording is in NOT_PICTURED.
TIMELINE_PICTURES: dict[str, tuple[str, ...]] = {
    "first_stream/text_stream": (),
    "first_stream/error_event": (),
    "why_stream/time_to_first_token": (),
    "why_stream/smooth_text": (),
    "events/unknown_events": (),
    "content_blocks/tool_use_events": (),
    "content_blocks/thinking_events": (),
    "content_blocks/citations_events": (),
    "errors/error_in_stream": ("error:5",),
    "truncated/cut_connection": ("cut-mid:6",),
    "truncated/ended_early": (),
    "retrying/retry_then_resume/1": ("error:5@1",),
    "retrying/retry_then_resume/2": (),
    "timeouts/idle_timeout": (),
    "cancelling/break_out": (),
    "thinking/omitted_stream": (),
    "server_tools/web_search_events": (),
    "deadlines/watchdog/1_prime": (),
    "openai_compat/text_stream": (),
}

# Where a page shows a recording's own wire text without discussing the stream it comes from:
# one event as an example of its kind, or a few lines to show a field. The page is about the
# event, not about when the stream's events arrived. "page: recording" -> why no picture.
ONE_EVENT = "one event, as an example of its type"
REASON = "the message_delta that holds the stop reason"
NOT_PICTURED: dict[str, str] = {
    "first-stream.md: first_stream/raw_events": (
        "the same stream as first_stream/text_stream, pictured above it"
    ),
    "events.md: wire_format/curl_stream": ONE_EVENT,
    "events.md: content_blocks/tool_use_events": ONE_EVENT,
    "wire-format.md: wire_format/curl_stream": ONE_EVENT,
    "raw-http.md: raw_http/accumulate": "the tool input's wire text, to show how it is parsed",
    "sdk-events.md: sdk_helpers/input_json_snapshot": "the tool input, to show the snapshots",
    "stop-reasons.md: stop_reasons/act_on_stop_reason/1-max-tokens": REASON,
    "stop-reasons.md: stop_reasons/act_on_stop_reason/3-stop-sequence": REASON,
    "stop-reasons.md: stop_reasons/act_on_stop_reason/4-tool-use": REASON,
    "stop-reasons.md: stop_reasons/act_on_stop_reason/6-pause-turn": REASON,
    "stop-reasons.md: stop_reasons/act_on_stop_reason/7-pause-turn-resumed": ONE_EVENT,
    "stop-reasons.md: stop_reasons/act_on_stop_reason/8-refusal": REASON,
    "usage.md: usage/cumulative": "the usage fields of message_start and message_delta",
    "usage.md: usage/cache_fields/1": "the usage fields of message_start",
    "usage.md: usage/final_details": "the usage fields of message_delta",
    "server-tools.md: server_tools/any_block": "the container on message_delta",
}


def picture_file(key: str) -> Path:
    return TIMELINES_DIR / f"{key}.svg"


def drawn(key: str) -> str:
    recording = load_recording(RECORDINGS_DIR / f"{key}.toml", name=f"recordings/{key}.toml")
    return timeline_svg(recording, faults=TIMELINE_PICTURES[key])


@pytest.mark.parametrize("key", TIMELINE_PICTURES)
def test_a_timeline_picture_is_its_recording_drawn(key: str, update_outputs: bool) -> None:
    shown = picture_file(key)
    svg = drawn(key)
    if update_outputs:
        shown.parent.mkdir(parents=True, exist_ok=True)
        shown.write_text(svg, encoding="utf-8")
    assert shown.exists(), f"no {relative(shown)}: run python3 dev.py test --update-outputs"
    assert shown.read_text(encoding="utf-8") == svg, "stale: python3 dev.py test --update-outputs"


def test_every_timeline_picture_is_listed() -> None:
    found = {p.relative_to(TIMELINES_DIR).with_suffix("").as_posix() for p in svgs(TIMELINES_DIR)}
    assert found - set(TIMELINE_PICTURES) == set(), "a picture no recording draws: delete it"


def svgs(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.svg"))


ALL_PICTURES = svgs(TIMELINES_DIR) + svgs(DIAGRAMS_DIR)
EXTERNAL = re.compile(r"(https?:)?//|@import|@font-face|url\(", re.I)


@pytest.mark.parametrize("path", ALL_PICTURES, ids=relative)
def test_a_picture_stands_alone_and_says_what_it_shows(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    root = ET.fromstring(text)  # well-formed, or this raises
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("viewBox"), "a viewBox, so that it scales"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None, "no <title>"
    assert (title.text or "").strip(), "an empty <title>"
    assert desc is not None, "no <desc>"
    assert len((desc.text or "").split()) >= 12, "no real <desc>, a text alternative"
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    # Nothing from elsewhere: no links, images, scripts, styles or fonts; only the namespace.
    tags = {element.tag.removeprefix(SVG) for element in root.iter()}
    assert tags.isdisjoint({"a", "image", "script", "style", "foreignObject", "use"}), tags
    attributes = [v for element in root.iter() for k, v in element.attrib.items() if k != "xmlns"]
    assert not [v for v in attributes if EXTERNAL.search(v)]
    assert text.count("http://www.w3.org/2000/svg") == 1
    assert "\n\n" not in text, "a blank line would end the HTML block when inlined in a page"
    assert len(text.encode()) < 8 * 1024, "a picture should weigh a few KB"


def test_the_ids_of_all_pictures_are_distinct() -> None:
    ids = [
        element.get("id")
        for path in ALL_PICTURES
        for element in ET.parse(path).getroot().iter()
        if element.get("id")
    ]
    assert len(ids) == len(set(ids)), "two pictures on one page would share an id"


def inlined(page: Path) -> list[tuple[str, str]]:
    """(picture, caption) of each picture figure on a page, the picture as its path."""
    return re.findall(
        r'^<figure class="picture" data-search-exclude markdown>\n'
        r'--8<-- "([^"]+\.svg)"\n'
        r"<figcaption markdown>(.+?)</figcaption>\n"
        r"</figure>$",
        page.read_text(),
        re.M | re.S,
    )


def pictures_on(page: Path) -> set[str]:
    return {path for path, _ in inlined(page)}


@pytest.mark.parametrize("path", ALL_PICTURES, ids=relative)
def test_a_picture_stands_on_a_page_in_a_figure_with_a_caption(path: Path) -> None:
    pages = [relative(page) for page in PAGES if relative(path) in pictures_on(page)]
    assert pages, f"no page shows {relative(path)} in a picture figure (see inlined())"
    text = "\n".join(page.read_text() for page in PAGES)
    assert text.count(f'--8<-- "{relative(path)}"') == len(pages), "outside a figure"


# The diagrams, drawn by hand, and the page each explains.
DIAGRAMS = {
    "stream-shape": "events.md",  # message, content blocks by index, deltas, stop
    "error-before-during": "errors.md",  # an HTTP error and SDK retries; an error event
    "retry-resume": "retrying.md",  # the same request again, or a continuation
    "relay": "relay.md",  # the API, the relay, a proxy, the browser
    # The worked designs of the interview bank's system-design track.
    "design-chat": "interview/system-design.md",  # 100,000 users: relays, store, the API
    "design-gateway": "interview/system-design.md",  # an LLM gateway: quota, pass-through
    "design-durable": "interview/system-design.md",  # a worker, an event log, readers
}


def test_each_diagram_is_on_its_page() -> None:
    assert {p.stem for p in svgs(DIAGRAMS_DIR)} == set(DIAGRAMS)
    misplaced = [
        name
        for name, page in DIAGRAMS.items()
        if f"docs/diagrams/{name}.svg" not in pictures_on(DOCS_DIR / page)
    ]
    assert misplaced == []


def test_a_caption_states_only_times_of_its_recording() -> None:
    """A time in a timeline's caption is one its picture's description or the recording's
    text timeline gives."""
    wrong = []
    for page in PAGES:
        for path, caption in inlined(page):
            if not path.startswith("docs/timelines/"):
                continue
            desc = ET.parse(ROOT / path).getroot().find(f"{SVG}desc")
            assert desc is not None
            key = path.removeprefix("docs/timelines/").removesuffix(".svg")
            known = (desc.text or "") + timeline(load_recording(RECORDINGS_DIR / f"{key}.toml"))
            wrong += [
                f"{page.name}: {time}"
                for time in re.findall(r"\d+\.\d+ s\b", caption)
                if time not in known
            ]
    assert wrong == []


def test_a_page_with_a_text_timeline_shows_its_picture() -> None:
    missing = [
        f"{page.name}: {include}"
        for page in PAGES
        for include in re.findall(r'--8<-- "(docs/timelines/[^"]+)\.txt"', page.read_text())
        if f"{include}.svg" not in pictures_on(page)
    ]
    assert missing == []


def owners_of_wire_lines() -> dict[str, set[str]]:
    """Each `data:` line of any recording -> the recordings that hold it."""
    owners: dict[str, set[str]] = {}
    for path in RECORDINGS_DIR.rglob("*.toml"):
        key = path.relative_to(RECORDINGS_DIR).with_suffix("").as_posix()
        for line in load_recording(path).sse_body.decode().splitlines():
            if line.startswith("data:"):
                owners.setdefault(line, set()).add(key)
    return owners


def test_a_page_that_shows_a_streams_own_wire_text_shows_its_picture() -> None:
    owners = owners_of_wire_lines()
    missing = []
    for page in PAGES:
        shown = {
            next(iter(owners[line.strip()]))
            for block in fenced_blocks(page.relative_to(ROOT), page.read_text())
            if block.lang in {"text", "sse", ""}
            for line in block.body
            if len(owners.get(line.strip(), ())) == 1
        }
        pictured = {
            p.removeprefix("docs/timelines/").removesuffix(".svg") for p in pictures_on(page)
        }
        missing += [f"{page.name}: {key}" for key in shown - pictured]
    assert sorted(set(missing) - set(NOT_PICTURED)) == [], "picture it, or say why not"
    assert sorted(set(NOT_PICTURED) - set(missing)) == [], "pictured or gone: unlist it"


def test_the_pictures_are_of_recordings_that_exist() -> None:
    assert [k for k in TIMELINE_PICTURES if not (RECORDINGS_DIR / f"{k}.toml").exists()] == []


def test_the_built_pages_hold_the_pictures_unchanged(built_site: Path) -> None:
    """Markdown must not touch the inlined SVG (emphasis, paragraphs, escapes)."""
    changed = []
    for page in PAGES:
        if not pictures_on(page):
            continue
        address = page.relative_to(DOCS_DIR).with_suffix("")
        folder = address.parent if address.name == "index" else address  # index.md: its folder
        built = (built_site / folder / "index.html").read_text()
        changed += [
            f"{page.name}: {path}"
            for path in pictures_on(page)
            if (ROOT / path).read_text().strip() not in built
        ]
    assert changed == []


# --------------------------------------------------------------------------- the generator


def test_a_stall_is_drawn_on_a_broken_axis_with_its_length() -> None:
    recording = load_recording(RECORDINGS_DIR / "timeouts/idle_timeout.toml")
    svg = timeline_svg(recording, faults=["stall:12:3"])
    assert "longest silence 3.097 s, shortened" in svg
    assert "longest silence 0.446 s</text>" in timeline_svg(recording)


def test_a_cut_is_drawn_as_a_cut() -> None:
    recording = load_recording(RECORDINGS_DIR / "first_stream/text_stream.toml")
    dropped = timeline_svg(recording, faults=["cut:6"])
    assert "connection dropped 0.815 s" in dropped
    assert "message_stop: none" in dropped
    assert "connection drops at 0.815 s" in dropped
    ended = timeline_svg(load_recording(RECORDINGS_DIR / "truncated/ended_early.toml"))
    assert "body ended 0.947 s, no message_stop" in ended


def test_an_error_event_is_drawn_as_an_error() -> None:
    svg = timeline_svg(load_recording(RECORDINGS_DIR / "first_stream/error_event.toml"))
    assert "error: overloaded_error</text>" in svg
    assert "error event 1.317 s, no message_stop" in svg
    assert 'class="pic-fail"' in svg


def test_an_http_error_has_no_timeline() -> None:
    recording = load_recording(RECORDINGS_DIR / "first_stream/text_stream.toml")
    with pytest.raises(RecordingError, match="no events to draw"):
        timeline_svg(recording, faults=["http:529"])


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        (["--fault", "http:529"], "an HTTP error before the stream has no events to draw"),
        (["--fault", "http:529@1", "--fault", "cut:2@2"], "has no events to draw"),
    ],
    ids=["an HTTP error fault", "the first of two requests fails"],
)
def test_the_command_says_in_one_line_what_it_cannot_draw(arguments: list[str], said: str) -> None:
    path = "recordings/first_stream/text_stream.toml"
    result = subprocess.run(
        [sys.executable, "-m", "stream_replay", "timeline", path, *arguments, "--svg"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert said in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('event: ping\ndata: {"type": "ping"}', 'data: {"type":""}'),
        ("at = 0.772", "at = 86400"),
    ],
    ids=["an event with an empty type", "an event a day in, the latest that loads"],
)
def test_any_stream_that_loads_can_be_drawn(old: str, new: str) -> None:
    text = (RECORDINGS_DIR / "first_stream/raw_events.toml").read_text()
    assert old in text
    svg = timeline_svg(parse_recording(text.replace(old, new), "edited.toml"))
    assert ET.fromstring(svg).tag.endswith("svg")


@pytest.mark.parametrize("at", [1e15, 1e308, 1.7976931348623157e308])
def test_an_offset_no_recording_may_hold_is_refused_at_once(at: float) -> None:
    # A recording made in Python skips the load's checks: at = 1e15 once drew a million
    # ticks, each placed by recomputing them all, and never finished.
    recording = load_recording(RECORDINGS_DIR / "first_stream/raw_events.toml")
    events = recording.response.events
    last = dataclasses.replace(events[-1], at=at)
    response = dataclasses.replace(recording.response, events=(*events[:-1], last))
    with pytest.raises(RecordingError, match=r"an event at .* s, beyond a day: too far to draw"):
        timeline_svg(dataclasses.replace(recording, response=response))
    with pytest.raises(RecordingError, match="beyond a day"):  # a stall that long, too
        timeline_svg(recording, faults=[f"stall:2:{at!r}"])


def test_a_long_stream_has_ticks_along_its_axis() -> None:
    # Ten minutes, an event every 50 s: no silence long enough to shorten. The longest step
    # between ticks was 60 s, then 1e9 s: one tick, at 0.
    recording = load_recording(RECORDINGS_DIR / "first_stream/raw_events.toml")
    events = tuple(
        dataclasses.replace(event, at=50.0 * number)
        for number, event in enumerate(recording.response.events)
    )
    assert events[-1].at >= 400
    response = dataclasses.replace(recording.response, events=events)
    svg = timeline_svg(dataclasses.replace(recording, response=response))
    ticks = re.findall(r'<path d="M[\d.]+ [\d.]+v5"', svg)
    assert 3 <= len(ticks) <= 7


def test_the_command_prints_the_picture() -> None:
    path = "recordings/errors/error_in_stream.toml"
    command = [sys.executable, "-m", "stream_replay", "timeline", path, "--svg"]
    result = subprocess.run(
        [*command, "--fault", "error:5"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout == drawn("errors/error_in_stream")
    refused = subprocess.run(
        [*command[:-1], "--fault", "error:5"], cwd=ROOT, capture_output=True, text=True
    )
    assert refused.returncode == 2
    assert "give --svg too" in refused.stderr


def test_a_recorded_http_error_has_no_timeline() -> None:
    text = (RECORDINGS_DIR / "first_stream/raw_events.toml").read_text()
    head = text[: text.index("[response]")]
    body = '{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}'
    response = f"[response]\nstatus = 529\nat = 0.1\nbody = '''\n{body}\n'''\n"
    recording = parse_recording(head + response, "overloaded.toml")
    with pytest.raises(RecordingError, match="an HTTP 529 has no events to draw"):
        timeline_svg(recording)
