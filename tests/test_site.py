"""The site builds in strict mode and asks nothing of any other server when it is read."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from .project import ROOT, build_site

# What a browser fetches by itself: scripts, styles, images, frames, fonts, imports.
FETCHING = re.compile(
    r"""<(?:script|img|iframe|source|audio|video|embed)\b[^>]*\bsrc\s*=\s*["']?(?P<a>[^"'\s>]+)"""
    r"""|<link\b[^>]*\bhref\s*=\s*["']?(?P<b>[^"'\s>]+)"""
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
        folder = built_site if page.name == "index" else built_site / page
        built = folder / "index.html"
        assert built.is_file(), f"docs/{page}.md was not built"


def test_no_page_fetches_from_another_server(built_site: Path) -> None:
    assert external_fetches(built_site) == []


def test_the_offline_check_sees_a_cdn_script(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text('<script src="https://cdn.example.com/x.js"></script>')
    (tmp_path / "style.css").write_text("@import url(//fonts.example.com/css);")
    assert sorted(external_fetches(tmp_path)) == [
        "page.html: https://cdn.example.com/x.js",
        "style.css: //fonts.example.com/css",
    ]


def test_a_missing_snippet_section_fails_the_build(tmp_path: Path) -> None:
    project = tmp_path / "project"
    for name in ("docs", "snippets", "recordings"):
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
