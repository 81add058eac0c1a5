"""The publishable site: `python3 dev.py build` (`python -m tests.publish`).

MkDocs (strict) writes the pages for the site's address; then, from the same sources, this
package writes what depends on that address or is not MkDocs' to write: each page's Markdown
beside its HTML, with every included file in place; `llms.txt` and `llms-full.txt`; each
page's description, Markdown link and social card in its <head>; and the Anki deck, its links
under the address. None of it is a MkDocs hook, plugin or template (Zensical, which reads
mkdocs.yml, drops hooks and plugins): another generator could write the HTML, and the same
steps would follow.
"""

from __future__ import annotations

from ._build import CONFIG, BuiltSite, build
from ._pages import SitePage, description, site_pages

__all__ = ["CONFIG", "BuiltSite", "SitePage", "build", "description", "site_pages"]
