"""The site's pages as its navigation lists them, where each is published, and what it is about."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

__all__ = ["SitePage", "description", "first_paragraph", "plain_text", "site_pages"]


@dataclass(frozen=True)
class SitePage:
    source: str  # its file under docs/: "first-stream.md", "interview/index.md"
    title: str  # as the navigation names it
    section: str | None  # the navigation's section, None for a page at its top level

    @property
    def url(self) -> str:
        """Its address from the site's root, as MkDocs writes it (directory URLs):
        "" for the home page, "first-stream/", "interview/" for interview/index.md."""
        path = self.source.removesuffix(".md")
        if path == "index":
            return ""
        return path.removesuffix("/index") + "/"

    @property
    def html_file(self) -> str:
        return f"{self.url}index.html"

    @property
    def markdown_file(self) -> str:
        """Its Markdown, at its address with `.md` in place of the final slash, as the Claude
        docs publish each page's Markdown: "first-stream.md", "interview.md"; the home page
        has no such address, and its Markdown is "index.md"."""
        return f"{self.url.removesuffix('/')}.md" if self.url else "index.md"


def site_pages(nav: list[Any]) -> list[SitePage]:
    """Every page of mkdocs.yml's `nav`, in its order."""
    return list(_walk(nav, None))


def _walk(entries: list[Any], section: str | None) -> Iterator[SitePage]:
    for entry in entries:
        if isinstance(entry, str):
            raise ValueError(f"the navigation lists {entry} without a title")
        ((title, value),) = entry.items()
        if isinstance(value, list):
            yield from _walk(value, title if section is None else f"{section}: {title}")
        elif not re.match(r"[a-z][a-z0-9+.-]*:", value):  # a page, not a link elsewhere
            yield SitePage(value, title, section)


# What a page is about: the first paragraph of its prose (the short answer, where the page
# opens with one), in plain text. A block that opens with one of these is not prose.
NOT_PROSE = re.compile(r"(#|<|!!!|\?\?\?|===|-{3,}$|```|~~~|\||[-*+] |\d+\. )")


def first_paragraph(markdown: str) -> str:
    """The first paragraph of prose, inside a box (an admonition) or not: the first block of
    lines that is not a heading, a list, a table, code, HTML or a comment."""
    for block in re.split(r"\n\s*\n", markdown):
        lines = [line.strip() for line in block.strip("\n").splitlines()]
        if lines and not NOT_PROSE.match(lines[0]):
            return " ".join(lines)
    return ""


# An attribute list: `{ .example-file download }`, `{ #an-id }`, `{: title="x" }`.
ATTRIBUTES = re.compile(r"\{:?\s*(?:[.#]?[\w-]+(?:=\"[^\"]*\")?\s*)+\}")


def plain_text(markdown: str) -> str:
    """Inline Markdown as text: links as their words, no emphasis, code marks or attributes."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    text = ATTRIBUTES.sub("", text)
    text = re.sub(r"<[^>]+>", "", text)
    text = re.sub(r"(\*\*|__|\*|`)", "", text)
    return html.unescape(re.sub(r"\s+", " ", text)).strip()


SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(`*\[])")
LONGEST = 200  # characters: about what a search result or a link preview shows


def description(markdown: str) -> str:
    """A page's description: the sentences of its first paragraph that fit in LONGEST
    characters (the first always), in plain text. A last sentence that leads into what
    follows (ending in a colon) is left out, or ends in a full stop if it is the only one."""
    chosen: list[str] = []
    for sentence in SENTENCE_END.split(first_paragraph(markdown)):
        if chosen and len(plain_text(" ".join([*chosen, sentence]))) > LONGEST:
            break
        chosen.append(sentence)
    if len(chosen) > 1 and chosen[-1].endswith(":"):
        chosen.pop()
    text = plain_text(" ".join(chosen))
    return text.removesuffix(":") + "." if text.endswith(":") else text
