"""Doctor's results for CI systems: a JUnit XML file and GitHub Actions workflow commands.

Each report takes the doctor document of one or more instances (the same dictionaries
`doctor --json` prints), named so a reader can tell the instances apart.
"""

from __future__ import annotations

from typing import Any, NamedTuple


class InstanceReport(NamedTuple):
    name: str  # what a reader calls the instance: its env file's name, or its ID
    document: dict[str, Any]  # the doctor document, as `doctor --json` prints it
