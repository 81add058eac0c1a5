from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

GUARD_DIR = Path(__file__).parent / "network_guard"
sys.path.insert(0, str(GUARD_DIR))
import network_guard  # noqa: E402

from .browser import (  # noqa: E402, F401 - the browser tests' fixtures, for every module
    _loaded_pages,
    browser,
    browser_context,
    loaded,
    outside_the_browser,
    site_url,
    visits,
)
from .project import (  # noqa: E402
    PUBLISHED_REPO_URL,
    PUBLISHED_SITE_URL,
    auto_workers,
    once_per_run,
)

# Before any test runs: no connection leaves the machine (see tests/network_guard/).
network_guard.install()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-outputs",
        action="store_true",
        help="rewrite each snippet's .output.txt with what it prints now, instead of checking it",
    )


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto` (what `python3 dev.py test` passes): two workers more than the cores.

    Much of the suite waits rather than computes (replays at the recorded pace, stalls,
    timeouts, subprocesses and Chromium starting), and the extra workers fill those waits;
    more than two extra slow the timing tests' clocks on a busy machine.
    """
    return auto_workers()


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    """--update-outputs runs in one process: a run that writes files is not split up. On
    several workers, the tests of a group (tests/browser.py's same_page) run on one worker."""
    if config.getoption("--update-outputs") and getattr(config.option, "numprocesses", None):
        config.option.numprocesses = 0
    if getattr(config.option, "numprocesses", None) and config.option.dist == "no":
        config.option.dist = "loadgroup"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests that take longest start first: the lint and type checks (mypy alone takes a
    minute with no cache) and the commands run as a reader types them (marked e2e).
    pytest-xdist hands out tests in this order, so none of them starts when the other workers
    are nearly done and leaves the run waiting on one worker. (A stable sort: every worker
    collects the same order, and the others keep theirs.)"""
    items.sort(key=start_rank)


def start_rank(item: pytest.Item) -> int:
    """0: the lint and type checks; 1: the commands run as a reader types them; 2: the rest."""
    if item.path.name == "test_quality.py":
        return 0
    return 1 if item.get_closest_marker("e2e") else 2


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> object:
    with outside_the_browser(item):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> object:
    with outside_the_browser(item):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> object:
    with outside_the_browser(item):
        return (yield)


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
def run_dir(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Path:
    """A folder of this run, the same for every pytest-xdist worker of the run."""
    base = tmp_path_factory.getbasetemp()
    # A worker's base is <run>/popen-gwN; without xdist the base is the run's own.
    return base.parent if hasattr(request.config, "workerinput") else base


SITE_BUILD_BOUND = 600  # seconds: the site's build, and the other workers' wait for it


@contextmanager
def a_time_bound_of_its_own(seconds: float) -> Iterator[None]:
    """pytest-timeout's alarm (its signal method, this suite's) set to `seconds` for a while,
    then given back to the test with the time it had left: the site is the run's, built in
    whichever test first asks for it, and on a loaded machine takes longer than a test may."""
    if not hasattr(signal, "setitimer"):
        yield
        return
    left, _ = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, left)  # 0 (none set) stays none


@pytest.fixture(scope="session")
def built_site(run_dir: Path) -> Path:
    """The site as `python3 dev.py build` publishes it (MkDocs strict, then its Markdown pages,
    llms.txt and deck), for PUBLISHED_SITE_URL with a repository link: built once per run, for
    all workers, in this process."""
    from .publish import build  # MkDocs, imported by the worker that builds

    site = run_dir / "site"

    def publish() -> None:
        build(site, site_url=PUBLISHED_SITE_URL, repo_url=PUBLISHED_REPO_URL)

    # Built by one worker while the others wait for it, each within the same bound.
    with a_time_bound_of_its_own(SITE_BUILD_BOUND):
        once_per_run(run_dir, "site", publish, timeout=SITE_BUILD_BOUND)
    return site
