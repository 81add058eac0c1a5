"""packages/stream-replay: the toolkit built as its own wheel, its metadata, its README's
example, and the wheel installed into a clean environment with only its declared dependencies
(copied from this one: no network), where a test that uses `replay` passes."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Iterator
from email.parser import Parser
from importlib.metadata import Distribution, distribution
from pathlib import Path

import pytest
from packaging.requirements import Requirement

import stream_replay
from stream_replay import build_recording, dump_recording, text_events

from .project import RECORDINGS_DIR, ROOT, subprocess_env

pytest_plugins = ["pytester"]

PACKAGE = ROOT / "packages" / "stream-replay"
SRC_DIR = ROOT / "src"
PROJECT = tomllib.loads((PACKAGE / "pyproject.toml").read_text())["project"]
README = (PACKAGE / "README.md").read_text()


def test_the_version_is_the_same_in_the_package_its_metadata_and_its_changelog() -> None:
    changelog = (PACKAGE / "CHANGELOG.md").read_text()
    newest = re.search(r"^## (\d+\.\d+\.\d+) \(\d{4}-\d\d-\d\d\)$", changelog, re.MULTILINE)
    assert newest is not None
    assert PROJECT["version"] == stream_replay.__version__ == newest.group(1)


def test_the_testing_page_and_the_readme_install_this_package() -> None:
    command = "pip install path/to/the/clone/packages/stream-replay"
    assert f"$ {command}" in (ROOT / "docs" / "testing.md").read_text()
    assert "packages/stream-replay`)" in (ROOT / "README.md").read_text()


def test_it_depends_on_what_the_site_installs_it_with_and_nothing_else() -> None:
    site = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert PROJECT["dependencies"] == site["dependencies"]
    assert PROJECT["scripts"] == site["scripts"]
    assert PROJECT["entry-points"] == site["entry-points"]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    built = subprocess.run(
        [
            *(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"),
            *("--disable-pip-version-check", "--quiet", "-w", str(out), str(PACKAGE)),
        ],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    [path] = out.glob("stream_replay-*.whl")
    return path


@pytest.mark.e2e
def test_the_wheel_holds_the_package_its_readme_and_its_entry_points(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        info = f"stream_replay-{stream_replay.__version__}.dist-info"
        metadata = Parser().parsestr(archive.read(f"{info}/METADATA").decode())
        entry_points = archive.read(f"{info}/entry_points.txt").decode()
    modules = sorted(
        p.relative_to(SRC_DIR).as_posix() for p in (SRC_DIR / "stream_replay").glob("*.py")
    )
    assert sorted(n for n in names if n.endswith(".py")) == modules
    assert "stream_replay/py.typed" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert metadata["Name"] == "stream-replay"
    assert metadata["Version"] == stream_replay.__version__
    assert sorted(metadata.get_all("Requires-Dist") or []) == sorted(PROJECT["dependencies"])
    assert metadata.get_payload() == README
    assert "stream-replay = stream_replay._cli:main" in entry_points
    assert "stream_replay = stream_replay.pytest_plugin" in entry_points


def test_the_readmes_example_passes(pytester: pytest.Pytester) -> None:
    """The README's ten lines, against a recording of the request they send."""
    [example] = re.findall(r"```python\n(.*?)```", README, re.DOTALL)
    request = {
        "model": "claude-sonnet-5-5",
        "max_tokens": 100,
        "messages": [{"role": "user", "content": "Hi"}],
    }
    words = [f"word{i} " for i in range(8)]
    recording = build_recording(text_events(*words), request=request)
    (pytester.path / "recordings").mkdir()
    (pytester.path / "recordings" / "hello.toml").write_text(dump_recording(recording))
    pytester.makeini("[pytest]\n")
    pytester.makepyfile(test_readme=example)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


# A test another project might write, with nothing but the wheel's dependencies and pytest:
# httpx reads the stream, and the fault cuts it.
THEIR_TEST = """
import json
import os
import tomllib

import httpx
import pytest

RECORDED = tomllib.load(open("recordings/summarise.toml", "rb"))["request"]


@pytest.mark.replay("recordings/summarise.toml", faults=["cut:4"])
def test_a_cut_stream(replay):
    headers = {"x-api-key": os.environ["ANTHROPIC_API_KEY"], **RECORDED["headers"]}
    with httpx.Client(base_url=os.environ["ANTHROPIC_BASE_URL"]) as client:
        with client.stream("POST", "/v1/messages", json=json.loads(RECORDED["body"]),
                           headers=headers) as response:
            with pytest.raises(httpx.RemoteProtocolError):
                response.read()
    replay.assert_outcome_reported(succeeded=False)
    replay.assert_connections_closed()
"""


@pytest.mark.e2e
def test_the_wheel_alone_runs_a_test_that_uses_replay(wheel: Path, tmp_path: Path) -> None:
    env = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True)
    python = env / "bin" / "python"
    [site_packages] = (env / "lib").glob("python3*/site-packages")
    # The wheel's declared dependencies and the test runner, as installed here: nothing else.
    for dist in _closure([*PROJECT["dependencies"], "pytest"]):
        _copy(dist, site_packages)
    installed = subprocess.run(
        [
            *(sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps"),
            *("--no-index", "--disable-pip-version-check", "--quiet", str(wheel)),
        ],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=300,
    )
    assert installed.returncode == 0, installed.stderr
    project = tmp_path / "theirs"
    (project / "recordings").mkdir(parents=True)
    shutil.copy(RECORDINGS_DIR / "testing" / "summarise.toml", project / "recordings")
    (project / "test_theirs.py").write_text(THEIR_TEST)
    (project / "pytest.ini").write_text("[pytest]\n")

    def run(*command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            command, cwd=project, capture_output=True, text=True, env=subprocess_env(), timeout=120
        )

    found = run(str(python), "-c", "import anthropic")
    assert "No module named 'anthropic'" in found.stderr  # nothing of this environment's
    tests = run(str(python), "-m", "pytest", "-p", "no:cacheprovider", "--strict-markers")
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "1 passed" in tests.stdout
    checked = run(str(env / "bin" / "stream-replay"), "check", "recordings/summarise.toml")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def _closure(requirements: list[str]) -> Iterator[Distribution]:
    """The installed distributions `requirements` need, theirs included (extras left out)."""
    seen: set[str] = set()
    wanted = [Requirement(r) for r in requirements]
    while wanted:
        requirement = wanted.pop()
        name = requirement.name.lower().replace("_", "-")
        if name in seen or (requirement.marker and not requirement.marker.evaluate()):
            continue
        seen.add(name)
        dist = distribution(name)
        yield dist
        for need in map(Requirement, dist.requires or []):
            if not need.marker or need.marker.evaluate({"extra": ""}):
                wanted.append(need)


def _copy(dist: Distribution, site_packages: Path) -> None:
    for file in dist.files or []:
        if file.parts[0] == ".." or "__pycache__" in file.parts:
            continue  # scripts in bin/, compiled caches
        target = site_packages / file
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(Path(str(dist.locate_file(file))), target)
