"""Practising the bank in Chromium, on the built pages: ratings kept and scheduled, progress
moved between browsers as a file, bad files and bad storage refused, the mock interview driven
by its keys and its timer, and no accessibility problem axe can find.

Each test loads its pages once, in a fresh browser context (its own localStorage); the clock
is Playwright's, so that days pass in a moment.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Locator,
    Page,
)

from .browser import WIDTHS, Scheme
from .interview import GROUPS, load_bank
from .theme import SEARCH_TOGGLE

# The built site, served, and the browser: the fixtures of tests/browser.py.

QUESTIONS = load_bank()
KEY = "streaming-interview-progress"
START = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # a Monday morning, in the browser's clock
PAGE_OF = {group.key: group.page.removesuffix(".md") for group in GROUPS}
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    # Material's own markup, which this site does not write: its search dialog has no name.
    "rules": {"aria-dialog-name": {"enabled": False}},
    # What the test reads: the violations, each with every node it found (axe's default
    # reports every rule that passed too, with every node, which costs more than the checks).
    "resultTypes": ["violations"],
}
# Every change of the live region, as a screen reader would be told it.
RECORD_ANNOUNCEMENTS = """
window.announced = [];
new MutationObserver(() => {
  const live = document.querySelector(".iq-live");
  if (live && live.textContent !== window.announced.at(-1)) window.announced.push(live.textContent);
}).observe(document, { subtree: true, childList: true, characterData: true });
"""


@pytest.fixture
def contexts(browser: Browser) -> Iterator[Any]:
    """Fresh browser contexts (each its own storage), closed after the test."""
    opened: list[BrowserContext] = []

    def new(width: str = "desktop", scheme: Scheme = "light", **options: Any) -> BrowserContext:
        w, h = WIDTHS[width]
        context = browser.new_context(
            viewport={"width": w, "height": h}, color_scheme=scheme, **options
        )
        opened.append(context)
        return context

    yield new
    for context in opened:
        context.close()


def open_page(context: BrowserContext, url: str, *, clock: datetime | None = START) -> Page:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.errors = errors  # type: ignore[attr-defined]
    if clock:
        page.clock.install(time=clock)
    page.add_init_script(RECORD_ANNOUNCEMENTS)
    goto(page, url)
    return page


def goto(page: Page, url: str | None = None) -> None:
    """Load a page (or reload it), and wait until practice.js has set it up."""
    if url:
        page.goto(url, wait_until="networkidle")
    else:
        page.reload(wait_until="networkidle")
    if "/interview/" in page.url:
        page.wait_for_function("document.body.dataset.practice === 'ready'")


def stored(page: Page) -> Any:
    text = page.evaluate(f"localStorage.getItem({KEY!r})")
    return None if text is None else json.loads(text)


def raw_stored(page: Page) -> str | None:
    return page.evaluate(f"localStorage.getItem({KEY!r})")  # type: ignore[no-any-return]


def state_on_index(page: Page, qid: str) -> str:
    return page.locator(f'li[data-qid="{qid}"] .iq-state').inner_text()


def review(days_ago: float, due_in_days: float, *, stability: float = 3.0) -> dict[str, Any]:
    reviewed = START - timedelta(days=days_ago)
    return {
        "difficulty": 5.0,
        "stability": stability,
        "due": (START + timedelta(days=due_in_days)).isoformat().replace("+00:00", "Z"),
        "reviewed": reviewed.isoformat().replace("+00:00", "Z"),
        "reviews": 1,
        "lapses": 0,
        "rating": 3,
    }


def seed(context: BrowserContext, questions: dict[str, Any] | str) -> None:
    """Progress in the context's storage before any page loads (a string: stored as it is)."""
    if not isinstance(questions, str):
        questions = json.dumps({"format": KEY, "version": 1, "questions": questions})
    context.add_init_script(
        f"if (!sessionStorage.getItem('seeded')) {{ sessionStorage.setItem('seeded', '1'); "
        f"localStorage.setItem({KEY!r}, {json.dumps(questions)}); }}"
    )


def said(message: Locator) -> str:
    """A message the page writes once a file has been read: waited for, then its text."""
    message.page.wait_for_function("m => m.textContent !== ''", arg=message.element_handle())
    return message.inner_text()


def start_practice(page: Page) -> None:
    page.locator(".iq-setup [type=submit]").click()
    page.locator(".iq-stage").wait_for()


def reveal(page: Page) -> None:
    """Space, and wait for the answer (its group's answers are fetched once)."""
    page.keyboard.press("Space")
    page.locator(".iq-back:not([hidden]) .iq-rate").wait_for()


def shown_question(page: Page) -> str:
    """The id of the question the mock interview shows (from its link to the whole answer,
    once revealed; before, by its text)."""
    text = page.locator(".iq-question").inner_text()
    found = [q.id for q in QUESTIONS if plain(q.question) == text]
    assert len(found) == 1, text
    return found[0]


def plain(markdown_text: str) -> str:
    return markdown_text.replace("`", "").strip()


# ---------------------------------------------------------------- ratings and the schedule


def test_a_rating_is_kept_across_a_reload_and_comes_due_again(contexts: Any, site_url: str) -> None:
    question = QUESTIONS[0]
    page = open_page(contexts(), f"{site_url}/interview/practice/?question={question.id}")
    assert shown_question(page) == question.id
    reveal(page)
    page.keyboard.press("3")  # Good
    result = page.locator(".iq-result").inner_text()
    saved = stored(page)["questions"][question.id]
    assert saved["rating"] == 3
    assert abs(datetime.fromisoformat(saved["reviewed"]) - START) < timedelta(minutes=1)
    due = datetime.fromisoformat(saved["due"].replace("Z", "+00:00"))
    days = (due - START).total_seconds() / 86400
    assert 1 <= days <= 10, saved  # FSRS-5's first interval after "Good": a few days
    assert f"due again in {round(days)} days" in result

    goto(page, f"{site_url}/interview/")
    assert stored(page)["questions"][question.id] == saved
    state = state_on_index(page, question.id)
    assert state.startswith("Learning, due on "), state
    goto(page)
    assert state_on_index(page, question.id) == state
    assert stored(page)["questions"][question.id] == saved

    # The browser's clock moved past the due date: the question is due again.
    page.clock.fast_forward(int((due - START).total_seconds() * 1000) + 60_000)
    goto(page)
    assert state_on_index(page, question.id) == "Due now"
    group = page.locator(f'ul.iq-list[data-group="{question.group}"]')
    progress = group.locator("xpath=preceding-sibling::p[1]").inner_text()
    assert "1 seen, 1 due today" in progress
    assert page.errors == []  # type: ignore[attr-defined]


def test_a_rating_on_a_group_page_is_kept_across_a_reload_and_comes_due_again(
    contexts: Any, site_url: str
) -> None:
    question = QUESTIONS[2]
    url = f"{site_url}/interview/{PAGE_OF[question.group]}/#{question.id}"
    page = open_page(contexts(), url)
    box = page.locator(f'.iq[data-qid="{question.id}"]')
    state = box.locator(".iq-state")
    assert state.inner_text() == "New"
    rate = box.locator(".iq-rate")
    assert rate.is_hidden()  # rated after the answer is opened, not before
    box.locator("details.iq-answer > summary").click()
    assert rate.is_visible()
    rate.get_by_role("button", name="Hard").click()
    saved = stored(page)["questions"][question.id]
    assert saved["rating"] == 2
    shown = state.inner_text()
    assert shown.startswith("Learning, due "), shown
    goto(page)
    assert stored(page)["questions"][question.id] == saved
    assert state.inner_text() == shown
    due = datetime.fromisoformat(saved["due"])
    page.clock.fast_forward(int((due - START).total_seconds() * 1000) + 60_000)
    goto(page)
    assert state.inner_text() == "Due now"
    assert page.errors == []  # type: ignore[attr-defined]


def test_a_group_page_opens_and_closes_every_answer_and_links_each_question(
    contexts: Any, site_url: str
) -> None:
    group = QUESTIONS[0].group
    page = open_page(contexts(), f"{site_url}/interview/{PAGE_OF[group]}/")
    answers = page.locator("details.iq-answer")
    count = answers.count()
    assert count == sum(q.group == group for q in QUESTIONS)
    is_open = "all => all.map(d => d.open)"
    assert answers.evaluate_all(is_open) == [False] * count
    page.get_by_role("button", name="Expand all").click()
    assert answers.evaluate_all(is_open) == [True] * count
    page.get_by_role("button", name="Collapse all").click()
    assert answers.evaluate_all(is_open) == [False] * count
    # An answer opened is set at the size of the page's text, not smaller.
    page.get_by_role("button", name="Expand all").click()
    size = "e => getComputedStyle(e).fontSize"
    # (the article's own size is the body text's: Material's .md-typeset)
    assert answers.first.locator("p").first.evaluate(size) == page.locator(
        "article.md-typeset"
    ).first.evaluate(size)
    # Each question's address, and a way to practise it alone.
    question = QUESTIONS[0]
    assert page.locator(f"h2#{question.id}").count() == 1
    page.locator(f'.iq[data-qid="{question.id}"] .iq-go').click()
    page.wait_for_url(f"**/interview/practice/?question={question.id}")
    goto(page)
    assert shown_question(page) == question.id
    # Not Material's `?q=`, which would open its search over the question.
    assert not page.locator(SEARCH_TOGGLE).is_checked()


def test_the_level_badges_differ_at_a_glance(contexts: Any, site_url: str) -> None:
    page = open_page(contexts(), f"{site_url}/interview/")
    looks = {}
    for level in {q.level for q in QUESTIONS}:
        badge = page.locator(f".iq-list .iq-level--{level}").first
        looks[level] = badge.evaluate(
            "b => [getComputedStyle(b).backgroundColor, getComputedStyle(b, '::before').content]"
        )
    backgrounds = [look[0] for look in looks.values()]
    assert len(set(backgrounds)) == len(backgrounds), looks


def test_again_brings_a_question_back_in_ten_minutes(contexts: Any, site_url: str) -> None:
    question = QUESTIONS[1]
    page = open_page(contexts(), f"{site_url}/interview/practice/?question={question.id}")
    reveal(page)
    page.keyboard.press("1")
    saved = stored(page)["questions"][question.id]
    gap = datetime.fromisoformat(saved["due"]) - datetime.fromisoformat(saved["reviewed"])
    assert gap == timedelta(minutes=10)
    assert "due again in 10 minutes" in page.locator(".iq-result").inner_text()


# ---------------------------------------------------------------- files and storage


def test_export_then_import_in_a_fresh_browser_restores_the_same_progress(
    contexts: Any, site_url: str, tmp_path: Path
) -> None:
    first = open_page(contexts(accept_downloads=True), f"{site_url}/interview/practice/")
    start_practice(first)
    rated = []
    for grade in ("3", "4", "2"):
        rated.append(shown_question(first))
        reveal(first)
        first.keyboard.press(grade)
        first.keyboard.press("n")
    before = stored(first)
    assert sorted(before["questions"]) == sorted(rated)
    goto(first, f"{site_url}/interview/")
    states = {qid: state_on_index(first, qid) for qid in rated}
    with first.expect_download() as download:
        first.get_by_role("button", name="Export progress").click()
    exported = tmp_path / download.value.suggested_filename
    download.value.save_as(exported)
    assert exported.name == "streaming-interview-progress-2026-12-07.json"
    data = json.loads(exported.read_text())
    assert (data["format"], data["version"], data["questions"]) == (KEY, 1, before["questions"])

    second = open_page(contexts(), f"{site_url}/interview/")
    assert stored(second) is None
    assert all(state_on_index(second, qid) == "New" for qid in rated)
    second.locator("input.iq-import").set_input_files(exported)
    message = said(second.locator(".iq-message"))
    assert message.startswith(f"Imported {exported.name}: 3 of 3 questions")
    assert stored(second)["questions"] == before["questions"]
    assert {qid: state_on_index(second, qid) for qid in rated} == states
    goto(second)
    assert {qid: state_on_index(second, qid) for qid in rated} == states
    # Reset asks first, then leaves nothing stored; declined, it changes nothing.
    second.once("dialog", lambda dialog: dialog.dismiss())
    second.get_by_role("button", name="Reset progress").click()
    assert stored(second)["questions"] == before["questions"]
    second.once("dialog", lambda dialog: dialog.accept())
    second.get_by_role("button", name="Reset progress").click()
    assert stored(second) is None
    assert all(state_on_index(second, qid) == "New" for qid in rated)
    assert second.locator(".iq-message").inner_text() == (
        "Progress reset: every question is new again."
    )


BAD_FILES = {
    "{ not json": "it is not JSON",
    '{"cards": []}': 'it is not progress saved by these pages (no "format"',
    json.dumps({"format": KEY, "version": 1, "questions": {"x": {"due": "soon"}}}): (
        'the entry of "x" has no difficulty'
    ),
    json.dumps({"format": KEY, "version": 9, "questions": {}}): "a newer version (9)",
}


def test_a_bad_file_is_refused_with_one_message_and_changes_nothing(
    contexts: Any, site_url: str, tmp_path: Path
) -> None:
    context = contexts()
    seed(context, {QUESTIONS[0].id: review(2, 1)})
    page = open_page(context, f"{site_url}/interview/")
    before = raw_stored(page)
    state = state_on_index(page, QUESTIONS[0].id)
    message = page.locator(".iq-message")
    for number, (content, reason) in enumerate(BAD_FILES.items()):
        bad = tmp_path / f"progress-{number}.json"
        bad.write_text(content)
        page.evaluate("m => (m.textContent = '')", message.element_handle())
        page.locator("input.iq-import").set_input_files(bad)
        text = said(message)
        assert text.startswith(f"{bad.name} was not imported: "), text
        assert reason in text
        assert text.endswith("Nothing has been changed.")
        assert "\n" not in text
        assert raw_stored(page) == before
        assert state_on_index(page, QUESTIONS[0].id) == state
    assert page.errors == []  # type: ignore[attr-defined]


def test_corrupt_storage_gets_a_message_and_a_reset_and_changes_nothing(
    contexts: Any, site_url: str
) -> None:
    context = contexts()
    seed(context, '{"format": "streaming-interview-progress", "version": 1, "questions": [')
    page = open_page(context, f"{site_url}/interview/practice/?question={QUESTIONS[0].id}")
    notice = page.locator(".iq-notice")
    assert notice.is_visible()
    assert "cannot be read: it is not JSON. Nothing has been changed" in notice.inner_text()
    before = raw_stored(page)
    # The page still works: the question can be answered, but a rating is not saved.
    reveal(page)
    assert page.locator(".iq-back").is_visible()
    assert page.locator(".iq-rate button").first.is_disabled()
    page.keyboard.press("3")
    assert raw_stored(page) == before
    goto(page, f"{site_url}/interview/")
    assert page.locator(".iq-notice").is_visible()
    assert raw_stored(page) == before
    assert page.errors == []  # type: ignore[attr-defined]
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(".iq-notice").get_by_role("button", name="Reset progress").click()
    assert raw_stored(page) is None
    assert page.locator(".iq-notice").is_hidden()
    assert state_on_index(page, QUESTIONS[0].id) == "New"


# ---------------------------------------------------------------- the mock interview


def test_the_practice_page_goes_through_the_due_questions_first_with_the_keys(
    contexts: Any, site_url: str
) -> None:
    wire = [q for q in QUESTIONS if q.group == "wire"]
    due = {q.id for q in wire[:3]}
    later = {q.id for q in wire[3:5]}
    context = contexts()
    seed(
        context,
        {qid: review(5, -1) for qid in due} | {qid: review(1, 20) for qid in later},
    )
    page = open_page(context, f"{site_url}/interview/practice/?group=wire")
    ticked = page.eval_on_selector_all("[name=group]:checked", "all => all.map(e => e.value)")
    assert ticked == ["wire"]
    assert page.locator(".iq-count").inner_text().startswith(f"{len(wire)} questions chosen: 3 due")
    start_practice(page)
    seen = []
    for _ in range(len(wire)):
        seen.append(shown_question(page))
        assert page.locator(".iq-back").is_hidden()
        reveal(page)
        assert page.locator(".iq-back").is_visible()
        assert page.locator(".iq-checklist input[type=checkbox]").count() >= 1
        page.keyboard.press("4")
        assert page.locator(".iq-result").inner_text().startswith("Rated Easy")
        page.keyboard.press("n")
    assert set(seen[:3]) == due  # the due ones first, then the rest
    assert sorted(seen) == sorted(q.id for q in wire)
    assert page.locator(".iq-end").inner_text().startswith("Session over")
    assert f"{len(wire)} questions rated" in page.locator(".iq-end").inner_text()
    assert all(stored(page)["questions"][q.id]["rating"] == 4 for q in wire)
    assert page.errors == []  # type: ignore[attr-defined]


def test_the_keys_are_listed_and_material_does_not_take_them(contexts: Any, site_url: str) -> None:
    page = open_page(contexts(), f"{site_url}/interview/practice/")
    start_practice(page)
    first = shown_question(page)
    page.keyboard.press("?")
    dialog = page.locator("dialog.iq-keys")
    assert dialog.is_visible()
    assert "Space" in dialog.inner_text()
    assert "pauses or resumes the timer" in dialog.inner_text()
    page.keyboard.press("Escape")
    assert dialog.is_hidden()
    page.keyboard.press("n")  # Material turns the page on n; here it is the next question
    assert page.url.endswith("/interview/practice/")
    assert shown_question(page) != first
    # The answer fades in, unless the reader asked for reduced motion.
    animation = "() => getComputedStyle(document.querySelector('.iq-back')).animationName"
    reveal(page)
    assert page.evaluate(animation) == "iq-in"
    page.keyboard.press("n")
    page.emulate_media(reduced_motion="reduce")
    reveal(page)
    assert page.evaluate(animation) == "none"
    # Focus is visible: the control Tab reaches (the first signal's checkbox) has an outline.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "checkbox"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"


def test_the_timer_pauses_and_is_announced_at_its_moments_only(
    contexts: Any, site_url: str
) -> None:
    # The questions with the standard two minutes: a session's order is shuffled, and a design
    # question drawn first would get its own ten.
    standard = "level=junior,mid,senior"
    page = open_page(contexts(), f"{site_url}/interview/practice/?{standard}")
    page.clock.pause_at(START + timedelta(minutes=1))
    start_practice(page)
    clock = page.locator(".iq-clock")
    assert clock.inner_text() == "2:00"
    assert page.locator(".iq-clock").get_attribute("role") == "timer"  # not read at each tick
    page.clock.run_for(30_000)
    assert clock.inner_text() == "1:30"
    page.keyboard.press("p")
    page.clock.run_for(300_000)
    assert clock.inner_text() == "1:30"  # paused: five minutes later, still 1:30
    assert page.get_by_role("button", name="Resume").is_visible()
    page.keyboard.press("p")
    page.clock.run_for(150_000)
    assert clock.inner_text() == "-1:00"  # a minute over
    announced = page.evaluate("window.announced")
    assert announced[0].startswith("Question 1 of ")
    assert announced[0].count("2 minutes on the clock") == 1
    assert announced[1:] == [
        "Timer paused: 1 minute 30 seconds left.",
        "Timer running: 1 minute 30 seconds left.",
        "One minute left.",
        "30 seconds left.",
        "Time is up.",
    ]
    reveal(page)  # the answer stops the clock
    page.clock.run_for(60_000)
    assert clock.inner_text() == "-1:00"
    assert page.evaluate("window.announced.at(-1)").startswith("Answer shown, after 3 minutes")


def test_a_design_question_gets_the_longer_timer(contexts: Any, site_url: str) -> None:
    design = [q for q in QUESTIONS if q.level == "design"]
    if not design:
        pytest.skip("the bank has no design question yet")
    page = open_page(contexts(), f"{site_url}/interview/practice/?question={design[0].id}")
    # Ten minutes from the start; a busy machine may take a few seconds to read it.
    minutes, seconds = page.locator(".iq-clock").inner_text().split(":")
    assert 9 * 60 + 50 <= int(minutes) * 60 + int(seconds) <= 10 * 60
    reveal(page)
    assert page.locator(".iq-rubric dt").all_inner_texts() == ["Junior", "Mid", "Senior"]


def test_the_practice_page_opens_on_a_level_or_a_question_by_its_address(
    contexts: Any, site_url: str
) -> None:
    context = contexts()
    page = open_page(context, f"{site_url}/interview/practice/?level=senior&minutes=3")
    ticked = page.eval_on_selector_all("[name=level]:checked", "all => all.map(e => e.value)")
    assert ticked == ["senior"]
    start_practice(page)
    assert page.locator(".iq-clock").inner_text() == "3:00"
    levels = set()
    for _ in range(4):
        levels.add(next(q.level for q in QUESTIONS if q.id == shown_question(page)))
        page.keyboard.press("n")
    assert levels == {"senior"}


# ---------------------------------------------------------------- accessibility, weight


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_accessibility_problem_on_the_index_and_the_practice_page(
    contexts: Any, site_url: str, scheme: Scheme
) -> None:
    context = contexts(scheme=scheme)
    seed(context, {q.id: review(3, -1 if i % 2 else 30) for i, q in enumerate(QUESTIONS[:6])})
    index = open_page(context, f"{site_url}/interview/")
    results = [Axe().run(index, options=AXE_OPTIONS)]
    practice = open_page(context, f"{site_url}/interview/practice/")
    results.append(Axe().run(practice, options=AXE_OPTIONS))
    start_practice(practice)
    reveal(practice)
    practice.keyboard.press("3")
    results.append(Axe().run(practice, options=AXE_OPTIONS))  # a question, its answer, rated
    for result in results:
        assert result.violations_count == 0, result.generate_report()


def test_the_practice_files_load_only_on_the_banks_pages(contexts: Any, site_url: str) -> None:
    context = contexts()
    loaded: list[str] = []
    context.on("request", lambda request: loaded.append(request.url))
    open_page(context, f"{site_url}/first-stream/", clock=None)
    assert not [url for url in loaded if "practice" in url or "/vendor/" in url]
    loaded.clear()
    open_page(context, f"{site_url}/interview/", clock=None)
    assert {url.rsplit("/", 1)[-1] for url in loaded} >= {
        "practice.js",
        "practice.css",
        "femto-fsrs.js",
    }
