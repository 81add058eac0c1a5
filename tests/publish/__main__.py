"""`python3 dev.py build [--site-dir DIR] [--zensical ZENSICAL]`: the site, ready to publish.

Set SITE_URL to the address the site will be served at (default: http://127.0.0.1:8000/,
where `python3 dev.py serve` serves it) and, once the repository is public, REPO_URL (the
header then links to it). Everything in the site directory is then plain files for any
static host.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
import time
from pathlib import Path

from mkdocs.exceptions import MkDocsException

from ._build import CONFIG, build

ROOT = CONFIG.parent
ADDRESS = re.compile(r"https?://[^/\s]+(/\S*)?")


def address_problem() -> str | None:
    """What is wrong with SITE_URL or REPO_URL, when one is set to something not an address."""
    for name in ("SITE_URL", "REPO_URL"):
        value = os.environ.get(name)
        if value and not ADDRESS.fullmatch(value):
            return f"{name} is not an address: {value!r} (give one like https://example.org/streaming/)"
    return None


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python3 dev.py build",
        description="Write the site for the address in SITE_URL, ready to publish.",
    )
    parser.add_argument(
        "--site-dir", type=Path, default=ROOT / "site", help="where to write it (site/)"
    )
    parser.add_argument(
        "--zensical",
        metavar="ZENSICAL",
        help="then build the site with this Zensical command too, and compare the two",
    )
    args = parser.parse_args(argv)
    if problem := address_problem():
        print(f"build: {problem}", file=sys.stderr)
        return 2
    # MkDocs' own warnings and errors, as `mkdocs build` shows them.
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    logging.getLogger("mkdocs").addHandler(handler)
    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    started = time.perf_counter()
    try:
        site = build(args.site_dir)
    except (MkDocsException, ValueError) as error:
        message = error.format_message() if isinstance(error, MkDocsException) else str(error)
        print(f"build: {message}", file=sys.stderr)
        return 1
    where = (
        site.directory.relative_to(ROOT) if site.directory.is_relative_to(ROOT) else site.directory
    )
    print(
        f"Built {len(site.pages)} pages for {site.site_url} in {where}/ "
        f"({time.perf_counter() - started:.1f} s): each page's HTML and Markdown, llms.txt, "
        "llms-full.txt, the sitemap and the Anki deck."
    )
    if args.zensical:
        from ._zensical import compare

        return compare(args.zensical, site, ROOT, ROOT / "docs")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
