"""The stored results (docs/sdk-versions/results.json), and the table the page includes."""

from __future__ import annotations

import html
import itertools
import json
import re
from typing import Any

from ..project import DOCS_DIR, ROOT
from .behaviours import BEHAVIOURS
from .measure import Measured, version_key

__all__ = [
    "COMMAND",
    "RESULTS_JSON",
    "TABLE",
    "changes",
    "load",
    "lock_version",
    "render",
    "store",
]

RESULTS_JSON = DOCS_DIR / "sdk-versions" / "results.json"
TABLE = DOCS_DIR / "sdk-versions" / "table.txt"
COMMAND = "python3 dev.py sdk-matrix --write"
TITLES = {behaviour.key: behaviour.title for behaviour in BEHAVIOURS}


def lock_version() -> str:
    """The `anthropic` release requirements.lock pins."""
    found = re.search(r"^anthropic==(\S+)", (ROOT / "requirements.lock").read_text(), re.M)
    if found is None:
        raise ValueError("requirements.lock pins no anthropic release")
    return found[1]


def load() -> dict[str, Any]:
    if not RESULTS_JSON.is_file():
        return {"command": COMMAND, "versions": {}}
    data: dict[str, Any] = json.loads(RESULTS_JSON.read_text())
    return data


def store(data: dict[str, Any], measured: Measured, date: str, python: str) -> None:
    """Put one release's outcomes in `data`; the date moves only when something changed."""
    entry = {"httpx2": measured.httpx2, "outcomes": measured.outcomes, "python": python}
    old = data["versions"].get(measured.version, {})
    unchanged = {k: old.get(k) for k in entry} == entry
    data["versions"][measured.version] = {**entry, "date": old["date"] if unchanged else date}
    data["versions"] = dict(sorted(data["versions"].items(), key=lambda kv: version_key(kv[0])))


def changes(expected: dict[str, str], actual: dict[str, str]) -> list[str]:
    """One line per behaviour whose outcome differs, naming it."""
    lines = []
    for key in sorted(expected.keys() | actual.keys(), key=list(TITLES).index):
        was, now = expected.get(key, "not measured"), actual.get(key, "not measured")
        if was != now:
            lines.append(f"{key} ({TITLES.get(key, key)}): was {was}; now {now}")
    return lines


def cell(text: str) -> str:
    """An outcome's Markdown (text and `code`) as HTML."""
    parts = text.split("`")
    return "".join(
        f"<code>{html.escape(part)}</code>" if odd else html.escape(part)
        for odd, part in zip(itertools.cycle((False, True)), parts, strict=False)
    )


def render(data: dict[str, Any]) -> str:
    """An HTML table, a row per behaviour (its id the behaviour's key) and a column per release;
    a cell spans the releases, next to each other, whose outcome is the same."""
    versions = sorted(data["versions"], key=version_key)
    head = "".join(f"<th>anthropic {v}</th>" for v in versions)
    lines = [
        f"<!-- Written by `{COMMAND}` from results.json: do not edit. -->",
        "",
        "<table>",
        f"<thead><tr><th>Behaviour</th>{head}</tr></thead>",
        "<tbody>",
    ]
    for behaviour in BEHAVIOURS:
        outcomes = [
            data["versions"][v]["outcomes"].get(behaviour.key, "not measured") for v in versions
        ]
        cells = [
            (f'<td colspan="{span}">' if (span := len(list(run))) > 1 else "<td>")
            + cell(outcome)
            + "</td>"
            for outcome, run in itertools.groupby(outcomes)
        ]
        title = f'<th scope="row">{cell(behaviour.title)}</th>'
        lines.append(f'<tr id="{behaviour.key}">{title}{"".join(cells)}</tr>')
    measured = ", ".join(
        f"{v} on {data['versions'][v]['date']} (httpx2 {data['versions'][v]['httpx2']}, "
        f"Python {data['versions'][v]['python']})"
        for v in versions
    )
    lines += [
        "</tbody>",
        "</table>",
        "",
        f"<small>Measured by <code>{COMMAND}</code>: {measured}.</small>",
        "",
    ]
    return "\n".join(lines)
