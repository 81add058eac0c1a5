"""A page as Markdown that stands alone: what `python3 dev.py build` writes beside its HTML.

The page's own Markdown, with every `--8<--` include put in place by pymdownx.snippets itself
(configured as mkdocs.yml configures it, so the code is the code the HTML shows), each picture
(an SVG the page inlines) as an image link and its description in words, and every link made
absolute under the site's address. The in-page stream player, which only a browser can play,
is left out: the timeline text beside it says the same.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import markdown  # type: ignore[import-untyped]

from ._pages import ATTRIBUTES, SitePage

__all__ = ["LINK", "IncludeExpander", "marked_code", "standalone_markdown"]


class IncludeExpander:
    """pymdownx.snippets' own preprocessor, configured as mkdocs.yml configures it."""

    def __init__(self, snippets_config: dict[str, Any]) -> None:
        self.config = snippets_config

    def __call__(self, text: str) -> str:
        parser = markdown.Markdown(
            extensions=["pymdownx.snippets"],
            extension_configs={"pymdownx.snippets": self.config},
        )
        return "\n".join(parser.preprocessors["snippet"].run(text.split("\n")))


# A picture: `--8<-- "docs/diagrams/x.svg"`, inlined into the page as markup.
PICTURE = re.compile(r'^(?P<indent>[ \t]*)--8<--\s+"(?P<path>[^":]+\.svg)"[ \t]*$', re.M)
PLAYER = re.compile(r'^[ \t]*<div class="stream-player"[^>]*>\s*</div>[ \t]*\n', re.M)
FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
LINK = re.compile(r"\]\((?P<target>[^)\s]+)\)")
ABSOLUTE = re.compile(r"^([a-z][a-z0-9+.-]*:|/)", re.I)
# What only the site's own rendering reads: attribute lists after a link or a heading
# (`{ .example-file download }`, `{ #an-id }`) and comments to the page's editors.
FOR_THE_SITE = re.compile(rf"(?<=\))\s?{ATTRIBUTES.pattern}|\s+{ATTRIBUTES.pattern}\s*$|<!--.*?-->")


def _svg_text(svg: str, element: str) -> str:
    match = re.search(rf"<{element}\b[^>]*>(.*?)</{element}>", svg, re.S)
    return " ".join(match[1].split()) if match else ""


def _pictures(text: str, root: Path, site_url: str) -> str:
    """Each inlined SVG as an image link to the published file, then its description."""

    def picture(match: re.Match[str]) -> str:
        path = match["path"]
        if not path.startswith("docs/"):
            raise ValueError(f"{path}: a picture a page shows must be under docs/")
        svg = (root / path).read_text(encoding="utf-8")
        title = _svg_text(svg, "title") or posixpath.basename(path)
        indent = match["indent"]
        lines = [f"![{title}]({site_url}{path.removeprefix('docs/')})"]
        if desc := _svg_text(svg, "desc"):
            lines += ["", desc]
        lines.append("")  # what follows (a caption) is a paragraph of its own
        return "\n".join(f"{indent}{line}" if line else "" for line in lines)

    return PICTURE.sub(picture, text)


def _target(page: SitePage, target: str, pages: dict[str, SitePage], site_url: str) -> str:
    """A link of the page, relative to its file under docs/, as an absolute address: a page's
    link goes to the page (its HTML), any other file to where the site publishes it."""
    if ABSOLUTE.match(target):
        return target
    path, hash_, anchor = target.partition("#")
    fragment = hash_ + anchor
    if not path:
        return f"{site_url}{page.url}{fragment}"
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(page.source), path))
    if resolved.startswith("../"):
        raise ValueError(f"docs/{page.source}: the link {target} leaves docs/")
    if resolved in pages:
        return f"{site_url}{pages[resolved].url}{fragment}"
    return f"{site_url}{resolved}{fragment}"


def marked_code(text: str) -> Iterator[tuple[str, bool]]:
    """Each line of Markdown, and whether it is fenced code (its fences included)."""
    fence: str | None = None
    for line in text.split("\n"):
        opening = FENCE.match(line)
        if fence is None and opening:
            fence = opening[1]
            yield line, True
        elif fence is not None:
            closing = line.strip()
            if len(closing) >= len(fence) and set(closing) == {fence[0]}:
                fence = None
            yield line, True
        else:
            yield line, False


def _prose(page: SitePage, text: str, pages: dict[str, SitePage], site_url: str) -> str:
    """Outside code, every link made absolute and what only the site reads left out; code is
    left exactly as it is. A line that held only a comment goes with it."""

    def absolute(match: re.Match[str]) -> str:
        return f"]({_target(page, match['target'], pages, site_url)})"

    out: list[str] = []
    dropped = False
    for line, code in marked_code(text):
        if not code:
            cleaned = FOR_THE_SITE.sub("", LINK.sub(absolute, line))
            if line.strip() and not cleaned.strip():
                dropped = True
                continue
            if dropped and not cleaned.strip() and out and not out[-1].strip():
                continue  # the blank line after it: one blank line between paragraphs
            line = cleaned
        dropped = False
        out.append(line)
    return "\n".join(out)


def standalone_markdown(
    page: SitePage,
    text: str,
    *,
    pages: dict[str, SitePage],
    expand: IncludeExpander,
    root: Path,
    site_url: str,
    site_name: str,
) -> str:
    """The page's Markdown `text` as it is published: includes in place, links absolute, and
    a last line that says where the page is."""
    text = _pictures(text, root, site_url)
    text = PLAYER.sub("", expand(text))
    text = _prose(page, text, pages, site_url)
    source = f"{site_url}{page.url}"
    return f"{text.rstrip()}\n\n---\n\n*{page.title}*, from {site_name}: <{source}>\n"
