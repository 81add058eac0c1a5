"""The pages show only tested code: includes of snippets and outputs, wire text from recordings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from stream_replay import load_recording, timeline

from .pages import Block, Example, Include, examples, fenced_blocks, include_problems, includes
from .project import (
    DOCS_DIR,
    RECORDINGS_DIR,
    ROOT,
    SERVED_SNIPPETS,
    SNIPPETS,
    faults_of,
    output_file,
    relative,
    snippet_name,
)

PAGES = sorted(DOCS_DIR.rglob("*.md"))


def all_blocks() -> list[Block]:
    return [b for page in PAGES for b in fenced_blocks(page.relative_to(ROOT), page.read_text())]


def all_includes() -> list[Include]:
    return [i for page in PAGES for i in includes(page.relative_to(ROOT), page.read_text())]


def is_snippet_include(line: str) -> bool:
    found = list(includes(Path(), line))
    return len(found) == 1 and found[0].path.startswith("snippets/")


def test_every_python_block_is_an_include_of_a_snippet() -> None:
    inline = [
        block.where
        for block in all_blocks()
        if block.lang in {"python", "py", "pycon"}
        and not all(is_snippet_include(line) for line in block.body if line.strip())
    ]
    assert inline == [], "Python written inline on a page; embed a file from snippets/ instead"


def test_every_include_resolves() -> None:
    problems = [p for include in all_includes() for p in include_problems(include, ROOT)]
    assert problems == []


def test_a_missing_section_is_reported_with_page_and_line(tmp_path: Path) -> None:
    page = Path("docs/example.md")
    text = 'Intro\n\n```python\n--8<-- "snippets/first_stream/text_stream.py:nope"\n```\n'
    [include] = includes(page, text)
    assert include_problems(include, ROOT) == [
        "docs/example.md:4: snippets/first_stream/text_stream.py has no section [start:nope]"
    ]


def all_examples() -> list[Example]:
    return [e for page in PAGES for e in examples(page.relative_to(ROOT), page.read_text())]


@pytest.mark.parametrize("snippet", SNIPPETS, ids=relative)
def test_every_snippet_is_an_example_with_its_output_in_sight(snippet: Path) -> None:
    """Each program is shown whole once, in an example: a link to download it, the program,
    and what it printed right below it."""
    shown = [e for e in all_examples() if e.program == relative(snippet)]
    assert shown, f"{relative(snippet)} is no example on any page"
    example = shown[0]
    assert example.link == relative(snippet), f"{example.page}:{example.line}: wrong download"
    assert example.label == snippet_name(snippet), f"{example.page}:{example.line}: wrong label"
    if snippet_name(snippet) in SERVED_SNIPPETS:
        assert example.output is None  # a web app prints nothing worth showing
    else:
        assert example.output == relative(output_file(snippet)), (
            f"{example.page}:{example.line}: the output below it is not its own"
        )


def test_a_whole_program_stands_only_in_an_example() -> None:
    in_examples = {(e.page, e.program) for e in all_examples()}
    loose = [
        include.where
        for include in all_includes()
        if include.section is None
        and include.path.startswith("snippets/")
        and not include.path.endswith(".output.txt")
        and (include.page, include.path) not in in_examples
    ]
    # An example inside a tab (indented) or in another form is not matched, and so is caught.
    assert loose == [], "a whole program outside an example: use the example form (tests/pages.py)"


def test_wire_text_on_pages_comes_from_recordings() -> None:
    recorded_lines = {
        line
        for path in RECORDINGS_DIR.rglob("*.toml")
        for line in load_recording(path).sse_body.decode().splitlines()
    }
    shown = [
        (block.where, line)
        for block in all_blocks()
        if block.lang in {"text", "sse", ""}
        for line in block.body
        if line.startswith(("event:", "data:"))
    ]
    assert shown, "the pages show no wire text at all"
    invented = [f"{where}: {line}" for where, line in shown if line not in recorded_lines]
    assert invented == [], "wire text on a page that no recording contains"


TIMELINES = sorted((DOCS_DIR / "timelines").rglob("*.txt"))


@pytest.mark.parametrize("shown", TIMELINES, ids=lambda p: p.stem)
def test_timelines_on_pages_are_their_recordings_timing(shown: Path, update_outputs: bool) -> None:
    key = shown.relative_to(DOCS_DIR / "timelines").with_suffix(".toml")
    text = timeline(load_recording(RECORDINGS_DIR / key))
    if update_outputs:
        shown.write_text(text, encoding="utf-8")
    assert shown.read_text(encoding="utf-8") == text


@pytest.mark.parametrize("snippet", [s for s in SNIPPETS if faults_of(s)], ids=relative)
def test_a_page_gives_the_command_that_reproduces_a_faulted_snippet(snippet: Path) -> None:
    flags = " ".join(f"--fault {spec}" for spec in faults_of(snippet))
    command = f"python3 dev.py run {relative(snippet)} {flags}"
    pages = [page for page in PAGES if relative(snippet) in page.read_text()]
    assert any(command in page.read_text() for page in pages), f"no page shows `{command}`"


# Where the site's recordings come from is said once, on the recording format page (and
# pointed to from the home page), not on every page that replays one.
PROVENANCE_HOME = {"docs/recordings.md", "docs/index.md"}


def test_the_provenance_of_the_recordings_is_said_in_one_place() -> None:
    repeated = [
        relative(page)
        for page in PAGES
        if "constructed to the documented wire format" in " ".join(page.read_text().split())
        and relative(page) not in PROVENANCE_HOME
    ]
    assert repeated == [], "link to recordings.md#where-the-recordings-on-this-site-come-from"


# Pages that teach carry their sources in one collapsed block at the end; the home page and
# the pages about the project's own tools have none to give.
PAGES_WITHOUT_SOURCES = {"index.md", "running.md", "recording.md", "recordings.md"}


@pytest.mark.parametrize(
    "page", [p for p in PAGES if p.name not in PAGES_WITHOUT_SOURCES], ids=lambda p: p.name
)
def test_a_page_ends_with_its_dated_sources(page: Path) -> None:
    text = page.read_text()
    assert text.count('??? info "Sources"') == 1, "one Sources block"
    block = text.split('??? info "Sources"', 1)[1]
    assert all(line.startswith("    ") or not line.strip() for line in block.splitlines()), (
        "the Sources block is the last thing on the page"
    )
    undated = [
        line.strip()
        for line in block.split("\n    - ")
        if "platform.claude.com" in line and not re.search(r"\d{4}-\d\d-\d\d", line)
    ]
    assert undated == [], "an official page cited without the date of the copy read"
    assert "as of November 2026" not in text
