"""The interview bank, its pages, its deck and the cheat sheet (docs/interview/).

`python3 dev.py test --update-outputs` rewrites the bank's pages and deck from
docs/interview/questions.toml; without it, these tests fail when a committed file is stale.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Callable
from pathlib import Path

import anthropic
import pytest
from anthropic._constants import (
    DEFAULT_CONNECTION_LIMITS,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    INITIAL_RETRY_DELAY,
    MAX_RETRY_DELAY,
)
from anthropic.lib.streaming._messages import accumulate_event
from anthropic.types import (
    RawContentBlockDeltaEvent,
    RawContentBlockStartEvent,
    RawMessageStartEvent,
)

from .browser import Visit, same_page
from .interview import (
    BANK_DIR,
    DECK,
    DECK_NAME,
    GROUPS,
    LEVELS,
    BankError,
    deck_bytes,
    expected_notes,
    load_bank,
    read_deck,
    rendered_pages,
    structure_problems,
)
from .project import DOCS_DIR, ROOT, TIME_TOLERANCE

QUESTIONS = load_bank()
PAGES = rendered_pages(QUESTIONS)
CHEAT_SHEET = BANK_DIR / "cheat-sheet.md"


def test_the_bank_has_every_question_in_its_parts() -> None:
    assert structure_problems(QUESTIONS) == []
    assert len(QUESTIONS) >= 45
    for group in GROUPS:
        assert sum(q.group == group.key for q in QUESTIONS) >= 5, group.title
    assert {q.level for q in QUESTIONS} == set(LEVELS)


def test_a_malformed_bank_is_reported_in_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "questions.toml"
    bad.write_text('[[question]]\nid = "x"\ngroup = "fundamentals"\n')
    with pytest.raises(BankError) as raised:
        load_bank(bad)
    assert "\n" not in str(raised.value)
    assert "missing ['answer', 'level', 'listening_for', 'question']" in str(raised.value)
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
    parts = re.split(r"^## .+ \{ #([a-z0-9-]+) \}$", text, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_every_question_is_on_its_page_with_four_parts_and_a_section_link() -> None:
    found: dict[str, str] = {}
    for group in GROUPS:
        found |= question_sections(PAGES[BANK_DIR / group.page])
    assert list(found) == [q.id for q in QUESTIONS if q.id in found]
    assert sorted(found) == sorted(q.id for q in QUESTIONS)
    for question in QUESTIONS:
        section = found[question.id]
        assert f'class="q-level q-level-{question.level}"' in section, question.id
        for part in (
            '??? success "Model answer"',
            '??? note "What the interviewer listens for"',
            '??? failure "Common wrong answers"',
        ):
            assert part in section, f"{question.id}: no {part}"
        assert re.search(r"\]\(\.\./[a-z-]+\.md#[a-z0-9_-]+\)", section), question.id


@pytest.mark.parametrize("page", [*sorted(PAGES), CHEAT_SHEET], ids=lambda p: p.name)
def test_a_bank_page_stays_under_300_lines(page: Path) -> None:
    assert len(page.read_text(encoding="utf-8").splitlines()) < 300


def test_the_deck_holds_one_card_per_question(update_outputs: bool) -> None:
    expected = expected_notes(QUESTIONS)
    if update_outputs and (not DECK.exists() or read_deck(DECK.read_bytes())[0] != expected):
        DECK.write_bytes(deck_bytes(QUESTIONS))
    notes, cards, decks = read_deck(DECK.read_bytes())
    assert notes == expected, f"{DECK.name} is stale: run `python3 dev.py test --update-outputs`"
    assert cards == len(QUESTIONS)
    assert DECK_NAME in decks
    for note, question in zip(notes, QUESTIONS, strict=True):
        text, level, answer, link = note.fields
        assert (text, level) == (question.question, question.level)
        assert "<p>" in answer
        assert f"#{question.id}" in link


def test_the_deck_is_the_same_bytes_every_time() -> None:
    assert deck_bytes(QUESTIONS) == deck_bytes(QUESTIONS)


def test_the_bank_is_offered_on_the_home_page_and_in_the_navigation() -> None:
    home = (DOCS_DIR / "index.md").read_text()
    assert "(interview/index.md)" in home
    assert "(interview/cheat-sheet.md)" in home
    assert f"holds {len(QUESTIONS)} questions" in " ".join(home.split())
    nav = (ROOT / "mkdocs.yml").read_text()
    assert nav.index("first-stream.md") < nav.index("Interview prep:") < nav.index("why-stream")
    for page in [*PAGES, CHEAT_SHEET]:
        assert f"interview/{page.name}" in nav
    for page in PAGES:
        if page.name != "index.md":
            assert "(streaming-interview.apkg){ download }" in PAGES[page]


# The numbers the bank and the cheat sheet give for the SDK's behaviour, checked against the
# installed SDK (2.12.0) rather than trusted.


def bank_text() -> str:
    return " ".join(" ".join(path.read_text().split()) for path in [*PAGES, CHEAT_SHEET])


def test_the_sdk_numbers_on_the_bank_pages_are_the_sdks() -> None:
    text = bank_text()
    assert anthropic.__version__ == "2.12.0"
    assert (DEFAULT_TIMEOUT.read, DEFAULT_TIMEOUT.connect) == (600, 5.0)
    assert DEFAULT_TIMEOUT.write == DEFAULT_TIMEOUT.pool == 600
    assert "`httpx2.Timeout(timeout=600, connect=5.0)`" in text
    assert "(../timeouts.md#what-the-sdks-timeout-covers) | opening the connection | 5 s |" in text
    assert "600 s" in text
    assert DEFAULT_MAX_RETRIES == 2
    assert "`max_retries` 2 by default" in text
    assert "twice by default" in text
    assert (INITIAL_RETRY_DELAY, MAX_RETRY_DELAY) == (0.5, 8.0)
    assert "0.5 s doubling to 8 s" in text
    assert "from 0.5 s, doubling up to 8 s" in text
    assert DEFAULT_CONNECTION_LIMITS.max_connections == 1000
    assert "allows 1000 connections per client" in text
    # A non-streaming request is refused when 3,600 s x max_tokens / 128,000 passes 600 s.
    assert math.floor(600 * 128_000 / 3_600) == 21_333
    assert "above 21,333" in text
    assert TIME_TOLERANCE == 0.3
    assert "(this site allows 0.3 s)" in text


def test_the_sdk_raises_value_error_on_invalid_tool_input_json() -> None:
    """The fine-grained tool streaming answer: messages.stream() re-parses tool input at every
    delta and raises ValueError from the loop when it is invalid (SDK 2.12.0)."""
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
    assert 'raises a `ValueError` ("Unable to parse tool parameter JSON ...")' in text
    assert "silently keeps only the part before the error" in text
    assert "such as a trailing comma" in text
    assert "such as an unescaped quotation mark" in text


def test_the_relay_keepalive_on_the_bank_pages_is_fastapis() -> None:
    from fastapi.sse import _PING_INTERVAL

    assert _PING_INTERVAL == 15.0
    text = bank_text()
    assert "writes a `: ping` comment after 15 s without an event" in text
    assert "writes `: ping` after 15 s without an event" in text


# The cheat sheet, printed by Chromium as a reader's browser would print it.


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
    on_screen = page.evaluate(shown, ".md-header, .md-sidebar, .md-footer")
    page.emulate_media(media="print")
    try:
        printed = page.evaluate(shown, ".md-header, .md-sidebar, .md-footer")
    finally:
        page.emulate_media(media="null")  # no emulation: page.pdf() prints with print CSS
    pages = pdf_pages(pdf)
    assert 1 <= pages <= 2, f"the cheat sheet prints on {pages} {paper} pages"
    # Header, navigation and footer on screen; the print stylesheet hides them on paper.
    assert (on_screen, printed) == (True, False)


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
    # The check below sees text as the index holds it: a model answer's sentence is found.
    assert "Send the assistant content back unchanged, with the same tools" in texts
    pages = {group.key: group.page.removesuffix(".md") for group in GROUPS}
    for question in QUESTIONS:
        location = f"interview/{pages[question.group]}/#{question.id}"
        assert titles.get(location) == question.question.replace("`", ""), location
        for wrong in question.wrong_answers:
            assert wrong.why.replace("`", "") not in texts  # a search offers no wrong answer
