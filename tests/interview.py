"""The interview question bank: one source, three outputs.

`docs/interview/questions.toml` holds every question. From it, `python3 dev.py test
--update-outputs` (tests/test_interview.py) writes the bank's pages (`docs/interview/*.md`, one
per group, and the overview `index.md`, rendered by `tests/interview_render.py`); the Anki deck
is written by tests/deck.py and the mock interview's page and data by tests/practice.py.
Without `--update-outputs` the same tests fail when a committed file no longer matches.

This module reads the bank and checks it: each question in the shape a candidate can say aloud
(a headline, a core of about a minute, the rest collapsed), and each worked design with its
requirements, estimate, diagram, flow, decisions and failure drill.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markdown.extensions.toc import slugify  # type: ignore[import-untyped]

from .pages import examples, sections

ROOT = Path(__file__).resolve().parents[1]
DOCS_DIR = ROOT / "docs"
BANK_DIR = DOCS_DIR / "interview"
BANK = BANK_DIR / "questions.toml"
SEED_QUESTION = "What is streaming in Claude API responses and how do you use it?"
# A question's level; "design" is a worked design of the system-design group.
LEVELS = ("junior", "mid", "senior", "design")
LADDER = ("junior", "mid", "senior")
ESTIMATE_KINDS = ("published", "estimate", "rule of thumb")
# What a candidate says before the interviewer interrupts: a headline and a core of about a
# minute (150 words at an interview's pace), code the answer includes not counted.
HEADLINE_WORDS = 30
ANSWER_WORDS = 150
DEEPER_WORDS = 150
# The SDK the answers are written for, and the API version it sends.
SDK_VERSION = "2.17.0"
API_VERSION = "2026-10-21"


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
        "What streaming is, when to use it, and the shape of a stream.",
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
        "Server-sent events as the API sends them, headers, parsing by hand, other APIs' streams.",
    ),
    Group(
        "tools-thinking",
        "Tools and thinking",
        "tools-and-thinking.md",
        "Tool input as partial JSON, tool loops and their progress, thinking, server tools.",
    ),
    Group(
        "failures",
        "Failures and recovery",
        "failures.md",
        "Errors before and after `200 OK`, buffering, cuts, stalls, retries, failover, resuming.",
    ),
    Group(
        "browser",
        "Streaming to browsers",
        "browsers.md",
        "SSE, WebSockets and `fetch`, the relay, proxies, connections, rendering, refreshes.",
    ),
    Group(
        "production",
        "Production and operations",
        "production.md",
        "Latency, SLOs, rate limits, idempotency, metering, moderation, deadlines, capacity.",
    ),
    Group(
        "testing",
        "Testing streaming code",
        "testing.md",
        "Recordings, replay, faults on demand, non-deterministic output and load tests.",
    ),
    Group(
        "design",
        "System design",
        "system-design.md",
        "Worked designs: requirements, estimate, diagram, flow, trade-offs, failure drill.",
    ),
    Group(
        "deep-cuts",
        "Deep cuts",
        "deep-cuts.md",
        "SDK details by version: exceptions, headers, API versions, classes, snapshots, BOMs.",
    ),
]
GROUP_KEYS = {group.key: group for group in GROUPS}


@dataclass(frozen=True)
class Link:
    title: str
    to: str  # a page under docs/ and its section: "errors.md#four-ways-a-stream-fails"


@dataclass(frozen=True)
class Source:
    """An official page an answer stands on where the site has none: named and dated."""

    title: str
    url: str
    read: str  # which copy was read: "copy of 2026-10-08", "undated copy ... of 2026-02 or later"


@dataclass(frozen=True)
class WrongAnswer:
    answer: str
    why: str


@dataclass(frozen=True)
class FollowUp:
    question: str
    see: str | None  # the id of the bank question that answers it, if there is one


@dataclass(frozen=True)
class Ladder:
    junior: str
    mid: str
    senior: str


@dataclass(frozen=True)
class Estimate:
    what: str
    value: str
    kind: str  # one of ESTIMATE_KINDS
    basis: str


@dataclass(frozen=True)
class Decision:
    choice: str
    trade_off: str


@dataclass(frozen=True)
class Design:
    requirements: tuple[str, ...]
    estimate: tuple[Estimate, ...]
    diagram: str  # docs/diagrams/<name>.svg
    caption: str
    flow: tuple[str, ...]
    decisions: tuple[Decision, ...]
    failure_drill: str


@dataclass(frozen=True)
class Question:
    id: str
    group: str
    level: str
    question: str
    headline: str
    answer: str
    deeper: str | None
    signals: tuple[str, ...]
    red_flags: tuple[str, ...]
    ladder: Ladder
    follow_ups: tuple[FollowUp, ...]
    wrong_answers: tuple[WrongAnswer, ...]
    links: tuple[Link, ...]
    snippets: tuple[str, ...]  # paths under snippets/
    sources: tuple[Source, ...]
    design: Design | None


class BankError(ValueError):
    """The bank file is malformed; the message says where, in one line."""


REQUIRED_KEYS = {
    "id",
    "group",
    "level",
    "question",
    "headline",
    "answer",
    "signals",
    "red_flags",
    "ladder",
    "follow_ups",
}
QUESTION_KEYS = REQUIRED_KEYS | {
    "deeper",
    "wrong_answers",
    "links",
    "snippets",
    "sources",
    "design",
}
DESIGN_KEYS = {
    "requirements",
    "estimate",
    "diagram",
    "caption",
    "flow",
    "decisions",
    "failure_drill",
}


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {type(value).__name__}")
    return value.strip()


def _texts(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise TypeError(f"expected a list, got {type(value).__name__}")
    return tuple(_text(item) for item in value)


def _design(raw: dict[str, Any]) -> Design:
    unknown, missing = set(raw) - DESIGN_KEYS, DESIGN_KEYS - set(raw)
    if unknown or missing:
        raise KeyError(f"design: unknown {sorted(unknown)}, missing {sorted(missing)}")
    return Design(
        requirements=_texts(raw["requirements"]),
        estimate=tuple(
            Estimate(_text(e["what"]), _text(e["value"]), _text(e["kind"]), _text(e["basis"]))
            for e in raw["estimate"]
        ),
        diagram=_text(raw["diagram"]),
        caption=_text(raw["caption"]),
        flow=_texts(raw["flow"]),
        decisions=tuple(
            Decision(_text(d["choice"]), _text(d["trade_off"])) for d in raw["decisions"]
        ),
        failure_drill=_text(raw["failure_drill"]),
    )


def load_bank(path: Path = BANK) -> list[Question]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise BankError(f"{path.name}: {error}") from None
    questions = []
    for number, raw in enumerate(data.get("question", []), start=1):
        where = f"{path.name}: question {number} ({raw.get('id', 'no id')})"
        unknown = set(raw) - QUESTION_KEYS
        missing = REQUIRED_KEYS - set(raw)
        if unknown or missing:
            raise BankError(f"{where}: unknown {sorted(unknown)}, missing {sorted(missing)}")
        try:
            ladder = raw["ladder"]
            questions.append(
                Question(
                    id=_text(raw["id"]),
                    group=_text(raw["group"]),
                    level=_text(raw["level"]),
                    question=_text(raw["question"]),
                    headline=_text(raw["headline"]),
                    answer=_text(raw["answer"]),
                    deeper=_text(raw["deeper"]) if "deeper" in raw else None,
                    signals=_texts(raw["signals"]),
                    red_flags=_texts(raw["red_flags"]),
                    ladder=Ladder(*(_text(ladder[level]) for level in LADDER)),
                    follow_ups=tuple(
                        FollowUp(_text(f["question"]), _text(f["see"]) if "see" in f else None)
                        for f in raw["follow_ups"]
                    ),
                    wrong_answers=tuple(
                        WrongAnswer(_text(w["answer"]), _text(w["why"]))
                        for w in raw.get("wrong_answers", [])
                    ),
                    links=tuple(
                        Link(_text(k["title"]), _text(k["to"])) for k in raw.get("links", [])
                    ),
                    snippets=_texts(raw.get("snippets", [])),
                    sources=tuple(
                        Source(_text(s["title"]), _text(s["url"]), _text(s["read"]))
                        for s in raw.get("sources", [])
                    ),
                    design=_design(raw["design"]) if "design" in raw else None,
                )
            )
        except (KeyError, TypeError, AttributeError) as error:
            raise BankError(f"{where}: malformed ({error!r})") from None
    return questions


# Counting what a candidate says.

FENCED = re.compile(r"^\s*(`{3,}).*?^\s*\1\s*$", re.M | re.S)


def prose(text: str) -> str:
    """The words said aloud: the text without its fenced code (the includes of snippets)."""
    return FENCED.sub("", text)


def word_count(text: str) -> int:
    return len(prose(text).split())


def is_one_sentence(text: str) -> bool:
    """Ends with a full stop (or ? !) and has no sentence end before it."""
    body = re.sub(r"`[^`]*`", "code", text)  # `a.b` or `1.0` is no sentence end
    return bool(re.search(r"[.!?]$", body)) and not re.search(r"[.!?]\s", body[:-1])


def structure_problems(questions: list[Question]) -> list[str]:
    """What breaks the bank's rules: each question's parts, their limits, groups, levels."""
    problems = []
    ids = [q.id for q in questions]
    known = set(ids)
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
        if (q.level == "design") != (q.design is not None):
            problems.append(f"{q.id}: a worked design has level 'design' and a [design] table")
        if q.level == "design" and q.group != "design":
            problems.append(f"{q.id}: a worked design belongs to the design group")
        if not q.question.endswith("?"):
            problems.append(f"{q.id}: the question does not end with '?'")
        problems += _spoken_problems(q)
        problems += _part_problems(q, known)
        problems += _link_problems(q)
        if q.design is not None:
            problems += _design_problems(q.id, q.design)
    return problems


def _spoken_problems(q: Question) -> list[str]:
    problems = []
    if not is_one_sentence(q.headline):
        problems.append(f"{q.id}: the headline is not one sentence")
    if (n := word_count(q.headline)) > HEADLINE_WORDS:
        problems.append(f"{q.id}: the headline has {n} words, more than {HEADLINE_WORDS}")
    if (n := word_count(q.answer)) > ANSWER_WORDS:
        problems.append(f"{q.id}: the answer has {n} words of prose, more than {ANSWER_WORDS}")
    if word_count(q.answer) < 40:
        problems.append(f"{q.id}: the answer has fewer than 40 words")
    if q.deeper is not None and (n := word_count(q.deeper)) > DEEPER_WORDS:
        problems.append(f"{q.id}: 'If they push' has {n} words, more than {DEEPER_WORDS}")
    return problems


def _part_problems(q: Question, known: set[str]) -> list[str]:
    problems = []
    if not 2 <= len(q.signals) <= 3:
        problems.append(f"{q.id}: {len(q.signals)} signals, not 2 or 3")
    if not 1 <= len(q.red_flags) <= 2:
        problems.append(f"{q.id}: {len(q.red_flags)} red flags, not 1 or 2")
    if not all((q.ladder.junior, q.ladder.mid, q.ladder.senior)):
        problems.append(f"{q.id}: the ladder lacks a level")
    if not 2 <= len(q.follow_ups) <= 3:
        problems.append(f"{q.id}: {len(q.follow_ups)} follow-ups, not 2 or 3")
    for follow_up in q.follow_ups:
        if not follow_up.question.endswith("?"):
            problems.append(f"{q.id}: a follow-up is not a question: {follow_up.question!r}")
        if follow_up.see is not None and (follow_up.see not in known or follow_up.see == q.id):
            problems.append(f"{q.id}: a follow-up links to {follow_up.see!r}, no other question")
    if not q.wrong_answers or not all(w.answer and w.why for w in q.wrong_answers):
        problems.append(f"{q.id}: no common wrong answer, or one without its why")
    return problems


def _link_problems(q: Question) -> list[str]:
    problems = []
    if not any("#" in link.to for link in q.links):
        problems.append(f"{q.id}: no link to a page section")
    for link in q.links:
        page = link.to.partition("#")[0]
        if not (DOCS_DIR / page).is_file():
            problems.append(f"{q.id}: links to {page}, which does not exist")
    for snippet in q.snippets:
        if snippet_anchor(snippet) is None:
            problems.append(f"{q.id}: snippets/{snippet} is no example on any page")
    for source in q.sources:
        if not source.url.startswith("https://"):
            problems.append(f"{q.id}: the source {source.title!r} has no https address")
        if not re.search(r"\d{4}-\d\d(-\d\d)?", source.read):
            problems.append(f"{q.id}: the source {source.title!r} says no date of its copy")
    return problems


def _design_problems(qid: str, design: Design) -> list[str]:
    problems = []
    if len(design.requirements) < 3:
        problems.append(f"{qid}: fewer than three requirements")
    if len(design.estimate) < 4:
        problems.append(f"{qid}: an estimate of fewer than four numbers")
    problems += [
        f"{qid}: the estimate's {e.what!r} is labelled {e.kind!r}, not one of {ESTIMATE_KINDS}"
        for e in design.estimate
        if e.kind not in ESTIMATE_KINDS
    ]
    problems += [
        f"{qid}: the estimate's {e.what!r} gives no basis" for e in design.estimate if not e.basis
    ]
    if not re.fullmatch(r"docs/diagrams/[a-z0-9-]+\.svg", design.diagram):
        problems.append(f"{qid}: the diagram is not a file of docs/diagrams/")
    elif not (ROOT / design.diagram).is_file():
        problems.append(f"{qid}: {design.diagram} does not exist")
    if len(design.flow) < 4:
        problems.append(f"{qid}: a flow of fewer than four steps")
    if len(design.decisions) < 3 or not all(d.trade_off for d in design.decisions):
        problems.append(f"{qid}: fewer than three decisions, or one without its trade-off")
    if word_count(design.failure_drill) < 40:
        problems.append(f"{qid}: the failure drill has fewer than 40 words")
    return problems


def level_order_problems(questions: list[Question]) -> list[str]:
    """Each group's page runs from junior to senior (and its worked designs last)."""
    problems = []
    for group in GROUPS:
        levels = [LEVELS.index(q.level) for q in questions if q.group == group.key]
        if levels != sorted(levels):
            problems.append(f"{group.title}: the questions are not ordered junior to senior")
    return problems


# Where a question's proof stands on the site.

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


def proof_links(q: Question) -> str:
    """One line: the page sections, the snippets and the official sources an answer rests on."""
    pages = [f"[{link.title}]({link.to})" for link in q.links]
    programs = [f"[`{s}`]({snippet_anchor(s)})" for s in q.snippets]
    line = "**Proof on this site:** " + ", ".join(pages)
    if programs:
        line += "; **the snippets:** " + ", ".join(programs)
    if q.sources:
        line += "; **official sources:** " + ", ".join(
            f"[{s.title}]({s.url}) ({s.read})" for s in q.sources
        )
    return line + "."


# An answer outside MkDocs (in the deck, in the practice page's data): its includes resolved.

INCLUDE_LINE = re.compile(
    r"""^(?P<indent>\s*)--8<--\s+"(?P<path>[^":]+)(?::(?P<section>[\w-]+))?"$"""
)
LOCAL_LINK = re.compile(r"\]\((?!https?:|#|mailto:)(?P<to>[^)\s]+)\)")


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
