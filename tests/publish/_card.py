"""The social card: docs/assets/social-card.svg, drawn by hand, rendered to the PNG beside it
(link previews take PNG, not SVG) by Chromium, the browser the tests already drive.

The PNG carries the SHA-256 of the SVG it was rendered from in a text chunk, so a check can tell
that it is the picture of the SVG as it is now without rendering it again (another browser
version would not give the same pixels).
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from pathlib import Path

__all__ = ["CARD_PNG", "CARD_SVG", "png_size", "png_source", "render_card"]

ASSETS = Path(__file__).resolve().parents[2] / "docs" / "assets"
CARD_SVG = ASSETS / "social-card.svg"
CARD_PNG = ASSETS / "social-card.png"
SIGNATURE = b"\x89PNG\r\n\x1a\n"
SOURCE_KEY = b"Source-SHA256"


def _chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    if not png.startswith(SIGNATURE):
        raise ValueError("not a PNG file")
    chunks, at = [], len(SIGNATURE)
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        chunks.append((png[at + 4 : at + 8], png[at + 8 : at + 8 + length]))
        at += 12 + length
    return chunks


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_size(png: bytes) -> tuple[int, int]:
    kind, header = _chunks(png)[0]
    if kind != b"IHDR":
        raise ValueError("a PNG file that does not start with its header")
    width, height = struct.unpack(">II", header[:8])
    return width, height


def png_source(png: bytes) -> str | None:
    """The SHA-256 of the SVG the PNG was rendered from, if it says."""
    for kind, data in _chunks(png):
        key, _, value = data.partition(b"\0")
        if kind == b"tEXt" and key == SOURCE_KEY:
            return value.decode("ascii")
    return None


def render_card(
    chromium: str, flags: list[str], svg: Path = CARD_SVG, png: Path = CARD_PNG
) -> None:
    """Render `svg` at its own size with Chromium (launched with `flags`) into `png`, noting
    which SVG it was."""
    from playwright.sync_api import sync_playwright

    text = svg.read_text(encoding="utf-8")
    width, height = (int(v) for v in text.split('viewBox="0 0 ', 1)[1].split('"')[0].split())
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=flags)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.set_content(f'<body style="margin:0">{text}</body>')
            shot = page.screenshot(
                type="png", clip={"x": 0, "y": 0, "width": width, "height": height}
            )
        finally:
            browser.close()
    chunks = _chunks(shot)
    digest = hashlib.sha256(svg.read_bytes()).hexdigest().encode("ascii")
    out = SIGNATURE + _chunk(*chunks[0]) + _chunk(b"tEXt", SOURCE_KEY + b"\0" + digest)
    png.write_bytes(out + b"".join(_chunk(kind, data) for kind, data in chunks[1:]))
