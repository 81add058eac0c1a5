"""Finding an API key in what is about to be written or loaded, however it is written.

A key can reach a recording in pieces or in disguise: split across two text deltas (the model
repeating it a few characters at a time), percent-encoded, base64-encoded or hex-encoded. The
check therefore looks at the whole text of a file line by line (decoding percent escapes), at
every string once its JSON escapes are decoded, and at each content block's deltas joined
end to end, as a client accumulates them. It looks for anything shaped like an Anthropic key
(`sk-ant-...`), and for the exact value and encodings of any key it is given (the recorder
gives the one it forwarded).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote, urlsplit, urlunsplit

__all__ = [
    "KEY_PATTERN",
    "SecretFinder",
    "credentials_in",
    "credentials_in_query",
    "json_unescaped",
    "redact_lines",
    "without_credentials",
]

# An Anthropic key looks like sk-ant-api03-...
KEY_PATTERN = re.compile(r"sk-ant-[A-Za-z0-9_-]{8,}")
KEY_PREFIX = "sk-ant-"
# A known key shorter than this is not searched for: it would match ordinary text.
SHORTEST_KNOWN_KEY = 8


def encoded_forms(secret: str) -> list[str]:
    """Substrings that any percent-, hex- or base64-encoding of `secret` must contain."""
    raw = secret.encode()
    forms = {
        quote(secret, safe=""),
        "".join(f"%{byte:02X}" for byte in raw),
        "".join(f"%{byte:02x}" for byte in raw),
        raw.hex(),
        raw.hex().upper(),
    }
    # Base64 at each of the three alignments the secret can start at; the characters that
    # also depend on the bytes around it are dropped from both ends.
    for shift in range(3):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            text = encode(b"\0" * shift + raw).decode().rstrip("=")
            start = (shift * 8 + 5) // 6  # first character made only of the secret's bits
            end = (len(b"\0" * shift + raw) * 8) // 6  # characters complete within it
            if end - start >= 6:
                forms.add(text[start:end])
    forms.discard(secret)
    return sorted(form for form in forms if form)


@dataclass(frozen=True)
class Found:
    offset: int  # where in the searched text it starts
    what: str  # how it was written, for the message


# How many layers of percent-encoding are undone when looking for a key.
PERCENT_ROUNDS = 5


class SecretFinder:
    """Searches text for an API key; `known` keys are searched for as well as key shapes."""

    def __init__(self, known: Iterable[str] = ()) -> None:
        keys = [key for key in known if len(key) >= SHORTEST_KNOWN_KEY]
        self._plain = [re.compile(re.escape(key)) for key in keys]
        self._encoded: list[str] = encoded_forms(KEY_PREFIX)
        for key in keys:
            self._encoded += encoded_forms(key)

    def search(self, text: str) -> Found | None:
        """The first key in `text`, written plainly, percent-encoded or in an encoding."""
        found = self._search_once(text)
        # Percent-encoding may be applied more than once (%2525...): decode a few rounds, in
        # a loop, so that no input can make this recurse without end.
        decoded = text
        for _ in range(PERCENT_ROUNDS):
            if found is not None or "%" not in decoded:
                break
            decoded, before = unquote(decoded), decoded
            if decoded == before:
                break
            if self._search_once(decoded) is not None:
                found = Found(text.index("%"), "a percent-encoded API key")
        return found

    def _search_once(self, text: str) -> Found | None:
        match = KEY_PATTERN.search(text)
        hits = [Found(match.start(), "an API key")] if match else []
        for pattern in self._plain:
            match = pattern.search(text)
            if match:
                hits.append(Found(match.start(), "the API key"))
        for form in self._encoded:
            offset = text.find(form)
            if offset >= 0:
                hits.append(Found(offset, "an encoded API key"))
        return min(hits, key=lambda found: found.offset, default=None)

    def search_lines(self, text: str) -> tuple[int, str] | None:
        """The 1-based line (counting LF, as TOML does) of the first key in `text`."""
        found = self.search(text)
        if found is not None:
            return text.count("\n", 0, found.offset) + 1, found.what
        if "%" in text:  # a percent-encoded key on one line
            for number, line in enumerate(text.split("\n"), start=1):
                if "%" in line and self.search(line) is not None:
                    return number, "a percent-encoded API key"
        return None


# A request header whose name says it carries a credential: x-api-key, authorization,
# x-goog-api-key, api-key, x-amz-security-token, cookie, ...
CREDENTIAL_HEADER = re.compile(r"key|token|secret|auth|password|credential|signature|cookie", re.I)
# An authorization value's scheme ("Bearer", "bearer", "Basic", "AWS4-HMAC-SHA256", ...).
AUTH_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9-]*\s+")


def credentials_in(headers: Iterable[tuple[str, str]]) -> set[str]:
    """Every secret a request's headers carry, as it may be echoed back on its own: a header's
    whole value, the credential after its scheme (`bearer` in any case), a basic password,
    each cookie's value and each `name=value` part of a signature."""
    found: set[str] = set()
    for name, value in headers:
        if not CREDENTIAL_HEADER.search(name):
            continue
        found.add(value.strip())
        if scheme := AUTH_SCHEME.match(value):
            credential = value[scheme.end() :].strip()
            found.add(credential)
            if scheme.group().strip().lower() == "basic":
                found |= set(_basic(credential))
        for part in re.split(r"[;,]\s*", value):
            found.add(part.partition("=")[2].strip())
    return {secret for secret in found if len(secret) >= SHORTEST_KNOWN_KEY}


def credentials_in_query(url: str) -> set[str]:
    """The values of a URL's query string, any of which may be a key (`?key=...`)."""
    try:
        query = urlsplit(url).query
    except ValueError:
        return set()
    return {v for _, v in parse_qsl(query) if len(v) >= SHORTEST_KNOWN_KEY}


def _basic(credential: str) -> list[str]:
    try:
        user, _, password = base64.b64decode(credential, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return []
    return [password, f"{user}:{password}"]


_JSON_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|.)", re.DOTALL)
_JSON_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def json_unescaped(text: str) -> str:
    """`text` with its JSON string escapes decoded (\\u002d -> -), whether or not it is whole
    JSON: a tool's input arrives as JSON text in pieces, and a key may hide escaped in it."""

    def decode(match: re.Match[str]) -> str:
        escape = match.group(1)
        if escape[0] == "u" and len(escape) == 5:
            return chr(int(escape[1:], 16))
        return _JSON_ESCAPES.get(escape, escape)

    return _JSON_ESCAPE.sub(decode, text) if "\\" in text else text


NOT_SHOWN = "(a line that holds what looks like an API key, not shown)"


def redact_lines(text: str, finder: SecretFinder) -> str:
    """`text` with each line that holds a key replaced (its first character, a diff's sign,
    kept): for messages, which must never repeat a key, however it was written."""
    lines = text.split("\n")
    for number, line in enumerate(lines):
        if finder.search(line) is not None:
            lines[number] = f"{line[:1]}  {NOT_SHOWN}" if line[:1] in "+- " else NOT_SHOWN
    return "\n".join(lines)


def strings_in(value: object) -> Iterator[str]:
    """Every string in a JSON value, keys included, without recursion (any depth is safe)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def without_credentials(url: str) -> str:
    """`url` without a `user:password@` part, a query or a fragment: safe to write or print."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<an unreadable URL>"
    host = parts.hostname or ""
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = f"{host}:{port}" if port is not None else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
