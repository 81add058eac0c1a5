"""The browser tests' shared fixtures: every browser test uses these (tests/conftest.py makes
them available to every test module; define no browser of your own).

- `browser`: Debian's Chromium, launched once per pytest-xdist worker (once per run with -n 0);
- `site_url`: the built site, served once per worker as a static host serves it;
- `visits`: `visits(url, width=..., scheme=..., routes=..., reduced_motion=...)` opens a
  page as a reader's first visit (nothing cached, nothing stored) and closes it after the test;
- `loaded`: `loaded(url)` is a page loaded once per worker and kept open, for tests that only
  look at it: each sets the width and the colour scheme it needs (`Visit.resize`,
  `Visit.use_scheme`) rather than loading the page again. Tests of one page that share it
  say so with `same_page(...)`, so that pytest-xdist runs them on one worker.

Why: a new browser context costs Chromium about a second of CPU, a new page in the context
that exists a third of that, and a page already loaded only what is asked of it. So every
visit opens a page in the worker's one context, with the cache switched off for it (it
downloads everything, as a first visit does) and the site's stored state cleared when it
closes (tests/test_browser.py checks both).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import shutil
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal
from urllib.parse import urlsplit

import pytest

from .project import PUBLISHED_SITE_URL
from .theme import COLOR_SCHEME_ATTRIBUTE, COLOR_SCHEMES

if TYPE_CHECKING:
    from playwright.sync_api import (
        Browser,
        BrowserContext,
        CDPSession,
        Page,
        Response,
        Route,
    )

__all__ = [
    "CHROMIUM",
    "FLAGS",
    "PROBES",
    "SITE_PATH",
    "WIDTHS",
    "Scheme",
    "SiteHandler",
    "Visit",
    "browser",
    "browser_context",
    "loaded",
    "outside_the_browser",
    "same_page",
    "site_url",
    "visits",
]

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
WIDTHS = {"desktop": (1366, 900), "phone": (390, 844)}
Scheme = Literal["light", "dark"]
# The title of the header's toggle that switches to each scheme (mkdocs.yml's palette).
TOGGLES = {"light": "Light mode", "dark": "Dark mode"}
PROBES = (Path(__file__).parent / "site_probes.js").read_text()
# The built site is served at its address's path, as its host serves it: /streaming/.
SITE_PATH = urlsplit(PUBLISHED_SITE_URL).path.rstrip("/")


class SiteHandler(SimpleHTTPRequestHandler):
    """Serves the built site as a static host does: at SITE_PATH, with 404.html for a path
    that is not there."""

    requested: ClassVar[Counter[str]] = Counter()  # the paths asked for, in this process

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        SiteHandler.requested[urlsplit(self.path).path] += 1
        super().do_GET()

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


@pytest.fixture(scope="session")
def site_url(built_site: Path) -> Iterator[str]:
    handler = functools.partial(SiteHandler, directory=str(built_site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}{SITE_PATH}"
    server.shutdown()


# The event loop of the worker's Playwright session while it is open.
_session_loop: list[asyncio.AbstractEventLoop] = []


def _in_the_browser() -> None:
    """Before a Playwright call in a session fixture's teardown, which may come at the end of
    a test that does not use the browser: Playwright's loop marked as running again."""
    if _session_loop:
        asyncio.events._set_running_loop(_session_loop[0])


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            raise RuntimeError("CI needs Chromium (.ci/run installs Debian's package)")
        pytest.skip("no Chromium here (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        _session_loop.append(asyncio.get_running_loop())
        try:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            yield chromium
            _in_the_browser()
            chromium.close()
        finally:
            _in_the_browser()
            _session_loop.clear()


@pytest.fixture(scope="session")
def browser_context(browser: Browser) -> Iterator[BrowserContext]:
    """The worker's one context: every visit is a page of it."""
    context = browser.new_context()
    yield context
    _in_the_browser()
    context.close()


class outside_the_browser:
    """Between its calls, Playwright's sync API marks its event loop as this thread's running
    loop, and a test that runs a loop of its own (asyncio.run, a snippet) would be refused
    one. For a test that does not use the browser, the mark is lifted while the test runs."""

    def __init__(self, item: pytest.Item) -> None:
        self.lift = bool(_session_loop) and "browser" not in getattr(item, "fixturenames", ())

    def __enter__(self) -> None:
        if self.lift:
            asyncio.events._set_running_loop(None)

    def __exit__(self, *_: object) -> None:
        if self.lift:
            _in_the_browser()


@dataclass
class Visit:
    """A page as a reader's first visit left it: what it downloaded and what went wrong."""

    page: Page
    downloaded: dict[str, int]  # url -> bytes, the search worker's fetches included
    errors: list[str]
    response: Response | None = None  # the page's own
    _closers: list[Callable[[], None]] = field(default_factory=list)

    def probe(self, name: str) -> list[str]:
        return list(self.page.evaluate(f"window.siteProbes.{name}()"))

    def settle(self) -> None:
        """Wait until the page's own transitions (Material's, after a resize) have ended."""
        # Finished transitions may stay listed until the page paints again; a page that does
        # not paint (it has nothing new to show) must not keep the wait going: polled, not on
        # animation frames.
        self.page.wait_for_function(
            "document.getAnimations().every(a => a.playState === 'finished')",
            polling=50,
            timeout=15_000,
        )
        # What the page does in answer to a new size (its ResizeObservers: site.js marks what
        # scrolls) runs before the next frame is painted: wait for that frame, and the one
        # after it, as a reader cannot act before them either. A page not painting (a timer
        # stands in) does not hold the wait.
        self.page.evaluate(
            """() => new Promise((done) => {
              requestAnimationFrame(() => requestAnimationFrame(done));
              setTimeout(done, 1000);
            })"""
        )

    def resize(self, width: int | str, height: int = 844) -> None:
        """The window at another width (a name of WIDTHS or pixels), once the page has settled."""
        w, h = WIDTHS[width] if isinstance(width, str) else (width, height)
        self.page.set_viewport_size({"width": w, "height": h})
        self.settle()

    def scheme(self) -> str:
        """Material's scheme on the page: "default" (light) or "slate" (dark)."""
        return str(self.page.get_attribute("body", COLOR_SCHEME_ATTRIBUTE))

    def use_scheme(self, scheme: Scheme) -> None:
        """The reader's system switches to `scheme` and the reader switches the page to it with
        the header's toggle, as Material follows a preference only when a page loads."""
        self.page.emulate_media(color_scheme=scheme)
        if self.scheme() != COLOR_SCHEMES[scheme]:
            self.page.locator(f"label[title='{TOGGLES[scheme]}']").click()
            self.page.wait_for_function(
                "s => document.body.dataset.mdColorScheme === s", arg=COLOR_SCHEMES[scheme]
            )
            # Material stores the choice for the next page the reader opens; the next page a
            # test opens is a first visit.
            self.page.evaluate("localStorage.clear()")
        self.settle()

    def close(self) -> None:
        for closer in reversed(self._closers):
            closer()
        self._closers.clear()


# Options of a visit that a page takes itself; any other option of Browser.new_context (a
# locale, an offline context ...) gets the visit a context of its own.
PAGE_OPTIONS = {"reduced_motion"}


def visit(
    context: BrowserContext,
    url: str,
    *,
    width: str = "desktop",
    scheme: Scheme = "light",
    routes: dict[str, Callable[[Route], None]] | None = None,
    own_context: bool = False,
    **options: Any,
) -> Visit:
    """A first visit; `routes` answer requests in place of the site. `own_context`: in a
    context of its own, for a visit that changes its context (a clock installed in a page is
    installed in every page of its context)."""
    closers: list[Callable[[], None]] = []
    if own_context or set(options) - PAGE_OPTIONS:
        assert context.browser is not None
        context = context.browser.new_context(**options)
        closers.append(context.close)
    w, h = WIDTHS[width]
    page = context.new_page()
    closers.append(functools.partial(_forget, page))
    try:
        page.set_viewport_size({"width": w, "height": h})
        page.emulate_media(
            color_scheme=scheme, reduced_motion=options.get("reduced_motion", "no-preference")
        )
        # Nothing from an earlier visit of the worker: every byte is downloaded again. (The
        # session is kept with the visit: once let go, it would take the setting with it.)
        session = context.new_cdp_session(page)
        session.send("Network.setCacheDisabled", {"cacheDisabled": True})
        closers.append(functools.partial(_clear_cache, session))
        for pattern, handler in (routes or {}).items():
            page.route(pattern, handler)
        downloaded: dict[str, int] = {}

        def count(response: Response) -> None:
            downloaded[response.url] = len(response.body())

        page.on("response", count)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        response = page.goto(url, wait_until="networkidle")
        page.add_script_tag(content=PROBES)
    except BaseException:
        for closer in reversed(closers):  # a page that failed to load leaves nothing behind
            closer()
        raise
    return Visit(page, downloaded, errors, response, closers)


def _clear_cache(session: CDPSession) -> None:
    """What a visit's scripts and workers put in the context's cache goes with it."""
    with contextlib.suppress(Exception):  # the page is already gone
        session.send("Network.clearBrowserCache")
        session.detach()


def _forget(page: Page) -> None:
    """Close a visit's page, and forget what it stored, granted and set as a cookie."""
    context = page.context
    if not page.is_closed():
        # A page on another origin, or gone, has nothing of the site's stored.
        with contextlib.suppress(Exception):
            page.evaluate("() => { localStorage.clear(); sessionStorage.clear(); }")
        page.close()
    context.clear_cookies()
    context.clear_permissions()


@pytest.fixture
def visits(browser_context: BrowserContext) -> Iterator[Callable[..., Visit]]:
    """`visit()`, with every visit closed after the test, whether it passed or failed."""
    opened: list[Visit] = []

    def open_(url: str, **options: Any) -> Visit:
        opened.append(visit(browser_context, url, **options))
        return opened[-1]

    yield open_
    for seen in opened:
        seen.close()


_LOADED: OrderedDict[str, Visit] = OrderedDict()
KEPT_LOADED = 2  # pages kept open per worker; the tests of one page run one after another


@pytest.fixture(scope="session")
def _loaded_pages(browser: Browser) -> Iterator[tuple[BrowserContext, OrderedDict[str, Visit]]]:
    """The pages kept loaded, in a context of their own: what they store is not seen by
    the visits of the other tests."""
    context = browser.new_context()
    yield context, _LOADED
    _in_the_browser()
    while _LOADED:
        _LOADED.popitem()[1].close()
    context.close()


@pytest.fixture
def loaded(
    _loaded_pages: tuple[BrowserContext, OrderedDict[str, Visit]],
) -> Callable[[str], Visit]:
    """`loaded(url)`: the page at `url` as first loaded in this worker (at desktop width, in
    the light scheme), and since then resized and switched by the tests that looked at it.
    A test that changes the page in any other way opens its own with `visits`."""

    context, pages = _loaded_pages

    def get(url: str) -> Visit:
        if url in pages:
            pages.move_to_end(url)
            return pages[url]
        while len(pages) >= KEPT_LOADED:
            pages.popitem(last=False)[1].close()
        pages[url] = visit(context, url)
        return pages[url]

    return get


def same_page(name: str, *values: Any, **kwargs: Any) -> Any:
    """A parameter of a test that looks at the page `name` with `loaded`: the tests of one
    page run on one pytest-xdist worker (--dist loadgroup), which loads it once."""
    return pytest.param(*values, marks=pytest.mark.xdist_group(f"page:{name}"), **kwargs)
