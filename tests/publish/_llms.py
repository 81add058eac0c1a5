"""`llms.txt` and `llms-full.txt`, as the llms.txt proposal lays them out.

`llms.txt`: the site's name as an H1, its summary as a blockquote, a paragraph on how to read
the rest, then the pages under an H2 per section of the navigation, each a list item
`- [title](address of its Markdown): its description`. `llms-full.txt`: the same heading and
summary, then every page's Markdown in the navigation's order.
"""

from __future__ import annotations

from ._pages import SitePage

__all__ = ["TOP_SECTION", "llms_full_txt", "llms_txt"]

# The H2 of the pages the navigation lists at its top level, outside any section.
TOP_SECTION = "Start here"


def _heading(site_name: str, summary: str) -> str:
    return f"# {site_name}\n\n> {' '.join(summary.split())}\n"


def llms_txt(
    site_name: str,
    summary: str,
    pages: list[SitePage],
    descriptions: dict[str, str],
    site_url: str,
) -> str:
    lines = [
        _heading(site_name, summary),
        "Each page below links to its Markdown, with every code sample in place: the page's "
        "address with `.md` in place of its final slash (the home page's is `index.md`). "
        f"[llms-full.txt]({site_url}llms-full.txt) holds every page in one file.",
    ]
    section: str | None = ""
    for page in pages:
        if page.section != section:
            section = page.section
            lines += ["", f"## {section or TOP_SECTION}", ""]
        lines.append(
            f"- [{page.title}]({site_url}{page.markdown_file}): {descriptions[page.source]}"
        )
    return "\n".join(lines) + "\n"


def llms_full_txt(site_name: str, summary: str, markdown_pages: list[str]) -> str:
    return "\n".join([_heading(site_name, summary), *markdown_pages])
