"""A reader of GitHub Actions workflow commands, stricter than the runner itself.

The runner (actions/runner: src/Runner.Worker/ActionCommandManager.cs, TryProcessCommand;
src/Runner.Common/ActionCommand.cs, TryParseV2 and TryParse) reads each line of a step's
stdout and stderr (split at LF and CR) and acts on:

- `::name props::data` once leading white space is trimmed (TryParseV2),
- `##[name props]data` anywhere in the line (TryParse),

with names compared ignoring case and, after `stop-commands`, any word accepted as the resume
token. Its comparisons follow the current culture, which skips controls and format characters.
This reader takes *any* name as a command (so an unknown one counts too) and skips the same kind
of characters before looking, so whatever it does not find, the runner does not act on either.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

_SKIPPED_EXTRA = re.compile("[\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u3164\ufe00-\ufe0f\uffa0\U000e0100-\U000e01ef]")


@dataclass
class Command:
    name: str
    properties: dict[str, str] = field(default_factory=dict)
    data: str = ""
    line: str = ""


def _collated(line: str) -> str:
    """The line as a culture-sensitive comparison sees it: no controls or format characters."""
    kept = (c for c in line if unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Cn"))
    return _SKIPPED_EXTRA.sub("", "".join(kept))


def _unescape(text: str, is_property: bool) -> str:
    if is_property:
        text = text.replace("%3A", ":").replace("%2C", ",")
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def _v2(line: str) -> Command | None:
    text = line.lstrip()
    if not text.startswith("::"):
        return None
    end = text.find("::", 2)
    if end < 0:
        return None
    info = text[2:end]
    name, _, props = info.partition(" ")
    if not name:
        return None
    properties = {}
    for pair in props.split(","):
        key, equals, value = pair.partition("=")
        if equals:
            properties[key.strip()] = _unescape(value, True)
    return Command(name.lower(), properties, _unescape(text[end + 2 :], False), line)


def _v1(line: str) -> Command | None:
    start = line.find("##[")
    if start < 0:
        return None
    end = line.find("]", start)
    if end < 0:
        return None
    name = line[start + 3 : end].split(" ", 1)[0]
    return Command(name.lower(), {}, line[end + 1 :], line) if name else None


def read_commands(text: str) -> list[Command]:
    """Every command the runner could act on in `text` (one stream), in order."""
    found = []
    for raw in re.split(r"\r\n|\r|\n", text):
        line = _collated(raw)
        command = _v2(line) or _v1(line)
        if command is not None:
            found.append(command)
    return found


def foreign_commands(*streams: str) -> list[Command]:
    """The commands in `streams` that are not greencli's own annotations."""
    return [command for stream in streams for command in read_commands(stream) if not is_greencli_annotation(command)]


def is_greencli_annotation(command: Command) -> bool:
    return (
        command.name in ("error", "warning")
        and command.line.startswith(f"::{command.name} title=")
        and command.properties.get("title", "").startswith("greencli doctor: ")
        and set(command.properties) == {"title"}
    )
