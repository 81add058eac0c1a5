"""What axe-core checks on the site's pages, and the rules it does not check, each with its
reason: the one place they are switched off (tests/test_layout.py runs axe on every page in
both themes; tests/test_player.py on a played player).

Axe runs the whole of WCAG 2 A and AA it can test, and its best practices. Every finding it
made on the site has been fixed rather than switched off: Material's search dialog and the
bar of each code block's copy button are named by site.js, an empty table header cell is made
a plain cell, a table or picture that scrolls is reachable by the keyboard, and a link in a
table header is underlined.

Colour contrast is most of axe's time (about 3 of a page's 4 to 5 s), nearly all of it spent on
the tokens of highlighted code, whose colours come from one stylesheet and are the same on
every page. So each page is checked with every rule but with its highlighted code left out of
the context (`PAGE_CONTEXT`: leaving out each token instead costs more than checking it), and
the code is checked, every rule, on a few pages that between them hold every kind of
token the site uses, on a highlighted line and off it (`code_token_pages`: those pages are
checked whole), in both themes.
That a code block which scrolls is reachable by the keyboard is checked on every page, at
every width, by tests/layout_probes.js.
"""

from __future__ import annotations

import functools
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

__all__ = [
    "AXE_OPTIONS",
    "DISABLED",
    "PAGE_CONTEXT",
    "code_token_pages",
]

# rule id -> why it is not checked. Empty: every rule runs.
DISABLED: dict[str, str] = {}

AXE_OPTIONS: dict[str, Any] = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "best-practice"]},
    "rules": {rule: {"enabled": False} for rule in DISABLED},
    # What the tests read: the violations, each with every node it found (axe's default
    # reports every rule that passed too, with every node, which costs more than the checks).
    "resultTypes": ["violations"],
}

# A page as axe checks it, unless it is one of `code_token_pages`: all of it but its
# highlighted code (see above).
PAGE_CONTEXT: dict[str, Any] = {"exclude": [[".highlight code"]]}


class _CodeTokens(HTMLParser):
    """The kinds of token in a page's highlighted code: each span's classes, and whether it
    sits on a highlighted line (`hll`, its own background)."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[tuple[str, list[str]]] = []
        self.kinds: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        in_code = any(t == "code" for t, _ in self.open)
        if tag == "span" and in_code and any("highlight" in c for _, c in self.open):
            on_hll = any("hll" in c for _, c in self.open)
            self.kinds.add(("hll " if on_hll else "") + " ".join(sorted(classes)))
        if tag not in {"br", "img", "input", "meta", "link", "hr", "wbr"}:
            self.open.append((tag, classes))

    def handle_endtag(self, tag: str) -> None:
        while self.open and self.open.pop()[0] != tag:
            pass


@functools.cache
def code_token_pages(site: Path) -> dict[str, set[str]]:
    """Few built pages (chosen greedily: the page holding the most kinds not yet held, until
    none is left) that between them hold every kind of code token on the site: page path
    (relative to the site, '' or ending in '/') -> the kinds it is chosen for. A kind a new
    snippet brings in brings its page in with it."""
    kinds: dict[str, set[str]] = {}
    for html in sorted(site.rglob("index.html")):
        parser = _CodeTokens()
        parser.feed(html.read_text(encoding="utf-8"))
        if parser.kinds:
            folder = html.parent.relative_to(site).as_posix()
            kinds["" if folder == "." else f"{folder}/"] = parser.kinds
    left = set().union(*kinds.values())
    chosen: dict[str, set[str]] = {}
    while left:
        page = max(kinds, key=lambda p: len(kinds[p] & left))
        chosen[page] = kinds[page] & left
        left -= kinds[page]
    return chosen
