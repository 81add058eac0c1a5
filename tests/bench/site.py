"""The site: `mkdocs build --strict`, and each page's first visit in headless Chromium.

A first visit is a fresh browser context (no cache) loading the page from a static server on
127.0.0.1, as tests/test_browser.py makes it: the bytes are every response's body,
uncompressed, until the network is idle; the load time is the page's own Navigation Timing,
from the start of the navigation to the end of its `load` event.
"""

from __future__ import annotations

import functools
import tempfile
import threading
import time
from http.server import ThreadingHTTPServer
from pathlib import Path
from statistics import median
from typing import Any
from urllib.parse import urlsplit

from ..project import ROOT, build_site

LOAD_MS = (
    "(() => { const n = performance.getEntriesByType('navigation')[0];"
    " return n.loadEventEnd - n.startTime; })()"
)


def build(runs: int, site: Path) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = build_site(ROOT, site)
        times.append(time.perf_counter() - started)
        if result.returncode:
            raise RuntimeError(f"mkdocs build --strict failed:\n{result.stderr}")
    return median(times)


def visits(site: Path, runs: int) -> tuple[list[dict[str, Any]], str]:
    from playwright.sync_api import Response, sync_playwright

    from ..browser import CHROMIUM, FLAGS, SITE_PATH, WIDTHS, SiteHandler
    from ..test_browser import PAGES, page_path

    handler = functools.partial(SiteHandler, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"127.0.0.1:{server.server_port}"
    rows: list[dict[str, Any]] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            version = browser.version
            width, height = WIDTHS["desktop"]
            for page_name in PAGES:
                url = f"http://{origin}{SITE_PATH}/{page_path(page_name)}"
                sizes: list[int] = []
                times: list[float] = []
                outside: set[str] = set()
                for _ in range(runs):
                    context = browser.new_context(viewport={"width": width, "height": height})
                    downloaded: dict[str, int] = {}

                    def count(response: Response, into: dict[str, int] = downloaded) -> None:
                        into[response.url] = len(response.body())

                    context.on("response", count)
                    page = context.new_page()
                    page.goto(url, wait_until="networkidle")
                    times.append(float(page.evaluate(LOAD_MS)))
                    sizes.append(sum(downloaded.values()))
                    outside |= {u for u in downloaded if urlsplit(u).netloc != origin}
                    context.close()
                rows.append(
                    {
                        "page": page_name.as_posix(),
                        "bytes": max(sizes),
                        "load_ms": median(times),
                        "outside": sorted(outside),
                    }
                )
            browser.close()
    finally:
        server.shutdown()
    return rows, version


def site(runs: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-site-") as folder:
        built = Path(folder) / "site"
        seconds = build(runs, built)
        print(f"  mkdocs build --strict: {seconds:.2f} s (median of {runs})", flush=True)
        pages, chromium = visits(built, runs)
    heaviest = max(pages, key=lambda p: int(p["bytes"]))
    slowest = max(pages, key=lambda p: float(p["load_ms"]))
    outside = sum(len(p["outside"]) for p in pages)
    print(
        f"  {len(pages)} pages: heaviest first visit {heaviest['page']}"
        f" {heaviest['bytes'] / 1024:.0f} KB; slowest load {slowest['page']}"
        f" {slowest['load_ms']:.0f} ms; requests to anything but the site: {outside}",
        flush=True,
    )
    return {"build_s": seconds, "runs": runs, "pages": pages, "chromium": chromium}
