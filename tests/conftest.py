from __future__ import annotations

import sys
from pathlib import Path

import pytest

GUARD_DIR = Path(__file__).parent / "network_guard"
sys.path.insert(0, str(GUARD_DIR))
import network_guard  # noqa: E402

from .project import ROOT, build_site  # noqa: E402

# Before any test runs: no connection leaves the machine (see tests/network_guard/).
network_guard.install()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-outputs",
        action="store_true",
        help="rewrite each snippet's .output.txt with what it prints now, instead of checking it",
    )


@pytest.fixture
def update_outputs(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-outputs"))


@pytest.fixture(autouse=True)
def no_real_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never see the developer's key or SDK profile, so they pass the same with none."""
    for name in (
        "ANTHROPIC_API_KEY",
        "ANTHROPIC_AUTH_TOKEN",
        "ANTHROPIC_BASE_URL",
        "ANTHROPIC_PROFILE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ANTHROPIC_CONFIG_DIR", str(tmp_path / "anthropic-config"))


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site, built once per run with `mkdocs build --strict`."""
    site = tmp_path_factory.mktemp("site")
    result = build_site(ROOT, site)
    assert result.returncode == 0, result.stderr
    return site
