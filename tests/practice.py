"""Practising the interview bank in the browser: what the pages and scripts are given.

From `docs/interview/questions.toml`, `python3 dev.py test --update-outputs`
(tests/test_practice.py) writes the mock interview's page `docs/interview/practice.md` and the
data its script reads, `docs/interview/practice.json`; the list of every question on the bank's
index is `render_listing()`, which `tests/interview.py` puts on that page. The scripts that use
them are `docs/assets/practice.js` and `practice.css`, with the schedule `femto-fsrs`, vendored
as `docs/assets/vendor/femto-fsrs.js` from the npm package `vendor/package-lock.json` pins.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import markdown  # type: ignore[import-untyped]

from .interview import (
    BANK_DIR,
    DOCS_DIR,
    GROUP_KEYS,
    GROUPS,
    LADDER,
    LEVELS,
    ROOT,
    Question,
    _resolve_includes,
)

PRACTICE_PAGE = BANK_DIR / "practice.md"
# The mock interview's data: the list of questions, read on the page's first visit, and each
# group's answers, read when a question of that group is first asked.
PRACTICE_DATA = BANK_DIR / "practice-data"
ASSETS = DOCS_DIR / "assets"
# What practising adds to a bank page: the scripts and styles site.js loads there.
PRACTICE_ASSETS = [
    ASSETS / "practice.js",
    ASSETS / "practice.css",
    ASSETS / "vendor" / "femto-fsrs.js",
]
LEVEL_NAMES = {"junior": "Junior", "mid": "Mid", "senior": "Senior", "design": "Design"}
# The timer's defaults, in minutes: a question answered aloud, a system design sketched.
MINUTES = {"standard": 2, "design": 10}

# The schedule: femto-fsrs's index.js as its npm package holds it, unchanged, inside a wrapper
# that gives it to the page as window.femtoFsrs (the package is CommonJS).
VENDOR_DIR = ROOT / "vendor"
FSRS_PACKAGE = "femto-fsrs"
FSRS_FILE = ASSETS / "vendor" / "femto-fsrs.js"
FSRS_SHA256 = "bdc26e13f499dbfd6a05309b4f16d2b91050af2a9b6b7c906be2a1de19a54995"
WRAP_START = "(function (exports) {\n"
WRAP_END = "\n})((window.femtoFsrs = {}));\n"


def locked_version(package: str = FSRS_PACKAGE) -> str:
    lock = json.loads((VENDOR_DIR / "package-lock.json").read_text(encoding="utf-8"))
    return str(lock["packages"][f"node_modules/{package}"]["version"])


def wrapped_fsrs(original: bytes, version: str) -> bytes:
    """The vendored file: a header saying what it is, then the package's file, unchanged."""
    digest = hashlib.sha256(original).hexdigest()
    header = (
        f"/*! {FSRS_PACKAGE} {version} by Rick Carlino, MIT licence (femto-fsrs.LICENSE.txt).\n"
        f"   Its index.js from npm, unchanged between the two lines of the wrapper, which\n"
        f"   hands it to the page as window.femtoFsrs; sha256 {digest}. Pinned by\n"
        f"   vendor/package-lock.json: `npm ci --prefix vendor`, then\n"
        f"   `python3 dev.py test --update-outputs` writes this file again. */\n"
    )
    return header.encode() + WRAP_START.encode() + original + WRAP_END.encode()


def unwrapped_fsrs(vendored: bytes) -> bytes:
    """The package's own file, out of the vendored one."""
    start = vendored.index(WRAP_START.encode()) + len(WRAP_START)
    end = vendored.rindex(WRAP_END.encode())
    return vendored[start:end]


def ladder(q: Question) -> dict[str, str]:
    """A design question's rubric: what an answer at each level sounds like."""
    return {level: html_of(getattr(q.ladder, level), inline=True) for level in LADDER}


def levels_of(questions: list[Question]) -> list[str]:
    present = {q.level for q in questions}
    return [level for level in LEVELS if level in present]


# The list of every question, on the bank's index.


def render_listing(questions: list[Question]) -> str:
    """Every question under its group, with its level; practice.js adds the filter, each
    question's state and the progress of each group."""
    parts = [
        "## Every question { #every-question }",
        "Each question links to its answer. Filter the list by group and level; each question "
        "shows its state in this browser (new, due, learning or mastered) and each group how "
        "many you have mastered, seen and have due today. The "
        "[mock interview](practice.md) asks them one at a time, against a timer.",
        '<div class="iq-tools"></div>',
    ]
    for group in GROUPS:
        mine = [q for q in questions if q.group == group.key]
        if not mine:
            continue
        items = [
            f'<li data-qid="{q.id}" data-level="{q.level}" markdown="span">'
            f"[{q.question}]({group.page}#{q.id}) "
            f'<span class="iq-level iq-level--{q.level}">{LEVEL_NAMES[q.level]}</span></li>'
            for q in mine
        ]
        parts.append(f"### {group.title} {{ #every-{group.key} }}")
        parts.append(
            f'<ul class="iq-list" data-group="{group.key}" data-title="{group.title}" '
            f'markdown="1">\n' + "\n".join(items) + "\n</ul>"
        )
    return "\n\n".join(parts) + "\n"


# The mock interview's page.

PRACTICE_SOURCES = """\
??? info "Sources"

    - The schedule is FSRS-5 as the npm package `femto-fsrs` 2.0.0 implements it (MIT licence,
      vendored in this site's `docs/assets/vendor/`), with its default parameters: a question
      comes back when the chance of still knowing it has fallen to 90%. "Again" brings it back
      after ten minutes instead; a question next due 21 days or more after its review counts
      as mastered (the line Anki draws for a "mature" card).
"""


def render_practice_page(questions: list[Question]) -> str:
    groups = "\n".join(
        f'<label><input type="checkbox" name="group" value="{g.key}" checked> {g.title}</label>'
        for g in GROUPS
        if any(q.group == g.key for q in questions)
    )
    levels = "\n".join(
        f'<label><input type="checkbox" name="level" value="{level}" checked> '
        f"{LEVEL_NAMES[level]}</label>"
        for level in levels_of(questions)
    )
    form = (
        f'<form class="iq-setup" data-src="../{PRACTICE_DATA.name}/">\n'
        f"<fieldset><legend>Groups</legend>\n{groups}\n</fieldset>\n"
        f"<fieldset><legend>Levels</legend>\n{levels}\n</fieldset>\n"
        "<fieldset><legend>Timer</legend>\n"
        '<label>Minutes per question <input type="number" name="minutes" min="1" max="30" '
        f'value="{MINUTES["standard"]}"></label>\n'
        '<label>Minutes per design question <input type="number" name="design-minutes" '
        f'min="1" max="60" value="{MINUTES["design"]}"></label>\n'
        "</fieldset>\n"
        '<p class="iq-count" role="status"></p>\n'
        # Enabled by practice.js once it has the questions: no early click reloads the page.
        '<p><button type="submit" class="iq-btn iq-primary" disabled>Start</button></p>\n'
        "</form>"
    )
    return "\n\n".join(
        [
            "# Mock interview",
            "<!-- Generated from docs/interview/questions.toml by tests/practice.py: edit the "
            "bank, then run `python3 dev.py test --update-outputs`. -->",
            "Choose groups and levels, then answer each question aloud before the clock runs "
            "out, as you would to an interviewer. Show the answer, tick the points you made, "
            "and rate how well you knew it: the rating sets when the question comes back. "
            "Questions due for review come first, in random order, then the rest. Your "
            "progress stays in this browser; export it to a file to move it to another.",
            form,
            "<noscript><p>The mock interview needs JavaScript. Every question and its answer "
            "are on the [group pages](index.md#every-question).</p></noscript>",
            "## Keys { #keys }",
            "While a question is shown: <kbd>Space</kbd> shows the answer, <kbd>1</kbd> to "
            "<kbd>4</kbd> rate it (Again, Hard, Good, Easy), <kbd>N</kbd> moves to the next "
            "question, <kbd>P</kbd> pauses or resumes the timer, and <kbd>?</kbd> lists the "
            "keys. The timer is announced to a "
            "screen reader at one minute and 30 seconds left and when time is up, not each "
            "second.",
            "## Links to a practice { #links }",
            "The page opens on a choice given in its address: `?group=wire` (a group's key, "
            "or several: `?group=wire,failures`), `?level=senior`, `?minutes=3`, or `?question=` "
            "and a question's id to start with that question. Every question keeps its own address "
            "on its group page (`fundamentals/#what-is-streaming`).",
            PRACTICE_SOURCES,
        ]
    )


# The data practice.js reads on the mock interview's page.

LOCAL_LINK = re.compile(r"\]\((?!https?:|#|mailto:)(?P<to>[^)\s]+)\)")


def _site_path(to: str) -> str:
    """A link written relative to docs/ (`errors.md#x`), as the practice page reaches it."""
    page, _, anchor = to.partition("#")
    path = "" if page == "index.md" else page.removesuffix(".md") + "/"
    path = path.replace("/index/", "/")
    return "../../" + path + (f"#{anchor}" if anchor else "")


def html_of(text: str, *, inline: bool = False) -> str:
    text = LOCAL_LINK.sub(lambda m: f"]({_site_path(m['to'])})", _resolve_includes(text))
    rendered = str(markdown.markdown(text, extensions=["fenced_code", "tables"]))
    if inline:
        rendered = re.sub(r"^<p>(.*)</p>$", r"\1", rendered.strip(), flags=re.S)
    return rendered.strip()


def practice_files(questions: list[Question]) -> dict[Path, str]:
    """`questions.json`: each question's id, group, level and text, and the groups' titles and
    pages; `<group>.json`: the answers of a group's questions, by id (headline, core, signals,
    and for a design question its rubric)."""
    groups = [g for g in GROUPS if any(q.group == g.key for q in questions)]
    listing = {
        "version": 1,
        "groups": {
            g.key: {"title": g.title, "page": g.page.removesuffix(".md") + "/"} for g in groups
        },
        "questions": [
            {
                "id": q.id,
                "group": q.group,
                "level": q.level,
                "question": html_of(q.question, inline=True),
            }
            for q in questions
        ],
    }
    files = {PRACTICE_DATA / "questions.json": _json(listing)}
    for group in groups:
        answers = {
            q.id: {
                "headline": html_of(q.headline, inline=True),
                "answer": html_of(q.answer),
                "signals": [html_of(s, inline=True) for s in q.signals],
            }
            | ({"rubric": ladder(q)} if q.level == "design" else {})
            for q in questions
            if q.group == group.key
        }
        files[PRACTICE_DATA / f"{group.key}.json"] = _json(answers)
    return files


def _json(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


def group_of(key: str) -> str:
    return GROUP_KEYS[key].title
