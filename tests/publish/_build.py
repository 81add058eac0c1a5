"""The publishable site for one address: MkDocs (strict) writes the pages, then this writes
what MkDocs does not, from the same sources."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig

from ..deck import DECK, site_deck
from ..interview import DOCS_DIR
from ._head import head_tags, with_head_tags
from ._llms import llms_full_txt, llms_txt
from ._markdown import IncludeExpander, standalone_markdown
from ._pages import SitePage, description, site_pages

__all__ = ["CONFIG", "BuiltSite", "build"]

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "mkdocs.yml"


@dataclass(frozen=True)
class BuiltSite:
    directory: Path
    site_url: str  # the address it was built for, ending in "/"
    pages: list[SitePage]


def _config(
    config_file: Path, site_dir: Path, site_url: str | None, repo_url: str | None
) -> MkDocsConfig:
    # MkDocs reads SITE_URL and REPO_URL from the environment (mkdocs.yml); given here, they
    # take their place.
    config = load_config(
        str(config_file), site_dir=str(site_dir), strict=True, site_url=site_url, repo_url=repo_url
    )
    if not config.use_directory_urls:
        raise ValueError(f"{config_file}: the build expects use_directory_urls (the default)")
    # Includes are found from the project's root, wherever the build is started from.
    snippets = config.mdx_configs.setdefault("pymdownx.snippets", {})
    snippets["base_path"] = [
        str(config_file.parent / path) for path in snippets.get("base_path", ["."])
    ]
    return config


def build(
    site_dir: Path,
    *,
    site_url: str | None = None,
    repo_url: str | None = None,
    config_file: Path = CONFIG,
) -> BuiltSite:
    """Write the site into `site_dir` for `site_url` (default: SITE_URL, or the local address
    mkdocs.yml gives), linking to the repository at `repo_url` (default: REPO_URL, or none)."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # Material's banner about MkDocs 2
    site_dir = site_dir.resolve()
    config = _config(config_file, site_dir, site_url, repo_url)
    config.plugins.on_startup(command="build", dirty=False)
    try:
        mkdocs_build(config)
    finally:
        config.plugins.on_shutdown()
    return _publish(config, site_dir)


def _publish(config: MkDocsConfig, site_dir: Path) -> BuiltSite:
    """Beside MkDocs' pages: each page's Markdown and <head> tags, llms.txt, llms-full.txt, the
    deck; each with the site's address."""
    site_url: str = config.site_url or ""
    site_name: str = config.site_name
    docs = Path(config.docs_dir)
    pages = site_pages(config.nav or [])
    sources = {page.source: page for page in pages}
    texts = {page.source: (docs / page.source).read_text(encoding="utf-8") for page in pages}
    descriptions = {source: description(text) for source, text in texts.items()}
    expand = IncludeExpander(dict(config.mdx_configs["pymdownx.snippets"]))
    markdown_pages = []
    for page in pages:
        text = standalone_markdown(
            page,
            texts[page.source],
            pages=sources,
            expand=expand,
            root=Path(config.config_file_path).parent,
            site_url=site_url,
            site_name=site_name,
        )
        (site_dir / page.markdown_file).write_text(text, encoding="utf-8")
        markdown_pages.append(text)
        built = site_dir / page.html_file
        tags = head_tags(page, descriptions[page.source], site_url, site_name)
        built.write_text(with_head_tags(built.read_text(encoding="utf-8"), tags), "utf-8")
    summary: str = config.site_description or ""
    (site_dir / "llms.txt").write_text(
        llms_txt(site_name, summary, pages, descriptions, site_url), encoding="utf-8"
    )
    (site_dir / "llms-full.txt").write_text(
        llms_full_txt(site_name, summary, markdown_pages), encoding="utf-8"
    )
    # The deck MkDocs copied links to the local address; the published one to this site.
    (site_dir / DECK.relative_to(DOCS_DIR)).write_bytes(site_deck(site_url))
    return BuiltSite(site_dir, site_url, pages)
