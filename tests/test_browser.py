"""The built site in a real browser, as a reader sees it at desktop and phone widths.

It works offline and asks no other server for anything; every output is in sight without a
click; wire text wraps between JSON tokens and still holds the recorded bytes; the colours pass
WCAG AA in both themes; a first visit stays within its weight. Full-page screenshots of every
page at both widths go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import html
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

from .browser import SITE_PATH, Scheme, SiteHandler, Visit, same_page
from .project import DOCS_DIR, ROOT, once_per_run
from .theme import (
    ARTICLE_PARAGRAPH,
    CODE_COPY_BUTTON,
    COLOR_SCHEMES,
    HEADER,
    HEADER_TITLE_CLASSES,
    PRIMARY_COLOR_VARIABLES,
    SEARCH_ICON,
    SEARCH_INDEX_NAMES,
    SEARCH_RESULT,
    SEARCH_RESULT_TITLE,
    is_search_index,
)

PAGES = sorted(p.relative_to(DOCS_DIR).with_suffix("") for p in DOCS_DIR.rglob("*.md"))
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
FIRST_VISIT_BUDGET = 500 * 1024  # bytes, uncompressed: everything a first visit downloads


def page_path(page_name: Path) -> str:
    """The address of a page: `index` is the home page; `interview/index` is `interview/`."""
    if page_name.name == "index":
        return "" if page_name.parent == Path() else f"{page_name.parent.as_posix()}/"
    return f"{page_name.as_posix()}/"


@pytest.fixture(scope="module", autouse=True)
def fresh_screenshots(run_dir: Path) -> None:
    """This run's screenshots only: none left from a page since renamed or removed.

    Cleared once per run, not once per pytest-xdist worker (which would delete the others').
    """

    def clear() -> None:
        shutil.rmtree(SCREENSHOTS, ignore_errors=True)
        SCREENSHOTS.mkdir(parents=True)

    once_per_run(run_dir, "screenshots", clear)


def static_code_texts(built_page: Path) -> list[str]:
    """The text of each output and wire block as the built HTML holds it, before any script."""
    blocks = re.findall(
        r'<div class="language-text highlight">(?:<span class="filename">[^<]*</span>)?'
        r"<pre><span></span><code>(.*?)</code>",
        built_page.read_text(),
        re.S,
    )
    return [html.unescape(block) for block in blocks]


def budget_problems(visit: Visit, site_url: str) -> list[str]:
    origin = urlsplit(site_url).netloc
    elsewhere = [url for url in visit.downloaded if urlsplit(url).netloc != origin]
    if elsewhere:
        return [f"asked another server for {url}" for url in elsewhere]
    if any(is_search_index(url) for url in visit.downloaded):
        return ["the search index was downloaded before anyone searched"]
    # The stream player (player.js, player.css) and a recording's data: only where one plays.
    played = set(
        visit.page.eval_on_selector_all(
            ".stream-player", "all => all.map(e => new URL(e.dataset.src, location.href).href)"
        )
    )
    if played:
        played |= {f"{site_url}/assets/player.js", f"{site_url}/assets/player.css"}
    loaded = {url for url in visit.downloaded if re.search(r"/players/|/player\.(js|css)$", url)}
    if loaded - played:
        return [f"loaded for a stream player not on the page: {sorted(loaded - played)}"]
    total = sum(visit.downloaded.values())
    if total <= FIRST_VISIT_BUDGET:
        return []
    largest = sorted(visit.downloaded.items(), key=lambda item: -item[1])[:5]
    return [
        f"a first visit downloads {total / 1024:.0f} KB, over the "
        f"{FIRST_VISIT_BUDGET / 1024:.0f} KB budget; the largest: "
        + ", ".join(f"{urlsplit(url).path} {size / 1024:.0f} KB" for url, size in largest)
    ]


# Each page is loaded once, as a first visit at desktop width in the light scheme, and looked
# at twice: at desktop width in the light scheme, then at phone width in the dark one (the
# reader's system and the header's toggle switch it), with a full-page screenshot of each in
# test-artifacts/screenshots/. Each is then seen at other widths, resized in place: each
# scheme at both widths (Material's navigation drawer, for one, shows only on narrow
# screens), and the narrowest phones, where everything must still fit.
VIEWS: list[tuple[str, Scheme]] = [("desktop", "light"), ("phone", "dark")]
ALSO_AT = {"light": [390, 320], "dark": [1366]}


@pytest.mark.parametrize(("width", "scheme"), VIEWS, ids=[f"{w}-{s}" for w, s in VIEWS])
@pytest.mark.parametrize("page_name", [same_page(str(p), p, id=str(p)) for p in PAGES])
def test_a_page_as_a_reader_first_sees_it(
    loaded: Callable[[str], Visit],
    site_url: str,
    built_site: Path,
    page_name: Path,
    width: str,
    scheme: Scheme,
) -> None:
    seen = loaded(f"{site_url}/{page_path(page_name)}")
    seen.use_scheme(scheme)
    seen.resize(width)
    shot = SCREENSHOTS / f"{page_name.as_posix().replace('/', '_')}-{width}-{scheme}.jpeg"
    seen.page.screenshot(path=shot, full_page=True, type="jpeg", quality=70)
    problems = {
        "errors in the console": seen.errors,
        "what a first visit downloads": budget_problems(seen, site_url),
        "outputs a reader must click to see": seen.probe("hiddenOutputs"),
        "what does not fit the window": seen.probe("overflow"),
        "lines that break inside a token or a name": seen.probe("brokenTokens"),
        "text below WCAG AA contrast": seen.probe("lowContrast"),
    }
    for other_width in ALSO_AT[scheme]:
        seen.resize(other_width)
        problems[f"what does not fit {other_width}px"] = seen.probe("overflow")
        problems[f"text below WCAG AA contrast at {other_width}px"] = seen.probe("lowContrast")
    scheme_used = seen.scheme()
    shown = seen.probe("codeTexts")
    assert {what: found for what, found in problems.items() if found} == {}
    assert scheme_used == COLOR_SCHEMES[scheme]
    built = built_site / page_path(page_name) / "index.html"
    assert shown == static_code_texts(built), "site.js changed the text of a block"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_first_visit_takes_the_readers_colour_scheme(
    visits: Callable[..., Visit], site_url: str, built_site: Path, scheme: Scheme
) -> None:
    """Material picks the scheme whose media query matches as a page loads, from the palette
    its template writes into the header; every page carries the same palette, so that a
    reader who prefers the dark scheme gets it on every page, on a first visit."""
    seen = visits(f"{site_url}/retrying/", width="phone", scheme=scheme)
    assert seen.scheme() == COLOR_SCHEMES[scheme]
    palettes = {
        page.relative_to(built_site).as_posix(): re.findall(
            r'<input class="md-option" data-md-color-media="([^"]+)" '
            r'data-md-color-scheme="([^"]+)"',
            page.read_text(),
        )
        for page in built_site.rglob("index.html")
    }
    assert len(palettes) == len(PAGES)
    wanted = [
        ("(prefers-color-scheme: light)", "default"),
        ("(prefers-color-scheme: dark)", "slate"),
    ]
    assert {page: found for page, found in palettes.items() if found != wanted} == {}


def test_every_visit_downloads_the_whole_page_and_keeps_nothing(
    visits: Callable[..., Visit], site_url: str
) -> None:
    """The visits of a worker share one browser context (tests/browser.py): each must still
    be a first visit, with nothing cached or stored by an earlier one."""
    first = visits(f"{site_url}/errors/")
    first.page.evaluate("localStorage.setItem('left', 'by the first visit')")
    first.use_scheme("dark")  # Material stores the reader's choice
    first.close()
    before = SiteHandler.requested.copy()
    second = visits(f"{site_url}/errors/")
    asked = SiteHandler.requested - before
    stored = second.page.evaluate("Object.keys(localStorage)")
    got = {urlsplit(url).path for url in second.downloaded}
    assert sorted(got - set(asked)) == []  # every byte from the site, none from a cache
    assert {
        f"{SITE_PATH}/{path}" for path in ("errors/", "assets/site.js", "assets/extra.css")
    } <= got
    assert sum(second.downloaded.values()) > 100_000  # the page, Material's styles and scripts
    assert "left" not in stored  # (Material stores its palette as each page loads)
    assert second.scheme() == COLOR_SCHEMES["light"]  # not the dark scheme the first chose


# Axe checks the whole of WCAG A and AA it can, and its best practices, on the page that holds
# every kind of element this site writes (an answer box, examples, a table, a collapsed block,
# wire text); it takes seconds a page, so the contrast of every page is checked by
# site_probes.js above, which agrees with it here.
AXE_PAGES = ["first-stream"]
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "best-practice"]},
    # Material's own markup, which this site does not write: its search dialog has no name,
    # and each code block's copy button sits in an unnamed <nav>.
    "rules": {"aria-dialog-name": {"enabled": False}, "landmark-unique": {"enabled": False}},
    # What the tests read: the violations, each with every node it found (axe's default
    # reports every rule that passed too, with every node, which costs more than the checks).
    "resultTypes": ["violations"],
}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("page_name", [same_page(p, p, id=p) for p in AXE_PAGES])
def test_axe_finds_no_accessibility_problem(
    loaded: Callable[[str], Visit], site_url: str, page_name: str, scheme: Scheme
) -> None:
    seen = loaded(f"{site_url}/{page_name}/")
    seen.use_scheme(scheme)
    seen.resize("desktop")
    results = Axe().run(seen.page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()


def test_the_contrast_probe_sees_what_axe_sees(visits: Callable[..., Visit], site_url: str) -> None:
    """Material's own deep orange, which this site's colours replace, fails both checks."""
    seen = visits(f"{site_url}/first-stream/")
    seen.page.add_style_tag(
        content=":root { "
        + " ".join(f"{name}: #ff5722;" for name in PRIMARY_COLOR_VARIABLES)
        + " }"
    )
    found = seen.probe("lowContrast")
    results = Axe().run(
        seen.page, options={"runOnly": ["color-contrast"], "resultTypes": ["violations"]}
    )
    assert any(name in problem for problem in found for name in HEADER_TITLE_CLASSES)
    assert results.violations_count == 1


def test_search_fetches_its_index_on_first_use_and_finds_a_page(
    visits: Callable[..., Visit], site_url: str
) -> None:
    seen = visits(f"{site_url}/first-stream/", width="phone")
    before = any(is_search_index(url) for url in seen.downloaded)
    seen.page.locator(SEARCH_ICON).first.click()  # the search icon, on a phone
    seen.page.keyboard.type("idleness")  # a word of that page alone
    seen.page.locator(SEARCH_RESULT).first.wait_for(timeout=10_000)
    titles = seen.page.locator(SEARCH_RESULT_TITLE).all_inner_texts()
    after = any(is_search_index(url) for url in seen.downloaded)
    assert not before, "the index was fetched before the reader searched"
    assert after
    assert "Stalls and timeouts" in titles, titles


def test_a_reader_arriving_from_a_search_result_gets_the_index_at_once(
    visits: Callable[..., Visit], site_url: str
) -> None:
    seen = visits(f"{site_url}/first-stream/?h=ping")
    # Material asks for the index once its script has started, which on a busy machine can
    # come after the page has gone quiet: wait for the request to end, nothing clicked or typed.
    seen.page.wait_for_function(
        "names => performance.getEntriesByType('resource')"
        ".some(e => names.some(n => e.name.endsWith('/' + n)) && e.responseEnd > 0)",
        arg=list(SEARCH_INDEX_NAMES),
        timeout=10_000,
    )
    fetched = any(is_search_index(url) for url in seen.downloaded)
    assert fetched  # search.highlight marks the words searched for, from the index


@pytest.mark.parametrize("page_name", [same_page("first-stream", "first-stream")])
def test_the_short_answer_is_set_at_body_size(
    loaded: Callable[[str], Visit], site_url: str, page_name: str
) -> None:
    page = loaded(f"{site_url}/{page_name}/").page
    size = "p => getComputedStyle(p).fontSize"
    answer = page.eval_on_selector(".admonition p:not(.admonition-title)", size)
    body = page.eval_on_selector(ARTICLE_PARAGRAPH, size)
    assert answer == body


def test_a_wire_block_copies_exactly_the_recorded_bytes(
    visits: Callable[..., Visit], site_url: str, built_site: Path
) -> None:
    """site.js splits lines into blocks; the copy button must still copy the text as it is."""
    page = visits(f"{site_url}/events/", width="phone").page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    block = page.locator(".language-text", has_text="event: message_start").first
    block.hover()
    block.locator(CODE_COPY_BUTTON).click()
    copied = page.evaluate("navigator.clipboard.readText()")
    built = static_code_texts(built_site / "events" / "index.html")
    original = next(text for text in built if text.startswith("event: message_start"))
    assert copied == original.rstrip()  # not a blank line after each line, as innerText gives


def test_a_console_block_copies_without_prompt_or_output(
    visits: Callable[..., Visit], site_url: str
) -> None:
    page = visits(f"{site_url}/running/").page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    block = page.locator(".language-console").first
    shown = block.locator("code").inner_text()
    block.hover()
    block.locator(CODE_COPY_BUTTON).click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert shown.startswith("$ ")
    assert copied == shown.removeprefix("$ ").rstrip()
    assert "$" not in copied


def test_the_404_page_keeps_its_styles_at_any_depth(
    visits: Callable[..., Visit], site_url: str
) -> None:
    seen = visits(f"{site_url}/no/such/page/")
    header = seen.page.eval_on_selector(HEADER, "h => getComputedStyle(h).backgroundColor")
    response = seen.response
    assert response is not None
    assert response.status == 404
    assert header == "rgb(191, 54, 12)"  # the primary colour: the stylesheet was found
