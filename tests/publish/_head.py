"""What each built page's <head> says about it: its description, where its Markdown is, and
the card a link to it shows (Open Graph), with the site's own image.

Where its Markdown is: a `<meta name="page-markdown">`, which site.js's copy button reads. Not
a `<link rel="alternate" type="text/markdown">`: Material takes every alternate link for a
translation of the site and fetches the sitemap beside it, on every visit.
"""

from __future__ import annotations

import html
import posixpath
import re

from ._pages import SitePage

__all__ = ["SOCIAL_CARD", "SOCIAL_CARD_SIZE", "head_tags", "with_head_tags"]

SOCIAL_CARD = "assets/social-card.png"  # under docs/: drawn from social-card.svg beside it
SOCIAL_CARD_SIZE = (1200, 630)
SOCIAL_CARD_ALT = "The site's name over events of a stream arriving one after another"
DESCRIPTION = re.compile(r'[ \t]*<meta\s+name="description"[^>]*>\n?', re.I)


def head_tags(page: SitePage, description: str, site_url: str, site_name: str) -> str:
    markdown = posixpath.relpath(page.markdown_file, posixpath.dirname(page.html_file) or ".")
    width, height = SOCIAL_CARD_SIZE
    tags = [
        ("meta", {"name": "description", "content": description}),
        ("meta", {"name": "page-markdown", "content": markdown}),
        ("meta", {"property": "og:type", "content": "website"}),
        ("meta", {"property": "og:site_name", "content": site_name}),
        ("meta", {"property": "og:title", "content": page.title}),
        ("meta", {"property": "og:description", "content": description}),
        ("meta", {"property": "og:url", "content": f"{site_url}{page.url}"}),
        ("meta", {"property": "og:image", "content": f"{site_url}{SOCIAL_CARD}"}),
        ("meta", {"property": "og:image:width", "content": str(width)}),
        ("meta", {"property": "og:image:height", "content": str(height)}),
        ("meta", {"property": "og:image:alt", "content": SOCIAL_CARD_ALT}),
        ("meta", {"name": "twitter:card", "content": "summary_large_image"}),
    ]
    return "".join(
        "  <{} {}>\n".format(
            name, " ".join(f'{key}="{html.escape(value)}"' for key, value in attributes.items())
        )
        for name, attributes in tags
    )


def with_head_tags(page_html: str, tags: str) -> str:
    """The page with the theme's description (the site's, the same on every page) replaced by
    `tags`, at the end of its <head>."""
    head, end, body = page_html.partition("</head>")
    if not end:
        raise ValueError("a built page without </head>")
    return f"{DESCRIPTION.sub('', head)}{tags}{end}{body}"
