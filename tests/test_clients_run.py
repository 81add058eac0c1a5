"""`python3 dev.py run` on the other clients' examples, as a reader with no AWS or Google
account, and no Anthropic key, types it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .project import ROOT, output_file, subprocess_env

pytestmark = pytest.mark.e2e

EXAMPLES = [
    Path("snippets/bedrock/text_stream.py"),
    Path("snippets/bedrock/frames.py"),
    Path("snippets/vertex/text_stream.py"),
    Path("snippets/openai_compat/text_stream.py"),
    Path("snippets/first_stream/text_stream.ts"),
]


@pytest.mark.parametrize("snippet", EXAMPLES, ids=str)
def test_dev_run_replays_another_clients_example(snippet: Path) -> None:
    if snippet.suffix == ".ts" and shutil.which("node") is None:
        pytest.skip("Node is missing: TypeScript examples need it (.ci/run installs it)")
    # No AWS_*, Google or OpenAI variables either: the replay gives its placeholders.
    env = {
        k: v
        for k, v in subprocess_env().items()
        if not k.startswith(("AWS_", "GOOGLE_", "CLOUDSDK_", "OPENAI_", "CLOUD_ML_"))
    }
    result = subprocess.run(
        [sys.executable, "dev.py", "run", str(snippet), "--speed", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == output_file(ROOT / snippet).read_text()
    recording = Path("recordings", *snippet.parts[1:]).with_suffix(".toml").as_posix()
    assert f"replaying {recording}: constructed" in result.stderr
