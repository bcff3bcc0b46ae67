"""What each doctor check means, why it fails and how to fix it: shipped with the package.

The text is troubleshooting.md beside this module (docs/troubleshooting.md is a copy of it),
one section per check, each opened by an `<a id="ID"></a>` anchor; `greencli doctor --explain
ID` prints one.
"""

from __future__ import annotations

import re
from importlib import resources

_ANCHOR = re.compile(r'^<a id="([a-z_]+)"></a>\n', re.M)


def _text() -> str:
    return resources.files("greencli.doctor").joinpath("troubleshooting.md").read_text(encoding="utf-8")


def sections() -> dict[str, str]:
    """Every check's explanation by its id, in the page's order."""
    text = _text()
    anchors = list(_ANCHOR.finditer(text))
    found = {}
    for index, anchor in enumerate(anchors):
        end = anchors[index + 1].start() if index + 1 < len(anchors) else len(text)
        found[anchor.group(1)] = text[anchor.end() : end].strip() + "\n"
    return found


def command_for(check_id: str) -> str:
    """How a user reads a check's explanation: what doctor prints and its JSON `docs` field hold."""
    return f"greencli doctor --explain {check_id}"
