"""The bank's pages, written from docs/interview/questions.toml (see tests/interview.py).

Every question is rendered in the markup the practice scripts read (the contract in the team's
brief): a heading with the question's id, then a `div.iq` holding its level badge, its headline
in bold, and one neutral "Show answer" disclosure whose parts stand under subheadings (a
paragraph with the ARIA heading role, so that the table of contents and the search index keep
one entry per question). Lists are written as one line of HTML each, so that a page of ten
questions stays short in Markdown too.
"""

from __future__ import annotations

import re
from pathlib import Path

from .interview import (
    API_VERSION,
    BANK_DIR,
    GROUP_KEYS,
    GROUPS,
    LEVELS,
    SDK_VERSION,
    Design,
    Group,
    Question,
    proof_links,
)
from .practice import render_listing

DECK_LINK = (
    "[Download the deck for Anki](streaming-interview.apkg){ download } "
    "(a card per question, and a cloze card per fact)"
)
GENERATED = (
    "<!-- Generated from docs/interview/questions.toml by tests/interview_render.py: "
    "edit the bank, then run `python3 dev.py test --update-outputs`. -->"
)
LEVEL_NAMES = {"junior": "Junior", "mid": "Mid", "senior": "Senior", "design": "Design"}

SOURCES = f"""\
??? info "Sources"

    - Each answer rests on the pages it links to, which give their own sources; the versions
      it depends on are named where it does: the `anthropic` Python SDK {SDK_VERSION}
      (2026-12-03), which sends `anthropic-version: {API_VERSION}`, read in its wheel and run
      against this site's replay server; where 2.12.0 differs, the answer says so.
    - [Streaming messages](https://platform.claude.com/docs/en/build-with-claude/streaming)
      and [Errors](https://platform.claude.com/docs/en/api/errors), official documentation,
      copies of 2026-09-26.
"""
# What a group's answers say beyond the pages they link to and their own sources.
GROUP_SOURCES = {
    "tools-thinking": """\
    - Passing thinking blocks back unmodified during tool use, and no toggling of thinking in
      the middle of a turn: [Extended thinking](https://platform.claude.com/docs/en/build-with-claude/extended-thinking),
      official documentation, section "Extended thinking with tool use", in an undated copy
      that names Claude Sonnet 4.6, so of 2026-02-17 or later.
    - What `messages.stream()` does with invalid tool input JSON (a `ValueError` for some
      errors, a silently shortened input for others), the same in SDK 2.12.0 and 2.17.0:
      `tests/test_interview.py` and `tests/test_fine_grained_tools.py`.
""",
    "browser": """\
    - The idle limits of proxies (nginx's `proxy_read_timeout`, 60 s by default; AWS
      Application Load Balancer, 60 s; Google Cloud, 30 s) and FastAPI 0.165.0's 15 s
      keepalive: the Sources of [Relaying to a browser](../relay.md). Cloudflare's Proxy Read
      Timeout: 125 s in [Error 524](https://developers.cloudflare.com/support/troubleshooting/http-status-codes/cloudflare-5xx-errors/error-524/),
      page last updated 2026-07-23 (copy of 2026-10-08); 100 s in the copy of 2025-04-29.
""",
    "production": """\
    - FastAPI 0.165.0 runs an `EventSourceResponse`'s generator in a task that hands each
      event on through memory streams of one event each (`fastapi/routing.py`, as this site
      installs it).
""",
}


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


def part(title: str) -> str:
    """A subheading inside an answer: a heading for assistive technology, not for the TOC."""
    return f'<p class="iq-part" role="heading" aria-level="3">{title}</p>'


def one_line_list(css: str, items: list[str], tag: str = "ul") -> str:
    """A list as one line of HTML whose items are Markdown (md_in_html)."""
    body = "".join(f"<li markdown>{item}</li>" for item in items)
    return f'<{tag} class="{css}" markdown>{body}</{tag}>'


def section(title: str, body: str) -> str:
    """A subheading and what it heads, on one line (md_in_html parses a div's children)."""
    return f'<div class="iq-section" markdown>{part(title)}{body}</div>'


def blocks(text: str) -> list[str]:
    """The blocks of a Markdown text (paragraphs, lists, code), each with its lines joined."""
    out: list[str] = []
    current: list[str] = []
    in_fence = False
    for line in _join_paragraphs(text).splitlines():
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        if not line.strip() and not in_fence:
            if current:
                out.append("\n".join(current))
            current = []
        else:
            current.append(line)
    if current:
        out.append("\n".join(current))
    return out


PLAIN = re.compile(r"^(?!\s*([-*+] |\d+\. |\||`{3,}|>|--8<--|#|!!!|\?\?\?|<))")


def render_text(text: str) -> list[str]:
    """Plain paragraphs as one `<p markdown>` line each; lists and code as Markdown blocks."""
    lines: list[str] = []
    for block in blocks(_from_subfolder(text)):
        if "\n" not in block and PLAIN.match(block):
            lines.append(f"<p markdown>{block}</p>")
        else:
            lines += ["", block, ""]
    return lines


def render_deeper(text: str) -> list[str]:
    inner = render_text(text)
    if all(line.startswith("<p markdown>") for line in inner):
        return [
            '<details class="iq-deeper" markdown><summary>If they push</summary>'
            + "".join(inner)
            + "</details>"
        ]
    opening = ['<details class="iq-deeper" markdown>', "<summary>If they push</summary>"]
    return [*opening, *inner, "</details>"]


def level_badge(level: str) -> str:
    return f'<span class="iq-level iq-level--{level}">{LEVEL_NAMES[level]}</span>'


def follow_up_target(see: str, questions: dict[str, Question]) -> str:
    return f"{GROUP_KEYS[questions[see].group].page}#{see}"


def render_design(design: Design) -> list[str]:
    """A worked design's parts, lists rather than tables so that they read at 390 px."""
    estimate = [
        _from_subfolder(f"**{e.what}**: {e.value} (*{e.kind}*: {e.basis})") for e in design.estimate
    ]
    decisions = [_from_subfolder(f"**{d.choice}**: {d.trade_off}") for d in design.decisions]
    requirements = [_from_subfolder(r) for r in design.requirements]
    flow = [_from_subfolder(step) for step in design.flow]
    return [
        section("Requirements", one_line_list("iq-requirements", requirements)),
        section("Back of the envelope", one_line_list("iq-estimate", estimate)),
        part("The design"),
        '<figure class="picture" data-search-exclude markdown>\n'
        f'--8<-- "{design.diagram}"\n'
        f"<figcaption markdown>{_from_subfolder(design.caption)}</figcaption>\n"
        "</figure>",
        section("How one request flows", one_line_list("iq-flow", flow, tag="ol")),
        section("Key decisions and their trade-offs", one_line_list("iq-decisions", decisions)),
        part("Failure drill"),
        *render_text(design.failure_drill),
    ]


def render_question(q: Question, questions: dict[str, Question]) -> str:
    follow_ups = [
        f"[{f.question}]({follow_up_target(f.see, questions)})" if f.see else f.question
        for f in q.follow_ups
    ]
    ladder = [
        f"**Junior:** {q.ladder.junior}",
        f"**Mid:** {q.ladder.mid}",
        f"**Senior:** {q.ladder.senior}",
    ]
    wrong = [f"**{w.answer}** {w.why}" for w in q.wrong_answers]
    lines = [
        f"## {q.question} {{ #{q.id} }}",
        "",
        f'<div class="iq" data-qid="{q.id}" data-group="{q.group}" data-level="{q.level}" '
        "markdown>",
        level_badge(q.level),
        f'<p class="iq-headline" markdown>**{q.headline}**</p>',
        '<details class="iq-answer" markdown>',
        "<summary>Show answer</summary>",
        part("Say this" if q.design is None else "Say this first: the design in a minute"),
        *render_text(q.answer),
        f'<p class="iq-proof" markdown>{_from_subfolder(proof_links(q))}</p>',
    ]
    if q.design is not None:
        lines += render_design(q.design)
    if q.deeper is not None:
        lines += render_deeper(q.deeper)
    lines += [
        section(
            "What a strong answer shows",
            one_line_list("iq-signals", [_from_subfolder(x) for x in q.signals]),
        ),
        section(
            "Red flags", one_line_list("iq-red-flags", [_from_subfolder(x) for x in q.red_flags])
        ),
        section(
            "Rubric by level" if q.design is not None else "By level",
            one_line_list("iq-ladder", [_from_subfolder(x) for x in ladder]),
        ),
        # Follow-ups link to other pages of the bank: already relative to docs/interview/.
        section("Follow-ups", one_line_list("iq-follow-ups", follow_ups)),
        # Out of the search index: a search should not offer a wrong answer as a match.
        '<div class="iq-wrong" data-search-exclude markdown>'
        + part("Wrong answers candidates give")
        + one_line_list("iq-wrong-answers", [_from_subfolder(x) for x in wrong])
        + "</div>",
        "</details>",
        "</div>",
    ]
    # No blank line twice in a row, none right after an opening tag.
    tidy: list[str] = []
    for line in lines:
        if line == "" and (not tidy or tidy[-1] == ""):
            continue
        tidy.append(line)
    return "\n".join(tidy)


def level_counts(mine: list[Question]) -> str:
    return ", ".join(
        f"{n} {'worked designs' if level == 'design' else level}"
        for level in LEVELS
        if (n := sum(q.level == level for q in mine))
    )


def group_sources(group: Group, mine: list[Question]) -> str:
    seen: dict[str, str] = {}
    for q in mine:
        for source in q.sources:
            seen.setdefault(source.url, f"[{source.title}]({source.url}), {source.read}")
    own = "".join(f"    - {line}\n" for line in seen.values())
    return SOURCES + GROUP_SOURCES.get(group.key, "") + own


def render_group(group: Group, questions: list[Question]) -> str:
    by_id = {q.id: q for q in questions}
    mine = [q for q in questions if q.group == group.key]
    title = group.title.lower() if group.key != "python-sdk" else "the Python SDK"
    head = [
        f"# Interview questions: {title}",
        GENERATED,
        f'!!! abstract "How to use this page"\n\n'
        f"    {group.about} {len(mine)} questions ({level_counts(mine)}). Say the bold "
        'headline first, answer aloud in about a minute, then open "Show answer" to compare. '
        f"{DECK_LINK}; [the cheat sheet](cheat-sheet.md); "
        "[the study plan and mock interview](study-plan.md).",
    ]
    body = [render_question(q, by_id) for q in mine]
    return "\n\n".join(head + body) + "\n\n" + group_sources(group, mine)


# The index page's listing belongs to the practice pages (issue 19); this is the bank's
# overview as it stands until they replace it.
def render_index(questions: list[Question]) -> str:
    rows = []
    for group in GROUPS:
        mine = [q for q in questions if q.group == group.key]
        levels = " / ".join(str(sum(q.level == level for q in mine)) for level in LEVELS)
        rows.append(f"| [{group.title}]({group.page}) | {group.about} | {len(mine)} | {levels} |")
    first = questions[0]
    juniors = sum(q.level == "junior" for q in questions)
    designs = sum(q.level == "design" for q in questions)
    return (
        "# Interview prep\n\n"
        f"{GENERATED}\n\n"
        '!!! abstract "The question bank"\n\n'
        f"    {len(questions)} questions on streaming with the Claude Messages API, in "
        f"{len(GROUPS)} groups, from {juniors} junior questions to {designs} worked system "
        "designs. Each has a headline to say first, a core you can say in about a minute, "
        "what a strong answer shows, red flags, what a junior, mid and senior answer sound "
        "like, follow-ups linked to the questions that answer them, and the wrong answers "
        "candidates give. Answer aloud first, then open the answer.\n\n"
        f"    - {DECK_LINK}: each question on a front, its headline, what a strong answer shows "
        "and the most common trap on the back; and short facts to recall, one word hidden.\n"
        "    - [The mock interview](practice.md): one question at a time against a timer; rate "
        "your answer, and the question comes back when it is due. Your progress stays in this "
        "browser.\n"
        "    - [The study plan and a 45-minute mock interview](study-plan.md): one evening, one "
        "week or two weeks, and a script with a scoring rubric.\n"
        "    - [The cheat sheet](cheat-sheet.md): what to say, then the reference tables, on at "
        "most two printed pages.\n\n"
        f"The first question is the one this site began with: [{first.question}]"
        f"({GROUP_KEYS[first.group].page}#{first.id}) Its long answer is [Streaming, first "
        "answer](../first-stream.md).\n\n"
        "| Group | What it covers | Questions | junior / mid / senior / design |\n"
        "|---|---|---|---|\n" + "\n".join(rows) + "\n\n"
        f"The answers are written for the `anthropic` Python SDK {SDK_VERSION} and the API "
        f"version `{API_VERSION}` it sends; where an answer depends on a version, a model or a "
        "date, it says which.\n\n" + render_listing(questions)
    )


def rendered_pages(questions: list[Question]) -> dict[Path, str]:
    pages = {BANK_DIR / "index.md": render_index(questions)}
    for group in GROUPS:
        pages[BANK_DIR / group.page] = render_group(group, questions)
    return pages
