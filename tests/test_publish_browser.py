"""What the published site adds, in Chromium: "Copy page as Markdown" on every page, and the
search index held back under either name the theme gives it (Material's or Zensical's)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, Route

from .browser import Visit
from .theme import PAGE_TITLE, SEARCH_INDEX_NAMES, SEARCH_INPUT

# The built site, served, and visits closed after each test: the fixtures of tests/browser.py.


def copy_button(page: Page) -> Locator:
    return page.get_by_role("button", name="Copy page as Markdown")


@pytest.mark.parametrize("page", ["first-stream", "interview"])
def test_a_page_copies_as_its_published_markdown(
    visits: Callable[..., Visit], site_url: str, built_site: Path, page: str
) -> None:
    seen = visits(f"{site_url}/{page}/", width="phone")
    seen.page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    button = copy_button(seen.page)
    button.focus()  # reached from the keyboard, and pressed with it
    seen.page.keyboard.press("Enter")
    seen.page.get_by_role("status").get_by_text("Copied").wait_for(timeout=10_000)
    copied = seen.page.evaluate("navigator.clipboard.readText()")
    assert copied == (built_site / f"{page}.md").read_text()
    assert seen.errors == []


def test_a_page_without_markdown_has_no_copy_button(
    visits: Callable[..., Visit], site_url: str
) -> None:
    seen = visits(f"{site_url}/no/such/page/")  # the 404 page
    assert seen.page.locator(PAGE_TITLE).count() == 1
    assert copy_button(seen.page).count() == 0


def test_a_copy_that_fails_says_so_and_where_the_markdown_is(
    visits: Callable[..., Visit], site_url: str
) -> None:
    def missing(route: Route) -> None:
        route.fulfill(status=404, body="not here")

    seen = visits(f"{site_url}/events/", routes={"**/events.md": missing})
    seen.page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    copy_button(seen.page).click()
    status = seen.page.get_by_role("status")
    status.get_by_text("Could not copy").wait_for(timeout=10_000)
    assert status.inner_text().endswith(f"{site_url}/events.md")


@pytest.mark.parametrize("name", SEARCH_INDEX_NAMES)
def test_either_search_index_waits_until_search_is_used(
    visits: Callable[..., Visit], site_url: str, name: str
) -> None:
    """search-on-demand.js holds the request until the search box has the focus."""
    seen = visits(f"{site_url}/first-stream/")
    asked: list[str] = []

    def answer(route: Route) -> None:
        asked.append(route.request.url)
        route.fulfill(status=200, body="{}", content_type="application/json")

    seen.page.route(f"**/{name}", answer)
    # Requested as both themes request it, with XMLHttpRequest; then a round trip to the site.
    seen.page.evaluate(
        "url => { window.probe = new XMLHttpRequest(); probe.open('GET', url); probe.send(); }",
        f"{site_url}/{name}",
    )
    seen.page.evaluate("url => fetch(url).then(r => r.text())", f"{site_url}/")
    held = seen.page.evaluate("probe.readyState")
    seen.page.focus(SEARCH_INPUT)
    seen.page.wait_for_function("probe.readyState === 4", timeout=10_000)
    assert held == 1  # opened, never sent
    assert f"{site_url}/{name}" in asked
