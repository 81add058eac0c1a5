"""What axe-core checks on the site's pages, and the rules it does not check, each with its
reason: the one place they are switched off (tests/test_layout.py runs axe on every page in
both themes; tests/test_player.py on a played player).

Axe runs the whole of WCAG 2 A and AA it can test, and its best practices. Every finding it
made on the site has been fixed rather than switched off: Material's search dialog and the
bar of each code block's copy button are named by site.js, an empty table header cell is made
a plain cell, a table or picture that scrolls is reachable by the keyboard, and a link in a
table header is underlined.
"""

from __future__ import annotations

from typing import Any

__all__ = ["AXE_OPTIONS", "DISABLED"]

# rule id -> why it is not checked. Empty: every rule runs.
DISABLED: dict[str, str] = {}

AXE_OPTIONS: dict[str, Any] = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "best-practice"]},
    "rules": {rule: {"enabled": False} for rule in DISABLED},
    # What the tests read: the violations, each with every node it found (axe's default
    # reports every rule that passed too, with every node, which costs more than the checks).
    "resultTypes": ["violations"],
}
