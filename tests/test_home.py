"""The home page answers first, and every page has one name.

A newcomer asking "how do I stream with the Python SDK?" finds the answer on the home page's
first screen: the program, what it printed, and a sentence on what it shows, with the player
of that stream and three ways in below. Each page is called the same in the navigation, in
its title, in its heading and in the search results (the heading may go on after a colon).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from .browser import Visit
from .project import DOCS_DIR
from .test_browser import page_path
from .theme import COLOR_SCHEME_ATTRIBUTE, COLOR_SCHEMES

SITE_NAME = "Streaming with the Claude API"
PAGES = sorted(p.relative_to(DOCS_DIR).with_suffix("") for p in DOCS_DIR.rglob("*.md"))
TOGGLES = {"light": "Light mode", "dark": "Dark mode"}


def use_scheme(seen: Visit, scheme: str) -> None:
    """The reader switches the page to `scheme` with the header's toggle, in place."""
    seen.page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
    wanted = COLOR_SCHEMES[scheme]
    if seen.page.get_attribute("body", COLOR_SCHEME_ATTRIBUTE) != wanted:
        seen.page.locator(f"label[title='{TOGGLES[scheme]}']").click()
        seen.page.wait_for_function(
            "([name, s]) => document.body.getAttribute(name) === s",
            arg=[COLOR_SCHEME_ATTRIBUTE, wanted],
        )
    seen.settle()


def resize(seen: Visit, width: int, height: int = 844) -> None:
    seen.page.set_viewport_size({"width": width, "height": height})
    seen.settle()


# --------------------------------------------------------------------------- the first screen

FIRST_SCREEN = """() => {
  const height = innerHeight;
  const shown = (e) => {
    const box = e.getBoundingClientRect();
    return box.height > 0 && box.top >= 0 && box.bottom <= height;
  };
  const figure = document.querySelector("article figure.example");
  const [program, output] = figure.querySelectorAll(".highlight");
  const lead = document.querySelector("article > h1 + p");
  return {
    lead: lead.textContent.replace(/\\s+/g, " "),
    leadShown: shown(lead),
    file: figure.querySelector(".example-file").textContent,
    program: program.textContent,
    programShown: shown(program),
    output: output.querySelector("code").textContent,
    outputShown: shown(output),
    scrolled: scrollY,
  };
}"""


def test_the_first_screen_answers_how_to_stream_with_the_python_sdk(
    visits: Callable[..., Visit], site_url: str
) -> None:
    seen = visits(f"{site_url}/")
    text_stream = Path("snippets/first_stream/text_stream.py")
    shown_output = (DOCS_DIR.parent / text_stream.with_suffix(".output.txt")).read_text()
    for scheme in ("light", "dark"):
        use_scheme(seen, scheme)
        first = seen.page.evaluate(FIRST_SCREEN)
        assert first["scrolled"] == 0
        # The question, answered in words, in code, and by what the code printed.
        assert "Python SDK" in first["lead"]
        assert "client.messages.stream(...)" in first["lead"]
        assert first["leadShown"]
        assert first["file"] == "first_stream/text_stream.py"
        assert "with client.messages.stream(" in first["program"]
        assert "for text in stream.text_stream:" in first["program"]
        assert first["programShown"], "the program does not fit the first screen"
        assert first["output"].strip() == shown_output.strip()
        assert first["outputShown"], "its output is not on the first screen"
    assert seen.errors == []


def test_the_home_page_plays_that_stream_and_offers_three_ways_in(
    visits: Callable[..., Visit], site_url: str
) -> None:
    seen = visits(f"{site_url}/", width="phone")
    page = seen.page
    player = page.locator("article .stream-player")
    player.locator(".sp-controls").wait_for(timeout=10_000)
    assert player.get_attribute("data-src") == "players/first_stream/text_stream.json"
    # The picture of the same stream is the player's track, not a second copy of the stream.
    assert player.locator("figure.picture svg[data-recording]").count() == 1
    assert page.locator("article > figure.picture").count() == 0
    ways = page.locator("article .grid.cards > ul > li")
    names = [ways.nth(i).locator("strong a").inner_text() for i in range(ways.count())]
    targets = [ways.nth(i).locator("strong a").get_attribute("href") for i in range(ways.count())]
    assert names == ["Learn streaming", "When streams fail", "Interview prep"]
    assert targets == ["first-stream/", "errors/", "interview/"]
    # How the examples are tested: one sentence, with its link.
    tested = page.locator("article > p", has_text="Every example here is a real program")
    assert tested.count() == 1
    assert tested.locator("a[href='running/']").count() == 1
    assert seen.errors == []


# --------------------------------------------------------------------------- names

NAV_LINK = re.compile(
    r'<a href="(?P<href>[^"#][^"]*)" class="md-nav__link[^"]*"[^>]*>\s*'
    r'(?:<[^>]+>\s*)*?<span class="md-ellipsis">\s*(?P<name>[^<]*?)\s*<',
    re.S,
)


def text_of(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def names_in_the_navigation(built_site: Path) -> dict[str, str]:
    """Page address -> its name in the navigation, as the home page lists them."""
    home = (built_site / "index.html").read_text()
    primary = home[home.index('class="md-nav md-nav--primary') :]
    return {m["href"]: text_of(m["name"]) for m in NAV_LINK.finditer(primary)}


@pytest.mark.parametrize("page_name", [p for p in PAGES if p != Path("index")], ids=str)
def test_a_page_has_one_name_everywhere(built_site: Path, page_name: Path) -> None:
    address = page_path(page_name)
    built = (built_site / address / "index.html").read_text()
    name = names_in_the_navigation(built_site)[address or "./"]
    title = text_of(re.search(r"<title>(.*?)</title>", built, re.S)[1])  # type: ignore[index]
    heading = text_of(re.search(r"<h1[^>]*>(.*?)<a class=\"headerlink\"", built, re.S)[1])  # type: ignore[index]
    index = json.loads((built_site / "search" / "search_index.json").read_text())
    searched = next(doc["title"] for doc in index["docs"] if doc["location"] == address)
    assert title == f"{name} - {SITE_NAME}"
    assert heading == name or heading.startswith(f"{name}: "), (name, heading)
    assert text_of(searched) == heading


def test_the_navigation_names_the_how_to_and_the_question_pages_apart(built_site: Path) -> None:
    names = names_in_the_navigation(built_site)
    # A question page is one that holds the bank's questions (their markup, class "iq").
    questions = {
        address: name
        for address, name in names.items()
        if 'class="iq"' in (built_site / address / "index.html").read_text()
    }
    assert len(questions) >= 7
    assert all(name.startswith("Interview questions: ") for name in questions.values())
    how_to = {a: n for a, n in names.items() if not a.startswith("interview/")}
    assert not any(name.startswith("Interview") for name in how_to.values())
    # The first page a reader looking for Python finds is the how-to, not a question page.
    python = [name for name in names.values() if "Python" in name]
    assert python[0] == "Streaming with the Python SDK"
    assert names["first-stream/"] == python[0]
