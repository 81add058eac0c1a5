"""The site builds in strict mode and asks nothing of any other server when it is read."""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

from .pages import examples
from .project import DOCS_DIR, PUBLISHED_SITE_URL, ROOT, SNIPPETS, build_site, relative

# What a browser fetches by itself: scripts, styles, images, frames, fonts, imports.
FETCHING = re.compile(
    r"""<(?:script|img|iframe|source|audio|video|embed)\b[^>]*\bsrc\s*=\s*["']?(?P<a>[^"'\s>]+)"""
    # a <link> the browser fetches (a canonical or alternate link only names an address)
    r"""|<link\b(?=[^>]*\brel\s*=\s*["']?(?:stylesheet|icon|preload|modulepreload|manifest"""
    r"""|prefetch|apple-touch-icon))[^>]*\bhref\s*=\s*["']?(?P<b>[^"'\s>]+)"""
    r"""|@import\s+(?:url\()?\s*["']?(?P<c>[^"')\s;]+)"""
    r"""|url\(\s*["']?(?P<d>[^"')\s]+)""",
    re.IGNORECASE,
)


def external_fetches(site: Path) -> list[str]:
    found = []
    for path in site.rglob("*"):
        if path.suffix not in {".html", ".css"}:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for match in FETCHING.finditer(text):
            url = next(group for group in match.groups() if group)
            if re.match(r"(?i)(https?:)?//", url):
                found.append(f"{path.relative_to(site)}: {url}")
    return found


def test_every_page_is_built(built_site: Path) -> None:
    pages = {p.relative_to(ROOT / "docs").with_suffix("") for p in (ROOT / "docs").rglob("*.md")}
    for page in pages:
        folder = built_site / page.parent if page.name == "index" else built_site / page
        built = folder / "index.html"
        assert built.is_file(), f"docs/{page}.md was not built"


def test_the_sitemap_lists_every_page(built_site: Path) -> None:
    listed = re.findall(r"<loc>(.*?)</loc>", (built_site / "sitemap.xml").read_text())
    assert len(listed) == len(list(DOCS_DIR.rglob("*.md")))
    assert all(url.startswith("http") for url in listed)


def test_the_404_page_finds_its_styles_from_any_depth(built_site: Path) -> None:
    """Its links start at the site's own path (/streaming/ for the suite's build)."""
    page = (built_site / "404.html").read_text()
    stylesheets = re.findall(r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', page)
    assert stylesheets
    site_path = urlsplit(PUBLISHED_SITE_URL).path
    assert all(href.startswith(site_path) for href in stylesheets), stylesheets


def test_no_footer_advertises_the_generator(built_site: Path) -> None:
    assert "Made with" not in (built_site / "index.html").read_text()


def test_every_example_can_be_downloaded_whole(built_site: Path) -> None:
    """The site publishes each program beside the pages (docs/snippets links to snippets/)."""
    for page in DOCS_DIR.glob("*.md"):
        for example in examples(page, page.read_text()):
            published = built_site / example.link
            assert published.read_bytes() == (ROOT / example.program).read_bytes(), example
    built = (built_site / "first-stream" / "index.html").read_text()
    assert 'download href="../snippets/first_stream/text_stream.py"' in built


def test_the_search_index_holds_no_whole_program(built_site: Path) -> None:
    """Programs are read on their pages; search finds the prose around them."""
    index = json.loads((built_site / "search" / "search_index.json").read_text())
    text = html.unescape(" ".join(doc["text"] for doc in index["docs"]))
    for snippet in SNIPPETS:
        # A page may show a section of a program; the whole program starts with its docstring.
        first_line = snippet.read_text().splitlines()[0]
        assert first_line not in text, f"{relative(snippet)} is in the search index"


def test_no_page_fetches_from_another_server(built_site: Path) -> None:
    assert external_fetches(built_site) == []


def test_the_offline_check_sees_a_cdn_script(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text(
        '<script src="https://cdn.example.com/x.js"></script>'
        '<link rel="canonical" href="https://example.com/page/">'
        '<link href="https://fonts.example.com/f.css" rel="stylesheet">'
    )
    (tmp_path / "style.css").write_text("@import url(//fonts.example.com/css);")
    assert sorted(external_fetches(tmp_path)) == [
        "page.html: https://cdn.example.com/x.js",
        "page.html: https://fonts.example.com/f.css",
        "style.css: //fonts.example.com/css",
    ]


def test_a_missing_snippet_section_fails_the_build(tmp_path: Path) -> None:
    project = tmp_path / "project"
    for name in ("docs", "snippets", "recordings", "overrides"):
        shutil.copytree(ROOT / name, project / name)
    shutil.copy(ROOT / "mkdocs.yml", project)
    page = project / "docs" / "index.md"
    page.write_text(
        page.read_text() + '\n```python\n--8<-- "snippets/first_stream/text_stream.py:nope"\n```\n'
    )
    result = build_site(project, tmp_path / "site")
    assert result.returncode != 0
    assert "Error reading page 'index.md': Snippet section 'nope' could not be located" in (
        result.stderr
    )
