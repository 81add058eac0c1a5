"""Reading the site's pages the way pymdownx.snippets and superfences do, for the checks."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

FENCE = re.compile(r"^(?P<indent>\s*)(?P<ticks>`{3,}|~{3,})\s*\{?\s*\.?(?P<lang>[\w+-]*)")
INCLUDE = re.compile(r"""--8<--\s+["'](?P<target>[^"']+)["']""")
SECTION_MARK = re.compile(r"--8<--\s+\[\s*(start|end)\s*:\s*(?P<name>[a-z][-_0-9a-z]*)\s*\]")


@dataclass(frozen=True)
class Block:
    page: Path
    line: int  # 1-based line of the opening fence
    lang: str
    body: list[str]

    @property
    def where(self) -> str:
        return f"{self.page.as_posix()}:{self.line}"


@dataclass(frozen=True)
class Include:
    page: Path
    line: int
    path: str
    section: str | None

    @property
    def where(self) -> str:
        return f"{self.page.as_posix()}:{self.line}"


def fenced_blocks(page: Path, text: str) -> Iterator[Block]:
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        match = FENCE.match(lines[index])
        if not match:
            index += 1
            continue
        ticks, indent = match["ticks"], match["indent"]
        end = index + 1
        while end < len(lines) and not lines[end].strip().startswith(ticks):
            end += 1
        body = [
            line[len(indent) :] if line.startswith(indent) else line
            for line in lines[index + 1 : end]
        ]
        yield Block(page, index + 1, match["lang"].lower(), body)
        index = end + 1


def includes(page: Path, text: str) -> Iterator[Include]:
    for number, line in enumerate(text.splitlines(), start=1):
        for match in INCLUDE.finditer(line):
            path, _, section = match["target"].partition(":")
            yield Include(page, number, path, section or None)


def sections(text: str) -> set[str]:
    return {match["name"] for match in SECTION_MARK.finditer(text)}


def included_text(root: Path, path: str, section: str | None = None) -> str:
    """What pymdownx.snippets puts in place of an include: the file under `root`, or its
    section, without the lines that mark sections."""
    lines = (root / path).read_text(encoding="utf-8").splitlines()
    if section:
        start = next(i for i, line in enumerate(lines) if f"[start:{section}]" in line)
        end = next(i for i, line in enumerate(lines) if f"[end:{section}]" in line)
        lines = lines[start + 1 : end]
    return "\n".join(line for line in lines if not sections(line))


def include_problems(include: Include, root: Path) -> list[str]:
    """Why an include would not render, in the form `page:line: reason` ([] when it is fine)."""
    target = root / include.path
    if not target.is_file():
        return [f"{include.where}: includes {include.path}, which does not exist"]
    if include.section and include.section not in sections(target.read_text(encoding="utf-8")):
        return [f"{include.where}: {include.path} has no section [start:{include.section}]"]
    return []


# An example on a page: a figure holding a download link to the program, the program, and its
# output below it (no tabs, no click), in this form:
#
#   <figure class="example" data-search-exclude markdown>
#
#   [`topic/name.py`](snippets/topic/name.py){ .example-file download }
#
#   ```python
#   --8<-- "snippets/topic/name.py"
#   ```
#
#   ```text title="Output"
#   --8<-- "snippets/topic/name.output.txt"
#   ```
#
#   </figure>
EXAMPLE = re.compile(
    r'^<figure class="example" data-search-exclude markdown>\n\n'
    r"\[`(?P<label>[^`]+)`\]\((?P<link>[^)]+)\)\{ \.example-file download \}\n\n"
    r"```\w+[^\n]*\n--8<-- \"(?P<program>[^\"]+)\"\n```\n\n"
    r'(?:```text title="Output"\n--8<-- "(?P<output>[^"]+)"\n```\n\n)?'
    r"</figure>$",
    re.M,
)


@dataclass(frozen=True)
class Example:
    page: Path
    line: int
    label: str
    link: str
    program: str
    output: str | None


def examples(page: Path, text: str) -> Iterator[Example]:
    for match in EXAMPLE.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        yield Example(page, line, match["label"], match["link"], match["program"], match["output"])
