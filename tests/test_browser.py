"""The built site in a real browser, as a reader sees it at desktop and phone widths.

It works offline and asks no other server for anything; every output is in sight without a
click; wire text wraps between JSON tokens and still holds the recorded bytes; the colours pass
WCAG AA in both themes; a first visit stays within its weight. Full-page screenshots of every
page at both widths go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import functools
import html
import os
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import pytest

from .project import DOCS_DIR, PUBLISHED_SITE_URL, ROOT, once_per_run
from .theme import (
    ARTICLE_PARAGRAPH,
    CODE_COPY_BUTTON,
    COLOR_SCHEME_ATTRIBUTE,
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

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# Debian's Chromium, never a downloaded browser; its own background traffic switched off, and
# every host name but 127.0.0.1 made unresolvable, so nothing could leak even if asked for.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]
PAGES = sorted(p.relative_to(DOCS_DIR).with_suffix("") for p in DOCS_DIR.rglob("*.md"))
WIDTHS = {"desktop": (1366, 900), "phone": (390, 844)}
Scheme = Literal["light", "dark"]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
FIRST_VISIT_BUDGET = 500 * 1024  # bytes, uncompressed: everything a first visit downloads

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError("CI needs Chromium (.ci/run installs Debian's package)")
    pytest.skip("no Chromium here (apt-get install chromium)", allow_module_level=True)

from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import Browser, Page, Response, Route, sync_playwright  # noqa: E402

# The built site is served at its address's path, as its host serves it: /streaming/.
SITE_PATH = urlsplit(PUBLISHED_SITE_URL).path.rstrip("/")


class SiteHandler(SimpleHTTPRequestHandler):
    """Serves the built site as a static host does: at SITE_PATH, with 404.html for a path
    that is not there."""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def translate_path(self, path: str) -> str:
        if not path.startswith(f"{SITE_PATH}/"):
            return str(Path(self.directory) / "404.html" / "not-here")  # answered with a 404
        return super().translate_path(path.removeprefix(SITE_PATH))

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def page_path(page_name: Path) -> str:
    """The address of a page: `index` is the home page; `interview/index` is `interview/`."""
    if page_name.name == "index":
        return "" if page_name.parent == Path() else f"{page_name.parent.as_posix()}/"
    return f"{page_name.as_posix()}/"


@pytest.fixture(scope="module")
def site_url(built_site: Path) -> Iterator[str]:
    handler = functools.partial(SiteHandler, directory=str(built_site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}{SITE_PATH}"
    server.shutdown()


@pytest.fixture(scope="module", autouse=True)
def fresh_screenshots(run_dir: Path) -> None:
    """This run's screenshots only: none left from a page since renamed or removed.

    Cleared once per run, not once per pytest-xdist worker (which would delete the others').
    """

    def clear() -> None:
        shutil.rmtree(SCREENSHOTS, ignore_errors=True)
        SCREENSHOTS.mkdir(parents=True)

    once_per_run(run_dir, "screenshots", clear)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


PROBES = (Path(__file__).parent / "site_probes.js").read_text()


@dataclass
class Visit:
    """A first visit to a page, in a fresh context: what it downloaded and what went wrong."""

    page: Page
    downloaded: dict[str, int]  # url -> bytes, the search worker's fetches included
    errors: list[str]

    def probe(self, name: str) -> list[str]:
        return list(self.page.evaluate(f"window.siteProbes.{name}()"))

    def settle(self) -> None:
        """Wait until the page's own transitions (Material's, after a resize) have ended."""
        self.page.wait_for_function("document.getAnimations().length === 0", timeout=5_000)

    def close(self) -> None:
        self.page.context.close()


def visit(
    browser: Browser,
    url: str,
    *,
    width: str = "desktop",
    scheme: Scheme = "light",
    routes: dict[str, Callable[[Route], None]] | None = None,
    **context_options: Any,
) -> Visit:
    """A first visit in a fresh context; `routes` answer requests in place of the site."""
    w, h = WIDTHS[width]
    context = browser.new_context(
        viewport={"width": w, "height": h}, color_scheme=scheme, **context_options
    )
    try:
        for pattern, handler in (routes or {}).items():
            context.route(pattern, handler)
        downloaded: dict[str, int] = {}

        def count(response: Response) -> None:
            downloaded[response.url] = len(response.body())

        context.on("response", count)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(url, wait_until="networkidle")
        page.add_script_tag(content=PROBES)
    except BaseException:
        context.close()  # a page that failed to load leaves no browser context behind
        raise
    return Visit(page, downloaded, errors)


@pytest.fixture
def visits(browser: Browser) -> Iterator[Callable[..., Visit]]:
    """`visit()`, with every visit closed after the test, whether it passed or failed."""
    opened: list[Visit] = []

    def open_(url: str, **options: Any) -> Visit:
        opened.append(visit(browser, url, **options))
        return opened[-1]

    yield open_
    for seen in opened:
        seen.close()


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


# Each page twice, each a first visit: at desktop width in the light theme, at phone width in
# the dark one; so both widths and both themes are seen, and a full-page screenshot of each
# goes to test-artifacts/screenshots/.
VIEWS: list[tuple[str, Scheme]] = [("desktop", "light"), ("phone", "dark")]
# The same visit is then seen at other widths, resized in place: each theme at both widths
# (Material's navigation drawer, for one, shows only on narrow screens), and the narrowest
# phones, where everything must still fit.
ALSO_AT = {"light": [390, 320], "dark": [1366]}


@pytest.mark.parametrize(("width", "scheme"), VIEWS, ids=[f"{w}-{s}" for w, s in VIEWS])
@pytest.mark.parametrize("page_name", PAGES, ids=str)
def test_a_page_as_a_reader_first_sees_it(
    visits: Callable[..., Visit],
    site_url: str,
    built_site: Path,
    page_name: Path,
    width: str,
    scheme: Scheme,
) -> None:
    seen = visits(f"{site_url}/{page_path(page_name)}", width=width, scheme=scheme)
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
        seen.page.set_viewport_size({"width": other_width, "height": 844})
        seen.settle()
        problems[f"what does not fit {other_width}px"] = seen.probe("overflow")
        problems[f"text below WCAG AA contrast at {other_width}px"] = seen.probe("lowContrast")
    scheme_used = seen.page.get_attribute("body", COLOR_SCHEME_ATTRIBUTE)
    shown = seen.probe("codeTexts")
    assert {what: found for what, found in problems.items() if found} == {}
    assert scheme_used == COLOR_SCHEMES[scheme]
    built = built_site / page_path(page_name) / "index.html"
    assert shown == static_code_texts(built), "site.js changed the text of a block"


# Axe checks every page in both themes in tests/test_layout.py (the rules, and any it does not
# check with the reason, in tests/axe_rules.py); it takes seconds a page, so the contrast of
# every page at every width is checked by site_probes.js above, which agrees with it here.


def test_the_contrast_probe_sees_what_axe_sees(visits: Callable[..., Visit], site_url: str) -> None:
    """Material's own deep orange, which this site's colours replace, fails both checks."""
    seen = visits(f"{site_url}/first-stream/")
    seen.page.add_style_tag(
        content=":root { "
        + " ".join(f"{name}: #ff5722;" for name in PRIMARY_COLOR_VARIABLES)
        + " }"
    )
    found = seen.probe("lowContrast")
    results = Axe().run(seen.page, options={"runOnly": ["color-contrast"]})
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


def test_the_short_answer_is_set_at_body_size(visits: Callable[..., Visit], site_url: str) -> None:
    page = visits(f"{site_url}/first-stream/").page
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


def test_the_404_page_keeps_its_styles_at_any_depth(browser: Browser, site_url: str) -> None:
    page = browser.new_page()
    try:
        response = page.goto(f"{site_url}/no/such/page/", wait_until="networkidle")
        header = page.eval_on_selector(HEADER, "h => getComputedStyle(h).backgroundColor")
    finally:
        page.close()
    assert response is not None
    assert response.status == 404
    assert header == "rgb(191, 54, 12)"  # the primary colour: the stylesheet was found
