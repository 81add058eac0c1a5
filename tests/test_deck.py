"""The Anki deck (docs/interview/streaming-interview.apkg), read back as Anki reads it: a card
per question and a cloze card per fact, tagged by kind, group and level; and the facts, each
checked against the page section that shows it.

`python3 dev.py test --update-outputs` writes the deck again when the bank or the facts change.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .deck import (
    DECK,
    DECK_NAME,
    LOCAL_SITE_URL,
    Fact,
    FactError,
    deck_bytes,
    expected_notes,
    fact_problems,
    load_facts,
    read_deck,
    site_deck,
)
from .interview import GROUP_KEYS, load_bank

QUESTIONS = load_bank()
FACTS = load_facts()


def test_there_are_a_hundred_facts_each_true_to_the_site() -> None:
    assert fact_problems(FACTS) == []
    assert len(FACTS) >= 100
    assert {f.group for f in FACTS} == set(GROUP_KEYS)  # every group has its facts


def test_a_fact_its_page_does_not_say_is_found() -> None:
    made_up = [
        Fact("a", "wire", "junior", "A stream ends with {{c1::`stream_end`}}.", "events.md"),
        Fact("b", "wire", "junior", "No cloze here.", "events.md"),
        Fact("c", "wire", "junior", "Two {{c1::x}} and {{c2::y}}.", "events.md"),
        Fact("d", "wire", "junior", "{{c1::ping}} events.", "events.md#no-such-section"),
        Fact("e", "nowhere", "expert", "{{c1::ping}} events.", "events.md#ping"),
    ]
    assert fact_problems(made_up) == [
        "fact a: events.md does not say '`stream_end`', which it hides",
        "fact b: one cloze, {{c1::...}}, and no other",
        "fact c: one cloze, {{c1::...}}, and no other",
        "fact d: its source events.md#no-such-section is no page section of the site",
        "fact e: no group 'nowhere'",
        "fact e: the level 'expert' is not one of ('junior', 'mid', 'senior')",
    ]
    # The words must be in the section named, not anywhere on the page.
    wrong_place = Fact("f", "wire", "mid", "{{c1::529}}", "events.md#ping")
    assert fact_problems([wrong_place]) == [
        "fact f: events.md#ping does not say '529', which it hides"
    ]
    assert fact_problems([Fact("g", "wire", "mid", "{{c1::529}}", "events.md#error")]) == []


def test_a_malformed_fact_is_reported_in_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "questions.toml"
    bad.write_text('[[fact]]\nid = "x"\ntext = "{{c1::a}}"\nsource = 3\n')
    with pytest.raises(FactError) as raised:
        load_facts(bad)
    assert str(raised.value) == (
        "questions.toml: fact 1 (x) needs exactly ['group', 'id', 'level', 'source', 'text'], "
        "as text; it has ['id', 'source', 'text']"
    )


def test_the_deck_holds_a_card_per_question_and_per_fact(update_outputs: bool) -> None:
    expected = expected_notes(QUESTIONS, FACTS)
    if update_outputs and (not DECK.exists() or read_deck(DECK.read_bytes()).notes != expected):
        DECK.write_bytes(deck_bytes(QUESTIONS, FACTS))
    deck = read_deck(DECK.read_bytes())
    assert deck.notes == expected, (
        f"{DECK.name} is stale: run `python3 dev.py test --update-outputs`"
    )
    assert deck.cards == {"question": len(QUESTIONS), "fact": len(FACTS)}
    assert deck.cards["fact"] >= 100
    assert DECK_NAME in deck.names
    for note, question in zip(deck.notes, QUESTIONS, strict=False):
        front, level, group, headline, signals, trap, link = note.fields
        assert front.replace("<code>", "").replace("</code>", "") == question.question.replace(
            "`", ""
        )
        assert level == question.level
        assert group == GROUP_KEYS[question.group].title
        assert headline
        assert signals.startswith("<ul><li>")
        assert trap
        assert link.startswith(f'<a href="{LOCAL_SITE_URL}interview/')
        assert f"#{question.id}" in link
    for note in deck.notes:
        assert note.tags[0] in {"question", "fact"}
        assert note.tags[1].removeprefix("group::") in GROUP_KEYS
        assert note.tags[2].removeprefix("level::") in {"junior", "mid", "senior", "design"}
    for note, fact in zip(deck.notes[len(QUESTIONS) :], FACTS, strict=True):
        text, source = note.fields
        assert text.count("{{c1::") == 1
        assert note.tags == ("fact", f"group::{fact.group}", f"level::{fact.level}")
        page, _, anchor = fact.source.partition("#")
        assert source.startswith(f'<a href="{LOCAL_SITE_URL}{page.removesuffix(".md")}/')
        assert source.endswith(f'#{anchor}">Where the site shows it</a>' if anchor else "</a>")


def test_the_deck_is_the_same_bytes_every_time() -> None:
    assert deck_bytes(QUESTIONS, FACTS) == deck_bytes(QUESTIONS, FACTS)


def test_the_deck_links_to_the_address_it_is_given() -> None:
    public = "https://streaming.example.org/docs/"
    deck = read_deck(site_deck(public))
    assert deck.notes == expected_notes(QUESTIONS, FACTS, public)
    links = [note.fields[-1] for note in deck.notes]
    assert all(f'href="{public}' in link for link in links), links
    assert LOCAL_SITE_URL not in "".join("".join(note.fields) for note in deck.notes)
