"""The interview bank, its pages, the study plan and the cheat sheet (docs/interview/; the deck:
test_deck.py; practising: test_practice.py).

`python3 dev.py test --update-outputs` rewrites the bank's pages from
docs/interview/questions.toml; without it, these tests fail when a committed file is stale.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import anthropic
import httpx2
import pytest
from anthropic._constants import (
    DEFAULT_CONNECTION_LIMITS,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    INITIAL_RETRY_DELAY,
    MAX_RETRY_DELAY,
    MODEL_NONSTREAMING_TOKENS,
)
from anthropic.lib.streaming._messages import accumulate_event
from anthropic.types import (
    RawContentBlockDeltaEvent,
    RawContentBlockStartEvent,
    RawMessageStartEvent,
)

from stream_replay import CutAfter, ReplayServer, StallBefore, load_recording

from .browser import Visit, same_page
from .interview import (
    ANSWER_WORDS,
    BANK_DIR,
    GROUP_KEYS,
    GROUPS,
    HEADLINE_WORDS,
    LEVELS,
    SDK_VERSION,
    BankError,
    level_order_problems,
    load_bank,
    structure_problems,
    word_count,
)
from .interview_render import rendered_pages
from .project import DOCS_DIR, PLACEHOLDER_KEY, RECORDINGS_DIR, ROOT, TIME_TOLERANCE
from .theme import CHROME

QUESTIONS = load_bank()
PAGES = rendered_pages(QUESTIONS)
CHEAT_SHEET = BANK_DIR / "cheat-sheet.md"
STUDY_PLAN = BANK_DIR / "study-plan.md"
WRITTEN_BY_HAND = [CHEAT_SHEET, STUDY_PLAN]


def test_the_bank_has_every_question_in_its_parts() -> None:
    assert structure_problems(QUESTIONS) == []
    assert len(QUESTIONS) >= 70
    juniors = [q for q in QUESTIONS if q.level == "junior"]
    assert len(juniors) >= 14
    for group in GROUPS:
        mine = [q for q in QUESTIONS if q.group == group.key]
        assert len(mine) >= 5, group.title
        assert sum(q.level == "junior" for q in mine) >= 2, group.title
    assert sum(q.level == "design" for q in QUESTIONS) >= 3
    assert {q.level for q in QUESTIONS} == set(LEVELS)


def test_each_page_runs_from_junior_to_senior_and_deep_cuts_come_last() -> None:
    assert level_order_problems(QUESTIONS) == []
    assert GROUPS[-1].key == "deep-cuts"
    deep = {q.id for q in QUESTIONS if q.group == "deep-cuts"}
    # The SDK deep cuts the issue moved out of the groups a candidate studies first.
    assert {"byte-order-mark", "snapshot-in-place", "sdk-unknown-events", "api-version"} <= deep


def test_every_answer_fits_in_about_a_minute() -> None:
    """A headline of at most 30 words and a core of at most 150 words of prose: said at an
    interview's pace (about 150 words a minute), the two take about a minute."""
    too_long = [
        (q.id, word_count(q.headline), word_count(q.answer))
        for q in QUESTIONS
        if word_count(q.headline) > HEADLINE_WORDS or word_count(q.answer) > ANSWER_WORDS
    ]
    assert too_long == []
    spoken = [word_count(q.headline) + word_count(q.answer) for q in QUESTIONS]
    assert max(spoken) <= HEADLINE_WORDS + ANSWER_WORDS


def one_question(**changes: str) -> str:
    """A well-formed question as TOML, with some of its lines replaced."""
    lines = {
        "id": 'id = "what-is-streaming"',
        "group": 'group = "fundamentals"',
        "level": 'level = "junior"',
        "question": 'question = "What is streaming in Claude API responses and how do you use it?"',
        "headline": 'headline = "Events while the model writes."',
        "answer": "answer = '''" + "word " * 60 + "'''",
        "signals": 'signals = ["one", "two"]',
        "red_flags": 'red_flags = ["one"]',
        "ladder": 'ladder = { junior = "j", mid = "m", senior = "s" }',
        "follow_ups": 'follow_ups = [{ question = "A?", see = "other" }, { question = "B?" }]',
        "links": 'links = [{ title = "t", to = "events.md#ping" }]',
    }
    lines |= changes
    other = '\n[[question]]\nid = "other"\nlevel = "mid"\nquestion = "O?"\n' + "\n".join(
        v for k, v in lines.items() if k not in {"id", "level", "question"}
    )
    wrong = '\n[[question.wrong_answers]]\nanswer = "a"\nwhy = "b"\n'
    return "[[question]]\n" + "\n".join(lines.values()) + wrong + other + wrong


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({}, None),
        ({"headline": 'headline = "' + "word " * 30 + 'end."'}, "the headline has 31 words"),
        ({"headline": 'headline = "One sentence. And a second one."'}, "not one sentence"),
        ({"answer": "answer = '''" + "word " * 151 + "'''"}, "151 words of prose"),
        (
            {"answer": "answer = '''" + "word " * 150 + "\n```python\nx = 1\n```\n'''"},
            None,  # code the answer includes is not counted
        ),
        ({"signals": 'signals = ["one"]'}, "1 signals, not 2 or 3"),
        ({"red_flags": 'red_flags = ["a", "b", "c"]'}, "3 red flags, not 1 or 2"),
        ({"ladder": 'ladder = { junior = "j", mid = "", senior = "s" }'}, "the ladder lacks"),
        ({"follow_ups": 'follow_ups = [{ question = "A?" }]'}, "1 follow-ups, not 2 or 3"),
        (
            {"follow_ups": 'follow_ups = [{ question = "A?", see = "nowhere" }]'},
            "a follow-up links to 'nowhere'",  # (and 1 follow-up: both reported)
        ),
        ({"level": 'level = "design"'}, "a worked design has level 'design'"),
    ],
    ids=[
        "well-formed",
        "a long headline",
        "two sentences",
        "a long answer",
        "code not counted",
        "one signal",
        "three red flags",
        "a level missing",
        "one follow-up",
        "a follow-up to nowhere",
        "a design without its table",
    ],
)
def test_each_limit_is_checked(
    tmp_path: Path, changes: dict[str, str], problem: str | None
) -> None:
    bank = tmp_path / "questions.toml"
    bank.write_text(one_question(**changes))
    found = [p for p in structure_problems(load_bank(bank)) if p.startswith("what-is-streaming")]
    if problem is None:
        assert found == []
    else:
        assert any(problem in p for p in found), found


def test_a_malformed_bank_is_reported_in_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "questions.toml"
    bad.write_text('[[question]]\nid = "x"\ngroup = "fundamentals"\n')
    with pytest.raises(BankError) as raised:
        load_bank(bad)
    assert "\n" not in str(raised.value)
    assert "missing ['answer', 'follow_ups', 'headline', 'ladder'," in str(raised.value)
    bad.write_text(one_question(ladder='ladder = { junior = "j" }'))
    with pytest.raises(BankError, match=r"^questions\.toml: question 1 \(what-is-streaming\): "):
        load_bank(bad)
    bad.write_text("[[question]\n")
    with pytest.raises(BankError, match=r"^questions\.toml: "):
        load_bank(bad)


@pytest.mark.parametrize("page", sorted(PAGES), ids=lambda p: p.name)
def test_the_bank_pages_are_generated_from_the_bank(page: Path, update_outputs: bool) -> None:
    if update_outputs:
        page.write_text(PAGES[page], encoding="utf-8")
    assert page.read_text(encoding="utf-8") == PAGES[page], (
        f"{page.relative_to(ROOT)} is stale: run `python3 dev.py test --update-outputs`"
    )


def question_sections(text: str) -> dict[str, str]:
    """Each question's part of a rendered page, by its anchor."""
    text = text.split('??? info "Sources"')[0]
    parts = re.split(r"^## .+ \{ #([a-z0-9-]+) \}$", text, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_every_question_is_on_its_page_in_the_shared_markup() -> None:
    """The markup the practice scripts read (the team brief's contract), for every question."""
    found: dict[str, str] = {}
    for group in GROUPS:
        found |= question_sections(PAGES[BANK_DIR / group.page])
    assert list(found) == [q.id for q in QUESTIONS if q.id in found]
    assert sorted(found) == sorted(q.id for q in QUESTIONS)
    for q in QUESTIONS:
        section = found[q.id]
        opening = (
            f'<div class="iq" data-qid="{q.id}" data-group="{q.group}" '
            f'data-level="{q.level}" markdown>'
        )
        assert opening in section, q.id
        assert f'<span class="iq-level iq-level--{q.level}">' in section, q.id
        assert f'<p class="iq-headline" markdown>**{q.headline}**</p>' in section, q.id
        assert section.count('<details class="iq-answer" markdown>') == 1, q.id
        assert section.count("<summary>Show answer</summary>") == 1, q.id
        for css in ("iq-signals", "iq-red-flags", "iq-ladder", "iq-follow-ups"):
            assert f'<ul class="{css}" markdown>' in section, f"{q.id}: {css}"
        assert "??? " not in section, "no admonition per question"
        assert "!!! " not in section, "no admonition per question"
        assert re.search(r"\]\(\.\./[a-z-]+\.md#[a-z0-9_-]+\)", section), q.id


def test_every_follow_up_links_to_the_question_that_answers_it() -> None:
    anchors = {group.page: set(question_sections(PAGES[BANK_DIR / group.page])) for group in GROUPS}
    by_id = {q.id: q for q in QUESTIONS}
    linked = 0
    for q in QUESTIONS:
        section = question_sections(PAGES[BANK_DIR / GROUP_KEYS[q.group].page])[q.id]
        line = next(x for x in section.splitlines() if 'class="iq-follow-ups"' in x)
        targets = re.findall(r"\]\(([a-z-]+\.md)#([a-z0-9-]+)\)", line)
        assert len(targets) == sum(f.see is not None for f in q.follow_ups), q.id
        for page, anchor in targets:
            assert anchor in anchors[page], f"{q.id}: {page}#{anchor}"
            assert GROUP_KEYS[by_id[anchor].group].page == page
        linked += len(targets)
    assert linked >= len(QUESTIONS) * 2  # nearly every follow-up has a question that answers it


def test_a_worked_design_shows_each_of_its_parts() -> None:
    page = PAGES[BANK_DIR / GROUP_KEYS["design"].page]
    sections = question_sections(page)
    for q in QUESTIONS:
        if q.design is None:
            continue
        section = sections[q.id]
        for part in (
            "Requirements",
            "Back of the envelope",
            "The design",
            "How one request flows",
            "Key decisions and their trade-offs",
            "Failure drill",
            "Rubric by level",
            "Follow-ups",
        ):
            assert f'aria-level="3">{part}</p>' in section, f"{q.id}: {part}"
        assert f'--8<-- "{q.design.diagram}"' in section
        # Every number of the estimate says what kind of number it is.
        line = next(x for x in section.splitlines() if 'class="iq-estimate"' in x)
        kinds = re.findall(r"\(\*(published|estimate|rule of thumb)\*: ", line)
        assert kinds == [e.kind for e in q.design.estimate], q.id


@pytest.mark.parametrize("page", [*sorted(PAGES), *WRITTEN_BY_HAND], ids=lambda p: p.name)
def test_a_bank_page_stays_under_300_lines(page: Path) -> None:
    assert len(page.read_text(encoding="utf-8").splitlines()) < 300


def test_the_bank_is_offered_on_the_home_page_and_in_the_navigation() -> None:
    home = (DOCS_DIR / "index.md").read_text()
    assert "(interview/index.md)" in home
    assert "(interview/cheat-sheet.md)" in home
    assert f"holds {len(QUESTIONS)} questions" in " ".join(home.split())
    assert sum(q.level == "design" for q in QUESTIONS) == 3
    assert "three worked system designs" in " ".join(home.split())
    nav = (ROOT / "mkdocs.yml").read_text()
    assert nav.index("first-stream.md") < nav.index("Interview prep:") < nav.index("why-stream")
    for page in [*PAGES, *WRITTEN_BY_HAND]:
        assert f"interview/{page.name}" in nav
    for page in PAGES:
        if page.name != "index.md":
            assert "(streaming-interview.apkg){ download }" in PAGES[page]
            assert "(study-plan.md)" in PAGES[page]


def test_the_study_plan_points_at_questions_that_exist_and_counts_them_right() -> None:
    text = STUDY_PLAN.read_text()
    anchors = {(GROUP_KEYS[q.group].page, q.id) for q in QUESTIONS}
    linked = set(re.findall(r"\]\(([a-z-]+\.md)#([a-z0-9-]+)\)", text))
    assert linked, "the plan and the script point at questions"
    assert linked - anchors == set()
    # Every worked design and every group is in the two-week plan.
    assert {q.id for q in QUESTIONS if q.level == "design"} <= {a for _, a in linked}
    assert f"{len(QUESTIONS)} questions" in " ".join(text.split())
    # The evening is three hours and the mock interview 45 minutes: their parts add up.
    evening = text.split("## One evening")[1].split("## One week")[0]
    interview = text.split("## The mock interview")[1].split("## The scoring rubric")[0]
    evening_minutes = [int(m) for m in re.findall(r"^\| (\d+) min \|", evening, re.M)]
    assert "Three hours" in evening
    assert sum(evening_minutes) == 180, evening_minutes
    minutes = [int(m) for m in re.findall(r"^\| (\d+) min \|", interview, re.M)]
    assert len(minutes) == 5, minutes
    assert sum(minutes) == 45, minutes
    assert len(GROUPS) == 10
    assert "in ten groups" in text


# The numbers and behaviours the bank and the cheat sheet give for the SDK, checked against the
# installed SDK rather than trusted. The bank is written for 2.17.0, and says where 2.12.0 (the
# version locked until the lock moves) differs; these tests hold for either.


def bank_text() -> str:
    pages = [*PAGES, *WRITTEN_BY_HAND]
    return " ".join(" ".join(path.read_text().split()) for path in pages)


def test_the_sdk_numbers_on_the_bank_pages_are_the_sdks() -> None:
    text = bank_text()
    assert anthropic.__version__ in {"2.12.0", SDK_VERSION}
    assert f"`anthropic` Python SDK {SDK_VERSION}" in text
    assert (DEFAULT_TIMEOUT.read, DEFAULT_TIMEOUT.connect) == (600, 5.0)
    assert DEFAULT_TIMEOUT.write == DEFAULT_TIMEOUT.pool == 600
    assert "`httpx2.Timeout(timeout=600, connect=5.0)`" in text
    assert "| opening the connection | 5 s |" in text
    assert "600 s" in text
    assert DEFAULT_MAX_RETRIES == 2
    assert "`max_retries` 2 by default" in text
    assert "twice by default" in text
    assert (INITIAL_RETRY_DELAY, MAX_RETRY_DELAY) == (0.5, 8.0)
    assert "0.5 s doubling to 8 s" in text
    assert "from 0.5 s, doubling up to 8 s" in text
    assert DEFAULT_CONNECTION_LIMITS.max_connections == 1000
    assert "allows 1,000 connections per client" in text
    # A non-streaming request is refused when 3,600 s x max_tokens / 128,000 passes 600 s, or
    # above a lower limit of its own for some models: no single number holds for every model.
    assert math.floor(600 * 128_000 / 3_600) == 21_333
    assert "above 21,333" in text
    assert set(MODEL_NONSTREAMING_TOKENS.values()) == {8_192}
    assert "8,192 for Claude Opus 4 and 4.1 model ids" in text
    assert TIME_TOLERANCE == 0.3
    assert "This site's tolerance is 0.3 s" in text


def test_the_sdk_sends_the_key_as_a_bearer_token_and_no_idempotency_key() -> None:
    client = anthropic.Anthropic(api_key="sk-not-a-key")
    assert client.auth_headers == {"Authorization": "Bearer sk-not-a-key"}
    assert client._idempotency_header is None
    text = bank_text()
    assert "sends the key as `Authorization: Bearer <key>`, and no `x-api-key`" in text
    assert "its base client has a slot for one, which the Anthropic client leaves empty" in text


def test_a_plain_def_endpoint_runs_in_a_pool_of_40_threads() -> None:
    import anyio
    import anyio.to_thread

    async def tokens() -> float:
        return anyio.to_thread.current_default_thread_limiter().total_tokens

    assert anyio.run(tokens) == 40
    assert "default limiter in anyio 4.16.0 holds 40 threads" in bank_text()


CUT = load_recording(RECORDINGS_DIR / "truncated" / "cut_connection.toml")


def read_to_the_end(server: ReplayServer, timeout: httpx2.Timeout | None = None) -> None:
    client = anthropic.Anthropic(api_key=PLACEHOLDER_KEY, base_url=server.url)
    if timeout is not None:
        client = client.with_options(timeout=timeout)
    body = CUT.request.body
    with client.messages.stream(
        model=body["model"], max_tokens=body["max_tokens"], messages=body["messages"]
    ) as stream:
        for _ in stream.text_stream:
            pass


def installed_is_at_least(version: str) -> bool:
    def parts(v: str) -> tuple[int, ...]:
        return tuple(int(x) for x in v.split("."))

    return parts(anthropic.__version__) >= parts(version)


def test_a_drop_and_a_stall_raise_what_the_bank_says_for_the_installed_sdk() -> None:
    """drop-exception-by-version: from 2.17.0 `APIConnectionError` / `APITimeoutError` with the
    httpx2 error as the cause; before it, the httpx2 error itself; one request either way."""
    with ReplayServer([CUT], speed=0, faults=[CutAfter(6)]) as server:
        with pytest.raises(Exception) as dropped:  # noqa: PT011 (the class is the point)
            read_to_the_end(server)
        assert len(server.served) == 1
    timeout = httpx2.Timeout(600, read=0.3, connect=5.0)
    # A stall ten times the read timeout: a loaded machine still times out inside it.
    with ReplayServer([CUT], speed=0, faults=[StallBefore(6, 3.0)]) as server:
        with pytest.raises(Exception) as stalled:  # noqa: PT011
            read_to_the_end(server, timeout=timeout)
        assert len(server.served) == 1
    if installed_is_at_least("2.17.0"):
        assert type(dropped.value) is anthropic.APIConnectionError
        assert isinstance(dropped.value.__cause__, httpx2.RemoteProtocolError)
        assert type(stalled.value) is anthropic.APITimeoutError
        assert isinstance(stalled.value.__cause__, httpx2.ReadTimeout)
    else:
        assert type(dropped.value) is httpx2.RemoteProtocolError
        assert type(stalled.value) is httpx2.ReadTimeout
    text = bank_text()
    assert "raised from your loop as `anthropic.APIConnectionError`, or its subclass" in text
    assert "came out as `httpx2.RemoteProtocolError` and `httpx2.ReadTimeout`" in text


def test_the_sdk_raises_value_error_on_invalid_tool_input_json() -> None:
    """The fine-grained tool streaming answer: messages.stream() re-parses tool input at every
    delta and raises ValueError from the loop when it is invalid (SDK 2.12.0 and 2.17.0)."""
    start = RawMessageStartEvent.model_validate(
        {
            "type": "message_start",
            "message": {
                "id": "msg_1",
                "type": "message",
                "role": "assistant",
                "model": "claude-sonnet-5-5",
                "content": [],
                "stop_reason": None,
                "stop_sequence": None,
                "usage": {"input_tokens": 1, "output_tokens": 1},
            },
        }
    )
    block = RawContentBlockStartEvent.model_validate(
        {
            "type": "content_block_start",
            "index": 0,
            "content_block": {"type": "tool_use", "id": "toolu_1", "name": "f", "input": {}},
        }
    )

    def delta(piece: str) -> RawContentBlockDeltaEvent:
        return RawContentBlockDeltaEvent.model_validate(
            {
                "type": "content_block_delta",
                "index": 0,
                "delta": {"type": "input_json_delta", "partial_json": piece},
            }
        )

    def fed(*pieces: str) -> object:
        buffers: dict[int, bytes] = {}
        snapshot = accumulate_event(event=start, current_snapshot=None, json_bufs=buffers)
        snapshot = accumulate_event(event=block, current_snapshot=snapshot, json_bufs=buffers)
        for piece in pieces:
            event = delta(piece)
            snapshot = accumulate_event(event=event, current_snapshot=snapshot, json_bufs=buffers)
        return snapshot.content[0].input  # type: ignore[union-attr]

    # A value with no quotes cannot be read even as unfinished JSON: ValueError, in the loop.
    with pytest.raises(ValueError, match="Unable to parse tool parameter JSON"):
        fed('{"city": "Lis', 'bon", "unit": cel')
    # A missing comma is not caught: the parse stops where the JSON went wrong.
    assert fed('{"city": "Lis', 'bon" "unit": "celsius"}') == {"city": "Lisbon"}
    # The two cases the answer names, as docs/fine-grained-tools.md shows them.
    with pytest.raises(ValueError, match="trailing comma"):
        fed('{"lines": ["a",', "]}")
    assert fed('{"lines": ["He said "', 'hi" and left."]}') == {"lines": ["He said "]}
    text = bank_text()
    assert 'raise a `ValueError` ("Unable to parse tool parameter JSON ...")' in text
    assert "silently keep only the part before the error" in text
    assert "such as a trailing comma" in text
    assert "such as an unescaped quotation mark" in text


def test_the_relay_keepalive_on_the_bank_pages_is_fastapis() -> None:
    from fastapi.sse import _PING_INTERVAL

    assert _PING_INTERVAL == 15.0
    text = bank_text()
    assert "writes a `: ping` comment after 15 s without an event" in text
    assert "writes `: ping` after 15 s without an event" in text


# The built pages: the markup as the browser gets it, the cheat sheet printed by Chromium.


@dataclass
class BuiltQuestion:
    """A `div.iq` as the browser gets it: its attributes, what it holds, its summaries."""

    attrs: dict[str, str | None]
    seen: list[tuple[str, tuple[str, ...], str | None]] = field(default_factory=list)
    summaries: list[str] = field(default_factory=list)


class Questions(HTMLParser):
    """Each `div.iq` of a built page: (tag, classes, role) of every element it holds."""

    def __init__(self) -> None:
        super().__init__()
        self.found: dict[str, BuiltQuestion] = {}
        self.depth = 0  # of nested divs within the current question
        self.current: BuiltQuestion | None = None
        self.summary = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        classes = tuple((attributes.get("class") or "").split())
        if tag == "div" and "iq" in classes:
            self.current = BuiltQuestion(attributes)
            self.found[attributes.get("data-qid") or ""] = self.current
            self.depth = 0
        if self.current is None:
            return
        if tag == "div":
            self.depth += 1
        self.current.seen.append((tag, classes, attributes.get("role")))
        self.summary = tag == "summary"

    def handle_endtag(self, tag: str) -> None:
        if self.current is not None and tag == "div":
            self.depth -= 1
            if self.depth == 0:
                self.current = None
        self.summary = False

    def handle_data(self, data: str) -> None:
        if self.current is not None and self.summary and data.strip():
            self.current.summaries.append(data.strip())


def test_the_built_pages_hold_the_markup_the_practice_scripts_read(built_site: Path) -> None:
    found: dict[str, BuiltQuestion] = {}
    for group in GROUPS:
        parser = Questions()
        built = built_site / "interview" / group.page.removesuffix(".md") / "index.html"
        parser.feed(built.read_text())
        found |= parser.found
    assert sorted(found) == sorted(q.id for q in QUESTIONS)
    for q in QUESTIONS:
        built_question = found[q.id]
        assert built_question.attrs == {
            "class": "iq",
            "data-qid": q.id,
            "data-group": q.group,
            "data-level": q.level,
        }
        tags = [(tag, classes) for tag, classes, _ in built_question.seen]
        assert ("span", ("iq-level", f"iq-level--{q.level}")) in tags, q.id
        assert ("p", ("iq-headline",)) in tags, q.id
        assert tags.count(("details", ("iq-answer",))) == 1, q.id
        for css in ("iq-signals", "iq-red-flags", "iq-ladder", "iq-follow-ups", "iq-wrong-answers"):
            assert ("ul", (css,)) in tags, f"{q.id}: {css}"
        headings = [s for s in built_question.seen if s[2] == "heading"]
        assert len(headings) >= 6, q.id
        # The parts are no page headings: the table of contents keeps one entry per question.
        assert not [s for s in built_question.seen if s[0] in {"h1", "h2", "h3", "h4"}], q.id
        assert built_question.summaries[0] == "Show answer", q.id


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


@pytest.mark.parametrize(
    "paper", [same_page("interview/cheat-sheet", paper, id=paper) for paper in ("A4", "Letter")]
)
def test_the_cheat_sheet_prints_on_two_pages_at_most(
    loaded: Callable[[str], Visit], site_url: str, paper: str
) -> None:
    seen = loaded(f"{site_url}/interview/cheat-sheet/")
    seen.use_scheme("light")
    seen.resize("desktop")
    page = seen.page
    pdf = page.pdf(format=paper, print_background=True)
    shown = "s => [...document.querySelectorAll(s)].some(e => e.checkVisibility())"
    on_screen = page.evaluate(shown, CHROME)
    page.emulate_media(media="print")
    try:
        printed = page.evaluate(shown, CHROME)
        # Page two starts with the reference tables: "say this" fills page one alone.
        second_half_breaks = page.evaluate(
            "getComputedStyle(document.querySelector('.cheat-sheet-reference')).breakBefore"
        )
    finally:
        page.emulate_media(media="null")  # no emulation: page.pdf() prints with print CSS
    pages = pdf_pages(pdf)
    assert 1 <= pages <= 2, f"the cheat sheet prints on {pages} {paper} pages"
    # Header, navigation and footer on screen; the print stylesheet hides them on paper.
    assert (on_screen, printed) == (True, False)
    assert second_half_breaks == "page"


# Each level badge as it looks: its text, colour, background and border style.
BADGE_LOOKS = (
    "[...new Set([...document.querySelectorAll('.iq-level')].map(e => {"
    "const s = getComputedStyle(e);"
    "return [e.textContent, s.color, s.backgroundColor, s.borderStyle].join('|')}))]"
)


def test_an_answer_is_set_at_body_size_and_the_badges_differ(
    visits: Callable[..., Visit], site_url: str
) -> None:
    page = visits(f"{site_url}/interview/failures/").page
    page.locator("details.iq-answer > summary").first.click()
    size = "e => getComputedStyle(e).fontSize"
    answer = page.eval_on_selector("details.iq-answer[open] > p", size)
    body = page.eval_on_selector("article", size)
    looks = page.evaluate(BADGE_LOOKS)
    looks += visits(f"{site_url}/interview/system-design/").page.evaluate(BADGE_LOOKS)
    assert answer == body
    by_level = {look.split("|")[0]: tuple(look.split("|")[1:]) for look in looks}
    assert set(by_level) == {"Junior", "Mid", "Senior", "Design"}
    assert len(set(by_level.values())) == 4  # no two levels look alike


def test_the_search_finds_each_question_by_its_words_and_no_wrong_answer(
    built_site: Path,
) -> None:
    index = json.loads((built_site / "search" / "search_index.json").read_text())
    titles = {
        doc["location"]: html.unescape(re.sub(r"<[^>]+>", "", doc["title"]))
        for doc in index["docs"]
    }
    texts = html.unescape(re.sub(r"<[^>]+>", "", " ".join(d["text"] for d in index["docs"])))
    texts = " ".join(texts.split())
    # The check below sees text as the index holds it: a headline's words are found.
    assert "the user reads the first words long before the last one exists" in texts
    pages = {group.key: group.page.removesuffix(".md") for group in GROUPS}
    for question in QUESTIONS:
        location = f"interview/{pages[question.group]}/#{question.id}"
        assert titles.get(location) == question.question.replace("`", ""), location
        for wrong in question.wrong_answers:
            assert wrong.why.replace("`", "") not in texts  # a search offers no wrong answer
