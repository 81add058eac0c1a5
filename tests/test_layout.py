"""Every page's layout, at 1366, 390 and 320 px in both themes, each page loaded once and
then resized and switched in place.

Pictures: no text under 11 px. Blocks: nothing wider than the window, and whatever scrolls
sideways (a code block, a table, a picture on the narrowest phone) is reachable by the
keyboard, a table or picture with a visible cue; wire text, outputs, JSON and TOML wrap
instead (no line cut off). Tables: the event table and the cheat sheet stacked as label and
value on a phone. Axe finds nothing on any page in either theme (tests/axe_rules.py: code
tokens on a few pages that hold every kind). A page
printed keeps its pictures and drops the players and the copy buttons.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from .axe_rules import AXE_OPTIONS, PAGE_CONTEXT, code_token_pages
from .browser import Visit
from .project import DOCS_DIR
from .test_browser import page_path
from .test_home import resize, use_scheme
from .theme import CODE_COPY_BUTTON

PAGES = sorted(p.relative_to(DOCS_DIR).with_suffix("") for p in DOCS_DIR.rglob("*.md"))
LAYOUT_PROBES = (Path(__file__).parent / "layout_probes.js").read_text()
WIDTHS = (1366, 390, 320)
# The pages whose JSON and TOML blocks hid the very line a section is about (issue 25).
WRAPPED = ["retrying", "thinking", "recordings", "tool-loop"]


def probe(seen: Visit, name: str) -> list[str]:
    return list(seen.page.evaluate(f"window.layoutProbes.{name}()"))


# Axe takes seconds a page: each page is checked once in each theme, the light one at desktop
# width and the dark one at a phone's (where tables and pictures scroll), in the same visit.
AXE_AT = {("light", 1366), ("dark", 390)}


@pytest.mark.parametrize("page_name", PAGES, ids=str)
def test_a_page_fits_every_width_in_both_themes_and_axe_finds_nothing(
    visits: Callable[..., Visit], site_url: str, built_site: Path, page_name: Path
) -> None:
    # Its highlighted code too, if it is one of the few pages holding every kind of token.
    whole = page_path(page_name) in code_token_pages(built_site)
    seen = visits(f"{site_url}/{page_path(page_name)}")
    seen.page.add_script_tag(content=LAYOUT_PROBES)
    problems: dict[str, list[str]] = {}
    for scheme in ("light", "dark"):
        use_scheme(seen, scheme)
        for width in WIDTHS:
            resize(seen, width)
            at = f"{scheme} {width}px"
            problems[f"{at}: figure text under 11 px"] = probe(seen, "smallFigureText")
            problems[f"{at}: too wide, or scrolls out of the keyboard's reach"] = probe(
                seen, "unreachableScrollers"
            )
            problems[f"{at}: scrolls with no cue"] = probe(seen, "scrollersWithoutCue")
            problems[f"{at}: lines cut off"] = probe(seen, "cutLines")
            if (scheme, width) in AXE_AT:
                context = None if whole else PAGE_CONTEXT
                results = Axe().run(seen.page, context=context, options=AXE_OPTIONS)
                if results.violations_count:
                    problems[f"{at}: axe"] = [results.generate_report()]
    assert {what: found for what, found in problems.items() if found} == {}
    assert seen.errors == []


@pytest.mark.parametrize("page_name", WRAPPED)
def test_json_and_toml_blocks_wrap_and_still_copy_as_written(
    visits: Callable[..., Visit], site_url: str, page_name: str
) -> None:
    seen = visits(f"{site_url}/{page_name}/", width="phone")
    blocks = seen.page.locator("article :is(.language-json, .language-toml) pre > code")
    assert blocks.count() >= 1
    for i in range(blocks.count()):
        code = blocks.nth(i)
        lines = code.evaluate("c => [...c.querySelectorAll('.code-line')].length")
        written = code.get_attribute("data-copy") or ""
        assert lines == len(written.rstrip("\n").split("\n"))
        assert code.evaluate("c => c.textContent") == written  # the text itself is unchanged
        assert code.evaluate("c => c.scrollWidth <= c.clientWidth + 1")
        assert code.evaluate("c => c.getClientRects()[0].height") > 0
    assert seen.errors == []


@pytest.mark.parametrize(
    ("page_name", "container"),
    [
        ("first-stream", ".stack-on-phone"),
        ("testing", ".stack-on-phone"),
        ("sweeps-verdicts", ".stack-on-phone"),
        ("interview/cheat-sheet", ".cheat-sheet"),
    ],
)
def test_the_event_table_and_the_cheat_sheet_stack_on_a_phone(
    visits: Callable[..., Visit], site_url: str, page_name: str, container: str
) -> None:
    seen = visits(f"{site_url}/{page_name}/", width="phone")
    stacked = seen.page.evaluate(
        """(container) => [...document.querySelectorAll(`${container} table`)].map((table) => {
          const names = [...table.querySelectorAll('thead th')].map((th) => th.textContent.trim());
          const cells = [...table.querySelectorAll('tbody td:not(:first-child)')];
          return {
            unlabelled: cells.filter((td) => td.dataset.label !== names[td.cellIndex])
              .map((td) => td.textContent.slice(0, 40)),
            labels: cells.every((td) => getComputedStyle(td, '::before').content !== 'none'),
            fits: table.scrollWidth <= document.documentElement.clientWidth,
            display: getComputedStyle(table.querySelector('tbody tr')).display,
          };
        })""",
        container,
    )
    assert stacked
    wanted = {"unlabelled": [], "labels": True, "fits": True, "display": "block"}
    assert all(table == wanted for table in stacked), stacked
    resize(seen, 1366)  # a table again on a wide screen
    rows = seen.page.evaluate(
        "(c) => getComputedStyle(document.querySelector(`${c} tbody tr`)).display", container
    )
    assert rows == "table-row"
    assert seen.errors == []


def test_the_pages_checked_whole_hold_every_kind_of_code_token(built_site: Path) -> None:
    """The other pages leave their highlighted code out of axe's context (tests/axe_rules.py):
    the kinds are found in the built pages, on highlighted lines and off them."""
    chosen = code_token_pages(built_site)
    kinds = set().union(*chosen.values())
    assert {"kn", "nn", "s2", "gp", "go"} <= kinds  # import, a module, a string, a prompt, output
    assert any(kind.startswith("hll ") for kind in kinds)
    assert 0 < len(chosen) < len(PAGES) / 3


def test_printing_keeps_the_pictures_and_drops_players_and_copy_buttons(
    visits: Callable[..., Visit], site_url: str
) -> None:
    seen = visits(f"{site_url}/first-stream/")
    page = seen.page
    page.locator(".stream-player .sp-controls").first.wait_for(timeout=10_000)
    page.emulate_media(media="print")
    printed = page.evaluate(
        """() => [...document.querySelectorAll('.stream-player')].map((player) => ({
          border: getComputedStyle(player).borderTopWidth,
          shown: [...player.querySelectorAll('.sp-frame > *')]
            .filter((e) => e.getBoundingClientRect().height > 0).map((e) => e.className),
          picture: player.querySelector('svg.timeline-picture')?.getBoundingClientRect().height,
          overlay: getComputedStyle(player.querySelector('svg g[aria-hidden]')).display,
        }))"""
    )
    copy = page.evaluate(
        "(s) => [...document.querySelectorAll(s)]"
        ".filter((e) => e.getBoundingClientRect().height > 0).length",
        CODE_COPY_BUTTON,
    )
    pictures = page.evaluate(
        "() => [...document.querySelectorAll('article svg.timeline-picture')]"
        ".map((svg) => svg.getBoundingClientRect().height)"
    )
    pdf = page.pdf(format="A4")
    [player] = printed
    assert player["border"] == "0px"
    assert player["shown"] == ["sp-track sp-on-picture", "sp-caption"]  # no empty box
    assert player["picture"] > 150
    assert player["overlay"] == "none"  # no playhead, no shade over the picture
    assert copy == 0
    assert len(pictures) == 2
    assert all(height > 150 for height in pictures)
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) >= 3
    assert seen.errors == []


# --------------------------------------------------------------------------- examples

MARKER = re.compile(r"^\s*#\s*--8<--\s*\[\s*(start|end)\s*:.*\]\s*$")


def without_markers(path: Path) -> str:
    lines = path.read_text().splitlines(keepends=True)
    return "".join(line for line in lines if not MARKER.match(line))


@pytest.mark.parametrize(
    ("page_name", "program"),
    [("first-stream", "first_stream/text_stream.py"), ("raw-http", "raw_http/accumulate.py")],
)
def test_a_download_is_the_program_without_its_section_markers(
    visits: Callable[..., Visit], site_url: str, page_name: str, program: str
) -> None:
    snippet = DOCS_DIR.parent / "snippets" / program
    markers = [line for line in snippet.read_text().splitlines() if MARKER.match(line)]
    assert markers, "a program with section markers, or this proves nothing"
    seen = visits(f"{site_url}/{page_name}/")
    link = seen.page.locator(f"figure.example a.example-file[href$='{program}']").first
    assert link.get_attribute("href") == f"../snippets/{program}"  # without scripts: the file
    with seen.page.expect_download() as download:
        link.click()
    saved = Path(download.value.path()).read_text()
    assert download.value.suggested_filename == snippet.name
    assert saved == without_markers(snippet)
    assert saved != snippet.read_text()
    assert seen.errors == []


def test_a_long_program_folds_to_the_lines_its_page_is_about(
    visits: Callable[..., Visit], site_url: str
) -> None:
    seen = visits(f"{site_url}/raw-http/", width="phone")
    figure = seen.page.locator("figure.example:has(a[href$='raw_http/accumulate.py'])")
    code = figure.locator(".highlight").first.locator("code")
    whole = without_markers(DOCS_DIR.parent / "snippets/raw_http/accumulate.py")
    rows = "c => [...c.querySelectorAll('.code-row')].filter(r => r.checkVisibility()).length"
    shown = code.evaluate(rows)
    folds = figure.locator(".code-fold")
    assert figure.get_attribute("class") == "example example--long"
    fence = re.search(r'hl_lines="(\d+)-(\d+)"', (DOCS_DIR / "raw-http.md").read_text())
    assert fence
    marked = int(fence[2]) - int(fence[1]) + 1
    assert code.evaluate("c => c.querySelectorAll('.code-row.hll').length") == marked
    assert marked <= shown <= marked + 2 * 2  # the highlighted lines, and a line around each run
    assert folds.count() == 2
    assert code.get_attribute("data-copy") == whole  # copied whole, folded or not
    # On a phone the output comes first, then the program.
    boxes = figure.evaluate(
        "f => [...f.querySelectorAll(':scope > .highlight')]"
        ".map(h => h.getBoundingClientRect().top)"
    )
    assert boxes[1] < boxes[0]
    figure.get_by_role("button", name="the whole program", exact=True).click()
    assert code.evaluate(rows) == len(whole.splitlines())
    assert folds.first.is_hidden()
    figure.get_by_role("button", name="the whole program", exact=True).click()
    assert code.evaluate(rows) == shown
    folds.first.click()  # a fold unfolds the whole program too
    assert code.evaluate(rows) == len(whole.splitlines())
    assert seen.errors == []


# The lines each highlighted run starts with. A snippet edited above a run moves what its page
# highlights without any other test noticing: this does (mend `hl_lines`, then this table).
HIGHLIGHTED = {
    "async.md": [
        "client = anthropic.AsyncAnthropic()",
        "async with client.messages.stream(",
        "async for text in stream.text_stream:",
        "message = await stream.get_final_message()",
    ],
    "deadlines.md": ['waiting_for, limit = "the headers", HEADERS'],
    "raw-http.md": ["def accumulate(events: Iterable[tuple[str, str]])"],
    "retrying.md": ["for attempt in range(1, MAX_ATTEMPTS + 1):"],
    "stop-reasons.md": ['case "max_tokens":'],
    "tool-loop.md": ["for request in range(1, 6):"],
    "tool-use.md": ["class ToolInputs:", "with client.messages.stream("],
}
HL_FENCE = re.compile(r'```python hl_lines="([^"]+)"\n--8<-- "(snippets/[^"]+)"')


def test_highlighted_lines_are_the_ones_their_page_is_about() -> None:
    found: dict[str, list[str]] = {}
    for page in sorted(DOCS_DIR.glob("**/*.md")):
        for fence in HL_FENCE.finditer(page.read_text()):
            lines = without_markers(DOCS_DIR.parent / fence[2]).splitlines()
            starts = []
            for run in fence[1].split():
                first, _, last = run.partition("-")
                span = lines[int(first) - 1 : int(last or first)]
                assert len(span) == int(last or first) - int(first) + 1, (page.name, run)
                assert span[0].strip(), f"{page.name}: {run} starts on a blank line"
                assert span[-1].strip(), f"{page.name}: {run} ends on a blank line"
                starts.append(span[0].strip())
            found[page.relative_to(DOCS_DIR).as_posix()] = starts
    assert found.keys() == HIGHLIGHTED.keys()
    for name, starts in found.items():
        wanted = HIGHLIGHTED[name]
        assert [s for s, w in zip(starts, wanted, strict=True) if not s.startswith(w)] == [], name
