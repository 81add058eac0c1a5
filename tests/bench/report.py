"""The figures as the Benchmarks page shows them: docs/benchmarks/figures.json, rendered.

`render()` turns the stored figures into Markdown, in named sections the page includes
(`--8<-- "docs/benchmarks/figures.txt:fidelity"`); tests/test_benchmarks.py checks that the
file is the rendering of the data, so that no figure on the page is typed by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
FIGURES_JSON = ROOT / "docs" / "benchmarks" / "figures.json"
FIGURES_TEXT = ROOT / "docs" / "benchmarks" / "figures.txt"
# In the order they are measured: the suite last, since its tests read the figures written.
SECTIONS = ("fidelity", "load", "snippets", "site", "costs", "suite")
PAGE_BUDGET_KB = 500


@dataclass(frozen=True)
class Target:
    """A target of issue 14, and how to read the figure it applies to."""

    what: str
    section: str
    wanted: str
    figure: Callable[[dict[str, Any]], float | None]  # None: not in the stored figures
    shown: Callable[[float], str]
    met: Callable[[float], bool]

    def value(self, figures: dict[str, Any]) -> float | None:
        """The figure, if its section and the figure itself were measured."""
        if self.section not in figures:
            return None
        return self.figure(figures[self.section])


def _beyond_floor(key: str) -> Callable[[dict[str, Any]], float | None]:
    """The replay server's lateness minus the floor's, medians of the runs."""

    def beyond(s: dict[str, Any]) -> float | None:
        if "floor_median" not in s:
            return None
        return float(s["median"][key] - s["floor_median"][key])

    return beyond


def _load_row(clients: int, speed: float) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def row(s: dict[str, Any]) -> dict[str, Any]:
        return next(r for r in s["rows"] if r["clients"] == clients and r["speed"] == speed)

    return row


def _load_problems(clients: int, speed: float) -> Callable[[dict[str, Any]], float]:
    """Streams lost or not byte-identical, in the worst run."""

    def problems(s: dict[str, Any]) -> float:
        row = _load_row(clients, speed)(s)
        return float(row["clients"] - row["identical_all_runs"] + row["lost_all_runs"])

    return problems


def _ms(x: float) -> str:
    return f"{x:.1f} ms"


TARGETS = [
    Target(
        "Replay timing at speed 1, p95 of each event's lateness",
        "fidelity",
        "at most 3 ms",
        lambda s: s["median"]["p95_ms"],
        _ms,
        lambda x: x <= 3,
    ),
    Target(
        "Replay timing at speed 1, the latest event",
        "fidelity",
        "at most 10 ms",
        lambda s: s["median"]["max_ms"],
        _ms,
        lambda x: x <= 10,
    ),
    Target(
        "Replay server beyond the floor, p95 of each event's lateness",
        "fidelity",
        "at most 1 ms",
        _beyond_floor("p95_ms"),
        lambda x: f"{x:+.1f} ms",
        lambda x: x <= 1,
    ),
    Target(
        "Replay server beyond the floor, the latest event",
        "fidelity",
        "at most 2 ms",
        _beyond_floor("max_ms"),
        lambda x: f"{x:+.1f} ms",
        lambda x: x <= 2,
    ),
    Target(
        "One SDK client, every recording in turn: the latest first event",
        "fidelity",
        "within 5 ms",
        lambda s: s["sdk_median"]["first_event_max_ms"] if "sdk_median" in s else None,
        _ms,
        lambda x: x <= 5,
    ),
    *(
        Target(
            f"{clients} concurrent streams at speed {speed}: lost or not byte-identical",
            "load",
            "none",
            _load_problems(clients, speed),
            lambda x: f"{x:.0f}",
            lambda x: x == 0,
        )
        for clients in (100, 300)
        for speed in (0, 1)
    ),
    Target(
        "Per-snippet cost at speed 0, median",
        "snippets",
        "under 60 ms",
        lambda s: s["median_ms"],
        lambda x: f"{x:.0f} ms",
        lambda x: x < 60,
    ),
    Target(
        "The whole test suite, browser tests included",
        "suite",
        "under 60 s",
        lambda s: s["wall_s"],
        lambda x: f"{x:.0f} s",
        lambda x: x < 60,
    ),
    Target(
        "`mkdocs build --strict`",
        "site",
        "under 5 s",
        lambda s: s["build_s"],
        lambda x: f"{x:.1f} s",
        lambda x: x < 5,
    ),
    Target(
        "The heaviest first visit of a page",
        "site",
        f"under {PAGE_BUDGET_KB} KB",
        lambda s: max(p["bytes"] for p in s["pages"]) / 1024,
        lambda x: f"{x:.0f} KB",
        lambda x: x < PAGE_BUDGET_KB,
    ),
    Target(
        "Requests to anything but the site, all pages",
        "site",
        "none",
        lambda s: sum(len(p["outside"]) for p in s["pages"]),
        lambda x: f"{x:.0f}",
        lambda x: x == 0,
    ),
]


def section(name: str, lines: list[str]) -> list[str]:
    return [f"<!-- --8<-- [start:{name}] -->", *lines, f"<!-- --8<-- [end:{name}] -->", ""]


def render(stored: dict[str, Any]) -> str:
    figures: dict[str, Any] = stored.get("sections", {})
    out = [
        "<!-- Written by `python3 dev.py bench --write` from figures.json: do not edit. -->",
        "",
    ]
    out += section("machine", _machine(stored))
    out += section("targets", _targets(figures))
    renderers = {
        "fidelity": _fidelity,
        "load": _load,
        "snippets": _snippets,
        "suite": _suite,
        "site": _site,
        "costs": _costs,
    }
    for name in SECTIONS:
        if name in figures:
            out += section(name, [*renderers[name](figures[name]), _when(figures[name])])
        else:
            out += section(name, ["Not measured yet: `python3 dev.py bench --write`."])
    return "\n".join(out).rstrip("\n") + "\n"


def missed(stored: dict[str, Any]) -> list[str]:
    """The targets the stored figures miss."""
    figures = stored.get("sections", {})
    return [t.what for t in TARGETS if (value := t.value(figures)) is not None and not t.met(value)]


def _when(figures: dict[str, Any]) -> str:
    load = figures.get("load_after")
    busy = f"; load average (1 min) at its end: {load}" if load is not None else ""
    by = f" by `{figures['command']}`" if "command" in figures else ""
    return f"<small>Measured {figures['date']}{by}, in {figures['seconds']:.0f} s{busy}.</small>"


def _machine(stored: dict[str, Any]) -> list[str]:
    about = stored["machine"]
    versions = ", ".join(f"{name} {version}" for name, version in sorted(about["versions"].items()))
    load = about.get("load_average")
    chromium = stored.get("sections", {}).get("site", {}).get("chromium")
    return [
        "| | |",
        "|---|---|",
        f"| Processor | {about['cpu']}, {about['cores']} cores |",
        f"| Memory | {about['memory_gb']} GB |",
        f"| System | {about['os']}, Python {about['python']} |",
        f"| Versions | {versions}" + (f", Chromium {chromium}" if chromium else "") + " |",
        f"| Load average at the start (1, 5, 15 min) | {', '.join(map(str, load))} |"
        if load
        else "| Load average | not known |",
        f"| Commit | `{about['commit']}` |",
        f"| Command | `{stored['command']}` ({stored['runs']} runs per figure in the last) |",
    ]


def _targets(figures: dict[str, Any]) -> list[str]:
    lines = ["| figure | target | measured | |", "|---|---|---|---|"]
    for target in TARGETS:
        value = target.value(figures)
        if value is None:
            lines.append(f"| {target.what} | {target.wanted} | not measured | |")
            continue
        verdict = "met" if target.met(value) else "**missed**"
        lines.append(f"| {target.what} | {target.wanted} | {target.shown(value)} | {verdict} |")
    return lines


def _fidelity(f: dict[str, Any]) -> list[str]:
    lines = [
        "| run | server | streams | events | p50 | p95 | p99 | max | first event: p50"
        " | first event: max | first event arrived after (p50) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    rows = []
    floors = f.get("floor_runs", [])
    for n, r in enumerate(f["runs"], start=1):
        if n <= len(floors):
            rows.append((str(n), "floor", floors[n - 1]))
        rows.append((str(n), "replay server", r))
    if "floor_median" in f:
        rows.append(("**median**", "floor", f["floor_median"]))
    rows.append(("**median**", "replay server", f["median"]))
    for label, server, r in rows:
        lines.append(
            f"| {label} | {server} | {r['streams']:.0f} | {r['events']:.0f} | {r['p50_ms']:.2f} ms"
            f" | {r['p95_ms']:.2f} ms | {r['p99_ms']:.2f} ms | {r['max_ms']:.2f} ms"
            f" | {r['first_event_p50_ms']:.2f} ms | {r['first_event_max_ms']:.2f} ms"
            f" | {r['first_event_at_p50_s'] * 1000:.0f} ms |"
        )
    lines += [
        "",
        f"<small>Lateness of each event: observed minus recorded offset from the request."
        f" {f['at_once']} streams at a time, each on a new connection, to a server started"
        " for the run: the floor (plain asyncio writing the same bytes on the same schedule)"
        " and the replay server, one after the other with the same client.</small>",
    ]
    if "floor_median" not in f or "sdk_median" not in f:
        lines += [
            "",
            "The floor and one SDK client: not measured yet in this section's run"
            " (`python3 dev.py bench --only fidelity --write`).",
            "",
        ]
    if "floor_median" in f:
        median, floor = f["median"], f["floor_median"]
        ratio = median["p95_ms"] / floor["p95_ms"] if floor["p95_ms"] > 0 else float("nan")
        lines += [
            "",
            f"The replay server beyond the floor (medians): p95"
            f" {median['p95_ms'] - floor['p95_ms']:+.2f} ms, the latest event"
            f" {median['max_ms'] - floor['max_ms']:+.2f} ms; the server's p95 is"
            f" {ratio:.2f} times the floor's.",
        ]
    if "sdk_median" in f:
        lines += [
            "",
            "One `anthropic.Anthropic()` client, every streamed recording of the Messages API"
            " in turn (not Bedrock's, Vertex's or the OpenAI-compatible endpoint's), its"
            " connections kept alive from one stream to the next:",
            "",
            "| run | server | streams | first event: p50 | first event: p95 | first event: max |",
            "|---|---|---|---|---|---|",
        ]
        sdk_rows = []
        for n, (floor_run, run) in enumerate(
            zip(f["sdk_floor_runs"], f["sdk_runs"], strict=True), start=1
        ):
            sdk_rows += [(str(n), "floor", floor_run), (str(n), "replay server", run)]
        sdk_rows += [
            ("**median**", "floor", f["sdk_floor_median"]),
            ("**median**", "replay server", f["sdk_median"]),
        ]
        for label, server, r in sdk_rows:
            lines.append(
                f"| {label} | {server} | {r['streams']:.0f} | {r['first_event_p50_ms']:.2f} ms"
                f" | {r['first_event_p95_ms']:.2f} ms | {r['first_event_max_ms']:.2f} ms |"
            )
        lines += [
            "",
            f"<small>Each stream's first event, as the SDK hands it to the loop, minus its"
            f" recorded offset; {f['sdk_at_once']} threads share the client, each reading its"
            " streams to the end, so that each connection carries stream after stream.</small>",
        ]
    return lines


def _load(f: dict[str, Any]) -> list[str]:
    lines = [
        "| clients | speed | byte-identical | lost | events/s | wall | server peak memory"
        " | first event late (p50, max) | each later event, beyond the first's (p95, max) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in f["rows"]:
        late = (
            f"{r['first_p50_ms']:.1f} ms, {r['first_max_ms']:.1f} ms"
            f" | {r['paced_p95_ms']:.1f} ms, {r['paced_max_ms']:.1f} ms"
            if "first_p50_ms" in r
            else "- | -"
        )
        lines.append(
            f"| {r['clients']:.0f} | {r['speed']:g} | {r['identical_all_runs']:.0f}"
            f" | {r['lost_all_runs']:.0f} | {r['events_per_s']:,.0f} | {r['wall_s']:.2f} s"
            f" | {r['peak_rss_mb']:.0f} MB | {late} |"
        )
    lines += [
        "",
        f"<small>Median of {f['runs']} runs (byte-identical: the fewest of any run; lost: the"
        " most). Every client is opened at once by one Python process, so the first events"
        " wait for it to open all the connections; the last column is each later event's"
        " lateness minus its stream's first: whether the server keeps the recorded pace."
        " Peak memory is the server process's peak resident set.</small>",
    ]
    return lines


def _snippets(f: dict[str, Any]) -> list[str]:
    return [
        "| snippets | median | max | of it, starting and stopping the server (median)"
        " | `import anthropic`, once |",
        "|---|---|---|---|---|",
        f"| {f['snippets']} | {f['median_ms']:.0f} ms | {f['max_ms']:.0f} ms (`{f['slowest']}`)"
        f" | {f['harness_median_ms']:.1f} ms | {f['import_s']:.2f} s |",
        "",
        f"<small>Each snippet the suite replays at speed 0, {f['runs']} times; per snippet the"
        " median. A snippet whose recording makes the SDK retry waits for the SDK's"
        " back-off.</small>",
    ]


def _suite(f: dict[str, Any]) -> list[str]:
    return [
        "| wall | CPU | workers | result |",
        "|---|---|---|---|",
        f"| {f['wall_s']:.0f} s | {f['cpu_s']:.0f} s | {f['workers']} | {f['summary']} |",
        "",
        "The slowest tests in that run (`--durations`; a test waits for a free core as well as"
        " for what it tests):",
        "",
        "| seconds | test |",
        "|---|---|",
        *(f"| {seconds:.1f} | `{test}` |" for seconds, test in f.get("slowest", [])),
    ]


def _site(f: dict[str, Any]) -> list[str]:
    lines = [
        f"`mkdocs build --strict`: {f['build_s']:.2f} s (median of {f['runs']}).",
        "",
        "| page | first visit | load |",
        "|---|---|---|",
    ]
    for p in f["pages"]:
        lines.append(f"| `{p['page']}` | {p['bytes'] / 1024:.0f} KB | {p['load_ms']:.0f} ms |")
    return lines


def _costs(f: dict[str, Any]) -> list[str]:
    return ["```text", *f["lines"], "```"]
