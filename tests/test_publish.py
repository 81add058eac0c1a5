"""`python3 dev.py build`: the site as published at an address (tests/publish/).

The suite's site (`built_site`) is this build, made once per run for PUBLISHED_SITE_URL with a
repository link. Published beside the pages: each page's Markdown with its includes in place,
llms.txt and llms-full.txt, the sitemap and the Anki deck, all under that address; each page's
<head> says what it is about.
"""

from __future__ import annotations

import hashlib
import html
import re
from pathlib import Path

import pytest
from mkdocs.config import load_config

from .deck import DECK, expected_notes, load_facts, read_deck
from .interview import load_bank
from .pages import included_text, includes
from .project import DOCS_DIR, PUBLISHED_REPO_URL, PUBLISHED_SITE_URL, ROOT
from .publish import CONFIG, SitePage, description, site_pages
from .publish.__main__ import main
from .publish._card import CARD_PNG, CARD_SVG, png_size, png_source, render_card
from .publish._head import SOCIAL_CARD_SIZE
from .publish._markdown import LINK, marked_code
from .publish._zensical import SiteCounts, count

CONFIG_NAV = load_config(str(CONFIG)).nav or []
PAGES = site_pages(CONFIG_NAV)
LOOPBACK = re.compile(r"(?i)(?:https?:)?//(?:127\.\d+\.\d+\.\d+|localhost|\[::1\])\b")


def prose_lines(markdown: str) -> list[str]:
    """The lines of a Markdown text outside its fenced code."""
    return [line for line, code in marked_code(markdown) if not code]


def test_the_navigation_lists_every_page_once() -> None:
    """llms.txt and the Markdown pages follow the navigation: it must hold every page."""
    listed = [page.source for page in PAGES]
    on_disk = sorted(p.relative_to(DOCS_DIR).as_posix() for p in DOCS_DIR.rglob("*.md"))
    assert sorted(listed) == on_disk
    assert len(set(listed)) == len(listed)


def test_llms_txt_lists_every_page_under_the_address(built_site: Path) -> None:
    text = (built_site / "llms.txt").read_text()
    lines = text.splitlines()
    assert lines[0] == "# Streaming with the Claude API"
    assert lines[1] == ""
    assert lines[2].startswith("> ")
    # Then notes, and file lists under H2s, one per section of the navigation, in its order.
    sections_seen = [line.removeprefix("## ") for line in lines if line.startswith("## ")]
    assert sections_seen == ["Start here", *dict.fromkeys(p.section for p in PAGES if p.section)]
    items = re.findall(r"^- \[(?P<title>[^\]]+)\]\((?P<url>[^)]+)\): (?P<about>.+)$", text, re.M)
    assert [(title, url) for title, url, _ in items] == [
        (page.title, f"{PUBLISHED_SITE_URL}{page.markdown_file}") for page in PAGES
    ]
    for page, (_, _, about) in zip(PAGES, items, strict=True):
        assert about == description((DOCS_DIR / page.source).read_text()), page.source
        assert (built_site / page.markdown_file).is_file()
    assert all(url.startswith(PUBLISHED_SITE_URL) for url in re.findall(r"\]\(([^)]+)\)", text))


def test_llms_full_txt_holds_every_page(built_site: Path) -> None:
    full = (built_site / "llms-full.txt").read_text()
    assert full.startswith("# Streaming with the Claude API\n\n> ")
    for page in PAGES:
        assert (built_site / page.markdown_file).read_text() in full, page.source


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.source)
def test_each_page_is_published_as_markdown_that_stands_alone(
    built_site: Path, page: SitePage
) -> None:
    source = (DOCS_DIR / page.source).read_text()
    published = (built_site / page.markdown_file).read_text()
    assert "--8<--" not in published
    assert published.startswith(source.split("\n", 1)[0] + "\n")  # its title
    for include in includes(Path(page.source), source):
        if include.path.endswith(".svg"):  # a picture: a link to it, and its words
            picture = f"{PUBLISHED_SITE_URL}{include.path.removeprefix('docs/')})"
            desc = re.search(r"<desc[^>]*>(.*?)</desc>", (ROOT / include.path).read_text(), re.S)
            assert picture in published
            assert desc is None or " ".join(desc[1].split()) in published
            continue
        for line in included_text(ROOT, include.path, include.section).splitlines():
            if re.fullmatch(r"<!--.*-->", line.strip()):  # an editors' comment: left out
                assert line.strip() not in published
                continue
            assert line.strip() in published, f"{include.where}: {line!r} is not in place"
    for line in prose_lines(published):
        for target in LINK.findall(line):
            assert re.match(r"https?://|mailto:", target), (
                f"{page.source}: a relative link {target}"
            )
            assert not LOOPBACK.search(target), f"{page.source}: a link to {target}"
    assert published.endswith(f"<{PUBLISHED_SITE_URL}{page.url}>\n")


def test_the_first_page_carries_its_python_code(built_site: Path) -> None:
    published = (built_site / PAGES[1].markdown_file).read_text()
    program = included_text(ROOT, "snippets/first_stream/text_stream.py")
    assert PAGES[1].source == "first-stream.md"
    assert f"```python\n{program}\n" in published


def test_the_deck_links_to_the_site_at_its_address(built_site: Path) -> None:
    apkg = (built_site / DECK.relative_to(DOCS_DIR)).read_bytes()
    notes = read_deck(apkg).notes
    fields = " ".join(" ".join(note.fields) for note in notes)
    links = re.findall(r'href="([^"]+)"', fields)
    # An answer may say that the replay server listens on 127.0.0.1; no address goes there.
    assert LOOPBACK.findall(fields) == []
    assert len(links) >= len(notes)
    assert all(link.startswith(PUBLISHED_SITE_URL) for link in links), links
    assert notes == expected_notes(load_bank(), load_facts(), PUBLISHED_SITE_URL)
    # The deck in docs/ keeps the local address, which this check finds there.
    committed = read_deck(DECK.read_bytes()).notes
    assert LOOPBACK.findall(" ".join(" ".join(note.fields) for note in committed))


def test_the_sitemap_lists_every_page_under_the_address(built_site: Path) -> None:
    listed = re.findall(r"<loc>(.*?)</loc>", (built_site / "sitemap.xml").read_text())
    assert sorted(listed) == sorted(f"{PUBLISHED_SITE_URL}{page.url}" for page in PAGES)


def test_nothing_published_points_to_a_loopback_address(built_site: Path) -> None:
    """Links, addresses and meta tags: a page's prose may still name 127.0.0.1 (the replay
    server listens there), but no link of the published site goes there."""
    found = []
    for path in built_site.rglob("*"):
        if path.suffix in {".html", ".xml"}:
            text = path.read_text(errors="replace")
            values = re.findall(r'\b(?:href|src|content|action)="([^"]*)"', text)
            values += re.findall(r"<loc>([^<]*)</loc>", text)
            found += [f"{path.relative_to(built_site)}: {v}" for v in values if LOOPBACK.search(v)]
        elif path.suffix in {".md", ".txt"} and path.parent == built_site:
            lines = prose_lines(path.read_text())
            targets = [t for line in lines for t in LINK.findall(line)]
            found += [f"{path.name}: {t}" for t in targets if LOOPBACK.search(t)]
    assert found == []


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.source)
def test_each_page_says_what_it_is_about_in_its_head(built_site: Path, page: SitePage) -> None:
    built = (built_site / page.html_file).read_text()
    head = built.split("</head>", 1)[0]
    meta = dict(re.findall(r'<meta (?:name|property)="([^"]+)" content="([^"]*)"', head))
    about = description((DOCS_DIR / page.source).read_text())
    assert head.count('<meta name="description"') == 1
    assert html.unescape(meta["description"]) == about
    assert html.unescape(meta["og:description"]) == about
    assert meta["og:url"] == f"{PUBLISHED_SITE_URL}{page.url}"
    assert meta["og:image"] == f"{PUBLISHED_SITE_URL}assets/social-card.png"
    markdown = meta["page-markdown"]
    assert (built_site / page.html_file).parent.joinpath(markdown).resolve() == (
        built_site / page.markdown_file
    ).resolve()
    assert f'<link rel="canonical" href="{PUBLISHED_SITE_URL}{page.url}">' in head


def test_the_header_links_to_the_repository_without_asking_its_host(built_site: Path) -> None:
    """Material's own source link would fetch the repository's stars from GitHub's API."""
    page = (built_site / "index.html").read_text()
    link = re.search(rf'<a href="{re.escape(PUBLISHED_REPO_URL)}"[^>]*class="md-source"', page)
    assert link, "no link to the repository in the header"
    assert 'data-md-component="source"' not in page


def test_the_favicon_is_the_sites_own(built_site: Path) -> None:
    page = (built_site / "first-stream" / "index.html").read_text()
    (icon,) = re.findall(r'<link rel="icon" href="([^"]+)"', page)
    assert icon == "../assets/favicon.svg"
    assert (built_site / "assets" / "favicon.svg").read_bytes().startswith(b"<svg")


def test_the_social_card_is_the_picture_of_its_svg(update_outputs: bool) -> None:
    """The PNG is rendered from social-card.svg by `python3 dev.py test --update-outputs`;
    it names the SVG it was rendered from, which must be the SVG as it is now."""
    digest = hashlib.sha256(CARD_SVG.read_bytes()).hexdigest()
    if update_outputs and (not CARD_PNG.exists() or png_source(CARD_PNG.read_bytes()) != digest):
        from .browser import CHROMIUM, FLAGS

        render_card(CHROMIUM, FLAGS)
    card = CARD_PNG.read_bytes()
    assert png_size(card) == SOCIAL_CARD_SIZE
    assert png_source(card) == digest, (
        "docs/assets/social-card.png was not rendered from social-card.svg as it is now: "
        "python3 dev.py test --update-outputs -k social_card"
    )
    assert len(card) < 100 * 1024  # a link preview's image, fetched by whoever shows the link


# What a page is about: the description each page's head, llms.txt and its card give.


def test_a_description_is_the_opening_of_the_first_paragraph_of_prose() -> None:
    page = """# Title

<!-- Generated: a comment
   over two lines -->

!!! abstract "The short answer"

    - a list is not the paragraph
      even on its second line

    The **first** paragraph, with [a link](x.md) and `code`. Its second sentence
    fits.
    And its third is too long to fit in the two hundred characters of a description with
    the first two, so it is left out of it, whatever it says.
"""
    assert (
        description(page) == "The first paragraph, with a link and code. Its second sentence fits."
    )


def test_a_sentence_that_leads_into_a_list_is_left_out_or_ends_in_a_full_stop() -> None:
    assert description("It fails in four ways. With the SDK:\n\n- one") == "It fails in four ways."
    assert description("A loop is a series of requests:\n\n1. one") == (
        "A loop is a series of requests."
    )


# The command as a reader types it.


def test_a_site_address_that_is_not_one_gets_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("SITE_URL", "example.org/streaming")
    assert main(["--site-dir", str(tmp_path / "site")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "SITE_URL" in err
    assert "example.org/streaming" in err
    assert not (tmp_path / "site").exists()


# The Zensical check (.ci/zensical-check) counts what each build shows; on the MkDocs build,
# every page and every include, so that a difference in Zensical's is Zensical's.


def test_the_zensical_check_counts_every_page_and_include_of_the_mkdocs_build(
    built_site: Path,
) -> None:
    total = sum(
        len(list(includes(Path(p.source), (DOCS_DIR / p.source).read_text()))) for p in PAGES
    )
    assert count(built_site, PAGES, DOCS_DIR, ROOT) == SiteCounts(len(PAGES), total, 0)


def test_the_zensical_check_sees_an_include_left_unexpanded_and_a_page_missing(
    built_site: Path, tmp_path: Path
) -> None:
    page = next(p for p in PAGES if p.source == "first-stream.md")
    built = (built_site / page.html_file).read_text()
    whole = count(built_site, [page], DOCS_DIR, ROOT)
    # The example's program as a build that ignored its include would leave it.
    start = built.index('<div class="language-python', built.index("text_stream.py</code></a>"))
    end = built.index("</pre></div>", start) + len("</pre></div>")
    unexpanded = '<pre><code>--8&lt;-- "snippets/first_stream/text_stream.py"</code></pre>'
    copy = tmp_path / page.html_file
    copy.parent.mkdir(parents=True)
    copy.write_text(built[:start] + unexpanded + built[end:])
    assert count(tmp_path, [page], DOCS_DIR, ROOT) == SiteCounts(1, whole.includes - 1, 1)
    assert count(tmp_path, PAGES, DOCS_DIR, ROOT).pages == 1
