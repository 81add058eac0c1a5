"""The SDK versions page: its table is what the SDK does, each claim links to its row, and the
scheduled workflow tries the newest release.

`python3 dev.py sdk-matrix --write` runs the checks of tests/sdk_matrix/ against every release
with a lock file, and stores the results in docs/sdk-versions/results.json, whose rendering
docs/sdk-versions/table.txt the page includes. Here the checks run against the installed SDK
(the lock's release), in this process, and must give the stored results.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import anthropic
import pytest
import yaml  # type: ignore[import-untyped]  # (mkdocs's own dependency)

from .pages import includes
from .project import DOCS_DIR, ROOT, SNIPPETS, relative, subprocess_env
from .sdk_matrix.__main__ import annotate
from .sdk_matrix.behaviours import BEHAVIOURS
from .sdk_matrix.checks import STALL_READ_TIMEOUT
from .sdk_matrix.measure import (
    LOCKS_DIR,
    lock_file,
    locked_versions,
    measure_here,
    measure_in,
    version_key,
)
from .sdk_matrix.report import TABLE, changes, load, lock_version, render

PAGE = DOCS_DIR / "sdk-versions.md"
KEYS = [behaviour.key for behaviour in BEHAVIOURS]


def stored_for(version: str) -> dict[str, str]:
    """The stored outcomes of `version`; a release newer than the table (the scheduled
    workflow's) is held to the lock's, so that what changed is named."""
    versions = load()["versions"]
    outcomes: dict[str, str] = versions.get(version, versions[lock_version()])["outcomes"]
    return outcomes


def test_the_stored_results_are_what_the_installed_sdk_does() -> None:
    measured = measure_here()
    assert measured.version == anthropic.__version__
    changed = changes(stored_for(measured.version), measured.outcomes)
    assert not changed, (
        f"anthropic {measured.version} no longer does what docs/sdk-versions/results.json "
        "says; run `python3 dev.py sdk-matrix --write` and update the pages that link to:\n"
        + "\n".join(changed)
    )


def test_another_environments_python_runs_the_checks_the_same_way() -> None:
    # The way other releases are measured: the checks in a separate Python, reading the
    # servers' addresses on stdin. Here this environment's own Python, on two cheap checks.
    cheap = [b for b in BEHAVIOURS if b.key in {"ping", "api-version", "http-529-retried"}]
    measured = measure_in(Path(sys.executable), cheap)
    assert measured.version == anthropic.__version__
    expected = {b.key: stored_for(measured.version)[b.key] for b in cheap}
    assert measured.outcomes == expected


def test_the_table_is_the_rendering_of_the_stored_results() -> None:
    assert TABLE.read_text() == render(load()), (
        "docs/sdk-versions/table.txt is not what `python3 dev.py sdk-matrix --write` renders"
    )


def test_the_page_shows_three_releases_or_more_and_ten_behaviours_or_more() -> None:
    assert [i.path for i in includes(PAGE, PAGE.read_text())] == ["docs/sdk-versions/table.txt"]
    versions = load()["versions"]
    assert {"2.0.0", "2.12.0", lock_version()} <= set(versions)  # the oldest 2.x, and the lock's
    assert lock_version() == max(versions, key=version_key)
    assert len(BEHAVIOURS) >= 10
    for version, entry in versions.items():
        assert set(entry["outcomes"]) == set(KEYS), version
        assert not [o for o in entry["outcomes"].values() if o.startswith("the check")], version
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", entry["date"])
    table = TABLE.read_text()
    assert table.count("<th>anthropic ") == len(versions)
    assert [f'<tr id="{key}">' in table for key in KEYS] == [True] * len(KEYS)


def test_every_release_measured_has_a_hash_pinned_lock_of_its_own() -> None:
    assert set(load()["versions"]) == {*locked_versions(), lock_version()}
    project_httpx2 = re.search(r"^httpx2==(\S+)", (ROOT / "requirements.lock").read_text(), re.M)
    assert project_httpx2
    for version in locked_versions():
        text = lock_file(version).read_text()
        assert re.search(rf"^anthropic=={re.escape(version)} ", text, re.M), version
        # Every requirement carries its hashes, so that pip installs it with --require-hashes.
        requirements = re.findall(r"^([a-z][\w.-]*==\S+)(?: ;[^\\\n]*)? \\\n\s+--hash=", text, re.M)
        assert len(requirements) == len(re.findall(r"^[a-z]", text, re.M)), version
        # The same HTTP library as the project's lock: a difference in the table is the SDK's.
        assert re.search(rf"^httpx2=={re.escape(project_httpx2[1])} ", text, re.M), version
    assert {p.name for p in LOCKS_DIR.iterdir()} == {
        f"anthropic-{v}.txt" for v in locked_versions()
    }


def test_each_page_that_depends_on_a_behaviour_links_to_its_row() -> None:
    missing = [
        f"{page} does not link to sdk-versions.md#{behaviour.key}"
        for behaviour in BEHAVIOURS
        for page in behaviour.pages
        if f"sdk-versions.md#{behaviour.key})" not in (DOCS_DIR / page).read_text()
    ]
    assert not missing, "\n".join(missing)
    for page in DOCS_DIR.glob("*.md"):
        for key in re.findall(r"sdk-versions\.md#([\w-]+)", page.read_text()):
            assert key in KEYS, f"{page.name} links to sdk-versions.md#{key}, which is no row"


def test_a_changed_behaviour_is_named_with_its_title(capsys: pytest.CaptureFixture[str]) -> None:
    stored = stored_for(lock_version())
    now = {**stored, "cut": "`httpx2.RemoteProtocolError` in the loop; 1 request"}
    lines = changes(stored, now)
    title = "The connection drops mid-stream"
    assert lines == [f"cut ({title}): was {stored['cut']}; now {now['cut']}"]
    annotate("9.9.9", lines)
    assert capsys.readouterr().out == f"  changed: {lines[0]}\n"


# -- httpx2's errors on the pages: each mention says which SDK releases it is for

HTTPX2_ERROR = re.compile(r"httpx2\.\w*(?:Error|Exception|Closed|ReadTimeout|PoolTimeout)\b")
# A release named ("before 2.17.0", "up to 2.16.0", "SDK 2.17.0"), the versions page, or the
# error given as the cause of the SDK's own.
VERSIONED = re.compile(r"\b2\.1[67]\.0\b|sdk-versions\.md|\bcause")
# Every page, the interview's generated ones and its cheat sheet included.
PAGES = sorted(DOCS_DIR.rglob("*.md"))


def passages(text: str) -> list[str]:
    """Paragraphs (blank-line separated), with each table row a passage of its own, under its
    table's header row (a column headed "SDK 2.17.0 raises (2.12.0)" versions its cells)."""
    out: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        rows = [line for line in paragraph.splitlines() if line.lstrip().startswith("|")]
        if not rows:
            out.append(paragraph)
            continue
        header, body = rows[0], [r for r in rows[2:] if not re.fullmatch(r"[\s|:-]*", r)]
        out.extend(f"{header}\n{row}" for row in body)
    return out


def unversioned_httpx2_errors(text: str) -> list[str]:
    return [
        " ".join(passage.split())[:160]
        for passage in passages(text)
        if HTTPX2_ERROR.search(passage) and not VERSIONED.search(passage)
    ]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: relative(p))
def test_a_page_that_names_an_httpx2_error_says_for_which_sdk_releases(page: Path) -> None:
    found = unversioned_httpx2_errors(page.read_text())
    assert not found, f"{relative(page)}: an httpx2 error with no SDK release: {found}"


def test_the_httpx2_scan_finds_an_unversioned_mention() -> None:
    advice = "Catch `httpx2.TransportError` around the loop for a cut."
    assert unversioned_httpx2_errors(f"Intro.\n\n{advice}\n") == [advice]
    assert not unversioned_httpx2_errors(f"{advice} Before 2.17.0, that is.\n")
    table = "| case | raises |\n|---|---|\n| a | `httpx2.ReadTimeout` |\n| b | 2.17.0 |\n"
    assert unversioned_httpx2_errors(table) == ["| case | raises | | a | `httpx2.ReadTimeout` |"]
    versioned = table.replace("| case | raises |", "| case | SDK 2.17.0 raises (2.12.0) |")
    assert not unversioned_httpx2_errors(versioned)


@pytest.mark.parametrize("snippet", SNIPPETS, ids=relative)
def test_no_snippet_catches_an_httpx2_error(snippet: Path) -> None:
    # The snippets catch what the lock's SDK raises: anthropic's classes. A comment may name
    # an httpx2 error for older releases, with the release.
    code = snippet.read_text()
    assert not re.search(r"except\b[^:\n]*httpx2\.", code), relative(snippet)
    for comment in comments(code):
        if HTTPX2_ERROR.search(comment):
            assert VERSIONED.search(comment), f"{relative(snippet)}: {comment}"


def comments(code: str) -> list[str]:
    """Each comment, its continuation lines joined to it."""
    found: list[str] = []
    joined = False
    for line in code.splitlines():
        text = line.partition("#")[2] if "#" in line else None
        if text is None:
            joined = False
        elif joined and line.lstrip().startswith("#"):
            found[-1] += " " + text.strip()
        else:
            found.append(text.strip())
            joined = True
    return found


# -- the command, CI and the scheduled workflow

WORKFLOW = ROOT / ".github" / "workflows" / "newest-sdk.yml"


@pytest.mark.e2e
def test_the_command_as_a_reader_types_it_in_its_cheapest_form() -> None:
    result = subprocess.run(
        [sys.executable, "dev.py", "sdk-matrix", "--installed"],
        cwd=ROOT,
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"anthropic {anthropic.__version__} (httpx2 " in result.stdout
    assert f"{len(BEHAVIOURS)} behaviours in " in result.stdout
    assert f"compared with the stored results of {anthropic.__version__}: the same" in (
        result.stdout
    )


def test_ci_runs_the_other_releases_after_the_tests() -> None:
    lines = [
        line.strip()
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line.strip().startswith(("python3 dev.py", "exec python3"))
    ]
    assert lines == ["python3 dev.py test", "python3 dev.py sdk-matrix"]


def workflow_steps() -> tuple[dict[Any, Any], list[dict[str, str]]]:
    workflow: dict[Any, Any] = yaml.safe_load(WORKFLOW.read_text())
    [job] = workflow["jobs"].values()
    return workflow, job["steps"]


def test_the_scheduled_workflow_installs_the_newest_release_not_the_locks() -> None:
    workflow, steps = workflow_steps()
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert "schedule" in triggers
    assert "workflow_dispatch" in triggers
    runs = [step.get("run", "") for step in steps]
    setup = next(i for i, run in enumerate(runs) if "python3 dev.py setup" in run)
    upgrade = next(i for i, run in enumerate(runs) if "install --upgrade" in run)
    tests = next(i for i, run in enumerate(runs) if "python3 dev.py test" in run)
    matrix = next(i for i, run in enumerate(runs) if "sdk-matrix --installed" in run)
    assert setup < upgrade < tests < matrix
    [install] = [line for line in runs[upgrade].splitlines() if "pip install" in line]
    # The newest release from the index: no pin, no lock file, no constraint.
    assert install.strip().endswith("pip install --upgrade anthropic"), install
    for pinned in ("==", "requirements", " -c ", "--constraint"):
        assert pinned not in install
    assert "--require-hashes" not in install
    # The installed release is printed, and the matrix runs even when the tests fail, so that
    # the run names every behaviour that changed.
    assert "anthropic.__version__" in runs[upgrade]
    assert steps[matrix].get("if") == "${{ !cancelled() }}"


def test_the_tests_keep_the_release_the_workflow_installed() -> None:
    # `python3 dev.py test` recreates .venv only when requirements.lock changes, so the release
    # the workflow installed over the lock's is the one the tests and the matrix run.
    source = (ROOT / "dev.py").read_text()
    assert 'INPUTS = ("requirements.lock",)' in source
    assert "STAMP.read_text() == wanted" in source


def test_the_readme_documents_the_command() -> None:
    readme = (ROOT / "README.md").read_text()
    for command in (
        "python3 dev.py sdk-matrix",
        "python3 dev.py sdk-matrix --write",
        "python3 dev.py sdk-matrix --installed",
    ):
        assert command in readme
    assert "tests/sdk_matrix/locks/" in readme


def test_the_page_describes_the_stall_check_as_it_is_run() -> None:
    [stall] = [b for b in BEHAVIOURS if b.key == "stall"]
    [spec] = stall.servers[0].faults
    _, event, seconds = spec.split(":")
    page = " ".join(PAGE.read_text().split())
    assert f"a {seconds} s stall before the twelfth event" in page
    assert event == "12"
    assert f"with a read timeout of {STALL_READ_TIMEOUT:g} s" in page
