"""Practising the bank: the mock interview's page and data, the list of every question, the
vendored schedule and the weight of it all (the browser tests: test_practice_browser.py).

`python3 dev.py test --update-outputs` rewrites the generated files; without it, these tests
fail when a committed file no longer matches the bank.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from .interview import BANK_DIR, load_bank
from .practice import (
    FSRS_FILE,
    FSRS_PACKAGE,
    FSRS_SHA256,
    PRACTICE_ASSETS,
    PRACTICE_DATA,
    PRACTICE_PAGE,
    VENDOR_DIR,
    locked_version,
    practice_files,
    render_listing,
    render_practice_page,
    unwrapped_fsrs,
    wrapped_fsrs,
)
from .project import ROOT

QUESTIONS = load_bank()
# Everything practising adds to a bank page: its scripts and styles, uncompressed.
ASSET_BUDGET = 40 * 1024


FILES = {PRACTICE_PAGE: render_practice_page(QUESTIONS)} | practice_files(QUESTIONS)


@pytest.mark.parametrize("path", sorted(FILES), ids=lambda p: p.name)
def test_the_practice_files_are_generated_from_the_bank(path: Path, update_outputs: bool) -> None:
    if update_outputs:
        path.parent.mkdir(exist_ok=True)
        path.write_text(FILES[path], encoding="utf-8")
    assert path.is_file(), (
        f"{path.relative_to(ROOT)} is missing: run `python3 dev.py test --update-outputs`"
    )
    assert path.read_text(encoding="utf-8") == FILES[path], (
        f"{path.relative_to(ROOT)} is stale: run `python3 dev.py test --update-outputs`"
    )


def test_no_practice_data_is_left_from_a_group_gone(update_outputs: bool) -> None:
    for path in PRACTICE_DATA.iterdir():
        if path not in FILES and update_outputs:
            path.unlink()
    assert sorted(PRACTICE_DATA.iterdir()) == sorted(p for p in FILES if p.parent == PRACTICE_DATA)


def test_the_practice_data_holds_every_question_once() -> None:
    listing = json.loads(FILES[PRACTICE_DATA / "questions.json"])
    assert [q["id"] for q in listing["questions"]] == [q.id for q in QUESTIONS]
    for entry in listing["questions"]:
        answers = json.loads(FILES[PRACTICE_DATA / f"{entry['group']}.json"])
        answer = answers[entry["id"]]
        assert answer["headline"], entry["id"]
        assert answer["answer"].startswith("<"), entry["id"]
        assert answer["signals"], entry["id"]
        assert ("rubric" in answer) == (entry["level"] == "design"), entry["id"]
    by_group = [
        json.loads(FILES[path])
        for path in FILES
        if path.name != "questions.json" and path.suffix == ".json"
    ]
    assert sum(len(answers) for answers in by_group) == len(QUESTIONS)


def test_the_index_lists_every_question_once_with_its_group_and_level() -> None:
    index = (BANK_DIR / "index.md").read_text(encoding="utf-8")
    assert render_listing(QUESTIONS) in index
    listed = re.findall(r'<li data-qid="([a-z0-9-]+)" data-level="([a-z]+)"', index)
    assert listed == [(q.id, q.level) for q in sorted(QUESTIONS, key=group_order)]


def group_order(question: object) -> int:
    from .interview import GROUPS

    return [g.key for g in GROUPS].index(question.group)  # type: ignore[attr-defined]


def test_the_schedule_is_the_pinned_package_unchanged(update_outputs: bool) -> None:
    version = locked_version()
    package = json.loads((VENDOR_DIR / "package.json").read_text())
    assert package["dependencies"] == {FSRS_PACKAGE: version}  # an exact version, no range
    installed = VENDOR_DIR / "node_modules" / FSRS_PACKAGE / "index.js"
    if update_outputs and installed.exists():  # after `npm ci --prefix vendor`
        FSRS_FILE.write_bytes(wrapped_fsrs(installed.read_bytes(), version))
    vendored = FSRS_FILE.read_bytes()
    original = unwrapped_fsrs(vendored)
    assert hashlib.sha256(original).hexdigest() == FSRS_SHA256
    assert vendored == wrapped_fsrs(original, version)
    assert (FSRS_FILE.parent / "femto-fsrs.LICENSE.txt").read_text().startswith("MIT License")


def test_the_practice_scripts_and_styles_stay_small() -> None:
    sizes = {path.name: path.stat().st_size for path in PRACTICE_ASSETS}
    assert sum(sizes.values()) < ASSET_BUDGET, sizes


def test_the_practice_scripts_ask_no_other_server() -> None:
    for path in PRACTICE_ASSETS:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"https?://|//[a-z]", text.split("*/", 1)[-1]), path.name
