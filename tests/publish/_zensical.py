"""Ready for the move off Material: the site built by Zensical too, and the two builds compared.

Zensical reads mkdocs.yml but drops hooks and plugins it does not know, ignores `validation:`
and names its search index differently; a page or an include it silently lost would show
here. `compare` builds the sources with `ZENSICAL build --strict` in a copy of the project
(Zensical writes to mkdocs.yml's site_dir and has no option to write elsewhere) and counts, in
each build: the pages of the navigation it wrote, and the `--8<--` includes whose text the
built page shows (code, outputs, pictures and generated tables); and any `--8<--` left as is.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import markdown  # type: ignore[import-untyped]

from ..pages import fenced_blocks, included_text, includes
from ._build import BuiltSite
from ._pages import SitePage

__all__ = ["SiteCounts", "compare", "count"]

# What the build reads: the configuration, the pages, and what they include.
SOURCES = ("mkdocs.yml", "docs", "snippets", "recordings", "overrides")
HIDDEN = re.compile(r"<!--.*?-->|<(script|style)\b.*?</\1>", re.S | re.I)
TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class SiteCounts:
    pages: int  # pages of the navigation written as HTML
    includes: int  # includes whose text the built page shows
    left: int  # `--8<--` lines left in the built pages


def _visible(text: str) -> str:
    """The text of a piece of HTML (or of a file as a page includes it), without its spaces:
    highlighted code is split into tags between its tokens, which leave no space."""
    return "".join(html.unescape(TAG.sub("", HIDDEN.sub("", text))).split())


def _included(root: Path, path: str, section: str | None, in_code: bool) -> str:
    """The words an include puts on the built page."""
    text = included_text(root, path, section)
    if in_code or path.endswith(".svg"):
        return _visible(html.escape(text, quote=False) if in_code else text)
    return _visible(
        markdown.markdown(text, extensions=["tables", "fenced_code", "attr_list", "md_in_html"])
    )


def count(site: Path, pages: list[SitePage], docs: Path, root: Path) -> SiteCounts:
    built = 0
    shown = 0
    left = 0
    for page in pages:
        html_file = site / page.html_file
        if not html_file.is_file():
            continue
        built += 1
        page_html = html_file.read_text(encoding="utf-8")
        left += page_html.count("--8&lt;--") + page_html.count("--8<--")
        words = _visible(page_html)
        source = (docs / page.source).read_text(encoding="utf-8")
        code_lines = {
            block.line + offset
            for block in fenced_blocks(Path(page.source), source)
            for offset in range(1, len(block.body) + 1)
        }
        for include in includes(Path(page.source), source):
            expected = _included(root, include.path, include.section, include.line in code_lines)
            shown += expected in words
    return SiteCounts(built, shown, left)


def _copy_sources(root: Path, project: Path) -> None:
    for name in SOURCES:
        source = root / name
        if source.is_dir():
            shutil.copytree(source, project / name, symlinks=True)
        else:
            shutil.copy2(source, project / name)


def compare(zensical: str, mkdocs_site: BuiltSite, root: Path, docs: Path) -> int:
    """Build with Zensical, print its counts beside MkDocs', and say whether they agree."""
    pages = mkdocs_site.pages
    total = sum(
        len(list(includes(Path(p.source), (docs / p.source).read_text(encoding="utf-8"))))
        for p in pages
    )
    command = shutil.which(zensical)
    if command is None:
        print(f"build: no Zensical command at {zensical}")
        return 1
    zensical = str(Path(command).absolute())
    found = subprocess.run([zensical, "--version"], capture_output=True, text=True, check=False)
    version = f"Zensical {found.stdout.strip()}".strip()
    with tempfile.TemporaryDirectory() as folder:
        project = Path(folder)
        _copy_sources(root, project)
        result = subprocess.run(
            [zensical, "build", "--strict"],
            cwd=project,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        if result.returncode:
            print(f"{version} failed to build the site:\n{result.stdout}{result.stderr}")
            return 1
        theirs = count(project / "site", pages, project / "docs", project)
    ours = count(mkdocs_site.directory, pages, docs, root)
    rows = [
        ("pages of the navigation", len(pages), ours.pages, theirs.pages),
        ("includes shown", total, ours.includes, theirs.includes),
        ("--8<-- left unexpanded", 0, ours.left, theirs.left),
    ]
    print(f"\n{'':26}{'sources':>9}{'MkDocs':>9}  {version}")
    for name, expected, mine, other in rows:
        print(f"{name:26}{expected:>9}{mine:>9}  {other:>{len(version)}}")
    agree = all(mine == other == expected for _, expected, mine, other in rows)
    print(
        "Zensical builds the same pages and shows every include."
        if agree
        else "Zensical's build differs from MkDocs': see the counts above."
    )
    return 0 if agree else 1
