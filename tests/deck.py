"""The Anki deck, built for memory: a card per question and a cloze card per fact.

A question's card asks the question; its back holds what to remember, not the whole answer to
re-read: the headline, the signals an interviewer listens for, the most common trap, and a
link to the question on the site. The facts are the `[[fact]]` entries at the end of
`docs/interview/questions.toml`: one sentence each, with one cloze (`{{c1::...}}`), a group, a
level, and the page section of this site that shows it (`tests/test_deck.py` checks that the
hidden words are there). Every note is tagged by kind, group and level, for Anki's filtered
decks.

`python3 dev.py test --update-outputs` writes `docs/interview/streaming-interview.apkg` with
links to the local site; `site_deck(base_url)` gives the same deck with links to any address
(a published site's).
"""

from __future__ import annotations

import html
import io
import json
import re
import sqlite3
import tempfile
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

import genanki  # type: ignore[import-untyped]
import markdown  # type: ignore[import-untyped]

from .interview import (
    BANK,
    BANK_DIR,
    DOCS_DIR,
    GROUP_KEYS,
    HEADING,
    LOCAL_LINK,
    Question,
    _resolve_includes,
    heading_slug,
    load_bank,
)

DECK = BANK_DIR / "streaming-interview.apkg"
# The address of the site as `python3 dev.py serve` serves it (mkdocs.yml's default site_url).
LOCAL_SITE_URL = "http://127.0.0.1:8000/"
DECK_NAME = "Streaming with the Claude API: interview questions"
# Fixed ids, so that a re-import updates the notes in place instead of adding new ones. The
# question cards of this deck are a new note type (the old one held the whole answer).
DECK_ID = 1_733_133_700
QUESTION_MODEL_ID = 1_733_133_702
FACT_MODEL_ID = 1_733_133_703
# genanki stamps each note and card with the time it is written; a fixed time (and fixed zip
# entry dates) makes the same bank give the same bytes.
DECK_TIMESTAMP = 1_764_633_600.0  # 2025-12-02T00:00:00Z, any fixed value would do
ZIP_DATE = (2025, 12, 2, 0, 0, 0)
FACT_LEVELS = ("junior", "mid", "senior")
ID = r"[a-z0-9]+(-[a-z0-9]+)*"
CLOZE = re.compile(r"\{\{c(?P<n>\d+)::(?P<hidden>.+?)(?:::(?P<hint>.*?))?\}\}")


@dataclass(frozen=True)
class Fact:
    id: str
    group: str
    level: str
    text: str  # Markdown, with one cloze: "usage on `message_delta` is {{c1::cumulative}}"
    source: str  # the page section that shows it: "events.md#message_delta", relative to docs/


class FactError(ValueError):
    """A fact is malformed; the message says which, in one line."""


def load_facts(path: Path = BANK) -> list[Fact]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    facts = []
    for number, raw in enumerate(data.get("fact", []), start=1):
        keys = {"id", "group", "level", "text", "source"}
        if set(raw) != keys or not all(isinstance(raw[key], str) for key in keys):
            raise FactError(
                f"{path.name}: fact {number} ({raw.get('id', 'no id')}) needs exactly "
                f"{sorted(keys)}, as text; it has {sorted(raw)}"
            )
        facts.append(Fact(**{key: raw[key].strip() for key in keys}))
    return facts


def _plain(text: str) -> str:
    """Text as the checks compare it: no Markdown emphasis or code marks, one space, lower."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return " ".join(re.sub(r"[`*]", "", text).split()).casefold()


def section_text(to: str) -> str | None:
    """The text of a page section (`page.md#anchor`, or a whole page), its includes resolved;
    None if there is no such page or section."""
    page_name, _, anchor = to.partition("#")
    page = DOCS_DIR / page_name
    if not page.is_file():
        return None
    lines = page.read_text(encoding="utf-8").splitlines()
    if anchor:
        start = None
        for number, line in enumerate(lines):
            match = HEADING.match(line)
            if not match:
                continue
            depth = len(match["hashes"])
            if start is None:
                explicit = re.search(r"\{\s*#([\w-]+)\s*\}\s*$", line)
                if (explicit and explicit[1] == anchor) or heading_slug(match["text"]) == anchor:
                    start, level = number, depth
            elif depth <= level:
                lines = lines[start:number]
                break
        else:
            if start is None:
                return None
            lines = lines[start:]
    return _resolve_includes("\n".join(lines))


def fact_problems(facts: list[Fact]) -> list[str]:
    """What is wrong with the facts: each one sentence with one cloze, a group and a level, and
    a source section that holds the words the cloze hides."""
    problems = []
    ids = [f.id for f in facts]
    problems += [f"{i}: the id is used twice" for i in sorted({i for i in ids if ids.count(i) > 1})]
    for fact in facts:
        where = f"fact {fact.id}"
        tags = {
            "an id is lower-case words joined by hyphens": re.fullmatch(ID, fact.id),
            f"no group {fact.group!r}": fact.group in GROUP_KEYS,
            f"the level {fact.level!r} is not one of {FACT_LEVELS}": fact.level in FACT_LEVELS,
        }
        problems += [f"{where}: {problem}" for problem, right in tags.items() if not right]
        clozes = list(CLOZE.finditer(fact.text))
        if [c["n"] for c in clozes] != ["1"] or "{{" in CLOZE.sub("", fact.text):
            problems.append(f"{where}: one cloze, {{{{c1::...}}}}, and no other")
            continue
        if len(fact.text) > 200:
            problems.append(f"{where}: longer than 200 characters; a fact is one short sentence")
        shown = section_text(fact.source)
        if shown is None:
            problems.append(f"{where}: its source {fact.source} is no page section of the site")
        elif _plain(clozes[0]["hidden"]) not in _plain(shown):
            problems.append(
                f"{where}: {fact.source} does not say {clozes[0]['hidden']!r}, which it hides"
            )
    return problems


# The cards.


def site_url(to: str, base_url: str) -> str:
    """A page of the site (`errors.md#x`, relative to docs/) at the address it is served."""
    page, _, anchor = to.partition("#")
    path = "" if page == "index.md" else page.removesuffix(".md") + "/"
    return base_url + path.replace("/index/", "/") + (f"#{anchor}" if anchor else "")


def _html(text: str, base_url: str, *, inline: bool = True) -> str:
    text = LOCAL_LINK.sub(lambda m: f"]({site_url(m['to'], base_url)})", text)
    rendered = str(markdown.markdown(_resolve_includes(text), extensions=["fenced_code"]))
    if inline:
        rendered = re.sub(r"^<p>(.*)</p>$", r"\1", rendered.strip(), flags=re.S)
    return rendered.strip()


def most_common_trap(q: Question) -> str:
    """The trap to remember: the first wrong answer the bank lists (its most common), with why;
    a question without one gives its first red flag."""
    if q.wrong_answers:
        first = q.wrong_answers[0]
        return f"**{first.answer}** {first.why}"
    return q.red_flags[0]


def question_fields(q: Question, base_url: str) -> list[str]:
    """Question, Level, Group, Headline, Signals, Trap, Link: HTML each."""
    group = GROUP_KEYS[q.group]
    page = f"interview/{group.page}#{q.id}"
    signal_items = "".join(f"<li>{_html(s, base_url)}</li>" for s in q.signals)
    return [
        _html(q.question, base_url),
        q.level,
        group.title,
        _html(q.headline, base_url),
        f"<ul>{signal_items}</ul>",
        _html(most_common_trap(q), base_url),
        f'<a href="{site_url(page, base_url)}">The whole answer, on the site</a>',
    ]


def fact_fields(fact: Fact, base_url: str) -> list[str]:
    """Text, Source: HTML each."""
    return [
        _html(fact.text, base_url),
        f'<a href="{site_url(fact.source, base_url)}">Where the site shows it</a>',
    ]


STYLE = (
    ".card { font-family: sans-serif; font-size: 20px; text-align: left; }\n"
    ".meta { font-size: 14px; text-transform: uppercase; letter-spacing: 0.05em; }\n"
    ".question { font-weight: bold; margin: 0.5em 0; }\n"
    ".cloze { font-weight: bold; }\n"
    ".link { font-size: 14px; }\n"
)


def question_model() -> genanki.Model:
    return genanki.Model(
        QUESTION_MODEL_ID,
        "Streaming interview question (to say aloud)",
        fields=[
            {"name": name}
            for name in ("Question", "Level", "Group", "Headline", "Signals", "Trap", "Link")
        ],
        templates=[
            {
                "name": "Say the answer",
                "qfmt": (
                    '<div class="meta">{{Group}} · {{Level}}</div>'
                    '<div class="question">{{Question}}</div>'
                ),
                "afmt": (
                    '{{FrontSide}}<hr id="answer"><p><b>{{Headline}}</b></p>'
                    "<p>What the interviewer listens for:</p>{{Signals}}"
                    "<p>The most common trap: {{Trap}}</p>"
                    '<p class="link">{{Link}}</p>'
                ),
            }
        ],
        css=STYLE,
    )


def fact_model() -> genanki.Model:
    return genanki.Model(
        FACT_MODEL_ID,
        "Streaming fact (cloze)",
        fields=[{"name": "Text"}, {"name": "Source"}],
        templates=[
            {
                "name": "Cloze",
                "qfmt": "{{cloze:Text}}",
                "afmt": '{{cloze:Text}}<p class="link">{{Source}}</p>',
            }
        ],
        css=STYLE,
        model_type=genanki.Model.CLOZE,
    )


def question_guid(q: Question) -> str:
    return str(genanki.guid_for("streaming-interview-question", q.id))


def fact_guid(fact: Fact) -> str:
    return str(genanki.guid_for("streaming-interview-fact", fact.id))


def question_tags(q: Question) -> tuple[str, ...]:
    return ("question", f"group::{q.group}", f"level::{q.level}")


def fact_tags(fact: Fact) -> tuple[str, ...]:
    return ("fact", f"group::{fact.group}", f"level::{fact.level}")


def deck_bytes(
    questions: list[Question], facts: list[Fact], base_url: str = LOCAL_SITE_URL
) -> bytes:
    """The deck as an .apkg file, its links to the site served at `base_url`."""
    deck = genanki.Deck(DECK_ID, DECK_NAME)
    questions_model, facts_model = question_model(), fact_model()
    for q in questions:
        fields = question_fields(q, base_url)
        deck.add_note(
            genanki.Note(questions_model, fields, guid=question_guid(q), tags=question_tags(q))
        )
    for fact in facts:
        fields = fact_fields(fact, base_url)
        deck.add_note(genanki.Note(facts_model, fields, guid=fact_guid(fact), tags=fact_tags(fact)))
    with tempfile.TemporaryDirectory() as folder:
        written = Path(folder) / "deck.apkg"
        genanki.Package(deck).write_to_file(str(written), timestamp=DECK_TIMESTAMP)
        # The same entries, with fixed dates instead of those of genanki's temporary files.
        out = io.BytesIO()
        with zipfile.ZipFile(written) as source, zipfile.ZipFile(out, "w") as target:
            for info in source.infolist():
                fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE)
                fixed.compress_type = zipfile.ZIP_DEFLATED
                target.writestr(fixed, source.read(info.filename))
        return out.getvalue()


def site_deck(base_url: str = LOCAL_SITE_URL) -> bytes:
    """The deck of the bank as it stands, its links to the site served at `base_url` (what a
    build for a public address writes, with that address)."""
    return deck_bytes(load_bank(), load_facts(), base_url)


@dataclass(frozen=True)
class DeckNote:
    guid: str
    model: str
    fields: tuple[str, ...]
    tags: tuple[str, ...]


def expected_notes(
    questions: list[Question], facts: list[Fact], base_url: str = LOCAL_SITE_URL
) -> list[DeckNote]:
    return [
        DeckNote(
            question_guid(q), "question", tuple(question_fields(q, base_url)), question_tags(q)
        )
        for q in questions
    ] + [
        DeckNote(fact_guid(f), "fact", tuple(fact_fields(f, base_url)), fact_tags(f)) for f in facts
    ]


@dataclass(frozen=True)
class ReadDeck:
    notes: list[DeckNote]
    cards: dict[str, int]  # by kind of note: "question", "fact"
    names: list[str]  # the decks' names


def read_deck(apkg: bytes) -> ReadDeck:
    """What a deck file holds, read from its database as Anki reads it."""
    kinds = {QUESTION_MODEL_ID: "question", FACT_MODEL_ID: "fact"}
    with zipfile.ZipFile(io.BytesIO(apkg)) as archive, tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "collection.anki2"
        database.write_bytes(archive.read("collection.anki2"))
        connection = sqlite3.connect(database)
        try:
            rows = connection.execute(
                "SELECT guid, mid, flds, tags FROM notes ORDER BY id"
            ).fetchall()
            cards = connection.execute(
                "SELECT notes.mid, count(*) FROM cards JOIN notes ON cards.nid = notes.id "
                "GROUP BY notes.mid"
            ).fetchall()
            [(decks,)] = connection.execute("SELECT decks FROM col").fetchall()
        finally:
            connection.close()
    notes = [
        DeckNote(guid, kinds.get(mid, str(mid)), tuple(fields.split("\x1f")), tuple(tags.split()))
        for guid, mid, fields, tags in rows
    ]
    return ReadDeck(
        notes,
        {kinds.get(mid, str(mid)): count for mid, count in cards},
        [deck["name"] for deck in json.loads(decks).values()],
    )
