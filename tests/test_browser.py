"""The built site in a real browser: it works offline and asks no other server for anything."""

from __future__ import annotations

import functools
import os
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .project import DOCS_DIR, ROOT

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

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError("CI needs Chromium (.ci/run installs Debian's package)")
    pytest.skip("no Chromium here (apt-get install chromium)", allow_module_level=True)

from playwright.sync_api import BrowserContext, sync_playwright  # noqa: E402


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site_url(built_site: Path) -> Iterator[str]:
    handler = functools.partial(QuietHandler, directory=str(built_site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, args=FLAGS
        )
        yield context
        context.close()


@pytest.mark.parametrize("page_name", PAGES, ids=str)
def test_a_page_loads_everything_from_the_site_itself(
    browser: BrowserContext, site_url: str, page_name: Path
) -> None:
    path = "" if page_name.name == "index" else f"{page_name.as_posix()}/"
    requested: list[str] = []
    page = browser.new_page()
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{site_url}/{path}", wait_until="networkidle")
    page.close()
    origin = urlsplit(site_url).netloc
    assert requested, "the browser made no request at all"
    assert [url for url in requested if urlsplit(url).netloc != origin] == []


def test_the_output_tab_shows_what_the_snippet_printed(
    browser: BrowserContext, site_url: str
) -> None:
    page = browser.new_page()
    page.goto(f"{site_url}/first-stream/")
    output = (ROOT / "snippets/first_stream/raw_events.output.txt").read_text()
    first_line = output.splitlines()[0]
    shown = page.get_by_text(first_line)
    assert not shown.is_visible()  # the code tab is the one open at first
    page.locator(".tabbed-labels label", has_text="Output").nth(1).click()
    assert shown.is_visible()
    page.close()
