"""The interview question bank: one source, three outputs.

`docs/interview/questions.toml` holds every question. From it, `python3 dev.py test
--update-outputs` (tests/test_interview.py) writes the bank's pages (`docs/interview/*.md`, one
per group, and the overview `index.md`) and the Anki deck `docs/interview/streaming-interview.apkg`;
without `--update-outputs` the same tests fail when a committed file no longer matches.
"""

from __future__ import annotations

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
from markdown.extensions.toc import slugify  # type: ignore[import-untyped]

from .pages import examples, sections

ROOT = Path(__file__).resolve().parents[1]
DOCS_DIR = ROOT / "docs"
BANK_DIR = DOCS_DIR / "interview"
BANK = BANK_DIR / "questions.toml"
DECK = BANK_DIR / "streaming-interview.apkg"
SEED_QUESTION = "What is streaming in Claude API responses and how do you use it?"
LEVELS = ("junior", "mid", "senior")
# The committed deck's links point at the site as `python3 dev.py serve` serves it (mkdocs.yml's
# default site_url); a fixed address keeps it the same wherever it is generated. The published
# deck is written by `python3 dev.py build` (tests/publish/), its links under SITE_URL.
DECK_SITE_URL = "http://127.0.0.1:8000/"
# Fixed ids, so that a re-import updates the cards in place instead of adding new ones.
DECK_ID = 1_733_133_700
MODEL_ID = 1_733_133_701
DECK_NAME = "Streaming with the Claude API: interview questions"
# genanki stamps each note and card with the time it is written; a fixed time (and fixed zip
# entry dates) makes the same bank give the same bytes.
DECK_TIMESTAMP = 1_764_633_600.0  # 2025-12-02T00:00:00Z, any fixed value would do
ZIP_DATE = (2025, 12, 2, 0, 0, 0)


@dataclass(frozen=True)
class Group:
    key: str
    title: str
    page: str  # file name under docs/interview/
    about: str


GROUPS = [
    Group(
        "fundamentals",
        "Fundamentals",
        "fundamentals.md",
        "What streaming is, why you use it, and the shape of a stream.",
    ),
    Group(
        "python-sdk",
        "The Python SDK",
        "python-sdk.md",
        "`messages.stream()` against `create(stream=True)`, the helpers, async and closing.",
    ),
    Group(
        "wire",
        "The wire format and HTTP",
        "wire-and-http.md",
        "Server-sent events as the API sends them, headers, versions, parsing by hand.",
    ),
    Group(
        "tools-thinking",
        "Tools and thinking",
        "tools-and-thinking.md",
        "Tool input as partial JSON, tool loops, thinking and signatures, server tools, citations.",
    ),
    Group(
        "failures",
        "Failures and recovery",
        "failures.md",
        "Errors before and after `200 OK`, cuts, stalls, retries and resuming.",
    ),
    Group(
        "production",
        "Production and system design",
        "production.md",
        "Relaying to browsers through proxies, keepalive, metering, cancelling, deadlines.",
    ),
    Group(
        "testing",
        "Testing streaming code",
        "testing.md",
        "Recordings, a replay server as a pytest fixture, faults on demand and what to assert.",
    ),
]
GROUP_KEYS = {group.key: group for group in GROUPS}


@dataclass(frozen=True)
class Link:
    title: str
    to: str  # a page under docs/ and its section: "errors.md#four-ways-a-stream-fails"


@dataclass(frozen=True)
class WrongAnswer:
    answer: str
    why: str


@dataclass(frozen=True)
class Question:
    id: str
    group: str
    level: str
    question: str
    answer: str
    listening_for: str
    wrong_answers: tuple[WrongAnswer, ...]
    links: tuple[Link, ...]
    snippets: tuple[str, ...]  # paths under snippets/


class BankError(ValueError):
    """The bank file is malformed; the message says where, in one line."""


QUESTION_KEYS = {
    "id",
    "group",
    "level",
    "question",
    "answer",
    "listening_for",
    "wrong_answers",
    "links",
    "snippets",
}


def load_bank(path: Path = BANK) -> list[Question]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise BankError(f"{path.name}: {error}") from None
    questions = []
    for number, raw in enumerate(data.get("question", []), start=1):
        where = f"{path.name}: question {number} ({raw.get('id', 'no id')})"
        unknown = set(raw) - QUESTION_KEYS
        missing = {"id", "group", "level", "question", "answer", "listening_for"} - set(raw)
        if unknown or missing:
            raise BankError(f"{where}: unknown {sorted(unknown)}, missing {sorted(missing)}")
        try:
            questions.append(
                Question(
                    id=raw["id"],
                    group=raw["group"],
                    level=raw["level"],
                    question=raw["question"].strip(),
                    answer=raw["answer"].strip(),
                    listening_for=raw["listening_for"].strip(),
                    wrong_answers=tuple(
                        WrongAnswer(w["answer"].strip(), w["why"].strip())
                        for w in raw.get("wrong_answers", [])
                    ),
                    links=tuple(Link(k["title"], k["to"]) for k in raw.get("links", [])),
                    snippets=tuple(raw.get("snippets", [])),
                )
            )
        except (KeyError, TypeError, AttributeError) as error:
            raise BankError(f"{where}: malformed ({error!r})") from None
    return questions


def structure_problems(questions: list[Question]) -> list[str]:
    """What is missing from the bank: each question's four parts, its group, its level."""
    problems = []
    ids = [q.id for q in questions]
    problems += [f"{i}: the id is used twice" for i in sorted({i for i in ids if ids.count(i) > 1})]
    if not questions or questions[0].question != SEED_QUESTION:
        problems.append(f"the first question is not the seed question {SEED_QUESTION!r}")
    for q in questions:
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", q.id):
            problems.append(f"{q.id}: an id is lower-case words joined by hyphens")
        if q.group not in GROUP_KEYS:
            problems.append(f"{q.id}: no group {q.group!r}")
        if q.level not in LEVELS:
            problems.append(f"{q.id}: the level {q.level!r} is not one of {LEVELS}")
        if not q.question.endswith("?"):
            problems.append(f"{q.id}: the question does not end with '?'")
        if len(q.answer.split()) < 80:
            problems.append(f"{q.id}: the model answer is shorter than 80 words")
        if not q.listening_for:
            problems.append(f"{q.id}: nothing the interviewer listens for")
        if not q.wrong_answers or not all(w.answer and w.why for w in q.wrong_answers):
            problems.append(f"{q.id}: no common wrong answer, or one without its why")
        if not any("#" in link.to for link in q.links):
            problems.append(f"{q.id}: no link to a page section")
        for link in q.links:
            page = link.to.partition("#")[0]
            if not (DOCS_DIR / page).is_file():
                problems.append(f"{q.id}: links to {page}, which does not exist")
        for snippet in q.snippets:
            if snippet_anchor(snippet) is None:
                problems.append(f"{q.id}: snippets/{snippet} is no example on any page")
    return problems


HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<text>.+?)(?:\s*\{[^}]*\})?\s*$")


def heading_slug(text: str) -> str:
    """The anchor MkDocs gives a heading (Markdown's toc slugify of its rendered text)."""
    plain = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # a link: its text
    plain = plain.replace("`", "").replace("*", "")
    return str(slugify(plain, "-"))


def snippet_anchor(snippet: str) -> str | None:
    """`page.md#section` of the page section that shows `snippets/<snippet>` as an example."""
    program = f"snippets/{snippet}"
    for page in sorted(DOCS_DIR.glob("*.md")):
        text = page.read_text(encoding="utf-8")
        for example in examples(page, text):
            if example.program != program:
                continue
            above = text.splitlines()[: example.line - 1]
            for line in reversed(above):
                match = HEADING.match(line)
                if match and len(match["hashes"]) >= 2:
                    return f"{page.name}#{heading_slug(match['text'])}"
            return page.name
    return None


def _join_paragraphs(text: str) -> str:
    """Join the wrapped lines of each paragraph and list item (the pages stay short)."""
    out: list[str] = []
    in_fence = False
    block_start = re.compile(r"^\s*([-*+] |\d+\. |\||`{3,}|>|--8<--|#|!!!|\?\?\?|<)")
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
            out.append(line)
            continue
        if (
            not in_fence
            and line.strip()
            and out
            and out[-1].strip()
            and not out[-1].lstrip().startswith("```")
            and not block_start.match(line)
        ):
            out[-1] = f"{out[-1]} {line.strip()}"
        else:
            out.append(line)
    return "\n".join(out)


LOCAL_LINK = re.compile(r"\]\((?!https?:|#|mailto:)(?P<to>[^)\s]+)\)")


def _from_subfolder(text: str) -> str:
    """Links written relative to docs/, made relative to docs/interview/."""
    return LOCAL_LINK.sub(lambda m: f"](../{m['to']})", text)


def _indent(text: str) -> str:
    return "\n".join(f"    {line}" if line.strip() else "" for line in text.splitlines())


def level_badge(level: str) -> str:
    return f'<span class="q-level q-level-{level}" title="Level">{level}</span>'


def proof_links(q: Question) -> str:
    pages = [f"[{link.title}]({link.to})" for link in q.links]
    programs = [f"[`{s}`]({snippet_anchor(s)})" for s in q.snippets]
    line = "**Proof on this site:** " + ", ".join(pages)
    if programs:
        line += "; **the snippets:** " + ", ".join(programs)
    return line + "."


def render_question(q: Question) -> str:
    wrong = "\n".join(f"- **{w.answer}** {w.why}" for w in q.wrong_answers)
    parts = [
        f"## {q.question} {{ #{q.id} }}",
        level_badge(q.level),
        '??? success "Model answer"',
        _indent(_from_subfolder(_join_paragraphs(q.answer))),
        _indent(_from_subfolder(proof_links(q))),
        '??? note "What the interviewer listens for"',
        _indent(_from_subfolder(_join_paragraphs(q.listening_for))),
        # Out of the search index: a search should not offer a wrong answer as a match.
        '<div class="wrong-answers" data-search-exclude markdown>',
        '??? failure "Common wrong answers"',
        _indent(_from_subfolder(_join_paragraphs(wrong))),
        "</div>",
    ]
    return "\n\n".join(parts)


DECK_LINK = (
    "[Download the deck for Anki](streaming-interview.apkg){ download } "
    "(every question of the bank, one card each)"
)

SOURCES = """\
??? info "Sources"

    - Each answer rests on the pages it links to, which give their own sources; the versions
      it depends on are those of this site: the `anthropic` Python SDK 2.12.0, which sends
      `anthropic-version: 2026-10-21`.
    - [Streaming messages](https://platform.claude.com/docs/en/build-with-claude/streaming)
      and [Errors](https://platform.claude.com/docs/en/api/errors), official documentation,
      copies of 2026-09-26.
"""
# What a group's answers say beyond the pages they link to.
GROUP_SOURCES = {
    "tools-thinking": """\
    - Passing thinking blocks back unmodified during tool use, and no toggling of thinking in
      the middle of a turn: [Extended thinking](https://platform.claude.com/docs/en/build-with-claude/extended-thinking),
      official documentation, section "Extended thinking with tool use", in an undated copy
      that names Claude Sonnet 4.6, so of 2026-02-17 or later.
    - The `is_error` tool result for invalid JSON: [Fine-grained tool streaming](https://platform.claude.com/docs/en/agents-and-tools/tool-use/fine-grained-tool-streaming),
      copy of 2026-09-26.
    - What `messages.stream()` of SDK 2.12.0 does with invalid tool input JSON (a `ValueError`
      for some errors, a silently shortened input for others): `tests/test_interview.py` and
      `tests/test_fine_grained_tools.py`.
""",
    "production": """\
    - The idle limits of proxies (nginx's `proxy_read_timeout`, 60 s by default, in copies of
      its documentation of 2021-01-17 and 2023-06-01; AWS Application Load Balancer, 60 s;
      Cloudflare, 100 s, copy of 2025-04-29; Google Cloud, 30 s) and FastAPI 0.165.0's 15 s
      keepalive: the Sources of [Relaying to a browser](../relay.md).
    - FastAPI 0.165.0 runs an `EventSourceResponse`'s generator in a task that hands each
      event on through memory streams of one event each (`fastapi/routing.py`, as this site
      installs it).
""",
}


def render_group(group: Group, questions: list[Question]) -> str:
    mine = [q for q in questions if q.group == group.key]
    counts = ", ".join(
        f"{n} {level}" for level in LEVELS if (n := sum(q.level == level for q in mine))
    )
    title = group.title.lower() if group.key != "python-sdk" else "the Python SDK"
    head = [
        f"# Interview questions: {title}",
        "<!-- Generated from docs/interview/questions.toml by tests/interview.py: "
        "edit the bank, then run `python3 dev.py test --update-outputs`. -->",
        f'!!! abstract "How to use this page"\n\n'
        f"    {group.about} {len(mine)} questions ({counts}). Answer each one aloud first, "
        f"then open the model answer, what the interviewer listens for, and the common wrong "
        f"answers. Every answer links to the page sections and tested snippets that prove it. "
        f"{DECK_LINK}; [the cheat sheet](cheat-sheet.md) fits on two printed pages.",
    ]
    body = [render_question(q) for q in mine]
    return "\n\n".join(head + body) + "\n\n" + SOURCES + GROUP_SOURCES.get(group.key, "")


def render_index(questions: list[Question]) -> str:
    rows = []
    for group in GROUPS:
        mine = [q for q in questions if q.group == group.key]
        levels = " / ".join(str(sum(q.level == level for q in mine)) for level in LEVELS)
        rows.append(f"| [{group.title}]({group.page}) | {group.about} | {len(mine)} | {levels} |")
    first = questions[0]
    return (
        "# Interview prep\n\n"
        "<!-- Generated from docs/interview/questions.toml by tests/interview.py: edit the bank, "
        "then run `python3 dev.py test --update-outputs`. -->\n\n"
        '!!! abstract "The question bank"\n\n'
        f"    {len(questions)} questions on streaming with the Claude Messages API, in "
        f"{len(GROUPS)} groups, each marked junior, mid or senior. Each has a model answer (what "
        "a strong candidate says in about two minutes), what the interviewer listens for, the "
        "common wrong answers and why they are wrong, and links to the page sections and "
        "tested snippets that prove it. The answers are collapsed: answer aloud first, then "
        "check.\n\n"
        f"    - {DECK_LINK}: the question and its level on the front, the model answer and a "
        "link to its page on the back.\n"
        "    - [The cheat sheet](cheat-sheet.md): events, deltas, stop reasons, usage, retries, "
        "timeouts, deadlines and the relay on at most two printed pages.\n\n"
        f"The first question is the one this site began with: [{first.question}]"
        f"({GROUP_KEYS[first.group].page}#{first.id}) Its long answer is [Streaming, first "
        "answer](../first-stream.md).\n\n"
        "| Group | What it covers | Questions | junior / mid / senior |\n"
        "|---|---|---|---|\n" + "\n".join(rows) + "\n\n"
        "The answers hold for the `anthropic` Python SDK 2.12.0 and the API version "
        "`2026-10-21` it sends; where an answer depends on a model or a date, it says which.\n"
    )


def rendered_pages(questions: list[Question]) -> dict[Path, str]:
    pages = {BANK_DIR / "index.md": render_index(questions)}
    for group in GROUPS:
        pages[BANK_DIR / group.page] = render_group(group, questions)
    return pages


# The deck.

INCLUDE_LINE = re.compile(
    r"""^(?P<indent>\s*)--8<--\s+"(?P<path>[^":]+)(?::(?P<section>[\w-]+))?"$"""
)


def _resolve_includes(text: str) -> str:
    """Put the included lines in place of each `--8<--` line, as pymdownx.snippets does."""
    out = []
    for line in text.splitlines():
        match = INCLUDE_LINE.match(line)
        if not match:
            out.append(line)
            continue
        lines = (ROOT / match["path"]).read_text(encoding="utf-8").splitlines()
        if match["section"]:
            start = lines.index(next(x for x in lines if f"[start:{match['section']}]" in x))
            end = lines.index(next(x for x in lines if f"[end:{match['section']}]" in x))
            lines = lines[start + 1 : end]
        out += [f"{match['indent']}{x}" for x in lines if not sections(x)]
    return "\n".join(out)


def _site_url(to: str, site_url: str) -> str:
    page, _, anchor = to.partition("#")
    path = "" if page == "index.md" else page.removesuffix(".md") + "/"
    return site_url + path + (f"#{anchor}" if anchor else "")


def _absolute_links(text: str, site_url: str) -> str:
    return LOCAL_LINK.sub(lambda m: f"]({_site_url(m['to'], site_url)})", text)


def card_fields(q: Question, site_url: str = DECK_SITE_URL) -> list[str]:
    """The note's fields: Question, Level, Answer (HTML), Link (HTML), linking to `site_url`."""
    answer = _absolute_links(_resolve_includes(q.answer) + "\n\n" + proof_links(q), site_url)
    html = markdown.markdown(answer, extensions=["fenced_code", "tables"])
    group = GROUP_KEYS[q.group]
    link = (
        f'<a href="{_site_url(f"interview/{group.page}#{q.id}", site_url)}">'
        f"{group.title}: the whole answer, on the site</a>"
    )
    return [q.question, q.level, html, link]


def deck_model() -> genanki.Model:
    return genanki.Model(
        MODEL_ID,
        "Streaming interview question",
        fields=[{"name": "Question"}, {"name": "Level"}, {"name": "Answer"}, {"name": "Link"}],
        templates=[
            {
                "name": "Question to answer",
                "qfmt": (
                    '<div class="level">{{Level}}</div><div class="question">{{Question}}</div>'
                ),
                "afmt": '{{FrontSide}}<hr id="answer">{{Answer}}<p class="link">{{Link}}</p>',
            }
        ],
        css=(
            ".card { font-family: sans-serif; font-size: 18px; text-align: left; }\n"
            ".level { font-size: 14px; text-transform: uppercase; letter-spacing: 0.05em; }\n"
            ".question { font-weight: bold; margin: 0.5em 0; }\n"
            "pre { white-space: pre-wrap; font-size: 14px; }\n"
        ),
    )


def note_guid(q: Question) -> str:
    return str(genanki.guid_for("streaming-interview", q.id))


def deck_bytes(questions: list[Question], site_url: str = DECK_SITE_URL) -> bytes:
    """The deck file, its links under `site_url` (`python3 dev.py build` passes SITE_URL)."""
    model = deck_model()
    deck = genanki.Deck(DECK_ID, DECK_NAME)
    for q in questions:
        deck.add_note(
            genanki.Note(
                model=model,
                fields=card_fields(q, site_url),
                guid=note_guid(q),
                tags=[q.group, q.level],
            )
        )
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


@dataclass(frozen=True)
class DeckNote:
    guid: str
    fields: tuple[str, ...]
    tags: tuple[str, ...]


def expected_notes(questions: list[Question], site_url: str = DECK_SITE_URL) -> list[DeckNote]:
    return [
        DeckNote(note_guid(q), tuple(card_fields(q, site_url)), (q.group, q.level))
        for q in questions
    ]


def read_deck(apkg: bytes) -> tuple[list[DeckNote], int, list[str]]:
    """The notes of a deck file, its number of cards, and its decks' names (as Anki reads it)."""
    with zipfile.ZipFile(io.BytesIO(apkg)) as archive, tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "collection.anki2"
        database.write_bytes(archive.read("collection.anki2"))
        connection = sqlite3.connect(database)
        try:
            rows = connection.execute("SELECT guid, flds, tags FROM notes ORDER BY id").fetchall()
            [(cards,)] = connection.execute("SELECT count(*) FROM cards").fetchall()
            [(decks,)] = connection.execute("SELECT decks FROM col").fetchall()
        finally:
            connection.close()
    notes = [
        DeckNote(guid, tuple(fields.split("\x1f")), tuple(tags.split()))
        for guid, fields, tags in rows
    ]
    names = [deck["name"] for deck in json.loads(decks).values()]
    return notes, int(cards), names
