"""The theme's own parts, as the browser tests find them: Material for MkDocs' markup.

The site's own markup (examples, players, wire text) is the site's; what Material draws
(header, search, navigation, copy buttons) is named here only, so that a move to another theme
(Zensical, Material's successor, draws much the same) is one file to change.
"""

from __future__ import annotations

__all__ = [
    "ARTICLE_PARAGRAPH",
    "CHROME",
    "CODE_COPY_BUTTON",
    "COLOR_SCHEMES",
    "COLOR_SCHEME_ATTRIBUTE",
    "HEADER",
    "HEADER_TITLE_CLASSES",
    "PAGE_TITLE",
    "PRIMARY_COLOR_VARIABLES",
    "SEARCH_ICON",
    "SEARCH_INDEX_NAMES",
    "SEARCH_INPUT",
    "SEARCH_RESULT",
    "SEARCH_RESULT_TITLE",
    "SEARCH_TOGGLE",
    "is_search_index",
]

ARTICLE_PARAGRAPH = "article > p"
PAGE_TITLE = "article h1"
HEADER = ".md-header"
# Where the header's title is drawn, in the primary colour: what a poor primary colour fails.
HEADER_TITLE_CLASSES = ("md-header__topic", "md-ellipsis")
# The theme's colour variables for the primary colour and links (extra.css sets them).
PRIMARY_COLOR_VARIABLES = ("--md-primary-fg-color", "--md-typeset-a-color")
CHROME = ".md-header, .md-sidebar, .md-footer"  # what a printed page leaves out
SEARCH_ICON = "label[for='__search']"  # the search button in the header, on a phone
SEARCH_TOGGLE = "#__search"  # checked while the search is open
SEARCH_INPUT = "input.md-search__input"
SEARCH_RESULT = ".md-search-result__item"
SEARCH_RESULT_TITLE = ".md-search-result__item h1"
CODE_COPY_BUTTON = "button[data-clipboard-target]"
# The <body> attribute that names the colour scheme shown, and its values per theme.
COLOR_SCHEME_ATTRIBUTE = "data-md-color-scheme"
COLOR_SCHEMES = {"light": "default", "dark": "slate"}
# The search index, as Material (search/search_index.json) and Zensical (search.json) name it.
SEARCH_INDEX_NAMES = ("search/search_index.json", "search.json")


def is_search_index(url: str) -> bool:
    return url.endswith(tuple(f"/{name}" for name in SEARCH_INDEX_NAMES))
