"""Finding a key however it is written (stream_replay._secrets); where a recording hides one is
tested with the format (tests/test_recording.py), what the recorder refuses with it
(tests/test_recorder.py)."""

from __future__ import annotations

import base64

from stream_replay._secrets import (
    CREDENTIAL_HEADER,
    KEY_PATTERN,
    PERCENT_ROUNDS,
    SHORTEST_KNOWN_KEY,
    SecretFinder,
    credentials_in,
    redact_lines,
)

from .project import DOCS_DIR

KEY = "sk-ant-api03-" + "Qx9" * 10


def test_every_header_that_carries_a_credential_gives_it() -> None:
    basic = base64.b64encode(b"alice:hunter2-secret").decode()
    headers = [
        ("x-api-key", KEY),
        ("authorization", "bearer tok_lower_12345"),  # a scheme in lower case
        ("Authorization", "Bearer tok_upper_12345"),
        ("x-goog-api-key", "AIzaSy-goog-key-12345"),
        ("proxy-authorization", f"Basic {basic}"),
        ("api-key", "azure-key-1234567"),
        ("cookie", "session=cookie-secret-123; theme=dark"),
        ("x-amz-security-token", "amz-session-token-123"),
        ("content-type", "application/json"),
        ("anthropic-version", "2026-10-21"),
        ("user-agent", "Anthropic/Python 2.12.0"),
    ]
    found = credentials_in(headers)
    for secret in (
        KEY,
        "tok_lower_12345",
        "tok_upper_12345",
        "AIzaSy-goog-key-12345",
        "hunter2-secret",
        "azure-key-1234567",
        "cookie-secret-123",
        "amz-session-token-123",
    ):
        assert secret in found, secret
    for ordinary in ("application/json", "2026-10-21", "Anthropic/Python 2.12.0", "dark"):
        assert ordinary not in found


def test_a_line_that_holds_a_key_is_not_shown() -> None:
    text = "\n".join(
        [
            "--- recordings/a.toml",
            f'+  "content": "my key is {KEY}",',
            '-  "user_id": "tok_lower_12345",',
            "+  " + base64.b64encode(KEY.encode()).decode(),
            "   unchanged",
        ]
    )
    shown = redact_lines(text, SecretFinder(["tok_lower_12345"]))
    lines = shown.splitlines()
    assert len(lines) == 5
    assert lines[0] == "--- recordings/a.toml"
    assert lines[4] == "   unchanged"
    for line in lines[1:4]:
        assert line[0] in "+-"
        assert line.endswith("(a line that holds what looks like an API key, not shown)")
    assert "tok_lower" not in shown
    assert KEY[7:] not in shown


def test_the_recording_page_describes_the_search_as_it_is() -> None:
    page = " ".join((DOCS_DIR / "recording.md").read_text().split())
    assert KEY_PATTERN.pattern == "sk-ant-[A-Za-z0-9_-]{8,}"
    assert "(`sk-ant-` and at least 8 more characters)" in page
    assert f"A value shorter than {SHORTEST_KNOWN_KEY} characters is not searched for" in page
    assert f"percent-encoding undone up to {PERCENT_ROUNDS} times" in page
    said = "header whose name says key, token, secret, auth, password, credential, signature or"
    assert said in page
    assert CREDENTIAL_HEADER.pattern == "key|token|secret|auth|password|credential|signature|cookie"
